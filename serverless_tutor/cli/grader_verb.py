"""The `grader` verb: the background grader that makes `check` quick (see grader_client).

serverless-tutor grader status [--json]    is one running? since when, checks served
serverless-tutor grader stop                stop it (the next `check` starts another)
serverless-tutor grader serve [--idle-timeout S]
                                            run one in the foreground (`check` starts
                                            one by itself; SERVERLESS_TUTOR_GRADER=off
                                            turns that off)
"""

from __future__ import annotations

import argparse
import time

from serverless_tutor.cli.grader_client import IDLE_TIMEOUT_S, ask, socket_path
from serverless_tutor.cli.output import console, print_json

STOP_WAIT_S = 10.0


def register(subparsers: argparse._SubParsersAction) -> None:
    grader = subparsers.add_parser(
        "grader",
        help="the background grader that makes `check` quick: status, stop, serve",
    )
    actions = grader.add_subparsers(dest="grader_action", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="is a background grader running, and since when")
    status.add_argument("--json", action="store_true", help="print the status as a JSON object")
    status.set_defaults(handler=show_status)
    stop = actions.add_parser("stop", help="stop the background grader")
    stop.set_defaults(handler=stop_grader)
    serve = actions.add_parser(
        "serve", help="run a grader in the foreground (Ctrl+C stops it); `check` uses it"
    )
    serve.add_argument(
        "--idle-timeout",
        type=float,
        default=IDLE_TIMEOUT_S,
        metavar="SECONDS",
        help=f"stop after this long without a check (default {IDLE_TIMEOUT_S} s)",
    )
    serve.set_defaults(handler=serve_grader)


def show_status(args: argparse.Namespace) -> int:
    from serverless_tutor.cli.grader_server import GraderStatus, not_running

    answer = ask({"op": "status"})
    status = (
        not_running()
        if answer is None
        else GraderStatus.model_validate({k: v for k, v in answer.items() if k != "t"})
    )
    if args.json:
        print_json(status)
        return 0
    out = console(highlight=False)
    if not status.running:
        out.print("No background grader is running; the next `check` starts one.", markup=False)
        return 0
    lines = [
        f"Background grader: pid {status.pid}, up since {status.started_at:%H:%M:%S}.",
        f"Checks served: {status.checks_served}; idle for {status.idle_s:.0f} s "
        f"(it stops at {status.idle_timeout_s:.0f} s).",
        f"Socket: {status.socket}",
    ]
    if not status.current_code:
        lines.append("It was started from other code and stops at the next check.")
    out.print("\n".join(lines), markup=False)
    return 0


def stop_grader(_args: argparse.Namespace) -> int:
    answer = ask({"op": "stop"})
    if answer is None or answer.get("t") != "stopping":
        print("No background grader is running.")
        return 0
    deadline = time.monotonic() + STOP_WAIT_S
    while socket_path().exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    print(f"Stopped the background grader (pid {answer.get('pid')}).")
    return 0


def serve_grader(args: argparse.Namespace) -> int:
    from serverless_tutor.cli.grader_server import GraderServer
    from serverless_tutor.paths import data_home

    try:
        return GraderServer(data_home(), idle_timeout_s=args.idle_timeout).serve()
    except KeyboardInterrupt:
        return 0
