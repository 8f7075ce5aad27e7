"""Exercise tests under a fault plan: the idempotent solution survives, the two-call one is caught."""

from pathlib import Path

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
