"""Handlers the router tests deploy. Each one writes what it received to the
`received` table in the local account, so a test can read the exact payload."""

import json

import boto3
from botocore.exceptions import ClientError

dynamodb = boto3.client("dynamodb")


def _remember(event, context, note=""):
    dynamodb.put_item(
        TableName="received",
        Item={
            "id": {"S": context.aws_request_id},
            "fn": {"S": context.function_name},
            "event": {"S": json.dumps(event)},
            "note": {"S": note},
        },
    )


def record(event, context):
    _remember(event, context)
    return {"ok": True}


def fail(event, context):
    _remember(event, context, "failed")
    raise RuntimeError("boom")


def sqs_partial(event, context):
    """Fails the records whose body contains "bad"; reports them as batch item failures."""
    failures = []
    for message in event["Records"]:
        if "bad" in message["body"]:
            failures.append({"itemIdentifier": message["messageId"]})
    _remember(event, context, json.dumps(failures))
    return {"batchItemFailures": failures}


def stream_fail_on_poison(event, context):
    _remember(event, context)
    for item in event["Records"]:
        image = item["dynamodb"].get("NewImage") or {}
        if image.get("poison"):
            raise ValueError("poison record")


def api_echo(event, context):
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
        "body": json.dumps({"event": event, "coldMarker": context.aws_request_id}),
    }


def api_body_not_string(event, context):
    return {"statusCode": 200, "body": {"not": "a string"}}


def api_extra_key(event, context):
    return {"statusCode": 200, "body": "ok", "status": "done"}


def api_plain_value(event, context):
    return {"hello": "world"}


def write_secret(event, context):
    """Tries a write it has no permission for; returns what AWS answered."""
    try:
        dynamodb.put_item(TableName="secret", Item={"id": {"S": "x"}})
    except ClientError as error:
        return {
            "code": error.response["Error"]["Code"],
            "message": error.response["Error"]["Message"],
        }
    return {"code": None}
