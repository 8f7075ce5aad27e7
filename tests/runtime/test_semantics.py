"""Lambda's execution model, on both backends: INIT once per environment, warm state,
context, logs, REPORT, error shapes, init failures, timeouts."""

from __future__ import annotations

import math
import re
import threading
import time

import pytest

from serverless_tutor.runtime import FunctionConfig, LambdaRuntime, ManualClock
from serverless_tutor.runtime.context import LambdaContext

from .conftest import make_function, settle

COUNTER = """
    import os
    INITS = 0
    INITS += 1
    calls = 0
    print("init ran")

    def handler(event, context):
        global calls
        calls += 1
        return {"calls": calls, "inits": INITS, "event": event}
"""


def test_module_state_survives_warm_invokes_and_init_runs_once(backend_runtime, tmp_path):
    fn = make_function(tmp_path, COUNTER)
    results = [backend_runtime.invoke(fn, {"n": i}) for i in range(3)]
    assert [r.cold for r in results] == [True, False, False]
    assert [r.response["calls"] for r in results] == [1, 2, 3]
    assert all(r.response["inits"] == 1 for r in results)
    assert len({r.environment_id for r in results}) == 1
    assert results[2].response["event"] == {"n": 2}
    assert "init ran" in results[0].logs and "init ran" not in results[1].logs


def test_init_duration_only_on_cold_start_and_billed_includes_it(backend_runtime, tmp_path):
    fn = make_function(tmp_path, COUNTER)
    cold, warm = backend_runtime.invoke(fn, {}), backend_runtime.invoke(fn, {})
    assert cold.report.init_duration_ms is not None and cold.report.init_duration_ms > 0
    assert cold.report.billed_duration_ms == max(
        1, math.ceil(cold.report.duration_ms + cold.report.init_duration_ms)
    ) or cold.report.billed_duration_ms == max(
        1, math.ceil(cold.report.duration_ms + cold.report.init_duration_ms - 0.005)
    )
    assert warm.report.init_duration_ms is None
    assert warm.report.billed_duration_ms == max(1, math.ceil(warm.report.duration_ms))
    assert "Init Duration" in cold.logs and "Init Duration" not in warm.logs
    assert cold.to_json()["report"]["initDurationMs"] is not None
    assert warm.to_json()["report"]["initDurationMs"] is None


def test_context_has_the_real_attributes_and_types(backend_runtime, tmp_path):
    fn = make_function(
        tmp_path,
        """
        import time
        def handler(event, context):
            first = context.get_remaining_time_in_millis()
            time.sleep(0.05)
            second = context.get_remaining_time_in_millis()
            return {
                "function_name": context.function_name,
                "function_version": context.function_version,
                "arn": context.invoked_function_arn,
                "memory": context.memory_limit_in_mb,
                "memory_type": type(context.memory_limit_in_mb).__name__,
                "request_id": context.aws_request_id,
                "log_group": context.log_group_name,
                "log_stream": context.log_stream_name,
                "identity": type(context.identity).__name__,
                "client_context": context.client_context,
                "remaining": [first, second],
                "remaining_type": type(first).__name__,
                "has_request_id_attr": hasattr(context, "request_id"),
            }
    """,
        name="ctx-fn",
        memory_mb=256,
        timeout_s=2,
    )
    result = backend_runtime.invoke(fn, {})
    r = result.response
    assert r["function_name"] == "ctx-fn" and r["function_version"] == "$LATEST"
    assert r["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:ctx-fn"
    assert r["memory"] == "256" and r["memory_type"] == "str"
    assert r["request_id"] == result.request_id
    assert r["log_group"] == "/aws/lambda/ctx-fn"
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", r["log_stream"])
    assert r["identity"] == "CognitoIdentity" and r["client_context"] is None
    assert r["remaining_type"] == "int"
    assert 0 < r["remaining"][1] < r["remaining"][0] <= 2000
    assert r["has_request_id_attr"] is False  # the chapter's context.request_id does not exist


def test_remaining_time_never_goes_below_zero():
    now = [1000.0]
    context = LambdaContext(
        aws_request_id="r",
        function_name="f",
        memory_limit_in_mb="128",
        invoked_function_arn="arn",
        log_group_name="g",
        log_stream_name="s",
        deadline_epoch_ms=1_000_500,
        wall_time=lambda: now[0],
    )
    assert context.get_remaining_time_in_millis() == 500
    now[0] = 1001.0
    assert context.get_remaining_time_in_millis() == 0


def test_request_ids_are_unique(backend_runtime, tmp_path):
    fn = make_function(tmp_path, "def handler(e, c):\n    return c.aws_request_id\n")
    results = [backend_runtime.invoke(fn, {}) for _ in range(5)]
    assert len({r.request_id for r in results}) == 5
    assert all(r.response == r.request_id for r in results)


def test_log_lines_follow_lambdas_format(backend_runtime, tmp_path):
    fn = make_function(
        tmp_path,
        """
        import logging
        logger = logging.getLogger()
        logger.setLevel(logging.INFO)
        def handler(event, context):
            print("plain print")
            logger.info("info %s", 42)
            return 1
    """,
    )
    result = backend_runtime.invoke(fn, {})
    rid = result.request_id
    lines = result.logs.splitlines()
    start = lines.index(f"START RequestId: {rid} Version: $LATEST")
    end = lines.index(f"END RequestId: {rid}")
    assert start < lines.index("plain print") < end
    info = [line for line in lines if line.startswith("[INFO]")]
    assert len(info) == 1
    _level, stamp, request_id, message = info[0].split("\t")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", stamp)
    assert (request_id, message) == (rid, "info 42")
    report = lines[end + 1]
    # In-process the figure is an estimate, and the line says so; the sandbox's is measured.
    estimate = r" \(estimate\)" if backend_runtime.backend == "inprocess" else ""
    assert re.fullmatch(
        rf"REPORT RequestId: {rid}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\t"
        rf"Max Memory Used: \d+ MB{estimate}\tInit Duration: \d+\.\d\d ms",
        report,
    )


def test_root_logger_level_defaults_to_warning_like_lambda(sandbox, tmp_path):
    # Sandbox only: in-process handlers share the tutor's root logger.
    fn = make_function(
        tmp_path,
        """
        import logging
        def handler(event, context):
            logging.getLogger().info("hidden")
            logging.getLogger().warning("shown")
    """,
    )
    logs = sandbox.invoke(fn, {}).logs
    assert "hidden" not in logs and "[WARNING]" in logs and "shown" in logs


def test_handled_exception_keeps_the_environment_and_strips_runtime_frames(
    backend_runtime, tmp_path
):
    fn = make_function(
        tmp_path,
        """
        calls = 0
        def helper():
            raise ValueError("bad order id")
        def handler(event, context):
            global calls
            calls += 1
            if event.get("fail"):
                helper()
            return calls
    """,
    )
    backend_runtime.invoke(fn, {})
    failed = backend_runtime.invoke(fn, {"fail": True})
    after = backend_runtime.invoke(fn, {})
    assert failed.error.error_type == "ValueError" and failed.error.error_message == "bad order id"
    assert failed.report.status == "error"
    assert failed.environment_id == after.environment_id and not after.cold and after.response == 3
    trace = "".join(failed.error.stack_trace)
    assert "in handler" in trace and "in helper" in trace
    assert "serverless_tutor" not in trace
    shaped = failed.to_json()["error"]
    # Lambda's keys in Lambda's order
    assert list(shaped) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert failed.error.to_json()["requestId"] == failed.request_id
    assert "[ERROR] ValueError: bad order id" in failed.logs
    assert "Status: error\tError Type: ValueError" in failed.logs


@pytest.mark.parametrize(
    "files,handler,error_type,message",
    [
        (
            {"app.py": "def handler(e, c): pass\n"},
            "missing.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'missing': No module named 'missing'",
        ),
        (
            {"app.py": "import not_installed_anywhere\ndef handler(e, c): pass\n"},
            "app.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'app': No module named 'not_installed_anywhere'",
        ),
        (
            {"app.py": "def handler(e, c): pass\n"},
            "app.lambda_handler",
            "Runtime.HandlerNotFound",
            "Handler 'lambda_handler' missing on module 'app'",
        ),
        (
            {"app.py": "def handler(e, c)\n    pass\n"},
            "app.handler",
            "Runtime.UserCodeSyntaxError",
            "Syntax error in module 'app': ",
        ),
        (
            {"app.py": "def handler(e, c): pass\n"},
            "apphandler",
            "Runtime.MalformedHandlerName",
            "Bad handler 'apphandler': not enough values to unpack (expected 2, got 1)",
        ),
        (
            {"app.py": "raise KeyError('TABLE_NAME')\ndef handler(e, c): pass\n"},
            "app.handler",
            "KeyError",
            "'TABLE_NAME'",
        ),
    ],
)
def test_init_failures_are_reported_and_reset_the_environment(
    backend_runtime, tmp_path, files, handler, error_type, message
):
    code_dir = tmp_path / "code"
    code_dir.mkdir()
    for name, text in files.items():
        (code_dir / name).write_text(text)
    fn = FunctionConfig(name="broken", handler=handler, code_dir=code_dir)
    first = backend_runtime.invoke(fn, {})
    second = backend_runtime.invoke(fn, {})
    assert first.error.error_type == error_type
    assert first.error.error_message.startswith(message)
    assert first.cold and second.cold and first.environment_id != second.environment_id
    assert first.report.init_duration_ms is not None and first.report.status == "error"
    assert backend_runtime.environments("broken") == []


def test_file_path_handler_form(backend_runtime, tmp_path):
    fn = make_function(
        tmp_path,
        "def main(e, c):\n    return 'from a file path'\n",
        filename="app.py",
        handler="app.py:main",
    )
    assert backend_runtime.invoke(fn, {}).response == "from a file path"


def test_timeout_destroys_the_environment_and_the_next_invoke_is_cold(backend_runtime, tmp_path):
    fn = make_function(
        tmp_path,
        """
        import time
        calls = 0
        def handler(event, context):
            global calls
            calls += 1
            if event.get("slow"):
                time.sleep(30)
            return calls
    """,
        timeout_s=1,
    )
    assert backend_runtime.invoke(fn, {}).response == 1
    timed_out = backend_runtime.invoke(fn, {"slow": True})
    after = backend_runtime.invoke(fn, {})
    rid = timed_out.request_id
    assert timed_out.error.error_type == "Sandbox.Timedout"
    assert (
        timed_out.error.error_message
        == f"RequestId: {rid} Error: Task timed out after 1.00 seconds"
    )
    assert timed_out.report.status == "timeout"
    assert timed_out.logs.rstrip().endswith("Status: timeout")
    assert f"{rid} Task timed out after 1.00 seconds" in timed_out.logs
    assert timed_out.report.billed_duration_ms == 1000
    assert after.cold and after.response == 1  # module state was lost with the environment


def test_config_validation_names_the_field():
    from pydantic import ValidationError

    for bad, field in [
        ({"memory_mb": 64}, "memory_mb"),
        ({"memory_mb": 10241}, "memory_mb"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"timeout_s": 901}, "timeout_s"),
        ({"name": "has space"}, "name"),
        ({"environment": {"AWS_REGION": "x"}}, "environment"),
        ({"ephemeral_storage_mb": 100}, "ephemeral_storage_mb"),
        ({"handler": ""}, "handler"),
        ({"architecture": "sparc"}, "architecture"),
    ]:
        values = {"name": "f", "handler": "app.handler", "code_dir": "/nonexistent", **bad}
        with pytest.raises(ValidationError) as caught:
            FunctionConfig(**values)
        assert caught.value.errors()[0]["loc"][0] == field


def test_concurrent_invoke_creates_a_second_environment(sandbox, tmp_path):
    fn = make_function(
        tmp_path,
        """
        import time
        def handler(event, context):
            time.sleep(event.get("sleep", 0))
            return context.aws_request_id
    """,
    )
    sandbox.invoke(fn, {})
    first: dict = {}
    worker = threading.Thread(
        target=lambda: first.setdefault("r", sandbox.invoke(fn, {"sleep": 1.5}))
    )
    worker.start()
    deadline = time.monotonic() + 10
    while not any(env.busy for env in sandbox.environments(fn.name)):
        assert time.monotonic() < deadline, "the first invoke never started"
        time.sleep(0.005)
    second = sandbox.invoke(fn, {})
    worker.join()
    assert not first["r"].cold and second.cold
    assert first["r"].environment_id != second.environment_id
    assert len(sandbox.environments(fn.name)) == 2


def test_idle_environments_are_reclaimed_after_keep_alive(tmp_path):
    clock = ManualClock()
    fn = make_function(
        tmp_path,
        """
        import os
        def handler(event, context):
            path = "/tmp/visits"
            visits = int(open(path).read()) if os.path.exists(path) else 0
            open(path, "w").write(str(visits + 1))
            return visits + 1
    """,
    )
    with LambdaRuntime(keep_alive_s=600, clock=clock) as runtime:
        assert runtime.invoke(fn, {}).response == 1
        clock.advance(300)
        warm = runtime.invoke(fn, {})
        assert not warm.cold and warm.response == 2  # /tmp is kept across warm invokes
        scratch = runtime._slots[fn.name][0].env.scratch
        assert not (scratch / "visits").exists()  # in the environment's own tmpfs, not on disk
        clock.advance(599)
        assert runtime.reclaim_idle() == 0
        clock.advance(1)
        assert runtime.reclaim_idle() == 1
        assert runtime.environments(fn.name) == []
        assert not scratch.exists()  # /tmp is wiped when the environment dies
        again = runtime.invoke(fn, {})
        assert again.cold and again.response == 1
        assert settle(runtime) == set()


def test_changed_configuration_gets_a_fresh_environment(backend_runtime, tmp_path):
    fn = make_function(tmp_path, COUNTER)
    backend_runtime.invoke(fn, {})
    bigger = fn.model_copy(update={"memory_mb": 256})
    result = backend_runtime.invoke(bigger, {})
    assert result.cold and result.report.memory_size_mb == 256


def test_function_environment_is_scrubbed_and_lambda_like(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("TUTOR_PARENT_SECRET", "do-not-leak")
    fn = make_function(
        tmp_path,
        """
        import os, tempfile
        def handler(event, context):
            return {"env": dict(os.environ), "tempdir": tempfile.gettempdir(), "cwd": os.getcwd()}
    """,
        name="env-fn",
        environment={"TABLE_NAME": "orders"},
    )
    r = sandbox.invoke(fn, {}).response
    env = r["env"]
    assert "TUTOR_PARENT_SECRET" not in env
    assert env["TABLE_NAME"] == "orders"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "env-fn"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "128"
    assert env["AWS_REGION"] == "us-east-1" and env["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert env["LAMBDA_TASK_ROOT"] == str(fn.code_dir) == r["cwd"]
    assert env["AWS_REQUEST_CHECKSUM_CALCULATION"] == "when_required"
    assert r["tempdir"] == env["TMPDIR"]
    assert not any(
        key.startswith(("PYTHON", "VIRTUAL_ENV", "PYTEST", "SERVERLESS_TUTOR")) for key in env
    )


def test_all_layers_in_force_here_and_requiring_them_runs(tmp_path):
    from serverless_tutor.runtime.confine import ALL_LAYERS

    fn = make_function(tmp_path, "def handler(e, c):\n    return 'ran'\n")
    with LambdaRuntime(require_isolation=ALL_LAYERS) as runtime:
        result = runtime.invoke(fn, {})
    assert result.response == "ran"
    assert set(result.isolation) == set(ALL_LAYERS)


def test_a_missing_required_layer_fails_closed_without_reading_code(tmp_path):
    fn = make_function(tmp_path, "print('INIT CODE RAN')\ndef handler(e, c):\n    return 'ran'\n")
    with LambdaRuntime(require_isolation=["seccomp"], disable_isolation=["seccomp"]) as runtime:
        result = runtime.invoke(fn, {})
        assert result.error.error_type == "Sandbox.IsolationUnavailable"
        assert "seccomp" in result.error.error_message
        assert result.response is None and "INIT CODE RAN" not in result.logs
        assert "seccomp" not in result.isolation
        assert runtime.environments(fn.name) == []
        assert settle(runtime) == set()


def test_unknown_layer_and_inprocess_requirements_are_rejected():
    with pytest.raises(ValueError, match="unknown isolation layer"):
        LambdaRuntime(backend="inprocess", require_isolation=["tinfoil"])
    with pytest.raises(ValueError, match="no isolation layers"):
        LambdaRuntime(backend="inprocess", require_isolation=["seccomp"])


def test_events_that_are_not_json_are_refused(backend_runtime, tmp_path):
    fn = make_function(tmp_path, COUNTER)
    with pytest.raises(ValueError, match="JSON"):
        backend_runtime.invoke(fn, {"when": object()})


def test_output_is_made_safe_for_the_terminal(backend_runtime, tmp_path):
    fn = make_function(
        tmp_path, "def handler(e, c):\n    print('\\x1b[2J\\x1b]0;pwned\\x07red\\x9b')\n"
    )
    logs = backend_runtime.invoke(fn, {}).logs
    assert "\x1b" not in logs and "\x07" not in logs and "\x9b" not in logs
    assert "\\x1b[2J" in logs and "red" in logs


def test_simultaneous_requests_each_get_their_own_environment(tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "fast.py").write_text("def handler(event, context):\n    return event\n")
    config = FunctionConfig(name="fast", handler="fast.handler", code_dir=code)
    with LambdaRuntime(backend="inprocess") as runtime:
        assert runtime.invoke(config, 0).cold
        results = runtime.invoke_simultaneously(config, [1, 2, 3])
        assert [r.response for r in results] == [1, 2, 3]
        assert sorted(r.cold for r in results) == [False, True, True]
        assert len({r.environment_id for r in results}) == 3
        assert len(runtime.environments("fast")) == 3
