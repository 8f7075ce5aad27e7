"""`offline`: the local API Gateway on a real HTTP port (like serverless-offline).

The HTTP front (http_front.py, h11 on asyncio) receives requests whole and answers
malformed ones itself; this module hands the rest to ApiGateway.handle and adds
what API Gateway does around Lambda:

- methods API Gateway does not have (FOO, TRACE) are refused as an unmatched route
  is (ApiGateway.no_route): a REST API's 403, an HTTP API's 404;
- a request whose event would pass Lambda's 6 MB synchronous payload limit gets
  413 and invokes nothing;
- a function at its concurrency limit (ConcurrencyLimitedRuntime) throttles: Lambda
  answers API Gateway 429, and API Gateway turns that into 500 Internal server error
  for the client (a Lambda proxy integration does not pass the 429 on);
- while more than `max_backlog` asynchronous events wait for delivery (`backlog()`,
  e.g. the router's queue), a new request waits for room before it is handed on:
  backpressure keeps the queue, and memory, bounded under sustained load; after
  29 s (API Gateway's integration timeout) of waiting it gets 503;
- during shutdown, requests still arriving get 503.

Under a fault plan (`offline --faults PLAN`) the functions' AWS calls go through the
plan at the bridge and the router's deliveries honour it (`OfflineFaults`); each
fault it injects is reported as a FaultLog, since the learner is experimenting.

It never prints: each request is reported to `on_request` as a RequestLog, whose
`line()` shows learner-controlled text (paths, error messages) with every control
character escaped, and the CLI decides how to show it.
"""

from __future__ import annotations

import asyncio
import collections
import json
import shlex
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel

from serverless_tutor.cloud.apigateway import ApiGateway, HttpRequest, HttpResponse
from serverless_tutor.cloud.concurrency import (
    ConcurrencyLimitedRuntime,
    RuntimeStopped,
    Throttled,
    synchronous_invokes,
)
from serverless_tutor.cloud.faults import (
    CallRule,
    FaultInjector,
    FaultPlan,
    InjectedFault,
    When,
)
from serverless_tutor.cloud.http_front import FrontLimits, HttpFront, Refusal
from serverless_tutor.limits import SYNC_PAYLOAD_BYTES
from serverless_tutor.terminal_text import one_line

if TYPE_CHECKING:
    from serverless_tutor.cloud.account import LocalAccount
    from serverless_tutor.cloud.apigateway import Route
    from serverless_tutor.cloud.routing.router import EventRouter
    from serverless_tutor.runtime.forwarding import RequestHandler

API_GATEWAY_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
SHUTDOWN_DEADLINE_S = 4.0  # the clean-up's share of the 5 s `offline` promises to stop within
DEFAULT_MAX_BACKLOG = 1_000
BACKLOG_WAIT_S = 29.0  # API Gateway's integration timeout
_BACKLOG_POLL_S = 0.01
_WITH_BODY = {"POST", "PUT", "PATCH"}


class RequestLog(BaseModel):
    method: str
    path: str
    status: int
    function_name: str | None
    cold: bool | None
    duration_ms: float | None  # the function's own duration (REPORT)
    total_ms: float  # wall time in the server, gateway included
    problem: str | None = None

    def line(self) -> str:
        """One line for a terminal; learner-controlled text has its control characters escaped."""
        who = self.function_name or "-"
        state = "" if self.cold is None else ("cold" if self.cold else "warm")
        duration = "" if self.duration_ms is None else f"{self.duration_ms:.1f} ms"
        text = " ".join(
            part
            for part in (self.method, self.path, "->", who, state, duration, str(self.status))
            if part
        )
        text = f"{text} ({self.problem})" if self.problem else text
        return one_line(text)


class FaultLog(BaseModel):
    """One fault the plan injected: what, on which call or delivery, in which function."""

    fault: InjectedFault

    def line(self) -> str:
        """One line for a terminal; learner-controlled text has its control characters escaped."""
        fault = self.fault
        who = [f"function {fault.function}"] if fault.function else []
        if fault.request_id:
            who.append(f"request {fault.request_id}")
        text = f"fault injected: {fault.kind} on {fault.target}"
        return one_line(text + (f" ({', '.join(who)})" if who else ""))


class OfflineFaults:
    """A fault plan in front of `offline`'s account and event router.

    `request_handler` is what the runtime serves the functions' AWS calls with (errors,
    latency, timeouts, crashes after the write); `attach(router)` makes deliveries
    follow the plan too (duplicates, reordered batches, redeliveries). Each injected
    fault goes to `on_fault` as it happens; none are kept, since offline runs for hours.
    """

    def __init__(
        self,
        plan: FaultPlan,
        account: LocalAccount,
        on_fault: Callable[[FaultLog], None] | None = None,
    ):
        self.plan = plan
        self._on_fault = on_fault
        self.injector = FaultInjector(plan, on_fault=self._report, keep=False)
        self.request_handler: RequestHandler = account.with_faults(self.injector)

    def attach(self, router: EventRouter) -> None:
        router.faults = self.injector

    def describe(self) -> list[str]:
        """What `offline` prints at start: the plan, then one line per rule."""
        lines = [f"fault plan {self.plan.name!r} (seed {self.plan.seed})"]
        if self.plan.description:
            lines.append(self.plan.description.strip())
        for number, rule in enumerate(self.plan.rules, start=1):
            if isinstance(rule, CallRule):
                call = rule.call
                what = f"calls {call.service}:{call.action} on {call.resource}"
                function = call.function
            else:
                what = f"{rule.delivery.source} deliveries"
                function = rule.delivery.function
            if function != "*":
                what += f" by {function}"
            lines.append(f"  rule {number}: {what}: {rule.effect.kind}, {_which(rule.when)}")
        return [one_line(line) for line in lines]

    def _report(self, fault: InjectedFault) -> None:
        if self._on_fault is not None:
            self._on_fault(FaultLog(fault=fault))


def _which(when: When) -> str:
    if when.nth is not None:
        which = f"match {when.nth} only"
    elif when.every is not None:
        which = f"every {when.every}. match"
    elif when.probability is not None:
        which = f"each match with probability {when.probability:g}"
    else:
        which = "every match"
    return which + (f", at most {when.times} times" if when.times is not None else "")


class OfflineServer:
    def __init__(
        self,
        api: ApiGateway,
        *,
        limiter: ConcurrencyLimitedRuntime | None = None,
        host: str = "127.0.0.1",
        port: int = 3000,
        limits: FrontLimits | None = None,
        on_request: Callable[[RequestLog], None] | None = None,
        backlog: Callable[[], int] | None = None,
        max_backlog: int = DEFAULT_MAX_BACKLOG,
    ):
        self.api = api
        self.limiter = limiter
        self.backlog = backlog
        self.max_backlog = max_backlog
        self._room = threading.Condition()
        self._waiting: collections.deque[object] = collections.deque()
        self.on_request = on_request
        self.quiet = False  # set while stopping: no more request lines
        self.stopping = False
        self.front = HttpFront(
            self._handle, host=host, port=port, limits=limits, on_refused=self._refused
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stop_serving: asyncio.Event | None = None

    @property
    def port(self) -> int:
        return int(self.front.port)

    @property
    def base_url(self) -> str:
        return f"http://{self.front.host}:{self.port}"

    # -- serving -------------------------------------------------------------------------------

    async def serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self.front.serve()

    async def shutdown(self, clean_up: Callable[[], None], deadline_s: float) -> bool:
        """Stop accepting, close every connection, then run `clean_up` (stop the router
        and the environments) on a thread of its own; True if it finished in time."""
        self.stopping = True
        self.quiet = True
        await self.front.close()
        loop = asyncio.get_running_loop()
        finished: asyncio.Future[None] = loop.create_future()

        def run() -> None:
            try:
                clean_up()
            finally:
                if not loop.is_closed():
                    loop.call_soon_threadsafe(_settle, finished)

        # A daemon thread: a clean-up stuck in a function that ignores every signal
        # must not keep the process alive past the deadline.
        threading.Thread(target=run, name="offline-clean-up", daemon=True).start()
        try:
            async with asyncio.timeout(deadline_s):
                await finished
        except TimeoutError:
            return False
        return True

    def start(self) -> None:
        """Serve on a thread of its own; stop() or close() ends it."""
        ready = threading.Event()

        def run() -> None:
            async def main() -> None:
                self._loop = asyncio.get_running_loop()
                self._stop_serving = asyncio.Event()
                serving = asyncio.create_task(self.serve())
                ready.set()
                await self._stop_serving.wait()
                await self.front.close()
                await serving

            asyncio.run(main())

        self._thread = threading.Thread(target=run, name="offline-http", daemon=True)
        self._thread.start()
        ready.wait()

    @property
    def serving(self) -> bool:
        """True while the thread start() started is serving."""
        return self._thread is not None and self._thread.is_alive()

    def close(self, clean_up: Callable[[], None], deadline_s: float) -> bool:
        """From any thread: shutdown() on the server's loop, then end it; True if the
        clean-up finished within the deadline."""
        if self._loop is None or not self.serving:  # the loop has ended (it failed)
            worker = threading.Thread(target=clean_up, name="offline-clean-up", daemon=True)
            worker.start()
            worker.join(deadline_s)
            return not worker.is_alive()
        done = asyncio.run_coroutine_threadsafe(self.shutdown(clean_up, deadline_s), self._loop)
        try:
            clean = done.result(deadline_s + 1.0)
        except TimeoutError:
            clean = False  # the loop itself did not answer in time
        self.stop(timeout_s=1.0)
        return clean

    def stop(self, timeout_s: float = 10) -> None:
        """Stop what start() started: close the listener and every connection."""
        if self._loop is None or self._thread is None or self._stop_serving is None:
            return
        self._loop.call_soon_threadsafe(self._stop_serving.set)
        self._thread.join(timeout_s)
        self._thread = None

    # -- what `offline` prints at start --------------------------------------------------------

    def curl_examples(self) -> list[str]:
        """A command that runs as it is, for each route (path parameters filled with their names)."""
        return [_curl(route, self.base_url, self.api.stage) for route in self.api.routes]

    # -- one request -----------------------------------------------------------------------------

    def _handle(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self._answer(request)
        target = request.path + (f"?{request.query}" if request.query else "")
        self._report(
            RequestLog(
                method=request.method,
                path=target,
                status=response.status,
                function_name=response.function_name,
                cold=response.cold,
                duration_ms=response.duration_ms,
                total_ms=(time.perf_counter() - started) * 1000,
                problem=response.problem,
            )
        )
        return response

    def _answer(self, request: HttpRequest) -> HttpResponse:
        if self.stopping:
            return _json(503, "Service Unavailable", "offline is stopping")
        if request.method not in API_GATEWAY_METHODS:
            return self.api.no_route(request.path, f"API Gateway has no {request.method} method")
        if len(request.body) > SYNC_PAYLOAD_BYTES:
            return _too_large(len(request.body))
        if not self._room_in_backlog():
            return _json(
                503,
                "Service Unavailable",
                f"still more than {self.max_backlog:,} asynchronous events waiting after "
                f"{BACKLOG_WAIT_S:g} s (offline --max-queued)",
            )
        try:
            with synchronous_invokes():
                return self.api.handle(request)
        except Throttled as throttled:
            return self._throttled(request, throttled)
        except RuntimeStopped:
            return _json(503, "Service Unavailable", "offline is stopping")
        except ValueError as error:
            if "payload limit" in str(error):  # the event as a whole (base64, headers) is too big
                return _too_large(len(request.body))
            raise

    def _room_in_backlog(self) -> bool:
        """Wait while the asynchronous backlog is over its bound, first come first
        served; False if it stays over for BACKLOG_WAIT_S (or offline is stopping)."""
        if self.backlog is None:
            return True
        me = object()
        deadline = time.monotonic() + BACKLOG_WAIT_S
        with self._room:
            self._waiting.append(me)
            try:
                while self._waiting[0] is not me or self.backlog() > self.max_backlog:
                    if self.stopping or time.monotonic() > deadline:
                        return False
                    self._room.wait(_BACKLOG_POLL_S)  # the backlog shrinks without telling us
                return True
            finally:
                self._waiting.remove(me)
                self._room.notify_all()

    def _throttled(self, request: HttpRequest, throttled: Throttled) -> HttpResponse:
        segments = [s for s in request.path.split("/") if s]
        rest = (
            bool(segments)
            and segments[0] == self.api.stage
            and any(
                r.api == "rest" and r.function_name == throttled.function_name
                for r in self.api.routes
            )
        )
        problem = f"throttled, not invoked: {throttled} (offline --concurrency)"
        if rest:
            response = _json(500, "Internal server error", problem)
            response.headers.append(("x-amzn-ErrorType", "InternalServerErrorException"))
        else:
            response = _json(500, "Internal Server Error", problem)
        response.function_name = throttled.function_name
        return response

    def _refused(self, refusal: Refusal) -> None:
        self._report(
            RequestLog(
                method=refusal.method,
                path=refusal.target,
                status=refusal.status,
                function_name=None,
                cold=None,
                duration_ms=None,
                total_ms=0.0,
                problem=refusal.problem,
            )
        )

    def _report(self, log: RequestLog) -> None:
        if self.on_request is not None and not self.quiet:
            self.on_request(log)


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _json(status: int, message: str, problem: str) -> HttpResponse:
    return HttpResponse(
        status=status,
        headers=[("Content-Type", "application/json")],
        body=json.dumps({"message": message}).encode(),
        problem=problem,
    )


def _too_large(size: int) -> HttpResponse:
    return _json(
        413,
        "Request Too Long",
        f"a body of {size:,} bytes makes an event over Lambda's {SYNC_PAYLOAD_BYTES:,}-byte "
        "synchronous payload limit; nothing was invoked",
    )


def _curl(route: Route, base: str, stage: str) -> str:
    if route.path == "*":
        path = "/"
    else:
        segments = []
        for segment in route.segments:
            if segment.startswith("{") and segment.endswith("+}"):
                segments.append("any/path")
            elif segment.startswith("{") and segment.endswith("}"):
                segments.append(segment[1:-1])  # the parameter's name as its value
            else:
                segments.append(segment)
        path = "/" + "/".join(segments)
    url = f"{base}/{stage}{path}" if route.api == "rest" else f"{base}{path}"
    method = "GET" if route.method in ("ANY", "*") else route.method
    parts = ["curl"]
    if method == "HEAD":
        parts.append("-I")
    elif method != "GET":
        parts += ["-X", method]
    parts.append(shlex.quote(url))
    if method in _WITH_BODY:
        parts += ["-H", shlex.quote("Content-Type: application/json"), "-d", shlex.quote("{}")]
    return " ".join(parts)
