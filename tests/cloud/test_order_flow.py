"""The chapter's order flow, in Python, from serverless_tutor/demos/examples/order-service/serverless.yml, end to end.

Handlers run in the sandbox (they read their table names from the environment,
as deployed Lambda functions do); every AWS call goes through the local account.
"""

import json

import pytest

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.apigateway import HttpRequest
from serverless_tutor.cloud.deploy import deploy
from serverless_tutor.cloud.service import load_service
from serverless_tutor.paths import examples_dir
from serverless_tutor.runtime import LambdaRuntime

EXAMPLE = examples_dir() / "order-service" / "serverless.yml"


@pytest.fixture(scope="module")
def shop():
    account = LocalAccount()
    runtime = LambdaRuntime(backend="sandbox", request_handler=account.handle)
    spec = load_service(EXAMPLE)
    deployment = deploy(spec, account, runtime)
    ddb = account.client("dynamodb")
    ddb.put_item(
        TableName="order-service-inventory-dev",
        Item={"productId": {"S": "book"}, "quantity": {"N": "5"}},
    )
    ddb.put_item(
        TableName="order-service-inventory-dev",
        Item={"productId": {"S": "pen"}, "quantity": {"N": "100"}},
    )
    ddb.put_item(
        TableName="order-service-customers-dev",
        Item={"customerId": {"S": "c-1"}, "email": {"S": "ada@example.com"}},
    )
    yield deployment
    deployment.router.close()
    runtime.shutdown()
    account.reset()


def post_order(shop, items, key=None):
    headers = [("Content-Type", "application/json")] + ([("Idempotency-Key", key)] if key else [])
    body = json.dumps({"customerId": "c-1", "items": items}).encode()
    return shop.router.api.handle(
        HttpRequest(method="POST", path="/dev/orders", headers=headers, body=body)
    )


def order(shop, order_id):
    return shop.account.client("dynamodb").get_item(
        TableName="order-service-orders-dev", Key={"orderId": {"S": order_id}}
    )["Item"]


def stock(shop, product):
    item = shop.account.client("dynamodb").get_item(
        TableName="order-service-inventory-dev", Key={"productId": {"S": product}}
    )["Item"]
    return int(item["quantity"]["N"])


def test_order_flows_from_http_through_sns_to_email(shop):
    response = post_order(
        shop,
        [
            {"productId": "book", "quantity": 2, "price": 12.5},
            {"productId": "pen", "quantity": 3, "price": 1.25},
        ],
    )
    assert response.status == 201, response.problem
    assert response.header("Access-Control-Allow-Origin") == "*"
    order_id = response.body_json()["orderId"]
    shop.router.drain()

    saved = order(shop, order_id)
    assert saved["status"] == {"S": "CONFIRMED"}
    assert saved["total"] == {"N": "28.75"}  # Decimal, not float
    assert saved["paymentId"]["S"].startswith("txn-")
    assert (stock(shop, "book"), stock(shop, "pen")) == (3, 97)
    emails = [e for e in shop.account.sent_emails() if order_id in e["body"]]
    assert emails == [
        {
            "source": "orders@example.com",
            "destinations": {"ToAddresses": ["ada@example.com"]},
            "subject": "Order Confirmed",
            "body": f"Your order {order_id} has been confirmed!",
        }
    ]

    calls = [
        (e.function_name.rsplit("-", 1)[-1], f"{e.service}:{e.operation}")
        for e in shop.account.trace.entries
        if e.function_name and e.outcome == "ok"
    ]
    assert calls[-10:] == [
        ("createOrder", "dynamodb:PutItem"),
        ("createOrder", "sns:Publish"),
        ("processPayment", "dynamodb:UpdateItem"),
        ("processPayment", "sns:Publish"),
        ("updateInventory", "dynamodb:GetItem"),
        ("updateInventory", "dynamodb:TransactWriteItems"),
        ("updateInventory", "sns:Publish"),
        ("sendNotification", "dynamodb:UpdateItem"),
        ("sendNotification", "dynamodb:GetItem"),
        ("sendNotification", "ses:SendEmail"),
    ]
    assert not [e for e in shop.account.trace.entries if e.outcome == "denied"]
    # each subscriber got only its own event type: the filter policies did the routing
    delivered = {
        (d.function_name.rsplit("-", 1)[-1], d.outcome)
        for d in shop.router.deliveries
        if d.source == "sns"
    }
    assert delivered == {
        ("processPayment", "ok"),
        ("updateInventory", "ok"),
        ("sendNotification", "ok"),
        ("processPayment", "filtered"),
        ("updateInventory", "filtered"),
        ("sendNotification", "filtered"),
    }

    fetched = shop.router.api.handle(HttpRequest(method="GET", path=f"/dev/orders/{order_id}"))
    assert fetched.status == 200 and fetched.body_json()["status"] == "CONFIRMED"
    # DynamoDB's numbers are JSON numbers in the body, not strings
    body = fetched.body_json()
    assert (body["total"], body["items"][0]["quantity"], body["items"][0]["price"]) == (
        28.75,
        2,
        12.5,
    )


def test_duplicate_deliveries_change_nothing(shop):
    response = post_order(shop, [{"productId": "book", "quantity": 1, "price": 12.5}])
    order_id = response.body_json()["orderId"]
    shop.router.drain()
    before = (stock(shop, "book"), len(shop.account.sent_emails()), order(shop, order_id)["status"])

    # SNS delivers at least once: replay every step's event.
    topic = shop.plan.functions[0].environment["ORDER_TOPIC_ARN"]
    for event_type in ("OrderCreated", "PaymentProcessed", "InventoryUpdated"):
        shop.account.client("sns").publish(
            TopicArn=topic,
            Message=json.dumps(
                {"eventType": event_type, "orderId": order_id, "customerId": "c-1", "total": "12.5"}
            ),
            MessageAttributes={"eventType": {"DataType": "String", "StringValue": event_type}},
        )
    shop.router.drain()
    assert (
        stock(shop, "book"),
        len(shop.account.sent_emails()),
        order(shop, order_id)["status"],
    ) == before


def test_missing_stock_never_goes_below_zero(shop):
    available = stock(shop, "book")
    response = post_order(shop, [{"productId": "book", "quantity": available + 1, "price": 1}])
    order_id = response.body_json()["orderId"]
    shop.router.drain()
    assert order(shop, order_id)["status"] == {"S": "OUT_OF_STOCK"}
    assert stock(shop, "book") == available
    assert not [e for e in shop.account.sent_emails() if order_id in e["body"]]


def test_client_retries_with_an_idempotency_key_create_one_order(shop):
    first = post_order(shop, [{"productId": "pen", "quantity": 1, "price": 1}], key="checkout-123")
    second = post_order(shop, [{"productId": "pen", "quantity": 1, "price": 1}], key="checkout-123")
    assert (first.status, second.status) == (201, 200)
    assert first.body_json()["orderId"] == second.body_json()["orderId"]


def test_bad_requests_are_400(shop):
    response = post_order(shop, [{"productId": "pen", "quantity": 0, "price": 1}])
    assert response.status == 400 and "quantity" in response.body_json()["error"]
