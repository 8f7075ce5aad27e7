"""What the Python runtime does inside an execution environment: load the handler
(INIT), call it (INVOKE), shape errors and marshal the response as awslambdaric does.

Shared by both backends. Standard library only: the sandbox worker imports it
before any learner code runs.
"""

from __future__ import annotations

import decimal
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
from types import TracebackType
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
def load_handler(handler: str, code_dir: str, *, fresh_module: bool) -> Callable[..., Any]:
    """Import the handler's module and return the function, or raise Fault.

    `fresh_module=True` (in-process backend) executes the module into a new module
    object that is not registered in sys.modules, so each environment has its own
    module state. The sandbox registers it, as Lambda does.
    """
    module_name, function_name, path = _resolve(handler, code_dir)
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault(
            "Runtime.BuiltInModuleConflict",
            f"Cannot use built-in module {module_name} as a handler module",
        )
    if path is None:
        raise Fault(
            "Runtime.ImportModuleError",
            f"Unable to import module '{module_name}': No module named '{module_name.split('.')[0]}'",
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
        trace = [
            '  File "{}" Line {}\n    {}\n'.format(
                exc.filename, exc.lineno, (exc.text or "").strip()
            )
        ]
        raise Fault(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}", trace
        ) from None
    except Exception as exc:  # top-level code raised: reported with its own type, as Lambda does
        sys.modules.pop(spec.name, None)
        raise Fault(type(exc).__name__, str(exc), user_stack(exc.__traceback__)) from None
    try:
        entry: Callable[..., Any] = getattr(module, function_name)
        return entry
    except AttributeError:
        raise Fault(
            "Runtime.HandlerNotFound",
            f"Handler '{function_name}' missing on module '{module_name}'",
        ) from None


def _resolve(handler: str, code_dir: str) -> tuple[str, str, str | None]:
    """(module name as Lambda names it, function name, file path or None)."""
    if ":" in handler:  # our own form: path/to/file.py:func
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
        return module_name, function_name, _inside(candidate, code_dir)
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as exc:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {exc}") from None
    relative = module_name.replace(".", "/")
    for candidate in (Path(code_dir, relative + ".py"), Path(code_dir, relative, "__init__.py")):
        found = _inside(candidate, code_dir)
        if found:
            return module_name, function_name, found
    return module_name, function_name, None


def _inside(candidate: Path, code_dir: str) -> str | None:
    try:
        resolved = candidate.resolve()
        if resolved.is_file() and resolved.is_relative_to(Path(code_dir).resolve()):
            return str(resolved)
    except OSError:
        return None
    return None


# ---------------------------------------------------------------- errors
def user_stack(tb: TracebackType | None) -> list[str]:
    """Format a traceback without the runtime's own frames (ours and importlib's)."""
    frames = traceback.extract_tb(tb)
    kept = [f for f in frames if not _is_runtime_frame(f.filename)]
    return traceback.format_list(kept)


def _is_runtime_frame(filename: str) -> bool:
    return (
        filename.startswith("<frozen importlib")
        or os.path.dirname(os.path.abspath(filename)) == _RUNTIME_DIR
    )


def error_from_exception(exc: BaseException, request_id: str) -> dict[str, Any]:
    return Fault(type(exc).__name__, str(exc), user_stack(exc.__traceback__)).as_dict(request_id)


def error_log_text(error: dict[str, Any]) -> str:
    """The `[ERROR] Type: message` block the runtime writes to the log."""
    head = "[ERROR]"
    if error.get("errorType"):
        head += " " + error["errorType"]
    if error.get("errorMessage"):
        head += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [head]
    if error.get("stackTrace") is not None:
        lines.append("Traceback (most recent call last):")
        for element in error["stackTrace"]:
            lines.extend(element.splitlines() or [""])
    return "\n".join(lines) + "\n"


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
