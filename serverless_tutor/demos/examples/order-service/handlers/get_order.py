"""getOrder (API Gateway REST API, GET /orders/{orderId}): read one order."""

import json
import os
from decimal import Decimal

import boto3

orders = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def handler(event, context):
    order_id = (event.get("pathParameters") or {}).get("orderId")
    item = orders.get_item(Key={"orderId": order_id}).get("Item")
    if item is None:
        return _response(404, {"error": f"no order {order_id}"})
    return _response(200, item)


def _number(value):
    # DynamoDB numbers come back as Decimal, which json cannot encode by itself. Sent as
    # JSON numbers (not strings), so a client reads "quantity": 1 and "total": 59.98.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def _response(status, payload):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
        "body": json.dumps(payload, default=_number),
    }
