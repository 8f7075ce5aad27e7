"""Exercise scheduled-cleanup: delete sessions older than 30 days.

Grade it with:  serverless-tutor check scheduled-cleanup
"""

import os
from datetime import UTC, datetime, timedelta

import boto3

table = boto3.resource("dynamodb").Table(os.environ["SESSIONS_TABLE"])


def lambda_handler(event, context):
    cutoff = datetime.now(UTC) - timedelta(days=30)  # TODO: use the event's time
    deleted = 0
    for item in table.scan()["Items"]:  # TODO: follow LastEvaluatedKey
        created = datetime.fromisoformat(item["createdAt"].replace("Z", "+00:00"))
        if created < cutoff:
            table.delete_item(Key={"sessionId": item["sessionId"]})
            deleted += 1
    return {"deleted": deleted}
