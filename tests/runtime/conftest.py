"""Helpers for runtime tests: write a handler into a code dir, build its config,
and check that nothing is left running under the sandbox."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from serverless_tutor.runtime import FunctionConfig, LambdaRuntime

_counter = [0]


def make_function(
    tmp_path: Path, source: str, *, handler: str = "app.handler", filename: str = "app.py", **config
) -> FunctionConfig:
    """A function whose code dir holds one file with `source`."""
    _counter[0] += 1
    code_dir = tmp_path / f"code{_counter[0]}"
    code_dir.mkdir()
    (code_dir / filename).write_text(textwrap.dedent(source))
    config.setdefault("name", f"fn{_counter[0]}")
    return FunctionConfig(handler=handler, code_dir=code_dir, **config)


def settle(runtime: LambdaRuntime, names: list[str] | None = None, wait_s: float = 5.0) -> set[int]:
    """Wait (bounded) until the only processes under the sandbox are the workers of
    live environments, and return what is left beyond them (empty when clean)."""
    deadline = time.monotonic() + wait_s
    while True:
        live = {
            env.pid
            for name in (names or list(runtime._slots))
            for env in runtime.environments(name)
        }
        extra = runtime.sandbox_pids() - live
        if not extra or time.monotonic() > deadline:
            return extra
        time.sleep(0.02)


@pytest.fixture(scope="module")
def sandbox():
    with LambdaRuntime(backend="sandbox") as runtime:
        yield runtime


@pytest.fixture(params=["sandbox", "inprocess"])
def backend_runtime(request, sandbox):
    if request.param == "sandbox":
        yield sandbox
    else:
        with LambdaRuntime(backend="inprocess") as runtime:
            yield runtime
