"""The invoke playground engine: the bundled demos on the in-process runtime, with a ManualClock."""

import json
import math
from pathlib import Path

import pytest

import serverless_tutor.demos as demos_package
from serverless_tutor.demos import HANDLERS_DIR
from serverless_tutor.demos.catalog import DEMOS, demo
from serverless_tutor.demos.playground import InvokePlayground
from serverless_tutor.runtime import ManualClock
from serverless_tutor.runtime.events import SAMPLE_SOURCES


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def playground(clock):
    with InvokePlayground(clock=clock) as engine:
        yield engine


def only(batch):
    assert len(batch.invocations) == 1
    return batch.invocations[0]


# ------------------------------------------------------------ the catalog


def test_handlers_are_found_next_to_the_package_module():
    assert Path(demos_package.__file__).resolve().parent / "handlers" == HANDLERS_DIR
    for d in DEMOS:
        assert d.path.is_file(), d.file
        assert d.path.parent == HANDLERS_DIR
        assert "def lambda_handler(event, context):" in d.source()


def test_catalog_ids_are_unique_function_names_and_events_are_known_sources():
    ids = [d.id for d in DEMOS]
    assert len(ids) == len(set(ids))
    for d in DEMOS:
        assert d.event_source == "custom" or d.event_source in SAMPLE_SOURCES, d.id
        json.dumps(d.event())  # every event is JSON, as Lambda delivers it
    sources = {d.event_source for d in DEMOS}
    # lesson 4's six event sources, one demo each
    assert {
        "apigateway-rest",
        "s3-put",
        "sqs",
        "sns",
        "dynamodb-insert",
        "eventbridge-scheduled",
    } <= sources


def test_unknown_demo_and_bad_settings_are_refused_with_the_field(playground):
    with pytest.raises(ValueError, match="unknown demo 'nope'; choose one of: hello, counter"):
        playground.invoke("nope")
    with pytest.raises(ValueError, match="memory_mb: 64 is outside Lambda's 128 to 10240 MB"):
        playground.invoke("hello", memory_mb=64)
    with pytest.raises(ValueError, match="at_once: 0 requests"):
        playground.invoke("hello", at_once=0)
    assert playground.history() == []


# ------------------------------------------------------------ cold and warm


def test_first_request_is_cold_with_init_in_the_report_then_warm(playground):
    first = only(playground.invoke("hello"))
    assert first.cold and first.environment_number == 1
    assert first.why.startswith("cold: first request")
    report = first.result.report
    assert report.init_duration_ms is not None
    assert report.billed_duration_ms == max(
        1, math.ceil(report.duration_ms + report.init_duration_ms)
    )
    lines = first.result.logs.splitlines()
    assert lines[0].startswith("INIT_START")
    assert lines[1].startswith(f"START RequestId: {first.result.request_id} Version: $LATEST")
    assert lines[-2] == f"END RequestId: {first.result.request_id}"
    assert lines[-1].startswith(f"REPORT RequestId: {first.result.request_id}\tDuration: ")
    assert "\tInit Duration: " in lines[-1]
    assert "GET /hello name=Ada" in first.result.logs

    second = only(playground.invoke("hello"))
    assert not second.cold and second.environment_number == 1
    assert second.why.startswith("warm: env #1 was idle")
    assert "Init Duration" not in second.result.logs
    assert second.result.report.init_duration_ms is None


def test_hello_answers_a_proxy_response_with_the_name_from_the_query_string(playground):
    response = only(playground.invoke("hello")).result.response
    assert response["statusCode"] == 200
    assert response["headers"] == {"Content-Type": "application/json"}
    assert json.loads(response["body"])["message"] == "Hello, Ada!"


def test_module_state_survives_warm_invokes_and_three_at_once_need_three_environments(playground):
    counts = [
        only(playground.invoke("counter")).result.response["requests_served_here"] for _ in range(3)
    ]
    assert counts == [1, 2, 3]

    batch = playground.invoke("counter", at_once=3)
    by_env = {i.environment_number: i for i in batch.invocations}
    assert sorted(by_env) == [1, 2, 3]
    assert not by_env[1].cold and by_env[1].result.response["requests_served_here"] == 4
    for number in (2, 3):
        assert by_env[number].cold
        assert (
            by_env[number].result.response["requests_served_here"] == 1
        )  # a new module, a new counter
        assert by_env[number].why == (
            "cold: the other requests held all 1 warm environment(s); "
            "one environment serves one request at a time"
        )
    assert batch.explanation.startswith(
        "3 at once: #1 was idle and reused (warm); #2 and #3 are new (cold)."
    )

    rows = playground.environments("counter")
    assert [(r.number, r.state, r.invocations, r.last_start) for r in rows] == [
        (1, "idle", 4, "warm"),
        (2, "idle", 1, "cold"),
        (3, "idle", 1, "cold"),
    ]


def test_simultaneous_requests_on_a_new_function_are_all_cold(playground):
    batch = playground.invoke("hello", at_once=3)
    assert [i.cold for i in batch.invocations] == [True, True, True]
    assert len({i.result.environment_id for i in batch.invocations}) == 3
    assert all(
        "each simultaneous request needs its own environment" in i.why for i in batch.invocations
    )


def test_idle_environments_are_reclaimed_after_the_keep_alive(playground, clock):
    playground.invoke("counter", at_once=2)
    assert len(playground.environments("counter")) == 2
    clock.advance(30)
    assert [r.idle_s for r in playground.environments("counter")] == [30, 30]

    early = playground.let_time_pass(playground.keep_alive_s - 31)
    assert early.reclaimed == 0 and early.explanation.startswith(
        "9 min 29 s passed: no idle environment"
    )
    passed = playground.let_time_pass(1)
    assert passed.reclaimed == 2 and passed.reclaimed_by_demo == {"counter": [1, 2]}
    assert "were reclaimed (counter #1 and #2)" in passed.explanation
    assert playground.environments("counter") == []

    again = only(playground.invoke("counter"))
    assert again.cold and again.environment_number == 3
    assert again.result.response["requests_served_here"] == 1
    assert (
        again.why
        == "cold: its environments sat idle for the keep-alive (10 min) and were reclaimed"
    )


def test_a_new_memory_size_means_new_environments(playground):
    playground.invoke("counter")
    changed = only(playground.invoke("counter", memory_mb=256))
    assert changed.cold and changed.result.report.memory_size_mb == 256
    assert changed.why.startswith("cold: memory changed from 128 to 256 MB")
    assert [r.memory_mb for r in playground.environments("counter")] == [256]


def test_slow_init_is_paid_once_per_environment_and_billed(playground):
    cold = only(playground.invoke("init-heavy")).result
    assert cold.report.init_duration_ms >= 300  # the module sleeps 0.3 s at top level
    assert cold.report.billed_duration_ms >= 300
    warm = only(playground.invoke("init-heavy")).result
    assert warm.report.init_duration_ms is None
    assert warm.response == cold.response  # the settings were loaded once, in INIT


# ------------------------------------------------------------ event sources


def test_s3_demo_decodes_the_url_encoded_key(playground):
    result = only(playground.invoke("s3-logger")).result
    assert result.response is None
    assert (
        "ObjectCreated:Put: s3://tutor-uploads/uploads/photo 1.jpg (1024 bytes, raw key 'uploads/photo+1.jpg')"
        in result.logs
    )


def test_sqs_demo_reports_only_the_bad_message(playground):
    invocation = only(playground.invoke("sqs-batch"))
    records = playground.event("sqs-batch")["Records"]
    assert len(records) == 3 and records[1]["body"] == "not json"
    assert invocation.result.response == {
        "batchItemFailures": [{"itemIdentifier": records[1]["messageId"]}]
    }
    assert "order 42: book" in invocation.result.logs and "order 44: pen" in invocation.result.logs


def test_sns_streams_and_schedule_demos_read_their_events(playground):
    assert "OrderCreated (OrderCreated) from arn:aws:sns:us-east-1:123456789012:order-events" in (
        only(playground.invoke("sns-reader")).result.logs
    )
    assert "new item {'orderId': '42', 'status': 'PENDING', 'total': Decimal('19.99')}" in (
        only(playground.invoke("stream-reader")).result.logs
    )
    assert only(playground.invoke("nightly-job")).result.response == {
        "cutoff": "2025-12-16T12:00:00+00:00"
    }


# ------------------------------------------------------------ failures


def test_a_crash_shows_the_error_shape_and_keeps_the_environment(playground):
    batch = playground.invoke("request-id-slip")
    first = only(batch)
    error = first.result.error
    assert error.error_type == "AttributeError"
    assert error.error_message == "'LambdaContext' object has no attribute 'request_id'"
    assert error.to_json()["requestId"] == first.result.request_id
    assert any(
        "request_id_slip.py" in frame and "lambda_handler" in frame for frame in error.stack_trace
    )
    assert first.result.report.status == "error" and not first.destroyed
    assert batch.explanation.endswith(
        "The handler raised, but an error does not destroy the environment: the next request is warm."
    )
    second = only(playground.invoke("request-id-slip"))
    assert not second.cold and second.environment_number == 1


def test_a_timeout_destroys_the_environment_and_the_next_request_is_cold(playground):
    batch = playground.invoke("slow-report")
    timed_out = only(batch)
    assert timed_out.result.report.status == "timeout"
    assert timed_out.result.error.error_type == "Sandbox.Timedout"
    assert timed_out.result.error.error_message == (
        f"RequestId: {timed_out.result.request_id} Error: Task timed out after 1.00 seconds"
    )
    assert timed_out.destroyed
    assert "Env #1 timed out and was destroyed: the next request is cold." in batch.explanation
    assert playground.environments("slow-report") == []
    again = only(playground.invoke("slow-report"))
    assert again.cold and again.environment_number == 2
    assert again.why == "cold: the last environment was destroyed by a timeout, so INIT runs again"


# ------------------------------------------------------------ history, reset, shutdown


def test_history_numbers_requests_and_reset_starts_over(playground):
    playground.invoke("hello")
    playground.invoke("counter", at_once=2)
    assert [i.number for i in playground.history()] == [1, 2, 3]
    assert [i.demo_id for i in playground.history("counter")] == ["counter", "counter"]
    playground.reset()
    assert playground.history() == []
    assert playground.environments("hello") == [] and playground.environments("counter") == []
    first = only(playground.invoke("counter"))
    assert first.number == 1 and first.environment_number == 1 and first.cold
    assert first.why.startswith("cold: first request")


def test_shutdown_closes_the_runtime():
    engine = InvokePlayground(clock=ManualClock())
    engine.invoke("hello")
    engine.shutdown()
    assert engine.closed
    with pytest.raises(RuntimeError, match="shut down"):
        engine.invoke("hello")
    engine.shutdown()  # twice is harmless


def test_let_time_pass_needs_a_clock_that_moves():
    class FixedClock:
        def now(self) -> float:
            return 0.0

    with InvokePlayground(clock=FixedClock()) as engine:
        with pytest.raises(ValueError, match="cannot be moved on"):
            engine.let_time_pass(600)


def test_demo_lookup_names_the_choices():
    assert demo("hello").handler == "hello.lambda_handler"
    with pytest.raises(ValueError, match="slow-report"):
        demo("missing")
