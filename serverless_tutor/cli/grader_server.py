"""The background grader: one long-lived Grader that runs `check` for the learner's shell.

Started by a `check` that found none (see grader_client), or in the foreground with
`serverless-tutor grader serve`. It loads what a check needs once (the content models,
moto, boto3, the sandbox template), then serves checks one at a time on a Unix socket in
the data folder: it runs `check` as the one-shot process would (the same parser, the
same code, progress recorded the same way), in the caller's working folder, rendering for
the caller's terminal, and sends back the output and the exit code. Learner code runs in
the same sandboxed execution environments as ever; each check still gets brand-new
environments and an empty account.

It stops after IDLE_TIMEOUT_S without a check, when asked to, when a `check` of
other code asks (an upgrade), when its socket is removed (its data folder deleted), and on
SIGTERM. One per data folder: it holds a lock on the folder while it runs.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import signal
import socket
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from serverless_tutor.cli.grader_client import (
    IDLE_TIMEOUT_S,
    ProtocolError,
    code_key,
    grader_folder,
    peer_uid,
    receive_frame,
    send_frame,
)
from serverless_tutor.grading.folder_lock import FolderBusy, writing

MAX_REQUEST_BYTES = 1024 * 1024
REQUEST_READ_TIMEOUT_S = 10.0
LOCK_WAIT_S = 2.0  # a grader of other code that was just asked to stop may still hold the lock
POLL_S = 1.0  # how often an idle grader looks at its socket file and the time


class TerminalDescription(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stdout_tty: bool
    stderr_tty: bool
    encoding: str = Field(max_length=40)
    width: int = Field(ge=1, le=10_000)
    height: int = Field(ge=1, le=10_000)
    environ: dict[str, str]


class GraderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    op: Literal["check", "status", "stop", "ping"]
    key: str = Field(max_length=128)
    argv: list[str] = Field(default_factory=list, max_length=64)
    cwd: str = "/"
    terminal: TerminalDescription | None = None


class GraderStatus(BaseModel):
    """What `serverless-tutor grader status` reports."""

    running: bool
    pid: int | None = None
    socket: str
    started_at: datetime | None = None
    checks_served: int = 0
    idle_s: float | None = None
    idle_timeout_s: float | None = None
    current_code: bool | None = None  # False: started from other code; stops at its next request


class _TerminalBuffer(io.StringIO):
    """Stands in for the caller's stdout or stderr: whether it is a terminal, its encoding."""

    def __init__(self, *, tty: bool, encoding: str):
        super().__init__()
        self._tty = tty
        self._encoding = encoding

    def isatty(self) -> bool:
        return self._tty

    @property
    def encoding(self) -> str:  # type: ignore[override]  # StringIO's is read-only None
        return self._encoding


class GraderServer:
    def __init__(self, home: Path, *, idle_timeout_s: float = IDLE_TIMEOUT_S):
        self.folder = grader_folder(home)
        self.socket_path = self.folder / "socket"
        self.idle_timeout_s = idle_timeout_s
        self.key = code_key()
        self.started_at = datetime.now(UTC)
        self.checks_served = 0
        self._last_check = time.monotonic()  # or when it became ready (see _load)
        self._stopping = False
        self._socket_inode: int | None = None

    def serve(self) -> int:
        """Serve until stopped; 0, or 1 when another grader holds this data folder."""
        self.folder.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(self.folder, 0o700)
        with contextlib.ExitStack() as held:
            busy = _hold_folder(held, self.folder)
            if busy is not None:
                sys.stderr.write(f"a grader already serves {self.folder}{busy.holder}\n")
                return 1
            listener = self._listen()
            signal.signal(signal.SIGTERM, _exit_on_signal)
            try:
                self._load()
                self._loop(listener)
            finally:
                listener.close()
                self._remove_socket()
                self._close()
        return 0

    # ------------------------------------------------------------ set-up

    def _listen(self) -> socket.socket:
        """Listen before loading anything: a `check` that connects meanwhile waits its turn."""
        self.socket_path.unlink(
            missing_ok=True
        )  # we hold the lock: a socket left is a dead grader's
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        previous = os.umask(0o177)
        try:
            listener.bind(str(self.socket_path))
        finally:
            os.umask(previous)
        listener.listen(16)
        self._socket_inode = os.stat(self.socket_path).st_ino
        return listener

    def _load(self) -> None:
        from serverless_tutor.cli import build_parser
        from serverless_tutor.cli.exercises_verb import run_check
        from serverless_tutor.grading.runner import Grader

        self.parser = build_parser(["check"])
        self.run_check = run_check
        self.grader = Grader()
        self.grader.warm_up()
        gc.collect()
        gc.freeze()  # what is loaded now stays: later collections do not walk it again
        self._last_check = time.monotonic()  # idle from now: loading is not idleness

    def _close(self) -> None:
        grader = getattr(self, "grader", None)
        if grader is not None:
            grader.close()

    def _remove_socket(self) -> None:
        with contextlib.suppress(OSError):
            if os.stat(self.socket_path).st_ino == self._socket_inode:
                self.socket_path.unlink()

    # ------------------------------------------------------------ serving

    def _loop(self, listener: socket.socket) -> None:
        listener.settimeout(POLL_S)
        while not self._stopping:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                if self._should_stop_idle():
                    return
                continue
            with conn:
                self._serve_connection(conn)

    def _should_stop_idle(self) -> bool:
        if time.monotonic() - self._last_check > self.idle_timeout_s:
            return True
        try:  # the data folder removed, or another grader's socket in our place
            return os.stat(self.socket_path).st_ino != self._socket_inode
        except OSError:
            return True

    def _serve_connection(self, conn: socket.socket) -> None:
        conn.settimeout(REQUEST_READ_TIMEOUT_S)
        try:
            if peer_uid(conn) != os.geteuid():
                return
            message = receive_frame(conn, limit=MAX_REQUEST_BYTES)
            if message is None:
                return
            request = GraderRequest.model_validate(message)
        except (OSError, ProtocolError):
            return
        except ValidationError as exc:
            _send(
                conn, {"t": "error", "message": f"not a grader request: {exc.errors()[0]['msg']}"}
            )
            return
        current = request.key == self.key
        if request.op == "stop":
            self._stopping = True
            _send(conn, {"t": "stopping", "pid": os.getpid()})
        elif request.op in ("status", "ping"):
            _send(conn, {"t": request.op, **self.status(current).model_dump(mode="json")})
        elif not current:
            self._stopping = True  # a check from an upgraded tutor: it runs its own
            _send(conn, {"t": "stale"})
        else:
            self._serve_check(conn, request)

    def status(self, current: bool) -> GraderStatus:
        return GraderStatus(
            running=True,
            pid=os.getpid(),
            socket=str(self.socket_path),
            started_at=self.started_at,
            checks_served=self.checks_served,
            idle_s=round(time.monotonic() - self._last_check, 1),
            idle_timeout_s=self.idle_timeout_s,
            current_code=current,
        )

    def _serve_check(self, conn: socket.socket, request: GraderRequest) -> None:
        terminal = request.terminal
        if terminal is None:
            _send(conn, {"t": "error", "message": "a check needs the caller's terminal"})
            return
        try:
            os.chdir(request.cwd)
        except OSError as exc:
            _send(conn, {"t": "error", "message": f"cannot work in {request.cwd}: {exc.strerror}"})
            return
        try:
            if not _send(conn, {"t": "taken"}):
                return
            code, out, err = self._check(request.argv, terminal)
        finally:
            os.chdir("/")
        self.checks_served += 1
        self._last_check = time.monotonic()
        _send(conn, {"t": "done", "code": code, "stdout": out, "stderr": err})

    def _check(self, argv: list[str], terminal: TerminalDescription) -> tuple[int, str, str]:
        from serverless_tutor.cli.output import terminal_of

        out = _TerminalBuffer(tty=terminal.stdout_tty, encoding=terminal.encoding)
        err = _TerminalBuffer(tty=terminal.stderr_tty, encoding=terminal.encoding)
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            terminal_of(environ=terminal.environ, width=terminal.width, height=terminal.height),
        ):
            code = self._run(argv)
        return code, out.getvalue(), err.getvalue()

    def _run(self, argv: list[str]) -> int:
        try:
            args = self.parser.parse_args(argv)
        except SystemExit as exc:  # a usage error, written to (our) stderr by argparse
            return exc.code if isinstance(exc.code, int) else 2
        if getattr(args, "verb", None) != "check" or getattr(args, "batch", None) is not None:
            sys.stderr.write("serverless-tutor: the background grader runs only `check ID`\n")
            return 2
        try:
            return int(self.run_check(args, grader=self.grader))
        except BrokenPipeError:
            return 0
        except Exception:  # as the one-shot process would: a traceback, exit 1
            traceback.print_exc()
            self._stopping = True  # whatever broke may have left the grader in a bad state
            return 1


def _send(conn: socket.socket, message: dict[str, Any]) -> bool:
    """Send; False when the caller has gone (Ctrl+C in its shell): nothing more to do."""
    try:
        send_frame(conn, message)
    except OSError:
        return False
    return True


def _hold_folder(held: contextlib.ExitStack, folder: Path) -> FolderBusy | None:
    """Hold the folder's lock in `held`, waiting up to LOCK_WAIT_S; None when held, else
    the last refusal (which names the holding process)."""
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            held.enter_context(writing(folder))
            return None
        except FolderBusy as busy:
            if time.monotonic() > deadline:
                return busy
            time.sleep(0.1)


def _exit_on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def not_running(home: Path | None = None) -> GraderStatus:
    return GraderStatus(running=False, socket=str(grader_folder(home) / "socket"))
