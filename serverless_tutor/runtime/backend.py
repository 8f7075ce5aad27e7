"""What every backend's execution environment reports back to the pool."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Status = Literal["success", "error", "timeout", "crash", "out_of_memory"]


@dataclass
class InitOutcome:
    isolation: list[str]
    init_ms: float = 0.0
    error: dict[str, Any] | None = (
        None  # Lambda's error shape (errorType, errorMessage, stackTrace)
    )
    status: Status = "success"
    logs: str = ""
    max_memory_mb: int = 0


@dataclass
class Outcome:
    status: Status
    duration_ms: float
    max_memory_mb: int
    payload: str | None = None  # JSON text of the response
    error: dict[str, Any] | None = None
    logs: str = ""
    logs_truncated: bool = False
    destroyed: bool = False  # the environment did not survive this invoke
    extra_log_lines: list[str] = field(
        default_factory=list
    )  # platform lines after the function's output


class ExecutionEnvironment(Protocol):
    id: str
    memory_estimated: bool  # Max Memory Used is estimated, not measured

    def initialize(self) -> InitOutcome: ...

    def invoke(self, request_id: str, event_json: str, client_context: dict | None) -> Outcome: ...

    def destroy(self) -> None: ...
