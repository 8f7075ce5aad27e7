"""The background grader (`grader serve`) that `check` goes through when one runs.

Every test drives real processes: the grader as `python -m serverless_tutor grader serve`,
`check` as the learner types it. Each grader is stopped at the end of its test.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from serverless_tutor.cli import grader_client
from serverless_tutor.cli.grader_client import code_key, receive_frame, send_frame
from serverless_tutor.paths import exercises_dir

SOLUTION = exercises_dir() / "hello-handler" / "solution" / "handler.py"
STARTER = exercises_dir() / "hello-handler" / "handler.py"
START_TIMEOUT_S = 90.0


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SERVERLESS_TUTOR_HOME": str(home),
        "SERVERLESS_TUTOR_GRADER": "on",
        **extra,
    }


def _tutor(home: Path, *args: str, cwd: Path | None = None, **env: str):
    return subprocess.run(
        [sys.executable, "-m", "serverless_tutor", *args],
        env=_env(home, **env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _status(home: Path) -> dict | None:
    return grader_client.ask({"op": "status"}, home=home)


def _wait_for(condition, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


class RunningGrader:
    def __init__(self, home: Path, idle_timeout: float = 300):
        self.home = home
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "serverless_tutor",
                "grader",
                "serve",
                "--idle-timeout",
                str(idle_timeout),
            ],
            env=_env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        _wait_for(lambda: _status(home) is not None or self.process.poll() is not None)
        assert self.process.poll() is None, self.process.communicate()[0]

    @property
    def socket_path(self) -> Path:
        return grader_client.socket_path(self.home)

    def checks_served(self) -> int:
        status = _status(self.home)
        assert status is not None
        return int(status["checks_served"])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.communicate(timeout=30)


@pytest.fixture
def grader(tmp_path):
    """A grader of the test's own, for tests that stop it."""
    running = RunningGrader(tmp_path / "home")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One grader for the tests that leave it running (starting one costs a second or two
    of CPU); they count the checks they add."""
    running = RunningGrader(tmp_path_factory.mktemp("shared") / "home")
    yield running
    running.stop()


def _marks(output: str) -> list[str]:
    """The verdict lines of a check's text output (not its REPORT lines: ids and durations differ)."""
    return [
        line
        for line in output.splitlines()
        if line[:1] in "✓✗!" or line.startswith(("PASS", "FAIL"))
    ]


def test_a_check_through_the_grader_says_what_a_check_of_its_own_says(shared):
    before = shared.checks_served()
    through = _tutor(shared.home, "check", "hello-handler", "--file", str(STARTER), COLUMNS="60")
    alone = _tutor(
        shared.home,
        "check",
        "hello-handler",
        "--file",
        str(STARTER),
        COLUMNS="60",
        SERVERLESS_TUTOR_GRADER="off",
    )
    assert through.returncode == alone.returncode == 1
    assert _marks(through.stdout) == _marks(alone.stdout) and _marks(through.stdout)
    assert max(len(line) for line in through.stdout.splitlines()) <= 60  # the caller's width
    assert shared.checks_served() == before + 1

    passed = _tutor(shared.home, "check", "hello-handler", "--file", str(SOLUTION), "--json")
    assert passed.returncode == 0 and json.loads(passed.stdout)["status"] == "pass"
    assert shared.checks_served() == before + 2
    progress = json.loads((shared.home / "progress.json").read_text(encoding="utf-8"))
    assert progress["exercises"]["hello-handler"]["status"] == "passed"


def test_colours_follow_the_callers_terminal_settings(shared):
    before = shared.checks_served()
    coloured = _tutor(
        shared.home, "check", "hello-handler", "--file", str(SOLUTION), FORCE_COLOR="1"
    )
    plain = _tutor(shared.home, "check", "hello-handler", "--file", str(SOLUTION))
    assert "\x1b[" in coloured.stdout and "\x1b[" not in plain.stdout
    assert shared.checks_served() == before + 2


def test_paths_are_the_callers_and_usage_errors_come_back(shared, tmp_path):
    before = shared.checks_served()
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "handler.py").write_text(SOLUTION.read_text(encoding="utf-8"), encoding="utf-8")
    relative = _tutor(shared.home, "check", "hello-handler", "--file", "handler.py", cwd=folder)
    assert relative.returncode == 0, relative.stderr
    missing = _tutor(shared.home, "check", "hello-handler", "--file", "nope.py", cwd=folder)
    assert missing.returncode == 2 and "--file nope.py: no such file" in missing.stderr
    unknown = _tutor(shared.home, "check", "no-such-exercise")
    assert unknown.returncode == 2 and "no exercise 'no-such-exercise'" in unknown.stderr
    assert shared.checks_served() == before + 3


def _raw(path: Path, data: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(str(path))
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:  # closed with our bytes unread: refused
            pass
        return b"".join(chunks)


def _frame(message: object) -> bytes:
    data = json.dumps(message).encode()
    return struct.pack(">I", len(data)) + data


def test_garbage_on_the_socket_is_refused_and_the_grader_serves_on(shared):
    grader = shared
    assert _raw(grader.socket_path, struct.pack(">I", 2**31) + b"x") == b""  # too long a frame
    assert _raw(grader.socket_path, struct.pack(">I", 5) + b"\xff\xfe{[(") == b""  # not JSON
    assert _raw(grader.socket_path, b"\x00\x00") == b""  # cut short
    refused = _raw(grader.socket_path, _frame({"op": "rm -rf", "key": code_key()}))
    assert b'"t": "error"' in refused
    not_check = _frame(
        {
            "op": "check",
            "key": code_key(),
            "argv": ["solution", "hello-handler", "--give-up"],
            "cwd": "/",
            "terminal": grader_client.terminal(),
        }
    )
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(grader.socket_path))
        send_frame(sock, json.loads(not_check[4:]))
        assert receive_frame(sock) == {"t": "taken"}
        done = receive_frame(sock)
    assert done is not None and done["code"] == 2 and "runs only `check ID`" in done["stderr"]
    progress_file = grader.home / "progress.json"
    if progress_file.exists():  # nothing was given up
        progress = json.loads(progress_file.read_text(encoding="utf-8"))
        assert not progress["exercises"].get("hello-handler", {}).get("gave_up")
    assert _status(grader.home) is not None


def test_a_check_from_other_code_stops_the_grader_and_runs_on_its_own(grader):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(str(grader.socket_path))
        send_frame(sock, {"op": "check", "key": "0" * 64, "argv": ["check", "hello-handler"]})
        assert receive_frame(sock) == {"t": "stale"}
    assert grader.process.wait(timeout=30) == 0
    assert not grader.socket_path.exists()


def test_the_grader_stops_when_its_socket_is_removed(grader):
    grader.socket_path.unlink()
    assert grader.process.wait(timeout=30) == 0


def test_status_and_stop(grader):
    status = _tutor(grader.home, "grader", "status", "--json")
    assert json.loads(status.stdout)["pid"] == grader.process.pid
    stopped = _tutor(grader.home, "grader", "stop")
    assert f"pid {grader.process.pid}" in stopped.stdout
    assert grader.process.wait(timeout=30) == 0
    after = _tutor(grader.home, "grader", "status", "--json")
    assert json.loads(after.stdout)["running"] is False
    assert "No background grader is running" in _tutor(grader.home, "grader", "stop").stdout


def test_a_second_grader_for_the_same_folder_leaves_it_to_the_first(shared):
    grader = shared
    second = _tutor(grader.home, "grader", "serve")
    assert second.returncode == 1 and "already serves" in second.stderr
    assert f"(process {grader.process.pid})" in second.stderr  # the holder, named
    assert _status(grader.home)["pid"] == grader.process.pid


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a process as another user")
def test_another_user_cannot_reach_the_socket(shared):
    grader = shared
    pid = os.fork()
    if pid == 0:  # the child: become nobody, then try
        code = 3
        try:
            os.setgid(65534)
            os.setuid(65534)
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.connect(str(grader.socket_path))
            code = 0
        except PermissionError:
            code = 13
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 13
    assert oct(grader.socket_path.stat().st_mode & 0o777) == "0o600"
    assert oct(grader.socket_path.parent.stat().st_mode & 0o777) == "0o700"


def test_a_handler_cannot_reach_the_grader(shared, tmp_path):
    """Learner code runs in the grader's sandbox: the data folder is hidden and it may not
    open sockets, so the grader's socket is out of its reach."""
    grader = shared
    attack = tmp_path / "attack.py"
    attack.write_text(
        "import os, socket\n"
        "def handler(event, context):\n"
        "    path = event['path']\n"
        "    try:\n"
        "        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        "        s.connect(path)\n"
        "        return 'connected'\n"
        "    except Exception as exc:\n"
        "        return f'{os.path.exists(path)} {type(exc).__name__}'\n",
        encoding="utf-8",
    )
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"path": str(grader.socket_path)}), encoding="utf-8")
    ran = _tutor(grader.home, "invoke", f"{attack}:handler", "--event", str(event), "--json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout)["response"] == "False PermissionError"


def test_an_idle_grader_stops_by_itself(tmp_path):
    home = tmp_path / "home"
    idle = subprocess.Popen(
        [sys.executable, "-m", "serverless_tutor", "grader", "serve", "--idle-timeout", "1"],
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert idle.wait(timeout=90) == 0  # loaded, waited a second for a check, stopped
    finally:
        idle.kill()
        idle.wait()
    assert not grader_client.socket_path(home).exists()
    assert grader_client.grader_folder(home).is_dir()  # it did start


@pytest.mark.parametrize(
    ("first", "says"),
    [
        (["check", "hello-handler", "--file", str(SOLUTION)], "PASS"),
        # so that the first check after it is quick too
        (["exercises", "show", "hello-handler"], "Check it: serverless-tutor check hello-handler"),
    ],
    ids=["a first check", "exercises show"],
)
def test_what_starts_a_grader_for_the_checks_after_it(tmp_path, first, says):
    home = tmp_path / "home"
    started = _tutor(home, *first)
    assert started.returncode == 0 and says in started.stdout
    try:
        _wait_for(lambda: _status(home) is not None)
        check = _tutor(home, "check", "hello-handler", "--file", str(SOLUTION))
        assert check.returncode == 0 and "PASS" in check.stdout
        assert _status(home)["checks_served"] == 1
    finally:
        _tutor(home, "grader", "stop")


def test_with_the_grader_off_a_check_starts_none(tmp_path):
    off = tmp_path / "off"
    assert _tutor(off, "check", "hello-handler", SERVERLESS_TUTOR_GRADER="off").returncode == 1
    assert not grader_client.grader_folder(off).exists()


@pytest.mark.parametrize(
    ("grader_setting", "ci", "expected"),
    [
        (None, None, True),
        ("off", None, False),
        ("0", None, False),
        (None, "true", False),  # a CI job: no process left running after it
        (None, "false", True),
        ("on", "true", True),  # asked for explicitly
    ],
)
def test_when_check_uses_a_grader(monkeypatch, grader_setting, ci, expected):
    for name, value in (("SERVERLESS_TUTOR_GRADER", grader_setting), ("CI", ci)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert grader_client.enabled() is expected
    assert grader_client.wanted_for(["check", "x"]) is expected
    assert grader_client.wanted_for(["check", "x", "--batch", "subs"]) is False


def test_no_grader_is_started_for_a_data_folder_too_deep_for_a_socket(tmp_path, monkeypatch):
    deep = tmp_path / ("d" * 100)
    monkeypatch.setenv("SERVERLESS_TUTOR_HOME", str(deep))
    monkeypatch.setenv("SERVERLESS_TUTOR_GRADER", "on")
    assert grader_client.start_grader() is False
    assert not deep.exists()


def test_a_reader_that_goes_away_leaves_the_verdict_and_no_traceback(shared):
    """`check | head -1`: as a check in its own process, exit code of the verdict, stderr quiet."""
    before = shared.checks_served()
    check = subprocess.Popen(
        [sys.executable, "-m", "serverless_tutor", "check", "hello-handler", "--verbose"],
        env=_env(shared.home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert check.stdout is not None and check.stderr is not None
    check.stdout.close()  # the reader has gone before the output arrives
    err = check.stderr.read().decode()
    assert check.wait(timeout=120) == 1  # the starter fails
    assert err == ""
    assert shared.checks_served() == before + 1


HOSTILE_SUBMISSION = """
import os, socket, sys
import boto3

def lambda_handler(event, context):
    found = []
    for root in [{repo!r}] + sys.path:  # the answers, wherever the tutor keeps them
        for middle in ("exercises", "serverless_tutor/_content/exercises"):
            path = os.path.join(root, middle, "hello-handler", "solution", "handler.py")
            try:
                found.append("READ " + open(path).read()[:40])
            except OSError:
                pass
    try:  # the grader's own socket
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect({socket_path!r})
        found.append("CONNECTED to the grader")
    except OSError as error:
        found.append("socket: " + type(error).__name__)
    for url in ("https://sns.us-east-1.amazonaws.com/moto-api/reset", "http://127.0.0.1:{port}"):
        try:  # moto's admin API, and the parent made to connect out
            boto3.client("sns", endpoint_url=url).list_topics()
            found.append("SERVED " + url)
        except Exception as error:
            found.append("refused: " + type(error).__name__)
    print("ATTACK " + " | ".join(found), flush=True)
    if event.get("queryStringParameters"):  # then garbage on every descriptor back to the parent
        for fd in range(3, 64):
            try:
                os.write(fd, b"\\xff\\xff\\xff\\x7fnot a frame")
            except OSError:
                pass
    return {{"statusCode": 200, "body": "{{}}"}}
"""


def test_a_hostile_submission_through_the_grader_gets_nothing_and_the_grader_serves_on(
    shared, tmp_path
):
    """Read the answers, reach the grader's socket, call moto's admin API, make the parent
    connect out, write garbage frames: through the grader, as through a check of its own."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.1)
    submission = tmp_path / "attack.py"
    submission.write_text(
        HOSTILE_SUBMISSION.format(
            repo=str(Path(__file__).resolve().parents[2]),
            socket_path=str(shared.socket_path),
            port=listener.getsockname()[1],
        ),
        encoding="utf-8",
    )
    before = shared.checks_served()
    attacked = _tutor(
        shared.home,
        "check",
        "hello-handler",
        "--file",
        str(submission),
        "--verbose",
        COLUMNS="1000",  # one line per report
    )
    assert attacked.returncode == 1, attacked.stdout + attacked.stderr
    reports = [line for line in attacked.stdout.splitlines() if "ATTACK" in line]
    assert reports, attacked.stdout
    for report in reports:
        assert "READ" not in report and "CONNECTED" not in report and "SERVED" not in report
        assert "socket: PermissionError" in report
        assert report.count("refused: ClientError") == 2
    assert "Sandbox.ProtocolError" in attacked.stdout  # the garbage ended that environment only
    with pytest.raises(TimeoutError):
        listener.accept()  # nothing connected out
    listener.close()
    assert shared.checks_served() == before + 1
    solution = _tutor(shared.home, "check", "hello-handler", "--file", str(SOLUTION))
    assert solution.returncode == 0 and "PASS" in solution.stdout  # the grader serves on
