"""`serverless-tutor validate [PATH ...]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from serverless_tutor.content.validate import validate


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("validate", help="check lessons and other content files")
    parser.add_argument(
        "paths", nargs="*", type=Path, help="files or folders (default: all shipped content)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    problems = validate(args.paths)
    for problem in problems:
        sys.stdout.write(problem.line() + "\n")
    if problems:
        sys.stderr.write(f"{len(problems)} problem(s) found\n")
        return 1
    sys.stdout.write("all content is valid\n")
    return 0
