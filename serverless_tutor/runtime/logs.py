"""Log capture in the parent: a size cap with the truncation marked, and text made
safe to show in a terminal (no escape sequences from the function reach the screen)."""

from __future__ import annotations

import re

MAX_LOG_BYTES = 256 * 1024

# C0 controls except tab and newline, DEL, C1 controls, and bidi overrides that can
# make text display differently from what it is.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def sanitize_for_terminal(text: str) -> str:
    text = text.replace("\r\n", "\n")
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class LogCapture:
    """Bytes a function wrote, kept up to a limit; the rest is counted, not stored."""

    def __init__(self, limit: int = MAX_LOG_BYTES):
        self.limit = limit
        self._chunks: list[bytes] = []
        self._kept = 0
        self.dropped = 0

    def add(self, data: bytes) -> None:
        room = self.limit - self._kept
        if room > 0:
            piece = data[:room]
            self._chunks.append(piece)
            self._kept += len(piece)
        self.dropped += max(0, len(data) - max(room, 0))

    @property
    def truncated(self) -> bool:
        return self.dropped > 0

    def text(self) -> str:
        text = sanitize_for_terminal(b"".join(self._chunks).decode("utf-8", errors="replace"))
        if text and not text.endswith("\n"):
            text += "\n"
        if self.dropped:
            text += f"[log truncated: {self.dropped} more bytes not shown (limit {self.limit // 1024} KiB per invoke)]\n"
        return text
