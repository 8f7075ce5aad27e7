"""Invoke benchmark: our sandboxed runtime against python-lambda-local, like for like, in one run.

    python benchmarks/invoke.py [--runs 15] [--calls 40] [--warm 500] [--peer PATH] [--json]

A trivial handler (no imports of its own), three scenarios, each interleaved
(ours, peer, ours, peer, ...) so that load from other processes hits both alike:

1. Whole process, as a person runs it (the headline): `serverless-tutor invoke
   app.py:handler --event event.json` against `python-lambda-local -f handler
   app.py event.json`; interpreter start, imports, our sandbox template and exit
   all included on both sides. Goal: within 1.5x of the peer.
2. A fresh environment per call: our cold start (a worker forked from the running
   template, confined, INIT, invoke) against python-lambda-local's
   `lambda_local.main.call`, which forks a process per call. The peer runs in a
   process of its own (its own interpreter and virtualenv), never inside one that
   has loaded our runtime.
3. Warm, reused environment: ours only. python-lambda-local has no warm
   environment to compare with, so no ratio is printed for it.

python-lambda-local is not a dependency: install it into a virtualenv of its own
(`python -m venv /tmp/pll && /tmp/pll/bin/pip install python-lambda-local`) and pass
`--peer /tmp/pll/bin/python-lambda-local`. Bytecode goes to a temporary folder,
never into the checkout. Figures are machine-dependent; on a shared machine
compare the ratios, not the numbers.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from interleaved import (  # after the path set-up; it also sets the bytecode folder
    Command,
    Timings,
    cpu_comparison,
    cpu_line,
    describe,
    find_peer,
    interleave,
    machine,
    median_ms,
    process_env,
    tutor_command,
)

TRIVIAL = "def handler(event, context):\n    return {'ok': True}\n"
GOAL_WHOLE_PROCESS = 1.5

# Runs in the peer's own interpreter: one call() per line read, elapsed ms written back.
PEER_DRIVER = """
import logging, sys, time
sys.path.insert(0, sys.argv[1])
from lambda_local.context import Context
from lambda_local.main import call
from app import handler
logging.getLogger().setLevel(logging.WARNING)  # it logs every call at INFO
for _ in range(3):
    call(handler, {}, Context(3))
print("ready", flush=True)
for _line in sys.stdin:
    started = time.perf_counter()
    call(handler, {}, Context(3))
    print((time.perf_counter() - started) * 1000, flush=True)
"""


def peer_python(peer_cli: str) -> str:
    """The interpreter of python-lambda-local's script (its shebang), so its API runs in its own venv."""
    first = Path(peer_cli).read_text(encoding="utf-8", errors="replace").splitlines()[0]
    return first[2:].strip() if first.startswith("#!") else sys.executable


def whole_process(code_dir: Path, peer: str | None, runs: int) -> Timings:
    ours = Command(
        "serverless-tutor invoke",
        [*tutor_command(), "invoke", "app.py:handler", "--event", "event.json"],
        cwd=str(code_dir),
    )
    commands = [ours]
    if peer is not None:
        commands.append(
            Command(
                "python-lambda-local CLI",
                [peer, "-f", "handler", "-t", "3", "app.py", "event.json"],
                cwd=str(code_dir),
            )
        )
    return interleave(commands, runs)


def fresh_environment_per_call(
    code_dir: Path, peer: str | None, calls: int
) -> tuple[list[float], list[float] | None, list[str]]:
    """Our cold start per call and the peer's fork per call, sample by sample in turn."""
    from serverless_tutor.runtime import FunctionConfig, LambdaRuntime

    driver = None
    if peer is not None:
        driver = subprocess.Popen(
            [peer_python(peer), "-c", PEER_DRIVER, str(code_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=process_env(),
        )
        assert driver.stdout is not None and driver.stdin is not None
        if driver.stdout.readline().strip() != "ready":
            raise RuntimeError("the python-lambda-local driver did not start")
    ours: list[float] = []
    theirs: list[float] = []
    # keep-alive 0: every environment is reclaimed before the next invoke, so each is cold
    with LambdaRuntime(backend="sandbox", keep_alive_s=0) as runtime:
        config = FunctionConfig(name="bench", handler="app.handler", code_dir=code_dir)
        first = runtime.invoke(config, {})  # waits for the template: its start is not timed here
        for _ in range(calls):
            runtime.reclaim_idle()  # destroy the previous environment outside the timed call
            started = time.perf_counter()
            result = runtime.invoke(config, {})
            ours.append((time.perf_counter() - started) * 1000)
            assert result.cold and result.response == {"ok": True}, result
            if driver is not None:
                assert driver.stdin is not None and driver.stdout is not None
                driver.stdin.write("go\n")
                driver.stdin.flush()
                theirs.append(float(driver.stdout.readline()))
    if driver is not None:
        assert driver.stdin is not None
        driver.stdin.close()
        driver.wait(timeout=30)
    return ours, (theirs if driver is not None else None), first.isolation


WARM_VARIANTS = ("sandbox", "sandbox, freezing off", "in-process")


def warm(code_dir: Path, n: int) -> dict[str, list[float]]:
    """Our warm round trip, interleaved call by call (no peer: it has no warm environment).

    The sandbox freezes an idle worker (SIGSTOP) and thaws it for the next invoke;
    the same runtime with that layer switched off shows what freeze/thaw costs.
    """
    from serverless_tutor.runtime import FunctionConfig, LambdaRuntime

    config = FunctionConfig(name="bench", handler="app.handler", code_dir=code_dir)
    runtimes = {
        "sandbox": LambdaRuntime(backend="sandbox"),
        "sandbox, freezing off": LambdaRuntime(
            backend="sandbox", disable_isolation=["frozen-when-idle"]
        ),
        "in-process": LambdaRuntime(backend="inprocess"),
    }
    samples: dict[str, list[float]] = {label: [] for label in runtimes}
    try:
        for runtime in runtimes.values():
            for _ in range(50):
                runtime.invoke(config, {})
        for _ in range(n):
            for label, runtime in runtimes.items():
                started = time.perf_counter()
                runtime.invoke(config, {})
                samples[label].append((time.perf_counter() - started) * 1000)
    finally:
        for runtime in runtimes.values():
            runtime.shutdown()
    return samples


def ms_summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    return (
        f"median {statistics.median(ordered):7.2f} ms  min {ordered[0]:7.2f}  "
        f"max {ordered[-1]:7.2f}  (n={len(ordered)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15, help="whole processes per side")
    parser.add_argument("--calls", type=int, default=40, help="fresh environments per side")
    parser.add_argument("--warm", type=int, default=500, help="warm invokes (ours only)")
    parser.add_argument("--peer", help="python-lambda-local's CLI (default: on PATH)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    peer = find_peer(args.peer)
    code_dir = Path(tempfile.mkdtemp(prefix="bench-invoke-"))
    (code_dir / "app.py").write_text(TRIVIAL)
    (code_dir / "event.json").write_text("{}")
    try:
        processes = whole_process(code_dir, peer, args.runs)
        fresh, fresh_peer, isolation = fresh_environment_per_call(code_dir, peer, args.calls)
        warm_samples = warm(code_dir, args.warm)
    finally:
        shutil.rmtree(code_dir, ignore_errors=True)

    ours_whole = processes.wall["serverless-tutor invoke"]
    peer_whole = processes.wall.get("python-lambda-local CLI")
    report: dict[str, Any] = {
        "machine": machine(),
        "isolation": isolation,
        "whole_process_ms": {
            "ours": median_ms(ours_whole),
            "python_lambda_local_cli": median_ms(peer_whole) if peer_whole else None,
            "ratio_ours_over_peer": (
                statistics.median(ours_whole) / statistics.median(peer_whole)
                if peer_whole
                else None
            ),
            "goal_ratio": GOAL_WHOLE_PROCESS,
            "cpu": cpu_comparison(processes, "serverless-tutor invoke", "python-lambda-local CLI"),
        },
        "fresh_environment_per_call_ms": {
            "ours_cold_start": statistics.median(fresh),
            "python_lambda_local_call_api": statistics.median(fresh_peer) if fresh_peer else None,
            "ratio_ours_over_peer": (
                statistics.median(fresh) / statistics.median(fresh_peer) if fresh_peer else None
            ),
        },
        "warm_ms": {label: statistics.median(times) for label, times in warm_samples.items()},
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"machine: {report['machine']}")
    print(f"isolation in force: {', '.join(isolation)}")
    if peer is None:
        print("python-lambda-local: not found (see --peer); the peer's side is skipped")
    print("\n1. whole process, one invoke of a trivial handler (interleaved)")
    print(f"   serverless-tutor invoke       {describe(ours_whole)}")
    if peer_whole:
        ratio = report["whole_process_ms"]["ratio_ours_over_peer"]
        print(f"   python-lambda-local CLI       {describe(peer_whole)}")
        print(f"   ours / peer: {ratio:.2f}x   goal: <= {GOAL_WHOLE_PROCESS}x")
        print(f"   {cpu_line(report['whole_process_ms']['cpu'])}")
    print("\n2. a fresh environment per call, in a running process (interleaved call by call)")
    print(f"   ours: sandbox cold start      {ms_summary(fresh)}")
    if fresh_peer:
        ratio = report["fresh_environment_per_call_ms"]["ratio_ours_over_peer"]
        print(f"   python-lambda-local call()    {ms_summary(fresh_peer)}   (fork per call)")
        print(f"   ours / peer: {ratio:.2f}x   (we confine each environment; it does not)")
    print("\n3. warm, reused environment (ours only: python-lambda-local has no warm environment)")
    for label, times in warm_samples.items():
        print(f"   {label:<29} {ms_summary(times)}")
    freeze_cost = statistics.median(warm_samples["sandbox"]) - statistics.median(
        warm_samples["sandbox, freezing off"]
    )
    print(f"   freeze/thaw cost per warm invoke (difference of medians): {freeze_cost:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
