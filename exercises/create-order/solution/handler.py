"""Reference solution for create-order."""

import json
import os
from datetime import UTC, datetime
from decimal import Decimal

import boto3

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def _answer(status, payload):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(payload),
    }


def lambda_handler(event, context):
    try:
        body = json.loads(event.get("body") or "", parse_float=Decimal)
    except json.JSONDecodeError:
        return _answer(400, {"error": "the body must be JSON"})
    if not isinstance(body, dict) or not body.get("customerId"):
        return _answer(400, {"error": "customerId is required"})
    items = body.get("items")
    if not isinstance(items, list) or not items:
        return _answer(400, {"error": "items must be a non-empty list"})

    token = body.get("clientToken")
    order = {
        # The client's token makes a retry of the same request find the same order.
        "orderId": token if isinstance(token, str) and token else context.aws_request_id,
        "customerId": body["customerId"],
        "items": items,
        "total": sum(Decimal(item["price"]) * item["quantity"] for item in items),
        "createdAt": datetime.now(UTC).isoformat(),
        "status": "PENDING",
    }
    try:
        table.put_item(Item=order, ConditionExpression="attribute_not_exists(orderId)")
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        # Saved by an earlier attempt of this request: answer with that order.
        order = table.get_item(Key={"orderId": order["orderId"]}, ConsistentRead=True)["Item"]
    return _answer(201, {"orderId": order["orderId"], "status": order["status"]})
