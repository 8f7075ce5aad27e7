"""How long does checking one exercise take? Goal: under 1 s, sandbox cold start included.

A check of an exercise (up to ten test cases) runs every test against a fresh
execution environment of the learner's code: the first invoke is a cold start
(a worker forked from the sandbox template, confined, INIT), then warm invokes;
each test starts from an empty local account. We time it on a long-lived Grader,
as the TUI and `watch` use it, and report it against a baseline measured in the
same run: one bare sandbox cold start plus invoke of a trivial handler.

Also reported, for transparency: a one-shot Grader (sandbox template start and
moto's first load included), which is what a single `serverless-tutor check`
process pays on top of interpreter start-up.

    python benchmarks/check.py [--exercise create-order] [--runs 15] [--all] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

GOAL_S = 1.0


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
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--all", action="store_true", help="time every shipped exercise with at most ten cases"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from serverless_tutor.content.exercises import find_exercise, shipped_exercises
    from serverless_tutor.grading.runner import Grader

    exercises = shipped_exercises()
    chosen = (
        [e for e in exercises if len(e.spec.tests) <= 10]
        if args.all
        else [find_exercise(exercises, args.exercise)]
    )
    if chosen == [None]:
        parser.error(f"no exercise {args.exercise!r}")

    started = time.perf_counter()
    grader = Grader()
    first = grader.grade(chosen[0], chosen[0].solution)
    one_shot_s = time.perf_counter() - started
    assert first.status == "pass", first.message

    report: dict = {"goal_s": GOAL_S, "one_shot_first_check_s": one_shot_s, "exercises": {}}
    try:
        baseline = summary(baseline_cold_start(grader.runtime, args.runs))
        report["baseline_cold_start_invoke"] = baseline
        for exercise in chosen:
            times, _result = time_checks(grader, exercise, args.runs)
            stats = summary(times)
            stats.update(
                {
                    "tests": len(exercise.spec.tests),
                    "invocations": sum(test.invocation_count for test in exercise.spec.tests),
                    "ratio_to_baseline": stats["median_s"] / baseline["median_s"],
                    "under_goal": stats["median_s"] < GOAL_S,
                }
            )
            report["exercises"][exercise.id] = stats
    finally:
        grader.close()

    if args.json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    base = report["baseline_cold_start_invoke"]
    print(
        f"baseline: one sandbox cold start + invoke, median {base['median_s'] * 1000:.0f} ms "
        f"(min {base['min_s'] * 1000:.0f}, max {base['max_s'] * 1000:.0f})"
    )
    print(
        f"one-shot Grader, first check of {chosen[0].id} (template start + moto load included): {one_shot_s:.2f} s"
    )
    print(
        f"{'exercise':<22} {'tests':>5} {'invokes':>7} {'median':>8} {'p90':>8} {'x base':>7}  goal < {GOAL_S:.0f} s"
    )
    for exercise_id, stats in report["exercises"].items():
        print(
            f"{exercise_id:<22} {stats['tests']:>5} {stats['invocations']:>7} {stats['median_s'] * 1000:>6.0f}ms "
            f"{stats['p90_s'] * 1000:>6.0f}ms {stats['ratio_to_baseline']:>7.1f}  {'yes' if stats['under_goal'] else 'NO'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
