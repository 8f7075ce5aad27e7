"""Reference solution for get-user."""

import json
import os
from decimal import Decimal

import boto3

table = boto3.resource("dynamodb").Table(os.environ["USERS_TABLE"])


def _json_default(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot serialize {type(value).__name__}")


def _answer(status, payload):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(payload, default=_json_default),
    }


def lambda_handler(event, context):
    user_id = (event.get("pathParameters") or {}).get("id")
    if not user_id:
        return _answer(400, {"error": "the path must name a user id"})
    item = table.get_item(Key={"userId": user_id}).get("Item")
    if item is None:
        return _answer(404, {"error": "User not found"})
    return _answer(200, item)
