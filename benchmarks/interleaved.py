"""Helpers the benchmarks share: whole processes timed interleaved, bytecode kept out of the checkout.

Interleaving (A, B, A, B, ... rather than all A then all B) makes load from other
processes on a shared machine hit every side alike, so the ratios hold even when the
absolute figures do not. Every process gets PYTHONPYCACHEPREFIX set to a temporary
folder: bytecode is written there, never into the checkout, and one untimed warm-up
run of each command fills it so that no timed run compiles.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Bytecode of everything this benchmark imports goes to a temporary folder too.
BYTECODE_DIR = tempfile.mkdtemp(prefix="tutor-bench-pycache-")
sys.pycache_prefix = BYTECODE_DIR


@dataclass
class Command:
    """One side of a comparison: a whole process, run as a person would run it."""

    label: str
    argv: list[str]
    env: dict[str, str] | None = None
    cwd: str | None = None
    expect_exit: int = 0


def process_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ, PYTHONPYCACHEPREFIX=BYTECODE_DIR)
    env.update(extra or {})
    return env


def run_once(command: Command) -> float:
    """Seconds of wall time for the whole process; fails loudly if it did not do its job."""
    started = time.perf_counter()
    done = subprocess.run(
        command.argv,
        env=process_env(command.env),
        cwd=command.cwd,
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != command.expect_exit:
        raise RuntimeError(
            f"{command.label}: exit {done.returncode} (expected {command.expect_exit})\n"
            f"{done.stderr.decode(errors='replace')[-2000:]}"
        )
    return elapsed


def interleave(commands: list[Command], runs: int) -> dict[str, list[float]]:
    """Each command once untimed (warm-up), then `runs` rounds of one run of each in turn."""
    for command in commands:
        run_once(command)
    times: dict[str, list[float]] = {command.label: [] for command in commands}
    for _ in range(runs):
        for command in commands:
            times[command.label].append(run_once(command))
    return times


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def describe(samples: list[float]) -> str:
    ordered = sorted(samples)
    return (
        f"median {median_ms(ordered):7.0f} ms  min {ordered[0] * 1000:7.0f}  "
        f"max {ordered[-1] * 1000:7.0f}  (n={len(ordered)})"
    )


def tutor_command() -> list[str]:
    """`serverless-tutor` as a learner runs it: the installed console script when there is one."""
    script = Path(sys.executable).with_name("serverless-tutor")
    if script.exists():
        return [str(script)]
    found = shutil.which("serverless-tutor")
    return [found] if found else [sys.executable, "-m", "serverless_tutor"]


def find_peer(option: str | None) -> str | None:
    """python-lambda-local's CLI: --peer, else on PATH, else next to this interpreter."""
    candidates: list[str | None] = [option]
    candidates += [
        shutil.which("python-lambda-local"),
        str(Path(sys.executable).with_name("python-lambda-local")),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    return None


def machine() -> str:
    """What the figures were measured on: CPU count and load right now."""
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        f"(1/5/15 min), Python {sys.version.split()[0]}"
    )
