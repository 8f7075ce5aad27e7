"""Pieces the bundled demos (order pipeline, patterns lab, API console) share: recording the
invocations the router makes, and turning trace entries into short call records."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel


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
    def from_trace(cls, entry: Any) -> AwsCall:
        return cls(service=entry.service, operation=entry.operation, resource=short_resource(entry),
                   outcome=entry.outcome, error_code=entry.error_code, latency_ms=round(entry.latency_ms, 2))


def short_resource(entry: Any) -> str | None:
    """A short name: arn:...:table/orders -> orders; a transaction -> its tables joined with +."""
    if entry.resource:
        return entry.resource.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    tables = []
    for item in entry.params.get("TransactItems") or []:
        for action in item.values() if isinstance(item, dict) else ():
            table = action.get("TableName") if isinstance(action, dict) else None
            if table and table not in tables:
                tables.append(table)
    return "+".join(tables) or None


def handler_lines(logs: str) -> list[str]:
    """What the handler itself printed, without the runtime's START/END/REPORT and tracebacks."""
    platform = ("START RequestId:", "END RequestId:", "REPORT RequestId:", "INIT_START", "[ERROR]")
    return [line for line in logs.splitlines() if line.strip() and not line.startswith(platform)
            and not line.startswith((" ", "\t", "Traceback"))]


@dataclass
class Invocation:
    sequence: int
    function_name: str
    event: Any
    result: Any  # runtime InvocationResult


class RecordingInvoker:
    """Stands between the router and the runtime and keeps every invocation and its result."""

    def __init__(self, runtime: Any):
        self.runtime = runtime
        self.invocations: list[Invocation] = []
        self._lock = threading.Lock()
        self._sequence = itertools.count(1)

    def invoke(self, config: Any, event: Any, *, client_context: dict | None = None) -> Any:
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
