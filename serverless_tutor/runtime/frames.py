"""Length-prefixed JSON frames: the only way results travel between worker and parent.

A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON.
Standard library only (the worker uses it). Never pickle: a frame is data.
"""

from __future__ import annotations

import json
import socket
import struct
from typing import Any

_HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 16 * 1024 * 1024


class FrameError(Exception):
    """The peer sent something that is not a well-formed frame, or hung up."""


def encode_frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _HEADER.pack(len(body)) + body


def send_frame(sock: socket.socket, message: dict[str, Any]) -> None:
    sock.sendall(encode_frame(message))


def recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks = []
    remaining = size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise FrameError("peer closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def recv_frame_bytes(sock: socket.socket, max_bytes: int = MAX_FRAME_BYTES) -> bytes:
    (size,) = _HEADER.unpack(recv_exact(sock, _HEADER.size))
    if size > max_bytes:
        raise FrameError(f"frame of {size} bytes exceeds the {max_bytes} byte limit")
    return recv_exact(sock, size)


def recv_frame(sock: socket.socket, max_bytes: int = MAX_FRAME_BYTES) -> dict[str, Any]:
    data = recv_frame_bytes(sock, max_bytes)
    try:
        message = json.loads(data)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
        raise FrameError(f"frame is not JSON: {str(exc)[:200]}") from None
    if not isinstance(message, dict):
        raise FrameError("frame is not a JSON object")
    return message
