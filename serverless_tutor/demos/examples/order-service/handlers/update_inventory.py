"""updateInventory (SNS, eventType PaymentProcessed): take the items out of stock.

One transaction moves the order from PAID to INVENTORY_RESERVED and decrements
every product only if enough is in stock. A duplicate delivery fails the order's
condition and changes nothing; missing stock changes nothing either and the order
is marked OUT_OF_STOCK (fix: the chapter let inventory go below zero).

A repeat that finds the order INVENTORY_RESERVED (the stock was taken, but the
attempt that took it crashed before it published) publishes InventoryUpdated
again, so the email step still hears of the order.
(handlers/as_written_update_inventory.py is the chapter's version: one
unconditional update per product.)
"""

import contextlib
import json
import os

import boto3

ORDERS_TABLE = os.environ["ORDERS_TABLE"]
INVENTORY_TABLE = os.environ["INVENTORY_TABLE"]
dynamodb = boto3.client("dynamodb")
sns = boto3.client("sns")
TOPIC_ARN = os.environ["ORDER_TOPIC_ARN"]


def handler(event, context):
    for record in event["Records"]:
        process(json.loads(record["Sns"]["Message"]))


def process(message):
    order_id = message["orderId"]
    order = dynamodb.get_item(
        TableName=ORDERS_TABLE, Key={"orderId": {"S": order_id}}, ConsistentRead=True
    )["Item"]
    if order["status"]["S"] == "INVENTORY_RESERVED":
        print(f"order {order_id} has its stock already: announcing it again")
        _announce(order_id, message["customerId"])
        return
    if order["status"]["S"] != "PAID":
        print(f"order {order_id} is {order['status']['S']}: duplicate delivery, skipped")
        return
    items = [(i["M"]["productId"]["S"], i["M"]["quantity"]["N"]) for i in order["items"]["L"]]
    try:
        dynamodb.transact_write_items(
            TransactItems=[_mark(order_id, "PAID", "INVENTORY_RESERVED")]
            + [
                {
                    "Update": {
                        "TableName": INVENTORY_TABLE,
                        "Key": {"productId": {"S": product}},
                        "UpdateExpression": "SET quantity = quantity - :qty",
                        "ConditionExpression": "quantity >= :qty",
                        "ExpressionAttributeValues": {":qty": {"N": quantity}},
                    }
                }
                for product, quantity in items
            ]
        )
    except dynamodb.exceptions.TransactionCanceledException as error:
        reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            print(f"order {order_id} changed meanwhile: duplicate delivery, skipped")
            return  # the delivery that changed it announces it
        print(f"order {order_id}: not enough stock ({reasons})")
        # another delivery may already have decided this order
        with contextlib.suppress(dynamodb.exceptions.TransactionCanceledException):
            dynamodb.transact_write_items(TransactItems=[_mark(order_id, "PAID", "OUT_OF_STOCK")])
        return
    _announce(order_id, message["customerId"])


def _announce(order_id, customer_id):
    sns.publish(
        TopicArn=TOPIC_ARN,
        Message=json.dumps(
            {
                "eventType": "InventoryUpdated",
                "orderId": order_id,
                "customerId": customer_id,
            }
        ),
        MessageAttributes={"eventType": {"DataType": "String", "StringValue": "InventoryUpdated"}},
    )


def _mark(order_id, expected, new):
    return {
        "Update": {
            "TableName": ORDERS_TABLE,
            "Key": {"orderId": {"S": order_id}},
            "UpdateExpression": "SET #status = :new",
            "ConditionExpression": "#status = :expected",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":new": {"S": new}, ":expected": {"S": expected}},
        }
    }
