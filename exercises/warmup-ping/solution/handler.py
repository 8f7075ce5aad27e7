"""Reference solution for warmup-ping."""

import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["PRODUCTS_TABLE"])


def _answer(status, payload):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(payload, default=_number),
    }


def _number(value):
    # DynamoDB numbers arrive as Decimal.
    return int(value) if value == value.to_integral_value() else float(value)


def lambda_handler(event, context):
    if event.get("source") == "warmup":
        return {"warmed": True}
    product_id = (event.get("pathParameters") or {}).get("id")
    item = table.get_item(Key={"productId": product_id}).get("Item") if product_id else None
    if item is None:
        return _answer(404, {"error": "product not found"})
    return _answer(200, item)
