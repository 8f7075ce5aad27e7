"""Reference solution for idempotent-consumer.

The marker and the balance change are one transaction: a delivery either
records the payment and adds it, or does neither. Two separate calls (marker
first, then the balance) lose the payment when the second call fails, because
every redelivery then finds the marker and skips.
"""

import json
import os
from decimal import Decimal

import boto3

client = boto3.client("dynamodb")
ACCOUNTS_TABLE = os.environ["ACCOUNTS_TABLE"]
PROCESSED_TABLE = os.environ["PROCESSED_TABLE"]


def _already_applied(error):
    reasons = error.response.get("CancellationReasons", [])
    return bool(reasons) and reasons[0].get("Code") == "ConditionalCheckFailed"


def lambda_handler(event, context):
    for record in event["Records"]:
        payment = json.loads(record["body"], parse_float=Decimal)
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": PROCESSED_TABLE,
                            "Item": {
                                "paymentId": {"S": payment["paymentId"]},
                                "messageId": {"S": record["messageId"]},
                            },
                            "ConditionExpression": "attribute_not_exists(paymentId)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": ACCOUNTS_TABLE,
                            "Key": {"accountId": {"S": payment["accountId"]}},
                            "UpdateExpression": "ADD balance :amount",
                            "ExpressionAttributeValues": {":amount": {"N": str(payment["amount"])}},
                        }
                    },
                ]
            )
        except client.exceptions.TransactionCanceledException as error:
            if not _already_applied(error):
                raise  # nothing was written: let SQS deliver the batch again
            print(f"payment {payment['paymentId']} was applied before; skipping")
