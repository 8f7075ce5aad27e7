"""HTTP API handler of notes-sam: list, add and read notes; each new note is queued for the worker."""

import json
import os
import uuid
from decimal import Decimal

import boto3

table = boto3.resource("dynamodb").Table(os.environ["NOTES_TABLE"])
sqs = boto3.client("sqs")


def _number(value):
    # DynamoDB hands numbers back as Decimal, which json cannot encode: send JSON numbers.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def handler(event, context):
    route = event["routeKey"]
    if route == "GET /notes":
        items = table.scan().get("Items", [])
        return {"statusCode": 200, "body": json.dumps(items, default=_number)}
    if route == "POST /notes":
        try:
            body = json.loads(event.get("body") or "{}")
        except ValueError:
            return {"statusCode": 400, "body": json.dumps({"error": "the body must be JSON"})}
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            return {"statusCode": 400, "body": json.dumps({"error": "text is required"})}
        note = {"noteId": str(uuid.uuid4()), "text": text, "indexed": False}
        table.put_item(Item=note)
        sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=note["noteId"])
        return {"statusCode": 201, "body": json.dumps(note)}
    note_id = event["pathParameters"]["noteId"]
    item = table.get_item(Key={"noteId": note_id}).get("Item")
    if item is None:
        return {"statusCode": 404, "body": json.dumps({"error": f"no note {note_id}"})}
    return {"statusCode": 200, "body": json.dumps(item, default=_number)}
