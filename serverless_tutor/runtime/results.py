"""What an invoke returns: response or error, logs, the REPORT figures."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["success", "error", "timeout", "crash", "out_of_memory"]


class LambdaError(BaseModel):
    """An error shaped as Lambda shapes it (errorType, errorMessage, stackTrace, requestId)."""

    model_config = ConfigDict(frozen=True)

    error_type: str
    error_message: str
    stack_trace: list[str] = Field(default_factory=list)
    request_id: str = ""

    def to_json(self) -> dict[str, Any]:
        """Lambda's error object: awslambdaric's keys, in its order."""
        return {
            "errorMessage": self.error_message,
            "errorType": self.error_type,
            "requestId": self.request_id,
            "stackTrace": list(self.stack_trace),
        }


class Report(BaseModel):
    model_config = ConfigDict(frozen=True)

    duration_ms: float
    billed_duration_ms: int
    memory_size_mb: int
    max_memory_used_mb: int
    # True where the backend cannot measure it (in-process): the REPORT line says so.
    max_memory_estimated: bool = False
    init_duration_ms: float | None = None
    status: Status = "success"
    error_type: str | None = None

    def line(self, request_id: str) -> str:
        """The REPORT line as CloudWatch shows it (tab separated); an estimated Max Memory
        Used says so, which CloudWatch never does."""
        parts = [
            f"REPORT RequestId: {request_id}",
            f"Duration: {self.duration_ms:.2f} ms",
            f"Billed Duration: {self.billed_duration_ms} ms",
            f"Memory Size: {self.memory_size_mb} MB",
            f"Max Memory Used: {self.max_memory_used_mb} MB"
            + (" (estimate)" if self.max_memory_estimated else ""),
        ]
        if self.init_duration_ms is not None:
            parts.append(f"Init Duration: {self.init_duration_ms:.2f} ms")
        if self.status != "success":
            parts.append(f"Status: {'timeout' if self.status == 'timeout' else 'error'}")
            if self.error_type and self.status != "timeout":
                parts.append(f"Error Type: {self.error_type}")
        return "\t".join(parts)


class InvocationResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    request_id: str
    cold: bool
    environment_id: str
    response: Any | None = None
    error: LambdaError | None = None
    logs: str = ""
    report: Report
    isolation: list[str] = Field(default_factory=list)
    # Additions beyond the agreed interface:
    function_name: str = ""
    logs_truncated: bool = False
    response_truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        return {
            "requestId": self.request_id,
            "cold": self.cold,
            "response": json_safe(self.response),
            "error": None if self.error is None else self.error.to_json(),
            "logs": self.logs,
            "report": {
                "durationMs": self.report.duration_ms,
                "billedDurationMs": self.report.billed_duration_ms,
                "memorySizeMb": self.report.memory_size_mb,
                "maxMemoryUsedMb": self.report.max_memory_used_mb,
                "maxMemoryUsedEstimated": self.report.max_memory_estimated,
                "initDurationMs": self.report.init_duration_ms,
            },
            "isolation": list(self.isolation),
        }


class EnvironmentInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    created_at: float  # seconds on the runtime's clock
    invocations: int
    busy: bool
    init_count: int
    last_used_at: float | None = None
    backend: Literal["sandbox", "inprocess"] = "sandbox"
    pid: int | None = None  # the worker process (sandbox only)


_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def json_safe(value: Any) -> Any:
    """`value` with NaN and the infinities as the strings "NaN", "Infinity" and
    "-Infinity": a handler may return them (Lambda's marshaller writes them as bare
    words), but JSON we print must parse anywhere."""
    try:
        json.dumps(value, allow_nan=False)
        return value
    except ValueError:
        pass
    except RecursionError:
        return value
    if isinstance(value, float):
        return _NON_FINITE.get(repr(value), value)
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    return value
