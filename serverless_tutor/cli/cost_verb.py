"""`serverless-tutor cost`: the monthly Lambda bill, and `cost tune|breakeven|batch|presets`.

Numbers are read as text and checked by cli/numbers.py, so every bad value exits 2 with
one line naming the option and what it accepts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from serverless_tutor import limits
from serverless_tutor.cli.numbers import BadNumber, decimal_number, whole_number
from serverless_tutor.cli.output import console, usage_error
from serverless_tutor.problems import ContentError

if TYPE_CHECKING:
    from serverless_tutor.pricing import Bill, PriceTable, Workload
    from serverless_tutor.pricing.prices import Architecture

ARCHES: tuple[Architecture, ...] = ("x86_64", "arm64")
MEMORY_RANGE = f"{limits.MIN_MEMORY_MB}..{limits.MAX_MEMORY_MB}"
EPHEMERAL_RANGE = f"{limits.MIN_EPHEMERAL_MB}..{limits.MAX_EPHEMERAL_MB}"
MAX_DURATION_MS = limits.MAX_TIMEOUT_S * 1000
STRATEGY_CHOICES = ("cheapest", "fastest", "balanced")


class BadInput(Exception):
    """One line explaining which option is wrong and what it accepts."""


def register(subparsers: argparse._SubParsersAction) -> None:
    from serverless_tutor.pricing.tuning import DEFAULT_MEMORY_SIZES

    parser = subparsers.add_parser(
        "cost",
        help="price a Lambda workload; also: tune, breakeven, batch, presets",
        description=(
            "Itemized monthly AWS Lambda bill (us-east-1). Without --free-tier no free tier is applied. "
            "Subcommands: tune (memory sizes), breakeven (vs an always-on server), batch, presets (the chapter's examples)."
        ),
    )
    _workload_options(parser, with_requests=True)
    parser.add_argument(
        "--free-tier",
        action="store_true",
        help="apply the monthly free tier (1 M requests, 400,000 GB-s)",
    )
    parser.add_argument(
        "--provisioned-concurrency", metavar="N", help="provisioned environments (default 0)"
    )
    parser.add_argument(
        "--provisioned-hours",
        metavar="H",
        help=f"hours a month they are configured (default {limits.HOURS_PER_MONTH} when N is given)",
    )
    parser.add_argument(
        "--provisioned-share",
        metavar="S",
        help="fraction 0..1 of invocation time run on provisioned environments (default: as much as their capacity allows)",
    )
    parser.add_argument(
        "--ephemeral-mb",
        metavar="E",
        help=f"/tmp size, {EPHEMERAL_RANGE} (default {limits.DEFAULT_EPHEMERAL_MB})",
    )
    _common_options(parser)
    parser.set_defaults(handler=run_bill)

    actions = parser.add_subparsers(dest="cost_action", metavar="ACTION")

    tune = actions.add_parser(
        "tune",
        help="cost and duration per memory size, with the cheapest/fastest/balanced pick",
        description=(
            "Either a measured duration at one memory size plus its CPU-bound fraction (modelled at other sizes: "
            "CPU time shrinks with memory up to the vCPUs the code can use, I/O time does not), or --measured durations."
        ),
    )
    tune.add_argument("--duration-ms", metavar="D", help="measured duration at --at-memory-mb")
    tune.add_argument(
        "--at-memory-mb",
        metavar="M",
        default="1024",
        help="memory size the duration was measured at (default 1024)",
    )
    tune.add_argument(
        "--cpu-share",
        metavar="F",
        default="1",
        help="fraction 0..1 of that duration that is CPU-bound (default 1)",
    )
    tune.add_argument(
        "--threads", metavar="T", default="1", help="threads the CPU-bound part can use (default 1)"
    )
    tune.add_argument(
        "--measured", metavar="MB=MS,...", help="measured durations, e.g. 128=810,512=205,1024=104"
    )
    tune.add_argument(
        "--memory-sizes",
        metavar="MB,...",
        help=f"sizes to model (default {','.join(map(str, DEFAULT_MEMORY_SIZES))})",
    )
    tune.add_argument(
        "--requests",
        metavar="N",
        default="1000000",
        help="monthly requests for the monthly column (default 1,000,000)",
    )
    tune.add_argument(
        "--weight",
        metavar="W",
        default="0.5",
        help="balanced weight 0..1: 0 = fastest, 1 = cheapest (default 0.5)",
    )
    tune.add_argument("--arch", metavar="ARCH", default="x86_64", help="x86_64 or arm64")
    tune.add_argument(
        "--free-tier", action="store_true", help="apply the free tier to the monthly column"
    )
    _common_options(tune)
    tune.set_defaults(handler=run_tune)

    breakeven = actions.add_parser(
        "breakeven", help="requests a month at which Lambda costs as much as a server"
    )
    breakeven.add_argument(
        "--server-monthly",
        metavar="USD",
        default="50",
        help="the server's price per month (default 50, the chapter's)",
    )
    _workload_options(breakeven, with_requests=False)
    breakeven.add_argument("--free-tier", action="store_true", help="apply the monthly free tier")
    breakeven.add_argument(
        "--ephemeral-mb",
        metavar="E",
        help=f"/tmp size, {EPHEMERAL_RANGE} (default {limits.DEFAULT_EPHEMERAL_MB})",
    )
    _common_options(breakeven)
    breakeven.set_defaults(handler=run_breakeven)

    batch = actions.add_parser("batch", help="N items one per invocation versus batches of B")
    batch.add_argument("--items", metavar="N", required=False, help="items a month")
    batch.add_argument("--batch-size", metavar="B", help="items per invocation when batched")
    batch.add_argument(
        "--overhead-ms", metavar="MS", default="20", help="fixed time per invocation (default 20)"
    )
    batch.add_argument(
        "--per-item-ms", metavar="MS", default="5", help="time each item adds (default 5)"
    )
    batch.add_argument(
        "--memory-mb", metavar="M", default="512", help=f"memory size, {MEMORY_RANGE} (default 512)"
    )
    batch.add_argument("--arch", metavar="ARCH", default="x86_64", help="x86_64 or arm64")
    batch.add_argument("--free-tier", action="store_true", help="apply the monthly free tier")
    _common_options(batch)
    batch.set_defaults(handler=run_batch)

    presets = actions.add_parser(
        "presets", help="the chapter's cost examples, recomputed, with its slips"
    )
    _common_options(presets)
    presets.set_defaults(handler=run_presets)


def _workload_options(parser: argparse.ArgumentParser, *, with_requests: bool) -> None:
    if with_requests:
        parser.add_argument("--requests", metavar="N", help="invocations a month")
    parser.add_argument("--duration-ms", metavar="D", help="average duration of one invocation, ms")
    parser.add_argument("--memory-mb", metavar="M", help=f"memory size, {MEMORY_RANGE}")
    parser.add_argument(
        "--arch", metavar="ARCH", default="x86_64", help="x86_64 (default) or arm64"
    )


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        help="print JSON (amounts are numbers in USD, full precision)",
    )
    parser.add_argument(
        "--prices", metavar="FILE", type=Path, help="a price file to use instead of the shipped one"
    )


# ---------------------------------------------------------------- parsing


def _arch(text: str) -> Architecture:
    for arch in ARCHES:
        if text == arch:
            return arch
    raise BadInput(f"--arch: unknown architecture {text!r}; use x86_64 or arm64")


def _memory(text: str | None, flag: str = "--memory-mb") -> int:
    return whole_number(text, flag, low=limits.MIN_MEMORY_MB, high=limits.MAX_MEMORY_MB, unit=" MB")


def _duration(text: str | None, flag: str = "--duration-ms") -> Decimal:
    value = decimal_number(text, flag, above=0, unit=" ms")
    if value > MAX_DURATION_MS:
        raise BadInput(
            f"{flag}: must be at most {MAX_DURATION_MS} ms, Lambda's "
            f"{limits.MAX_TIMEOUT_S // 60}-minute timeout (got {text})"
        )
    return value


def _ephemeral(text: str | None) -> int:
    if text is None:
        return limits.DEFAULT_EPHEMERAL_MB
    return whole_number(
        text,
        "--ephemeral-mb",
        low=limits.MIN_EPHEMERAL_MB,
        high=limits.MAX_EPHEMERAL_MB,
        unit=" MB",
    )


def _prices(args: argparse.Namespace) -> PriceTable:
    from serverless_tutor.pricing import load_prices

    return load_prices(args.prices) if args.prices else load_prices()


def _guarded(action: Callable[[], int]) -> int:
    """Run action; turn bad input, invalid models and broken price files into exit code 2."""
    from serverless_tutor.pricing import PricingInputError

    try:
        return action()
    except (BadInput, BadNumber) as exc:
        return usage_error(str(exc))
    except PricingInputError as exc:
        return usage_error(str(exc))
    except ContentError as exc:
        return usage_error(f"invalid price file: {exc.problems[0].line()}")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "input"
        return usage_error(f"{where}: {first['msg']}")
    except ValueError as exc:
        return usage_error(str(exc))


# ---------------------------------------------------------------- JSON


def _json_text(value: Any, indent: int = 0) -> str:
    """JSON where Decimals are written as number literals with every digit (json.dumps would need floats)."""
    from serverless_tutor.pricing.money import json_number

    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="python")
    if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
        return json_number(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{inner}{json.dumps(_camel(str(k)))}: {_json_text(v, indent + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return (
            "[\n"
            + ",\n".join(f"{inner}{_json_text(v, indent + 1)}" for v in value)
            + "\n"
            + pad
            + "]"
        )
    return json.dumps(
        value if not hasattr(value, "isoformat") else value.isoformat(), ensure_ascii=False
    )


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _print_json(value: Any) -> None:
    sys.stdout.write(_json_text(value) + "\n")


# ---------------------------------------------------------------- bill


def run_bill(args: argparse.Namespace) -> int:
    return _guarded(lambda: _bill(args))


def _bill(args: argparse.Namespace) -> int:
    from serverless_tutor.pricing import Workload, monthly_bill

    if args.requests is None and args.duration_ms is None and args.memory_mb is None:
        raise BadInput(
            "cost needs --requests, --duration-ms and --memory-mb (or an action: tune, breakeven, batch, presets)"
        )
    requests = whole_number(args.requests, "--requests", low=0)
    duration = _duration(args.duration_ms)
    memory = _memory(args.memory_mb)
    arch = _arch(args.arch)
    ephemeral = _ephemeral(args.ephemeral_mb)
    concurrency = (
        0
        if args.provisioned_concurrency is None
        else whole_number(args.provisioned_concurrency, "--provisioned-concurrency", low=0)
    )
    if args.provisioned_hours is not None and not concurrency:
        raise BadInput("--provisioned-hours needs --provisioned-concurrency N (N > 0)")
    if args.provisioned_share is not None and not concurrency:
        raise BadInput("--provisioned-share needs --provisioned-concurrency N (N > 0)")
    hours = Decimal(0)
    if concurrency:
        hours = (
            Decimal(limits.HOURS_PER_MONTH)
            if args.provisioned_hours is None
            else decimal_number(
                args.provisioned_hours, "--provisioned-hours", low=0, high=744, unit=" hours"
            )
        )
    share = (
        None
        if args.provisioned_share is None
        else decimal_number(args.provisioned_share, "--provisioned-share", low=0, high=1)
    )
    workload = Workload(
        requests=requests,
        duration_ms=duration,
        memory_mb=memory,
        architecture=arch,
        free_tier=args.free_tier,
        provisioned_concurrency=concurrency,
        provisioned_hours=hours,
        ephemeral_mb=ephemeral,
        provisioned_share=share,
    )
    prices = _prices(args)
    bill = monthly_bill(workload, prices)
    if args.json:
        _print_json(bill.to_json())
        return 0
    _print_bill_table(bill, prices, workload)
    return 0


def _print_bill_table(bill: Bill, prices: PriceTable, workload: Workload) -> None:
    from rich.table import Table

    from serverless_tutor.pricing.money import usd

    title = (
        f"Monthly Lambda bill: {workload.requests:,} × {workload.duration_ms} ms × {workload.memory_mb} MB, "
        f"{workload.architecture}"
    )
    table = Table(
        title=title,
        caption=f"{prices.region} prices as of {prices.as_of} ({prices.source})",
        show_lines=True,
    )
    table.add_column("item")
    table.add_column("formula (filled in)", overflow="fold")
    table.add_column("amount", justify="right")
    for line in bill.lines:
        table.add_row(line.label, line.formula, usd(line.amount))
    table.add_row("[b]Total[/b]", "sum of the lines above", f"[b]{usd(bill.total)}[/b]")
    out = console()
    out.print(table)
    for note in bill.notes:
        out.print(f"note: {note}")
    if not workload.free_tier:
        out.print(
            "No free tier applied (add --free-tier for 1 M requests and 400,000 GB-s a month)."
        )


# ---------------------------------------------------------------- tune


def run_tune(args: argparse.Namespace) -> int:
    return _guarded(lambda: _tune(args))


def _tune(args: argparse.Namespace) -> int:
    from serverless_tutor.pricing import DurationModel, tune
    from serverless_tutor.pricing.tuning import DEFAULT_MEMORY_SIZES

    arch = _arch(args.arch)
    requests = whole_number(args.requests, "--requests", low=0)
    weight = decimal_number(args.weight, "--weight", low=0, high=1)
    if (args.measured is None) == (args.duration_ms is None):
        raise BadInput(
            "cost tune needs either --duration-ms (with --at-memory-mb and --cpu-share) or --measured MB=MS,..."
        )
    if args.measured is not None:
        measured: dict[int, Decimal] = {}
        for pair in args.measured.split(","):
            memory_text, sep, duration_text = pair.partition("=")
            if not sep:
                raise BadInput(
                    f"--measured: expected MB=MS pairs separated by commas, got {pair!r}"
                )
            measured[_memory(memory_text, "--measured (memory)")] = _duration(
                duration_text, "--measured (duration)"
            )
        result = tune(
            measured=measured,
            architecture=arch,
            requests=requests,
            balanced_weight=weight,
            free_tier=args.free_tier,
            prices=_prices(args),
        )
    else:
        sizes = DEFAULT_MEMORY_SIZES
        if args.memory_sizes:
            sizes = tuple(_memory(text, "--memory-sizes") for text in args.memory_sizes.split(","))
        model = DurationModel.from_measurement(
            _duration(args.duration_ms),
            _memory(args.at_memory_mb, "--at-memory-mb"),
            decimal_number(args.cpu_share, "--cpu-share", low=0, high=1),
            whole_number(args.threads, "--threads", low=1, high=64),
        )
        result = tune(
            model=model,
            memory_sizes=sizes,
            architecture=arch,
            requests=requests,
            balanced_weight=weight,
            free_tier=args.free_tier,
            prices=_prices(args),
        )
    if args.json:
        _print_json(result)
        return 0
    from rich.table import Table

    from serverless_tutor.pricing.money import usd

    table = Table(
        title=f"Power tuning ({result.source} durations, {arch}, balanced weight {weight})"
    )
    table.add_column("memory", justify="right")
    table.add_column("duration", justify="right")
    table.add_column("billed", justify="right")
    table.add_column("compute per 1M", justify="right")
    table.add_column(f"month at {requests:,}", justify="right")
    table.add_column("pick")
    for point in result.points:
        picks = [name for name in STRATEGY_CHOICES if getattr(result, name) == point.memory_mb]
        table.add_row(
            f"{point.memory_mb} MB",
            f"{point.duration_ms} ms",
            f"{point.billed_duration_ms} ms",
            usd(point.cost_per_invocation * 1_000_000),
            usd(point.monthly_cost),
            ", ".join(picks),
        )
    console().print(table)
    return 0


# ---------------------------------------------------------------- break-even


def run_breakeven(args: argparse.Namespace) -> int:
    return _guarded(lambda: _breakeven(args))


def _breakeven(args: argparse.Namespace) -> int:
    from serverless_tutor.pricing import break_even

    result = break_even(
        decimal_number(args.server_monthly, "--server-monthly", above=0, unit=" USD"),
        duration_ms=_duration(args.duration_ms),
        memory_mb=_memory(args.memory_mb),
        architecture=_arch(args.arch),
        free_tier=args.free_tier,
        ephemeral_mb=_ephemeral(args.ephemeral_mb),
        prices=_prices(args),
    )
    if args.json:
        _print_json(result)
        return 0
    from rich.table import Table

    from serverless_tutor.pricing.money import usd

    out = console()
    out.print(
        f"Lambda ({result.duration_ms} ms × {result.memory_mb} MB, {result.architecture}) costs as much as a "
        f"{usd(result.server_monthly_usd)}/month server at [b]{result.requests:,} requests a month[/b] "
        f"(about {result.requests_per_second:.2f} requests/s on average). Below that Lambda is cheaper; above it the server is."
    )
    table = Table(title="Monthly cost against requests")
    table.add_column("requests", justify="right")
    table.add_column("Lambda", justify="right")
    table.add_column("server", justify="right")
    for point in result.curve:
        table.add_row(f"{point.requests:,}", usd(point.lambda_cost), usd(point.server_cost))
    out.print(table)
    return 0


# ---------------------------------------------------------------- batching


def run_batch(args: argparse.Namespace) -> int:
    return _guarded(lambda: _batch(args))


def _batch(args: argparse.Namespace) -> int:
    from serverless_tutor.pricing import compare_batching

    result = compare_batching(
        whole_number(args.items, "--items", low=0),
        whole_number(args.batch_size, "--batch-size", low=1),
        decimal_number(args.overhead_ms, "--overhead-ms", low=0, unit=" ms"),
        decimal_number(args.per_item_ms, "--per-item-ms", low=0, unit=" ms"),
        _memory(args.memory_mb),
        _arch(args.arch),
        args.free_tier,
        _prices(args),
    )
    if args.json:
        _print_json(result)
        return 0
    from rich.table import Table

    from serverless_tutor.pricing.money import usd

    table = Table(
        title=f"{result.items:,} items at {result.memory_mb} MB ({result.architecture})",
        show_lines=True,
    )
    table.add_column("plan")
    table.add_column("how it is billed", overflow="fold")
    table.add_column("requests", justify="right")
    table.add_column("compute", justify="right")
    table.add_column("total", justify="right")
    for name, item in (
        ("one per invoke", result.one_per_invoke),
        (f"batches of {result.batched.batch_size}", result.batched),
    ):
        table.add_row(
            name, item.formula, usd(item.request_cost), usd(item.compute_cost), usd(item.total)
        )
    out = console()
    out.print(table)
    out.print(f"Batching saves {usd(result.savings)} a month.")
    return 0


# ---------------------------------------------------------------- presets


def run_presets(args: argparse.Namespace) -> int:
    return _guarded(lambda: _presets(args))


def _presets(args: argparse.Namespace) -> int:
    from serverless_tutor.pricing import check_presets

    checks = check_presets(_prices(args))
    if args.json:
        _print_json(
            [
                {
                    "id": c.preset.id,
                    "title": c.preset.title,
                    "where": c.preset.where,
                    "quotes": c.preset.quotes,
                    "chapterSays": c.preset.chapter_says,
                    "computed": c.computed,
                    "matchesChapter": c.matches_chapter,
                    "slip": c.preset.slip,
                    "workload": c.preset.workload,
                    "bill": c.bill.to_json(),
                }
                for c in checks
            ]
        )
        return 0
    from rich.table import Table

    from serverless_tutor.pricing.money import usd

    table = Table(title="The chapter's cost examples, recomputed", show_lines=True)
    table.add_column("example")
    table.add_column("quotes")
    table.add_column("chapter", justify="right")
    table.add_column("correct", justify="right")
    table.add_column("verdict", overflow="fold")
    for check in checks:
        verdict = (
            "[green]right[/green]"
            if check.matches_chapter
            else f"[red]slip[/red]: {check.preset.slip}"
        )
        table.add_row(
            check.preset.title,
            check.preset.quotes,
            usd(check.preset.chapter_says),
            usd(check.computed),
            verdict,
        )
    console().print(table)
    return 0
