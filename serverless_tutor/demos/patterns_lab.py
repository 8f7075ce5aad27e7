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

Code and faults (fan-out): for an OrderPlaced event, email sends an SES email and
analytics adds the sale to a running total. `code="fixed"` runs the bundled
subscribers (email claims the order before sending; analytics writes its mark and
the total in one transaction); `code="as-written"` runs handlers/as_written_subscribers.py
(email sends on every delivery; analytics marks, then adds in a second call). A fault
plan (FAULT_PLANS: throttle the analytics write, duplicate the email delivery, crash
after the analytics write) shows what each costs: `consequences` lists how the end
state differs from one email and one counted sale.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from serverless_tutor.cloud.faults import FaultInjector, FaultPlan, load_fault_plan
from serverless_tutor.demos.deployed_example import (
    AwsCall,
    DeployedExample,
    SerialDemo,
    error_text,
    handler_lines,
    invocation_outcome,
)
from serverless_tutor.demos.fault_toggles import Code, FaultName, fault_note
from serverless_tutor.paths import examples_dir
from serverless_tutor.runtime.clock import ManualClock

SERVICE_DIR = examples_dir() / "patterns-lab"
SUBSCRIBERS = ("email", "sms", "analytics")
FAILING_SUBSCRIBER = "sms"
PUBLISHED_EVENT = "OrderPlaced"  # every subscriber wants it
FILTERED_EVENT = "CartUpdated"  # sms's filter policy lets only OrderPlaced through
UPLOAD_KEY = "orders.csv"
UPLOAD_CSV = "orderId,quantity,price\no-1,2,12.50\no-2,two,3.00\no-3,1,9.99\n"  # line 3 is bad
QUEUES = ("raw", "clean", "rejects")

Pattern = Literal["fan-out", "pipes"]
CUSTOMER_EMAIL = "ada@example.com"
# The subscribers `code="as-written"` runs instead of the bundled (fixed) ones.
AS_WRITTEN_HANDLERS = {
    "email": "handlers/as_written_subscribers.email",
    "analytics": "handlers/as_written_subscribers.analytics",
}
# The faults the panel toggles, as plans beside the service: for fan-out each aimed at
# one subscriber, for pipes and filters at one filter.
FAULT_PLANS: dict[Pattern, dict[FaultName, Path]] = {
    "fan-out": {
        "throttle": SERVICE_DIR / "faults" / "throttle-analytics-total.faults.yaml",
        "duplicate": SERVICE_DIR / "faults" / "duplicate-email-delivery.faults.yaml",
        "crash": SERVICE_DIR / "faults" / "crash-after-analytics-write.faults.yaml",
    },
    "pipes": {
        "throttle": SERVICE_DIR / "faults" / "throttle-loader-write.faults.yaml",
        "duplicate": SERVICE_DIR / "faults" / "duplicate-transform-delivery.faults.yaml",
        "crash": SERVICE_DIR / "faults" / "crash-transform-after-a-row.faults.yaml",
    },
}
# What one upload of UPLOAD_CSV should leave: its two good rows in the table, its bad row
# (line 3) once in the reject queue.
EXPECTED_ORDERS = ["o-1", "o-3"]
BAD_LINE = 3
RIGHT_UPLOAD = f"{' and '.join(EXPECTED_ORDERS)} loaded, line {BAD_LINE} rejected once"
# Rounds of "step the lab's clock to when SQS gives a failed message back, deliver" an
# upload may take: each fault plan fails a message once.
MAX_REDELIVERY_ROUNDS = 5


class PatternsError(RuntimeError):
    """The demo cannot do what was asked (shut down, deliveries stuck)."""


def fault_plan(name: FaultName, pattern: Pattern = "fan-out") -> FaultPlan:
    """One of the lab's own fault plans for a pattern (FAULT_PLANS), validated."""
    return load_fault_plan(FAULT_PLANS[pattern][name])


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
    order_id: str | None = None  # the OrderPlaced event's order (None for other events)
    emails_sent: int = 0  # emails for that order
    sales_counted: int = 0  # what this publish added to analytics' running total
    sales_total: int = 0  # the running total after it


class PipesState(BaseModel):
    queue_depths: dict[str, int]  # raw, clean, rejects
    rejects: list[str]  # "line 3: quantity 'two' is not a whole number"
    items: list[dict[str, str]]  # the orders table, sorted by orderId
    writes: dict[str, int] = Field(
        default_factory=dict,
        description="orderId -> the loader's PutItem calls for it that took effect in this run",
    )
    rejected_now: int = Field(
        default=0, description="reject messages this run added (the queue keeps earlier runs')"
    )
    waited_s: float = Field(
        default=0,
        description="seconds on the lab's stepped clock this run waited for SQS to hand failed "
        "messages out again (their queue's visibility timeout)",
    )


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
    code: Code = "fixed"
    fault_plan: str | None = None  # the name of the plan the publish ran under
    injected_faults: list[str] = Field(default_factory=list)
    consequences: list[str] = Field(
        default_factory=list,
        description="how the end state differs from the right one (empty: it does not): one "
        "email and one counted sale for an OrderPlaced publish; for an upload, its good rows "
        "in the table and its bad row once in the reject queue",
    )


class _Lab(DeployedExample):
    """The deployed patterns-lab service and its router."""

    def __init__(self, service_dir: Path, code: Code):
        self.code = code
        # A stepped clock: a message that fails comes back after its queue's visibility
        # timeout (30 s) on this clock, which the lab moves on at once instead of waiting.
        self.clock = ManualClock()
        super().__init__(service_dir, clock=self.clock)

    def prepare(self) -> None:
        self.environment = self.deployment.configs["loader"].environment
        for routed in self.router.functions.values():
            # Without boto3's own retries one injected throttle reaches the handler, as
            # throttling that outlasts them does in AWS.
            environment = {**routed.config.environment, "AWS_MAX_ATTEMPTS": "1"}
            handler = AS_WRITTEN_HANDLERS.get(self.keys[routed.config.name])
            if self.code != "as-written" or handler is None:
                handler = routed.config.handler
            routed.config = routed.config.model_copy(
                update={"environment": environment, "handler": handler}
            )
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
        self._order_numbers = itertools.count(42)

    @property
    def deployed(self) -> bool:
        return self._lab is not None

    # -- actions ----------------------------------------------------------------------------------

    def publish(
        self,
        event_type: str = PUBLISHED_EVENT,
        *,
        code: Code = "fixed",
        faults: FaultPlan | None = None,
    ) -> PatternsRun:
        """Publish one event to the alerts topic; SNS fans it out to every subscription whose filter matches.

        `code` picks the subscribers (a change deploys afresh); `faults` applies a fault plan to this publish.
        """
        return self._exclusively(lambda: self._publish(event_type, code, faults))

    def set_failing(self, failing: bool) -> None:
        """Make the sms subscriber fail (explicit Deny on dynamodb:PutItem) or work again."""

        def apply() -> None:
            self.failing = failing
            if self._lab is not None:
                self._apply_failing(self._lab)

        self._exclusively(apply)

    def upload(self, *, faults: FaultPlan | None = None) -> PatternsRun:
        """Upload orders.csv (three rows, one bad) and let the pipeline run to the end;
        `faults` applies a fault plan to this upload (see FAULT_PLANS["pipes"])."""
        return self._exclusively(lambda: self._upload(faults))

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

    def _deploy(self, code: Code | None = None) -> _Lab:
        """The deployed lab; with `code`, one running that code (a change deploys afresh)."""
        if self._lab is not None and code is not None and self._lab.code != code:
            self._discard()
        if self._lab is None:
            self._lab = _Lab(SERVICE_DIR, code or "fixed")
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

    def _publish(self, event_type: str, code: Code, faults: FaultPlan | None) -> PatternsRun:
        lab = self._deploy(code)
        marks = self._marks(lab)
        total_before = _sales_total(lab)
        order_id = f"o-{next(self._order_numbers)}" if event_type == PUBLISHED_EVENT else None
        body: dict[str, str] = (
            # The contract every subscriber relies on (lesson 8).
            {
                "eventType": event_type,
                "orderId": order_id,
                "userId": "u-7",
                "email": CUSTOMER_EMAIL,
                "phone": "+15555550100",
            }
            if order_id is not None
            else {"eventType": event_type, "cartId": "cart-7"}
        )
        injector = FaultInjector(faults) if faults is not None else None
        lab.set_faults(injector)
        try:
            lab.account.client("sns").publish(
                TopicArn=lab.topic_arn,
                Message=json.dumps(body),
                MessageAttributes={"eventType": {"DataType": "String", "StringValue": event_type}},
            )
            published = len(lab.account.trace.entries)
            self._drain(lab)
        finally:
            lab.set_faults(None)
        total_after = _sales_total(lab)
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
                order_id=order_id,
                emails_sent=_emails_for(lab, order_id),
                sales_counted=total_after - total_before,
                sales_total=total_after,
            ),
            code=code,
            fault_plan=faults.name if faults is not None else None,
            injected_faults=injector.describe() if injector is not None else [],
        )
        if order_id is not None and run.fan_out is not None:
            run.consequences = _consequences(run.fan_out)
        return run.model_copy(update={"notes": _fan_out_notes(run, event_type)})

    def _upload(self, faults: FaultPlan | None) -> PatternsRun:
        lab = self._deploy()
        marks = self._marks(lab)
        rejects_before = len(_peek(lab, lab.queue_urls["rejects"]))
        injector = FaultInjector(faults) if faults is not None else None
        lab.set_faults(injector)
        try:
            lab.account.client("s3").put_object(
                Bucket=lab.bucket, Key=UPLOAD_KEY, Body=UPLOAD_CSV.encode()
            )
            uploaded = len(lab.account.trace.entries)
            self._drain(lab)
            waited = self._redeliver(lab)
        finally:
            lab.set_faults(None)
        state = _pipes_state(lab)
        state = state.model_copy(
            update={
                "writes": _loader_writes(lab, marks[2]),
                "rejected_now": len(state.rejects) - rejects_before,
                "waited_s": waited,
            }
        )
        run = PatternsRun(
            pattern="pipes",
            action=f"upload {UPLOAD_KEY}",
            demo_calls=_demo_calls(lab, marks[2], uploaded),
            invocations=_invocations(lab, marks, None),
            pipes=state,
            fault_plan=faults.name if faults is not None else None,
            injected_faults=injector.describe() if injector is not None else [],
            consequences=_pipes_consequences(state),
        )
        return run.model_copy(update={"notes": _pipes_notes(run)})

    def _redeliver(self, lab: _Lab) -> float:
        """Step the lab's clock to each moment SQS hands a failed message out again, and
        deliver; the seconds stepped (0 when nothing failed)."""
        waited = 0.0
        for _ in range(MAX_REDELIVERY_ROUNDS):
            due = [at for m in lab.router.sqs.mappings for at in m.in_flight.values()]
            if not due:
                return waited
            step = max(0.0, min(due) - lab.clock.now())
            lab.clock.advance(step)
            waited += step
            self._drain(lab)
        raise PatternsError(
            f"messages still failing after {MAX_REDELIVERY_ROUNDS} visibility timeouts"
        )


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
        if "channel" in item:  # not the email claims or analytics' total
            received.setdefault(item["channel"]["S"], []).append(item["eventType"]["S"])
    return {name: sorted(types) for name, types in received.items()}


def _sales_total(lab: _Lab) -> int:
    item = (
        lab.account.client("dynamodb", internal=True)
        .get_item(
            TableName=lab.environment["DELIVERIES_TABLE"],
            Key={"deliveryId": {"S": "analytics#total"}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    return int(item["orders"]["N"]) if item else 0


def _emails_for(lab: _Lab, order_id: str | None) -> int:
    if order_id is None:
        return 0
    marker = f"order {order_id},"
    return sum(1 for e in lab.account.sent_emails() if marker in (e["body"] or ""))


def _consequences(state: FanOutState) -> list[str]:
    """How the end state differs from what one order should leave: one email, one counted sale."""
    found = []
    if state.emails_sent != 1:
        found.append(
            f"{state.emails_sent} email{'' if state.emails_sent == 1 else 's'} for 1 order"
        )
    if state.sales_counted != 1:
        found.append(f"analytics counted {state.sales_counted} sales for 1 order")
    return found


_AS_WRITTEN_WHY = {
    "throttle the analytics write": "analytics had already marked the message counted when the total "
    "failed, and Lambda's retry found the mark and skipped",
    "duplicate the email delivery": "the email subscriber as written sends on every delivery",
    "crash after the analytics write": "the write that took effect was the 'counted' mark, so the retry "
    "found it and skipped the total",
}
_FIXED_HOW = {
    "throttle the analytics write": "the mark and the total are one transaction, so the throttled "
    "attempt wrote neither and the retry wrote both",
    "duplicate the email delivery": "the second delivery found the order's claim and sent nothing",
    "crash after the analytics write": "the transaction held the mark and the total, so the retry "
    "found both done and skipped",
}


def _fault_note(run: PatternsRun) -> str | None:
    """One sentence: which fault, which code, and what it did to the end state."""
    if run.fault_plan is None or run.fan_out is None or run.fan_out.order_id is None:
        return None
    return fault_note(
        plan=run.fault_plan,
        code=run.code,
        fired=bool(run.injected_faults),
        consequences=run.consequences,
        right="1 email, 1 sale counted",
        as_written_why=_AS_WRITTEN_WHY,
        fixed_how=_FIXED_HOW,
    )


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
    fault_note = _fault_note(run)
    if fault_note:
        notes.append(fault_note)
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


def _loader_writes(lab: _Lab, start: int) -> dict[str, int]:
    """orderId -> the loader's PutItem calls for it that took effect, since a trace mark."""
    writes: dict[str, int] = {}
    for entry in lab.account.trace.entries[start:]:
        if (
            entry.service == "dynamodb"
            and entry.operation == "PutItem"
            and entry.outcome == "ok"
            and lab.keys.get(entry.function_name or "") == "loader"
        ):
            order_id = entry.params.get("Item", {}).get("orderId", {}).get("S", "?")
            writes[order_id] = writes.get(order_id, 0) + 1
    return dict(sorted(writes.items()))


def _pipes_consequences(state: PipesState) -> list[str]:
    """How the end state differs from what one upload should leave: its good rows in the
    table, its bad row once in the reject queue."""
    found = []
    loaded = [item["orderId"] for item in state.items]
    if loaded != EXPECTED_ORDERS:
        found.append(
            f"the table holds {', '.join(loaded) or 'nothing'}, not {' and '.join(EXPECTED_ORDERS)}"
        )
    if state.rejected_now != 1:
        found.append(f"line {BAD_LINE} went to the reject queue {state.rejected_now} times")
    return found


_PIPES_WHY = {
    "throttle the loader write": "the loader's batch failed on its second write, so SQS kept "
    "both rows and handed them out again after the visibility timeout; the retry wrote o-1 a "
    "second time, and PutItem by orderId made that the same item",
    "duplicate the transform delivery": "transform got the upload's message twice and passed "
    "every row on twice: PutItem by orderId absorbed the loader's duplicates, but nothing "
    "deduplicates the reject queue (a reader would count the bad row twice)",
    "crash transform after a row": "transform crashed after passing o-1 on, so SQS handed the "
    "upload's message out again after the visibility timeout and o-1 went down the pipe twice; "
    "PutItem by orderId made the second write the same item",
}


def _pipes_fault_note(run: PatternsRun) -> str | None:
    """One sentence: which fault, and what it did to the upload's end state."""
    if run.fault_plan is None:
        return None
    if not run.injected_faults:
        return f"Fault '{run.fault_plan}': the plan never fired."
    why = _PIPES_WHY.get(run.fault_plan)
    verdict = (
        f"the end state is wrong ({'; '.join(run.consequences)})"
        if run.consequences
        else f"the end state is right ({RIGHT_UPLOAD})"
    )
    return f"Fault '{run.fault_plan}': {verdict}" + (f": {why}." if why else ".")


def _pipes_notes(run: PatternsRun) -> list[str]:
    state = run.pipes
    assert state is not None
    notes = [note] if (note := _pipes_fault_note(run)) else []
    notes += [
        (
            f"Each filter did one job and handed on through a queue: {len(run.invocations)} invocations, "
            f"{len(state.items)} rows loaded, {state.rejected_now} rejected."
        ),
        "The bad row went to the reject queue instead of failing the whole file: fix it and resend it later.",
    ]
    if state.waited_s:
        notes.append(
            f"A failed message came back after its queue's {state.waited_s:.0f} s visibility "
            "timeout: the lab's clock stepped over the wait instead of sitting through it."
        )
    return notes
