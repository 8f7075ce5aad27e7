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


def _response(status, payload):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
        # DynamoDB numbers come back as Decimal, which json cannot encode by itself.
        "body": json.dumps(payload, default=lambda v: str(v) if isinstance(v, Decimal) else v),
    }
