"""Exercise order-events: save an order and fan out one OrderCreated event.

Grade it with:  serverless-tutor check order-events
"""

import json
import os
from decimal import Decimal

import boto3

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])
sns = boto3.client("sns")


def lambda_handler(event, context):
    order = json.loads(event["body"], parse_float=Decimal)
    # TODO: 400 when customerId is missing
    # TODO: orderId = the body's clientToken; a retry must not save a second order
    table.put_item(
        Item={
            "orderId": context.aws_request_id,
            "customerId": order["customerId"],
            "total": order["total"],
            "status": "PENDING",
        }
    )
    sns.publish(
        TopicArn=os.environ["ORDER_TOPIC_ARN"],
        Message=json.dumps(
            {
                "eventType": "OrderCreated",
                "orderId": order.get("orderId"),  # is this the id that was saved?
                "customerId": order["customerId"],
                "total": float(order["total"]),
            }
        ),
        # TODO: a message attribute so subscriptions can filter on eventType
    )
    return {"statusCode": 201, "body": json.dumps({"orderId": context.aws_request_id})}
