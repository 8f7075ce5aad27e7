"""The local Lambda runtime: execution environments, invoke, REPORT, sample events.

Public names are loaded lazily so that the sandbox worker, which imports modules
from this package, does not pay for pydantic models it never uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "FunctionConfig": "serverless_tutor.runtime.config",
    "LambdaRuntime": "serverless_tutor.runtime.environments",
    "InvocationResult": "serverless_tutor.runtime.results",
    "LambdaError": "serverless_tutor.runtime.results",
    "Report": "serverless_tutor.runtime.results",
    "EnvironmentInfo": "serverless_tutor.runtime.results",
    "ManualClock": "serverless_tutor.runtime.clock",
    "SystemClock": "serverless_tutor.runtime.clock",
    "Clock": "serverless_tutor.runtime.clock",
}

__all__ = [
    "Clock",
    "EnvironmentInfo",
    "FunctionConfig",
    "InvocationResult",
    "LambdaError",
    "LambdaRuntime",
    "ManualClock",
    "Report",
    "SystemClock",
]

if TYPE_CHECKING:  # pragma: no cover
    from serverless_tutor.runtime.clock import Clock, ManualClock, SystemClock
    from serverless_tutor.runtime.config import FunctionConfig
    from serverless_tutor.runtime.environments import LambdaRuntime
    from serverless_tutor.runtime.results import (
        EnvironmentInfo,
        InvocationResult,
        LambdaError,
        Report,
    )


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'serverless_tutor.runtime' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
