"""email and analytics as first written (lesson 8's fan-out subscribers).

- email sends for every delivery, as the lesson's send_email does: a duplicate
  delivery sends a second email.
- analytics marks the message as counted (a conditional put, as the lesson's
  record_analytics does), then adds it to the total in a second call. If that second
  call fails (throttled) or the environment crashes after the first, every retry
  finds the mark and skips: the sale is never counted.

The fixed versions are in handlers/subscribers.py.
"""

import json
import os

import boto3

dynamodb = boto3.client("dynamodb")
ses = boto3.client("ses")
TABLE = os.environ["DELIVERIES_TABLE"]


def _messages(event):
    for record in event["Records"]:
        sns = record["Sns"]
        event_type = (
            (sns.get("MessageAttributes") or {}).get("eventType", {}).get("Value", "unknown")
        )
        yield sns["MessageId"], event_type, json.loads(sns["Message"])


def _delivery(channel, message_id, event_type, body):
    return {
        "deliveryId": {"S": f"{channel}#{message_id}"},
        "channel": {"S": channel},
        "eventType": {"S": event_type},
        "subject": {"S": str(body.get("orderId") or body.get("cartId") or "-")},
    }


def email(event, context):
    for message_id, event_type, body in _messages(event):
        dynamodb.put_item(TableName=TABLE, Item=_delivery("email", message_id, event_type, body))
        if event_type != "OrderPlaced":
            continue
        ses.send_email(
            Source=os.environ["FROM_ADDRESS"],
            Destination={"ToAddresses": [body["email"]]},
            Message={
                "Subject": {"Data": f"Order {body['orderId']}"},
                "Body": {
                    "Text": {"Data": f"Thank you for order {body['orderId']}, it ships soon."}
                },
            },
        )
        print(f"email: sent for order {body['orderId']}")
    return {"channel": "email"}


def analytics(event, context):
    for message_id, event_type, body in _messages(event):
        try:
            dynamodb.put_item(
                TableName=TABLE,
                Item=_delivery("analytics", message_id, event_type, body),
                ConditionExpression="attribute_not_exists(deliveryId)",
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            print(f"analytics: duplicate of {message_id} ignored")
            continue
        if event_type != "OrderPlaced":
            continue
        dynamodb.update_item(
            TableName=TABLE,
            Key={"deliveryId": {"S": "analytics#total"}},
            UpdateExpression="ADD orders :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        print(f"analytics: counted order {body['orderId']}")
    return {"channel": "analytics"}
