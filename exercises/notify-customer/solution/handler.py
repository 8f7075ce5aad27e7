"""Reference solution for notify-customer."""

import json
import os

import boto3

dynamodb = boto3.resource("dynamodb")
orders = dynamodb.Table(os.environ["ORDERS_TABLE"])
customers = dynamodb.Table(os.environ["CUSTOMERS_TABLE"])
ses = boto3.client("ses")


def lambda_handler(event, context):
    for record in event["Records"]:
        message = json.loads(record["Sns"]["Message"])
        if message.get("eventType") != "OrderShipped":
            continue
        order_id = message["orderId"]
        order = orders.get_item(Key={"orderId": order_id}).get("Item")
        if order is None:
            print(f"order {order_id} not found; no email sent")
            continue
        customer = customers.get_item(Key={"customerId": order["customerId"]}).get("Item")
        if customer is None:
            print(f"customer {order['customerId']} of order {order_id} not found; no email sent")
            continue
        ses.send_email(
            Source=os.environ["SENDER"],
            Destination={"ToAddresses": [customer["email"]]},
            Message={
                "Subject": {"Data": f"Your order {order_id} has shipped"},
                "Body": {
                    "Text": {"Data": f"Hello {customer['name']}, order {order_id} is on its way."}
                },
            },
        )
