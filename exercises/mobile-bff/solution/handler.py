"""Reference solution for mobile-bff."""

import json
import os

import boto3
from boto3.dynamodb.conditions import Key

dynamodb = boto3.resource("dynamodb")
users = dynamodb.Table(os.environ["USERS_TABLE"])
orders = dynamodb.Table(os.environ["ORDERS_TABLE"])


def _answer(status, payload):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(payload),
    }


def _number(value):
    return int(value) if value == value.to_integral_value() else float(value)


def lambda_handler(event, context):
    user_id = (event.get("pathParameters") or {}).get("id")
    user = users.get_item(Key={"userId": user_id}).get("Item") if user_id else None
    if user is None:
        return _answer(404, {"error": "user not found"})
    recent = orders.query(
        KeyConditionExpression=Key("userId").eq(user_id),
        ScanIndexForward=False,  # newest createdAt first
        Limit=3,
        ProjectionExpression="orderId, #t",
        ExpressionAttributeNames={"#t": "total"},
    )["Items"]
    return _answer(
        200,
        {
            "name": user["name"],
            "avatar": user["avatar"],
            "recentOrders": [
                {"orderId": o["orderId"], "total": _number(o["total"])} for o in recent
            ],
        },
    )
