"""LambdaRuntime: the pool of execution environments and the invoke that uses them.

An invoke reuses the most recently used idle environment of the function (warm) or
creates a new one (cold: INIT, then INVOKE). Environments idle for longer than the
keep-alive are reclaimed, judged by the runtime's clock. A timeout or crash destroys
the environment; a handled exception does not.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
import threading
import uuid
import weakref
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from serverless_tutor.runtime.backend import ExecutionEnvironment, InitOutcome, Outcome
from serverless_tutor.runtime.clock import Clock, SystemClock
from serverless_tutor.runtime.config import FunctionConfig
from serverless_tutor.runtime.confine import ALL_LAYERS
from serverless_tutor.runtime.forwarding import RequestHandler, no_network_handler
from serverless_tutor.runtime.results import EnvironmentInfo, InvocationResult, LambdaError, Report

if TYPE_CHECKING:
    from serverless_tutor.runtime.template import TemplateProcess

MAX_EVENT_BYTES = 6 * 1024 * 1024


@dataclass
class _Slot:
    env: Any
    config_key: tuple
    created_at: float
    last_used: float
    invocations: int = 0
    busy: bool = True
    initialized: bool = False


class LambdaRuntime:
    def __init__(
        self,
        backend: Literal["sandbox", "inprocess"] = "sandbox",
        request_handler: RequestHandler | None = None,
        keep_alive_s: float = 600,
        clock: Clock | None = None,
        require_isolation: Iterable[str] = (),
        *,
        disable_isolation: Iterable[str] = (),
    ):
        """`disable_isolation` switches layers off on purpose, for demonstrations and
        for showing the fail-closed path (a layer both disabled and required makes
        every invoke fail without running anything)."""
        if backend not in ("sandbox", "inprocess"):
            raise ValueError(f"backend must be 'sandbox' or 'inprocess', not {backend!r}")
        self.require_isolation = list(require_isolation)
        self.disable_isolation = list(disable_isolation)
        for layer in self.require_isolation + self.disable_isolation:
            if layer not in ALL_LAYERS:
                raise ValueError(
                    f"unknown isolation layer {layer!r}; layers are: {', '.join(ALL_LAYERS)}"
                )
        if backend == "inprocess" and self.require_isolation:
            raise ValueError(
                "the in-process backend has no isolation layers; use backend='sandbox'"
            )
        self.backend = backend
        self.keep_alive_s = keep_alive_s
        self.clock = clock or SystemClock()
        self.request_handler = request_handler or no_network_handler
        self._lock = threading.Lock()
        self._slots: dict[str, list[_Slot]] = {}
        self._closed = False
        self._work_dir: Path | None = None
        self._template = None
        if backend == "sandbox":
            from serverless_tutor.runtime.template import TemplateProcess, take_early_template

            template = take_early_template()  # started before the command imported the rest
            if template is None or not template.alive:
                if template is not None:
                    _stop_sandbox(template, template.work_dir)
                template = TemplateProcess(
                    Path(tempfile.mkdtemp(prefix="serverless-tutor-sandbox-"))
                )
                template.start()  # imports boto3 in the background while the caller goes on
            self._template = template
            self._work_dir = template.work_dir
            # a runtime dropped without shutdown() still stops its template and wipes its scratch dirs
            self._finalizer = weakref.finalize(self, _stop_sandbox, self._template, self._work_dir)

    # ------------------------------------------------------------ public API
    def invoke(
        self, config: FunctionConfig, event: Any, *, client_context: dict | None = None
    ) -> InvocationResult:
        event_json = self._check_event(event)
        self.reclaim_idle()
        slot, cold = self._acquire(config)
        return self._run(config, slot, cold, event_json, client_context)

    def invoke_simultaneously(
        self, config: FunctionConfig, events: list[Any]
    ) -> list[InvocationResult]:
        """Requests that arrive at the same instant: each takes its own environment
        (idle ones first, then new, cold ones) before any of them runs, as on Lambda.
        Plain threads cannot promise that: a fast handler may free its environment
        before the next thread asks for one."""
        payloads = [self._check_event(event) for event in events]
        self.reclaim_idle()
        taken = [self._acquire(config) for _ in payloads]
        with ThreadPoolExecutor(
            max_workers=max(1, len(payloads)), thread_name_prefix="simultaneous-invoke"
        ) as pool:
            futures = [
                pool.submit(self._run, config, slot, cold, payload, None)
                for (slot, cold), payload in zip(taken, payloads, strict=False)
            ]
            return [future.result() for future in futures]

    def _check_event(self, event: Any) -> str:
        if self._closed:
            raise RuntimeError("this LambdaRuntime has been shut down")
        try:
            event_json = json.dumps(event, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"the event must be JSON-serialisable: {exc}") from None
        if len(event_json.encode()) > MAX_EVENT_BYTES:
            raise ValueError("the event exceeds Lambda's 6 MB synchronous payload limit")
        return event_json

    def _run(
        self,
        config: FunctionConfig,
        slot: _Slot,
        cold: bool,
        event_json: str,
        client_context: dict | None,
    ) -> InvocationResult:
        request_id = str(uuid.uuid4())
        init: InitOutcome | None = None
        try:
            if cold:
                init = slot.env.initialize()
                slot.initialized = True
                if init.error is not None:
                    return self._init_failure(config, slot, request_id, init)
            outcome = slot.env.invoke(request_id, event_json, client_context)
            return self._result(config, slot, request_id, outcome, init)
        except BaseException:
            self._discard(config.name, slot)
            raise
        finally:
            self._release(config.name, slot)

    def environments(self, function_name: str) -> list[EnvironmentInfo]:
        with self._lock:
            return [
                EnvironmentInfo(
                    id=s.env.id,
                    created_at=s.created_at,
                    invocations=s.invocations,
                    busy=s.busy,
                    init_count=1 if s.initialized else 0,
                    last_used_at=s.last_used,
                    backend=self.backend,
                    pid=getattr(s.env, "pid", None),
                )
                for s in self._slots.get(function_name, [])
            ]

    def destroy_environments(self, function_name: str) -> int:
        """Destroy the function's idle environments now (the next invoke is cold), as
        Lambda does when it recycles them. Returns how many were destroyed."""
        with self._lock:
            slots = self._slots.get(function_name, [])
            doomed = [slot for slot in slots if not slot.busy]
            for slot in doomed:
                slots.remove(slot)
        for slot in doomed:
            slot.env.destroy()
        return len(doomed)

    def sandbox_pids(self) -> set[int]:
        """Every process currently running under this runtime's sandbox template (the
        workers and anything they started). Empty for the in-process backend."""
        return self._template.descendants() if self._template is not None else set()

    def reclaim_idle(self) -> int:
        now = self.clock.now()
        doomed = []
        with self._lock:
            for _name, slots in self._slots.items():
                for slot in list(slots):
                    if not slot.busy and now - slot.last_used >= self.keep_alive_s:
                        slots.remove(slot)
                        doomed.append(slot)
        for slot in doomed:
            slot.env.destroy()
        return len(doomed)

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            slots = [slot for slots in self._slots.values() for slot in slots]
            self._slots.clear()
        for slot in slots:
            slot.env.destroy()
        if self._template is not None:
            self._finalizer()

    def __enter__(self) -> LambdaRuntime:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    # ------------------------------------------------------------ pool
    def _acquire(self, config: FunctionConfig) -> tuple[_Slot, bool]:
        key = config.fingerprint()
        stale = []
        with self._lock:
            slots = self._slots.setdefault(config.name, [])
            for slot in list(slots):  # a changed configuration retires the old environments
                if slot.config_key != key and not slot.busy:
                    slots.remove(slot)
                    stale.append(slot)
            idle = [s for s in slots if not s.busy and s.config_key == key]
            if idle:
                slot = max(idle, key=lambda s: s.last_used)
                slot.busy = True
                cold = False
            else:
                now = self.clock.now()
                slot = _Slot(
                    env=self._new_environment(config), config_key=key, created_at=now, last_used=now
                )
                slots.append(slot)
                cold = True
        for old in stale:
            old.env.destroy()
        return slot, cold

    def _new_environment(self, config: FunctionConfig) -> ExecutionEnvironment:
        if self.backend == "inprocess":
            from serverless_tutor.runtime.inprocess import InProcessEnvironment

            return InProcessEnvironment(config, self.request_handler)
        from serverless_tutor.runtime.sandbox import SandboxEnvironment

        if self._template is None or self._work_dir is None:
            raise RuntimeError("the sandbox backend has no template process")
        return SandboxEnvironment(
            self._template,
            config,
            self._work_dir,
            self.request_handler,
            self.require_isolation,
            self.disable_isolation,
        )

    def _release(self, function_name: str, slot: _Slot) -> None:
        with self._lock:
            slot.busy = False
            slot.last_used = self.clock.now()
            slot.invocations += 1

    def _discard(self, function_name: str, slot: _Slot) -> None:
        with self._lock:
            slots = self._slots.get(function_name, [])
            if slot in slots:
                slots.remove(slot)
        slot.env.destroy()

    # ------------------------------------------------------------ results
    def _init_failure(
        self, config: FunctionConfig, slot: _Slot, request_id: str, init: InitOutcome
    ) -> InvocationResult:
        self._discard(config.name, slot)
        shape = init.error or {}
        error = LambdaError(
            error_type=shape.get("errorType", "Runtime.Unknown"),
            error_message=shape.get("errorMessage", ""),
            stack_trace=shape.get("stackTrace") or [],
            request_id="",  # Lambda's INIT errors belong to no request: awslambdaric sends ""
        )
        report = Report(
            duration_ms=0.0,
            billed_duration_ms=math.ceil(init.init_ms),
            memory_size_mb=config.memory_mb,
            max_memory_used_mb=init.max_memory_mb,
            max_memory_estimated=slot.env.memory_estimated,
            init_duration_ms=round(init.init_ms, 2),
            status="timeout" if init.status == "timeout" else "error",
            error_type=error.error_type,
        )
        logs = (
            _init_start()
            + init.logs
            + f"START RequestId: {request_id} Version: $LATEST\n"
            + f"END RequestId: {request_id}\n"
            + report.line(request_id)
            + "\n"
        )
        return InvocationResult(
            request_id=request_id,
            cold=True,
            environment_id=slot.env.id,
            error=error,
            logs=logs,
            report=report,
            isolation=list(init.isolation),
            function_name=config.name,
        )

    def _result(
        self,
        config: FunctionConfig,
        slot: _Slot,
        request_id: str,
        outcome: Outcome,
        init: InitOutcome | None,
    ) -> InvocationResult:
        if outcome.destroyed:
            self._discard(config.name, slot)
        cold = init is not None
        init_ms = round(init.init_ms, 2) if init is not None else None
        spent_in_init = init.init_ms if init is not None else 0.0
        billed = math.ceil(outcome.duration_ms + spent_in_init)
        if outcome.status == "timeout":
            billed = math.ceil(config.timeout_s * 1000 + spent_in_init)
        error = None
        if outcome.error is not None:
            error = LambdaError(
                error_type=outcome.error["errorType"],
                error_message=outcome.error["errorMessage"],
                stack_trace=outcome.error.get("stackTrace") or [],
                request_id=request_id,
            )
        report = Report(
            duration_ms=round(outcome.duration_ms, 2),
            billed_duration_ms=max(1, billed),
            memory_size_mb=config.memory_mb,
            max_memory_used_mb=outcome.max_memory_mb,
            max_memory_estimated=slot.env.memory_estimated,
            init_duration_ms=init_ms,
            status=outcome.status,
            error_type=error.error_type if error else None,
        )
        response = None
        if outcome.payload is not None:
            response = json.loads(outcome.payload)
        logs = ""
        if init is not None:
            logs += _init_start() + init.logs
        logs += f"START RequestId: {request_id} Version: $LATEST\n" + outcome.logs
        logs += "".join(line + "\n" for line in outcome.extra_log_lines)
        logs += f"END RequestId: {request_id}\n" + report.line(request_id) + "\n"
        isolation = (
            list(init.isolation) if init is not None else list(getattr(slot.env, "isolation", []))
        )
        return InvocationResult(
            request_id=request_id,
            cold=cold,
            environment_id=slot.env.id,
            response=response,
            error=error,
            logs=logs,
            report=report,
            isolation=isolation,
            function_name=config.name,
            logs_truncated=outcome.logs_truncated,
        )


def _stop_sandbox(template: TemplateProcess, work_dir: Path) -> None:
    template.close()
    shutil.rmtree(work_dir, ignore_errors=True)


def _init_start() -> str:
    return "INIT_START Runtime Version: python:3.11\n"
