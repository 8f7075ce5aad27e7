"""createOrder (API Gateway REST API, POST /orders): save the order, announce it.

Each handler in this service is self-contained: in Lambda every function is
deployed and loaded on its own.
"""

import json
import os
import uuid
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import boto3

# Created once per execution environment (INIT), reused by every warm invoke.
dynamodb = boto3.resource("dynamodb")
orders = dynamodb.Table(os.environ["ORDERS_TABLE"])  # fix: the chapter hard-coded "Orders"
sns = boto3.client("sns")
TOPIC_ARN = os.environ["ORDER_TOPIC_ARN"]
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1d2c1e-8a53-4b8e-9d7a-2f0c1f9e5a11")


def handler(event, context):
    # Fix: the Python context has aws_request_id; context.request_id raises AttributeError.
    print(f"createOrder request {context.aws_request_id}")
    try:
        # Fix: boto3 refuses floats for DynamoDB; parse prices as Decimal from the start.
        body = json.loads(event.get("body") or "{}", parse_float=Decimal)
    except json.JSONDecodeError:
        return _response(400, {"error": "the body must be JSON"})
    problem = _check(body)
    if problem:
        return _response(400, {"error": problem})

    items = [
        {
            "productId": str(i["productId"]),
            "quantity": int(i["quantity"]),
            "price": Decimal(str(i["price"])),
        }
        for i in body["items"]
    ]
    total = sum((i["price"] * i["quantity"] for i in items), Decimal("0"))

    # A client that retries the same POST (a timeout, a double click) sends the same
    # Idempotency-Key and gets the same order back instead of a second one.
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    key = headers.get("idempotency-key")
    order_id = str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, key)) if key else str(uuid.uuid4())
    order = {
        "orderId": order_id,
        "customerId": str(body["customerId"]),
        "items": items,
        "total": total,
        "status": "PENDING",
        "createdAt": datetime.now(UTC).isoformat(),
    }
    try:
        orders.put_item(Item=order, ConditionExpression="attribute_not_exists(orderId)")
    except orders.meta.client.exceptions.ConditionalCheckFailedException:
        existing = orders.get_item(Key={"orderId": order_id})["Item"]
        return _response(200, {"orderId": order_id, "status": existing["status"]})

    # Fix: the chapter published order.orderId from the request body (undefined),
    # not the id it had just generated and saved.
    sns.publish(
        TopicArn=TOPIC_ARN,
        Message=json.dumps(
            {
                "eventType": "OrderCreated",
                "orderId": order_id,
                "customerId": order["customerId"],
                "total": str(total),
            }
        ),
        MessageAttributes={"eventType": {"DataType": "String", "StringValue": "OrderCreated"}},
    )
    return _response(201, {"orderId": order_id, "status": "PENDING"})


def _check(body):
    if not isinstance(body, dict) or not body.get("customerId"):
        return "customerId is required"
    items = body.get("items")
    if not isinstance(items, list) or not items:
        return "items must be a non-empty list"
    for item in items:
        if not isinstance(item, dict) or not item.get("productId"):
            return "each item needs a productId"
        quantity = item.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            return "each item needs a whole quantity of at least 1"
        try:
            if Decimal(str(item.get("price"))) < 0:
                return "prices cannot be negative"
        except InvalidOperation:
            return "each item needs a numeric price"
    return None


def _response(status, payload):
    return {
        "statusCode": status,
        # A REST API proxy integration does not add CORS headers: the function must.
        "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
        "body": json.dumps(payload),
    }
