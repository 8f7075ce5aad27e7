"""The bundled demo handlers: what each one shows, its configuration and its event.

The handlers are plain Lambda files in handlers/ next to this module (shipped in the
wheel with the package). They are trusted code, so the playground runs them on the
in-process backend.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from serverless_tutor.demos import HANDLERS_DIR
from serverless_tutor.runtime.events import sample_event


class Demo(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str  # also the function name
    title: str
    file: str  # under HANDLERS_DIR
    summary: str  # what it shows, one sentence
    try_this: str  # what to press and what to notice
    event_source: str  # a runtime sample source id, or "custom"
    timeout_s: float = 3

    @property
    def handler(self) -> str:
        """Lambda's own handler setting: module.function."""
        return f"{Path(self.file).stem}.lambda_handler"

    @property
    def path(self) -> Path:
        return HANDLERS_DIR / self.file

    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def event(self) -> dict[str, Any]:
        """A fresh copy of the event this demo is invoked with."""
        return _EVENTS[self.id]()


def _hello_event() -> dict[str, Any]:
    return sample_event(
        "apigateway-rest",
        {
            "resource": "/hello",
            "path": "/hello",
            "httpMethod": "GET",
            "queryStringParameters": {"name": "Ada"},
            "multiValueQueryStringParameters": {"name": ["Ada"]},
            "pathParameters": None,
            "body": None,
            "requestContext.httpMethod": "GET",
            "requestContext.path": "/prod/hello",
            "requestContext.resourcePath": "/hello",
        },
    )


def _order_event() -> dict[str, Any]:
    return sample_event(
        "apigateway-rest",
        {
            "resource": "/orders",
            "path": "/orders",
            "pathParameters": None,
            "requestContext.resourcePath": "/orders",
        },
    )


def _sqs_batch_event() -> dict[str, Any]:
    """Three messages; the second is not JSON, so the handler reports it as failed."""
    event = sample_event("sqs")
    first = event["Records"][0]
    bodies = [first["body"], "not json", '{"orderId": "44", "item": "pen"}']
    records = []
    for number, body in enumerate(bodies):
        record = copy.deepcopy(first)
        record["messageId"] = f"{first['messageId'][:-1]}{number}"
        record["body"] = body
        record["md5OfBody"] = _md5(body)
        records.append(record)
    event["Records"] = records
    return event


def _md5(text: str) -> str:
    import hashlib

    return hashlib.md5(text.encode()).hexdigest()


DEMOS: list[Demo] = [
    Demo(
        id="hello",
        title="hello (API Gateway)",
        file="hello.py",
        event_source="apigateway-rest",
        summary="GET /hello?name=Ada: a REST API proxy event in, a 200 JSON response out.",
        try_this="Invoke twice: the first is cold (INIT in the REPORT), the second warm.",
    ),
    Demo(
        id="counter",
        title="counter (module state)",
        file="counter.py",
        event_source="custom",
        summary="A module-level counter: it survives warm invokes and restarts at 1 in a new environment.",
        try_this="Invoke a few times, then 3 at once, then let 10 minutes pass and invoke again.",
    ),
    Demo(
        id="init-heavy",
        title="init-heavy (slow INIT)",
        file="init_heavy.py",
        event_source="custom",
        summary="300 ms of setup at module level: paid once per environment, then skipped on warm starts.",
        try_this="Compare Init Duration and Billed Duration on the cold start with a warm one.",
    ),
    Demo(
        id="s3-logger",
        title="s3-logger (S3 upload)",
        file="s3_logger.py",
        event_source="s3-put",
        summary="An S3 ObjectCreated notification: decode the URL-encoded key; async, so no one reads the return.",
        try_this="Look at the Event tab: the key arrives as photo+1.jpg.",
    ),
    Demo(
        id="sqs-batch",
        title="sqs-batch (SQS queue)",
        file="sqs_batch.py",
        event_source="sqs",
        summary="An SQS batch of three with one bad message: only that one is reported back for redelivery.",
        try_this="The Result shows batchItemFailures with the bad message's id.",
    ),
    Demo(
        id="sns-reader",
        title="sns-reader (SNS topic)",
        file="sns_reader.py",
        event_source="sns",
        summary="An SNS notification: the payload is a JSON string under Sns.Message.",
        try_this="Read the log line: subject, eventType attribute and the decoded message.",
    ),
    Demo(
        id="stream-reader",
        title="stream-reader (DynamoDB Streams)",
        file="stream_reader.py",
        event_source="dynamodb-insert",
        summary='A DynamoDB Streams INSERT: typed JSON ({"S": ...}) turned into Python values.',
        try_this="Compare the NewImage in the Event tab with the item in the log.",
    ),
    Demo(
        id="nightly-job",
        title="nightly-job (EventBridge schedule)",
        file="nightly_job.py",
        event_source="eventbridge-scheduled",
        summary="A scheduled rule's event: compute from the event's time, not the clock.",
        try_this="The cut-off is 30 days before the event's time, whatever today is.",
    ),
    Demo(
        id="request-id-slip",
        title="request-id-slip (crashes)",
        file="request_id_slip.py",
        event_source="apigateway-rest",
        summary="context.request_id does not exist (it is aws_request_id): every request fails.",
        try_this="See the error shape; invoke again: an error does not reset the environment (warm).",
    ),
    Demo(
        id="slow-report",
        title="slow-report (1 s timeout)",
        file="slow_report.py",
        event_source="custom",
        timeout_s=1,
        summary="Sleeps 1.5 s with a 1 s timeout: Sandbox.Timedout, and the environment is destroyed.",
        try_this="Invoke twice: after a timeout the next request is cold again.",
    ),
]

_EVENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "hello": _hello_event,
    "counter": lambda: {"action": "count"},
    "init-heavy": lambda: {"action": "status"},
    "s3-logger": lambda: sample_event("s3-put"),
    "sqs-batch": _sqs_batch_event,
    "sns-reader": lambda: sample_event("sns"),
    "stream-reader": lambda: sample_event("dynamodb-insert"),
    "nightly-job": lambda: sample_event("eventbridge-scheduled"),
    "request-id-slip": _order_event,
    "slow-report": lambda: {"report": "monthly"},
}

# Runs once per runtime before the first demo; see handlers/_warm_up.py.
WARM_UP = Demo(
    id="playground-warm-up",
    title="warm-up",
    file="_warm_up.py",
    event_source="custom",
    summary="Not a demo.",
    try_this="",
)
_EVENTS[WARM_UP.id] = dict


def demo(demo_id: str) -> Demo:
    for candidate in DEMOS:
        if candidate.id == demo_id:
            return candidate
    raise ValueError(f"unknown demo {demo_id!r}; choose one of: {', '.join(d.id for d in DEMOS)}")
