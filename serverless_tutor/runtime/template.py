"""The sandbox template: a clean Python process that has imported the runtime (and, unless
started without its preload, boto3) once and forks a fresh worker for each new execution environment (worker.py holds its
side). Kept apart from sandbox.py, and light to import, so that a one-shot command can
start it before it imports anything else (`start_early_template`).
"""

from __future__ import annotations

import array
import contextlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from serverless_tutor.runtime.processes import processes

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ASIAQTUTORLOCALFAKE01",
    "AWS_SECRET_ACCESS_KEY": "local/tutor/fake/secret/key/not/a/real/one00",
    "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEFAKE-local-serverless-tutor-session-token",
}
# The template's whole environment: nothing from the tutor's own environment reaches
# a worker's memory.
TEMPLATE_ENV = {
    "PATH": "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
    "LANG": "en_US.UTF-8",
    "TZ": ":UTC",
    "MALLOC_ARENA_MAX": "2",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",
    "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
    "AWS_EC2_METADATA_DISABLED": "true",
    **FAKE_CREDENTIALS,
}


class SandboxUnavailable(RuntimeError):
    """The template process could not be started."""


class TemplateProcess:
    """A Python process that has imported the runtime (and boto3, with `preload`) once and
    forks a fresh worker for each new execution environment."""

    def __init__(self, work_dir: Path, *, preload: bool = True):
        self._work_dir = work_dir
        self._preload = preload  # False: boto3 is imported by the workers that use it
        self._spawn_lock = threading.Lock()
        self._state = threading.Condition()
        self._exits: dict[int, int] = {}
        self._spawned: queue.Queue[int] = queue.Queue()
        self._namespace_inits: dict[int, int] = {}  # worker pid -> its PID namespace's init
        self._ready = False
        self._dead = False
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None

    def start(self) -> None:
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        code = (
            "import sys\n"
            f"sys.path.insert(0, {str(_PACKAGE_ROOT)!r})\n"
            "from serverless_tutor.runtime.worker import template_main\n"
            "template_main(int(sys.argv[1]), sys.argv[2], sys.argv[3] == 'preload')\n"
        )
        log_path = self._work_dir / "template.log"
        with open(log_path, "ab") as log:
            try:
                self._proc = subprocess.Popen(
                    [
                        sys.executable,
                        "-I",
                        "-B",
                        "-c",
                        code,
                        str(child_end.fileno()),
                        str(self._work_dir),
                        "preload" if self._preload else "lazy",
                    ],
                    pass_fds=[child_end.fileno()],
                    env=TEMPLATE_ENV,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    cwd="/",
                    start_new_session=True,
                )
            finally:
                child_end.close()
        self._sock = parent_end
        threading.Thread(
            target=self._read_messages, name="lambda-template-reader", daemon=True
        ).start()

    def _read_messages(self) -> None:
        assert self._sock is not None
        while True:
            try:
                data = self._sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                with self._state:
                    self._dead = True
                    self._state.notify_all()
                self._spawned.put(-1)
                return
            message = json.loads(data)  # the template runs no learner code: trusted
            kind = message.get("t")
            if kind == "ready":
                with self._state:
                    self._ready = True
                    self._state.notify_all()
            elif kind == "spawned":
                pid, init_pid = int(message["pid"]), int(message["init_pid"])
                if pid > 0 and init_pid != pid:
                    with self._state:
                        self._namespace_inits[pid] = init_pid
                self._spawned.put(pid)
            elif kind == "exited":
                with self._state:
                    self._namespace_inits.pop(int(message["pid"]), None)
                    self._exits[int(message["pid"])] = int(message["status"])
                    self._state.notify_all()

    def wait_ready(self, timeout: float = 60.0) -> None:
        with self._state:
            if not self._state.wait_for(lambda: self._ready or self._dead, timeout):
                raise SandboxUnavailable("the sandbox template did not start in time")
            if self._dead:
                raise SandboxUnavailable(
                    f"the sandbox template exited; see {self._work_dir / 'template.log'}"
                )

    @property
    def work_dir(self) -> Path:
        """Its log and the workers' scratch folders; removed when the template ends."""
        return self._work_dir

    @property
    def alive(self) -> bool:
        return not self._dead

    def spawn(self, proto_fd: int, log_fd: int, *, pid_namespace: bool = True) -> int:
        self.wait_ready()
        assert self._sock is not None
        with self._spawn_lock:
            fds = array.array("i", [proto_fd, log_fd])
            request = json.dumps({"t": "spawn", "pid_namespace": pid_namespace}).encode()
            self._sock.sendmsg([request], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds.tobytes())])
            pid = self._spawned.get(timeout=30)
        if pid < 0:
            raise SandboxUnavailable("the sandbox template exited while starting a worker")
        return pid

    def exit_status(self, pid: int, timeout: float) -> int | None:
        with self._state:
            self._state.wait_for(lambda: pid in self._exits or self._dead, timeout)
            return self._exits.pop(pid, None)

    def descendants(self) -> set[int]:
        """Pids of every live process below the template (workers and their offspring),
        not counting the init process of each live worker's PID namespace."""
        if self._proc is None:
            return set()
        children: dict[int, list[int]] = {}
        for pid, state, parent in processes():
            if state != "Z":
                children.setdefault(parent, []).append(pid)
        found: set[int] = set()
        pending = list(children.get(self._proc.pid, []))
        while pending:
            pid = pending.pop()
            if pid not in found:
                found.add(pid)
                pending.extend(children.get(pid, []))
        with self._state:
            return found - set(self._namespace_inits.values())

    def close(self) -> None:
        with self._state:  # closed is not alive, whether or not the reader has seen it yet
            self._dead = True
            self._state.notify_all()
        if self._sock is not None:
            # shutdown, not just close: the reader thread is blocked in recv on this socket
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)
            self._sock.close()  # the template sees EOF, kills its workers and exits
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait()


_early_lock = threading.Lock()
_early: TemplateProcess | None = None


def start_early_template(*, preload: bool = True) -> None:
    """Start a template now, for this process's next sandbox LambdaRuntime to take over.

    A one-shot command (`invoke`) calls this before importing the rest of itself,
    so the template imports boto3 in its own process meanwhile and the first cold start
    waits less for it. Workers are still forked only once the template is ready: a fork
    while another thread of the template is importing would leave that import's lock
    held for ever in the worker. A template nobody takes ends with this process (it
    exits when its control socket closes, and removes its work folder).

    `preload=False` starts it without boto3 (see `mentions_an_aws_sdk`): it is ready
    sooner, and a worker whose code imports boto3 after all pays for it in its INIT.
    """
    global _early
    with _early_lock:
        if _early is None:
            template = TemplateProcess(
                Path(tempfile.mkdtemp(prefix="serverless-tutor-sandbox-")), preload=preload
            )
            template.start()
            _early = template


def take_early_template() -> TemplateProcess | None:
    """The template start_early_template started, if it is still there to take."""
    global _early
    with _early_lock:
        template, _early = _early, None
    return template


def mentions_an_aws_sdk(source: bytes) -> bool:
    """Does this code mention boto3 or botocore? (A quick look, not an import analysis.)"""
    return b"boto3" in source or b"botocore" in source
