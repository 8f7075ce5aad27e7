"""Hold forwarded AWS calls so that several invocations are in flight at once.

To test behaviour across concurrent execution environments deterministically, a
test step starts N invocations together and the gate holds each one at its first
AWS call until each of the N has reached one or ended. While one invocation is
held its environment is busy, so the runtime must serve the others from new (cold)
environments, exactly as Lambda scales out under concurrent load. A handler that
makes no AWS call is never held: its invocation ends, and the gate stops waiting
for it. `timeout_s` is only a backstop (say, an INIT that sleeps): it is long, since
cold starts on a loaded machine can take seconds, and a gate that opened early
would let the invocations run one after the other and hide a race.
"""

from __future__ import annotations

import threading
import time

from serverless_tutor.runtime.forwarding import ForwardedRequest, ForwardedResponse, RequestHandler


class ConcurrencyGate:
    def __init__(self, timeout_s: float = 10.0):
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

    def leave(self, request_id: str) -> None:
        """An invocation ended; if it never reached an AWS call, wait for one fewer."""
        with self._condition:
            if self._expected <= 1 or request_id in self._arrived:
                return
            self._expected -= 1
            if len(self._arrived) >= self._expected:
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
