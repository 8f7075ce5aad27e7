"""The `serverless-tutor` command.

With no verb it opens the Textual app; textual is imported only then. Each verb
lives in its own module here and exposes `register(subparsers)`, which adds a
parser whose `handler` default is a function `(args) -> int` (the exit code).
To add a verb, write the module and list it in VERB_MODULES.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from serverless_tutor import __version__

VERB_MODULES = [
    "serverless_tutor.cli.lessons_verb",
    "serverless_tutor.cli.validate_verb",
    "serverless_tutor.cli.exercises_verb",
    "serverless_tutor.cli.grade_verb",
    "serverless_tutor.cli.quiz_verb",
    "serverless_tutor.cli.cost_verb",
    "serverless_tutor.cli.simulate_verb",
    "serverless_tutor.cli.invoke_verb",
    "serverless_tutor.cli.events_verb",
    "serverless_tutor.cli.deploy_verb",
    "serverless_tutor.cli.offline_verb",
    "serverless_tutor.cli.pipeline_verb",
    "serverless_tutor.cli.fit_verb",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="serverless-tutor",
        description="Learn serverless architecture by running it. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"serverless-tutor {__version__}")
    subparsers = parser.add_subparsers(dest="verb", metavar="COMMAND")
    for name in VERB_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    if not args_list:
        return _run_app()
    parser = build_parser()
    args = parser.parse_args(args_list)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except BrokenPipeError:  # `serverless-tutor lessons | head`
        return 0


def _run_app() -> int:
    from serverless_tutor.tui.app import TutorApp

    TutorApp().run()
    return 0
