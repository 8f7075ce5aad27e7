"""Every test gets its own data directory, so nothing touches the real learner's files."""

import contextlib
import gc
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` starts three workers per core, not one.

    Much of the suite waits rather than computes: on sandbox workers and their
    templates, on subprocesses, on Textual's timers. On 2 cores the whole suite took
    221 s with 2 workers and 168 s with 6 (same commit, same machine, back to back).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 3 * (cores or 1)


def pytest_configure(config: pytest.Config) -> None:
    """Collect garbage less often than Python's default (700, 10, 10) in the test processes.

    A worker holds every test module and what they import (textual, moto, botocore), and the
    Pilot tests make garbage fast: the default thresholds spent about a fifth of the
    workers' CPU in the collector. Measured on three Pilot-heavy files run serially, three
    times each, interleaved: 43.3-44.3 s of CPU with the default, 37.1-38.6 s with this.
    """
    gc.set_threshold(50_000, 20, 20)


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session):
    """Collect with Python's byte-code cache on, even where PYTHONDONTWRITEBYTECODE=1.

    This project's shells set it; then each of the six workers rewrote the asserts of
    every test module again at every run: collecting took 6.0 s of CPU per worker, 2.9 s
    with the cache (__pycache__, git-ignored). Only while collecting, so running the tests
    (the grader imports exercises' checks.py) writes nothing into the content folders.
    """
    previous = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        with _after_the_first_worker(session.config):
            return (yield)
    finally:
        sys.dont_write_bytecode = previous


@contextlib.contextmanager
def _after_the_first_worker(config: pytest.Config) -> Iterator[None]:
    """Test workers other than the first collect once the first has (bounded: 60 s).

    On a fresh clone (as on CI) no module is compiled yet: six workers collecting at once
    each compiled the package and rewrote every test module's asserts, the same work six
    times. The first worker now does it alone and the others find the cache warm.
    """
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:  # not under xdist
        yield
        return
    done = _collected_marker(workerinput)
    if workerinput["workerid"] == "gw0":
        try:
            yield
        finally:
            done.touch()
        return
    deadline = time.monotonic() + 60
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    yield


def _collected_marker(workerinput: dict) -> Path:
    return Path(tempfile.gettempdir()) / f"serverless-tutor-collected-{workerinput['testrunuid']}"


def pytest_sessionfinish(session: pytest.Session) -> None:
    workerinput = getattr(session.config, "workerinput", None)
    if workerinput is not None and workerinput["workerid"] == "gw0":
        _collected_marker(workerinput).unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def tutor_home(tmp_path, monkeypatch):
    home = tmp_path / "tutor-home"
    monkeypatch.setenv("SERVERLESS_TUTOR_HOME", str(home))
    # No background grader (cli/grader_client.py) outlives a test that runs `check` as a
    # process; the grader's own tests turn it on for theirs.
    monkeypatch.setenv("SERVERLESS_TUTOR_GRADER", "off")
    return home
