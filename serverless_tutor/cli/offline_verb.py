"""`serverless-tutor offline [serverless.yml] [--port 3000] [--stage dev]`.

Deploys the service into a local account and serves its HTTP routes on
127.0.0.1, logging one line per request (method, path, function, cold or warm,
duration, status). Queues, streams and schedules are polled in the background.
Ctrl+C stops it cleanly.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from serverless_tutor.cli.output import console, usage_error
from serverless_tutor.paths import bundled_example, bundled_example_names


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "offline", help="run a serverless.yml locally and serve its HTTP routes"
    )
    parser.add_argument(
        "config",
        nargs="?",
        default="serverless.yml",
        help="path to serverless.yml (default: ./serverless.yml), or a bundled example's name: "
        + ", ".join(bundled_example_names()),
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
    parser.set_defaults(handler=run_offline)


def run_offline(args: argparse.Namespace) -> int:
    from serverless_tutor.cloud.account import LocalAccount
    from serverless_tutor.cloud.deploy import deploy
    from serverless_tutor.cloud.offline import OfflineServer
    from serverless_tutor.cloud.service import ServiceConfigError, load_service
    from serverless_tutor.runtime import LambdaRuntime

    path = Path(args.config)
    if not path.is_file() and bundled_example(args.config):
        path = bundled_example(args.config)
    if not path.is_file():
        return usage_error(f"{path}: no such file (give the path to a serverless.yml)")
    if not 0 <= args.port <= 65535:
        return usage_error(f"--port {args.port}: expected 0-65535")
    try:
        spec = load_service(path, stage=args.stage)
    except ServiceConfigError as error:
        return usage_error(
            f"{path} cannot be loaded:\n" + "\n".join(p.line() for p in error.problems)
        )
    seed = None
    seed_file = Path(args.seed) if args.seed else None
    if (
        seed_file is None
        and path == bundled_example(args.config)
        and path.with_name("seed.json").is_file()
    ):
        seed_file = path.with_name("seed.json")  # bundled examples come with data to play with
    if seed_file is not None:
        seed, problem = _read_seed(seed_file)
        if problem:
            return usage_error(problem)

    out = console()
    account = LocalAccount(region=spec.region, enforce_iam=not args.no_iam)
    runtime = LambdaRuntime(backend=args.backend, request_handler=account.handle)
    deployment = None
    server = None
    try:
        try:
            deployment = deploy(spec, account, runtime)
        except ServiceConfigError as error:
            return usage_error(
                f"{path} cannot be deployed:\n" + "\n".join(p.line() for p in error.problems)
            )
        if seed:
            problem = _put_seed(account, seed)
            if problem:
                return usage_error(problem)
        try:
            server = OfflineServer(
                deployment.router.api, port=args.port, on_request=lambda log: _log(out, log)
            )
        except OSError as error:
            return usage_error(f"cannot listen on 127.0.0.1:{args.port}: {error.strerror}")
        for warning in deployment.plan.warnings:
            out.print(f"[yellow]warning:[/yellow] {warning.line()}", highlight=False)
        out.print(
            f"[bold]{spec.service}[/bold] ({spec.stage}) on the local account {account.account_id}; IAM "
            + ("not enforced" if args.no_iam else "enforced")
        )
        for line in deployment.router.api.urls(server.base_url) or ["(no HTTP routes)"]:
            out.print(f"  {line}", highlight=False)
        out.print("Press Ctrl+C to stop.")
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _stop_on_term)  # `kill` stops it as cleanly as Ctrl+C
        deployment.router.start()
        server.serve_forever()
    except KeyboardInterrupt:
        out.print("\nstopping")
    finally:
        # A second Ctrl+C must not cut the clean-up short (workers, threads, sockets).
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
        try:
            if server is not None:
                server.httpd.server_close()
            if deployment is not None:
                deployment.router.close()
            runtime.shutdown()
        finally:
            if main_thread:
                signal.signal(signal.SIGINT, previous)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return 0


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
    style = "green" if log.status < 400 else "yellow" if log.status < 500 else "red"
    out.print(f"[{style}]{log.line()}[/{style}]", highlight=False)
    sys.stdout.flush()
