"""`serverless-tutor invoke`: JSON lines, warm/cold across --times, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile

import pytest

from serverless_tutor.cli import main
from serverless_tutor.runtime import FunctionConfig, template

COUNTER = """
calls = 0
def handler(event, context):
    global calls
    calls += 1
    if event.get("slow"):
        import time
        time.sleep(30)
    return {"calls": calls, "event": event}
"""


def _invoke(cwd, *args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "serverless_tutor", "invoke", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def code(tmp_path):
    (tmp_path / "app.py").write_text(COUNTER)
    return tmp_path


def test_times_shares_environments_and_prints_one_json_object_per_line(code):
    done = _invoke(
        code,
        "app.py:handler",
        "--times",
        "3",
        "--json",
        "--sample",
        "sqs",
        "--set",
        "Records.0.body=hi",
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["cold"] for line in lines] == [True, False, False]
    assert [line["response"]["calls"] for line in lines] == [1, 2, 3]
    assert lines[0]["response"]["event"]["Records"][0]["body"] == "hi"
    for line in lines:
        assert set(line) == {
            "requestId",
            "cold",
            "response",
            "error",
            "logs",
            "report",
            "isolation",
        }
        assert set(line["report"]) == {
            "durationMs",
            "billedDurationMs",
            "memorySizeMb",
            "maxMemoryUsedMb",
            "maxMemoryUsedEstimated",
            "initDurationMs",
        }
        assert line["error"] is None and "seccomp" in line["isolation"]
    assert (
        lines[0]["report"]["initDurationMs"] is not None
        and lines[1]["report"]["initDurationMs"] is None
    )


def test_cold_again_after_a_timeout(code):
    done = _invoke(
        code,
        "app.handler",
        "--times",
        "2",
        "--json",
        "--timeout",
        "1",
        "--event",
        "-",
        stdin='{"slow": true}',
    )
    assert done.returncode == 0, done.stderr
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["error"]["errorType"] == "Sandbox.Timedout"
    assert list(first["error"]) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    # the timed-out environment was destroyed: the second invoke starts cold again
    assert second["cold"] is True and second["report"]["initDurationMs"] is not None
    assert second["requestId"] != first["requestId"]


def test_handler_errors_are_results_not_failures(code):
    (code / "bad.py").write_text("def handler(e, c):\n    raise RuntimeError('nope')\n")
    done = _invoke(code, "bad.handler", "--env", "STAGE=dev", "--memory", "256")
    assert done.returncode == 0
    assert (
        "RuntimeError" in done.stdout
        and "nope" in done.stdout
        and "Memory Size: 256 MB" in done.stdout
    )


@pytest.mark.parametrize(
    "args,message",
    [
        (["app.handler", "--memory", "64"], "--memory"),
        (["app.handler", "--timeout", "1000"], "--timeout"),
        (["app.handler", "--env", "NOEQUALS"], "--env"),
        (["app.handler", "--sample", "kinesis"], "unknown sample"),
        (["app.handler", "--event", "missing.json"], "no such file"),
        (["missing.py:handler"], "HANDLER missing.py:handler: no such file"),
        (["app.handler", "--times", "0"], "--times"),
        (["app.handler", "--set", "a=1"], "--sample"),
        (["app.handler", "--sample", "sqs", "--event", "x.json"], "not allowed with"),
    ],
)
def test_usage_errors_exit_2(code, args, message, monkeypatch, capsys):
    """In this process (a subprocess each cost a second of CPU); the exit status and stderr
    of the real command are checked by the bad-JSON test below."""
    monkeypatch.chdir(code)
    # main() starts a sandbox template ahead for invoke; a usage error runs nothing, and a
    # template left in this test process could be taken by another test's runtime.
    monkeypatch.setattr(template, "start_early_template", lambda **_: None)
    exit_code: int | str | None
    try:
        exit_code = main(["invoke", *args])
    except SystemExit as exc:  # argparse's own usage errors
        exit_code = exc.code
    assert exit_code == 2
    assert message in capsys.readouterr().err


def test_bad_event_json_is_a_usage_error(code):
    """Through the real command: a usage error is exit status 2 and a message on stderr."""
    (code / "event.json").write_text("{not json")
    done = _invoke(code, "app.handler", "--event", "event.json")
    assert done.returncode == 2 and "not valid JSON" in done.stderr


def test_a_handler_kept_directly_in_tmp_is_refused_with_the_reason(monkeypatch, capsys):
    """Each environment gets an empty /tmp of its own, as in Lambda: code kept directly in
    /tmp would be out of the handler's sight (it was an import error naming no reason)."""
    monkeypatch.setattr(template, "start_early_template", lambda **_: None)
    with tempfile.NamedTemporaryFile("w", suffix=".py", dir="/tmp") as handler_file:
        handler_file.write("def handler(event, context):\n    return 1\n")
        handler_file.flush()
        assert main(["invoke", f"{handler_file.name}:handler", "--no-stack"]) == 2
    err = capsys.readouterr().err
    assert "empty /tmp of its own" in err and "a folder of its own" in err
    assert "Value error" not in err


@pytest.mark.parametrize("folder", ["/tmp", "/", "/tmp/../tmp"])
def test_code_folder_cannot_be_tmp_or_the_root(folder):
    with pytest.raises(ValueError, match="cannot hold a function's code"):
        FunctionConfig(name="f", handler="app.handler", code_dir=folder)
