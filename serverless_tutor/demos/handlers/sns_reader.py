"""Read an SNS notification: the payload is a string under Sns.Message."""

import json


def lambda_handler(event, context):
    for record in event["Records"]:
        note = record["Sns"]
        kind = (note.get("MessageAttributes") or {}).get("eventType", {}).get("Value", "unknown")
        payload = json.loads(note["Message"])  # always a string: decode it yourself
        print(f"{note['Subject']} ({kind}) from {note['TopicArn']}: {payload}")
    return None
