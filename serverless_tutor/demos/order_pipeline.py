"""The order pipeline demo (lesson 5): run the bundled order-service and explain what happened.

One PipelineDemo deploys serverless_tutor/demos/examples/order-service into its own
LocalAccount, on an in-process LambdaRuntime (trusted, bundled code), and puts
seed.json in the tables. Each action places an order through the API Gateway
router (or replays the last order's SNS messages), drains the router, and returns
a PipelineRun: one Step per invocation, in the order they started, with the AWS
calls it made (from the account trace), what it published and which subscriptions
the SNS filter policies chose, its attempt and outcome (from the router's delivery
records), and the state of the shop before and after.

Scenarios: a normal order; an oversold order (the stock transaction is cancelled,
the order ends OUT_OF_STOCK); a failing payment (processPayment's role gets an
explicit Deny on dynamodb:UpdateItem, so every attempt raises, Lambda retries, and
the event goes to an on-failure SQS queue the demo adds); and a replay, which
delivers every message of the last order a second time with the same MessageId,
as SNS's at-least-once delivery may.

Code and faults: `code="fixed"` runs the service as bundled; `code="as-written"`
swaps in handlers/as_written_*.py for processPayment (stops on a repeat without
announcing the order) and updateInventory (the chapter's unconditional update per
product). A fault plan (FAULT_PLANS: throttle the stock write, duplicate the
PaymentProcessed delivery, crash after the payment write) shows what each costs:
`consequences` lists how the end state differs from what one order should leave.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from serverless_tutor.cloud import filter_policy, payloads
from serverless_tutor.cloud.account import CompletedCall
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

SERVICE_DIR = examples_dir() / "order-service"
FAILURE_QUEUE = "order-service-payment-failures-dev"
CUSTOMER_ID = "c-1"
NORMAL_ORDER = (
    {"productId": "book", "quantity": 1, "price": 12.5},
    {"productId": "pen", "quantity": 2, "price": 1.25},
)
OVERSOLD_PRODUCT = "book"
# The chain as the lesson draws it: function, what triggers it, what it publishes when done.
CHAIN: tuple[tuple[str, str, str], ...] = (
    ("createOrder", "POST /dev/orders", "OrderCreated"),
    ("processPayment", "OrderCreated", "PaymentProcessed"),
    ("updateInventory", "PaymentProcessed", "InventoryUpdated"),
    ("sendNotification", "InventoryUpdated", "SES email"),
)
_WRITES = {
    ("dynamodb", "PutItem"),
    ("dynamodb", "UpdateItem"),
    ("dynamodb", "DeleteItem"),
    ("dynamodb", "TransactWriteItems"),
    ("dynamodb", "BatchWriteItem"),
    ("sns", "Publish"),
    ("ses", "SendEmail"),
}

Scenario = Literal["order", "oversell", "fail-payment"]
# The handlers `code="as-written"` runs instead of the bundled (fixed) ones.
AS_WRITTEN_HANDLERS = {
    "processPayment": "handlers/as_written_process_payment.handler",
    "updateInventory": "handlers/as_written_update_inventory.handler",
}
# The faults the panel toggles, as plans beside the service (each aimed at one step).
FAULT_PLANS: dict[FaultName, Path] = {
    "throttle": SERVICE_DIR / "faults" / "throttle-stock-write.faults.yaml",
    "duplicate": SERVICE_DIR / "faults" / "duplicate-payment-processed.faults.yaml",
    "crash": SERVICE_DIR / "faults" / "crash-after-payment.faults.yaml",
}


class PipelineError(RuntimeError):
    """The demo cannot do what was asked (closed, nothing to replay, deliveries stuck)."""


def fault_plan(name: FaultName) -> FaultPlan:
    """One of the pipeline's own fault plans (FAULT_PLANS), validated."""
    return load_fault_plan(FAULT_PLANS[name])


class PipelineOptions(BaseModel):
    replay: bool = False
    oversell: bool = False
    fail_payment: bool = False
    faults: FaultPlan | None = None  # calls that fail halfway, deliveries that repeat
    code: Code = "fixed"  # which handlers run: the bundled fixed ones, or the chapter's as written


class Publication(BaseModel):
    event_type: str
    message_id: str
    topic: str
    delivered_to: list[str]  # function keys whose filter policy matched
    filtered_out: list[str]  # subscribed, but the filter policy did not match: never invoked


class Step(BaseModel):
    number: int
    phase: Literal["order", "replay"]
    function: str  # the serverless.yml key, e.g. processPayment
    function_name: str  # the deployed name, e.g. order-service-dev-processPayment
    trigger: str  # "POST /dev/orders", "SNS OrderCreated", "SNS OrderCreated (duplicate)"
    message_id: str | None = None
    duplicate: bool = False
    attempt: int = 1
    request_id: str
    cold: bool
    init_ms: float | None = None
    duration_ms: float
    billed_ms: int
    outcome: Literal["ok", "retry", "error"]  # retry: failed, and Lambda will try again
    error_type: str | None = None
    error: str | None = None  # errorType: errorMessage
    calls: list[AwsCall] = Field(default_factory=list)
    published: list[Publication] = Field(default_factory=list)
    log: list[str] = Field(default_factory=list)  # the handler's own output lines
    changed_state: bool  # at least one write, publish or email succeeded


class AfterRetries(BaseModel):
    function: str
    outcome: Literal["destination", "dead-letter", "dropped"]
    target: str | None = None  # queue or topic name
    detail: str


class ShopState(BaseModel):
    order_id: str | None = None
    order_status: str | None = None
    stock: dict[str, int] = Field(default_factory=dict)
    emails_sent: int = 0  # confirmation emails for this order
    email_to: list[str] = Field(default_factory=list)
    failed_events: int = 0  # messages waiting in the on-failure queue


class PipelineRun(BaseModel):
    scenario: Scenario | Literal["replay"]
    code: Code = "fixed"
    fault_plan: str | None = None  # the name of the plan the order ran under
    replayed: bool
    items: list[dict[str, Any]] = Field(default_factory=list)
    http_status: int | None = None
    order_id: str
    steps: list[Step]
    after_retries: list[AfterRetries] = Field(default_factory=list)
    filtered_deliveries: int  # subscriptions SNS skipped thanks to filter policies
    state_before: ShopState
    state_before_replay: ShopState | None = None
    end_state: ShopState
    replay_changed_state: bool | None = None
    notes: list[str] = Field(default_factory=list)
    injected_faults: list[str] = Field(
        default_factory=list, description="what the fault plan did, one line per fault"
    )
    consequences: list[str] = Field(
        default_factory=list,
        description="how the end state differs from what one order should leave (empty: it does not); "
        "only for a plain order",
    )


@dataclass
class _Published:
    request_id: str | None
    publication: Publication
    topic_arn: str
    message: str
    subject: str | None
    attributes: dict[str, Any]


class _Deployed(DeployedExample):
    """The running order-service, and what the demo records of its SNS publishes."""

    def __init__(self, service_dir: Path, backend: Literal["inprocess", "sandbox"], code: Code):
        self.code = code
        super().__init__(service_dir, backend)

    def prepare(self) -> None:
        self.environment = self.deployment.configs["createOrder"].environment
        for routed in self.router.functions.values():
            # boto3 would retry a throttled call itself (up to 3 attempts in its standard mode);
            # without that, one injected throttle reaches the handler, as throttling that
            # outlasts boto3's retries does in AWS.
            environment = {**routed.config.environment, "AWS_MAX_ATTEMPTS": "1"}
            handler = AS_WRITTEN_HANDLERS.get(self.keys[routed.config.name])
            if self.code != "as-written" or handler is None:
                handler = routed.config.handler
            routed.config = routed.config.model_copy(
                update={"environment": environment, "handler": handler}
            )
        sqs = self.account.client("sqs", internal=True)
        self.failure_queue_url = sqs.create_queue(QueueName=FAILURE_QUEUE)["QueueUrl"]
        # serverless.yml would say `destinations: onFailure:`; the example has none, so the demo adds it.
        self.router.functions[self.name("processPayment")].on_failure = self.account.arn(
            "sqs", FAILURE_QUEUE
        )
        self.published: list[_Published] = []
        self._published_lock = threading.Lock()
        self._unlisten = self.account.add_listener(self._on_call)

    def _on_call(self, call: CompletedCall) -> None:
        entry = call.entry
        if (
            entry.outcome != "ok"
            or entry.service != "sns"
            or entry.operation != "Publish"
            or not entry.function_name
        ):
            return
        topic_arn = call.params.get("TopicArn") or ""
        message = call.params.get("Message", "")
        attributes = call.params.get("MessageAttributes") or {}
        delivered: list[str] = []
        filtered: list[str] = []
        # The same decision the router makes for each subscription, kept for the timeline.
        for subscription in self.router.sns_subscriptions:
            if subscription.topic_arn != topic_arn:
                continue
            key = self.keys.get(subscription.function_name, subscription.function_name)
            lambda_attributes = payloads.sns_message_attributes(attributes)
            chosen = filter_policy.matches(
                subscription.policy, subscription.scope, lambda_attributes, message
            )
            (delivered if chosen else filtered).append(key)
        event_type = (attributes.get("eventType") or {}).get("StringValue") or _event_type(message)
        publication = Publication(
            event_type=event_type,
            message_id=call.response.get("MessageId", ""),
            topic=topic_arn.rsplit(":", 1)[-1],
            delivered_to=delivered,
            filtered_out=filtered,
        )
        with self._published_lock:
            self.published.append(
                _Published(
                    entry.request_id,
                    publication,
                    topic_arn,
                    message,
                    call.params.get("Subject"),
                    attributes,
                )
            )

    def published_since(self, count: int) -> list[_Published]:
        with self._published_lock:
            return list(self.published[count:])

    def published_count(self) -> int:
        with self._published_lock:
            return len(self.published)

    def state(self, order_id: str | None) -> ShopState:
        dynamodb = self.account.client("dynamodb", internal=True)
        stock = {
            item["productId"]["S"]: int(item["quantity"]["N"])
            for item in dynamodb.scan(
                TableName=self.environment["INVENTORY_TABLE"], ConsistentRead=True
            )["Items"]
        }
        status = None
        if order_id:
            item = dynamodb.get_item(
                TableName=self.environment["ORDERS_TABLE"],
                Key={"orderId": {"S": order_id}},
                ConsistentRead=True,
            ).get("Item")
            status = item["status"]["S"] if item else None
        emails = [
            e for e in self.account.sent_emails() if order_id and order_id in (e["body"] or "")
        ]
        attributes = self.account.client("sqs", internal=True).get_queue_attributes(
            QueueUrl=self.failure_queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return ShopState(
            order_id=order_id,
            order_status=status,
            stock=dict(sorted(stock.items())),
            emails_sent=len(emails),
            email_to=sorted(
                {to for e in emails for to in (e["destinations"] or {}).get("ToAddresses", [])}
            ),
            failed_events=int(attributes.get("ApproximateNumberOfMessages", 0)),
        )

    def close(self) -> None:
        unlisten = getattr(self, "_unlisten", None)
        if unlisten is not None:
            unlisten()
        super().close()


class PipelineDemo(SerialDemo):
    """Deploys order-service on first use; every action returns a PipelineRun."""

    closed_error = PipelineError
    closed_message = "the pipeline demo has been shut down"

    def __init__(
        self, *, backend: Literal["inprocess", "sandbox"] = "inprocess", drain_timeout_s: float = 60
    ):
        super().__init__()
        self.backend = backend
        self.drain_timeout_s = drain_timeout_s
        self._deployed: _Deployed | None = None
        self._last_order: str | None = None
        self._last_messages: list[_Published] = []

    # -- actions ----------------------------------------------------------------------------------

    @property
    def deployed(self) -> bool:
        return self._deployed is not None

    @property
    def last_order_id(self) -> str | None:
        return self._last_order

    def run(self, options: PipelineOptions | None = None) -> PipelineRun:
        """Place an order (oversold and/or with a failing payment), then replay it if asked: the CLI's view."""
        options = options or PipelineOptions()
        return self._exclusively(lambda: self._run(options))

    def place_order(self, scenario: Scenario = "order") -> PipelineRun:
        options = PipelineOptions(
            oversell=scenario == "oversell", fail_payment=scenario == "fail-payment"
        )
        return self.run(options)

    def replay(self) -> PipelineRun:
        """Deliver every message of the last order again, with the same MessageId."""
        return self._exclusively(self._replay_last)

    def reset(self) -> None:
        """Throw the deployment away (tables, environments, trace); the next action deploys afresh."""
        self._exclusively(self._discard)

    # -- internals --------------------------------------------------------------------------------

    def _discard(self) -> None:
        deployed, self._deployed = self._deployed, None
        self._last_order, self._last_messages = None, []
        if deployed is not None:
            deployed.close()

    def _deploy(self, code: Code) -> _Deployed:
        """The deployment running `code`; a change of code deploys afresh (warm environments hold the old modules)."""
        if self._deployed is not None and self._deployed.code != code:
            self._discard()
        if self._deployed is None:
            self._deployed = _Deployed(SERVICE_DIR, self.backend, code)
        return self._deployed

    def _run(self, options: PipelineOptions) -> PipelineRun:
        from serverless_tutor.cloud.apigateway import HttpRequest

        shop = self._deploy(options.code)
        before = shop.state(None)
        items = [dict(item) for item in NORMAL_ORDER]
        if options.oversell:
            items[0]["quantity"] = before.stock.get(OVERSOLD_PRODUCT, 0) + 1
        marks = self._marks(shop)
        permissions = shop.account.permissions(shop.name("processPayment"))
        if options.fail_payment:
            self._deny_payment_updates(shop)
        injector = FaultInjector(options.faults) if options.faults is not None else None
        shop.set_faults(injector)
        try:
            body = json.dumps({"customerId": CUSTOMER_ID, "items": items}).encode()
            response = shop.router.api.handle(
                HttpRequest(
                    method="POST",
                    path="/dev/orders",
                    headers=[("Content-Type", "application/json")],
                    body=body,
                )
            )
            order_id = _order_id(response)
            self._drain(shop)
        finally:
            shop.set_faults(None)
            if options.fail_payment and permissions is not None:
                shop.account.set_permissions(
                    shop.name("processPayment"),
                    permissions.statements,
                    role_name=permissions.role_arn.split("/")[-2],
                )
        self._last_order = order_id
        self._last_messages = shop.published_since(marks[2])
        steps, after_retries = self._steps(shop, marks, "order", set())
        scenario: Scenario = (
            "fail-payment" if options.fail_payment else "oversell" if options.oversell else "order"
        )
        run = PipelineRun(
            scenario=scenario,
            code=options.code,
            fault_plan=options.faults.name if options.faults is not None else None,
            replayed=False,
            items=items,
            http_status=response.status,
            order_id=order_id,
            steps=steps,
            after_retries=after_retries,
            filtered_deliveries=_filtered(steps),
            state_before=before.model_copy(update={"order_id": order_id, "order_status": None}),
            end_state=shop.state(order_id),
            injected_faults=injector.describe() if injector is not None else [],
        )
        if scenario == "order":
            run.consequences = _consequences(run.items, run.state_before, run.end_state)
        if options.replay:
            replayed = self._replay_last()
            run = run.model_copy(
                update={
                    "replayed": True,
                    "steps": run.steps
                    + [
                        s.model_copy(update={"number": len(run.steps) + s.number})
                        for s in replayed.steps
                    ],
                    "after_retries": run.after_retries + replayed.after_retries,
                    "filtered_deliveries": run.filtered_deliveries + replayed.filtered_deliveries,
                    "state_before_replay": run.end_state,
                    "end_state": replayed.end_state,
                    "replay_changed_state": replayed.replay_changed_state,
                }
            )
        return run.model_copy(update={"notes": _notes(run, options)})

    def _replay_last(self) -> PipelineRun:
        if self._deployed is None or not self._last_order:
            raise PipelineError("no order to replay yet: place an order first")
        shop = self._deployed
        order_id = self._last_order
        before = shop.state(order_id)
        marks = self._marks(shop)
        duplicates: set[str] = set()
        # One message at a time, in the order they were first published, so the timeline is stable.
        for published in self._last_messages:
            for subscription in shop.router.sns_subscriptions:
                key = shop.keys.get(subscription.function_name)
                if (
                    subscription.topic_arn != published.topic_arn
                    or key not in published.publication.delivered_to
                ):
                    continue
                record = payloads.sns_record(
                    topic_arn=published.topic_arn,
                    subscription_arn=subscription.subscription_arn,
                    message_id=published.publication.message_id,
                    message=published.message,
                    subject=published.subject,
                    attributes=published.attributes,
                    timestamp=shop.router.wall_time(),
                    region=shop.account.region,
                )
                duplicates.add(published.publication.message_id)
                shop.router.invoke_async(
                    subscription.function_name,
                    {"Records": [record]},
                    source="sns",
                    source_arn=published.topic_arn,
                )
                self._drain(shop)
        steps, after_retries = self._steps(shop, marks, "replay", duplicates)
        after = shop.state(order_id)
        run = PipelineRun(
            scenario="replay",
            code=shop.code,
            replayed=True,
            order_id=order_id,
            steps=steps,
            after_retries=after_retries,
            filtered_deliveries=_filtered(steps),
            state_before=before,
            state_before_replay=before,
            end_state=after,
            replay_changed_state=_changed(before, after),
        )
        return run.model_copy(
            update={"notes": _notes(run, PipelineOptions(replay=True, code=shop.code))}
        )

    def _drain(self, shop: _Deployed) -> None:
        try:
            shop.router.drain(timeout_s=self.drain_timeout_s)
        except TimeoutError as error:
            raise PipelineError(f"the pipeline did not settle: {error}") from error

    @staticmethod
    def _marks(shop: _Deployed) -> tuple[int, int, int]:
        return shop.invoker.count(), len(shop.router.deliveries), shop.published_count()

    @staticmethod
    def _deny_payment_updates(shop: _Deployed) -> None:
        from serverless_tutor.cloud.iam import Statement

        name = shop.name("processPayment")
        current = shop.account.permissions(name)
        if current is None:
            raise PipelineError(f"{name} has no execution role to break")
        table_arn = shop.account.arn("dynamodb", f"table/{shop.environment['ORDERS_TABLE']}")
        deny = Statement.model_validate(
            {"Effect": "Deny", "Action": ["dynamodb:UpdateItem"], "Resource": [table_arn]}
        )
        shop.account.set_permissions(
            name, [*current.statements, deny], role_name=current.role_arn.split("/")[-2]
        )

    @staticmethod
    def _steps(
        shop: _Deployed,
        marks: tuple[int, int, int],
        phase: Literal["order", "replay"],
        duplicates: set[str],
    ) -> tuple[list[Step], list[AfterRetries]]:
        invocations = shop.invoker.since(marks[0])
        deliveries = shop.router.deliveries[marks[1] :]
        by_request = {d.request_id: d for d in deliveries if d.request_id}
        published = shop.published_since(marks[2])
        event_types = {
            p.publication.message_id: p.publication.event_type for p in shop.published_since(0)
        }
        entries = shop.account.trace.entries
        steps = []
        for number, invocation in enumerate(invocations, start=1):
            result = invocation.result
            trigger, message_id = _trigger(invocation.event, event_types)
            duplicate = message_id in duplicates
            delivery = by_request.get(result.request_id)
            calls = [AwsCall.from_trace(e) for e in entries if e.request_id == result.request_id]
            steps.append(
                Step(
                    number=number,
                    phase=phase,
                    function=shop.keys.get(invocation.function_name, invocation.function_name),
                    function_name=invocation.function_name,
                    trigger=trigger + (" (duplicate)" if duplicate else ""),
                    message_id=message_id,
                    duplicate=duplicate,
                    attempt=delivery.attempt if delivery else 1,
                    request_id=result.request_id,
                    cold=result.cold,
                    init_ms=result.report.init_duration_ms,
                    duration_ms=result.report.duration_ms,
                    billed_ms=result.report.billed_duration_ms,
                    outcome=invocation_outcome(result, delivery.outcome if delivery else None),
                    error_type=result.error.error_type if result.error is not None else None,
                    error=error_text(result),
                    calls=calls,
                    published=[
                        p.publication for p in published if p.request_id == result.request_id
                    ],
                    log=handler_lines(result.logs),
                    changed_state=any(
                        c.outcome == "ok" and (c.service, c.operation) in _WRITES for c in calls
                    ),
                )
            )
        after_retries = [
            AfterRetries(
                function=shop.keys.get(d.function_name, d.function_name),
                outcome=d.outcome,
                target=d.detail.removeprefix("sent to ").rsplit(":", 1)[-1]
                if d.outcome != "dropped"
                else None,
                detail=d.detail,
            )
            for d in deliveries
            if d.source == "destination" and d.outcome in ("destination", "dead-letter", "dropped")
        ]
        return steps, after_retries


# -- helpers --------------------------------------------------------------------------------------


def _order_id(response: Any) -> str:
    if response.status >= 300:
        return ""
    try:
        body = response.body_json()
    except ValueError:
        return ""
    return str(body.get("orderId", "")) if isinstance(body, dict) else ""


def _event_type(message: str) -> str:
    try:
        body = json.loads(message)
    except ValueError:
        return "message"
    return str(body.get("eventType", "message")) if isinstance(body, dict) else "message"


def _trigger(event: Any, event_types: dict[str, str]) -> tuple[str, str | None]:
    if isinstance(event, dict) and "httpMethod" in event:
        path = (event.get("requestContext") or {}).get("path") or event.get(
            "path", ""
        )  # with the stage: /dev/orders
        return f"{event['httpMethod']} {path}", None
    records = event.get("Records") if isinstance(event, dict) else None
    if records and "Sns" in records[0]:
        sns = records[0]["Sns"]
        message_id = sns.get("MessageId")
        return (
            f"SNS {event_types.get(message_id) or _event_type(sns.get('Message', ''))}",
            message_id,
        )
    return "direct invoke", None


def _plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def _filtered(steps: list[Step]) -> int:
    return sum(len(p.filtered_out) for step in steps for p in step.published)


def _changed(before: ShopState, after: ShopState) -> bool:
    keep = {"order_status", "stock", "emails_sent", "failed_events"}
    return before.model_dump(include=keep) != after.model_dump(include=keep)


def _consequences(items: list[dict[str, Any]], before: ShopState, after: ShopState) -> list[str]:
    """How the end state differs from what one order should leave: its stock taken once, CONFIRMED, one email."""
    if not after.order_id:
        return ["no order was saved"]
    found = []
    ordered: dict[str, int] = {}
    for item in items:
        ordered[item["productId"]] = ordered.get(item["productId"], 0) + int(item["quantity"])
    taken = {p: before.stock.get(p, 0) - after.stock.get(p, 0) for p in ordered}
    if not any(taken.values()):
        found.append("no stock taken")
    else:
        found.extend(
            f"{product}: {taken[product]} taken for {quantity} ordered"
            for product, quantity in ordered.items()
            if taken[product] != quantity
        )
    if after.order_status != "CONFIRMED":
        found.append(f"order stuck at {after.order_status}")
    if after.emails_sent != 1:
        found.append(f"{_plural(after.emails_sent, 'email')} for 1 order")
    return found


# Why the as-written code got the end state wrong, per fault plan (by its name).
_AS_WRITTEN_WHY = {
    "throttle the stock write": "the chapter's updateInventory had already taken the first product when the "
    "second update failed, and Lambda's retry took it again: a write halfway is not undone",
    "duplicate the PaymentProcessed delivery": "the chapter's updateInventory has no once-per-order guard, "
    "so both deliveries took the stock; its status check came after the updates, too late",
    "crash after the payment write": "the retry found the order PAID and, as written, stopped without "
    "publishing PaymentProcessed, so no later step ever heard of the order",
}
_FIXED_HOW = {
    "throttle the stock write": "the stock is taken in one transaction, so the throttled attempt took "
    "nothing and the retry took it all once",
    "duplicate the PaymentProcessed delivery": "the transaction's guard (order still PAID) let only one "
    "delivery take the stock",
    "crash after the payment write": "the retry found the order PAID and published PaymentProcessed again, "
    "so the order went on",
}


def _fault_note(run: PipelineRun) -> str | None:
    """One sentence: which fault, which code, and what it did to the end state."""
    if run.fault_plan is None or run.scenario != "order":
        return None
    return fault_note(
        plan=run.fault_plan,
        code=run.code,
        fired=bool(run.injected_faults),
        consequences=run.consequences,
        right="stock taken once, order CONFIRMED, 1 email",
        as_written_why=_AS_WRITTEN_WHY,
        fixed_how=_FIXED_HOW,
        never_fired="the plan never fired, so the end state is that of a normal order.",
    )


def _notes(run: PipelineRun, options: PipelineOptions) -> list[str]:
    """What the learner should take from this run, in plain words; every figure comes from the run."""
    notes: list[str] = []
    fault_note = _fault_note(run)
    if fault_note:
        notes.append(fault_note)
    order_steps = [s for s in run.steps if s.phase == "order"]
    if order_steps:
        first = order_steps[0]
        published = sum(len(s.published) for s in order_steps)
        filtered = sum(len(p.filtered_out) for s in order_steps for p in s.published)
        notes.append(
            f"{_plural(len(order_steps), 'invocation')} for one order and {_plural(published, 'SNS message')}; "
            f"filter policies delivered each message only to the subscription that handles its eventType "
            f"({_plural(filtered, 'delivery', 'deliveries')} filtered out by SNS, so never invoked)."
        )
        cold = sum(1 for s in order_steps if s.cold)
        if cold:
            notes.append(
                f"{_plural(cold, 'cold start')}: a new execution environment ran the handler module's INIT first "
                "(Init Duration); while the environments stay warm, the next order skips that."
            )
        if first.outcome == "error" or (run.http_status or 0) >= 300:
            notes.append(
                f"The API answered {run.http_status}: no order was saved and nothing was published."
            )
    before_replay = run.state_before_replay if run.replayed and order_steps else None
    state = before_replay or run.end_state
    if options.oversell and order_steps and options.code == "as-written":
        notes.append(
            f"The chapter's updateInventory has no stock condition: {OVERSOLD_PRODUCT} went to "
            f"{state.stock.get(OVERSOLD_PRODUCT, 0)} in stock and the order is {state.order_status}."
        )
    elif options.oversell and order_steps:
        quantity = next((i["quantity"] for i in run.items if i["productId"] == OVERSOLD_PRODUCT), 0)
        notes.append(
            f"The order asked for {quantity} × {OVERSOLD_PRODUCT} with {run.state_before.stock.get(OVERSOLD_PRODUCT, 0)} in stock: "
            f"the transaction's `quantity >= :qty` condition failed, so nothing was taken, not even the other items, "
            f"and the order is {state.order_status}. The payment had already been taken: a real shop now owes a refund."
        )
    if options.fail_payment and order_steps:
        attempts = [s for s in order_steps if s.function == "processPayment"]
        target = next((a.target for a in run.after_retries if a.function == "processPayment"), None)
        notes.append(
            f"processPayment's role was given an explicit Deny on dynamodb:UpdateItem, so all {len(attempts)} attempts "
            "failed. Lambda retries a failed asynchronous invoke up to 2 more times (AWS waits between attempts; here "
            f"they run back to back), then sends the event to the on-failure destination ({target}). "
            f"The order stays {state.order_status}; no later step ran."
        )
    if run.replayed:
        replay_steps = [s for s in run.steps if s.phase == "replay"]
        duplicates = sum(1 for s in replay_steps if s.duplicate)
        if run.replay_changed_state:
            notes.append(
                f"Replay: {_plural(duplicates, 'message')} delivered again with the same MessageId. The state changed: the first "
                "delivery had failed, so the duplicate did the work (this is why failed events are kept, to redrive them)."
            )
        else:
            notes.append(
                f"Replay: {_plural(duplicates, 'message')} delivered again with the same MessageId, as SNS's at-least-once delivery "
                "may. Each step found its work already done and skipped it: same status, stock and emails."
            )
    return notes
