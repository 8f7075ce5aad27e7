"""Shared pieces for the cloud tests: one runtime per test module, fresh routers per test."""

from pathlib import Path

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from serverless_tutor import fake_credentials
from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.routing.router import EventRouter
from serverless_tutor.runtime import FunctionConfig, LambdaRuntime, ManualClock
from serverless_tutor.runtime.forwarding import ForwardedRequest

FUNCTIONS = Path(__file__).parent / "functions"
TABLE = {
    "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


class Cloud:
    """An account, a runtime serving it, and a router on a stepped clock."""

    def __init__(self, account: LocalAccount, runtime: LambdaRuntime):
        self.account = account
        self.runtime = runtime
        self.clock = ManualClock()
        self.router = EventRouter(account, runtime, clock=self.clock, delivery_threads=2)

    def function(self, name: str, handler: str, **settings) -> FunctionConfig:
        retries = settings.pop("retries", 2)
        on_failure = settings.pop("on_failure", None)
        dead_letter = settings.pop("dead_letter", None)
        config = FunctionConfig(
            name=name, handler=f"handlers.py:{handler}", code_dir=FUNCTIONS, **settings
        )
        self.router.add_function(
            config, maximum_retry_attempts=retries, on_failure=on_failure, dead_letter=dead_letter
        )
        return config

    def received(self, function_name: str | None = None) -> list[dict]:
        import json

        items = self.account.client("dynamodb", internal=True).scan(TableName="received")["Items"]
        found = [
            {"fn": i["fn"]["S"], "event": json.loads(i["event"]["S"]), "note": i["note"]["S"]}
            for i in items
            if function_name is None or i["fn"]["S"] == function_name
        ]
        return found

    def close(self) -> None:
        self.router.close()


@pytest.fixture(scope="module")
def shared_runtime():
    holder: dict = {}
    runtime = LambdaRuntime(
        backend="inprocess", request_handler=lambda request: holder["account"].handle(request)
    )
    yield runtime, holder
    runtime.shutdown()


@pytest.fixture
def cloud(shared_runtime):
    runtime, holder = shared_runtime
    account = LocalAccount()
    holder["account"] = account
    account.client("dynamodb").create_table(
        TableName="received",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    result = Cloud(account, runtime)
    yield result
    result.close()
    account.reset()


class _Body:
    def __init__(self, data):
        self.data = data

    def stream(self, **_):
        yield self.data

    def read(self, *_):
        data, self.data = self.data, b""
        return data


def make_forwarding_client(account: LocalAccount, service: str, function_name: str):
    """A boto3 client whose requests reach the account as ForwardedRequests, as a sandboxed handler's do."""
    client = boto3.client(
        service,
        region_name="us-east-1",
        **fake_credentials.CLIENT_KWARGS,
        config=Config(request_checksum_calculation="when_required"),
    )

    def before_send(request, **_):
        body = request.body.read() if hasattr(request.body, "read") else (request.body or b"")
        forwarded = ForwardedRequest(
            method=request.method,
            url=request.url,
            headers={
                k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()
            },
            body=body.encode() if isinstance(body, str) else body,
            function_name=function_name,
            request_id="req-1",
        )
        reply = account.handle(forwarded)
        return AWSResponse(request.url, reply.status_code, reply.headers, _Body(reply.body))

    client.meta.events.register("before-send", before_send)
    return client


@pytest.fixture
def forwarding_client():
    return make_forwarding_client
