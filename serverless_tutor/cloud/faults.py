"""Fault plans: make calls fail halfway, on purpose, the same way every run.

Section 5's hardest lesson is that events arrive at least once and calls fail
halfway. A fault plan is data (YAML, validated here) listing rules. Each rule
matches AWS calls a function makes (service, action, resource) or deliveries the
event router makes (SQS, SNS, S3, streams), says which of the matching ones to
hit (the nth, every nth, or each with a probability drawn from the plan's seed)
and what happens:

  calls       error: an AWS error code (ThrottlingException, ...) instead of the call
              latency_ms: the call is served late
              timeout: the calling invocation times out while the call is in flight
              crash_after: the call takes effect, then the environment crashes,
                           so the handler never learns that it did
  deliveries  duplicate: the event is delivered twice
              reorder: a batch arrives in reverse order
              redeliver: the message comes back as if its visibility timeout expired

`FaultInjector` answers "what happens to this call / delivery?" and records every
fault it injected, so a grader can say which fault was injected and what was lost.
The account applies call faults at the bridge; the router applies delivery faults.
"""

from __future__ import annotations

import fnmatch
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)

from serverless_tutor.problems import ContentError, Problem, problems_from_validation
from serverless_tutor.runtime.forwarding import ForwardedRequest, ForwardedResponse, RequestHandler
from serverless_tutor.yaml_files import load_yaml_mapping

# AWS errors a call fault may raise: code -> (HTTP status, what it means).
AWS_ERRORS: dict[str, tuple[int, str]] = {
    "ProvisionedThroughputExceededException": (
        400,
        "The level of configured provisioned throughput for the table was exceeded.",
    ),
    "ThrottlingException": (400, "Rate of requests exceeds the allowed throughput."),
    "RequestLimitExceeded": (
        400,
        "Throughput exceeds the current throughput limit for your account.",
    ),
    "InternalServerError": (500, "Internal server error"),
    "ServiceUnavailable": (503, "The service is unavailable. Please try again shortly."),
    "ConditionalCheckFailedException": (400, "The conditional request failed"),
    "TransactionConflictException": (
        400,
        "Transaction is ongoing for the item: another transaction holds a lock on it.",
    ),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallMatch(_Strict):
    """Which AWS calls a rule is about. Patterns are shell-style (`*`, `?`), case-sensitive."""

    service: str = Field(description="the service's endpoint prefix, e.g. dynamodb, sqs, sns, s3")
    action: str = Field(default="*", description="the API operation, e.g. UpdateItem")
    resource: str = Field(
        default="*", description="the resource's ARN or its tail, e.g. *:table/accounts"
    )
    function: str = Field(default="*", description="the calling function's name")


class DeliveryMatch(_Strict):
    """Which deliveries of the event router a rule is about."""

    source: Literal["sqs", "sns", "s3", "stream", "schedule", "*"] = "*"
    function: str = Field(default="*", description="the function the event is delivered to")


class When(_Strict):
    """Which of the matching calls or deliveries are hit (counted per rule, from 1)."""

    nth: int | None = Field(default=None, ge=1, description="only the nth match")
    every: int | None = Field(default=None, ge=1, description="every nth match")
    probability: float | None = Field(
        default=None, ge=0, le=1, description="each match with this probability (seeded)"
    )
    times: int | None = Field(default=None, ge=1, description="at most this many faults")

    @model_validator(mode="after")
    def one_selector(self) -> When:
        chosen = [n for n in ("nth", "every", "probability") if getattr(self, n) is not None]
        if len(chosen) > 1:
            raise ValueError(f"give one of nth, every, probability (got {', '.join(chosen)})")
        return self


class CallEffect(_Strict):
    error: str | None = Field(default=None, description="an AWS error code from AWS_ERRORS")
    latency_ms: float | None = Field(default=None, gt=0, le=900_000)
    timeout: bool = False
    crash_after: bool = False

    @model_validator(mode="after")
    def one_effect(self) -> CallEffect:
        chosen = [
            name
            for name, on in (
                ("error", self.error is not None),
                ("latency_ms", self.latency_ms is not None),
                ("timeout", self.timeout),
                ("crash_after", self.crash_after),
            )
            if on
        ]
        if len(chosen) != 1:
            raise ValueError(
                "give exactly one of error, latency_ms, timeout, crash_after"
                + (f" (got {', '.join(chosen)})" if chosen else "")
            )
        if self.error is not None and self.error not in AWS_ERRORS:
            raise ValueError(f"error must be one of {', '.join(sorted(AWS_ERRORS))}")
        return self

    @property
    def kind(self) -> str:
        if self.error is not None:
            return self.error
        if self.latency_ms is not None:
            return f"{self.latency_ms:g} ms latency"
        return "timeout" if self.timeout else "crash after the call took effect"


class DeliveryEffect(_Strict):
    duplicate: bool = False
    reorder: bool = False
    redeliver: bool = False

    @model_validator(mode="after")
    def one_effect(self) -> DeliveryEffect:
        if sum((self.duplicate, self.reorder, self.redeliver)) != 1:
            raise ValueError("give exactly one of duplicate, reorder, redeliver")
        return self

    @property
    def kind(self) -> str:
        if self.duplicate:
            return "duplicate delivery"
        return "out-of-order batch" if self.reorder else "redelivery after the visibility timeout"


class CallRule(_Strict):
    call: CallMatch
    when: When = When()
    effect: CallEffect


class DeliveryRule(_Strict):
    delivery: DeliveryMatch
    when: When = When()
    effect: DeliveryEffect


def _rule_kind(value: object) -> str:
    if isinstance(value, CallRule | DeliveryRule):
        return "call" if isinstance(value, CallRule) else "delivery"
    return "delivery" if isinstance(value, dict) and "delivery" in value else "call"


# A rule is about a call (has `call:`) or a delivery (has `delivery:`); errors name that kind.
Rule = Annotated[
    Annotated[CallRule, Tag("call")] | Annotated[DeliveryRule, Tag("delivery")],
    Discriminator(_rule_kind),
]


class FaultPlan(_Strict):
    """A named list of rules and the seed their probabilities are drawn from."""

    name: str = "faults"
    description: str = ""
    seed: int = 0
    rules: list[Rule] = Field(min_length=1)


class InjectedFault(BaseModel):
    """One fault that happened: for the trace, the panels and a grader's message."""

    rule: int = Field(description="index of the rule in the plan")
    kind: str
    target: str = Field(description="the call (service:Action resource) or the delivery")
    function: str | None = None
    request_id: str | None = None


def load_fault_plan(path: Path) -> FaultPlan:
    """Read and validate a fault plan; ContentError names the file and field of each problem."""
    data = load_yaml_mapping(path, expected="a fault plan: a mapping with rules")
    try:
        return FaultPlan.model_validate(data)
    except ValidationError as exc:
        raise ContentError(problems_from_validation(path, exc)) from None


SHIPPED_PLANS = Path(__file__).resolve().parent / "fault_plans"


def is_fault_plan_file(path: Path) -> bool:
    """Fault plans are named `<name>.faults.yaml` (or .yml)."""
    return path.name.endswith((".faults.yaml", ".faults.yml"))


def validate_fault_plan_files(paths: list[Path]) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        try:
            load_fault_plan(path)
        except ContentError as exc:
            problems.extend(exc.problems)
    return problems


def shipped_fault_plan_files() -> list[Path]:
    return sorted(SHIPPED_PLANS.glob("*.faults.yaml"))


def plan_named(name_or_path: str) -> FaultPlan:
    """The plan a `--faults` option names (a file, or a shipped plan by name), validated."""
    found = find_fault_plan(name_or_path)
    if found is None:
        shipped = ", ".join(p.name.split(".")[0] for p in shipped_fault_plan_files())
        raise ContentError(
            [
                Problem(
                    file=name_or_path,
                    field="(path)",
                    expected=f"a *.faults.yaml file or a shipped plan ({shipped})",
                )
            ]
        )
    return load_fault_plan(found)


def find_fault_plan(name_or_path: str) -> Path | None:
    """A plan by path, or a shipped plan by name (e.g. "duplicate-delivery")."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = SHIPPED_PLANS / f"{name_or_path}.faults.yaml"
    return shipped if "/" not in name_or_path and shipped.is_file() else None


class FaultInjector:
    """Decides, deterministically for a plan and its seed, which calls and deliveries fail."""

    def __init__(
        self,
        plan: FaultPlan,
        *,
        on_fault: Callable[[InjectedFault], None] | None = None,
        keep: bool = True,
    ):
        self.plan = plan
        # Told of each fault as it is injected: `offline` prints it, and keeps none
        # (keep=False), since it may run for hours.
        self.on_fault = on_fault
        self._keep = keep
        self._random = random.Random(plan.seed)
        self._matches = [0] * len(plan.rules)
        self._fired = [0] * len(plan.rules)
        self._lock = threading.Lock()
        self.injected: list[InjectedFault] = []

    def for_call(
        self,
        service: str,
        action: str,
        resource: str,
        *,
        function: str | None,
        request_id: str | None = None,
    ) -> CallEffect | None:
        """The effect to apply to this call, if a rule hits it (first matching rule wins)."""
        for index, rule in enumerate(self.plan.rules):
            if not isinstance(rule, CallRule) or not _call_matches(
                rule.call, service, action, resource, function
            ):
                continue
            if self._hit(index, rule.when):
                self._record(
                    index, rule.effect.kind, f"{service}:{action} {resource}", function, request_id
                )
                return rule.effect
        return None

    def for_delivery(self, source: str, function: str, target: str) -> DeliveryEffect | None:
        """The effect to apply to this delivery of `source` to `function`, if a rule hits it."""
        for index, rule in enumerate(self.plan.rules):
            if not isinstance(rule, DeliveryRule) or not _delivery_matches(
                rule.delivery, source, function
            ):
                continue
            if self._hit(index, rule.when):
                self._record(index, rule.effect.kind, f"{source} {target}", function, None)
                return rule.effect
        return None

    def describe(self) -> list[str]:
        """One line per injected fault, for messages to the learner."""
        return [
            f"{fault.kind} on {fault.target}"
            + (f" (function {fault.function})" if fault.function else "")
            for fault in self.injected
        ]

    def _hit(self, index: int, when: When) -> bool:
        with self._lock:
            self._matches[index] += 1
            count = self._matches[index]
            if when.times is not None and self._fired[index] >= when.times:
                return False
            if when.nth is not None:
                hit = count == when.nth
            elif when.every is not None:
                hit = count % when.every == 0
            elif when.probability is not None:
                hit = self._random.random() < when.probability
            else:
                hit = True
            if hit:
                self._fired[index] += 1
            return hit

    def _record(
        self, index: int, kind: str, target: str, function: str | None, request_id: str | None
    ) -> None:
        fault = InjectedFault(
            rule=index, kind=kind, target=target, function=function, request_id=request_id
        )
        if self._keep:
            with self._lock:
                self.injected.append(fault)
        if self.on_fault is not None:
            self.on_fault(fault)


def _call_matches(
    match: CallMatch, service: str, action: str, resource: str, function: str | None
) -> bool:
    return (
        fnmatch.fnmatchcase(service, match.service)
        and fnmatch.fnmatchcase(action, match.action)
        and (
            fnmatch.fnmatchcase(resource, match.resource)
            or fnmatch.fnmatchcase(resource, f"*{match.resource}")
        )
        and fnmatch.fnmatchcase(function or "", match.function)
    )


def _delivery_matches(match: DeliveryMatch, source: str, function: str) -> bool:
    return match.source in ("*", source) and fnmatch.fnmatchcase(function, match.function)


# (service, action, resource ARN) of a forwarded call, and an AWS error in its service's format.
CallTarget = Callable[[ForwardedRequest], tuple[str, str, str]]
ErrorReply = Callable[[str, str, str, int], tuple[int, dict[str, str], bytes]]


class FaultyRequestHandler:
    """A RequestHandler that applies a fault plan in front of another (the account's).

    An error replaces the call (nothing happens in the account); latency delays it;
    a timeout never answers (the runtime lets the invocation run into its timeout);
    a crash lets the call take effect and then tells the runtime to kill the
    environment before the handler hears back.
    """

    def __init__(
        self,
        inner: RequestHandler,
        injector: FaultInjector,
        target: CallTarget,
        error_reply: ErrorReply,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.inner = inner
        self.injector = injector
        self._target = target
        self._error_reply = error_reply
        self._sleep = sleep

    def __call__(self, request: ForwardedRequest) -> ForwardedResponse:
        service, action, resource = self._target(request)
        effect = self.injector.for_call(
            service,
            action,
            resource,
            function=request.function_name,
            request_id=request.request_id,
        )
        if effect is None:
            return self.inner(request)
        if effect.error is not None:
            status, message = AWS_ERRORS[effect.error]
            code, headers, body = self._error_reply(
                service, effect.error, f"{message} (injected by the fault plan)", status
            )
            return ForwardedResponse(status_code=code, headers=headers, body=body)
        if effect.latency_ms is not None:
            self._sleep(effect.latency_ms / 1000)
            return self.inner(request)
        if effect.timeout:
            return ForwardedResponse(status_code=504, after="timeout")
        return self.inner(request).model_copy(update={"after": "crash"})
