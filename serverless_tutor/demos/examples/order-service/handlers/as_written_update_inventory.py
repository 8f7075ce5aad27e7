"""updateInventory as the chapter wrote it: one unconditional update per product.

Each product's quantity goes down in its own call, with no condition and no
once-per-order guard; only afterwards does the order move from PAID to
INVENTORY_RESERVED. So a repeated message takes the stock again, and a failure
halfway (a throttled second update, a crash after the first) leaves some
products taken, and the retry takes them a second time. The fixed version
(handlers/update_inventory.py) does it all in one transaction that checks the
order and the stock.
"""

import json
import os

import boto3

dynamodb = boto3.resource("dynamodb")
orders = dynamodb.Table(os.environ["ORDERS_TABLE"])
inventory = dynamodb.Table(os.environ["INVENTORY_TABLE"])
sns = boto3.client("sns")
TOPIC_ARN = os.environ["ORDER_TOPIC_ARN"]


def handler(event, context):
    for record in event["Records"]:
        process(json.loads(record["Sns"]["Message"]))


def process(message):
    order_id = message["orderId"]
    order = orders.get_item(Key={"orderId": order_id}, ConsistentRead=True)["Item"]
    for item in order["items"]:
        inventory.update_item(
            Key={"productId": item["productId"]},
            UpdateExpression="SET quantity = quantity - :qty",
            ExpressionAttributeValues={":qty": item["quantity"]},
        )
    try:
        orders.update_item(
            Key={"orderId": order_id},
            UpdateExpression="SET #status = :reserved",
            ConditionExpression="#status = :paid",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":reserved": "INVENTORY_RESERVED", ":paid": "PAID"},
        )
    except orders.meta.client.exceptions.ConditionalCheckFailedException:
        print(f"order {order_id} is no longer PAID: duplicate delivery, skipped")
        return
    sns.publish(
        TopicArn=TOPIC_ARN,
        Message=json.dumps(
            {
                "eventType": "InventoryUpdated",
                "orderId": order_id,
                "customerId": order["customerId"],
            }
        ),
        MessageAttributes={"eventType": {"DataType": "String", "StringValue": "InventoryUpdated"}},
    )
