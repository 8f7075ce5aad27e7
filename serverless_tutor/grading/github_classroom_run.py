"""One grading step of the GitHub Classroom workflow: grade one exercise, hand the reporter its JSON.

    python -m serverless_tutor.grading.github_classroom_run --pack .autograding/PACK.yaml \
        --exercise ID --file ID/handler.py --output "$GITHUB_OUTPUT"

Appends `result=<base64 JSON>` to the output file (the step's `result` output, which
the workflow passes to the grading reporter) and prints each test's outcome. The
step itself succeeds whatever the grade, so every exercise is graded and
reported; it fails only when the autograder cannot grade at all.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from serverless_tutor.content.packs import load_pack
from serverless_tutor.grading.github_classroom import (
    ReporterResults,
    ReporterTest,
    encode,
    reporter_results,
)
from serverless_tutor.grading.runner import grade
from serverless_tutor.problems import ContentError
from serverless_tutor.terminal_text import visible


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="github_classroom_run", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--pack", type=Path, required=True)
    parser.add_argument("--exercise", required=True)
    parser.add_argument("--file", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        pack = load_pack(args.pack)
    except ContentError as exc:
        print(f"The autograder's pack is invalid:\n{exc}", file=sys.stderr)
        return 1
    exercise = next((e for e in pack.exercises if e.id == args.exercise), None)
    if exercise is None:
        print(f"{args.exercise}: not an exercise of pack {pack.id}", file=sys.stderr)
        return 1
    if args.file.is_file() and not args.file.is_symlink():
        results = reporter_results(pack, exercise, grade(exercise, args.file))
    else:
        results = ReporterResults(
            status="error",
            max_score=pack.max_points(exercise.id),
            tests=[
                ReporterTest(
                    name=exercise.title,
                    status="error",
                    score=0.0,
                    message=f"No file {args.file}: write your handler there and push again.",
                )
            ],
        )
    for test in results.tests:
        mark = "PASS" if test.status == "pass" else test.status.upper()
        print(f"{mark}  {visible(test.name)}  ({test.score:g})")
        if test.message and test.status != "pass":
            print(f"      {visible(test.message)}")
    with open(args.output, "a", encoding="utf-8") as output:
        output.write(f"result={encode(results)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
