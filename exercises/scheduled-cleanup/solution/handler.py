"""Reference solution for scheduled-cleanup."""

import os
from datetime import datetime, timedelta

import boto3

table = boto3.resource("dynamodb").Table(os.environ["SESSIONS_TABLE"])
MAX_AGE = timedelta(days=30)


def _parse(timestamp):
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


def _all_sessions():
    kwargs = {}
    while True:
        page = table.scan(**kwargs)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def lambda_handler(event, context):
    cutoff = _parse(event["time"]) - MAX_AGE
    deleted = 0
    for session in list(_all_sessions()):
        if _parse(session["createdAt"]) < cutoff:
            table.delete_item(Key={"sessionId": session["sessionId"]})
            deleted += 1
    print(f"deleted {deleted} sessions created before {cutoff.isoformat()}")
    return {"deleted": deleted}
