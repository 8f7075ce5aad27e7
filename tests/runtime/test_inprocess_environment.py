"""The in-process backend gives handlers their Lambda environment variables during INIT
and invokes, and puts the tutor's own os.environ back afterwards."""

from __future__ import annotations

import os
import threading

import pytest

from serverless_tutor.runtime import LambdaRuntime

from .conftest import make_function

READS_ENVIRONMENT = """
import os

AT_INIT = {key: os.environ.get(key) for key in ("AWS_LAMBDA_FUNCTION_NAME", "AWS_REGION", "TABLE_NAME")}

def handler(event, context):
    return {
        "init": AT_INIT,
        "invoke": {key: os.environ.get(key) for key in (
            "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION",
            "AWS_LAMBDA_LOG_GROUP_NAME", "_HANDLER", "TABLE_NAME")},
    }
"""


@pytest.fixture
def runtime():
    with LambdaRuntime(backend="inprocess") as runtime:
        yield runtime


def test_handler_sees_lambda_and_its_own_variables_at_init_and_invoke(
    runtime, tmp_path, monkeypatch
):
    monkeypatch.delenv("TABLE_NAME", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-3")  # the tutor's own value must come back
    fn = make_function(
        tmp_path,
        READS_ENVIRONMENT,
        name="orders-api",
        memory_mb=256,
        environment={"TABLE_NAME": "orders-dev"},
    )

    for _ in range(2):  # cold, then warm
        result = runtime.invoke(fn, {})
        assert result.error is None, result.error
        assert result.response["init"] == {
            "AWS_LAMBDA_FUNCTION_NAME": "orders-api",
            "AWS_REGION": "us-east-1",
            "TABLE_NAME": "orders-dev",
        }
        assert result.response["invoke"] == {
            "AWS_LAMBDA_FUNCTION_NAME": "orders-api",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "AWS_REGION": "us-east-1",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/orders-api",
            "_HANDLER": "app.handler",
            "TABLE_NAME": "orders-dev",
        }
        assert "TABLE_NAME" not in os.environ
        assert "AWS_LAMBDA_FUNCTION_NAME" not in os.environ
        assert os.environ["AWS_REGION"] == "eu-west-3"


READS_TWICE = """
import os, time

def handler(event, context):
    first = os.environ.get("GREETING")
    time.sleep(0.2)  # another function running now must not change what this one sees
    return [first, os.environ.get("GREETING")]
"""


def test_concurrent_functions_with_different_variables_do_not_see_each_other(runtime, tmp_path):
    hello = make_function(tmp_path, READS_TWICE, name="hello", environment={"GREETING": "hello"})
    bonjour = make_function(
        tmp_path, READS_TWICE, name="bonjour", environment={"GREETING": "bonjour"}
    )
    results: dict[str, object] = {}

    def call(fn):
        results[fn.name] = runtime.invoke(fn, {}).response

    threads = [threading.Thread(target=call, args=(fn,)) for fn in (hello, bonjour, hello, bonjour)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {"hello": ["hello", "hello"], "bonjour": ["bonjour", "bonjour"]}
    assert "GREETING" not in os.environ


MEETS_A_SIBLING = """
import os, time, uuid
from pathlib import Path

def handler(event, context):
    rendezvous = Path(event["dir"])
    (rendezvous / uuid.uuid4().hex).touch()
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        if len(list(rendezvous.iterdir())) >= 2:
            return True
        time.sleep(0.01)
    return False
"""


def test_environments_of_one_function_still_run_at_the_same_time(runtime, tmp_path):
    """Sharing os.environ must not serialize a function's concurrent environments: each
    invoke waits for the other to arrive, which only happens if both run at once."""
    fn = make_function(
        tmp_path, MEETS_A_SIBLING, name="fan-out", timeout_s=5, environment={"MODE": "demo"}
    )
    rendezvous = tmp_path / "rendezvous"
    rendezvous.mkdir()
    met: list[bool] = []
    threads = [
        threading.Thread(
            target=lambda: met.append(runtime.invoke(fn, {"dir": str(rendezvous)}).response)
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert met == [True, True]
    assert len(runtime.environments(fn.name)) == 2
