"""What the Python runtime does inside an execution environment: load the handler
(INIT), call it (INVOKE), shape errors and marshal the response as awslambdaric does.

Shared by both backends. Standard library only: the sandbox worker imports it
before any learner code runs.
"""

from __future__ import annotations

import decimal
import importlib
import importlib.util
import json
import logging
import math
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

MAX_RESPONSE_BYTES = 6 * 1024 * 1024  # synchronous invoke payload limit
RESPONSE_TOO_LARGE = "Response payload size exceeded maximum allowed payload size (6291556 bytes)."
LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
LOG_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"

_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))


@dataclass
class Fault(Exception):
    """An error the runtime reports in Lambda's shape."""

    error_type: str
    error_message: str
    stack_trace: list[str] = field(default_factory=list)

    def as_dict(self, request_id: str = "") -> dict[str, Any]:
        return {
            "errorMessage": self.error_message,
            "errorType": self.error_type,
            "requestId": request_id,
            "stackTrace": list(self.stack_trace),
        }


# ---------------------------------------------------------------- INIT
def load_handler(
    handler: str, code_dir: str, *, import_fresh: Callable[[str], ModuleType] | None = None
) -> Callable[..., Any]:
    """Import the handler's module and return the function, or raise Fault.

    The messages and error types are awslambdaric's (`_get_handler`). An exception
    raised by the module's top-level code is not caught here: the caller reports it
    with `error_from_exception`, as awslambdaric reports it with its own type.

    The sandbox imports the module with `importlib.import_module`, as Lambda does, with
    `code_dir` first on sys.path. The in-process backend passes its own importer,
    `import_fresh(name)`, which executes the module into new module objects
    that are not registered in sys.modules, so each environment has its own module
    state; its trace for a top-level raise therefore starts at the loader's
    `exec_module` frame rather than at `import_module`.
    """
    fresh_module = import_fresh is not None
    if ":" in handler:  # our own form: path/to/file.py:func
        return _load_from_file(handler, code_dir, fresh_module=fresh_module)
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as exc:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {exc}") from None
    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise Fault(
                "Runtime.BuiltInModuleConflict",
                f"Cannot use built-in module {module_name} as a handler module",
            )
        import_name = module_name.replace("/", ".")
        if import_fresh is not None:
            module = import_fresh(import_name)
        else:
            module = importlib.import_module(import_name)
    except ImportError as exc:
        raise Fault(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"
        ) from None
    except SyntaxError as exc:
        # awslambdaric's own format: "Line" capitalised, the line text as the parser kept it
        trace = ['  File "%s" Line %s\n    %s' % (exc.filename, exc.lineno, exc.text)]  # noqa: UP031
        raise Fault(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}", trace
        ) from None
    return _function_of(module, function_name, module_name)


def _function_of(module: ModuleType, function_name: str, module_name: str) -> Callable[..., Any]:
    try:
        entry: Callable[..., Any] = getattr(module, function_name)
        return entry
    except AttributeError:
        raise Fault(
            "Runtime.HandlerNotFound",
            f"Handler '{function_name}' missing on module '{module_name}'",
        ) from None


def _load_from_file(handler: str, code_dir: str, *, fresh_module: bool) -> Callable[..., Any]:
    file_part, _, function_name = handler.rpartition(":")
    if not file_part or not function_name:
        raise Fault(
            "Runtime.MalformedHandlerName",
            f"Bad handler '{handler}': expected 'path/to/file.py:function'",
        )
    module_name = file_part[:-3] if file_part.endswith(".py") else file_part
    candidate = Path(code_dir, file_part)
    if not candidate.suffix:
        candidate = candidate.with_suffix(".py")
    path = _inside(candidate, code_dir)
    if path is None:
        raise Fault(
            "Runtime.ImportModuleError",
            f"Unable to import module '{module_name}': No module named '{module_name}'",
        )
    spec = importlib.util.spec_from_file_location(module_name.replace("/", "."), path)
    if spec is None or spec.loader is None:
        raise Fault(
            "Runtime.ImportModuleError",
            f"Unable to import module '{module_name}': {path} is not a Python module",
        )
    module = importlib.util.module_from_spec(spec)
    if not fresh_module:
        sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except ImportError as exc:
        sys.modules.pop(spec.name, None)
        raise Fault(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"
        ) from None
    except SyntaxError as exc:
        sys.modules.pop(spec.name, None)
        trace = ['  File "%s" Line %s\n    %s' % (exc.filename, exc.lineno, exc.text)]  # noqa: UP031
        raise Fault(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}", trace
        ) from None
    except BaseException:
        sys.modules.pop(spec.name, None)
        raise
    return _function_of(module, function_name, module_name)


def _inside(candidate: Path, code_dir: str) -> str | None:
    try:
        resolved = candidate.resolve()
        if resolved.is_file() and resolved.is_relative_to(Path(code_dir).resolve()):
            return str(resolved)
    except OSError:
        return None
    return None


# ---------------------------------------------------------------- errors
# awslambdaric logs this (through the logging module, at WARNING) before the [ERROR]
# record of an INIT failure. The trailing carriage return is part of its text.
UNHANDLED_EXCEPTION_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. "
    "The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function "
    "change, or can be applied automatically. "
    "To determine if the runtime has been updated, check the runtime version in the "
    "INIT_START log entry. "
    "If this error correlates with a change in the runtime version, you may be able to "
    "mitigate this error by temporarily rolling back to the previous runtime version. "
    "For more information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)
# awslambdaric indents the trace lines of an [ERROR] record with NO-BREAK SPACE
_LOG_INDENT = "\u00a0"


def lambda_stack(tb: TracebackType | None) -> list[str]:
    """The stackTrace awslambdaric reports: the runtime's own leading frames dropped,
    the rest (importlib's included) formatted by `traceback.format_list` from plain
    tuples, so without Python 3.11's `^^^^` position lines."""
    frames = [
        (frame.filename, frame.lineno, frame.name, frame.line) for frame in traceback.extract_tb(tb)
    ]
    for index, frame in enumerate(frames):
        if not _is_runtime_frame(frame[0]):
            frames = frames[index:]
            break
    # lineno can be None (typeshed wants int); awslambdaric passes it on unchanged, so do we
    return traceback.format_list(frames)  # type: ignore[arg-type]


def _is_runtime_frame(filename: str) -> bool:
    return os.path.dirname(os.path.abspath(filename)) == _RUNTIME_DIR


def error_from_exception(exc: BaseException, request_id: str) -> dict[str, Any]:
    return Fault(type(exc).__name__, str(exc), lambda_stack(exc.__traceback__)).as_dict(request_id)


def error_log_text(error: dict[str, Any]) -> str:
    """The `[ERROR] Type: message` record the runtime writes to the log, as
    awslambdaric's log_error builds it. awslambdaric sends it as one log frame; in a
    text stream it ends with a newline."""
    head = "[ERROR]"
    if error.get("errorType"):
        head += " " + error["errorType"]
    if error.get("errorMessage"):
        head += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [head]
    if error.get("stackTrace") is not None:
        lines.append("Traceback (most recent call last):")
        for element in error["stackTrace"]:
            lines.extend(_indent_with_nbsp(line) for line in element.splitlines() or [""])
    return "\n".join(lines) + "\n"


def _indent_with_nbsp(line: str) -> str:
    stripped = line.lstrip(" ")
    return _LOG_INDENT * (len(line) - len(stripped)) + stripped


# ---------------------------------------------------------------- marshalling
class _Encoder(json.JSONEncoder):
    def default(self, obj: Any) -> Any:
        if isinstance(obj, decimal.Decimal):
            if obj.is_nan():
                return math.nan
            return int(obj) if obj == obj.to_integral_value() else float(obj)
        return super().default(obj)


def marshal_response(response: Any) -> str:
    """JSON text of the response, or Fault as Lambda reports it. NaN passes through as
    `NaN`, as the real marshaller lets it."""
    if isinstance(response, bytes):
        response = response.decode("utf-8", errors="replace")
        payload = json.dumps(response)
    else:
        try:
            payload = _Encoder(ensure_ascii=False).encode(response)
        except (TypeError, ValueError, RecursionError) as exc:
            raise Fault("Runtime.MarshalError", f"Unable to marshal response: {exc}") from None
    if len(payload) > MAX_RESPONSE_BYTES or len(payload.encode("utf-8")) > MAX_RESPONSE_BYTES:
        raise Fault("Function.ResponseSizeTooLarge", RESPONSE_TOO_LARGE)
    return payload


# ---------------------------------------------------------------- logging
class RequestIdFilter(logging.Filter):
    def __init__(self, current_request_id: Callable[[], str]):
        super().__init__()
        self._current = current_request_id

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self._current() or ""
        return True


def lambda_formatter() -> logging.Formatter:
    formatter = logging.Formatter(LOG_FORMAT, LOG_DATE_FORMAT)
    formatter.converter = time.gmtime
    return formatter


def platform_timestamp(epoch: float | None = None) -> str:
    epoch = time.time() if epoch is None else epoch
    return time.strftime(LOG_DATE_FORMAT, time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"
