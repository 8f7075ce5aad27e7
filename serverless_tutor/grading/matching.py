"""Compare what a handler produced with what a test expects, and say what differs.

Expected values are subsets: an expected object needs only the keys it names; an
expected list needs the same length, each expected item matching a different
actual item (in any order). Strings such as "<iso8601>" match by kind (see
content.exercises.MATCHERS). Numbers compare by value (DynamoDB returns Decimal).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from serverless_tutor.content.exercises import MATCHERS

_ISO_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


def show(value: Any, limit: int = 120) -> str:
    """A short JSON-ish rendering of a value for messages."""
    try:
        text = json.dumps(plain(value), ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def plain(value: Any) -> Any:
    """Decimal -> int/float, bytes -> text, sets -> lists, recursively (DynamoDB items, moto output)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=str)
    return value


def is_iso8601(value: Any) -> bool:
    if not isinstance(value, str) or not _ISO_DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def mismatch(
    expected: Any, actual: Any, where: str, *, request_ids: frozenset[str] = frozenset()
) -> str | None:
    """None if actual matches expected; otherwise one sentence saying where and how it differs."""
    label = where or "the value"
    if isinstance(expected, str) and expected in MATCHERS:
        return _matcher_mismatch(expected, actual, label, request_ids)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{label} should be an object like {show(expected)}, but it is {show(actual)}"
        for key, wanted in expected.items():
            if key not in actual:
                return f"{label} is missing the key {key!r} (expected {show(wanted)}); it has {show(sorted(actual))}"
            problem = mismatch(
                wanted, actual[key], f"{where}.{key}" if where else key, request_ids=request_ids
            )
            if problem:
                return problem
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list | tuple):
            return f"{label} should be a list like {show(expected)}, but it is {show(actual)}"
        if len(actual) != len(expected):
            return f"{label} should have {len(expected)} item(s), but it has {len(actual)}: {show(actual)}"
        unused = list(actual)
        for wanted in expected:
            found = next(
                (
                    i
                    for i, item in enumerate(unused)
                    if mismatch(wanted, item, "", request_ids=request_ids) is None
                ),
                None,
            )
            if found is None:
                return f"{label} has no item matching {show(wanted)}; it is {show(actual)}"
            unused.pop(found)
        return None
    if _is_number(expected):
        if not _is_number(actual):
            return f"{label} should be the number {show(expected)}, but it is {show(actual)}"
        if Decimal(str(expected)) != Decimal(str(actual)):
            return f"{label} should be {show(expected)}, but it is {show(actual)}"
        return None
    if expected != actual or type(expected) is not type(actual):
        return f"{label} should be {show(expected)}, but it is {show(actual)}"
    return None


def _matcher_mismatch(
    matcher: str, actual: Any, label: str, request_ids: frozenset[str]
) -> str | None:
    ok = {
        "<any>": True,
        "<string>": isinstance(actual, str),
        "<number>": _is_number(actual),
        "<iso8601>": is_iso8601(actual),
        "<request_id>": isinstance(actual, str) and actual in request_ids,
        "<nonempty>": actual not in (None, "", [], {}),
    }[matcher]
    if ok:
        return None
    if matcher == "<request_id>":
        wanted = " or ".join(map(repr, sorted(request_ids))) or "the invocation's request id"
        return f"{label} should be the request id {wanted} (context.aws_request_id), but it is {show(actual)}"
    return f"{label} should be {MATCHERS[matcher]}, but it is {show(actual)}"
