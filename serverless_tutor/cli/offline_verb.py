"""`serverless-tutor offline [serverless.yml] [--port 3000] [--stage dev]`.

Deploys the service into a local account and serves its HTTP routes on
127.0.0.1, printing a curl command for each route, then one line per request
(method, path, function, cold or warm, duration, status). Queues, streams and
schedules are polled in the background. At most `--concurrency` invokes of a
function run at once; over it HTTP requests are throttled as Lambda does.

With `--faults PLAN` the functions' AWS calls and the router's deliveries run under
a fault plan (a *.faults.yaml file or a shipped plan's name, as for `check` and
`pipeline`): the plan is printed at start and each injected fault gets a line.

Ctrl+C or SIGTERM stops accepting, cancels queued deliveries, stops every
environment and exits within 5 s; a second Ctrl+C exits at once.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from serverless_tutor.cli.fault_option import fault_plan_option
from serverless_tutor.cli.output import console, usage_error
from serverless_tutor.limits import DEFAULT_ACCOUNT_CONCURRENCY
from serverless_tutor.paths import bundled_example_names, examples_dir

if TYPE_CHECKING:
    from rich.console import Console

    from serverless_tutor.cloud.deploy import Deployment
    from serverless_tutor.cloud.offline import FaultLog, OfflineServer, RequestLog

DEFAULT_LOCAL_CONCURRENCY = 10
DEFAULT_MAX_QUEUED = 1_000
OFFLINE_TRACE_ENTRIES = 1_000  # offline shows no call trace: keep only the last calls


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "offline", help="run a serverless.yml or SAM template and serve its HTTP routes"
    )
    parser.add_argument(
        "config",
        nargs="?",
        default=None,
        help="path to a serverless.yml or SAM template.yaml (default: the first of serverless.yml, "
        "serverless.yaml, template.yaml, template.yml here), or a bundled example's name: "
        + ", ".join([*bundled_example_names(), "notes-sam"]),
    )
    parser.add_argument(
        "--port",
        type=int,
        default=3000,
        help="port on 127.0.0.1 (default 3000; 0 picks a free one)",
    )
    parser.add_argument("--stage", help="stage (default: provider.stage, else dev)")
    parser.add_argument(
        "--backend",
        choices=["sandbox", "inprocess"],
        default="sandbox",
        help="run handlers in sandboxed workers (default) or in this process (trusted code only)",
    )
    parser.add_argument(
        "--no-iam", action="store_true", help="do not enforce the functions' IAM statements"
    )
    parser.add_argument(
        "--seed",
        metavar="JSON",
        help='put items into tables after deploying: {"table": [{...}, ...]}',
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_LOCAL_CONCURRENCY,
        metavar="N",
        help=f"at most N invokes of one function at once, each in its own environment "
        f"(default {DEFAULT_LOCAL_CONCURRENCY}; AWS's default account limit is "
        f"{DEFAULT_ACCOUNT_CONCURRENCY:,}); over it HTTP requests are throttled",
    )
    parser.add_argument(
        "--max-queued",
        type=int,
        default=DEFAULT_MAX_QUEUED,
        metavar="N",
        help=f"while more than N asynchronous events wait for delivery, new HTTP requests "
        f"wait for room (default {DEFAULT_MAX_QUEUED:,}); keeps the queue and memory bounded",
    )
    parser.add_argument(
        "--faults",
        metavar="PLAN",
        help="run the functions' AWS calls and the event deliveries under a fault plan "
        "(a *.faults.yaml file, or a shipped one: throttle-second-write, duplicate-delivery, "
        "crash-after-write); each injected fault is printed",
    )
    parser.set_defaults(handler=run_offline)


def run_offline(args: argparse.Namespace) -> int:
    from serverless_tutor.cloud import moto_transactions
    from serverless_tutor.cloud.account import LocalAccount
    from serverless_tutor.cloud.concurrency import ConcurrencyLimitedRuntime
    from serverless_tutor.cloud.deploy import deploy
    from serverless_tutor.cloud.offline import SHUTDOWN_DEADLINE_S, OfflineFaults, OfflineServer
    from serverless_tutor.cloud.stack_files import ServiceConfigError, load_stack, locate_stack
    from serverless_tutor.cloud.trace import Trace
    from serverless_tutor.runtime import LambdaRuntime

    located = locate_stack(args.config, Path.cwd())
    if located is None:
        return usage_error(
            f"{args.config or 'no serverless.yml or template.yaml here'}: no such file "
            "(give the path to a serverless.yml or a SAM template, or an example's name)"
        )
    path = located
    if not 0 <= args.port <= 65535:
        return usage_error(f"--port {args.port}: expected 0-65535")
    if args.max_queued < 1:
        return usage_error(f"--max-queued {args.max_queued}: expected 1 or more")
    if not 1 <= args.concurrency <= DEFAULT_ACCOUNT_CONCURRENCY:
        return usage_error(
            f"--concurrency {args.concurrency}: expected 1-{DEFAULT_ACCOUNT_CONCURRENCY:,}"
        )
    try:
        spec = load_stack(path, stage=args.stage)
    except ServiceConfigError as error:
        return usage_error(
            f"{path} cannot be loaded:\n" + "\n".join(p.line() for p in error.problems)
        )
    try:
        plan = fault_plan_option(args.faults)
    except ValueError as exc:
        return usage_error(str(exc))
    seed = None
    seed_file = Path(args.seed) if args.seed else None
    if (
        seed_file is None
        and args.config is not None
        and path.parent.parent == examples_dir()
        and path.with_name("seed.json").is_file()
    ):
        seed_file = path.with_name("seed.json")  # bundled examples come with data to play with
    if seed_file is not None:
        seed, problem = _read_seed(seed_file)
        if problem:
            return usage_error(problem)

    out = console()
    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread:
        signal.signal(signal.SIGTERM, _stop_on_term)  # while starting, `kill` acts as Ctrl+C
    moto_transactions.install()  # a transaction must not copy whole tables (its cost grew with them)
    account = LocalAccount(region=spec.region, enforce_iam=not args.no_iam)
    account.trace = Trace(max_entries=OFFLINE_TRACE_ENTRIES)  # 100,000 by default: ~10,000 orders
    printer = _LinePrinter(out)
    faults = OfflineFaults(plan, account, on_fault=printer.put) if plan is not None else None
    runtime = LambdaRuntime(
        backend=args.backend,
        request_handler=account.handle if faults is None else faults.request_handler,
    )
    limited = ConcurrencyLimitedRuntime(runtime, args.concurrency)
    deployment: Deployment | None = None
    cleaned_up = False

    def clean_up() -> None:
        limited.stop()  # queued deliveries and new invokes fail at once
        runtime.shutdown()  # running invokes end: their environments are stopped
        if deployment is not None:
            deployment.router.close()

    try:
        try:
            deployment = deploy(spec, account, limited)
        except ServiceConfigError as error:
            return usage_error(
                f"{path} cannot be deployed:\n" + "\n".join(p.line() for p in error.problems)
            )
        if faults is not None:
            faults.attach(deployment.router)
        if seed:
            problem = _put_seed(account, seed)
            if problem:
                return usage_error(problem)
        try:
            server = OfflineServer(
                deployment.router.api,
                limiter=limited,
                port=args.port,
                on_request=printer.put,
                backlog=lambda: deployment.router.invoker.pending,
                max_backlog=args.max_queued,
            )
        except OSError as error:
            return usage_error(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror}")
        for warning in deployment.plan.warnings:
            out.print(f"[yellow]warning:[/yellow] {warning.line()}", highlight=False)
        out.print(
            f"[bold]{spec.service}[/bold] ({spec.stage}) on the local account {account.account_id}; IAM "
            + ("not enforced" if args.no_iam else "enforced")
            + f"; at most {args.concurrency} concurrent invokes per function",
            highlight=False,
        )
        if faults is not None:
            from rich.text import Text

            for line in faults.describe():
                out.print(Text(line, style="magenta"), highlight=False, soft_wrap=True)
        for line in deployment.router.api.urls(server.base_url) or ["(no HTTP routes)"]:
            out.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
        examples = server.curl_examples()
        if examples:
            out.print("Try:")
            for command in examples:
                out.print(f"  {command}", highlight=False, markup=False, soft_wrap=True)
        # The stopping handlers go in before the line that invites Ctrl+C: a signal from
        # here on is a stop request, whatever has started yet.
        stop = _stop_on_signals(main_thread)
        out.print("Press Ctrl+C to stop.")
        sys.stdout.flush()
        deployment.router.start()
        server.start()  # the HTTP loop on a thread of its own; this one only waits for signals
        cleaned_up = True  # from here on server.close() stops everything, within the deadline
        clean = _serve_until_stopped(server, clean_up, stop)
        if not clean:
            _say(f"stopped without waiting for the last invokes (over {SHUTDOWN_DEADLINE_S:g} s)")
        # Everything is stopped and the sandbox's scratch directory is gone. What is left
        # is freeing the account's data one object at a time, which took Python ~8 s
        # after 6,000 orders, or a function stuck in this process: exit without either.
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(0 if clean else 1)
    except KeyboardInterrupt:
        out.print("\nstopping")
    finally:
        if not cleaned_up:
            # Interrupted while starting: stop what was started, ignoring further Ctrl+C.
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
            try:
                clean_up()
            finally:
                if main_thread:
                    signal.signal(signal.SIGINT, previous)
        if main_thread:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return 0


def _stop_on_signals(main_thread: bool) -> threading.Event:
    """From now on Ctrl+C or SIGTERM sets the returned event; a second one exits at once,
    even while the clean-up is stuck (the main thread does nothing but wait, so it always
    runs the handlers)."""
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        if stop.is_set():
            _say("stopped at once")
            os._exit(130)  # the sandbox's template sees its socket close and kills the workers
        stop.set()

    if main_thread:
        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
    return stop


def _serve_until_stopped(
    server: OfflineServer, clean_up: Callable[[], None], stop: threading.Event
) -> bool:
    """Wait for a stop request (or the server to fail), then stop within the deadline."""
    from serverless_tutor.cloud.offline import SHUTDOWN_DEADLINE_S

    while not stop.wait(0.5) and server.serving:
        pass
    _say("\nstopping")
    return server.close(clean_up, SHUTDOWN_DEADLINE_S)


def _say(text: str) -> None:
    """Print a line, whatever became of stdout (a closed pipe must not stop the shutdown)."""
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


class _LinePrinter:
    """Prints request lines on a thread of its own: a terminal that blocks (Ctrl+S, a full
    pipe) never blocks the server. More than 1,000 lines behind, new lines are dropped."""

    def __init__(self, out: Console):
        self.out = out
        self.lines: queue.Queue[RequestLog | FaultLog] = queue.Queue(maxsize=1_000)
        self.dropped = 0
        threading.Thread(target=self._run, name="offline-log", daemon=True).start()

    def put(self, log: RequestLog | FaultLog) -> None:
        try:
            self.lines.put_nowait(log)
        except queue.Full:
            self.dropped += 1

    def _run(self) -> None:
        while True:
            log = self.lines.get()
            with contextlib.suppress(OSError, ValueError):
                _log(self.out, log)


def _stop_on_term(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _read_seed(path: Path) -> tuple[dict | None, str | None]:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        return None, f"--seed {path}: {error.strerror}"
    except json.JSONDecodeError as error:
        return None, f"--seed {path}: not valid JSON ({error.msg} at line {error.lineno})"
    if not isinstance(data, dict) or not all(
        isinstance(v, list) and all(isinstance(i, dict) for i in v) for v in data.values()
    ):
        return (
            None,
            f'--seed {path}: expected {{"table name": [item, ...]}} with items as JSON objects',
        )
    return data, None


def _put_seed(account, seed: dict) -> str | None:
    import json
    from decimal import Decimal

    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    dynamodb = account.client("dynamodb")
    existing = set(dynamodb.list_tables()["TableNames"])
    for table, items in seed.items():
        if table not in existing:
            return f"--seed: no table {table!r} in this service (tables: {', '.join(sorted(existing))})"
        for item in items:
            plain = json.loads(
                json.dumps(item), parse_float=Decimal
            )  # DynamoDB takes Decimal, never float
            dynamodb.put_item(
                TableName=table, Item={k: serializer.serialize(v) for k, v in plain.items()}
            )
    return None


def _log(out, log) -> None:
    from rich.text import Text

    from serverless_tutor.cloud.offline import FaultLog

    if isinstance(log, FaultLog):
        style = "magenta"
    else:
        style = "green" if log.status < 400 else "yellow" if log.status < 500 else "red"
    out.print(Text(log.line(), style=style), highlight=False, soft_wrap=True)  # a Text: no markup
    sys.stdout.flush()
