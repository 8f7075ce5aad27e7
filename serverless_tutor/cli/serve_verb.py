"""`serverless-tutor serve [--host 127.0.0.1] [--port 8000] [--sessions DIR]`: the app in a browser.

textual-serve serves the app over HTTP and a websocket; every browser that
connects gets its own app process with its own data directory (under
--sessions). Learner code still runs in the sandbox on this machine.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from serverless_tutor.cli.output import usage_error


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the app to browsers (one app process per browser session)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--sessions",
        type=Path,
        default=None,
        help="folder for each session's data (default: served-sessions in your data directory)",
    )
    parser.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        return usage_error(f"--port must be 1 to 65535; got {args.port}")
    from serverless_tutor.paths import data_home
    from serverless_tutor.tui.serve_session import serve

    sessions = (args.sessions or data_home() / "served-sessions").absolute()
    print(f"Serving serverless-tutor on http://{args.host}:{args.port} (Ctrl+C to stop)")
    print(f"Each browser session keeps its data in a new folder under {sessions}")
    serve(args.host, args.port, sessions)
    return 0
