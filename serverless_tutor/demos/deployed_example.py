"""Pieces the bundled demos (order pipeline, patterns lab, API console, BaaS sign-up) share:
deploying an example service, recording the invocations the router makes, turning trace
entries into short call records, and running one action at a time."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, Self, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from serverless_tutor.cloud.faults import FaultInjector
    from serverless_tutor.cloud.trace import TraceEntry
    from serverless_tutor.runtime import FunctionConfig, InvocationResult, LambdaRuntime
    from serverless_tutor.runtime.clock import Clock
    from serverless_tutor.runtime.forwarding import ForwardedRequest, ForwardedResponse

_Params = ParamSpec("_Params")
_Result = TypeVar("_Result")


class AwsCall(BaseModel):
    service: str
    operation: str
    resource: str | None = None  # a short name: table, topic, queue or identity
    outcome: Literal["ok", "error", "denied"]
    error_code: str | None = None
    latency_ms: float

    @property
    def label(self) -> str:
        return f"{self.service}:{self.operation}"

    @classmethod
    def from_trace(cls, entry: TraceEntry) -> AwsCall:
        return cls(
            service=entry.service,
            operation=entry.operation,
            resource=short_resource(entry),
            outcome=entry.outcome,
            error_code=entry.error_code,
            latency_ms=round(entry.latency_ms, 2),
        )


def short_resource(entry: TraceEntry) -> str | None:
    """A short name: arn:...:table/orders -> orders; a transaction -> its tables joined with +."""
    if entry.resource:
        return entry.resource.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    tables: list[str] = []
    for item in entry.params.get("TransactItems") or []:
        for action in item.values() if isinstance(item, dict) else ():
            table = action.get("TableName") if isinstance(action, dict) else None
            if table and table not in tables:
                tables.append(table)
    return "+".join(tables) or None


InvocationOutcome = Literal["ok", "retry", "error"]


def invocation_outcome(result: InvocationResult, delivery_outcome: str | None) -> InvocationOutcome:
    """ok; or, for a failed invoke, retry when the router will try it again, else error."""
    if result.error is None:
        return "ok"
    return "retry" if delivery_outcome == "retry" else "error"


def error_text(result: InvocationResult) -> str | None:
    """'ErrorType: message' of a failed invoke; None when it succeeded."""
    error = result.error
    return None if error is None else f"{error.error_type}: {error.error_message}"


def handler_lines(logs: str) -> list[str]:
    """What the handler itself printed, without the runtime's START/END/REPORT and tracebacks."""
    platform = ("START RequestId:", "END RequestId:", "REPORT RequestId:", "INIT_START", "[ERROR]")
    return [
        line
        for line in logs.splitlines()
        if line.strip()
        and not line.startswith(platform)
        and not line.startswith((" ", "\t", "Traceback"))
    ]


@dataclass
class Invocation:
    sequence: int
    function_name: str
    event: Any
    result: InvocationResult


class RecordingInvoker:
    """Stands between the router and the runtime and keeps every invocation and its result."""

    def __init__(self, runtime: LambdaRuntime):
        self.runtime = runtime
        self.invocations: list[Invocation] = []
        self._lock = threading.Lock()
        self._sequence = itertools.count(1)

    def invoke(
        self, config: FunctionConfig, event: Any, *, client_context: dict[str, Any] | None = None
    ) -> InvocationResult:
        with self._lock:
            sequence = next(self._sequence)
        result = self.runtime.invoke(config, event, client_context=client_context)
        with self._lock:
            self.invocations.append(Invocation(sequence, config.name, event, result))
        return result

    def since(self, count: int) -> list[Invocation]:
        with self._lock:
            return sorted(self.invocations[count:], key=lambda i: i.sequence)

    def count(self) -> int:
        with self._lock:
            return len(self.invocations)


class DeployedExample:
    """A bundled example service deployed into an account and a runtime of its own, with the
    items of its seed.json (if it has one) in its tables.

    Subclasses add what serverless.yml cannot say in `prepare()`; if anything fails
    while deploying, everything started so far is shut down before the error goes on."""

    def __init__(
        self,
        service_dir: Path,
        backend: Literal["inprocess", "sandbox"] = "inprocess",
        *,
        clock: Clock | None = None,
    ):
        """`clock`: the router's (a ManualClock steps SQS visibility timeouts; default: real time)."""
        from serverless_tutor.cloud.account import LocalAccount
        from serverless_tutor.cloud.deploy import deploy
        from serverless_tutor.cloud.routing.router import EventRouter
        from serverless_tutor.cloud.service import load_service
        from serverless_tutor.runtime import LambdaRuntime

        self.service_dir = service_dir
        self.account = LocalAccount()
        self.faults: FaultInjector | None = None
        self.runtime = LambdaRuntime(backend=backend, request_handler=self._serve)
        self.invoker = RecordingInvoker(self.runtime)
        self.router: Any = None
        try:
            self.deployment = deploy(
                load_service(service_dir / "serverless.yml"),
                self.account,
                self.invoker,
                router=EventRouter(self.account, self.invoker, clock=clock) if clock else None,
            )
            self.router = self.deployment.router
            self.keys = {config.name: key for key, config in self.deployment.configs.items()}
            if (service_dir / "seed.json").is_file():
                self._seed_tables()
            self.prepare()
        except BaseException:
            self.close()
            raise

    def prepare(self) -> None:
        """Extra set-up after the deploy; nothing by default."""

    def set_faults(self, injector: FaultInjector | None) -> None:
        """Run the functions' AWS calls and the router's deliveries under a fault plan (None: off)."""
        self.faults = injector
        if self.router is not None:
            self.router.faults = injector

    def _serve(self, request: ForwardedRequest) -> ForwardedResponse:
        if self.faults is not None:
            return self.account.with_faults(self.faults)(request)
        return self.account.handle(request)

    def name(self, key: str) -> str:
        return self.deployment.function_name(key)

    def _seed_tables(self) -> None:
        """Put the items of seed.json ({table: [item, ...]}) into the tables."""
        from boto3.dynamodb.types import TypeSerializer

        serializer = TypeSerializer()
        dynamodb = self.account.client("dynamodb", internal=True)
        seed = json.loads(
            (self.service_dir / "seed.json").read_text(encoding="utf-8"), parse_float=Decimal
        )
        for table, items in seed.items():
            for item in items:
                dynamodb.put_item(
                    TableName=table, Item={k: serializer.serialize(v) for k, v in item.items()}
                )

    def call_api(self, request: Any) -> tuple[Any, InvocationResult | None, list[TraceEntry]]:
        """Send an HTTP request through API Gateway: the response, the invocation result (None when
        API Gateway answered itself) and the trace entries of the function's AWS calls."""
        mark = self.invoker.count()
        response = self.router.api.handle(request)
        results = [
            i.result for i in self.invoker.since(mark) if i.result.request_id == response.request_id
        ]
        entries = [
            e
            for e in self.account.trace.entries
            if response.request_id and e.request_id == response.request_id
        ]
        return response, (results[0] if results else None), entries

    def close(self) -> None:
        if self.router is not None:
            self.router.close()
        self.runtime.shutdown()
        self.account.reset()


class SerialDemo:
    """One action at a time. close() is safe from any thread, even while an action runs:
    that action tears the demo down when it ends."""

    closed_error: type[Exception] = RuntimeError
    closed_message = "this demo has been shut down"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed = False

    def _exclusively(
        self,
        action: Callable[_Params, _Result],
        *args: _Params.args,
        **kwargs: _Params.kwargs,
    ) -> _Result:
        try:
            with self._lock:
                if self._closed:
                    raise self.closed_error(self.closed_message)
                return action(*args, **kwargs)
        finally:
            if self._closed:
                self.close()

    def close(self) -> None:
        self._closed = True
        if self._lock.acquire(blocking=False):
            try:
                self._discard()
            finally:
                self._lock.release()

    def _discard(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
