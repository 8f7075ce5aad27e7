"""How long does checking one exercise take? The one-shot process first, against a peer, in one run.

1. As a learner runs it (the headline), whole `serverless-tutor check ID --file
   <solution>` processes interleaved with whole `python-lambda-local` processes running
   a trivial handler once (the cheapest thing a learner could run instead), twice:
   a. the first check of a session, in a process of its own (interpreter start,
      imports, the sandbox template, moto, the exercise's tests, exit;
      SERVERLESS_TUTOR_GRADER=off);
   b. every later check: `check` hands the command to the background grader the first
      one started (see serverless_tutor/cli/grader_client.py); here it is started
      before the timed runs and asked afterwards whether it served every one. Its CPU
      is in the grader, not in the timed process, so only wall time is compared.
   Goals: under 1 s, and within 4x of the peer.
2. In a long-lived grader (the TUI and `watch` keep one): each further check of
   the exercise (up to ten test cases, each a fresh execution environment and an
   empty account), against one bare sandbox cold start + invoke measured in the
   same grader.

python-lambda-local is not a dependency: install it into a virtualenv of its own
and pass --peer (see benchmarks/invoke.py). Bytecode goes to a temporary folder,
never into the checkout, and the learner data (progress) to a temporary home.

    python benchmarks/check.py [--exercise create-order] [--processes 9] [--runs 15]
                               [--all] [--peer PATH] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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

GOAL_S = 1.0
GOAL_RATIO_TO_PEER = 4.0
TRIVIAL = "def handler(event, context):\n    return {'ok': True}\n"


def baseline_cold_start(runtime, runs: int) -> list[float]:
    """One sandbox cold start + invoke of a do-nothing handler, each in a new code folder (so a new environment)."""
    from serverless_tutor.runtime import FunctionConfig

    times = []
    for index in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-baseline-") as folder:
            Path(folder, "handler.py").write_text(
                "def handler(event, context):\n    return {'ok': True}\n"
            )
            config = FunctionConfig(
                name=f"baseline-{index}", handler="handler.py:handler", code_dir=Path(folder)
            )
            started = time.perf_counter()
            result = runtime.invoke(config, {})
            times.append(time.perf_counter() - started)
            assert result.cold and result.error is None, result.error
    return times


def time_checks(grader, exercise, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = grader.grade(exercise, exercise.solution)
        times.append(time.perf_counter() - started)
        assert result.status == "pass", result.message
    return times, result


def check_processes(
    exercise_id: str,
    solution: Path,
    peer: str | None,
    processes: int,
    scratch: Path,
    *,
    through_grader: bool,
) -> Timings:
    """Whole `check` processes and whole peer processes, interleaved."""
    (scratch / "app.py").write_text(TRIVIAL)
    (scratch / "event.json").write_text("{}")
    home = scratch / "home"
    check = Command(
        f"serverless-tutor check {exercise_id}",
        [*tutor_command(), "check", exercise_id, "--file", str(solution)],
        env={
            "SERVERLESS_TUTOR_HOME": str(home),
            "SERVERLESS_TUTOR_GRADER": "on" if through_grader else "off",
        },
        cwd=str(scratch),
    )
    commands = [check]
    if peer is not None:
        commands.append(
            Command(
                "python-lambda-local CLI",
                [peer, "-f", "handler", "-t", "3", "app.py", "event.json"],
                cwd=str(scratch),
            )
        )
    if not through_grader:
        return interleave(commands, processes)
    with background_grader(home):
        timings = interleave(commands, processes)
        served = grader_status(home)
    wanted = processes + 1  # interleave() runs each command once untimed first
    if served is None or served["checks_served"] != wanted:
        raise SystemExit(f"the background grader served {served} of {wanted} checks")
    return timings


def grader_status(home: Path) -> dict[str, Any] | None:
    from serverless_tutor.cli.grader_client import ask

    return ask({"op": "status"}, home=home)


@contextlib.contextmanager
def background_grader(home: Path) -> Iterator[None]:
    """`serverless-tutor grader serve` for `home`, ready (it answers) until the block ends."""
    server = subprocess.Popen(
        [*tutor_command(), "grader", "serve"],
        env=process_env({"SERVERLESS_TUTOR_HOME": str(home), "SERVERLESS_TUTOR_GRADER": "on"}),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while grader_status(home) is None:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the background grader did not start")
            time.sleep(0.05)
        yield
    finally:
        server.terminate()
        server.wait(timeout=60)


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_s": statistics.median(ordered),
        "p90_s": ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))],
        "min_s": ordered[0],
        "max_s": ordered[-1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--exercise", default="create-order")
    parser.add_argument("--processes", type=int, default=9, help="whole processes per side")
    parser.add_argument("--runs", type=int, default=15, help="checks in the long-lived grader")
    parser.add_argument(
        "--all", action="store_true", help="time every shipped exercise with at most ten cases"
    )
    parser.add_argument("--peer", help="python-lambda-local's CLI (default: on PATH)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from serverless_tutor.content.exercises import find_exercise, shipped_exercises

    exercises = shipped_exercises()
    found = find_exercise(exercises, args.exercise)
    if found is None or found.solution is None:
        parser.error(f"no exercise {args.exercise!r} with a solution")
    chosen = [e for e in exercises if len(e.spec.tests) <= 10] if args.all else [found]
    peer = find_peer(args.peer)

    label = f"serverless-tutor check {found.id}"
    sides: dict[str, Timings] = {}
    for scenario, through_grader in (("first_check", False), ("later_checks", True)):
        scratch = Path(tempfile.mkdtemp(prefix="bench-check-"))
        try:
            sides[scenario] = check_processes(
                found.id,
                found.solution,
                peer,
                args.processes,
                scratch,
                through_grader=through_grader,
            )
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    report: dict[str, Any] = {"machine": machine(), "exercise": found.id}
    for scenario, timings in sides.items():
        ours = timings.wall[label]
        theirs = timings.wall.get("python-lambda-local CLI")
        report[scenario] = {
            "ours_ms": median_ms(ours),
            "python_lambda_local_cli_ms": median_ms(theirs) if theirs else None,
            "ratio_ours_over_peer": (
                statistics.median(ours) / statistics.median(theirs) if theirs else None
            ),
            "goal_s": GOAL_S,
            "goal_ratio": GOAL_RATIO_TO_PEER,
            "cpu": (
                cpu_comparison(timings, label, "python-lambda-local CLI")
                if scenario == "first_check"
                else None  # spent in the background grader
            ),
        }
    report["long_lived_grader"] = long_lived(chosen, args.runs)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"machine: {report['machine']}")
    print("\n1. whole processes, as a learner runs them (interleaved with the peer)")
    headings = {
        "first_check": "a. the first check of a session: a process of its own",
        "later_checks": "b. later checks: through the background grader the first one started",
    }
    for scenario, timings in sides.items():
        ours = timings.wall[label]
        theirs = timings.wall.get("python-lambda-local CLI")
        print(f"   {headings[scenario]}")
        print(f"   {label:<35} {describe(ours)}   goal: < {GOAL_S:.0f} s")
        if not theirs:
            print("   python-lambda-local: not found (see --peer); the peer's side is skipped")
            continue
        ratio = report[scenario]["ratio_ours_over_peer"]
        print(f"   {'python-lambda-local CLI (trivial)':<35} {describe(theirs)}")
        print(f"   ours / peer: {ratio:.2f}x   goal: <= {GOAL_RATIO_TO_PEER:.0f}x")
        cpu = report[scenario]["cpu"]
        print(f"   {cpu_line(cpu) if cpu else 'CPU: in the background grader (not compared)'}")
    grader = report["long_lived_grader"]
    base = grader["baseline_cold_start_invoke"]
    print("\n2. further checks in a long-lived grader (TUI, watch), interleaved with a baseline")
    print(
        f"   baseline: one sandbox cold start + invoke, median {base['median_s'] * 1000:.0f} ms "
        f"(min {base['min_s'] * 1000:.0f}, max {base['max_s'] * 1000:.0f})"
    )
    print(f"   {'exercise':<22} {'tests':>5} {'invokes':>7} {'median':>8} {'p90':>8} {'x base':>7}")
    for exercise_id, stats in grader["exercises"].items():
        print(
            f"   {exercise_id:<22} {stats['tests']:>5} {stats['invocations']:>7} "
            f"{stats['median_s'] * 1000:>6.0f}ms {stats['p90_s'] * 1000:>6.0f}ms "
            f"{stats['ratio_to_baseline']:>7.1f}"
        )
    return 0


def long_lived(chosen: list[Any], runs: int) -> dict[str, Any]:
    """Checks in one Grader, each round a baseline cold start then one check of each exercise."""
    from serverless_tutor.grading.runner import Grader

    baseline: list[float] = []
    times: dict[str, list[float]] = {exercise.id: [] for exercise in chosen}
    with Grader() as grader:
        grader.grade(chosen[0], chosen[0].solution)  # the template and moto, loaded once
        for _ in range(runs):
            baseline.extend(baseline_cold_start(grader.runtime, 1))
            for exercise in chosen:
                exercise_times, _result = time_checks(grader, exercise, 1)
                times[exercise.id].extend(exercise_times)
    base = summary(baseline)
    exercises: dict[str, Any] = {}
    for exercise in chosen:
        stats: dict[str, Any] = dict(summary(times[exercise.id]))
        stats.update(
            {
                "tests": len(exercise.spec.tests),
                "invocations": sum(test.invocation_count for test in exercise.spec.tests),
                "ratio_to_baseline": stats["median_s"] / base["median_s"],
            }
        )
        exercises[exercise.id] = stats
    return {"baseline_cold_start_invoke": base, "exercises": exercises}


if __name__ == "__main__":
    raise SystemExit(main())
