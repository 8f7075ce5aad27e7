"""Lambda's concurrency limit in front of a LambdaRuntime: at most N invokes of a function at once.

Each running invoke holds one execution environment, so the limit also caps how many
environments (sandbox worker processes) a function can have. Over the limit:

- a synchronous caller (API Gateway, inside `synchronous_invokes()`) is throttled at
  once: Lambda answers 429 TooManyRequestsException and runs nothing;
- an asynchronous or polled invoke waits for a free slot, as Lambda keeps a throttled
  asynchronous event in its queue and tries again later.

`stop()` makes every invoke that has not started fail at once (RuntimeStopped), so
queued deliveries drain in no time when `offline` shuts down.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from serverless_tutor.limits import DEFAULT_ACCOUNT_CONCURRENCY

if TYPE_CHECKING:
    from serverless_tutor.runtime import FunctionConfig, InvocationResult, LambdaRuntime

_WAIT_STEP_S = 0.1  # how often a waiting asynchronous invoke checks for stop()
_synchronous = contextvars.ContextVar("synchronous_invoke", default=False)


class Throttled(Exception):
    """Lambda refused a synchronous invoke: the function is at its concurrency limit."""

    def __init__(self, function_name: str, limit: int):
        super().__init__(
            f"Rate Exceeded: {function_name} is at its concurrency limit of {limit} "
            "(TooManyRequestsException)"
        )
        self.function_name = function_name
        self.limit = limit


class RuntimeStopped(RuntimeError):
    """The runtime is shutting down: the invoke was not started."""


@contextmanager
def synchronous_invokes() -> Iterator[None]:
    """Invokes made inside are synchronous (RequestResponse): throttled, never kept waiting."""
    token = _synchronous.set(True)
    try:
        yield
    finally:
        _synchronous.reset(token)


class ConcurrencyLimitedRuntime:
    def __init__(self, runtime: LambdaRuntime, per_function: int):
        if not 1 <= per_function <= DEFAULT_ACCOUNT_CONCURRENCY:
            raise ValueError(
                f"the concurrency limit must be between 1 and {DEFAULT_ACCOUNT_CONCURRENCY:,}"
                f" (AWS's default account limit), not {per_function}"
            )
        self.runtime = runtime
        self.per_function = per_function
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._running: dict[str, int] = {}
        self.throttled: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def invoke(
        self, config: FunctionConfig, event: Any, *, client_context: dict[str, Any] | None = None
    ) -> InvocationResult:
        slots = self._slots_of(config.name)
        if _synchronous.get():
            if not slots.acquire(blocking=False):
                with self._lock:
                    self.throttled[config.name] = self.throttled.get(config.name, 0) + 1
                raise Throttled(config.name, self.per_function)
        else:
            while not slots.acquire(timeout=_WAIT_STEP_S):
                if self._stopped.is_set():
                    raise RuntimeStopped(f"{config.name} was not invoked: the runtime is stopping")
        try:
            if self._stopped.is_set():
                raise RuntimeStopped(f"{config.name} was not invoked: the runtime is stopping")
            with self._lock:
                self._running[config.name] = self._running.get(config.name, 0) + 1
            try:
                return self.runtime.invoke(config, event, client_context=client_context)
            finally:
                with self._lock:
                    self._running[config.name] -= 1
        finally:
            slots.release()

    def running(self, function_name: str) -> int:
        """How many invokes of the function are running now."""
        with self._lock:
            return self._running.get(function_name, 0)

    def stop(self) -> None:
        """From now on every invoke that has not started fails at once with RuntimeStopped."""
        self._stopped.set()

    def _slots_of(self, function_name: str) -> threading.BoundedSemaphore:
        with self._lock:
            slots = self._slots.get(function_name)
            if slots is None:
                slots = self._slots[function_name] = threading.BoundedSemaphore(self.per_function)
            return slots
