"""Hold forwarded AWS calls so that several invocations are in flight at once.

To test behaviour across concurrent execution environments deterministically, a
test step starts N invocations together and the gate holds each one at its first
AWS call until all N have reached one. While one invocation is held its
environment is busy, so the runtime must serve the others from new (cold)
environments, exactly as Lambda scales out under concurrent load. A handler that
makes no AWS call is never held; after `timeout_s` the gate opens anyway.
"""

from __future__ import annotations

import threading
import time

from serverless_tutor.runtime.forwarding import ForwardedRequest, ForwardedResponse, RequestHandler


class ConcurrencyGate:
    def __init__(self, timeout_s: float = 2.0):
        self.timeout_s = timeout_s
        self._condition = threading.Condition()
        self._expected = 0
        self._arrived: set[str] = set()
        self._deadline = 0.0

    def arm(self, invocations: int) -> None:
        with self._condition:
            self._expected = invocations
            self._arrived = set()
            self._deadline = time.monotonic() + self.timeout_s

    def disarm(self) -> None:
        with self._condition:
            self._expected = 0
            self._condition.notify_all()

    def wrap(self, handle: RequestHandler) -> RequestHandler:
        def gated(request: ForwardedRequest) -> ForwardedResponse:
            self._wait(request.request_id)
            return handle(request)

        return gated

    def _wait(self, request_id: str) -> None:
        with self._condition:
            if self._expected <= 1:
                return
            self._arrived.add(request_id)
            if len(self._arrived) >= self._expected:
                self._expected = 0
                self._condition.notify_all()
                return
            while self._expected > 1:
                remaining = self._deadline - time.monotonic()
                if remaining <= 0:
                    self._expected = 0
                    self._condition.notify_all()
                    return
                self._condition.wait(remaining)
