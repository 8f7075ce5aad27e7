"""Learner-made text made harmless for a terminal: every control character shown, none obeyed.

A handler's exception message, log line or response body can hold escape sequences
(OSC 52 clipboard writes, window-title changes, cursor moves), C1 controls, or
bidirectional overrides that make text read differently from what it is. `visible`
turns each of them into a visible escape (ESC becomes the four characters `\\x1b`)
and keeps newlines and tabs, which are layout. `one_line` escapes those too, for
text that must stay on one line (a name in a table, a CSV cell).

This module knows nothing of rich: a caller that prints through rich markup must
still escape `[` with `rich.markup.escape` after making the text visible.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and the Unicode format
# characters that reorder or hide text (bidi embeddings, overrides and isolates,
# left-to-right/right-to-left marks, zero-width joiners are left alone: they are text).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_ONE_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """The text with every control character shown as an escape; newlines and tabs kept."""
    return _UNSAFE.sub(_escape, text.replace("\r\n", "\n"))


def one_line(text: str) -> str:
    """Like `visible`, and newlines, tabs and line separators are escaped too."""
    return _UNSAFE_ONE_LINE.sub(_escape, text)
