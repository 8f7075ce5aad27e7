"""`serverless-tutor fit`: is serverless a fit for this workload? (lessons 10 and 11).

Either a preset (`--preset rest-api`, `--list` shows them) or a description
(`--duration-s 0.2 --requests 1000000 ...`); options given with a preset override
its fields. Prints the verdict and the reasons, each with the limit it rests on and
the lesson that covers it. Bad input exits 2 with one line naming the option.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from serverless_tutor import limits
from serverless_tutor.cli.numbers import BadNumber, real_number, whole_number
from serverless_tutor.cli.output import console, plain_json, print_json, usage_error

if TYPE_CHECKING:
    from serverless_tutor.fit import Assessment, FitPreset, FitWorkload

TRAFFIC = ("steady", "spiky", "mostly-idle", "scheduled")
INVOCATIONS = ("sync", "async")
OPS = ("low", "medium", "high")
STANCE_MARK = {
    "against": "[red]✗[/red]",
    "care": "[yellow]![/yellow]",
    "for": "[green]✓[/green]",
    "note": "·",
}
VERDICT_STYLE = {"good fit": "green", "fit with care": "yellow", "poor fit": "red"}


class BadInput(Exception):
    """One line naming the option and what it accepts."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fit", help="is serverless a fit for this workload? verdict and reasons"
    )
    parser.add_argument("--preset", help="start from one of the chapter's use cases (see --list)")
    parser.add_argument("--list", action="store_true", help="list the presets and their verdicts")
    parser.add_argument("--duration-s", help="typical duration of one request or job, seconds")
    parser.add_argument(
        "--longest-s", help="longest single job, seconds (default: the typical duration)"
    )
    parser.add_argument("--traffic", choices=TRAFFIC, help="traffic pattern (default spiky)")
    parser.add_argument("--requests", help="requests or jobs per month (default 0)")
    parser.add_argument("--p99-ms", help="p99 latency budget in ms; 'none' if nobody waits")
    parser.add_argument(
        "--memory-mb",
        help=f"memory per function, {limits.MIN_MEMORY_MB} to {limits.MAX_MEMORY_MB} (default 512)",
    )
    parser.add_argument("--payload-mb", help="request or event size in MB (default 0.01)")
    parser.add_argument(
        "--invocation", choices=INVOCATIONS, help="synchronous or asynchronous (default sync)"
    )
    parser.add_argument("--ops", choices=OPS, help="your team's ops capacity (default low)")
    parser.add_argument(
        "--connections",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="needs long-lived connections (WebSockets, DB connection pools)",
    )
    parser.add_argument(
        "--state",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="keeps state in memory between requests",
    )
    parser.add_argument(
        "--gpu",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"needs GPUs or more than {limits.MAX_MEMORY_MB:,} MB of memory",
    )
    parser.add_argument("--json", action="store_true", help="print the assessment as JSON")
    parser.set_defaults(handler=run_fit)


def run_fit(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from serverless_tutor.fit import PRESETS, FitWorkload, assess, preset

    if args.list:
        return _list(args, PRESETS, assess)
    try:
        fields: dict[str, Any] = {}
        if args.preset is not None:
            try:
                fields = preset(args.preset).workload.model_dump()
            except KeyError as error:
                raise BadInput(f"--preset: {error.args[0]}") from None
        elif args.duration_s is None:
            raise BadInput(
                "fit needs --preset NAME or --duration-s SECONDS (see --list for the presets)"
            )
        fields.update(_overrides(args, fields))
        try:
            workload = FitWorkload(**fields)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "workload"
            raise BadInput(f"{field}: {first['msg'].removeprefix('Value error, ')}") from None
    except (BadInput, BadNumber) as problem:
        return usage_error(str(problem))
    result = assess(workload)
    if args.json:
        data = plain_json(result)
        data["preset"] = args.preset
        data["key_reason"] = result.key_reason.key
        print_json(data)
        return 0
    _print(result, args.preset)
    return 0


def _overrides(args: argparse.Namespace, fields: dict[str, Any]) -> dict[str, Any]:
    given: dict[str, Any] = {}
    if args.duration_s is not None:
        given["typical_duration_s"] = _number(args.duration_s, "--duration-s")
        if args.longest_s is None and "longest_duration_s" not in fields:
            given["longest_duration_s"] = given["typical_duration_s"]
    if args.longest_s is not None:
        given["longest_duration_s"] = _number(args.longest_s, "--longest-s")
    if args.requests is not None:
        given["requests_per_month"] = whole_number(args.requests, "--requests", low=0)
    elif "requests_per_month" not in fields:
        given["requests_per_month"] = 0
    if args.p99_ms is not None:
        given["p99_budget_ms"] = (
            None if args.p99_ms.strip().lower() == "none" else _number(args.p99_ms, "--p99-ms")
        )
    if args.memory_mb is not None:
        given["memory_mb"] = whole_number(args.memory_mb, "--memory-mb")
    if args.payload_mb is not None:
        given["payload_mb"] = _number(args.payload_mb, "--payload-mb")
    for option, field in (
        ("traffic", "traffic"),
        ("invocation", "invocation"),
        ("ops", "ops_capacity"),
        ("connections", "long_lived_connections"),
        ("state", "in_memory_state"),
        ("gpu", "needs_gpu_or_big_memory"),
    ):
        value = getattr(args, option)
        if value is not None:
            given[field] = value
    return given


def _number(text: str, option: str) -> float:
    # Zero passes here so the workload's own validation names the field that must be more.
    return real_number(text, option, low=0)


def _list(
    args: argparse.Namespace,
    presets: list[FitPreset],
    assess: Callable[[FitWorkload], Assessment],
) -> int:
    rows = [(p, assess(p.workload)) for p in presets]
    if args.json:
        print_json(
            [
                {
                    "id": p.id,
                    "title": p.title,
                    "chapter_says": p.chapter_says,
                    "verdict": a.verdict,
                    "key_reason": a.key_reason.key,
                }
                for p, a in rows
            ]
        )
        return 0
    from rich.table import Table

    table = Table(title="The chapter's use cases")
    for column in ("preset", "use case", "verdict", "key reason"):
        table.add_column(column, overflow="fold")
    for p, a in rows:
        style = VERDICT_STYLE[a.verdict]
        table.add_row(p.id, p.title, f"[{style}]{a.verdict}[/{style}]", a.key_reason.text)
    console().print(table)
    return 0


def _print(result: Assessment, preset_id: str | None) -> None:
    from rich.markup import escape

    out = console()
    style = VERDICT_STYLE[result.verdict]
    head = f" ({preset_id})" if preset_id else ""
    out.print(f"[bold {style}]{result.verdict.capitalize()}[/bold {style}]{head}")
    for reason in result.reasons:
        out.print(f"{STANCE_MARK[reason.stance]} {escape(reason.text)}")
        out.print(
            f"    [dim]rests on: {escape(reason.rests_on)}; see {escape(reason.pointer)}[/dim]"
        )
    out.print(f"[dim]Assumptions: {escape('; '.join(result.assumptions))}.[/dim]")
