"""Lambda's own error output: the same handler file runs through AWS's Python runtime
interface client (awslambdaric, from PyPI) and through our runtime, and the error
payload (keys and their order) and the log records must be the same.

awslambdaric runs in this process with a recording stand-in for its runtime client
(the HTTP transport to the Lambda Runtime API) and its real log sink, the framed
telemetry sink Lambda gives it, writing to a file that the test reads back.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

# awslambdaric ships no type information
from awslambdaric import bootstrap as ric  # type: ignore[import-untyped]
from awslambdaric.lambda_runtime_client import InvocationRequest  # type: ignore[import-untyped]
from awslambdaric.lambda_runtime_marshaller import (  # type: ignore[import-untyped]
    LambdaMarshaller,
    to_json,
)

from serverless_tutor.runtime import FunctionConfig, LambdaRuntime

EVENT = {"order": 7}

# name -> (files of the code dir, handler string, the errorType Lambda reports)
CASES: dict[str, tuple[dict[str, str], str, str]] = {
    # Python 3.11 would put a `^^^^` line under `{"a": 1}["b"]`; Lambda's trace has none
    "exception-in-handler": (
        {
            "app.py": """
                def handler(event, context):
                    return lookup(event)

                def lookup(event):
                    return {"a": 1}["b"] + event["order"]
            """
        },
        "app.handler",
        "KeyError",
    ),
    "raise-at-init": (
        {"app.py": 'import os\nraise KeyError("TABLE_NAME")\n\ndef handler(e, c):\n    pass\n'},
        "app.handler",
        "KeyError",
    ),
    "syntax-error": (
        {"app.py": "def handler(event, context):\n        total = (1,\n    return total\n"},
        "app.handler",
        "Runtime.UserCodeSyntaxError",
    ),
    "empty-module-name": ({"app.py": "def handler(e, c):\n    pass\n"}, ".handler", "ValueError"),
    "no-dot": (
        {"app.py": "def handler(e, c):\n    pass\n"},
        "handler",
        "Runtime.MalformedHandlerName",
    ),
    "not-a-package": (
        {"app.py": "def handler(e, c):\n    pass\n"},
        "app.orders.handler",
        "Runtime.ImportModuleError",
    ),
    "missing-module": (
        {"app.py": "def handler(e, c):\n    pass\n"},
        "orders.handler",
        "Runtime.ImportModuleError",
    ),
    "import-fails-in-module": (
        {"app.py": "import not_installed_anywhere\n\ndef handler(e, c):\n    pass\n"},
        "app.handler",
        "Runtime.ImportModuleError",
    ),
    "unserializable-response": (
        {
            "app.py": "import datetime\n\ndef handler(e, c):\n    return {'day': datetime.date.today()}\n"
        },
        "app.handler",
        "Runtime.MarshalError",
    ),
    "missing-function": (
        {"app.py": "def handler(e, c):\n    pass\n"},
        "app.lambda_handler",
        "Runtime.HandlerNotFound",
    ),
}

# Frames that `importlib.import_module` adds above the loader's `exec_module` frame
IMPORT_MODULE_FRAMES = (
    "import_module",
    "_gcd_import",
    "_find_and_load",
    "_find_and_load_unlocked",
    "_load_unlocked",
)


class _NoMoreInvocations(Exception):
    pass


class RecordingRuntimeClient:
    """Stands in for awslambdaric's LambdaRuntimeClient, the transport to the Runtime
    API: hands out one invocation, records the error the runtime posts back."""

    marshaller = LambdaMarshaller()

    def __init__(self, request_id: str, event: Any):
        self.request_id = request_id
        self.event_body = json.dumps(event).encode()
        self.handed_out = False
        self.posted: dict[str, Any] | None = None

    def wait_next_invocation(self) -> InvocationRequest:
        if self.handed_out:
            raise _NoMoreInvocations
        self.handed_out = True
        return InvocationRequest(
            invoke_id=self.request_id,
            x_amzn_trace_id=None,
            invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:parity",
            deadline_time_in_ms=str(2**42),
            client_context=None,
            cognito_identity=None,
            tenant_id=None,
            content_type="application/json",
            event_body=self.event_body,
            invocation_id=None,
        )

    def post_init_error(
        self, error_response_data: dict, error_type_override: str | None = None
    ) -> None:
        self.posted = json.loads(to_json(error_response_data))  # the body awslambdaric sends

    def post_invocation_error(
        self,
        invoke_id: str,
        error_response_data: str,
        xray_fault: str,
        invocation_id: str | None = None,
    ) -> None:
        self.posted = json.loads(error_response_data)

    def post_invocation_result(self, *args: object) -> None:
        raise AssertionError(f"the handler was expected to fail, it returned {args}")


def run_awslambdaric(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, code_dir: Path, handler: str, request_id: str
) -> tuple[dict[str, Any], list[str]]:
    """Run awslambdaric's bootstrap.run on the handler: (the error payload it posts,
    the messages of the log frames it writes)."""
    log_file = tmp_path / "telemetry.log"
    log_fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)  # the sink closes it
    monkeypatch.setenv("_LAMBDA_TELEMETRY_LOG_FD", str(log_fd))
    # bootstrap.run wraps stdout/stderr, adds a root log handler and sets the converter
    # of every logging.Formatter: all put back afterwards
    monkeypatch.setattr(sys, "stdout", sys.stdout)
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    monkeypatch.setattr(logging.Formatter, "converter", logging.Formatter.converter)
    monkeypatch.syspath_prepend(str(code_dir))
    # as in a fresh runtime process: no request yet while INIT runs
    monkeypatch.setattr(ric, "_GLOBAL_AWS_REQUEST_ID", None)
    root_handlers = list(logging.getLogger().handlers)
    modules_before = set(sys.modules)
    client = RecordingRuntimeClient(request_id, EVENT)
    try:
        ric.run(handler, client)
    except (SystemExit, _NoMoreInvocations):  # INIT errors end with sys.exit(1)
        pass
    finally:
        for added in set(logging.getLogger().handlers) - set(root_handlers):
            logging.getLogger().removeHandler(added)
        for name in set(sys.modules) - modules_before:
            del sys.modules[name]
    assert client.posted is not None, "awslambdaric posted no error"
    return client.posted, _frame_messages(log_file.read_bytes())


def _frame_messages(data: bytes) -> list[str]:
    """FramedTelemetryLogSink frames: type (4 bytes), length (4), timestamp (8), message."""
    messages = []
    while data:
        length = int.from_bytes(data[4:8], "big")
        messages.append(data[16 : 16 + length].decode())
        data = data[16 + length :]
    return messages


def as_text_stream(messages: list[str]) -> str:
    """Deliberate difference: Lambda sends each record as one frame, one CloudWatch
    event (a multi-line [ERROR] record is one frame; the LAMBDA_WARNING text ends with a
    carriage return). Our log is a text stream shown in a terminal: each record ends
    with a newline, and a carriage return before a newline is not kept."""
    return "".join(m.replace("\r\n", "\n") + ("" if m.endswith("\n") else "\n") for m in messages)


def records_of(logs: str) -> str:
    """Our log without the platform's own lines (INIT_START, START, END, REPORT),
    which awslambdaric does not write."""
    platform = ("INIT_START ", "START RequestId: ", "END RequestId: ", "REPORT RequestId: ")
    return "".join(line for line in logs.splitlines(keepends=True) if not line.startswith(platform))


_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def without_timestamps(text: str) -> str:
    return _TIMESTAMP.sub("<time>", text)


def write_code(tmp_path: Path, files: dict[str, str]) -> Path:
    code_dir = tmp_path / "code"
    code_dir.mkdir()
    for name, text in files.items():
        (code_dir / name).write_text(textwrap.dedent(text).lstrip("\n"))
    return code_dir


@pytest.fixture(scope="module")
def inprocess():
    with LambdaRuntime(backend="inprocess") as runtime:
        yield runtime


@pytest.mark.parametrize("backend", ["sandbox", "inprocess"])
@pytest.mark.parametrize("case", list(CASES))
def test_error_payload_and_log_records_match_awslambdaric(
    case, backend, request, tmp_path, monkeypatch
):
    files, handler, error_type = CASES[case]
    code_dir = write_code(tmp_path, files)
    runtime: LambdaRuntime = request.getfixturevalue(backend)
    config = FunctionConfig(name=f"parity-{case}", handler=handler, code_dir=code_dir)
    ours = runtime.invoke(config, EVENT)
    # awslambdaric is handed our invocation's request id, so requestId needs no normalising
    lambdas, frames = run_awslambdaric(monkeypatch, tmp_path, code_dir, handler, ours.request_id)
    lambdas_records = as_text_stream(frames)
    if backend == "inprocess" and case == "raise-at-init":
        lambdas, lambdas_records = _without_import_module_frames(lambdas, lambdas_records)

    our_payload = ours.to_json()["error"]
    assert lambdas["errorType"] == error_type
    assert list(our_payload.items()) == list(lambdas.items())
    assert without_timestamps(records_of(ours.logs)) == without_timestamps(lambdas_records)


def _without_import_module_frames(payload: dict[str, Any], records: str) -> tuple[dict, str]:
    """Deliberate difference of the in-process backend (trusted demos only): it executes
    the module into a fresh module object per environment instead of importing it, so
    a top-level raise's trace starts at the loader's exec_module frame, below the frames
    of importlib.import_module that Lambda's trace begins with."""
    dropped = payload["stackTrace"][: len(IMPORT_MODULE_FRAMES)]
    names = [frame.split(", in ")[1].split("\n")[0] for frame in dropped]
    assert names == list(IMPORT_MODULE_FRAMES)
    dropped_lines = {
        ric.replace_line_indentation(line, " ", ric.ERROR_LOG_IDENT)
        for frame in dropped
        for line in frame.splitlines()
    }
    kept = [line for line in records.splitlines(keepends=True) if line[:-1] not in dropped_lines]
    trimmed = {**payload, "stackTrace": payload["stackTrace"][len(IMPORT_MODULE_FRAMES) :]}
    return trimmed, "".join(kept)
