"""processPayment as first written: charge, mark the order PAID, announce it; stop on a repeat.

The status change is conditional (PENDING -> PAID), so a duplicate cannot pay
twice. But a repeat that finds the order already PAID stops without publishing.
If the first attempt's publish failed (throttled) or its environment crashed
after the update, the retry is such a repeat: the order stays PAID, and no
later step ever hears of it. The fixed version (handlers/process_payment.py)
announces a PAID order again on a repeat.
"""

import hashlib
import json
import os
from decimal import Decimal

import boto3

orders = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])
sns = boto3.client("sns")
TOPIC_ARN = os.environ["ORDER_TOPIC_ARN"]
PAYMENT_LIMIT = Decimal("10000")


def handler(event, context):
    for record in event["Records"]:
        process(json.loads(record["Sns"]["Message"]))


def process(message):
    order_id = message["orderId"]
    payment = charge(message["customerId"], Decimal(message["total"]), order_id)
    try:
        orders.update_item(
            Key={"orderId": order_id},
            UpdateExpression="SET #status = :status, paymentId = :payment",
            ConditionExpression="#status = :pending",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":status": "PAID" if payment["success"] else "PAYMENT_FAILED",
                ":payment": payment["transactionId"],
                ":pending": "PENDING",
            },
        )
    except orders.meta.client.exceptions.ConditionalCheckFailedException:
        print(f"order {order_id} is no longer PENDING: duplicate delivery, skipped")
        return
    if payment["success"]:
        sns.publish(
            TopicArn=TOPIC_ARN,
            Message=json.dumps(
                {
                    "eventType": "PaymentProcessed",
                    "orderId": order_id,
                    "customerId": message["customerId"],
                }
            ),
            MessageAttributes={
                "eventType": {"DataType": "String", "StringValue": "PaymentProcessed"}
            },
        )


def charge(customer_id, amount, order_id):
    """A stand-in for a payment provider, keyed by the order as a real provider's idempotency key."""
    transaction = "txn-" + hashlib.sha256(f"{customer_id}/{order_id}".encode()).hexdigest()[:16]
    return {"success": amount <= PAYMENT_LIMIT, "transactionId": transaction}
