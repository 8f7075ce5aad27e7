"""Handlers written to break out or break down. Each must end with the right report,
nothing left running under the sandbox, no side effect outside the environment's
scratch /tmp, and a parent that still serves the next invoke."""

from __future__ import annotations

import math
import os
import socket
import uuid
from pathlib import Path

import pytest

from serverless_tutor.runtime import LambdaRuntime

from .conftest import make_function, settle

HEALTHY = "def handler(e, c):\n    return 'still fine'\n"


@pytest.fixture(scope="module")
def runtime():
    with LambdaRuntime(backend="sandbox") as runtime:
        yield runtime


@pytest.fixture
def run(runtime, tmp_path):
    """Invoke a hostile handler, then check the sandbox is clean and the runtime healthy."""

    def go(source: str, event=None, **config):
        fn = make_function(tmp_path, source, **config)
        result = runtime.invoke(fn, event or {})
        assert settle(runtime) == set(), "processes left running under the sandbox"
        healthy = make_function(tmp_path, HEALTHY)
        assert runtime.invoke(healthy, {}).response == "still fine"
        return fn, result

    return go


def test_busy_loop_times_out(run):
    _fn, result = run("def handler(e, c):\n    while True:\n        pass\n", timeout_s=1)
    assert result.error.error_type == "Sandbox.Timedout" and result.report.status == "timeout"


def test_endless_sleep_times_out(run):
    _fn, result = run("import time\ndef handler(e, c):\n    time.sleep(10**9)\n", timeout_s=1)
    assert result.error.error_type == "Sandbox.Timedout"
    assert (
        result.error.error_message
        == f"RequestId: {result.request_id} Error: Task timed out after 1.00 seconds"
    )


def test_allocating_4_gb_is_out_of_memory(run, runtime):
    fn, result = run(
        "def handler(e, c):\n    block = bytearray(4 * 1024 ** 3)\n    return len(block)\n"
    )
    assert result.error.error_type == "Runtime.OutOfMemory"
    assert result.report.status == "out_of_memory"
    assert result.report.max_memory_used_mb >= 1
    assert runtime.environments(fn.name) == []


def test_filling_memory_past_the_limit_is_out_of_memory(run):
    _fn, result = run(
        """
        chunks = []
        def handler(e, c):
            for _ in range(200):
                chunks.append(bytearray(1024 * 1024))
            return len(chunks)
    """,
        timeout_s=30,
    )  # about memory, not time: a loaded CI machine once took over 3 s
    assert result.error.error_type == "Runtime.OutOfMemory"
    assert result.report.max_memory_used_mb >= 128


def test_fork_loop_is_refused(run):
    _fn, result = run("import os\ndef handler(e, c):\n    while True:\n        os.fork()\n")
    assert result.error.error_type == "PermissionError" and result.report.status == "error"


def test_fork_setsid_sleep_is_refused(run):
    _fn, result = run("""
        import os, time
        def handler(e, c):
            if os.fork() == 0:
                os.setsid()
                time.sleep(1000)
            return "parent"
    """)
    assert result.error.error_type == "PermissionError"


def test_child_holding_stdout_open_is_refused(run):
    _fn, result = run("""
        import subprocess, sys
        def handler(e, c):
            subprocess.Popen(["sleep", "1000"], stdout=sys.stdout)
            return "returned"
    """)
    assert result.error.error_type == "PermissionError"


def test_os_system_and_subprocess_run_nothing(run, tmp_path):
    marker = tmp_path / "system-ran"
    _fn, result = run(f"""
        import os, subprocess
        def handler(e, c):
            status = os.system("touch {marker}")
            try:
                subprocess.run(["touch", "{marker}"])
                sub = "ran"
            except OSError as exc:
                sub = type(exc).__name__
            return [status, sub]
    """)
    status, sub = result.response
    assert status != 0 and sub == "PermissionError"
    assert not marker.exists()


def test_ctypes_system_runs_nothing(run, tmp_path):
    marker = tmp_path / "ctypes-ran"
    _fn, result = run(f"""
        import ctypes
        def handler(e, c):
            return ctypes.CDLL(None).system(b"touch {marker}")
    """)
    assert result.response != 0 and not marker.exists()


def test_tcp_connect_to_localhost_is_refused(run):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        _fn, result = run(
            f"import socket\ndef handler(e, c):\n    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        )
        assert result.error.error_type == "PermissionError"
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()


def test_reading_system_and_test_files_is_denied(run):
    this_file = Path(__file__).resolve()
    _fn, result = run(f"""
        def attempt(path):
            try:
                open(path).read(10)
                return "read"
            except OSError as exc:
                return type(exc).__name__
        def handler(e, c):
            return [attempt("/etc/passwd"), attempt({str(this_file)!r}), attempt("/root/.bash_history")]
    """)
    assert result.response[0] == "PermissionError"
    # A checkout under /tmp is not even visible: the environment has its own /tmp.
    assert result.response[1] in ("PermissionError", "FileNotFoundError")
    assert result.response[2] in ("PermissionError", "FileNotFoundError")


def test_writing_outside_scratch_is_denied_and_tmp_is_private(run, tmp_path):
    outside = Path(__file__).parent / "planted-by-handler.txt"
    private_tmp = Path("/tmp") / f"planted-by-handler-{uuid.uuid4().hex}"  # a name no one else uses
    host_tmp = (
        tmp_path / "host-tmp-file"
    )  # under the host's /tmp: inside the sandbox it is in scratch
    fn, result = run(f"""
        import os
        def attempt(path):
            try:
                with open(path, "w") as f:
                    f.write("x")
                return "wrote"
            except OSError as exc:
                return type(exc).__name__
        def handler(e, c):
            return {{
                "outside": attempt({str(outside)!r}),
                "code": attempt(os.path.join(os.environ["LAMBDA_TASK_ROOT"], "planted.py")),
                "var_tmp": attempt("/var/tmp/planted"),
                "tmp": attempt({str(private_tmp)!r}),
                "host_tmp": attempt({str(host_tmp)!r}),
            }}
    """)
    r = result.response
    assert r["outside"] != "wrote" and r["code"] != "wrote" and r["var_tmp"] != "wrote"
    assert r["tmp"] == "wrote"
    assert (
        not outside.exists() and not host_tmp.exists() and not (fn.code_dir / "planted.py").exists()
    )
    assert not private_tmp.exists() and not Path("/var/tmp/planted").exists()


def test_a_50_mb_file_stays_in_the_environments_own_tmp_and_goes_with_it(runtime, tmp_path):
    fn = make_function(
        tmp_path,
        """
        import os
        def handler(e, c):
            if e.get("write"):
                with open("/tmp/big.bin", "wb") as f:
                    f.write(b"\\0" * (50 * 1024 * 1024))
            return os.path.getsize("/tmp/big.bin") if os.path.exists("/tmp/big.bin") else None
    """,
    )
    assert runtime.invoke(fn, {"write": True}).response == 50 * 1024 * 1024
    warm = runtime.invoke(fn, {})
    assert not warm.cold and warm.response == 50 * 1024 * 1024  # /tmp lives on while warm
    scratch = runtime._slots[fn.name][0].env.scratch
    assert not (scratch / "big.bin").exists() and not Path("/tmp/big.bin").exists()
    assert runtime.destroy_environments(fn.name) == 1
    assert not scratch.exists()
    cold = runtime.invoke(fn, {})
    assert cold.cold and cold.response is None  # a new environment, a new empty /tmp
    assert settle(runtime) == set()


@pytest.mark.parametrize(
    "call,reason",
    [
        ("sys.exit(0)", "Runtime exited without providing a reason"),
        ("os._exit(0)", "Runtime exited without providing a reason"),
        ("sys.exit(3)", "Runtime exited with error: exit status 3"),
        ("raise KeyboardInterrupt", "Runtime exited with error: signal: interrupt"),
    ],
)
def test_exiting_the_runtime_is_a_crash_and_resets_the_environment(run, runtime, call, reason):
    fn, result = run(f"import os, sys\ndef handler(e, c):\n    {call}\n")
    assert result.error.error_type == "Runtime.ExitError"
    assert result.error.error_message == f"RequestId: {result.request_id} Error: {reason}"
    assert result.report.status == "crash"
    assert runtime.environments(fn.name) == []


def test_endless_printing_is_capped_and_times_out(run):
    _fn, result = run(
        "def handler(e, c):\n    while True:\n        print('spam ' * 100)\n", timeout_s=1
    )
    assert result.error.error_type == "Sandbox.Timedout"
    assert result.logs_truncated and "[log truncated:" in result.logs
    assert len(result.logs) < 300 * 1024


def test_infinite_recursion_is_an_ordinary_error(run, runtime):
    fn, result = run("def handler(e, c):\n    return handler(e, c)\n")
    assert result.error.error_type == "RecursionError"
    assert len(runtime.environments(fn.name)) == 1  # a handled error keeps the environment


def test_thread_writing_after_return_does_not_disturb_results(runtime, tmp_path):
    fn = make_function(
        tmp_path,
        """
        import threading, time
        printed = [0]
        def chatter():
            while True:
                print("background")
                printed[0] += 1
                time.sleep(0.01)
        def handler(e, c):
            if not e.get("again"):
                threading.Thread(target=chatter, daemon=True).start()
            else:  # frozen while idle: the thread prints again once this invoke thaws it
                seen, deadline = printed[0], time.time() + 10
                while printed[0] < seen + 2 and time.time() < deadline:
                    time.sleep(0.005)
            return "returned"
    """,
    )
    first = runtime.invoke(fn, {})
    second = runtime.invoke(fn, {"again": True})
    assert first.response == second.response == "returned" and not second.cold
    assert "background" in second.logs
    assert runtime.destroy_environments(fn.name) == 1
    assert settle(runtime) == set()


def test_printing_a_fake_result_frame_fools_nobody(run):
    _fn, result = run("""
        import json, os, struct, sys
        def handler(e, c):
            fake = json.dumps({"t": "result", "request_id": c.aws_request_id, "payload": '"forged"',
                               "error": None, "duration_ms": 0, "out_of_memory": False}).encode()
            os.write(1, struct.pack(">I", len(fake)) + fake)
            print(fake.decode())
            sys.stdout.flush()
            return "genuine"
    """)
    assert result.response == "genuine"
    assert "forged" in result.logs


def test_returning_nan_passes_through_as_lambda_does(run):
    _fn, result = run("def handler(e, c):\n    return float('nan')\n")
    assert result.error is None and math.isnan(result.response)


def test_returning_100_mb_is_refused_as_too_large(run):
    # A generous timeout: encoding 100 MB is slow on a loaded machine, and size is the point.
    _fn, result = run(
        "def handler(e, c):\n    return 'x' * (100 * 1024 * 1024)\n", memory_mb=1024, timeout_s=20
    )
    assert result.error.error_type == "Function.ResponseSizeTooLarge"
    assert (
        result.error.error_message
        == "Response payload size exceeded maximum allowed payload size (6291556 bytes)."
    )


def test_returning_a_non_json_object_is_a_marshal_error(run):
    _fn, result = run("def handler(e, c):\n    return object()\n")
    assert result.error.error_type == "Runtime.MarshalError"
    assert (
        result.error.error_message
        == "Unable to marshal response: Object of type object is not JSON serializable"
    )


def test_signalling_the_parent_is_refused(run):
    _fn, result = run(
        f"import os, signal\ndef handler(e, c):\n    os.kill({os.getpid()}, signal.SIGTERM)\n"
    )
    assert result.error.error_type == "PermissionError"


def test_writing_a_forged_frame_on_the_protocol_socket_is_a_protocol_error(run):
    _fn, result = run("""
        import os, struct
        def handler(e, c):
            bogus = b'{"t": "result", "unexpected": 1}'
            for fd in range(3, 20):
                try:
                    os.write(fd, struct.pack(">I", len(bogus)) + bogus)
                except OSError:
                    pass
            return "done"
    """)
    assert result.error.error_type == "Sandbox.ProtocolError" and result.report.status == "crash"


def test_without_seccomp_an_escaped_grandchild_is_still_killed_with_its_environment(tmp_path):
    """Defence in depth: with seccomp switched off, fork + setsid leaves the worker's
    process group; the template (a child subreaper) kills it when the environment dies."""
    fn = make_function(
        tmp_path,
        """
        import os, time
        def handler(e, c):
            pid = os.fork()
            if pid == 0:
                os.setsid()
                time.sleep(1000)
                os._exit(0)
            return pid
    """,
    )
    with LambdaRuntime(disable_isolation=["seccomp"]) as runtime:
        result = runtime.invoke(fn, {})
        assert "seccomp" not in result.isolation
        escaped = result.response  # its pid inside the environment's PID namespace
        live = {env.pid for env in runtime.environments(fn.name)}
        (outside,) = runtime.sandbox_pids() - live
        with open(f"/proc/{outside}/status") as status:
            nspid = next(line for line in status if line.startswith("NSpid:"))
        assert int(nspid.split()[-1]) == escaped
        assert runtime.destroy_environments(fn.name) == 1
        assert settle(runtime) == set()
