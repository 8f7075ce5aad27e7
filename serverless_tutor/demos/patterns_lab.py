"""The patterns lab (lesson 8): fan-out and pipes-and-filters, running on the local account.

One PatternsDemo deploys serverless_tutor/demos/examples/patterns-lab into its own
LocalAccount on an in-process LambdaRuntime (trusted, bundled code) and adds the
S3 -> SQS notification serverless.yml cannot express. Each action returns a
PatternsRun: the invocations in the order they started (function, trigger,
cold/warm, attempt, outcome, AWS calls from the account trace), the calls the
demo itself made, and the end state of the pattern.

Fan-out: one SNS topic, three subscribers (email, sms, analytics); sms has a filter
policy (eventType OrderPlaced). "Failing" gives sms's role an explicit Deny on
dynamodb:PutItem, so its invocations raise; Lambda retries twice and sends the event
to sms's own DLQ while email and analytics succeed.
Pipes and filters: a CSV uploaded to S3 -> SQS raw -> transform -> SQS clean ->
loader -> DynamoDB; transform sends bad rows to a reject queue.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field

from serverless_tutor.demos.deployed_example import (
    AwsCall,
    DeployedExample,
    SerialDemo,
    error_text,
    handler_lines,
    invocation_outcome,
)
from serverless_tutor.paths import examples_dir

SERVICE_DIR = examples_dir() / "patterns-lab"
SUBSCRIBERS = ("email", "sms", "analytics")
FAILING_SUBSCRIBER = "sms"
PUBLISHED_EVENT = "OrderPlaced"  # every subscriber wants it
FILTERED_EVENT = "CartUpdated"  # sms's filter policy lets only OrderPlaced through
UPLOAD_KEY = "orders.csv"
UPLOAD_CSV = "orderId,quantity,price\no-1,2,12.50\no-2,two,3.00\no-3,1,9.99\n"  # line 3 is bad
QUEUES = ("raw", "clean", "rejects")

Pattern = Literal["fan-out", "pipes"]


class PatternsError(RuntimeError):
    """The demo cannot do what was asked (shut down, deliveries stuck)."""


class Invocation(BaseModel):
    number: int
    function: str  # serverless.yml key
    trigger: str  # "SNS OrderPlaced", "SQS raw (1 msg)"
    attempt: int = 1
    cold: bool
    duration_ms: float
    outcome: Literal["ok", "retry", "error"]  # retry: failed, and Lambda will try again
    error: str | None = None
    calls: list[AwsCall] = Field(default_factory=list)
    log: list[str] = Field(default_factory=list)


class DeadLetter(BaseModel):
    event_type: str
    error: str


class FanOutState(BaseModel):
    received: dict[str, list[str]]  # subscriber -> event types it handled, oldest first
    filtered_out: list[str]  # subscribers SNS skipped for this run's message
    dead_letters: dict[str, list[DeadLetter]]  # subscriber -> messages in its DLQ
    failing: str | None


class PipesState(BaseModel):
    queue_depths: dict[str, int]  # raw, clean, rejects
    rejects: list[str]  # "line 3: quantity 'two' is not a whole number"
    items: list[dict[str, str]]  # the orders table, sorted by orderId


class PatternsRun(BaseModel):
    pattern: Pattern
    action: str  # "publish OrderPlaced", "upload orders.csv"
    demo_calls: list[AwsCall]  # what the demo itself called (the publish, the upload)
    service_calls: list[AwsCall] = Field(
        default_factory=list
    )  # Lambda's own calls: sending to a DLQ
    invocations: list[Invocation]
    fan_out: FanOutState | None = None
    pipes: PipesState | None = None
    notes: list[str] = Field(default_factory=list)


class _Lab(DeployedExample):
    """The deployed patterns-lab service and its router."""

    def prepare(self) -> None:
        self.environment = self.deployment.configs["loader"].environment
        self.topic_arn = self.router.sns_subscriptions[0].topic_arn
        self.queue_urls = {name: self._queue_url(f"patterns-lab-{name}-dev") for name in QUEUES}
        self.dlq_urls = {
            name: self._queue_url(f"patterns-lab-{name}-dlq-dev") for name in SUBSCRIBERS
        }
        self.bucket = "patterns-lab-uploads-dev"
        # serverless.yml has no S3 -> SQS notification; the demo sets it up as a console user would.
        self.account.client("s3", internal=True).put_bucket_notification_configuration(
            Bucket=self.bucket,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {
                        "QueueArn": self.account.arn("sqs", "patterns-lab-raw-dev"),
                        "Events": ["s3:ObjectCreated:*"],
                    }
                ]
            },
        )
        self.router.drain()  # S3's s3:TestEvent goes through transform now, not in the first run
        permissions = self.account.permissions(self.name(FAILING_SUBSCRIBER))
        if permissions is None:
            raise PatternsError(f"{FAILING_SUBSCRIBER} was deployed without a role")
        self.permissions = permissions

    def _queue_url(self, name: str) -> str:
        url: str = self.account.client("sqs", internal=True).get_queue_url(QueueName=name)[
            "QueueUrl"
        ]
        return url


class PatternsDemo(SerialDemo):
    """Deploys patterns-lab on first use; every action returns a PatternsRun."""

    closed_error = PatternsError
    closed_message = "the patterns demo has been shut down"

    def __init__(self, *, drain_timeout_s: float = 60):
        super().__init__()
        self.drain_timeout_s = drain_timeout_s
        self._lab: _Lab | None = None
        self.failing = False

    @property
    def deployed(self) -> bool:
        return self._lab is not None

    # -- actions ----------------------------------------------------------------------------------

    def publish(self, event_type: str = PUBLISHED_EVENT) -> PatternsRun:
        """Publish one event to the alerts topic; SNS fans it out to every subscription whose filter matches."""
        return self._exclusively(lambda: self._publish(event_type))

    def set_failing(self, failing: bool) -> None:
        """Make the sms subscriber fail (explicit Deny on dynamodb:PutItem) or work again."""

        def apply() -> None:
            self.failing = failing
            if self._lab is not None:
                self._apply_failing(self._lab)

        self._exclusively(apply)

    def upload(self) -> PatternsRun:
        """Upload orders.csv (three rows, one bad) and let the pipeline run to the end."""
        return self._exclusively(self._upload)

    def reset(self) -> None:
        """Throw the deployment away; the next action deploys afresh, with every subscriber working."""

        def discard() -> None:
            self.failing = False
            self._discard()

        self._exclusively(discard)

    # -- internals --------------------------------------------------------------------------------

    def _discard(self) -> None:
        lab, self._lab = self._lab, None
        if lab is not None:
            lab.close()

    def _deploy(self) -> _Lab:
        if self._lab is None:
            self._lab = _Lab(SERVICE_DIR)
            self._apply_failing(self._lab)
        return self._lab

    def _apply_failing(self, lab: _Lab) -> None:
        from serverless_tutor.cloud.iam import Statement

        current = lab.permissions
        role = current.role_arn.split("/")[-2]
        statements = list(current.statements)
        if self.failing:
            table_arn = lab.account.arn("dynamodb", f"table/{lab.environment['DELIVERIES_TABLE']}")
            statements.append(
                Statement.model_validate(
                    {"Effect": "Deny", "Action": ["dynamodb:PutItem"], "Resource": [table_arn]}
                )
            )
        lab.account.set_permissions(lab.name(FAILING_SUBSCRIBER), statements, role_name=role)

    def _marks(self, lab: _Lab) -> tuple[int, int, int]:
        return lab.invoker.count(), len(lab.router.deliveries), len(lab.account.trace.entries)

    def _drain(self, lab: _Lab) -> None:
        try:
            lab.router.drain(timeout_s=self.drain_timeout_s)
        except TimeoutError as error:
            raise PatternsError(f"the lab did not settle: {error}") from error

    def _publish(self, event_type: str) -> PatternsRun:
        lab = self._deploy()
        marks = self._marks(lab)
        body = (
            {"eventType": event_type, "orderId": "o-42"}
            if event_type == PUBLISHED_EVENT
            else {"eventType": event_type, "cartId": "cart-7"}
        )
        lab.account.client("sns").publish(
            TopicArn=lab.topic_arn,
            Message=json.dumps(body),
            MessageAttributes={"eventType": {"DataType": "String", "StringValue": event_type}},
        )
        published = len(lab.account.trace.entries)
        self._drain(lab)
        deliveries = lab.router.deliveries[marks[1] :]
        filtered = sorted(
            (lab.keys[d.function_name] for d in deliveries if d.outcome == "filtered"),
            key=SUBSCRIBERS.index,
        )
        run = PatternsRun(
            pattern="fan-out",
            action=f"publish {event_type}",
            demo_calls=_demo_calls(lab, marks[2], published),
            service_calls=_demo_calls(lab, published, None),
            invocations=_invocations(lab, marks, f"SNS {event_type}"),
            fan_out=FanOutState(
                received=_received(lab),
                filtered_out=filtered,
                dead_letters=_dead_letters(lab),
                failing=FAILING_SUBSCRIBER if self.failing else None,
            ),
        )
        return run.model_copy(update={"notes": _fan_out_notes(run, event_type)})

    def _upload(self) -> PatternsRun:
        lab = self._deploy()
        marks = self._marks(lab)
        lab.account.client("s3").put_object(
            Bucket=lab.bucket, Key=UPLOAD_KEY, Body=UPLOAD_CSV.encode()
        )
        uploaded = len(lab.account.trace.entries)
        self._drain(lab)
        run = PatternsRun(
            pattern="pipes",
            action=f"upload {UPLOAD_KEY}",
            demo_calls=_demo_calls(lab, marks[2], uploaded),
            invocations=_invocations(lab, marks, None),
            pipes=_pipes_state(lab),
        )
        return run.model_copy(update={"notes": _pipes_notes(run)})


# -- reading the run ------------------------------------------------------------------------------


def _call(entry: Any) -> AwsCall:
    return AwsCall.from_trace(entry)


def _demo_calls(lab: _Lab, start: int, end: int | None) -> list[AwsCall]:
    """Traced calls no function made, between two marks: the demo's own before the drain, Lambda's after it."""
    return [_call(e) for e in lab.account.trace.entries[start:end] if not e.function_name]


def _invocations(lab: _Lab, marks: tuple[int, int, int], trigger: str | None) -> list[Invocation]:
    by_request = {d.request_id: d for d in lab.router.deliveries[marks[1] :] if d.request_id}
    entries = lab.account.trace.entries[marks[2] :]
    found = []
    for number, invocation in enumerate(lab.invoker.since(marks[0]), start=1):
        result = invocation.result
        delivery = by_request.get(result.request_id)
        found.append(
            Invocation(
                number=number,
                function=lab.keys.get(invocation.function_name, invocation.function_name),
                trigger=trigger or _sqs_trigger(invocation.event),
                attempt=delivery.attempt if delivery else 1,
                cold=result.cold,
                duration_ms=round(result.report.duration_ms, 2),
                outcome=invocation_outcome(result, delivery.outcome if delivery else None),
                error=error_text(result),
                calls=[_call(e) for e in entries if e.request_id == result.request_id],
                log=handler_lines(result.logs),
            )
        )
    return found


def _sqs_trigger(event: Any) -> str:
    records = event.get("Records") or [] if isinstance(event, dict) else []
    queue = records[0].get("eventSourceARN", "").rsplit(":", 1)[-1] if records else "?"
    short = queue.removeprefix("patterns-lab-").removesuffix("-dev")
    return f"SQS {short} ({len(records)} msg{'' if len(records) == 1 else 's'})"


def _received(lab: _Lab) -> dict[str, list[str]]:
    items = lab.account.client("dynamodb", internal=True).scan(
        TableName=lab.environment["DELIVERIES_TABLE"], ConsistentRead=True
    )["Items"]
    received: dict[str, list[str]] = {name: [] for name in SUBSCRIBERS}
    for item in sorted(items, key=lambda i: i["deliveryId"]["S"]):
        received.setdefault(item["channel"]["S"], []).append(item["eventType"]["S"])
    return {name: sorted(types) for name, types in received.items()}


def _peek(lab: _Lab, url: str) -> list[dict[str, Any]]:
    """Every message on a queue, left on it (VisibilityTimeout 0 makes them visible again at once)."""
    sqs = lab.account.client("sqs", internal=True)
    seen: dict[str, dict[str, Any]] = {}
    for _ in range(10):
        batch = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, MessageAttributeNames=["All"]
        ).get("Messages", [])
        new = [m for m in batch if m["MessageId"] not in seen]
        if not new:
            break
        seen.update((m["MessageId"], m) for m in new)
    return list(seen.values())


def _dead_letters(lab: _Lab) -> dict[str, list[DeadLetter]]:
    letters: dict[str, list[DeadLetter]] = {}
    for name, url in lab.dlq_urls.items():
        letters[name] = []
        for message in _peek(lab, url):
            event = json.loads(message["Body"])
            sns = event["Records"][0]["Sns"]
            error = (
                (message.get("MessageAttributes") or {})
                .get("ErrorMessage", {})
                .get("StringValue", "")
            )
            event_type = (sns.get("MessageAttributes") or {}).get("eventType", {}).get("Value", "?")
            letters[name].append(DeadLetter(event_type=event_type, error=error))
    return letters


def _pipes_state(lab: _Lab) -> PipesState:
    sqs = lab.account.client("sqs", internal=True)
    depths = {
        name: int(
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
                "Attributes"
            ]["ApproximateNumberOfMessages"]
        )
        for name, url in lab.queue_urls.items()
    }
    rejects = []
    for message in _peek(lab, lab.queue_urls["rejects"]):
        body = json.loads(message["Body"])
        rejects.append(f"{body['file']} line {body['line']}: {body['reason']}")
    items = lab.account.client("dynamodb", internal=True).scan(
        TableName=lab.environment["ORDERS_TABLE"], ConsistentRead=True
    )["Items"]
    rows = [{key: next(iter(value.values())) for key, value in item.items()} for item in items]
    return PipesState(
        queue_depths=depths, rejects=sorted(rejects), items=sorted(rows, key=lambda r: r["orderId"])
    )


def _fan_out_notes(run: PatternsRun, event_type: str) -> list[str]:
    state = run.fan_out
    assert state is not None
    notes = []
    invoked = sorted({i.function for i in run.invocations}, key=SUBSCRIBERS.index)
    notes.append(
        f"One publish, {len(run.invocations)} invocations: SNS invoked {', '.join(invoked) or 'nobody'} "
        "asynchronously; the publisher waited for none of them."
    )
    if state.filtered_out:
        notes.append(
            f"{', '.join(state.filtered_out)}: the filter policy (eventType OrderPlaced) did not match "
            f"{event_type}, so SNS never invoked it and it cost nothing."
        )
    failed = [i for i in run.invocations if i.outcome == "error"]
    for invocation in failed:
        attempts = sum(1 for i in run.invocations if i.function == invocation.function)
        others = [name for name in invoked if name != invocation.function]
        notes.append(
            f"{invocation.function} failed all {attempts} attempts (1 + 2 retries) and the event went to its "
            f"DLQ; {' and '.join(others)} succeeded anyway: subscribers are isolated."
        )
    return notes


def _pipes_notes(run: PatternsRun) -> list[str]:
    state = run.pipes
    assert state is not None
    return [
        (
            f"Each filter did one job and handed on through a queue: {len(run.invocations)} invocations, "
            f"{len(state.items)} rows loaded, {len(state.rejects)} rejected."
        ),
        "The bad row went to the reject queue instead of failing the whole file: fix it and resend it later.",
    ]
