"""Max Memory Used: measured per environment by the sandbox (the worker's peak RSS,
REPORT line as CloudWatch writes it), estimated per environment in-process (and said so).
"""

from __future__ import annotations

import re

import pytest

from serverless_tutor.runtime import LambdaRuntime
from serverless_tutor.runtime.memory_estimate import RUNTIME_BASELINE_MB
from tests.runtime.conftest import make_function

# Touches every page of 60 MB, then lets it go before returning.
ALLOCATES_60_MB = """
def handler(event, context):
    block = bytes(range(256)) * (60 * 4096)
    return len(block) // (1024 * 1024)
"""
TRIVIAL = "def handler(event, context):\n    return 'ok'\n"


@pytest.fixture(scope="module")
def inprocess():
    with LambdaRuntime(backend="inprocess") as runtime:
        yield runtime


def _report_memory(result) -> str:
    (line,) = [line for line in result.logs.splitlines() if line.startswith("REPORT ")]
    (field,) = [field for field in line.split("\t") if field.startswith("Max Memory Used")]
    return field


def test_in_process_estimate_grows_with_what_the_environment_allocates(inprocess, tmp_path):
    big = make_function(tmp_path, ALLOCATES_60_MB, memory_mb=256)
    trivial = make_function(tmp_path, TRIVIAL, memory_mb=256)
    first = inprocess.invoke(big, {})
    assert first.response == 60
    warm = inprocess.invoke(big, {})
    small = inprocess.invoke(trivial, {})  # after the big one: its growth is not charged here

    used = first.report.max_memory_used_mb
    assert RUNTIME_BASELINE_MB + 55 <= used < 256
    assert warm.report.max_memory_used_mb >= used  # per environment, it never goes down
    assert RUNTIME_BASELINE_MB <= small.report.max_memory_used_mb < used - 40
    for result in (first, warm, small):
        assert result.report.max_memory_estimated
        assert result.to_json()["report"]["maxMemoryUsedEstimated"] is True
        shown = _report_memory(result)
        assert shown == f"Max Memory Used: {result.report.max_memory_used_mb} MB (estimate)"


def test_in_process_handler_not_found_reports_the_runtimes_memory(inprocess, tmp_path):
    missing = make_function(tmp_path, TRIVIAL, handler="app.nowhere")
    result = inprocess.invoke(missing, {})
    assert result.error is not None and result.error.error_type == "Runtime.HandlerNotFound"
    assert result.report.max_memory_used_mb >= RUNTIME_BASELINE_MB
    assert _report_memory(result).endswith(" MB (estimate)")


def test_sandbox_reports_the_workers_peak_as_cloudwatch_writes_it(sandbox, tmp_path):
    big = make_function(tmp_path, ALLOCATES_60_MB, memory_mb=256)
    missing = make_function(tmp_path, TRIVIAL, handler="app.nowhere")
    allocated = sandbox.invoke(big, {})
    not_found = sandbox.invoke(missing, {})

    assert allocated.response == 60 and 60 < allocated.report.max_memory_used_mb < 256
    # A failed INIT still has a runtime in memory (the worker stays until it is read).
    assert not_found.error is not None
    assert not_found.error.error_type == "Runtime.HandlerNotFound"
    assert not_found.report.max_memory_used_mb > 20
    for result in (allocated, not_found):
        assert not result.report.max_memory_estimated
        assert result.to_json()["report"]["maxMemoryUsedEstimated"] is False
        assert re.fullmatch(r"Max Memory Used: \d+ MB", _report_memory(result))
