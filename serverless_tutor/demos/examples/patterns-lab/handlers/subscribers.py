"""Three subscribers of one SNS topic. Each records what it received; none knows the others exist.

For an OrderPlaced event, email also sends the customer an email and analytics adds
the sale to a running total. Both are safe to run twice, because SNS delivers at
least once and Lambda retries a failed asynchronous invoke:

- email claims the order first (a conditional put), then sends: a duplicate finds the
  claim and sends nothing. That is at most one email: a crash between the claim and
  the send would lose it (lesson 5 weighs the two choices).
- analytics writes its record and the total in one transaction, guarded by the
  record: a repeat changes nothing, and a failure leaves neither half behind.

handlers/as_written_subscribers.py has the versions as first written.
"""

import json
import os

import boto3

dynamodb = boto3.client("dynamodb")
ses = boto3.client("ses")
TABLE = os.environ["DELIVERIES_TABLE"]
TOTAL_KEY = {"deliveryId": {"S": "analytics#total"}}


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


def _record(channel, event):
    handled = 0
    for message_id, event_type, body in _messages(event):
        dynamodb.put_item(TableName=TABLE, Item=_delivery(channel, message_id, event_type, body))
        print(f"{channel}: handled {event_type}")
        handled += 1
    return {"channel": channel, "handled": handled}


def email(event, context):
    for message_id, event_type, body in _messages(event):
        dynamodb.put_item(TableName=TABLE, Item=_delivery("email", message_id, event_type, body))
        if event_type != "OrderPlaced":
            continue
        try:  # claim: one email per order
            dynamodb.put_item(
                TableName=TABLE,
                Item={"deliveryId": {"S": f"email-sent#{body['orderId']}"}},
                ConditionExpression="attribute_not_exists(deliveryId)",
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            print(f"email: order {body['orderId']} was emailed already, skipped")
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


def sms(event, context):
    return _record("sms", event)


def analytics(event, context):
    for message_id, event_type, body in _messages(event):
        record = _delivery("analytics", message_id, event_type, body)
        if event_type != "OrderPlaced":
            dynamodb.put_item(TableName=TABLE, Item=record)
            continue
        try:
            dynamodb.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": TABLE,
                            "Item": record,
                            "ConditionExpression": "attribute_not_exists(deliveryId)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": TABLE,
                            "Key": TOTAL_KEY,
                            "UpdateExpression": "ADD orders :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    },
                ]
            )
        except dynamodb.exceptions.TransactionCanceledException as error:
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            if reasons[:1] != ["ConditionalCheckFailed"]:
                raise  # a conflict: let Lambda retry
            print(f"analytics: {message_id} counted already, skipped")
            continue
        print(f"analytics: counted order {body['orderId']}")
    return {"channel": "analytics"}
