"""Grade a class of 100 submissions: how long, how many per second, and against what?

Generates a class (default 50 students x 2 exercises = 100 submissions): about 65 %
reference solutions, 30 % untouched starters and 5 hostile handlers (a busy loop in
the handler, a fork bomb, a memory hog, a busy loop at import time, a handler that
sleeps for ever). Grades it with the class engine (`serverless-tutor grade`: a few
long-lived grading processes in parallel) and writes the gradebook.

Baselines, all measured in the same run, none extrapolated:
- `serverless-tutor check EXERCISE --batch DIR --json`, one whole process per exercise
  (DIR holds that exercise's submissions as <student>.py): one long-lived grader, one
  grading process, as an instructor without packs would run it;
- one `serverless-tutor check EXERCISE --file F --json` process per submission, every
  submission, two ways, interleaved submission by submission: each process on its own
  (SERVERLESS_TUTOR_GRADER=off: interpreter start, imports, sandbox template and local
  account start-up, one check) and through the background grader a shell loop now gets
  (started once before; afterwards it must report exactly one check served per run).
  --skip-process-baselines leaves these two out (a class of 1,000 takes about 15 minutes
  each way).

Also checked: every pair has a result file, nothing is left ungraded (no hang), the
submissions are byte-for-byte unchanged, and a second run with --resume re-grades
nothing.

    python benchmarks/grade_class.py [--students 50] [--exercises hello-handler,create-order]
                                     [--jobs N ...] [--skip-process-baselines] [--no-hostile]
                                     [--json]

A class of 1,000 submissions of one exercise, two grading processes (issue 17):

    python benchmarks/grade_class.py --students 1000 --exercises hello-handler --jobs 2

Per submission it reports the wall time (wall / submissions) and the CPU time of the
grading processes and everything under them (getrusage of the reaped children), and how
many grading processes were started (replacements show there). Timings depend on the
machine's load: say what else was running when you quote them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from interleaved import process_env  # after the path set-up; it also sets the bytecode folder

GOAL_S = 60.0  # "100 submissions in seconds": well under a minute on a 2-core machine

HOSTILE = {
    "busy-loop": "def lambda_handler(event, context):\n    while True:\n        pass\n",
    "fork-bomb": "import os\n\ndef lambda_handler(event, context):\n    while True:\n        os.fork()\n",
    "memory-hog": "def lambda_handler(event, context):\n    hog = []\n    while True:\n        hog.append(bytearray(50 * 1024 * 1024))\n",
    "init-loop": "while True:\n    pass\n\ndef lambda_handler(event, context):\n    return None\n",
    "sleeper": "import time\n\ndef lambda_handler(event, context):\n    time.sleep(10**6)\n",
}


def kind_of(index: int, hostile: bool = True) -> str:
    """The class mix: index is student * exercises + exercise."""
    if index % 20 == 19 and hostile:
        return "hostile"
    if index % 10 in (3, 6, 8):
        return "starter"
    return "solution"


def build_class(root: Path, exercises: list, students: int, hostile: bool = True) -> list[dict]:
    pairs = []
    hostile_kinds = list(HOSTILE)
    hostile_count = 0
    for student in range(students):
        name = f"student-{student:03d}"
        for position, exercise in enumerate(exercises):
            index = student * len(exercises) + position
            kind = kind_of(index, hostile)
            if kind == "hostile":
                source = HOSTILE[hostile_kinds[hostile_count % len(hostile_kinds)]]
                detail = hostile_kinds[hostile_count % len(hostile_kinds)]
                hostile_count += 1
            else:
                source = (exercise.solution if kind == "solution" else exercise.starter).read_text(
                    encoding="utf-8"
                )
                detail = kind
            # Both accepted layouts: <student>/<id>/handler.py and <student>/<id>.py
            path = (
                root / name / exercise.id / "handler.py"
                if student % 2 == 0
                else root / name / f"{exercise.id}.py"
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source, encoding="utf-8")
            pairs.append(
                {
                    "student": name,
                    "exercise": exercise.id,
                    "kind": kind,
                    "detail": detail,
                    "path": path,
                }
            )
    return pairs


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def check_command(exercise_id: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "serverless_tutor", "check", exercise_id, *args, "--json"]


def run_check(command: list[str], env: dict[str, str]) -> float:
    """Wall seconds of one whole `check` process (exit 0 pass or 1 fail; anything else stops)."""
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    seconds = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(f"{command} failed ({completed.returncode}): {completed.stderr[-500:]}")
    return seconds


def time_batches(pairs: list[dict], root: Path, home: Path) -> dict[str, float]:
    """`check EXERCISE --batch DIR`, one whole process per exercise: wall seconds each."""
    env = process_env({"SERVERLESS_TUTOR_HOME": str(home), "SERVERLESS_TUTOR_GRADER": "off"})
    # One untimed check first: the bytecode cache (a temporary folder) fills.
    run_check(check_command(pairs[0]["exercise"], "--file", str(pairs[0]["path"])), env)
    seconds: dict[str, float] = {}
    for exercise_id in dict.fromkeys(pair["exercise"] for pair in pairs):
        folder = root / "batch" / exercise_id
        folder.mkdir(parents=True)
        for pair in pairs:
            if pair["exercise"] == exercise_id:
                (folder / f"{pair['student']}.py").write_bytes(pair["path"].read_bytes())
        seconds[exercise_id] = run_check(check_command(exercise_id, "--batch", str(folder)), env)
    return seconds


def time_check_processes(pairs: list[dict], home: Path) -> dict[str, list[float]]:
    """One `check --file` process per submission, on its own and through a background grader,
    interleaved submission by submission: wall seconds of each."""
    alone = process_env(
        {"SERVERLESS_TUTOR_HOME": str(home / "alone"), "SERVERLESS_TUTOR_GRADER": "off"}
    )
    through = process_env(
        {"SERVERLESS_TUTOR_HOME": str(home / "grader"), "SERVERLESS_TUTOR_GRADER": "on"}
    )
    timings: dict[str, list[float]] = {"alone": [], "through_grader": []}
    server = subprocess.Popen(
        [sys.executable, "-m", "serverless_tutor", "grader", "serve"],
        env=through,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while grader_status(home / "grader") is None:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the background grader did not start")
            time.sleep(0.05)
        # One untimed run each way first: the bytecode cache (a temporary folder) fills.
        warm_up = check_command(pairs[0]["exercise"], "--file", str(pairs[0]["path"]))
        run_check(warm_up, alone)
        run_check(warm_up, through)
        for pair in pairs:
            command = check_command(pair["exercise"], "--file", str(pair["path"]))
            timings["alone"].append(run_check(command, alone))
            timings["through_grader"].append(run_check(command, through))
        served = grader_status(home / "grader")
    finally:
        server.terminate()
        server.wait(timeout=60)
    if served is None or served["checks_served"] != len(pairs) + 1:
        raise SystemExit(f"the background grader served {served} of {len(pairs) + 1} checks")
    return timings


def grader_status(home: Path) -> dict | None:
    from serverless_tutor.cli.grader_client import ask

    return ask({"op": "status"}, home=home)


def grade_once(
    pack, submissions: Path, out: Path, jobs: int | None, resume: bool = False
) -> tuple[float, object]:
    from serverless_tutor.grading.classroom import grade_class
    from serverless_tutor.grading.gradebook import write_gradebook

    started = time.perf_counter()
    run = grade_class(pack, submissions, out, jobs=jobs, resume=resume)
    write_gradebook(pack, run, out)
    return time.perf_counter() - started, run


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--exercises", default="hello-handler,create-order")
    parser.add_argument(
        "--jobs",
        type=int,
        nargs="*",
        default=[None],
        help="grading processes; several values time several runs (default: the number of CPUs)",
    )
    parser.add_argument(
        "--skip-process-baselines",
        action="store_true",
        help="leave out the one-check-process-per-submission baselines (long for a big class)",
    )
    parser.add_argument(
        "--no-hostile",
        action="store_true",
        help="reference solutions in place of the 5 hostile handlers",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from serverless_tutor.content.exercises import find_exercise, shipped_exercises
    from serverless_tutor.content.packs import Pack, PackSpec
    from serverless_tutor.grading.classroom import RESULTS_FOLDER, default_jobs

    catalog = shipped_exercises()
    exercises = [find_exercise(catalog, exercise_id) for exercise_id in args.exercises.split(",")]
    if None in exercises:
        parser.error(f"unknown exercise in {args.exercises}")
    with tempfile.TemporaryDirectory(prefix="bench-class-") as scratch:
        root = Path(scratch)
        submissions = root / "submissions"
        pairs = build_class(submissions, exercises, args.students, hostile=not args.no_hostile)
        pack_path = root / "bench-pack.yaml"
        spec = PackSpec(
            id="bench", title="Benchmark class", exercises=[{"id": e.id} for e in exercises]
        )
        pack = Pack(spec=spec, path=pack_path, exercises=exercises)
        before = tree_digest(submissions)
        counts = {
            kind: sum(1 for p in pairs if p["kind"] == kind)
            for kind in ("solution", "starter", "hostile")
        }

        report: dict = {
            "submissions": len(pairs),
            "students": args.students,
            "exercises": [e.id for e in exercises],
            "mix": counts,
            "cpus": default_jobs(),
            "runs": [],
        }
        for jobs in args.jobs:
            out = root / f"out-{jobs or 'default'}"
            cpu_before = children_cpu_s()
            seconds, run = grade_once(pack, submissions, out, jobs)
            cpu_s = children_cpu_s() - cpu_before
            statuses = {}
            for record in run.records:
                statuses[record.status] = statuses.get(record.status, 0) + 1
            slowest = max(run.records, key=lambda record: record.seconds)
            kinds = {(p["student"], p["exercise"]): p["kind"] for p in pairs}
            grader_seconds: dict[str, float] = {}
            for record in run.records:
                kind = kinds[(record.student, record.exercise)]
                grader_seconds[kind] = round(grader_seconds.get(kind, 0.0) + record.seconds, 1)
            files = len(list((out / RESULTS_FOLDER).rglob("*.json")))
            report["runs"].append(
                {
                    "jobs": run.jobs,
                    "wall_s": round(seconds, 2),
                    "per_second": round(len(pairs) / seconds, 1),
                    "wall_ms_per_submission": round(1000 * seconds / len(pairs), 1),
                    "cpu_s": round(cpu_s, 1),
                    "cpu_ms_per_submission": round(1000 * cpu_s / len(pairs), 1),
                    "processes_started": run.processes_started,
                    "load_average": os.getloadavg(),
                    "statuses": statuses,
                    "ungraded": len(run.ungraded),
                    "result_files": files,
                    "grader_seconds_by_kind": grader_seconds,
                    "slowest_submission": {
                        "student": slowest.student,
                        "exercise": slowest.exercise,
                        "seconds": slowest.seconds,
                        "status": slowest.status,
                    },
                    "hostile_outcomes": {
                        p["detail"]: next(
                            r.status
                            for r in run.records
                            if r.student == p["student"] and r.exercise == p["exercise"]
                        )
                        for p in pairs
                        if p["kind"] == "hostile"
                    },
                }
            )
        first_out = root / f"out-{args.jobs[0] or 'default'}"
        resume_s, resumed = grade_once(pack, submissions, first_out, args.jobs[0], resume=True)
        report["resume"] = {
            "wall_s": round(resume_s, 2),
            "regraded": resumed.graded,
            "reused": resumed.reused,
        }
        report["submissions_unchanged"] = tree_digest(submissions) == before

        best = min(report["runs"], key=lambda entry: entry["wall_s"])
        batches = time_batches(pairs, root, root / "home-batch")
        baselines: dict[str, dict] = {
            "check_batch": {
                "method": "`check EXERCISE --batch DIR`, one whole process per exercise",
                "wall_s": round(sum(batches.values()), 1),
                "by_exercise_s": {k: round(v, 1) for k, v in batches.items()},
            }
        }
        if not args.skip_process_baselines:
            per_process = time_check_processes(pairs, root / "home-processes")
            for way, label in (
                ("alone", "one `check --file` process per submission, each on its own"),
                (
                    "through_grader",
                    "one `check --file` process per submission, through the background grader",
                ),
            ):
                times = per_process[way]
                baselines[way] = {
                    "method": label,
                    "wall_s": round(sum(times), 1),
                    "median_s": round(statistics.median(times), 3),
                }
        for baseline in baselines.values():
            baseline["grade_is_faster_by"] = round(baseline["wall_s"] / best["wall_s"], 2)
        report["baselines"] = baselines
        report["goal_s"] = GOAL_S
        report["under_goal"] = best["wall_s"] < GOAL_S and best["ungraded"] == 0

    if args.json:
        json.dump(report, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(
        f"class: {report['submissions']} submissions ({args.students} students x {len(exercises)} exercises: "
        f"{counts['solution']} solutions, {counts['starter']} starters, {counts['hostile']} hostile); "
        f"{report['cpus']} CPUs"
    )
    for entry in report["runs"]:
        print(
            f"grade --jobs {entry['jobs']}: {entry['wall_s']:.1f} s wall, {entry['per_second']:.1f} submissions/s, "
            f"{entry['result_files']} result files, ungraded {entry['ungraded']}, statuses {entry['statuses']}"
        )
        print(
            f"  per submission: {entry['wall_ms_per_submission']:.0f} ms wall, "
            f"{entry['cpu_ms_per_submission']:.0f} ms CPU (grading processes and their sandboxes); "
            f"{entry['processes_started']} grading processes started; "
            f"load average after: {', '.join(f'{x:.1f}' for x in entry['load_average'])}"
        )
        print(
            f"  grader time by kind (summed over parallel graders): {entry['grader_seconds_by_kind']} s"
        )
        slow = entry["slowest_submission"]
        print(
            f"  slowest: {slow['student']}/{slow['exercise']} {slow['seconds']:.1f} s ({slow['status']}); "
            f"hostile: {entry['hostile_outcomes']}"
        )
    print(
        f"resume: {report['resume']['wall_s']:.1f} s, re-graded {report['resume']['regraded']}, "
        f"kept {report['resume']['reused']}"
    )
    best = min(report["runs"], key=lambda entry: entry["wall_s"])
    print(f"baselines (measured in this run; grade's best: {best['wall_s']:.1f} s):")
    for baseline in report["baselines"].values():
        median = f", median {baseline['median_s']:.2f} s each" if "median_s" in baseline else ""
        print(
            f"  {baseline['method']}: {baseline['wall_s']:.1f} s{median}; "
            f"grade is {baseline['grade_is_faster_by']}x faster"
        )
    print(
        f"submissions unchanged: {report['submissions_unchanged']}; under {GOAL_S:.0f} s with "
        f"nothing ungraded: {'yes' if report['under_goal'] else 'NO'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
