"""Reference solution for idempotent-consumer."""

import json
import os
from decimal import Decimal

import boto3

dynamodb = boto3.resource("dynamodb")
accounts = dynamodb.Table(os.environ["ACCOUNTS_TABLE"])
processed = dynamodb.Table(os.environ["PROCESSED_TABLE"])


def lambda_handler(event, context):
    for record in event["Records"]:
        payment = json.loads(record["body"], parse_float=Decimal)
        try:
            processed.put_item(
                Item={"paymentId": payment["paymentId"], "messageId": record["messageId"]},
                ConditionExpression="attribute_not_exists(paymentId)",
            )
        except processed.meta.client.exceptions.ConditionalCheckFailedException:
            print(f"payment {payment['paymentId']} was applied before; skipping")
            continue
        accounts.update_item(
            Key={"accountId": payment["accountId"]},
            UpdateExpression="ADD balance :amount",
            ExpressionAttributeValues={":amount": payment["amount"]},
        )
