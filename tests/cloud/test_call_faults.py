"""Call faults at the bridge: an AWS error, latency, a timeout, a crash after the write took effect.

Each runs on both backends: the sandbox (learner code) and in-process (trusted demos).
"""

from pathlib import Path

import pytest

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.faults import FaultInjector, FaultPlan
from serverless_tutor.runtime import FunctionConfig, LambdaRuntime

HANDLER = """
import boto3
dynamodb = boto3.client("dynamodb")

def handler(event, context):
    dynamodb.put_item(TableName="orders", Item={"id": {"S": event["id"]}})
    return {"stored": event["id"]}
"""


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("faulty")
    (folder / "app.py").write_text(HANDLER)
    return folder


@pytest.fixture(params=["sandbox", "inprocess"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def run(code: Path, backend: str, effect: dict, *, when: dict | None = None):
    """Invoke the handler once with a plan holding one rule on dynamodb PutItem."""
    account = LocalAccount()
    account.client("dynamodb").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    injector = FaultInjector(
        FaultPlan.model_validate(
            {
                "rules": [
                    {
                        "call": {"service": "dynamodb", "action": "PutItem"},
                        "when": when or {"nth": 1},
                        "effect": effect,
                    }
                ]
            }
        )
    )
    runtime = LambdaRuntime(backend=backend, request_handler=account.with_faults(injector))
    config = FunctionConfig(name="store", handler="app.py:handler", code_dir=code, timeout_s=1)
    try:
        result = runtime.invoke(config, {"id": "o-1"})
    finally:
        runtime.shutdown()
    items = account.client("dynamodb").scan(TableName="orders")["Items"]
    account.reset()
    return result, items, injector


def test_an_injected_error_reaches_the_handler_as_that_aws_error(code, backend):
    result, items, injector = run(code, backend, {"error": "ConditionalCheckFailedException"})
    assert result.error is not None
    assert "ConditionalCheckFailedException" in result.error.error_message
    assert "injected by the fault plan" in result.error.error_message
    assert items == []
    assert injector.describe()[0].startswith("ConditionalCheckFailedException on dynamodb:PutItem")


def test_a_throttled_first_attempt_is_retried_by_boto3_and_succeeds(code, backend):
    result, items, injector = run(
        code, backend, {"error": "ProvisionedThroughputExceededException"}
    )
    assert result.error is None and result.response == {"stored": "o-1"}
    assert items == [{"id": {"S": "o-1"}}]
    assert len(injector.injected) == 1


def test_latency_delays_the_call_but_it_still_happens(code, backend):
    result, items, injector = run(code, backend, {"latency_ms": 50})
    assert result.error is None and items == [{"id": {"S": "o-1"}}]
    assert injector.describe()[0].startswith("50 ms latency on dynamodb:PutItem")


def test_a_call_that_never_answers_times_the_invocation_out_and_writes_nothing(code, backend):
    result, items, _ = run(code, backend, {"timeout": True})
    assert result.error is not None and result.error.error_type == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in result.error.error_message
    assert items == []


def test_a_crash_after_the_write_keeps_the_write_and_the_handler_never_learns(code, backend):
    result, items, _ = run(code, backend, {"crash_after": True})
    assert result.error is not None and result.error.error_type == "Runtime.ExitError"
    assert "crashed after its AWS call took effect" in result.error.error_message
    assert result.response is None
    assert items == [{"id": {"S": "o-1"}}]


def test_a_fault_plan_does_not_open_a_door_around_the_bridge():
    """With a plan in front of the account, moto's admin routes and garbage are still refused."""
    from serverless_tutor.runtime.forwarding import ForwardedRequest

    account = LocalAccount()
    injector = FaultInjector(
        FaultPlan.model_validate(
            {"rules": [{"call": {"service": "*"}, "effect": {"latency_ms": 1}}]}
        )
    )
    handler = account.with_faults(injector)
    for url, body, code in (
        ("https://dynamodb.us-east-1.amazonaws.com/moto-api/reset", b"", b"AccessDenied"),
        ("http://127.0.0.1:1/", b"", b"EndpointNotAllowed"),
        ("https://dynamodb.us-east-1.amazonaws.com/", b"\xff\x00{not json", b""),
    ):
        reply = handler(
            ForwardedRequest(
                method="POST", url=url, headers={}, body=body, function_name="f", request_id="r"
            )
        )
        assert 400 <= reply.status_code < 600 and code in reply.body, (url, reply.body)
        assert reply.after is None
    account.reset()
