"""processPayment (SNS, eventType OrderCreated): charge, mark the order PAID, announce it.

SNS delivers at least once: the same OrderCreated can arrive twice. The status
change is conditional (PENDING -> PAID), so it happens once however often the
message comes. A repeat that finds the order still PAID publishes PaymentProcessed
again: if an earlier attempt crashed (or its publish was throttled) between the
update and the publish, that retry is the only way the next step hears of the
order. Re-publishing is safe because the next step is idempotent too.
(handlers/as_written_process_payment.py stops on a repeat instead: the panel's
"as written" code shows what that loses.)
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
    # No eventType check here: the subscription's filter policy only lets OrderCreated through.
    for record in event["Records"]:
        message = json.loads(record["Sns"]["Message"])
        process(message)


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
        status = orders.get_item(Key={"orderId": order_id}, ConsistentRead=True)["Item"]["status"]
        if status != "PAID":
            print(f"order {order_id} is {status}: duplicate delivery, skipped")
            return
        print(f"order {order_id} is already PAID: announcing it again")
    if payment["success"]:
        sns.publish(
            TopicArn=TOPIC_ARN,
            # Fix: carry customerId along; sendNotification needs it two steps later.
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
    """A stand-in for a payment provider. The transaction id is derived from the
    order, as a real provider's idempotency key would be, so a retry cannot charge twice."""
    transaction = "txn-" + hashlib.sha256(f"{customer_id}/{order_id}".encode()).hexdigest()[:16]
    return {"success": amount <= PAYMENT_LIMIT, "transactionId": transaction}
