"""Three subscribers of one SNS topic. Each records what it received; none knows the others exist."""

import json
import os

import boto3

dynamodb = boto3.client("dynamodb")


def _record(channel, event):
    for record in event["Records"]:
        sns = record["Sns"]
        event_type = (
            (sns.get("MessageAttributes") or {}).get("eventType", {}).get("Value", "unknown")
        )
        body = json.loads(sns["Message"])
        dynamodb.put_item(
            TableName=os.environ["DELIVERIES_TABLE"],
            Item={
                "deliveryId": {"S": f"{channel}#{sns['MessageId']}"},
                "channel": {"S": channel},
                "eventType": {"S": event_type},
                "subject": {"S": str(body.get("orderId") or body.get("cartId") or "-")},
            },
        )
        print(f"{channel}: handled {event_type}")
    return {"channel": channel, "handled": len(event["Records"])}


def email(event, context):
    return _record("email", event)


def sms(event, context):
    return _record("sms", event)


def analytics(event, context):
    return _record("analytics", event)
