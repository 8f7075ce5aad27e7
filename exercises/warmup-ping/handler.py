"""Exercise warmup-ping: return early for warm-up pings.

Grade it with:  serverless-tutor check warmup-ping
"""

import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["PRODUCTS_TABLE"])


def lambda_handler(event, context):
    # TODO: a warm-up ping ({"source": "warmup"}) should return {"warmed": True} right away.
    product_id = event["pathParameters"]["id"]
    item = table.get_item(Key={"productId": product_id})["Item"]
    return {"statusCode": 200, "body": json.dumps(item)}
