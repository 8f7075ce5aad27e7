"""`serverless-tutor simulate ...` and `serverless-tutor simulate sweep ...`: the cold-start simulator."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from pydantic import ValidationError

from serverless_tutor import limits
from serverless_tutor.cli.numbers import BadNumber, argparse_type, real_number, whole_number
from serverless_tutor.cli.output import console, plain_json, print_json, usage_error
from serverless_tutor.problems import ContentError

if TYPE_CHECKING:
    from rich.console import Console

    from serverless_tutor.sim.config import SimConfig
    from serverless_tutor.sim.replications import ReplicationSummary
    from serverless_tutor.sim.results import SimResult
    from serverless_tutor.sim.sweep import SweepResult

_Outcome = TypeVar("_Outcome")

# Options are parsed here (a clear message for "fast" or "1e400"); their ranges are
# checked together in _config_from_args, where they can refer to each other.
REAL = argparse_type(real_number)
WHOLE = argparse_type(whole_number)

# Runs expected to serve more requests than this show a progress bar (on stderr).
PROGRESS_FROM_REQUESTS = 200_000
REQUIRED = ("warm_ms", "keep_alive_s", "horizon_s")
# The option (its argparse attribute) that each sweepable parameter replaces: a sweep
# sets it at every point, so it is not required (and is ignored when given).
SWEPT_OPTIONS = {
    "keep-alive-s": "keep_alive_s",
    "provisioned": "provisioned",
    "warmup-every-s": "warmup_every",
    "max-concurrency": "max_concurrency",
    "arrival-rate": "arrival_rate",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="simulate cold starts of one function under load (SimFaaS semantics)",
        description="Simulate one function under Poisson load: cold starts, instances, latency and cost.",
    )
    _add_workload_arguments(parser)
    parser.set_defaults(handler=run_simulate)
    actions = parser.add_subparsers(dest="simulate_action", metavar="ACTION")
    sweep = actions.add_parser(
        "sweep",
        help="vary one parameter and chart cold-start probability and instances",
        description="Run the same workload (same seed) once per value of one parameter.",
    )
    sweep.add_argument(
        "--param",
        required=True,
        help="keep-alive-s, provisioned, warmup-every-s, max-concurrency or arrival-rate "
        "(its own option, e.g. --keep-alive-s, is then not needed)",
    )
    sweep.add_argument("--values", required=True, help="comma-separated values, e.g. 60,300,600")
    _add_workload_arguments(sweep)
    sweep.set_defaults(handler=run_sweep)


def _add_workload_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("workload and policy")
    group.add_argument("--arrival-rate", type=REAL, metavar="R", help="Poisson arrivals per second")
    group.add_argument(
        "--trace",
        metavar="CSV",
        help="replay arrival times from a CSV (column time_s) instead of --arrival-rate",
    )
    group.add_argument("--warm-ms", type=REAL, metavar="W", help="mean warm service time, ms")
    group.add_argument(
        "--cold-ms", type=REAL, metavar="C", help="mean cold service time (init included), ms"
    )
    group.add_argument(
        "--runtime",
        choices=("python", "nodejs", "go", "java", "dotnet", "container"),
        help="instead of --cold-ms: warm time + the estimated init of this runtime (published medians)",
    )
    group.add_argument(
        "--package-mb",
        type=REAL,
        default=0.001,
        metavar="MB",
        help="package size for --runtime (default 1 KB)",
    )
    group.add_argument(
        "--keep-alive-s",
        type=REAL,
        metavar="K",
        help="idle seconds before an environment is reclaimed",
    )
    group.add_argument("--horizon-s", type=REAL, metavar="T", help="simulated seconds")
    group.add_argument(
        "--service-dist",
        choices=("exp", "const", "lognormal"),
        default="exp",
        help="distribution of the warm and cold times around their means (default exp, as "
        "SimFaaS: a warm mean of 100 ms gives a p99 near 460 ms; const: every request takes "
        "the mean)",
    )
    group.add_argument(
        "--max-concurrency",
        type=WHOLE,
        default=limits.DEFAULT_ACCOUNT_CONCURRENCY,
        metavar="N",
        help=f"reject requests beyond N running (default {limits.DEFAULT_ACCOUNT_CONCURRENCY})",
    )
    group.add_argument(
        "--provisioned",
        type=WHOLE,
        default=0,
        metavar="N",
        help="provisioned environments (default 0)",
    )
    group.add_argument(
        "--warmup-every", type=REAL, metavar="S", help="send a warm-up ping every S seconds"
    )
    group.add_argument(
        "--memory-mb",
        type=WHOLE,
        default=limits.DEFAULT_MEMORY_MB,
        metavar="MB",
        help=f"memory, for the cost (default {limits.DEFAULT_MEMORY_MB})",
    )
    group.add_argument("--seed", type=WHOLE, default=1, metavar="N", help="random seed (default 1)")
    group.add_argument(
        "--replications",
        type=WHOLE,
        default=1,
        metavar="N",
        help="independent runs for 95%% confidence intervals",
    )
    group.add_argument("--json", action="store_true", help="print the result as JSON")


def _config_from_args(args: argparse.Namespace) -> SimConfig | str:
    """A SimConfig, or a usage-error message string."""
    from serverless_tutor.sim.arrivals import TraceArrivals
    from serverless_tutor.sim.config import SimConfig
    from serverless_tutor.sim.estimator import MAX_PACKAGE_MB

    missing = [f"--{name.replace('_', '-')}" for name in REQUIRED if getattr(args, name) is None]
    if args.cold_ms is None and args.runtime is None:
        missing.insert(1 if args.warm_ms is None else 0, "--cold-ms (or --runtime)")
    if args.arrival_rate is None and args.trace is None:
        missing.insert(0, "--arrival-rate (or --trace)")
    if missing:
        return f"missing {', '.join(missing)}"
    if args.arrival_rate is not None and args.trace is not None:
        return "give --arrival-rate or --trace, not both"
    if args.cold_ms is not None and args.runtime is not None:
        return "give --cold-ms or --runtime, not both"
    checks = [
        (args.arrival_rate is None or args.arrival_rate > 0, "--arrival-rate must be more than 0"),
        (args.warm_ms > 0, "--warm-ms must be more than 0"),
        (args.cold_ms is None or args.cold_ms > 0, "--cold-ms must be more than 0"),
        (0 <= args.package_mb <= MAX_PACKAGE_MB, f"--package-mb must be 0 to {MAX_PACKAGE_MB:g}"),
        (args.keep_alive_s >= 0, "--keep-alive-s must be 0 or more"),
        (args.horizon_s > 0, "--horizon-s must be more than 0"),
        (args.max_concurrency >= 1, "--max-concurrency must be at least 1"),
        (
            0 <= args.provisioned <= args.max_concurrency,
            "--provisioned must be 0 to --max-concurrency",
        ),
        (
            args.warmup_every is None or args.warmup_every > 0,
            "--warmup-every must be more than 0 seconds",
        ),
        (
            limits.MIN_MEMORY_MB <= args.memory_mb <= limits.MAX_MEMORY_MB,
            f"--memory-mb must be {limits.MIN_MEMORY_MB} to {limits.MAX_MEMORY_MB}",
        ),
        (args.replications >= 1, "--replications must be at least 1"),
    ]
    for ok, message in checks:
        if not ok:
            return message
    cold_ms = args.cold_ms
    if cold_ms is None:
        from serverless_tutor.sim.estimator import estimate_cold_start

        cold_ms = (
            args.warm_ms
            + 1000 * estimate_cold_start(args.runtime, args.memory_mb, args.package_mb).total_s
        )
    try:
        config = SimConfig.simple(
            arrival_rate=args.arrival_rate or 1.0,  # replaced below when --trace is given
            warm_s=args.warm_ms / 1000,
            cold_s=cold_ms / 1000,
            keep_alive_s=args.keep_alive_s,
            horizon_s=args.horizon_s,
            service_dist=args.service_dist,
            max_concurrency=args.max_concurrency,
            provisioned=args.provisioned,
            warmup_every_s=args.warmup_every,
            seed=args.seed,
            memory_mb=args.memory_mb,
        )
        if args.trace is not None:
            config = config.model_copy(update={"arrivals": TraceArrivals.from_csv(args.trace)})
    except ContentError as exc:
        return f"bad trace file:\n{exc}"
    except ValidationError as exc:
        first = exc.errors()[0]
        return f"invalid option: {'.'.join(map(str, first['loc']))}: {first['msg']}"
    return config


def _expected_requests(config: SimConfig) -> float:
    return config.arrivals.mean_rate_per_s * config.horizon_s


def _with_progress(
    task: str,
    config: SimConfig,
    json_output: bool,
    work: Callable[[Callable[[float], None] | None], _Outcome],
) -> _Outcome:
    """Call work(progress_callback) with a rich progress bar on stderr for long runs."""
    if json_output or _expected_requests(config) < PROGRESS_FROM_REQUESTS:
        return work(None)
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task_id = bar.add_task(task, total=1.0)
        return work(lambda fraction: bar.update(task_id, completed=fraction))


def run_simulate(args: argparse.Namespace) -> int:
    from serverless_tutor.sim.model import LifecycleModel
    from serverless_tutor.sim.replications import replicate

    config = _config_from_args(args)
    if isinstance(config, str):
        return usage_error(config)
    if args.replications > 1:
        summary = _with_progress(
            f"{args.replications} replications",
            config.model_copy(update={"horizon_s": config.horizon_s * args.replications}),
            args.json,
            lambda progress: replicate(config, args.replications, progress=progress),
        )
        if args.json:
            print_json(
                {
                    **plain_json(summary.runs[0]),
                    "replications": args.replications,
                    "ci95": {
                        name: plain_json(estimate) for name, estimate in summary.estimates.items()
                    },
                    "runs": summary.runs,
                }
            )
            return 0
        _print_result(summary.runs[0], config, summary)
        return 0
    result = _with_progress(
        "simulating",
        config,
        args.json,
        lambda progress: LifecycleModel(config).run(progress=progress),
    )
    if args.json:
        print_json(result)
        return 0
    _print_result(result, config, None)
    return 0


def run_sweep(args: argparse.Namespace) -> int:
    from serverless_tutor.sim.sweep import SWEEP_PARAMETERS, sweep, with_parameter

    if args.param not in SWEEP_PARAMETERS:
        return usage_error(
            f"unknown --param {args.param!r}; expected one of {', '.join(SWEEP_PARAMETERS)}"
        )
    try:
        values = [real_number(text, "--values") for text in args.values.split(",") if text.strip()]
    except BadNumber as problem:
        return usage_error(f"{problem} (--values takes comma-separated numbers)")
    if not values:
        return usage_error("--values needs at least one number")
    if args.replications != 1:
        return usage_error(
            "--replications is not supported with sweep (each point is one run with the same seed)"
        )
    _stand_in_for_the_swept_option(args, values)
    config = _config_from_args(args)
    if isinstance(config, str):
        return usage_error(config)
    try:
        for value in values:
            with_parameter(config, args.param, value)
    except ValueError as exc:
        return usage_error(str(exc))
    total = config.model_copy(update={"horizon_s": config.horizon_s * len(values)})
    result = _with_progress(
        f"sweeping {args.param}",
        total,
        args.json,
        lambda progress: sweep(config, args.param, values, progress=progress),
    )
    if args.json:
        first = result.points[0].result.service_times
        print_json(
            {
                "parameter": result.parameter,
                "serviceTimes": plain_json(first),
                "points": [{"value": p.value, **plain_json(p.result)} for p in result.points],
            }
        )
        return 0
    _print_sweep(result)
    return 0


def _stand_in_for_the_swept_option(args: argparse.Namespace, values: list[float]) -> None:
    """Fill the swept parameter's own option, which every point of the sweep replaces.

    The stand-in only has to pass the checks of a single run; with_parameter checks
    each swept value in its own words. A value the learner gave is ignored, with a note.
    """
    attribute = SWEPT_OPTIONS[args.param]
    option = "--warmup-every" if attribute == "warmup_every" else f"--{args.param}"
    given = getattr(args, attribute)
    defaults = {"provisioned": 0, "max_concurrency": limits.DEFAULT_ACCOUNT_CONCURRENCY}
    if given is not None and given != defaults.get(attribute):
        sys.stderr.write(
            f"serverless-tutor: note: {option} {given:g} is ignored: --param {args.param} sets it\n"
        )
    stand_in: float | int | None
    if attribute == "keep_alive_s":
        stand_in = max(values[0], 0.0)
    elif attribute == "arrival_rate":
        # with a --trace there is no rate to replace: with_parameter says so
        stand_in = None if args.trace is not None else (values[0] if values[0] > 0 else 1.0)
    elif attribute == "warmup_every":
        stand_in = None
    elif attribute == "provisioned":
        stand_in = 0
    else:  # max_concurrency: room for the provisioned environments
        stand_in = max(args.provisioned, 1)
    setattr(args, attribute, stand_in)


def _fmt_ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _print_result(result: SimResult, config: SimConfig, summary: ReplicationSummary | None) -> None:
    from rich.table import Table

    from serverless_tutor.pricing.money import usd

    estimates = summary.estimates if summary is not None else {}

    def with_ci(name: str, value: float | None, fmt: str) -> str:
        if value is None:
            return "-"
        if name in estimates:
            e = estimates[name]
            return f"{fmt.format(e.mean)} ± {fmt.format(e.half_width)}"
        return fmt.format(value)

    title = f"{config.arrivals.label()}, keep-alive {config.policy.keep_alive_s:g} s, {config.horizon_s:g} s simulated"
    table = Table(title=title, show_header=True)
    table.add_column("metric")
    table.add_column("value", justify="right")
    if summary is not None:
        table.caption = f"mean ± 95% CI half-width over {len(summary.runs)} replications (seeds {config.seed}..{config.seed + len(summary.runs) - 1}); counts from the first"
    table.add_row("requests", f"{result.requests:,}")
    table.add_row("cold starts", f"{result.cold_starts:,}")
    table.add_row("rejections", f"{result.rejections:,}")
    table.add_row(
        "cold-start probability",
        with_ci("cold_start_probability", result.cold_start_probability, "{:.5f}"),
    )
    table.add_row(
        "rejection probability",
        with_ci("rejection_probability", result.rejection_probability, "{:.5f}"),
    )
    table.add_row("avg instances", with_ci("avg_instances", result.avg_instances, "{:.4f}"))
    table.add_row("avg running", with_ci("avg_running", result.avg_running, "{:.4f}"))
    table.add_row("avg idle", with_ci("avg_idle", result.avg_idle, "{:.4f}"))
    table.add_row("avg lifespan (s)", with_ci("avg_lifespan_s", result.avg_lifespan_s, "{:,.1f}"))
    table.add_row(
        "latency p50 / p95 / p99 (ms)",
        " / ".join(
            _fmt_ms(v)
            for v in (result.latency_ms.p50, result.latency_ms.p95, result.latency_ms.p99)
        ),
    )
    if result.pings:
        table.add_row("warm-up pings (cold)", f"{result.pings:,} ({result.ping_cold_starts:,})")
    if result.cost is not None:
        table.add_row(
            f"cost of the simulated period ({config.profile.memory_mb} MB)",
            usd(result.cost.total) if result.cost.total >= 0.01 else f"${result.cost.total:.6f}",
        )
    out = console()
    _print_service_times(out, result)
    out.print(table)


def _print_service_times(out: Console, result: SimResult) -> None:
    """A header line: the latencies (and their spread) depend on the distribution."""
    if result.service_times is not None:
        label = result.service_times.label()
        out.print(label[0].upper() + label[1:], highlight=False, markup=False)


def _print_sweep(result: SweepResult) -> None:
    from rich.table import Table

    from serverless_tutor.sim.chart import bar_chart

    out = console()
    _print_service_times(out, result.points[0].result)
    table = Table(title=f"sweep of {result.label}")
    for name in (result.parameter, "P(cold)", "P(reject)", "avg instances", "p95 ms", "cost"):
        table.add_column(name, justify="right")
    for point in result.points:
        r = point.result
        cost = "-" if r.cost is None else f"${r.cost.total:.6f}"
        table.add_row(
            f"{point.value:g}",
            f"{r.cold_start_probability:.5f}",
            f"{r.rejection_probability:.5f}",
            f"{r.avg_instances:.3f}",
            _fmt_ms(r.latency_ms.p95),
            cost,
        )
    out.print(table)
    width = min(out.width, 100)
    for heading, metric, fmt in (
        ("cold-start probability", "cold_start_probability", "{:.5f}"),
        ("average instances", "avg_instances", "{:.3f}"),
    ):
        out.print(f"\n{heading} by {result.label}", style="bold", highlight=False)
        rows = [(f"{p.value:g}", getattr(p.result, metric)) for p in result.points]
        for line in bar_chart(rows, width, fmt):
            out.print(line, highlight=False, markup=False)
    sys.stdout.flush()
