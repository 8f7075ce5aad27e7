"""Exercise sqs-batch: store good payments, report the bad messages.

Grade it with:  serverless-tutor check sqs-batch
"""

import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["PAYMENTS_TABLE"])


def lambda_handler(event, context):
    for record in event["Records"]:
        payment = json.loads(record["body"])
        table.put_item(Item={"orderId": payment["orderId"], "amount": payment["amount"]})
    # TODO: return {"batchItemFailures": [...]} naming the messages that failed
