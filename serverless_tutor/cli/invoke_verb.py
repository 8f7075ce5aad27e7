"""`serverless-tutor invoke HANDLER [--event FILE|-] [--sample SOURCE] [--memory MB]
[--timeout S] [--env K=V ...] [--times N] [--json]`: run a handler in the sandbox,
as Lambda would (warm after the first invoke, cold again after a timeout or crash).

The handler's AWS calls are served by an empty local account of its own, made
(and moto loaded) only when the first call arrives. Handler errors are results,
not a CLI failure: exit 0 when the invocations ran, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from serverless_tutor.cli.output import usage_error
from serverless_tutor.runtime.events import SAMPLE_SOURCES, EventPathError
from serverless_tutor.runtime.forwarding import ForwardedRequest, ForwardedResponse

if TYPE_CHECKING:
    from serverless_tutor.cloud.account import LocalAccount

_OPTION_FOR_FIELD = {
    "memory_mb": "--memory",
    "timeout_s": "--timeout",
    "environment": "--env",
    "handler": "HANDLER",
    "name": "--name",
    "code_dir": "--code-dir",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "invoke", help="run a Lambda handler locally, in a sandbox, with Lambda's semantics"
    )
    parser.add_argument(
        "handler_spec", metavar="HANDLER", help="path/to/file.py:function or module.function"
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--event", metavar="FILE|-", help="JSON event from a file, or - for standard input"
    )
    source.add_argument(
        "--sample", metavar="SOURCE", help="a sample event (see `serverless-tutor events list`)"
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="dotted.path=value",
        help="override a field of the --sample event (repeatable)",
    )
    parser.add_argument(
        "--memory",
        type=int,
        default=128,
        metavar="MB",
        help="memory size, 128 to 10240 (default 128)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3,
        metavar="S",
        help="timeout in seconds, 1 to 900 (default 3)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="K=V",
        help="environment variable (repeatable)",
    )
    parser.add_argument(
        "--times", type=int, default=1, metavar="N", help="invoke N times, sharing environments"
    )
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per invocation, one per line"
    )
    parser.add_argument("--name", help="function name (default: from the handler's module)")
    parser.add_argument(
        "--code-dir", metavar="DIR", help="the function's code root (default: see below)"
    )
    parser.epilog = (
        "The code root is --code-dir if given; else, for path/to/file.py:function, the handler "
        "file's own directory (never the whole directory invoke runs from); else, for "
        "module.function, the current directory."
    )
    parser.set_defaults(handler=run_invoke)


class AccountOnFirstCall:
    """Serves a handler's AWS calls from a local account made when it is first needed.

    A handler that makes no AWS call never loads moto or the account (most of a
    second of imports); one that does gets an empty account of its own, through the
    same allow-listed bridge as every other handler call. Loading counts against
    the handler's timeout when it happens during a call, so a handler whose file
    imports boto3 has it loaded on a thread while the sandbox template boots.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._account: LocalAccount | None = None

    def start_loading(self) -> None:
        threading.Thread(target=self.account, name="tutor-account-loader").start()

    def account(self) -> LocalAccount:
        with self._lock:
            if self._account is None:
                from serverless_tutor.cloud.account import LocalAccount

                self._account = LocalAccount()
            return self._account

    def __call__(self, request: ForwardedRequest) -> ForwardedResponse:
        return self.account().handle(request)


def _imports_an_aws_sdk(code_dir: Path, handler: str) -> bool:
    """Does the handler's own file mention boto3 or botocore? (A helper module that
    does is still served, with the account loaded on its first call.)"""
    module = handler.rpartition(":")[0] if ":" in handler else handler.rpartition(".")[0]
    path = code_dir / (module if ":" in handler else module.replace(".", "/") + ".py")
    try:
        source = path.read_bytes()
    except OSError:
        return False
    return b"boto3" in source or b"botocore" in source


def run_invoke(args: argparse.Namespace) -> int:
    if args.times < 1:
        return usage_error("--times must be at least 1")
    if args.overrides and not args.sample:
        return usage_error("--set only applies to a --sample event")
    environment = {}
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            return usage_error(f"--env {item!r}: expected KEY=VALUE")
        environment[key] = value
    handler, code_dir = _locate(args.handler_spec, args.code_dir)
    if code_dir is None:
        return usage_error(f"--code-dir {args.code_dir!r} is not a directory")
    from serverless_tutor.runtime import FunctionConfig, LambdaRuntime

    # The sandbox template (an interpreter of its own that imports boto3) starts
    # first and boots while this process reads the event and checks the options.
    accounts = AccountOnFirstCall()
    with LambdaRuntime(backend="sandbox", request_handler=accounts) as runtime:
        if _imports_an_aws_sdk(code_dir, handler):
            accounts.start_loading()
        try:
            event = _load_event(args)
        except ValueError as exc:
            return usage_error(str(exc))
        name = args.name or _default_name(handler)
        try:
            config = FunctionConfig(
                name=name,
                handler=handler,
                code_dir=code_dir,
                memory_mb=args.memory,
                timeout_s=args.timeout,
                environment=environment,
            )
        except ValidationError as exc:
            problems = [
                f"{_OPTION_FOR_FIELD.get(str(e['loc'][0]), e['loc'][0])}: {e['msg']}"
                for e in exc.errors()
            ]
            return usage_error("; ".join(problems))
        for _ in range(args.times):
            result = runtime.invoke(config, event)
            if args.json:
                # ASCII-only: nothing the function returned can act on the terminal.
                sys.stdout.write(json.dumps(result.to_json()) + "\n")
            else:
                _print_human(result)
            sys.stdout.flush()
    return 0


def _load_event(args: argparse.Namespace):
    if args.sample:
        if args.sample not in SAMPLE_SOURCES:
            raise ValueError(
                f"unknown sample {args.sample!r}; choose one of: {', '.join(SAMPLE_SOURCES)}"
            )
        from serverless_tutor.cli.events_verb import build_event

        try:
            return build_event(args.sample, args.overrides)
        except EventPathError as exc:
            raise ValueError(f"--set {exc}") from None
    if args.event is None:
        return {}
    if args.event == "-":
        text, where = sys.stdin.read(), "standard input"
    else:
        path = Path(args.event)
        if not path.is_file():
            raise ValueError(f"--event {args.event}: no such file")
        text, where = path.read_text(encoding="utf-8"), args.event
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"--event {where}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None


def _locate(handler: str, code_dir_option: str | None) -> tuple[str, Path | None]:
    """The handler string relative to the code root, and the code root."""
    cwd = Path.cwd().resolve()
    if code_dir_option:
        root = Path(code_dir_option).expanduser().resolve()
        if not root.is_dir():
            return handler, None
    else:
        root = cwd
    if ":" not in handler:
        return handler, root
    file_part, _, function = handler.rpartition(":")
    path = (
        (root / file_part).resolve()
        if not Path(file_part).is_absolute()
        else Path(file_part).resolve()
    )
    if code_dir_option is None:
        root = path.parent  # the handler can read its code root: never all of the cwd
    if path.is_relative_to(root):
        return f"{path.relative_to(root).as_posix()}:{function}", root
    return handler, root


def _default_name(handler: str) -> str:
    module = handler.rpartition(":")[0] if ":" in handler else handler.rpartition(".")[0] or handler
    stem = Path(module).stem if ":" in handler else module.replace("/", "-").replace(".", "-")
    name = re.sub(r"[^A-Za-z0-9_-]", "-", stem)[:64]
    return name or "function"


def _print_human(result) -> None:
    from serverless_tutor.terminal_text import visible

    out = sys.stdout
    # The runtime escapes logs already; escaping again is harmless and keeps this
    # verb safe whatever the runtime does.
    out.write(visible(result.logs))
    shown = result.error.to_json() if result.error is not None else result.response
    out.write(visible(json.dumps(shown, indent=2, ensure_ascii=False)) + "\n")
    out.write(
        f"({'cold' if result.cold else 'warm'} start, environment {result.environment_id}, "
        f"isolation: {', '.join(result.isolation) or 'none'})\n\n"
    )
