"""The worker protocol and the parent's log handling, piece by piece."""

from __future__ import annotations

import socket
import struct

import pytest
from pydantic import ValidationError

from serverless_tutor.runtime.frames import FrameError, recv_frame, recv_frame_bytes, send_frame
from serverless_tutor.runtime.logs import LogCapture, sanitize_for_terminal
from serverless_tutor.runtime.protocol import CallFrame, ResultFrame, worker_frame


def test_frames_round_trip_and_size_is_enforced():
    a, b = socket.socketpair()
    with a, b:
        send_frame(a, {"t": "hello", "text": "ünïcode"})
        assert recv_frame(b) == {"t": "hello", "text": "ünïcode"}
        a.sendall(struct.pack(">I", 10_000) + b"x")
        with pytest.raises(FrameError, match="exceeds"):
            recv_frame_bytes(b, max_bytes=1000)
    c, d = socket.socketpair()
    with d:
        c.sendall(struct.pack(">I", 5) + b"ab")
        c.close()
        with pytest.raises(FrameError, match="closed"):
            recv_frame(d)


def test_worker_frames_are_validated_strictly():
    good = b'{"t":"result","request_id":"r","payload":"1","error":null,"duration_ms":1.5,"out_of_memory":false}'
    assert isinstance(worker_frame.validate_json(good), ResultFrame)
    call = b'{"t":"call","method":"POST","url":"https://dynamodb.us-east-1.amazonaws.com/","headers":{},"body_b64":""}'
    assert isinstance(worker_frame.validate_json(call), CallFrame)
    for bad in [
        b'{"t":"result","request_id":"r","payload":"1","error":null,"duration_ms":1.5,"out_of_memory":false,"x":1}',
        b'{"t":"result","request_id":1,"payload":"1","error":null,"duration_ms":1.5,"out_of_memory":false}',
        b'{"t":"result","request_id":"r","payload":"1","error":null,"duration_ms":-1,"out_of_memory":false}',
        b'{"t":"pickle","data":"gASV"}',
        b"[1, 2]",
    ]:
        with pytest.raises(ValidationError):
            worker_frame.validate_json(bad)


def test_log_capture_caps_and_marks_truncation():
    capture = LogCapture(limit=10)
    capture.add(b"0123456789abcdef")
    capture.add(b"more")
    text = capture.text()
    assert text.startswith("0123456789\n")
    assert "[log truncated: 10 more bytes not shown" in text and capture.truncated


def test_sanitize_removes_escapes_and_bidi_but_keeps_text():
    assert sanitize_for_terminal("a\x1b[31mb\r\nc\u202ed\te") == "a\\x1b[31mb\nc\\u202ed\te"


def test_the_deepest_mount_rule_above_a_path_decides_what_it_shows():
    from serverless_tutor.runtime.confine import _deepest_covering

    applied = [
        ("/tmp", "tmp"),
        ("/tmp/venv/lib/site-packages", "show"),
        ("/tmp/venv/lib/site-packages/serverless_tutor", "hide"),
    ]
    assert _deepest_covering(applied, "/tmp/code") == "tmp"
    assert _deepest_covering(applied, "/tmp/venv/lib/site-packages/boto3") == "show"
    assert (
        _deepest_covering(applied, "/tmp/venv/lib/site-packages/serverless_tutor/_content")
        == "hide"
    )
    assert (
        _deepest_covering(applied, "/tmp/venv/lib/site-packages/serverless_tutor_extra") == "show"
    )
    assert _deepest_covering(applied, "/usr/lib") is None
