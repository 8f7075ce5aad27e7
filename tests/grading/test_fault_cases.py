"""Exercise tests under a fault plan: the idempotent solution survives, the two-call one is caught."""

from pathlib import Path

import pytest

from serverless_tutor.grading.runner import grade
from serverless_tutor.paths import exercises_dir

FAULT_TEST = "keeps the payment when the environment crashes right after its first write"

# The reference solution before the fix: the marker in one call, the balance in a second.
TWO_CALLS = """
import json
import os
from decimal import Decimal

import boto3

dynamodb = boto3.resource("dynamodb")
accounts = dynamodb.Table(os.environ["ACCOUNTS_TABLE"])
processed = dynamodb.Table(os.environ["PROCESSED_TABLE"])


def lambda_handler(event, context):
    for record in event["Records"]:
        payment = json.loads(record["body"], parse_float=Decimal)
        try:
            processed.put_item(
                Item={"paymentId": payment["paymentId"], "messageId": record["messageId"]},
                ConditionExpression="attribute_not_exists(paymentId)",
            )
        except processed.meta.client.exceptions.ConditionalCheckFailedException:
            continue
        accounts.update_item(
            Key={"accountId": payment["accountId"]},
            UpdateExpression="ADD balance :amount",
            ExpressionAttributeValues={":amount": payment["amount"]},
        )
"""


def test_the_two_call_solution_loses_the_payment_and_is_told_why(tmp_path: Path, exercise_by_id):
    submission = tmp_path / "handler.py"
    submission.write_text(TWO_CALLS)
    result = grade(exercise_by_id("idempotent-consumer"), submission)
    by_name = {test.name: test for test in result.tests}
    failed = by_name[FAULT_TEST]
    assert failed.status == "fail"
    assert failed.message is not None
    assert failed.message.startswith(
        "With an injected fault (crash after the call took effect on dynamodb:PutItem"
    )
    assert "the event was delivered 2 times" in failed.message
    assert "balance should be 125, but it is 100" in failed.message
    assert len(failed.report) == 2  # both deliveries are reported
    others = [t for t in result.tests if t.name != FAULT_TEST]
    assert all(t.status == "pass" for t in others)  # without faults it looked right


def test_the_one_transaction_solution_passes_the_fault_case(exercise_by_id):
    solution = exercises_dir() / "idempotent-consumer" / "solution" / "handler.py"
    result = grade(exercise_by_id("idempotent-consumer"), solution)
    assert result.status == "pass", [t.message for t in result.tests if t.status != "pass"]


def test_check_with_a_shipped_fault_plan_redelivers_and_is_not_recorded(
    tmp_path: Path, monkeypatch, capsys
):
    from serverless_tutor.cli import main
    from serverless_tutor.progress import ProgressStore

    monkeypatch.setenv("SERVERLESS_TUTOR_HOME", str(tmp_path))
    solution = exercises_dir() / "sqs-batch" / "solution" / "handler.py"
    code = main(["check", "sqs-batch", "--file", str(solution), "--faults", "crash-after-write"])
    assert code == 0, capsys.readouterr().out
    assert "sqs-batch" not in ProgressStore(tmp_path).load().progress.exercises


def test_check_names_a_fault_plan_it_cannot_find(tmp_path: Path, monkeypatch, capsys):
    from serverless_tutor.cli import main

    monkeypatch.setenv("SERVERLESS_TUTOR_HOME", str(tmp_path))
    assert main(["check", "sqs-batch", "--faults", "no-such-plan"]) == 2
    error = capsys.readouterr().err
    assert "--faults: no-such-plan: (path): a *.faults.yaml file or a shipped plan" in error
    assert "crash-after-write" in error


# create-order and order-events before their retry cases: the order id is the request id,
# so a client's retry of the same request saves (and publishes) a second order.
ORDER_UNDER_REQUEST_ID = """
import json
import os
from datetime import UTC, datetime
from decimal import Decimal

import boto3

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def lambda_handler(event, context):
    try:
        body = json.loads(event.get("body") or "", parse_float=Decimal)
    except json.JSONDecodeError:
        return {"statusCode": 400, "body": json.dumps({"error": "the body must be JSON"})}
    if not body.get("customerId") or not body.get("items"):
        return {"statusCode": 400, "body": json.dumps({"error": "customerId and items"})}
    order = {
        "orderId": context.aws_request_id,
        "customerId": body["customerId"],
        "items": body["items"],
        "total": sum(Decimal(item["price"]) * item["quantity"] for item in body["items"]),
        "createdAt": datetime.now(UTC).isoformat(),
        "status": "PENDING",
    }
    table.put_item(Item=order)
    return {"statusCode": 201, "body": json.dumps({"orderId": order["orderId"], "status": "PENDING"})}
"""

EVENT_UNDER_REQUEST_ID = """
import json
import os
from decimal import Decimal

import boto3

table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])
sns = boto3.client("sns")


def lambda_handler(event, context):
    request = json.loads(event.get("body") or "{}", parse_float=Decimal)
    if not request.get("customerId"):
        return {"statusCode": 400, "body": json.dumps({"error": "customerId is required"})}
    order = {
        "orderId": context.aws_request_id,
        "customerId": request["customerId"],
        "total": request["total"],
        "status": "PENDING",
    }
    table.put_item(Item=order)
    sns.publish(
        TopicArn=os.environ["ORDER_TOPIC_ARN"],
        Message=json.dumps({"eventType": "OrderCreated", "orderId": order["orderId"],
                            "customerId": order["customerId"], "total": float(order["total"])}),
        MessageAttributes={"eventType": {"DataType": "String", "StringValue": "OrderCreated"}},
    )
    return {"statusCode": 201, "body": json.dumps({"orderId": order["orderId"]})}
"""

# order-events made idempotent the tempting way: an order that exists already is skipped,
# so the event the crashed first attempt never published is never published.
EVENT_SKIPPED_ON_RETRY = EVENT_UNDER_REQUEST_ID.replace(
    '"orderId": context.aws_request_id,', '"orderId": request["clientToken"],'
).replace(
    "    table.put_item(Item=order)\n",
    "    try:\n"
    '        table.put_item(Item=order, ConditionExpression="attribute_not_exists(orderId)")\n'
    "    except table.meta.client.exceptions.ConditionalCheckFailedException:\n"
    '        return {"statusCode": 201, "body": json.dumps({"orderId": order["orderId"]})}\n',
)
CRASH_ON_PUT = "With an injected fault (crash after the call took effect on dynamodb:PutItem"


@pytest.mark.parametrize(
    ("exercise_id", "code", "fault_test", "consequence"),
    [
        (
            "create-order",
            ORDER_UNDER_REQUEST_ID,
            "leaves one order when the function crashes after saving and the client retries",
            "table 'order-service-orders-dev' should hold 1 item(s) after the test, but it holds 2",
        ),
        (
            "order-events",
            EVENT_UNDER_REQUEST_ID,
            "saves one order and still publishes it when the function crashes after the save",
            "table 'orders' should hold 1 item(s) after the test, but it holds 2",
        ),
        (
            "order-events",
            EVENT_SKIPPED_ON_RETRY,
            "saves one order and still publishes it when the function crashes after the save",
            "queue 'audit-log' should hold 1 message(s), but it holds 0",
        ),
    ],
    ids=["create-order-twice", "order-events-twice", "order-events-lost"],
)
def test_an_order_handler_that_is_not_idempotent_is_told_what_the_retry_did(
    tmp_path: Path, exercise_by_id, exercise_id, code, fault_test, consequence
):
    submission = tmp_path / "handler.py"
    submission.write_text(code)
    result = grade(exercise_by_id(exercise_id), submission)
    failed = {test.name: test for test in result.tests}[fault_test]
    assert failed.status == "fail" and failed.message is not None
    assert failed.message.startswith(CRASH_ON_PUT)
    assert "the event was delivered 2 times, and then:" in failed.message
    assert consequence in failed.message
    assert len(failed.report) == 2  # the crashed attempt and the retry


@pytest.mark.parametrize("exercise_id", ["create-order", "order-events"])
def test_the_order_solutions_with_a_client_token_pass_their_fault_cases(
    exercise_by_id, exercise_id
):
    solution = exercises_dir() / exercise_id / "solution" / "handler.py"
    result = grade(exercise_by_id(exercise_id), solution)
    assert result.status == "pass", [t.message for t in result.tests if t.status != "pass"]
