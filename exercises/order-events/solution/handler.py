"""Reference solution for order-events."""

import json
import os
from decimal import Decimal

import boto3

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])
sns = boto3.client("sns")
TOPIC_ARN = os.environ["ORDER_TOPIC_ARN"]


def _answer(status, payload):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(payload),
    }


def lambda_handler(event, context):
    try:
        request = json.loads(event.get("body") or "", parse_float=Decimal)
    except json.JSONDecodeError:
        return _answer(400, {"error": "the body must be JSON"})
    if not isinstance(request, dict) or not request.get("customerId"):
        return _answer(400, {"error": "customerId is required"})

    order = {
        "orderId": context.aws_request_id,
        "customerId": request["customerId"],
        "total": request.get("total", Decimal(0)),
        "status": "PENDING",
    }
    table.put_item(Item=order)
    sns.publish(
        TopicArn=TOPIC_ARN,
        Message=json.dumps(
            {
                "eventType": "OrderCreated",
                "orderId": order["orderId"],
                "customerId": order["customerId"],
                "total": float(order["total"]),
            }
        ),
        MessageAttributes={"eventType": {"DataType": "String", "StringValue": "OrderCreated"}},
    )
    return _answer(201, {"orderId": order["orderId"]})
