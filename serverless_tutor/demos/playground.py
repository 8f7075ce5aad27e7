"""The invoke playground engine: run the bundled demos and watch Lambda's execution model.

One LambdaRuntime on the in-process backend (the demos are trusted, bundled code).
Each demo is its own function, so each has its own pool of environments. The engine
adds what a learner needs to see on top of the runtime: environments numbered in the
order they appeared, a history of results, "N requests at once", letting time pass
so idle environments are reclaimed, and a one-line reason for every cold or warm start.
"""

from __future__ import annotations

import threading
import time
from typing import Literal

from pydantic import BaseModel, ConfigDict

from serverless_tutor.demos import HANDLERS_DIR
from serverless_tutor.demos.catalog import DEMOS, WARM_UP, Demo, demo
from serverless_tutor.limits import DEFAULT_MEMORY_MB, MAX_MEMORY_MB, MIN_MEMORY_MB
from serverless_tutor.runtime.clock import Clock
from serverless_tutor.runtime.config import FunctionConfig
from serverless_tutor.runtime.environments import LambdaRuntime
from serverless_tutor.runtime.results import InvocationResult

KEEP_ALIVE_S = 600.0  # the runtime's default; AWS has reported 5-15 minutes, not promised
MAX_AT_ONCE = 10
HISTORY_LIMIT = 200


class FastForwardClock:
    """Real time, plus however much time the learner has skipped ahead."""

    def __init__(self) -> None:
        self._skipped = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return time.monotonic() + self._skipped

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        with self._lock:
            self._skipped += seconds
        return self.now()


class DemoInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    file: str
    handler: str
    summary: str
    try_this: str
    event_source: str
    timeout_s: float


class EnvironmentRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int  # 1, 2, 3 ... in the order environments appeared (since the last reset)
    id: str
    state: Literal["busy", "idle"]
    invocations: int
    age_s: float
    idle_s: float | None  # None while busy
    memory_mb: int | None  # the configuration it was created for (None if not known yet)
    last_start: Literal["cold", "warm"] | None


class PlaygroundInvocation(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: int  # 1, 2, 3 ... across all demos
    batch: int
    demo_id: str
    memory_mb: int
    at_s: float  # on the playground's clock
    environment_number: int
    cold: bool
    why: str  # one line: why this request was cold or warm
    destroyed: bool  # the environment did not survive this request (timeout, crash)
    result: InvocationResult


class BatchResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    batch: int
    demo_id: str
    memory_mb: int
    invocations: list[PlaygroundInvocation]
    explanation: str


class TimePassed(BaseModel):
    model_config = ConfigDict(frozen=True)

    seconds: float
    reclaimed: int
    reclaimed_by_demo: dict[
        str, list[int]
    ]  # demo id -> numbers of its environments that were reclaimed
    explanation: str


class InvokePlayground:
    """Invoke the bundled demos on one in-process runtime. Thread-safe: invokes are
    serialized with each other; environments() may be read at any time."""

    def __init__(self, clock: Clock | None = None, keep_alive_s: float = KEEP_ALIVE_S):
        self.clock = clock or FastForwardClock()
        self.keep_alive_s = keep_alive_s
        self._invoke_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._closed = False
        self._start()

    def _start(self) -> None:
        self._runtime = LambdaRuntime(
            backend="inprocess", keep_alive_s=self.keep_alive_s, clock=self.clock
        )
        self._warmed_up = False
        self._numbers: dict[str, int] = {}  # environment id -> number, counted per demo
        self._counts: dict[str, int] = {}  # demo id -> environments numbered so far
        self._memory: dict[str, int] = {}  # environment id -> memory size it was created for
        self._last_start: dict[str, Literal["cold", "warm"]] = {}
        self._gone: dict[
            str, str
        ] = {}  # demo id -> why its environments are gone (for the next cold start)
        self._alive: dict[str, set[str]] = {}  # demo id -> its environment ids after its last batch
        self._history: list[PlaygroundInvocation] = []
        self._batches = 0
        self._invocations = 0

    # ------------------------------------------------------------ catalog

    @staticmethod
    def demos() -> list[DemoInfo]:
        return [_info(d) for d in DEMOS]

    @staticmethod
    def source(demo_id: str) -> str:
        return demo(demo_id).source()

    @staticmethod
    def event(demo_id: str) -> dict:
        return demo(demo_id).event()

    # ------------------------------------------------------------ invoking

    def invoke(
        self, demo_id: str, memory_mb: int = DEFAULT_MEMORY_MB, at_once: int = 1
    ) -> BatchResult:
        """Send `at_once` requests to the demo at the same instant and wait for all of them."""
        chosen = demo(demo_id)
        if not MIN_MEMORY_MB <= memory_mb <= MAX_MEMORY_MB:
            raise ValueError(
                f"memory_mb: {memory_mb} is outside Lambda's {MIN_MEMORY_MB} to {MAX_MEMORY_MB} MB"
            )
        if not 1 <= at_once <= MAX_AT_ONCE:
            raise ValueError(
                f"at_once: {at_once} requests; the playground sends 1 to {MAX_AT_ONCE} at once"
            )
        config = _config(chosen, memory_mb)
        with self._invoke_lock:
            self._check_open()
            self._warm_up()
            self._runtime.reclaim_idle()
            before = self._runtime.environments(chosen.id)
            with self._state_lock:
                cold_reason = self._cold_reason(chosen.id, memory_mb, before, at_once)
            results = self._send(config, chosen, at_once)
            after = {env.id for env in self._runtime.environments(chosen.id)}
            with self._state_lock:
                self._batches += 1
                invocations = [
                    self._record(self._batches, chosen, memory_mb, result, after, cold_reason)
                    for result in results
                ]
                self._history.extend(invocations)
                del self._history[:-HISTORY_LIMIT]
                self._alive[chosen.id] = after
                self._gone.pop(chosen.id, None)
                if any(i.destroyed for i in invocations) and not after:
                    self._gone[chosen.id] = _destroyed_reason(invocations)
                return BatchResult(
                    batch=self._batches,
                    demo_id=chosen.id,
                    memory_mb=memory_mb,
                    invocations=invocations,
                    explanation=_explain_batch(invocations),
                )

    def _send(self, config: FunctionConfig, chosen: Demo, at_once: int) -> list[InvocationResult]:
        if at_once == 1:
            return [self._runtime.invoke(config, chosen.event())]
        return self._runtime.invoke_simultaneously(config, [chosen.event() for _ in range(at_once)])

    def _warm_up(self) -> None:
        if self._warmed_up:
            return
        self._runtime.invoke(_config(WARM_UP, MIN_MEMORY_MB), WARM_UP.event())
        self._runtime.destroy_environments(WARM_UP.id)
        self._warmed_up = True

    def _cold_reason(self, demo_id: str, memory_mb: int, before: list, at_once: int) -> str:
        """Why a request of this batch that gets a new environment is cold."""
        present = {env.id for env in before}
        if self._alive.get(demo_id, set()) - present and demo_id not in self._gone:
            self._gone[demo_id] = self._reclaimed_reason()
        same_config = [env for env in before if self._memory.get(env.id) == memory_mb]
        other_config = sorted(
            {
                self._memory[env.id]
                for env in before
                if self._memory.get(env.id) not in (None, memory_mb)
            }
        )
        if same_config:
            return (
                f"cold: the other requests held all {len(same_config)} warm environment(s); "
                "one environment serves one request at a time"
            )
        if other_config:
            reason = (
                f"memory changed from {'/'.join(map(str, other_config))} to {memory_mb} MB, and environments "
                "are reused only for an identical configuration"
            )
        elif demo_id in self._gone:
            reason = self._gone[demo_id]
        elif demo_id in self._alive:
            reason = "no environment was left for this function"
        else:
            reason = "first request: no environment existed yet, so Lambda created one and ran INIT"
        if at_once > 1:
            reason += "; each simultaneous request needs its own environment"
        return f"cold: {reason}"

    def _reclaimed_reason(self) -> str:
        return f"its environments sat idle for the keep-alive ({_minutes(self.keep_alive_s)}) and were reclaimed"

    def _record(
        self,
        batch: int,
        chosen: Demo,
        memory_mb: int,
        result: InvocationResult,
        after: set[str],
        cold_reason: str,
    ) -> PlaygroundInvocation:
        env_id = result.environment_id
        number = self._number(chosen.id, env_id)
        self._memory.setdefault(env_id, memory_mb)
        self._last_start[env_id] = "cold" if result.cold else "warm"
        self._invocations += 1
        why = (
            cold_reason
            if result.cold
            else f"warm: env #{number} was idle, so it took this request: no INIT, module state kept"
        )
        return PlaygroundInvocation(
            number=self._invocations,
            batch=batch,
            demo_id=chosen.id,
            memory_mb=memory_mb,
            at_s=self.clock.now(),
            environment_number=number,
            cold=result.cold,
            why=why,
            destroyed=env_id not in after,
            result=result,
        )

    def _number(self, demo_id: str, env_id: str) -> int:
        if env_id not in self._numbers:
            self._counts[demo_id] = self._counts.get(demo_id, 0) + 1
            self._numbers[env_id] = self._counts[demo_id]
        return self._numbers[env_id]

    # ------------------------------------------------------------ time, state

    def let_time_pass(self, seconds: float) -> TimePassed:
        """Move the clock on and reclaim environments idle for the keep-alive or longer."""
        if seconds < 0:
            raise ValueError("seconds: time only moves forward")
        advance = getattr(self.clock, "advance", None)
        if advance is None:
            raise ValueError("this playground runs on a clock that cannot be moved on")
        with self._invoke_lock:
            self._check_open()
            advance(seconds)
            reclaimed = self._runtime.reclaim_idle()
            lost: dict[str, list[int]] = {}
            with self._state_lock:
                for demo_id, alive in self._alive.items():
                    present = {env.id for env in self._runtime.environments(demo_id)}
                    if alive - present:
                        self._gone[demo_id] = self._reclaimed_reason()
                        lost[demo_id] = sorted(self._numbers[env_id] for env_id in alive - present)
                    self._alive[demo_id] = present
        return TimePassed(
            seconds=seconds,
            reclaimed=reclaimed,
            reclaimed_by_demo=lost,
            explanation=_explain_time(seconds, lost, self.keep_alive_s),
        )

    def environments(self, demo_id: str) -> list[EnvironmentRow]:
        demo(demo_id)
        now = self.clock.now()
        rows = []
        with self._state_lock:
            for env in self._runtime.environments(demo_id):
                idle = (
                    None
                    if env.busy or env.last_used_at is None
                    else max(0.0, now - env.last_used_at)
                )
                rows.append(
                    EnvironmentRow(
                        number=self._number(demo_id, env.id),
                        id=env.id,
                        state="busy" if env.busy else "idle",
                        invocations=env.invocations,
                        age_s=max(0.0, now - env.created_at),
                        idle_s=idle,
                        memory_mb=self._memory.get(env.id),
                        last_start=self._last_start.get(env.id),
                    )
                )
        return sorted(rows, key=lambda row: row.number)

    def history(self, demo_id: str | None = None) -> list[PlaygroundInvocation]:
        with self._state_lock:
            return [i for i in self._history if demo_id is None or i.demo_id == demo_id]

    def reset(self) -> None:
        """Destroy every environment and forget the history, as if the functions were new."""
        with self._invoke_lock:
            self._check_open()
            self._runtime.shutdown()
            with self._state_lock:
                self._start()

    def shutdown(self) -> None:
        """Destroy every environment. Does not wait for an invoke in flight: it finishes on
        its own (an in-process handler thread cannot be killed) and nothing runs after it."""
        with self._state_lock:
            if self._closed:
                return
            self._closed = True
            runtime = self._runtime
        runtime.shutdown()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> InvokePlayground:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("this playground has been shut down")


def _info(d: Demo) -> DemoInfo:
    return DemoInfo(
        id=d.id,
        title=d.title,
        file=d.file,
        handler=d.handler,
        summary=d.summary,
        try_this=d.try_this,
        event_source=d.event_source,
        timeout_s=d.timeout_s,
    )


def _config(d: Demo, memory_mb: int) -> FunctionConfig:
    return FunctionConfig(
        name=d.id,
        handler=d.handler,
        code_dir=HANDLERS_DIR,
        memory_mb=memory_mb,
        timeout_s=d.timeout_s,
    )


def _minutes(seconds: float) -> str:
    """600 -> '10 min', 569 -> '9 min 29 s', 45 -> '45 s'."""
    minutes, rest = divmod(round(seconds), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def _numbers_text(numbers: list[int]) -> str:
    labels = [f"#{n}" for n in numbers]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _destroyed_reason(invocations: list[PlaygroundInvocation]) -> str:
    statuses = {i.result.report.status for i in invocations if i.destroyed}
    what = (
        "a timeout"
        if statuses == {"timeout"}
        else "a crash"
        if "timeout" not in statuses
        else "a timeout or crash"
    )
    return f"the last environment was destroyed by {what}, so INIT runs again"


def _explain_batch(invocations: list[PlaygroundInvocation]) -> str:
    cold = [i.environment_number for i in invocations if i.cold]
    warm = [i.environment_number for i in invocations if not i.cold]
    destroyed = sorted({i.environment_number for i in invocations if i.destroyed})
    if len(invocations) == 1:
        text = invocations[0].why[0].upper() + invocations[0].why[1:] + "."
    else:
        parts = []
        if warm:
            parts.append(
                f"{_numbers_text(warm)} {'was' if len(warm) == 1 else 'were'} idle and reused (warm)"
            )
        if cold:
            parts.append(f"{_numbers_text(cold)} {'is' if len(cold) == 1 else 'are'} new (cold)")
        text = (
            f"{len(invocations)} at once: "
            + "; ".join(parts)
            + ". One environment serves one request at a time."
        )
    if destroyed:
        statuses = {i.result.report.status for i in invocations if i.destroyed}
        cause = "timed out" if statuses == {"timeout"} else "crashed"
        text += (
            f" Env {_numbers_text(destroyed)} {cause} and was destroyed: the next request is cold."
        )
    elif any(i.result.error is not None for i in invocations):
        text += " The handler raised, but an error does not destroy the environment: the next request is warm."
    return text


def _explain_time(seconds: float, lost: dict[str, list[int]], keep_alive_s: float) -> str:
    passed = f"{_minutes(seconds)} passed: " if seconds else ""
    if not lost:
        return f"{passed}no idle environment had reached the keep-alive ({_minutes(keep_alive_s)}), so none was reclaimed."
    which = "; ".join(
        f"{demo_id} {_numbers_text(numbers)}" for demo_id, numbers in sorted(lost.items())
    )
    text = (
        f"environments idle for the keep-alive ({_minutes(keep_alive_s)}) were reclaimed ({which}); "
        "the next request is cold."
    )
    return passed + (text if passed else text[0].upper() + text[1:])
