"""The sandbox backend, parent side: a clean template process that forks workers,
and one worker process per execution environment.

The parent owns the deadline, the kill, the log and result caps, and the verdict:
everything a worker sends is a frame checked against protocol.py; its stdout and
stderr are only ever treated as log text.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import ValidationError

from serverless_tutor.paths import content_root, data_home
from serverless_tutor.runtime.backend import InitOutcome, Outcome
from serverless_tutor.runtime.config import INIT_LIMIT_S, FunctionConfig, lambda_variables
from serverless_tutor.runtime.confine import PARENT_LAYERS
from serverless_tutor.runtime.forwarding import ForwardedRequest, ForwardedResponse, RequestHandler
from serverless_tutor.runtime.frames import FrameError, encode_frame, recv_frame_bytes
from serverless_tutor.runtime.logs import LogCapture
from serverless_tutor.runtime.protocol import (
    CallFrame,
    HelloFrame,
    InitDoneFrame,
    ResultFrame,
    worker_frame,
)
from serverless_tutor.runtime.template import (  # noqa: F401  (SandboxUnavailable: for callers)
    TEMPLATE_ENV,
    SandboxUnavailable,
    TemplateProcess,
)

_RUNTIME_DIR = Path(__file__).resolve().parent
MAX_RESULT_FRAME_BYTES = 8 * 1024 * 1024  # a 6 MB payload JSON-escaped, plus the envelope
_SIGNAL_NAMES = {
    signal.SIGKILL: "killed",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGABRT: "aborted",
    signal.SIGXCPU: "CPU time limit exceeded",
    signal.SIGXFSZ: "file size limit exceeded",
    signal.SIGBUS: "bus error",
    signal.SIGTERM: "terminated",
    signal.SIGINT: "interrupt",
    signal.SIGSYS: "bad system call",
    signal.SIGPIPE: "broken pipe",
}


_SMALL_EVENT_CHARS = 16 * 1024  # fits in the socket buffer of a stopped worker
_ExpectedFrame = TypeVar("_ExpectedFrame", HelloFrame, InitDoneFrame, ResultFrame)


class SandboxEnvironment:
    """One execution environment = one worker process in its own session."""

    memory_estimated = False  # Max Memory Used is the worker's own peak RSS, measured

    def __init__(
        self,
        template: TemplateProcess,
        config: FunctionConfig,
        scratch_root: Path,
        request_handler: RequestHandler,
        require: list[str],
        disable: list[str],
    ):
        self.id = uuid.uuid4().hex[:12]
        self.config = config
        self.isolation: list[str] = []
        self.isolation_detail = ""
        self._template = template
        self._request_handler = request_handler
        self._require = require
        self._disable = disable
        self.scratch = Path(tempfile.mkdtemp(prefix=f"env-{self.id}-", dir=scratch_root))
        self.log_stream_name = (
            datetime.now(UTC).strftime("%Y/%m/%d/") + "[$LATEST]" + uuid.uuid4().hex
        )
        self.pid: int | None = None
        self._sock: socket.socket | None = None
        self._log_fd: int | None = None
        self._dead = False
        self._last_memory_mb = 0
        self._freeze_when_idle = "frozen-when-idle" not in disable
        self._frozen = False

    # ------------------------------------------------------------ lifecycle
    def initialize(self) -> InitOutcome:
        unavailable = [
            layer for layer in self._require if layer in PARENT_LAYERS and layer in self._disable
        ]
        if unavailable:  # known before any process starts: nothing is run
            self.destroy()
            return self._refused(unavailable, "")
        parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        log_r, log_w = os.pipe2(os.O_CLOEXEC)
        self._template.wait_ready()  # the template's own start-up is not part of this cold start
        started = time.monotonic()
        try:
            self.pid = self._template.spawn(
                child_sock.fileno(), log_w, pid_namespace="pid-namespace" not in self._disable
            )
        finally:
            child_sock.close()
            os.close(log_w)
        os.set_blocking(log_r, False)
        self._sock = parent_sock
        self._log_fd = log_r
        capture = LogCapture()
        try:
            self._send(self._init_message())
        except OSError:
            failure = self._crashed("", capture, started, "the runtime was gone before INIT")
            return self._init_failed(failure, capture, started)
        deadline = started + INIT_LIMIT_S
        hello = self._wait_for(HelloFrame, deadline, capture)
        if isinstance(hello, Outcome):
            return self._init_failed(hello, capture, started)
        self.isolation = list(hello.isolation)
        if self._freeze_when_idle:
            self.isolation.append("frozen-when-idle")
        self.isolation_detail = hello.detail
        if hello.refused:
            missing = [layer for layer in self._require if layer not in self.isolation]
            self.destroy()
            return self._refused(missing, hello.detail)
        done = self._wait_for(InitDoneFrame, deadline, capture)
        if isinstance(done, Outcome):
            return self._init_failed(done, capture, started)
        self._drain_logs(capture)
        init_ms = (time.monotonic() - started) * 1000
        memory = self._memory_mb()
        if done.error is not None:
            self.destroy()
            return InitOutcome(
                isolation=self.isolation,
                init_ms=init_ms,
                status="error",
                error=done.error.model_dump(),
                logs=capture.text(),
                max_memory_mb=memory,
            )
        return InitOutcome(
            isolation=self.isolation, init_ms=init_ms, logs=capture.text(), max_memory_mb=memory
        )

    def _refused(self, missing: list[str], detail: str) -> InitOutcome:
        message = f"Required isolation not available, nothing was run: {', '.join(missing)}" + (
            f" ({detail})" if detail else ""
        )
        return InitOutcome(
            isolation=self.isolation,
            status="error",
            error={
                "errorType": "Sandbox.IsolationUnavailable",
                "errorMessage": message,
                "stackTrace": [],
            },
        )

    def _init_failed(self, failure: Outcome, capture: LogCapture, started: float) -> InitOutcome:
        self._drain_logs(capture)
        return InitOutcome(
            isolation=self.isolation,
            init_ms=(time.monotonic() - started) * 1000,
            status=failure.status,
            error=failure.error,
            logs=capture.text(),
            max_memory_mb=failure.max_memory_mb,
        )

    def _init_message(self) -> dict[str, Any]:
        config = self.config
        env = dict(TEMPLATE_ENV)
        env.pop("MALLOC_ARENA_MAX")
        env.update(lambda_variables(config))
        env["AWS_LAMBDA_LOG_STREAM_NAME"] = self.log_stream_name
        return {
            "t": "init",
            "handler": config.handler,
            "code_dir": str(config.code_dir),
            "memory_mb": config.memory_mb,
            "timeout_s": config.timeout_s,
            "ephemeral_storage_mb": config.ephemeral_storage_mb,
            "scratch_dir": str(self.scratch),
            "env": env,
            "require": [layer for layer in self._require if layer not in PARENT_LAYERS],
            "disable": [layer for layer in self._disable if layer not in PARENT_LAYERS],
            "hidden": tutor_paths(),
            "context": {
                "function_name": config.name,
                "memory_limit_in_mb": str(config.memory_mb),
                "invoked_function_arn": config.arn,
                "log_group_name": f"/aws/lambda/{config.name}",
                "log_stream_name": self.log_stream_name,
            },
        }

    def destroy(self) -> None:
        """Kill the worker's whole process group and wipe its scratch /tmp."""
        if self.pid is not None and not self._dead:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
        self._dead = True
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._log_fd is not None:
            os.close(self._log_fd)
            self._log_fd = None
        shutil.rmtree(self.scratch, ignore_errors=True)

    # ------------------------------------------------------------ invoke
    def invoke(self, request_id: str, event_json: str, client_context: dict | None) -> Outcome:
        timeout = self.config.timeout_s
        started = time.monotonic()
        deadline = started + timeout
        capture = LogCapture()
        if len(event_json) > _SMALL_EVENT_CHARS:
            self._thaw()  # a large frame must be read while it is written
        self._drain_logs(capture)  # output of threads that outlived the previous invoke
        message = {
            "t": "invoke",
            "request_id": request_id,
            "event": event_json,
            "deadline_ms": int((time.time() + timeout) * 1000),
            "client_context": client_context,
            "identity": None,
            "trace_id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0",
        }
        try:
            self._send(message)
        except OSError:
            return self._crashed(
                request_id, capture, started, "the runtime was gone before the invoke"
            )
        # Thawed after a small invoke is queued: the worker wakes once, to find it waiting.
        self._thaw()
        frame = self._wait_for(ResultFrame, deadline, capture, request_id=request_id)
        if isinstance(frame, Outcome):
            return frame
        self._drain_logs(capture)
        elapsed_ms = (time.monotonic() - started) * 1000
        duration = min(float(frame.duration_ms), elapsed_ms)
        memory = self._memory_mb()
        if frame.request_id != request_id:
            return self._violation(request_id, capture, started, "result for another request")
        problem = _payload_problem(frame.payload) or self._frames_after_result()
        if problem:
            return self._violation(request_id, capture, started, problem)
        if frame.out_of_memory or memory > self.config.memory_mb:
            self.destroy()
            return Outcome(
                status="out_of_memory",
                duration_ms=duration,
                max_memory_mb=max(memory, self.config.memory_mb),
                error={
                    "errorType": "Runtime.OutOfMemory",
                    "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
                    "stackTrace": [],
                },
                logs=capture.text(),
                logs_truncated=capture.truncated,
                destroyed=True,
                extra_log_lines=[
                    f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
                    "Runtime.OutOfMemory",
                ],
            )
        self._freeze()
        if frame.error is not None:
            error = frame.error.model_dump()
            error.pop("requestId", None)
            return Outcome(
                status="error",
                duration_ms=duration,
                max_memory_mb=memory,
                error=error,
                logs=capture.text(),
                logs_truncated=capture.truncated,
            )
        return Outcome(
            status="success",
            duration_ms=duration,
            max_memory_mb=memory,
            payload=frame.payload,
            logs=capture.text(),
            logs_truncated=capture.truncated,
        )

    def _freeze(self) -> None:
        """Stop every process of the environment until the next invoke, as Lambda freezes
        an idle environment: background threads do not run while it waits."""
        if self._freeze_when_idle and self.pid is not None and not self._dead:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGSTOP)
                self._frozen = True

    def _thaw(self) -> None:
        if self._frozen and self.pid is not None and not self._dead:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGCONT)
        self._frozen = False

    def _frames_after_result(self) -> str | None:
        """A genuine runtime sends nothing after its result (it keeps the channel locked
        until the next invoke arrives), so anything already waiting is forged or extra."""
        assert self._sock is not None
        readable, _, _ = select.select([self._sock], [], [], 0)
        if not readable:
            return None
        try:
            pending = self._sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except OSError:
            return None
        if not pending:
            return None  # the worker hung up after its result: the next invoke will see it
        return "more frames after the result"

    # ------------------------------------------------------------ protocol plumbing
    def _send(self, message: dict[str, Any], timeout: float = 10) -> None:
        if self._sock is None:
            raise ConnectionError("the environment is gone")
        self._sock.settimeout(max(0.001, timeout))
        self._sock.sendall(encode_frame(message))

    def _wait_for(
        self,
        expected: type[_ExpectedFrame],
        deadline: float,
        capture: LogCapture,
        request_id: str = "",
    ) -> _ExpectedFrame | Outcome:
        """Serve forwarded calls and collect logs until the `expected` frame arrives.
        Returns the frame, or an Outcome when the deadline passes or the worker dies."""
        sock, log_fd = self._sock, self._log_fd
        if sock is None or log_fd is None:
            return self._crashed(request_id, capture, time.monotonic(), "the environment is gone")
        started = time.monotonic()
        watch: list[socket.socket | int] = [sock, log_fd]
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return self._timed_out(request_id, capture, started)
            readable, _, _ = select.select(watch, [], [], remaining)
            if log_fd in readable and not self._read_logs(capture):
                watch = [sock]  # every writer closed its end; the process is probably gone
            if sock not in readable:
                continue
            try:
                sock.settimeout(max(0.001, deadline - time.monotonic()))
                data = recv_frame_bytes(sock, MAX_RESULT_FRAME_BYTES)
                frame = worker_frame.validate_json(data)
            except TimeoutError:
                return self._timed_out(request_id, capture, started)
            except FrameError as exc:
                if "closed" in str(exc):
                    return self._crashed(request_id, capture, started, None)
                return self._violation(request_id, capture, started, str(exc))
            except ValidationError as exc:
                first = exc.errors(include_url=False, include_input=False)[0]
                where = ".".join(str(part) for part in first["loc"])
                what = f"{where}: {first['msg']}" if where else first["msg"]
                return self._violation(
                    request_id, capture, started, f"malformed frame ({what[:160]})"
                )
            except OSError:
                return self._crashed(request_id, capture, started, None)
            if isinstance(frame, CallFrame):
                try:
                    after = self._serve_call(frame, request_id, deadline)
                except OSError:  # the worker stopped reading its replies, or is gone
                    return self._crashed(
                        request_id, capture, started, "the runtime stopped reading its replies"
                    )
                if after == "crash":  # a fault plan: the call took effect, the handler never hears
                    return self._crashed(
                        request_id,
                        capture,
                        started,
                        "Runtime exited: the environment crashed after its AWS call took effect",
                    )
                continue  # after "timeout" no reply is sent: the deadline ends the invocation
            if not isinstance(frame, expected):
                return self._violation(
                    request_id, capture, started, f"unexpected {frame.t!r} frame"
                )
            return frame

    def _serve_call(
        self, call: CallFrame, request_id: str, deadline: float
    ) -> Literal["crash", "timeout"] | None:
        """Serve one forwarded call and send the reply; a fault plan's `after` withholds it."""
        try:
            body = base64.b64decode(call.body_b64, validate=True)
            request = ForwardedRequest(
                method=call.method,
                url=call.url,
                headers=call.headers,
                body=body,
                function_name=self.config.name,
                request_id=request_id,
            )
            response = self._request_handler(request)
        except (
            Exception
        ) as exc:  # the request handler failed: the function sees a 500, as from a broken service
            response = ForwardedResponse(
                status_code=500,
                headers={"Content-Type": "text/plain"},
                body=f"local account error: {type(exc).__name__}: {exc}".encode(),
            )
        if response.after is not None:
            return response.after
        self._send(
            {
                "t": "reply",
                "status": response.status_code,
                "headers": dict(response.headers),
                "body_b64": base64.b64encode(response.body).decode("ascii"),
            },
            timeout=deadline - time.monotonic(),
        )
        return None

    def _read_logs(self, capture: LogCapture) -> bool:
        """Read what is in the log pipe now. False once the pipe is closed."""
        if self._log_fd is None:
            return False
        while True:
            try:
                chunk = os.read(self._log_fd, 65536)
            except BlockingIOError:
                return True
            if not chunk:
                return False
            capture.add(chunk)

    def _drain_logs(self, capture: LogCapture) -> None:
        if self._log_fd is not None:
            self._read_logs(capture)

    def _memory_mb(self) -> int:
        """Peak resident memory of the worker, read by the parent (the worker could lie)."""
        try:
            with open(f"/proc/{self.pid}/status", "rb") as status:
                for line in status:
                    if line.startswith(b"VmHWM:"):
                        self._last_memory_mb = math.ceil(int(line.split()[1]) / 1024)
                        break
        except OSError:
            pass
        return self._last_memory_mb

    # ------------------------------------------------------------ failures
    def _timed_out(self, request_id: str, capture: LogCapture, started: float) -> Outcome:
        memory = self._memory_mb()
        self._drain_logs(capture)
        self.destroy()
        timeout = self.config.timeout_s
        message = f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"
        return Outcome(
            status="timeout",
            duration_ms=(time.monotonic() - started) * 1000,
            max_memory_mb=memory,
            error={"errorType": "Sandbox.Timedout", "errorMessage": message, "stackTrace": []},
            logs=capture.text(),
            logs_truncated=capture.truncated,
            destroyed=True,
            extra_log_lines=[f"{_stamp()} {request_id} Task timed out after {timeout:.2f} seconds"],
        )

    def _crashed(
        self, request_id: str, capture: LogCapture, started: float, note: str | None
    ) -> Outcome:
        memory = self._memory_mb()
        pid = self.pid
        self._drain_logs(capture)
        self.destroy()
        status = self._template.exit_status(pid, timeout=2.0) if pid else None
        reason = note or _exit_reason(status)
        message = f"RequestId: {request_id} Error: {reason}"
        killed_by_memory = (
            status is not None and os.WIFSIGNALED(status) and memory >= self.config.memory_mb
        )
        error_type = "Runtime.OutOfMemory" if killed_by_memory else "Runtime.ExitError"
        return Outcome(
            status="out_of_memory" if killed_by_memory else "crash",
            duration_ms=(time.monotonic() - started) * 1000,
            max_memory_mb=memory,
            error={"errorType": error_type, "errorMessage": message, "stackTrace": []},
            logs=capture.text(),
            logs_truncated=capture.truncated,
            destroyed=True,
            extra_log_lines=[message, error_type],
        )

    def _violation(
        self, request_id: str, capture: LogCapture, started: float, what: str
    ) -> Outcome:
        memory = self._memory_mb()
        self._drain_logs(capture)
        self.destroy()
        message = f"RequestId: {request_id} Error: the runtime broke the worker protocol and was stopped: {what}"
        return Outcome(
            status="crash",
            duration_ms=(time.monotonic() - started) * 1000,
            max_memory_mb=memory,
            error={"errorType": "Sandbox.ProtocolError", "errorMessage": message, "stackTrace": []},
            logs=capture.text(),
            logs_truncated=capture.truncated,
            destroyed=True,
            extra_log_lines=[message],
        )


def _payload_problem(payload: str | None) -> str | None:
    """Why the response text of a result frame cannot be used, or None. The worker's
    marshaller never produces these: a payload that fails here was forged."""
    if payload is None:
        return None
    try:
        json.loads(payload)
    except RecursionError:
        return "the response is nested too deeply to read"
    except ValueError as exc:
        return f"the response is not readable JSON ({str(exc)[:120]})"
    return None


_tutor_paths: list[str] | None = None


def tutor_paths() -> list[str]:
    """Folders no handler may see, whatever the install: the tutor's package (with its
    _content in a wheel), every other copy of it on sys.path (an editable install
    puts the force-included _content in site-packages), the source checkout the
    package runs from, and the learner's data directory."""
    global _tutor_paths
    if _tutor_paths is None:
        package = _RUNTIME_DIR.parent
        found = {package}
        for entry in [*sys.path, *site_package_dirs()]:
            if entry:
                found.add(Path(entry, package.name))
        if (package.parent / "pyproject.toml").is_file():
            found.add(package.parent)  # a checkout: lessons/, exercises/, tests/ and .git
        content = content_root()
        # Named on their own too: deeper than the checkout, they stay hidden even when a
        # learner makes the whole checkout the code dir.
        found.update({content, content / "lessons", content / "exercises"})
        _tutor_paths = sorted({str(p.resolve()) for p in found if p.is_dir()})
    home = data_home()
    return [*_tutor_paths, str(home)] if home.is_dir() else list(_tutor_paths)


def site_package_dirs() -> list[str]:
    import site
    import sysconfig

    paths = sysconfig.get_paths()
    base = os.path.dirname(os.__file__)  # the base interpreter's, when running in a venv
    return [
        *site.getsitepackages(),
        paths["purelib"],
        paths["platlib"],
        os.path.join(base, "site-packages"),
        os.path.join(base, "dist-packages"),
    ]


def _exit_reason(status: int | None) -> str:
    if status is None:
        return "Runtime exited without providing a reason"
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        name = (
            _SIGNAL_NAMES.get(signal.Signals(signum))
            or signal.strsignal(signum)
            or f"signal {signum}"
        )
        return f"Runtime exited with error: signal: {name}"
    code = os.WEXITSTATUS(status)
    if code == 0:
        return "Runtime exited without providing a reason"
    return f"Runtime exited with error: exit status {code}"


def _stamp() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
