"""`serverless-tutor validate [PATH ...]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from serverless_tutor.content.validate import exercises_named_by, validate
from serverless_tutor.problems import ContentError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("validate", help="check lessons and other content files")
    parser.add_argument(
        "paths", nargs="*", type=Path, help="files or folders (default: all shipped content)"
    )
    parser.add_argument(
        "--run-solutions",
        action="store_true",
        help="also grade every shipped exercise's solution (must pass) and starter (must fail a "
        "test): 34 gradings, minutes on a busy machine. Exercises in the PATHS you give (exercise "
        "folders, packs' own exercises) are always graded this way",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    problems = validate(args.paths)
    to_grade = exercises_named_by(args.paths) if args.paths else []
    if args.run_solutions and not args.paths:
        from serverless_tutor.content.exercises import shipped_exercises

        try:
            to_grade = shipped_exercises()
        except ContentError:
            to_grade = []  # validate() has reported why
    if to_grade:
        from serverless_tutor.grading.reference_check import check_references

        sys.stderr.write(
            f"grading the reference solution and starter of {len(to_grade)} exercise(s)...\n"
        )
        problems += check_references(to_grade)
    for problem in problems:
        sys.stdout.write(problem.line() + "\n")
    if problems:
        sys.stderr.write(f"{len(problems)} problem(s) found\n")
        return 1
    sys.stdout.write("all content is valid\n")
    return 0
