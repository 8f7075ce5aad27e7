"""Hold forwarded AWS calls so that several invocations run in step.

To test behaviour across concurrent execution environments deterministically, a test
step starts N invocations together and the gate runs their AWS calls in lockstep:
each invocation's k-th call waits until every other invocation has made its k-th call
or ended. So the first calls of all N are served before any second call: two
environments that read a counter and then write it back both read the old value, as
they can on Lambda, every time, not only when the scheduler happens to interleave
them. While one invocation is held its environment is busy, so the runtime serves the
others from new (cold) environments, exactly as Lambda scales out under concurrent
load. A handler that makes no AWS call is never held, and an invocation that ends is
not waited for. `timeout_s` is only a backstop for each wait (say, an INIT that
sleeps): it is long, since cold starts on a loaded machine can take seconds, and a
gate that opened early would let the invocations run one after the other and hide a
race.
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
        self._calls: dict[str, int] = {}  # request id -> AWS calls it has made
        self._ended: set[str] = set()

    def arm(self, invocations: int) -> None:
        with self._condition:
            self._expected = invocations
            self._calls = {}
            self._ended = set()

    def disarm(self) -> None:
        with self._condition:
            self._expected = 0
            self._condition.notify_all()

    def leave(self, request_id: str) -> None:
        """An invocation ended: no call waits for it any more."""
        with self._condition:
            self._ended.add(request_id)
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
            round_ = self._calls.get(request_id, 0) + 1
            self._calls[request_id] = round_
            self._condition.notify_all()
            deadline = time.monotonic() + self.timeout_s
            while self._expected > 1 and not self._all_reached(round_):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._expected = 0  # the backstop: open for good
                    self._condition.notify_all()
                    return
                self._condition.wait(remaining)

    def _all_reached(self, round_: int) -> bool:
        """Has every invocation made its `round_`-th call, or ended?"""
        reached = sum(1 for calls in self._calls.values() if calls >= round_)
        ended_short = sum(1 for rid in self._ended if self._calls.get(rid, 0) < round_)
        return reached + ended_short >= self._expected
