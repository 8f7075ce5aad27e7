"""`serverless-tutor invoke [HANDLER] [--function NAME] [--stack FILE | --no-stack]
[--event FILE|-] [--sample SOURCE] [--memory MB] [--timeout S] [--env K=V ...] [--times N]
[--json]`: run a handler in the sandbox, as Lambda would (warm after the first invoke,
cold again after a timeout or crash).

The handler's AWS calls are served by a local account of its own. When a stack is
found (serverless.yml, serverless.yaml, template.yaml or template.yml here, or
--stack FILE), it is deployed on a fresh account first, so the handler's tables,
queues and buckets exist, and a function of the stack runs with its stack
configuration (memory, timeout, environment, IAM). Without a stack (or with
--no-stack) the account is empty, and made (and moto loaded) only when the first
call arrives. Handler errors are results, not a CLI failure: exit 0 when the
invocations ran, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from serverless_tutor.cli.output import usage_error
from serverless_tutor.runtime.events import SAMPLE_SOURCES, EventPathError
from serverless_tutor.runtime.forwarding import ForwardedRequest, ForwardedResponse
from serverless_tutor.runtime.template import mentions_an_aws_sdk
from serverless_tutor.terminal_text import one_line

if TYPE_CHECKING:
    from serverless_tutor.cloud.account import LocalAccount
    from serverless_tutor.cloud.deploy import Deployment
    from serverless_tutor.cloud.service import ServiceConfigError
    from serverless_tutor.cloud.service_spec import ServiceSpec
    from serverless_tutor.runtime import FunctionConfig, LambdaRuntime

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
        "handler_spec",
        metavar="HANDLER",
        nargs="?",
        help="path/to/file.py:function or module.function (optional with --function)",
    )
    parser.add_argument(
        "--function",
        metavar="NAME",
        help="a function of the stack, by its name there; runs with its stack configuration",
    )
    stack = parser.add_mutually_exclusive_group()
    stack.add_argument(
        "--stack",
        metavar="FILE",
        help="a serverless.yml or SAM template.yaml, or a bundled example's name (default: "
        "serverless.yml, serverless.yaml, template.yaml or template.yml here, if any)",
    )
    stack.add_argument(
        "--no-stack",
        action="store_true",
        help="deploy no stack: the handler gets an empty account",
    )
    parser.add_argument("--stage", help="the stack's stage (serverless.yml; default: its own)")
    parser.add_argument(
        "--parameter-overrides",
        nargs="+",
        metavar="KEY=VALUE",
        help="SAM template parameters, as `sam deploy --parameter-overrides` takes them",
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
        default=None,
        metavar="MB",
        help="memory size, 128 to 10240 (default: the stack function's, else 128)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="S",
        help="timeout in seconds, 1 to 900 (default: the stack function's, else 3)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="K=V",
        help="environment variable (repeatable; added to a stack function's own)",
    )
    parser.add_argument(
        "--times",
        type=int,
        default=1,
        metavar="N",
        help="invoke N times, sharing environments and the account",
    )
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per invocation, one per line"
    )
    parser.add_argument("--name", help="function name (default: from the handler's module)")
    parser.add_argument(
        "--code-dir", metavar="DIR", help="the function's code root (default: see below)"
    )
    parser.epilog = (
        "With a stack, --function NAME runs that function with its code folder and "
        "configuration, and a HANDLER that is one of the stack's functions runs as that "
        "function; any other HANDLER runs with Lambda's defaults, against the stack's "
        "resources. The code root of a HANDLER is --code-dir if given; else, for "
        "path/to/file.py:function, the handler file's own directory (never the whole "
        "directory invoke runs from); else, for module.function, the current directory."
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


class StackAccount:
    """Serves the handler's AWS calls from the account its stack was deployed on.

    The runtime starts before the deploy, so that its template boots (in a process
    of its own) while this one deploys the stack, which loads moto: most of a second.
    The account is set once the stack is deployed, before any invoke.
    """

    def __init__(self) -> None:
        self.account: LocalAccount | None = None

    def __call__(self, request: ForwardedRequest) -> ForwardedResponse:
        if self.account is None:
            raise RuntimeError("a handler called AWS before its stack was deployed")
        return self.account.handle(request)


def _handler_file(code_dir: Path, handler: str) -> tuple[Path, str]:
    """The file a handler string names under its code root, and the function in it."""
    if ":" in handler:
        module, _, function = handler.rpartition(":")
        return code_dir / module, function
    module, _, function = handler.rpartition(".")
    return code_dir / (module.replace(".", "/") + ".py"), function


def _imports_an_aws_sdk(code_dir: Path, handler: str) -> bool:
    """Does the handler's own file mention boto3 or botocore? (A helper module that
    does is still served, with the account loaded on its first call.)"""
    try:
        source = _handler_file(code_dir, handler)[0].read_bytes()
    except OSError:
        return False
    return mentions_an_aws_sdk(source)


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
    if args.handler_spec is None and args.function is None:
        return usage_error("give a HANDLER (path/to/file.py:function) or --function NAME")
    if args.function is not None and (args.name or args.code_dir):
        return usage_error(
            "--function takes its name and code folder from the stack; drop --name and --code-dir"
        )
    handler, code_dir = None, None
    if args.handler_spec is not None:
        handler, code_dir = _locate(args.handler_spec, args.code_dir)
        if code_dir is None:
            return usage_error(f"--code-dir {args.code_dir!r} is not a directory")
        missing = _missing_handler_file(handler, code_dir)
        if missing is not None:
            return usage_error(
                f"HANDLER {one_line(args.handler_spec)}: no such file {one_line(str(missing))} "
                "(expected path/to/file.py:function)"
            )
    stack_path: Path | None = None
    if not args.no_stack:
        from serverless_tutor.cloud.stack_files import STACK_FILE_NAMES, locate_stack

        stack_path = locate_stack(args.stack, Path.cwd())
        if stack_path is None and args.stack is not None:
            return usage_error(
                f"--stack {one_line(args.stack)}: no such file "
                "(expected a serverless.yml, a SAM template.yaml or a bundled example's name)"
            )
        if stack_path is None and args.function is not None:
            return usage_error(
                f"--function {one_line(args.function)}: no stack to take it from "
                f"(expected {', '.join(STACK_FILE_NAMES)} here, or --stack FILE)"
            )
    elif args.function is not None:
        return usage_error("--function takes a function from the stack; drop --no-stack")
    if stack_path is None:
        assert handler is not None and code_dir is not None  # checked above: no --function
        return _invoke_on_empty_account(args, handler, code_dir, environment)
    return _invoke_on_stack(args, stack_path, handler, code_dir, environment)


def _invoke_on_empty_account(
    args: argparse.Namespace, handler: str, code_dir: Path, environment: dict[str, str]
) -> int:
    from serverless_tutor.runtime import LambdaRuntime

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
        fields: dict[str, Any] = {
            "name": args.name or _default_name(handler),
            "handler": handler,
            "code_dir": code_dir,
            "environment": environment,
        }
        config = _function_config(fields, args)
        if isinstance(config, str):
            return usage_error(config)
        _invoke_times(runtime, config, event, args)
    return 0


def _invoke_on_stack(
    args: argparse.Namespace,
    stack_path: Path,
    handler: str | None,
    code_dir: Path | None,
    environment: dict[str, str],
) -> int:
    from serverless_tutor.cloud.account import LocalAccount
    from serverless_tutor.cloud.deploy import deploy
    from serverless_tutor.cloud.sam import parse_parameter_overrides
    from serverless_tutor.cloud.stack_files import ServiceConfigError, load_stack
    from serverless_tutor.runtime import LambdaRuntime

    overrides: dict[str, str] = {}
    try:
        for text in args.parameter_overrides or []:
            overrides.update(parse_parameter_overrides(text))
    except ValueError as error:
        return usage_error(f"--parameter-overrides: {one_line(str(error))}")
    try:
        spec = load_stack(stack_path, stage=args.stage, parameter_overrides=overrides)
    except ServiceConfigError as error:
        return usage_error(f"{_shown_path(stack_path)} cannot be loaded: {_problems(error)}")
    key, problem = _choose_function(args, spec, stack_path, handler, code_dir)
    if problem is not None:
        return usage_error(problem)
    try:
        event = _load_event(args)
    except ValueError as exc:
        return usage_error(str(exc))
    accounts = StackAccount()
    # The sandbox template boots, in a process of its own, while this one deploys.
    with LambdaRuntime(backend="sandbox", request_handler=accounts) as runtime:
        try:
            deployment = deploy(spec, LocalAccount(region=spec.region), runtime=None)
        except ServiceConfigError as error:
            return usage_error(f"{_shown_path(stack_path)} cannot be deployed: {_problems(error)}")
        # Only the invoked function runs: the events its calls raise (an SNS publish, an
        # object put) are not delivered to the stack's other functions; `offline` does that.
        deployment.router.close()
        accounts.account = deployment.account
        if key is not None:
            stack_config = deployment.configs[key]
            fields = stack_config.model_dump()
            fields["environment"] = {**stack_config.environment, **environment}
        else:
            assert handler is not None and code_dir is not None
            fields = {
                "name": args.name or _default_name(handler),
                "handler": handler,
                "code_dir": code_dir,
                "environment": environment,
                "account_id": deployment.account.account_id,
                "region": deployment.account.region,
            }
        config = _function_config(fields, args)
        if isinstance(config, str):
            return usage_error(config)
        _say_deployed(stack_path, deployment, key, config)
        _invoke_times(runtime, config, event, args)
    return 0


def _problems(error: ServiceConfigError) -> str:
    return one_line("; ".join(problem.line() for problem in error.problems))


def _choose_function(
    args: argparse.Namespace,
    spec: ServiceSpec,
    stack_path: Path,
    handler: str | None,
    code_dir: Path | None,
) -> tuple[str | None, str | None]:
    """The stack function to run (None: the HANDLER is not one of them), or what is wrong."""
    if args.function is not None:
        key = _function_key(spec, args.function)
        if key is None:
            names = ", ".join(spec.functions) or "none"
            return None, (
                f"{_shown_path(stack_path)}: no function {one_line(args.function)!r} "
                f"(expected one of its functions: {one_line(names)})"
            )
        if (
            handler is not None
            and code_dir is not None
            and _function_of_handler(spec, handler, code_dir) != key
        ):
            return None, (
                f"{handler} is not the handler of function {one_line(key)} "
                f"({one_line(spec.functions[key].handler)}); give one or the other"
            )
        return key, None
    assert handler is not None and code_dir is not None  # run_invoke checked: one is given
    key = _function_of_handler(spec, handler, code_dir)
    if key is not None and args.name:
        return None, (
            f"--name: {handler} is function {one_line(key)} of {_shown_path(stack_path)}, "
            "which names it; drop --name (or give --no-stack)"
        )
    return key, None


def _function_key(spec: ServiceSpec, name: str) -> str | None:
    """The stack function `name` names: its key in the stack, or its deployed name."""
    if name in spec.functions:
        return name
    return next((key for key, f in spec.functions.items() if f.name == name), None)


def _function_of_handler(spec: ServiceSpec, handler: str, code_dir: Path) -> str | None:
    """The stack function whose handler is this one (same file, same function), if any."""
    file, function = _handler_file(code_dir, handler)
    file = file.resolve()
    folder = spec.folder.resolve()
    for key, candidate in spec.functions.items():
        if (
            candidate.handler_function == function
            and (folder / candidate.handler_file).resolve() == file
        ):
            return key
    return None


def _function_config(fields: dict[str, Any], args: argparse.Namespace) -> FunctionConfig | str:
    """The function's configuration with --memory and --timeout applied, or what is wrong."""
    from serverless_tutor.runtime import FunctionConfig

    if args.memory is not None:
        fields["memory_mb"] = args.memory
    if args.timeout is not None:
        fields["timeout_s"] = args.timeout
    try:
        return FunctionConfig(**fields)
    except ValidationError as exc:
        return "; ".join(
            f"{_OPTION_FOR_FIELD.get(str(e['loc'][0]), e['loc'][0])}: "
            f"{e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )


def _say_deployed(
    stack_path: Path, deployment: Deployment, key: str | None, config: FunctionConfig
) -> None:
    plan = deployment.plan
    shown = _shown_path(stack_path)
    created = sum(resource.created for resource in plan.resources)
    running = (
        f"function {key} ({config.name})"
        if key is not None
        else f"{config.handler}, not a function of the stack: Lambda's defaults, no IAM statements"
    )
    sys.stderr.write(
        one_line(
            f"serverless-tutor: deployed {shown} (service {plan.service}, stage {plan.stage}: "
            f"{_count(len(plan.functions), 'function')}, {_count(created, 'resource')}) "
            f"on a fresh local account; invoking {running}"
        )
        + "\n"
    )
    if plan.warnings:
        sys.stderr.write(
            one_line(
                f"serverless-tutor: {_count(len(plan.warnings), 'warning')} about {shown} "
                f"(`serverless-tutor deploy --dry-run {shown}` lists them); "
                f"first: {plan.warnings[0].line()}"
            )
            + "\n"
        )


def _shown_path(path: Path) -> str:
    """The stack file as the learner would name it: relative to where invoke runs, if inside."""
    absolute, cwd = path.resolve(), Path.cwd().resolve()
    return str(absolute.relative_to(cwd)) if absolute.is_relative_to(cwd) else str(path)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _invoke_times(
    runtime: LambdaRuntime, config: FunctionConfig, event: Any, args: argparse.Namespace
) -> None:
    for _ in range(args.times):
        result = runtime.invoke(config, event)
        if args.json:
            # ASCII-only: nothing the function returned can act on the terminal.
            sys.stdout.write(json.dumps(result.to_json()) + "\n")
        else:
            _print_human(result)
        sys.stdout.flush()


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


def _missing_handler_file(handler: str, code_dir: Path) -> Path | None:
    """The file a path-form HANDLER names, when it does not exist. (A module-form
    HANDLER that does not import is Lambda's Runtime.ImportModuleError, a result.)"""
    if ":" not in handler:
        return None
    path = _handler_file(code_dir, handler)[0]
    return None if path.is_file() else path


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
