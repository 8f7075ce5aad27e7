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

    token = request.get("clientToken")
    order = {
        # The client's token makes a retry of the same request find the same order.
        "orderId": token if isinstance(token, str) and token else context.aws_request_id,
        "customerId": request["customerId"],
        "total": request.get("total", Decimal(0)),
        "status": "PENDING",
    }
    try:
        table.put_item(Item=order, ConditionExpression="attribute_not_exists(orderId)")
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        # Saved by an earlier attempt, which may have died before publishing: publish the
        # saved order again (subscribers dedupe on orderId; a lost event cannot be repaired).
        order = table.get_item(Key={"orderId": order["orderId"]}, ConsistentRead=True)["Item"]
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
