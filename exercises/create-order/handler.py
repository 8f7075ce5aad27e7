"""Exercise create-order: save a new order in DynamoDB.

Grade it with:  serverless-tutor check create-order
"""

import json
import os
from datetime import UTC, datetime

import boto3

# Created once per execution environment, during INIT, and reused on warm starts.
table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def lambda_handler(event, context):
    body = json.loads(event["body"])
    # TODO: answer 400 {"error": ...} for a bad body, a missing customerId or no items.

    # TODO: a retried request (same clientToken) must not save a second order.
    order = {
        "orderId": context.aws_request_id,
        "customerId": body["customerId"],
        "items": body["items"],
        "total": sum(item["price"] * item["quantity"] for item in body["items"]),
        "createdAt": datetime.now(UTC).isoformat(),
        "status": "PENDING",
    }
    table.put_item(Item=order)
    return {
        "statusCode": 201,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"orderId": order["orderId"], "status": order["status"]}),
    }
