"""A parent that no worker can crash. The handler writes what it likes straight onto
the protocol socket; whatever arrives becomes a Lambda-shaped error for that one
invocation (Sandbox.ProtocolError, the environment destroyed as after a
Runtime.ExitError), never an exception in `invoke`, and the runtime serves the next
invoke as usual."""

from __future__ import annotations

import json
import socket
import struct
import threading

import pytest

from serverless_tutor.runtime import LambdaRuntime
from serverless_tutor.runtime.frames import FrameError, recv_frame

from .conftest import make_function, settle

# The handler finds the protocol socket among its fds and writes raw bytes on it.
WRITER = """
import json, os, socket, stat, struct, time

def channel():
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return fd
        except OSError:
            pass

def frame(body):
    return struct.pack(">I", len(body)) + body

def result(context, **fields):
    message = {"t": "result", "request_id": context.aws_request_id, "payload": "1",
               "error": None, "duration_ms": 1, "out_of_memory": False}
    message.update(fields)
    return json.dumps(message).encode()

def handler(event, context):
    raw = KIND(event, context)
    os.write(channel(), raw)
    if event.get("then_exit"):
        os._exit(0)
    time.sleep(event.get("then_sleep", 0))
    return "genuine"
"""


def _frame(body: str) -> str:
    return f"frame({body})"


CASES = {  # what the handler writes, and the reason the parent gives
    "not-json": ("frame(b'{not json at all')", "Invalid JSON: key must be a string"),
    "invalid-utf8": (
        'frame(b\'{"t": "result", "request_id": "\\xff\\xfe"}\')',
        "Invalid JSON: invalid unicode code point",
    ),
    "nested-200000-deep": (
        "frame(b'[' * 200000 + b']' * 200000)",
        "Invalid JSON: recursion limit exceeded",
    ),
    "number-of-100000-digits": (
        "frame(result(context).replace(b'\"duration_ms\": 1', b'\"duration_ms\": ' + b'9' * 100000))",
        "Invalid JSON: number out of range",
    ),
    "nan-duration": (
        "frame(result(context).replace(b'\"duration_ms\": 1', b'\"duration_ms\": NaN'))",
        "duration_ms.constrained-float: Input should be a finite number",
    ),
    "infinite-duration": (
        "frame(result(context).replace(b'\"duration_ms\": 1', b'\"duration_ms\": Infinity'))",
        "duration_ms.constrained-float: Input should be a finite number",
    ),
    "negative-duration": (
        "frame(result(context, duration_ms=-5))",
        "Input should be greater than or equal to 0",
    ),
    "extra-field": (
        "frame(result(context, smuggled=True))",
        "result.smuggled: Extra inputs are not permitted",
    ),
    "a-json-list": ("frame(b'[1, 2, 3]')", "malformed frame (Input should be an object)"),
    "unknown-frame-type": (
        'frame(b\'{"t": "pickle", "data": "gASV"}\')',
        "Input tag 'pickle' found using 't' does not match",
    ),
    "hello-mid-invoke": (
        "frame(json.dumps({'t': 'hello', 'isolation': [], 'missing': [], 'refused': False}).encode())",
        "unexpected 'hello' frame",
    ),
    "result-for-another-request": (
        "frame(result(context, request_id='someone-else'))",
        "result for another request",
    ),
    "payload-nested-too-deep": (
        "frame(result(context, payload='[' * 100000 + ']' * 100000))",
        "the response is nested too deeply to read",
    ),
    "payload-number-of-100000-digits": (
        "frame(result(context, payload='9' * 100000))",
        "the response is not readable JSON (Exceeds the limit (4300 digits)",
    ),
    "payload-not-json": (
        "frame(result(context, payload='{oops'))",
        "the response is not readable JSON (Expecting property name",
    ),
    "forged-result-then-more": (
        "frame(result(context, payload='\"forged\"')) + frame(b'{}')",
        "more frames after the result",
    ),
    "header-claims-100-mb": (
        "struct.pack('>I', 100 * 1024 * 1024) + b'{'",
        "frame of 104857600 bytes exceeds the 8388608 byte limit",
    ),
}


@pytest.fixture(scope="module")
def runtime():
    with LambdaRuntime(backend="sandbox") as runtime:
        yield runtime


def _hostile(tmp_path, expression: str, **config):
    source = WRITER.replace(
        "KIND(event, context)", f"(lambda event, context: {expression})(event, context)"
    )
    return make_function(tmp_path, source, **config)


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    return make_function(tmp_path_factory.mktemp("healthy"), "def handler(e, c):\n    return e\n")


def _assert_still_usable(runtime, healthy, fn) -> None:
    assert runtime.environments(fn.name) == []  # the desynchronised environment is gone
    assert settle(runtime) == set()
    assert runtime.invoke(healthy, {"n": 1}).response == {"n": 1}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_bad_frame_is_a_protocol_error_for_that_invocation_only(runtime, tmp_path, healthy, case):
    expression, reason = CASES[case]
    fn = _hostile(tmp_path, expression)
    result = runtime.invoke(fn, {"then_sleep": 5})
    assert result.error.error_type == "Sandbox.ProtocolError", result.error
    assert result.error.error_message.startswith(
        f"RequestId: {result.request_id} Error: the runtime broke the worker protocol"
    )
    assert reason in result.error.error_message
    assert result.response is None and result.report.status == "crash"
    assert json.loads(json.dumps(result.to_json(), allow_nan=False))["error"]["errorType"] == (
        "Sandbox.ProtocolError"
    )
    _assert_still_usable(runtime, healthy, fn)


def test_a_truncated_frame_then_exit_is_an_exit_error(runtime, tmp_path, healthy):
    fn = _hostile(tmp_path, "struct.pack('>I', 100) + b'{\"t\": \"res'")
    result = runtime.invoke(fn, {"then_exit": True})
    assert result.error.error_type == "Runtime.ExitError"
    _assert_still_usable(runtime, healthy, fn)


def test_a_flood_of_calls_whose_replies_are_never_read_ends_at_the_deadline(
    runtime, tmp_path, healthy
):
    call = "frame(json.dumps({'t': 'call', 'method': 'GET', 'url': 'https://s3.amazonaws.com/', 'headers': {}, 'body_b64': ''}).encode())"
    fn = _hostile(tmp_path, f"{call} * 5000", timeout_s=2)
    result = runtime.invoke(fn, {"then_sleep": 30})
    assert result.error.error_type in ("Runtime.ExitError", "Sandbox.Timedout")
    assert result.report.duration_ms < 10_000
    _assert_still_usable(runtime, healthy, fn)


def test_a_nan_response_is_kept_but_printed_as_valid_json(runtime, tmp_path):
    fn = make_function(tmp_path, "def handler(e, c):\n    return [float('nan'), float('-inf')]\n")
    result = runtime.invoke(fn, {})
    printed = json.dumps(result.to_json(), allow_nan=False)
    assert json.loads(printed)["response"] == ["NaN", "-Infinity"]


def test_the_workers_frame_reader_turns_deep_nesting_into_a_frame_error():
    a, b = socket.socketpair()
    with a, b:
        body = b"[" * 200_000 + b"]" * 200_000
        sender = threading.Thread(target=a.sendall, args=(struct.pack(">I", len(body)) + body,))
        sender.start()  # larger than the socket buffer: written while the reader reads
        with pytest.raises(FrameError, match="not JSON"):
            recv_frame(b)
        sender.join()
