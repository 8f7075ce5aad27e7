"""`serverless-tutor events list` and `serverless-tutor events generate SOURCE [--set path=value ...]`."""

from __future__ import annotations

import argparse
import json
import sys

from serverless_tutor.cli.output import print_json, usage_error
from serverless_tutor.runtime.events import (
    SAMPLE_SOURCES,
    EventPathError,
    parse_override,
    sample_event,
    set_path,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "events", help="sample events from AWS services (like `sam local generate-event`)"
    )
    parser.set_defaults(handler=lambda args: _help(parser))
    actions = parser.add_subparsers(dest="events_action", metavar="ACTION")
    listing = actions.add_parser("list", help="list the event sources")
    listing.add_argument("--json", action="store_true", help="print source and description as JSON")
    listing.set_defaults(handler=list_sources)
    generate = actions.add_parser("generate", help="print a sample event as JSON")
    generate.add_argument("source", help="an event source from `serverless-tutor events list`")
    generate.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="dotted.path=value",
        help="override a field, e.g. --set Records.0.body=hello (repeatable)",
    )
    generate.set_defaults(handler=generate_event)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def list_sources(args: argparse.Namespace) -> int:
    if args.json:
        print_json([{"source": name, "description": text} for name, text in SAMPLE_SOURCES.items()])
        return 0
    width = max(len(name) for name in SAMPLE_SOURCES)
    for name, text in SAMPLE_SOURCES.items():
        sys.stdout.write(f"{name.ljust(width)}  {text}\n")
    return 0


def build_event(source: str, assignments: list[str]) -> dict:
    """The sample event with CLI overrides applied; raises ValueError with a usable message."""
    event = sample_event(source)
    for assignment in assignments:
        path, value = parse_override(event, assignment)
        set_path(event, path, value)
    return event


def generate_event(args: argparse.Namespace) -> int:
    if args.source not in SAMPLE_SOURCES:
        return usage_error(
            f"unknown event source {args.source!r}; choose one of: {', '.join(SAMPLE_SOURCES)}"
        )
    try:
        event = build_event(args.source, args.overrides)
    except EventPathError as exc:
        return usage_error(f"--set {exc}")
    sys.stdout.write(json.dumps(event, indent=2, ensure_ascii=False) + "\n")
    return 0
