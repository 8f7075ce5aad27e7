"""`check` through the background grader, when one is running; standard library only.

A one-shot `check` spends about 0.55 s of its 0.7 s loading Python packages (pydantic,
moto, boto3, rich) and starting the sandbox, before the exercise's tests take 0.15 s.
The background grader (cli/grader_server.py) keeps all of that loaded between checks:
`check` sends it the command line and gets back the output and exit code, so a check
costs the tests plus this module. The first `check` of a session runs in its own
process as before and then starts a grader for the next ones; it stops after
IDLE_TIMEOUT_S without a check. SERVERLESS_TUTOR_GRADER=off turns all of this off.

The grader listens on a Unix socket in the learner's data folder (a folder only its
owner can enter); each side checks that the other runs as the same user. The grader
serves the code it was started with: a `check` from another version of the tutor (an
upgrade, an edited checkout) makes it stop, and the check runs here instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

GRADER_ENV = "SERVERLESS_TUTOR_GRADER"
IDLE_TIMEOUT_S = 15 * 60
# Waiting for the grader to take the check: it may still be starting (loading what a
# check needs takes about a second, more on a busy machine). After that, the check
# itself takes as long as the exercise's tests do.
TAKE_TIMEOUT_S = 60.0
MAX_FRAME_BYTES = 64 * 1024 * 1024
MAX_SOCKET_PATH_BYTES = 107  # sun_path holds 108 bytes on Linux, the last a NUL
MAX_LOG_BYTES = 1024 * 1024  # the grader's log is set aside (grader.log.1) past this
_OFF = ("off", "0", "no", "false")
# What rich reads from the environment to decide colours and size.
TERMINAL_VARIABLES = (
    "TERM",
    "COLORTERM",
    "NO_COLOR",
    "FORCE_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "COLUMNS",
    "LINES",
)
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


class ProtocolError(Exception):
    """A frame that is not what the grader protocol sends."""


def grader_folder(home: Path | None = None) -> Path:
    from serverless_tutor.paths import data_home

    return (home or data_home()).expanduser().resolve() / "grader"


def socket_path(home: Path | None = None) -> Path:
    return grader_folder(home) / "socket"


def enabled() -> bool:
    """On unless SERVERLESS_TUTOR_GRADER says off, or on a CI machine (CI set), where a
    process left running after the job is unwelcome and each check runs once anyway."""
    setting = os.environ.get(GRADER_ENV, "").strip().lower()
    if setting:
        return setting not in _OFF
    return os.environ.get("CI", "").strip().lower() in ("", *_OFF)


def available() -> bool:
    """Turned on, and on Linux (peers checked with SO_PEERCRED; the sandbox's layers)."""
    return enabled() and sys.platform.startswith("linux")


def wanted_for(argv: list[str]) -> bool:
    """Is this `check` command line one the background grader serves? Not a folder of
    submissions (`--batch` is one long run already), not help."""
    if not available():
        return False
    return not {"--batch", "-h", "--help"} & set(argv) and not any(
        arg.startswith("--batch=") for arg in argv
    )


def code_key() -> str:
    """Which tutor this is: the interpreter and every module file's path, size and time
    of change. A grader started from other code refuses checks (and stops)."""
    digest = hashlib.sha256(f"{sys.executable}\0{sys.version}\0{_PACKAGE_DIR}\n".encode())
    folders = [_PACKAGE_DIR]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        folders.append(Path(entry.path))
                elif entry.name.endswith(".py"):
                    stat = entry.stat()
                    digest.update(f"{entry.path}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
    return digest.hexdigest()


def terminal() -> dict[str, Any]:
    """How this process's stdout looks to rich: a terminal or not, its size, and the
    environment variables rich reads (so the grader renders for this terminal)."""
    width, height = 80, 25
    for fd in (0, 1, 2):
        try:
            width, height = os.get_terminal_size(fd)
            break
        except (OSError, ValueError):
            continue
    environ = {k: os.environ[k] for k in TERMINAL_VARIABLES if k in os.environ}
    if environ.get("COLUMNS", "").isdigit():
        width = int(environ["COLUMNS"])
    if environ.get("LINES", "").isdigit():
        height = int(environ["LINES"])
    return {
        "stdout_tty": _isatty(sys.stdout),
        "stderr_tty": _isatty(sys.stderr),
        "encoding": getattr(sys.stdout, "encoding", None) or "utf-8",
        "width": width or 80,
        "height": height or 25,
        "environ": environ,
    }


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# ------------------------------------------------------------------- frames


def send_frame(sock: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message).encode("utf-8")
    sock.sendall(struct.pack(">I", len(data)) + data)


def receive_frame(sock: socket.socket, limit: int = MAX_FRAME_BYTES) -> dict[str, Any] | None:
    """The next message, or None when the other side closed the connection first."""
    header = _receive_exactly(sock, 4)
    if header is None:
        return None
    (length,) = struct.unpack(">I", header)
    if length > limit:
        raise ProtocolError(f"a frame of {length} bytes (at most {limit})")
    data = _receive_exactly(sock, length)
    if data is None:
        return None
    try:
        message = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"a frame that is not JSON ({exc})") from None
    if not isinstance(message, dict):
        raise ProtocolError("a frame that is not a JSON object")
    return message


def _receive_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(min(size - len(chunks), 1 << 20))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


def peer_uid(sock: socket.socket) -> int:
    """The user id of the process at the other end of a Unix socket (Linux)."""
    credentials = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return int(uid)


def connect(path: Path, timeout: float) -> socket.socket | None:
    """A connection to the grader listening at `path` as this user, or None."""
    if not path.exists():
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(str(path))
        if peer_uid(sock) != os.geteuid():
            raise ConnectionRefusedError("the grader socket belongs to another user")
    except OSError:
        sock.close()
        return None
    return sock


def ask(request: dict[str, Any], *, home: Path | None = None, timeout: float = 5.0) -> dict | None:
    """One request to the grader and its answer (status, stop); None when none is running."""
    sock = connect(socket_path(home), timeout)
    if sock is None:
        return None
    with sock:
        try:
            send_frame(sock, {**request, "key": code_key()})
            return receive_frame(sock)
        except (OSError, ProtocolError):
            return None


# ------------------------------------------------------------------- check


def check_through_grader(argv: list[str]) -> int | None:
    """Run `check` in the background grader: its output written here, its exit code
    returned. None when no grader took the check (none running, another version, it
    stopped before answering): the caller then checks in this process."""
    sock = connect(socket_path(), TAKE_TIMEOUT_S)
    if sock is None:
        return None
    with sock:
        try:
            send_frame(
                sock,
                {
                    "op": "check",
                    "key": code_key(),
                    "argv": argv,
                    "cwd": os.getcwd(),
                    "terminal": terminal(),
                },
            )
            taken = receive_frame(sock)
            if taken is None or taken.get("t") != "taken":
                return None  # "stale": a grader of other code, which now stops
            sock.settimeout(None)  # the tests take as long as they take
            done = receive_frame(sock)
        except (OSError, ProtocolError):
            return None
        except KeyboardInterrupt:  # the grader finishes the check; its output is dropped
            sys.stderr.write("\n")
            return 130
    if done is None or done.get("t") != "done" or not isinstance(done.get("code"), int):
        sys.stderr.write("serverless-tutor: the background grader stopped; checking here\n")
        return None
    try:
        for stream, key in ((sys.stdout, "stdout"), (sys.stderr, "stderr")):
            text = done.get(key)
            if isinstance(text, str) and text:
                stream.write(text)
                stream.flush()
    except BrokenPipeError:  # `check | head`: the reader has gone; the verdict still counts
        _drop_unwritten_output()
    return int(done["code"])


def _drop_unwritten_output() -> None:
    """After a broken pipe: point stdout at /dev/null, so that the interpreter's own flush
    at exit does not fail a second time with a traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError):
        os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def start_grader() -> bool:
    """Start a background grader for the next checks (unless one is running or
    starting: it holds a lock, and a second one exits at once). True if one was started."""
    home = grader_folder().parent
    if not enabled() or len(os.fsencode(socket_path(home))) > MAX_SOCKET_PATH_BYTES:
        return False  # off, or a data folder too deep for a Unix socket's name
    if socket_path(home).exists():
        answer = ask({"op": "ping"}, home=home)
        if answer is not None:
            if answer.get("current_code"):
                return False
            ask({"op": "stop"}, home=home)  # other code's: the new one starts once it has gone
    try:
        home.mkdir(parents=True, exist_ok=True)
        folder = grader_folder(home)
        folder.mkdir(mode=0o700, exist_ok=True)
        log_path = folder / "grader.log"
        if log_path.exists() and log_path.stat().st_size > MAX_LOG_BYTES:
            log_path.replace(folder / "grader.log.1")
        log = open(log_path, "ab")  # noqa: SIM115 (the child keeps it)
    except OSError:
        return False
    with log:
        subprocess.Popen(
            [sys.executable, "-m", "serverless_tutor", "grader", "serve"],
            env={**os.environ, "SERVERLESS_TUTOR_HOME": str(home)},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            cwd="/",
            start_new_session=True,  # not stopped by the terminal's Ctrl+C
            close_fds=True,
        )
    return True


def start_for_next_checks() -> None:
    """Start a grader for the checks to come (see start_grader) once what this command
    printed is out; on a terminal, say so."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`| head`)
            stream.flush()
    if start_grader() and _isatty(sys.stderr):
        sys.stderr.write(started_note(terminal()["width"]))


def started_note(width: int) -> str:
    """What the first check of a session says about the grader it started, wrapped
    between words to the terminal's width."""
    import textwrap

    note = (
        "(A grader now runs in the background to make the next checks quick; it stops "
        f"after {IDLE_TIMEOUT_S // 60} minutes without one. `serverless-tutor grader stop` "
        f"stops it; {GRADER_ENV}=off turns it off.)"
    )
    return textwrap.fill(note, width=max(20, width - 1), break_on_hyphens=False) + "\n"
