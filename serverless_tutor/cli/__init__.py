"""The `serverless-tutor` command.

With no verb it opens the Textual app; textual is imported only then. Each verb
lives in its own module here and exposes `register(subparsers)`, which adds a
parser whose `handler` default is a function `(args) -> int` (the exit code).
To add a verb, write the module and list it in VERBS; only the module of the
verb being run is imported.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from serverless_tutor import __version__

# Every verb: the module that implements it and its one-line help. The parser is
# built from this table, and only the module of the verb being run is imported, so
# `--help`, `--version` and a usage error cost no verb imports.
# tests/test_cli.py checks this table against what each module registers.
VERBS: dict[str, tuple[str, str]] = {
    "lessons": ("lessons_verb", "list the lessons, or print one"),
    "validate": ("validate_verb", "check lessons and other content files"),
    "exercises": ("exercises_verb", "list the graded exercises and your status"),
    "check": (
        "exercises_verb",
        "grade your handler for an exercise (exit 0 pass, 1 fail or error)",
    ),
    "watch": ("exercises_verb", "re-check an exercise every time you save it"),
    "grader": (
        "grader_verb",
        "the background grader that makes `check` quick: status, stop, serve",
    ),
    "hint": ("exercises_verb", "show the next hint for an exercise"),
    "reset": ("exercises_verb", "restore the starter file (your current file is kept aside)"),
    "solution": (
        "exercises_verb",
        "show the reference solution (after a pass, or after giving up)",
    ),
    "grade": (
        "grade_verb",
        "grade a class's submissions against an exercise pack and write a gradebook",
    ),
    "pack": ("grade_verb", "list the shipped exercise packs or show one"),
    "gradebook": (
        "gradebook_verb",
        "show a graded folder (grade --out): gradebook, feedback, scores; re-grade one student",
    ),
    "quiz": ("quiz_verb", "practice questions, review what is due, or run a mock interview"),
    "cost": ("cost_verb", "price a Lambda workload; also: tune, breakeven, batch, presets"),
    "simulate": (
        "simulate_verb",
        "simulate cold starts of one function under load (SimFaaS semantics)",
    ),
    "invoke": (
        "invoke_verb",
        "run a Lambda handler locally, in a sandbox, with Lambda's semantics",
    ),
    "events": ("events_verb", "sample events from AWS services (like `sam local generate-event`)"),
    "deploy": (
        "deploy_verb",
        "resolve a serverless.yml or SAM template and show (or check) its deployment plan",
    ),
    "offline": ("offline_verb", "run a serverless.yml or SAM template and serve its HTTP routes"),
    "pipeline": ("pipeline_verb", "run the lesson 5 order pipeline once and print its timeline"),
    "fit": ("fit_verb", "is serverless a fit for this workload? verdict and reasons"),
    "serve": ("serve_verb", "serve the app to browsers (one app process per browser session)"),
}
# Verbs whose own work before their first cold start is shorter than the sandbox
# template's boot (boto3): the template starts before anything else is imported.
# Not `check`: it loads moto meanwhile anyway, which takes longer than the template.
SANDBOX_VERBS = frozenset({"invoke"})
# Verbs that do one thing and exit. As a process of their own (see run) they skip what
# only a long life needs: cyclic garbage collection (loading moto, botocore's models and
# pydantic makes hundreds of thousands of long-lived objects, which the collector walks
# again and again as they are made: 70 ms of a 790 ms `check`) and the interpreter's
# teardown (freeing each of those objects and modules one by one: 140-220 ms after the
# output is written). The operating system takes the memory back at once. `check
# --batch`, which grades a whole folder in one process, turns the collector back on.
ONE_SHOT_VERBS = frozenset({"check", "invoke"})
VERB_MODULES = sorted({f"serverless_tutor.cli.{module}" for module, _help in VERBS.values()})


def build_parser(verbs: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The parser, with the full options of `verbs` (all verbs when None).

    Verbs not asked for get a placeholder that carries their help line, so the
    command list is complete without importing their modules.
    """
    parser = argparse.ArgumentParser(
        prog="serverless-tutor",
        description="Learn serverless architecture by running it. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"serverless-tutor {__version__}")
    parser.add_argument(
        "--grades",
        metavar="DIR",
        help="open the app in the instructor area on a graded folder (`grade --out DIR`)",
    )
    subparsers = parser.add_subparsers(dest="verb", metavar="COMMAND")
    wanted = set(VERBS) if verbs is None else {v for v in verbs if v in VERBS}
    modules = {VERBS[verb][0] for verb in wanted}
    registered: set[str] = set()
    for verb, (module, help_line) in VERBS.items():
        if module in modules:
            if module not in registered:
                importlib.import_module(f"serverless_tutor.cli.{module}").register(subparsers)
                registered.add(module)
        else:
            subparsers.add_parser(verb, help=help_line)
    return parser


def _verb_in(args: list[str]) -> str | None:
    """The verb being run: the first argument that is not an option (nor --grades' value)."""
    after_grades = False
    for arg in args:
        if not arg.startswith("-") and not after_grades:
            return arg
        after_grades = arg == "--grades"
    return None


def _handler_file_mentions_an_aws_sdk(args: list[str]) -> bool:
    """For `invoke path/to/file.py:function`: does that file mention boto3 or botocore?
    True whenever that cannot be told cheaply (other forms, --code-dir, --function, an
    unreadable file), which keeps boto3 preloaded, as everywhere else."""
    from serverless_tutor.runtime.template import mentions_an_aws_sdk

    if any(arg.startswith(("--code-dir", "--function")) for arg in args):
        return True
    for arg in args:
        file_part, colon, function = arg.rpartition(":")
        if colon and function and file_part.endswith(".py") and not arg.startswith("-"):
            try:
                return mentions_an_aws_sdk(Path(file_part).expanduser().read_bytes())
            except OSError:
                return True
    return True


def run() -> int:
    """The process's entry point (the console script, `python -m serverless_tutor`):
    main(), lean for a one-shot verb. In-process callers (tests) use main() and keep
    their collector and their exit."""
    argv = sys.argv[1:]
    verb = _verb_in(argv)
    if verb not in ONE_SHOT_VERBS:
        return main()
    through_grader = False
    if verb == "check":
        from serverless_tutor.cli import grader_client  # standard library only

        through_grader = grader_client.wanted_for(argv)
        if through_grader:
            answered = grader_client.check_through_grader(argv)
            if answered is not None:
                return answered
    gc.disable()
    finished: list[int] = []
    # Registered before anything else is, so it runs after every other exit handler
    # (atexit runs them last-in, first-out): temporary folders are removed, sandboxes
    # stopped, threads joined. Then only the teardown is left, which it skips.
    atexit.register(_exit_without_teardown, finished)
    code = main()
    if through_grader and code != 2:  # a check ran (not a usage error): the next one is quick
        grader_client.start_for_next_checks()
    finished.append(code)
    return code


def _exit_without_teardown(finished: list[int]) -> None:
    if not finished:  # main() raised (a traceback, a usage error): the normal exit
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`| head`)
            stream.flush()
    os._exit(finished[0])


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    if not args_list:
        return _run_app()
    if args_list[0] == "--grades" or args_list[0].startswith("--grades="):
        return _run_app_on_grades(args_list)
    verb = _verb_in(args_list)
    if verb in SANDBOX_VERBS and not {"-h", "--help"} & set(args_list):
        from serverless_tutor.runtime.template import start_early_template

        # Boots while this process imports the verb; with boto3 only when the handler's
        # file mentions it (a worker that imports it later still has its calls served).
        start_early_template(preload=_handler_file_mentions_an_aws_sdk(args_list))
    parser = build_parser([verb] if verb else [])
    args = parser.parse_args(args_list)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except BrokenPipeError:  # `serverless-tutor lessons | head`
        return 0


def _run_app(grades_folder: str | None = None) -> int:
    from serverless_tutor.tui.app import TutorApp

    TutorApp(grades_folder=grades_folder).run()
    return 0


def _run_app_on_grades(args_list: list[str]) -> int:
    """`serverless-tutor --grades DIR`: the app, in the instructor area, with DIR open."""
    folder = build_parser(verbs=()).parse_args(args_list).grades
    if not Path(folder).expanduser().is_dir():
        sys.stderr.write(f"serverless-tutor: error: --grades {folder}: not a folder\n")
        return 2
    return _run_app(grades_folder=folder)
