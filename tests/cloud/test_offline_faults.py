"""`offline --faults`: handlers served over HTTP make their AWS calls through the fault plan,
the router's deliveries follow it, and each injected fault is reported as one line.
And what `offline` answers a route it does not have, as the stack's API type would.

A real server on a loopback port and a small service on the in-process runtime.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.deploy import deploy
from serverless_tutor.cloud.faults import FaultPlan, plan_named
from serverless_tutor.cloud.offline import FaultLog, OfflineFaults, OfflineServer, RequestLog
from serverless_tutor.cloud.service import load_service
from serverless_tutor.runtime import LambdaRuntime

DEADLINE_S = 20  # generous: the machine is shared; nothing here waits this long when it works

HANDLERS = """
import json, os
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

# boto3 retries a throttled call on its own (the fault line would be all the learner
# sees); without retries the handler's own code meets the error.
table = boto3.resource("dynamodb", config=Config(retries={"max_attempts": 0})).Table(
    os.environ["TABLE"]
)

def save(event, context):
    order_id = json.loads(event["body"])["orderId"]
    try:
        table.put_item(Item={"k": order_id})
    except ClientError as error:
        code = error.response["Error"]["Code"]
        return {"statusCode": 503, "body": json.dumps({"error": code, "retry": True})}
    return {"statusCode": 201, "body": json.dumps({"orderId": order_id})}

def announce(event, context):
    boto3.client("sns").publish(TopicArn=os.environ["TOPIC"], Message="order")
    return {"statusCode": 202, "body": "{}"}

def count(event, context):
    table.update_item(Key={"k": "deliveries"}, UpdateExpression="ADD n :one",
                      ExpressionAttributeValues={":one": 1})
"""

SERVICE = """
service: shop
provider:
  name: aws
  runtime: python3.12
  environment:
    TABLE: orders
    TOPIC: !Ref Announcements
  iam:
    role:
      statements:
        - {Effect: Allow, Action: ["dynamodb:PutItem", "dynamodb:UpdateItem"], Resource: "*"}
        - {Effect: Allow, Action: ["sns:Publish"], Resource: "*"}
functions:
  save:
    handler: handlers.save
    events:
      - http: {path: /orders, method: post}
  announce:
    handler: handlers.announce
    events:
      - http: {path: /announce, method: post}
  count:
    handler: handlers.count
    events:
      - sns: {arn: !Ref Announcements, topicName: announcements}
resources:
  Resources:
    Orders:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: orders
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: k, AttributeType: S}]
        KeySchema: [{AttributeName: k, KeyType: HASH}]
    Announcements:
      Type: AWS::SNS::Topic
      Properties: {TopicName: announcements}
"""


class Served:
    """The shop deployed under a fault plan (or none) and served on a free port."""

    def __init__(self, root: Path, service: str, plan: FaultPlan | None):
        (root / "handlers.py").write_text(HANDLERS)
        (root / "serverless.yml").write_text(service)
        spec = load_service(root / "serverless.yml")
        self.account = LocalAccount(region=spec.region)
        self.faults_seen: list[FaultLog] = []
        self.requests: list[RequestLog] = []
        self.faults = (
            OfflineFaults(plan, self.account, on_fault=self.faults_seen.append)
            if plan is not None
            else None
        )
        handler = self.account.handle if self.faults is None else self.faults.request_handler
        self.runtime = LambdaRuntime(backend="inprocess", request_handler=handler)
        self.deployment = deploy(spec, self.account, self.runtime)
        if self.faults is not None:
            self.faults.attach(self.deployment.router)
        self.server = OfflineServer(
            self.deployment.router.api, port=0, on_request=self.requests.append
        )
        self.server.start()

    def send(self, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=DEADLINE_S)
        try:
            connection.request(method, path, body=json.dumps(body) if body is not None else None)
            answer = connection.getresponse()
            return answer.status, json.loads(answer.read())
        finally:
            connection.close()

    def items(self) -> dict[str, dict]:
        scanned = self.account.client("dynamodb", internal=True).scan(TableName="orders")
        return {item["k"]["S"]: item for item in scanned["Items"]}

    def close(self) -> None:
        self.server.stop()
        self.runtime.shutdown()
        self.deployment.router.close()


@pytest.fixture
def serve(tmp_path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(plan: FaultPlan | None = None, service: str = SERVICE) -> Served:
        served = Served(tmp_path / str(len(started)), service, plan)
        started.append(served)
        return served

    for number in range(3):
        (tmp_path / str(number)).mkdir()
    yield start
    for served in started:
        served.close()


def one_rule(rule: dict) -> FaultPlan:
    return FaultPlan.model_validate({"name": "experiment", "rules": [rule]})


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_a_throttled_write_answers_what_the_handler_makes_of_it(serve):
    shop = serve(
        one_rule(
            {
                "call": {"service": "dynamodb", "action": "PutItem"},
                "when": {"nth": 1},
                "effect": {"error": "ProvisionedThroughputExceededException"},
            }
        )
    )
    assert shop.send("POST", "/dev/orders", {"orderId": "o-1"}) == (
        503,
        {"error": "ProvisionedThroughputExceededException", "retry": True},
    )
    assert "o-1" not in shop.items()  # an injected error replaces the call
    assert shop.send("POST", "/dev/orders", {"orderId": "o-1"}) == (201, {"orderId": "o-1"})
    assert "o-1" in shop.items()  # the plan is spent: the client's own retry goes through
    assert len(shop.faults_seen) == 1
    fault = shop.faults_seen[0]
    assert fault.line().startswith(
        "fault injected: ProvisionedThroughputExceededException on dynamodb:PutItem "
    )
    assert fault.line().endswith(
        f"table/orders (function shop-dev-save, request {fault.fault.request_id})"
    )


def test_a_crash_after_the_write_keeps_the_item_and_the_client_gets_502(serve):
    shop = serve(
        one_rule(
            {
                "call": {"service": "dynamodb", "action": "PutItem"},
                "when": {"nth": 1},
                "effect": {"crash_after": True},
            }
        )
    )
    status, body = shop.send("POST", "/dev/orders", {"orderId": "o-2"})
    assert (status, body) == (502, {"message": "Internal server error"})  # a REST API's answer
    assert "o-2" in shop.items()  # the write happened; the client cannot know
    assert shop.requests[-1].status == 502 and "crashed" in (shop.requests[-1].problem or "")
    [fault] = shop.faults_seen
    assert fault.fault.kind == "crash after the call took effect"
    assert fault.fault.function == "shop-dev-save"


def test_a_shipped_plan_duplicates_the_first_sns_delivery(serve):
    shop = serve(plan_named("duplicate-delivery"))
    assert shop.faults is not None
    assert shop.faults.describe()[0] == "fault plan 'duplicate delivery' (seed 1)"
    assert "  rule 2: sns deliveries: duplicate delivery, match 1 only" in shop.faults.describe()
    assert shop.send("POST", "/dev/announce", {}) == (202, {})
    wait_until(
        lambda: shop.items().get("deliveries", {}).get("n") == {"N": "2"},
        "the duplicated delivery to count",
    )
    [fault] = shop.faults_seen
    assert fault.line().startswith("fault injected: duplicate delivery on sns ")
    assert fault.fault.function == "shop-dev-count"


REST_ONLY = SERVICE
HTTP_ONLY = SERVICE.replace(
    "      - http: {path: /orders, method: post}", "      - httpApi: 'POST /orders'"
).replace("      - http: {path: /announce, method: post}", "      - httpApi: 'POST /announce'")


@pytest.mark.parametrize(
    ("service", "method", "path", "status", "message"),
    [
        (REST_ONLY, "GET", "/dev/orders", 403, "Missing Authentication Token"),  # no GET
        (REST_ONLY, "POST", "/dev/nowhere", 403, "Missing Authentication Token"),
        (REST_ONLY, "POST", "/orders", 403, "Forbidden"),  # the stage left out of the URL
        (HTTP_ONLY, "GET", "/orders", 404, "Not Found"),
        (HTTP_ONLY, "POST", "/dev/orders", 404, "Not Found"),  # $default stage: no prefix
    ],
    ids=["rest-method", "rest-path", "rest-no-stage", "http-method", "http-stage-prefix"],
)
def test_an_unknown_route_gets_the_answer_of_the_stacks_api_type(
    serve, service, method, path, status, message
):
    shop = serve(service=service)
    assert shop.send(method, path) == (status, {"message": message})
    assert shop.requests[-1].function_name is None  # API Gateway answered; nothing ran


def test_offline_names_a_fault_plan_it_cannot_find(capsys):
    from serverless_tutor.cli import main

    assert main(["offline", "order-service", "--faults", "no-such-plan", "--port", "0"]) == 2
    error = capsys.readouterr().err
    assert "--faults: no-such-plan: (path): a *.faults.yaml file or a shipped plan" in error
    assert "duplicate-delivery" in error
