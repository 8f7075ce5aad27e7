"""Lesson 7, Example 1: the five users API handlers in one module (one Lambda function per route).

The module-level code runs once per execution environment (INIT), so the table
object and its connection pool are reused by every warm invoke.
"""

import json
import os
import time
import uuid
from decimal import Decimal

import boto3
from botocore.exceptions import ClientError

TABLE = boto3.resource("dynamodb").Table(os.environ.get("USERS_TABLE", "users"))


def _to_json(value):
    # DynamoDB hands numbers back as Decimal; json cannot encode them.
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def respond(status, payload=None):
    # Exactly the keys a REST API proxy integration accepts; anything else is a 502.
    body = "" if payload is None else json.dumps(payload, default=_to_json)
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": body}


def parse_body(event):
    # parse_float=Decimal: boto3 refuses Python floats.
    try:
        data = json.loads(event.get("body") or "{}", parse_float=Decimal)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def list_users(event, context):
    # queryStringParameters is None, not {}, when the URL has no query string.
    query = event.get("queryStringParameters") or {}
    kwargs = {"Limit": 100}
    if "next" in query:
        kwargs["ExclusiveStartKey"] = {"userId": query["next"]}
    page = TABLE.scan(**kwargs)
    result = {"users": page["Items"]}
    if "LastEvaluatedKey" in page:
        result["next"] = page["LastEvaluatedKey"]["userId"]
    return respond(200, result)


def get_user(event, context):
    user_id = event["pathParameters"]["id"]
    item = TABLE.get_item(Key={"userId": user_id}).get("Item")
    if item is None:
        return respond(404, {"error": "user not found"})
    return respond(200, item)


def create_user(event, context):
    data = parse_body(event)
    if not data or not data.get("name") or not data.get("email"):
        return respond(400, {"error": "name and email required"})
    user = {
        "userId": str(uuid.uuid4()),
        "name": data["name"],
        "email": data["email"],
        "createdAt": int(time.time() * 1000),
    }
    TABLE.put_item(Item=user)
    return respond(201, user)


def update_user(event, context):
    user_id = event["pathParameters"]["id"]
    data = parse_body(event)
    if not data or not data.get("name") or not data.get("email"):
        return respond(400, {"error": "name and email required"})
    try:
        # UpdateItem is an upsert: the condition turns an unknown id into a 404.
        result = TABLE.update_item(
            Key={"userId": user_id},
            UpdateExpression="SET #n = :name, email = :email",
            ExpressionAttributeNames={"#n": "name"},  # name is a reserved word
            ExpressionAttributeValues={":name": data["name"], ":email": data["email"]},
            ConditionExpression="attribute_exists(userId)",
            ReturnValues="ALL_NEW",
        )
    except ClientError as err:
        if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return respond(404, {"error": "user not found"})
        raise
    return respond(200, result["Attributes"])


def delete_user(event, context):
    # Deleting twice leaves the same state, so 204 both times is honest.
    user_id = event["pathParameters"]["id"]
    TABLE.delete_item(Key={"userId": user_id})
    return respond(204)
