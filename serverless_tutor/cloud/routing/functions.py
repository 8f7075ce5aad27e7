"""The functions the router may invoke, each with its asynchronous-invoke settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from serverless_tutor import limits
from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.runtime.config import FunctionConfig
from serverless_tutor.runtime.results import InvocationResult


class FunctionInvoker(Protocol):
    """What runs a function: the LambdaRuntime, or something standing in front of it."""

    def invoke(self, config: FunctionConfig, event: Any) -> InvocationResult: ...


class NoRuntimeError(RuntimeError):
    """An invoke on a router made without a runtime."""


@dataclass
class RoutedFunction:
    config: FunctionConfig
    arn: str
    maximum_retry_attempts: int = limits.ASYNC_MAX_RETRIES
    on_failure: str | None = None  # destination ARN (SQS, SNS or Lambda)
    dead_letter: str | None = None  # DLQ ARN (SQS or SNS)


class FunctionTable:
    """Functions by name, and the runtime that invokes them.

    Without a runtime (`serverless-tutor deploy` only creates resources) the
    functions are registered but any invoke raises NoRuntimeError.
    """

    def __init__(self, account: LocalAccount, runtime: FunctionInvoker | None):
        self.account = account
        self.runtime = runtime
        self.functions: dict[str, RoutedFunction] = {}

    def add(
        self,
        config: FunctionConfig,
        *,
        maximum_retry_attempts: int = limits.ASYNC_MAX_RETRIES,
        on_failure: str | None = None,
        dead_letter: str | None = None,
    ) -> RoutedFunction:
        arn = self.account.arn("lambda", f"function:{config.name}")
        routed = RoutedFunction(config, arn, maximum_retry_attempts, on_failure, dead_letter)
        self.functions[config.name] = routed
        return routed

    def get(self, name: str) -> RoutedFunction:
        """The registered function; KeyError (saying what to do) if there is none."""
        if name not in self.functions:
            raise KeyError(
                f"function {name!r} is not registered with the router (add_function first)"
            )
        return self.functions[name]

    def invoke(self, name: str, event: Any) -> InvocationResult:
        """A synchronous invoke of a registered function, by name."""
        return self.run(self.get(name), event)

    def run(self, function: RoutedFunction, event: Any) -> InvocationResult:
        """A synchronous invoke of a registered function."""
        if self.runtime is None:
            raise NoRuntimeError(
                f"{function.config.name}: this account has no runtime; its functions cannot run"
            )
        return self.runtime.invoke(function.config, event)
