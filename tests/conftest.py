"""Every test gets its own data directory, so nothing touches the real learner's files."""

import os
import sys

import pytest

# Keep Python's byte-code cache on for the test run, even where the shell sets
# PYTHONDONTWRITEBYTECODE=1 (this project's machines do). Without it each of the six
# xdist workers rewrites the asserts of every test module and compiles the package
# from source at every run: collecting took 6.6 s of CPU per worker, 3.0 s with the
# cache (__pycache__, git-ignored). Set here, before any test module is imported.
sys.dont_write_bytecode = False


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` starts three workers per core, not one.

    Much of the suite waits rather than computes: on sandbox workers and their
    templates, on subprocesses, on Textual's timers. On 2 cores the whole suite took
    221 s with 2 workers and 168 s with 6 (same commit, same machine, back to back).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 3 * (cores or 1)


@pytest.fixture(autouse=True)
def tutor_home(tmp_path, monkeypatch):
    home = tmp_path / "tutor-home"
    monkeypatch.setenv("SERVERLESS_TUTOR_HOME", str(home))
    return home
