"""Exercise idempotent-consumer: apply each payment exactly once.

Grade it with:  serverless-tutor check idempotent-consumer
"""

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
        # TODO: skip payments that were applied before (record them in `processed`).
        accounts.update_item(
            Key={"accountId": payment["accountId"]},
            UpdateExpression="ADD balance :amount",
            ExpressionAttributeValues={":amount": payment["amount"]},
        )
