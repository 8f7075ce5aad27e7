"""Helpers the benchmarks share: whole processes timed interleaved, bytecode kept out of the checkout.

Interleaving (A, B, A, B, ... rather than all A then all B) makes load from other
processes on a shared machine hit every side alike, so the ratios hold even when the
absolute figures do not. Each run also records the CPU time the process and its
waited-for descendants used (user + system): on a loaded machine it moves far less
than wall time, though it hides what running two processes in parallel saves. Every process gets PYTHONPYCACHEPREFIX set to a temporary
folder: bytecode is written there, never into the checkout, and one untimed warm-up
run of each command fills it so that no timed run compiles.
"""

from __future__ import annotations

import os
import resource
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
    # Inherited from a shell, this would make every timed run compile all it imports.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra or {})
    return env


@dataclass
class Timings:
    """Seconds per run of each command: wall clock and CPU (user + system, descendants included)."""

    wall: dict[str, list[float]]
    cpu: dict[str, list[float]]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(command: Command) -> tuple[float, float]:
    """(wall, CPU) seconds for the whole process; fails loudly if it did not do its job."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        command.argv,
        env=process_env(command.env),
        cwd=command.cwd,
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    if done.returncode != command.expect_exit:
        raise RuntimeError(
            f"{command.label}: exit {done.returncode} (expected {command.expect_exit})\n"
            f"{done.stderr.decode(errors='replace')[-2000:]}"
        )
    return elapsed, cpu


def interleave(commands: list[Command], runs: int) -> Timings:
    """Each command once untimed (warm-up), then `runs` rounds of one run of each in turn."""
    for command in commands:
        run_once(command)
    timings = Timings(
        wall={command.label: [] for command in commands},
        cpu={command.label: [] for command in commands},
    )
    for _ in range(runs):
        for command in commands:
            wall, cpu = run_once(command)
            timings.wall[command.label].append(wall)
            timings.cpu[command.label].append(cpu)
    return timings


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


def cpu_comparison(timings: Timings, ours: str, peer: str) -> dict[str, float] | None:
    """Median CPU seconds of each side and their ratio (None when the peer did not run)."""
    if peer not in timings.cpu:
        return None
    ours_cpu = statistics.median(timings.cpu[ours])
    peer_cpu = statistics.median(timings.cpu[peer])
    return {"ours_ms": ours_cpu * 1000, "peer_ms": peer_cpu * 1000, "ratio": ours_cpu / peer_cpu}


def cpu_line(comparison: dict[str, float]) -> str:
    return (
        f"CPU (user+system, descendants included): ours {comparison['ours_ms']:.0f} ms, "
        f"peer {comparison['peer_ms']:.0f} ms, ours / peer {comparison['ratio']:.2f}x"
    )
