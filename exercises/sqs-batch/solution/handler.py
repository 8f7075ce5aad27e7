"""Reference solution for sqs-batch."""

import json
import os
from decimal import Decimal

import boto3

table = boto3.resource("dynamodb").Table(os.environ["PAYMENTS_TABLE"])


def _valid_amount(amount):
    return isinstance(amount, int | Decimal) and not isinstance(amount, bool) and amount > 0


def lambda_handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            payment = json.loads(record["body"], parse_float=Decimal)
        except json.JSONDecodeError:
            print(f"message {record['messageId']}: body is not JSON")
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        if not isinstance(payment, dict) or not _valid_amount(payment.get("amount")):
            print(f"message {record['messageId']}: amount must be a number above 0")
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        if not isinstance(payment.get("orderId"), str) or not payment["orderId"]:
            print(f"message {record['messageId']}: orderId must be a non-empty string")
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        table.put_item(Item={"orderId": payment["orderId"], "amount": payment["amount"]})
    return {"batchItemFailures": failures}
