"""sendNotification (SNS, eventType InventoryUpdated): email the customer.

Fix: the chapter read message.customerId, which its InventoryUpdated message did
not carry; the earlier steps now pass it along.

An email cannot be un-sent, so exactly-once is out of reach: this handler first
claims the order (INVENTORY_RESERVED -> CONFIRMED, conditionally) and only then
sends. A duplicate delivery loses the claim and sends nothing; a crash between
the claim and the send would lose the email (at most once). Sending first would
risk two emails instead (at least once). Pick the failure you can live with.
"""

import json
import os

import boto3

dynamodb = boto3.resource("dynamodb")
orders = dynamodb.Table(os.environ["ORDERS_TABLE"])
customers = dynamodb.Table(os.environ["CUSTOMERS_TABLE"])
ses = boto3.client("ses")
SENDER = os.environ["SENDER_EMAIL"]


def handler(event, context):
    for record in event["Records"]:
        process(json.loads(record["Sns"]["Message"]))


def process(message):
    order_id = message["orderId"]
    try:
        orders.update_item(
            Key={"orderId": order_id},
            UpdateExpression="SET #status = :confirmed",
            ConditionExpression="#status = :reserved",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":confirmed": "CONFIRMED",
                ":reserved": "INVENTORY_RESERVED",
            },
        )
    except orders.meta.client.exceptions.ConditionalCheckFailedException:
        print(f"order {order_id} already confirmed: duplicate delivery, skipped")
        return
    customer = customers.get_item(Key={"customerId": message["customerId"]}).get("Item")
    if customer is None:
        raise LookupError(f"no customer {message['customerId']} for order {order_id}")
    ses.send_email(
        Source=SENDER,
        Destination={"ToAddresses": [customer["email"]]},
        Message={
            "Subject": {"Data": "Order Confirmed"},
            "Body": {"Text": {"Data": f"Your order {order_id} has been confirmed!"}},
        },
    )
