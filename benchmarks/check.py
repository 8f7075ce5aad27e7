"""How long does checking one exercise take? The one-shot process first, against a peer, in one run.

1. As a learner runs it (the headline): a whole `serverless-tutor check ID --file
   <solution>` process (interpreter start, imports, the sandbox template, moto, the
   exercise's tests, exit), interleaved with whole `python-lambda-local` processes
   running a trivial handler once: the cheapest thing a learner could run instead.
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
import json
import shutil
import statistics
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


def one_shot_processes(
    exercise_id: str, solution: Path, peer: str | None, processes: int, scratch: Path
) -> Timings:
    """Whole `check` processes and whole peer processes, interleaved."""
    (scratch / "app.py").write_text(TRIVIAL)
    (scratch / "event.json").write_text("{}")
    home = scratch / "home"
    check = Command(
        f"serverless-tutor check {exercise_id}",
        [*tutor_command(), "check", exercise_id, "--file", str(solution)],
        env={"SERVERLESS_TUTOR_HOME": str(home)},
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
    return interleave(commands, processes)


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

    scratch = Path(tempfile.mkdtemp(prefix="bench-check-"))
    try:
        processes = one_shot_processes(found.id, found.solution, peer, args.processes, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ours = processes.wall[f"serverless-tutor check {found.id}"]
    theirs = processes.wall.get("python-lambda-local CLI")
    report: dict[str, Any] = {
        "machine": machine(),
        "one_shot_process": {
            "exercise": found.id,
            "ours_ms": median_ms(ours),
            "python_lambda_local_cli_ms": median_ms(theirs) if theirs else None,
            "ratio_ours_over_peer": (
                statistics.median(ours) / statistics.median(theirs) if theirs else None
            ),
            "goal_s": GOAL_S,
            "goal_ratio": GOAL_RATIO_TO_PEER,
            "cpu": cpu_comparison(
                processes, f"serverless-tutor check {found.id}", "python-lambda-local CLI"
            ),
        },
        "long_lived_grader": long_lived(chosen, args.runs),
    }
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"machine: {report['machine']}")
    print("\n1. one-shot process, as a learner runs it (interleaved with the peer)")
    print(f"   serverless-tutor check {found.id:<16} {describe(ours)}   goal: < {GOAL_S:.0f} s")
    if theirs:
        ratio = report["one_shot_process"]["ratio_ours_over_peer"]
        print(f"   python-lambda-local CLI (trivial)   {describe(theirs)}")
        print(f"   ours / peer: {ratio:.2f}x   goal: <= {GOAL_RATIO_TO_PEER:.0f}x")
        print(f"   {cpu_line(report['one_shot_process']['cpu'])}")
    else:
        print("   python-lambda-local: not found (see --peer); the peer's side is skipped")
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
