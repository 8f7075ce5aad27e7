"""Shared helpers for verbs: JSON printing, usage errors, a rich console."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from rich.console import Console

USAGE_ERROR = 2


def print_json(value: Any) -> None:
    """Print a pydantic model, or a list/dict of them, as JSON on stdout."""
    sys.stdout.write(json.dumps(plain_json(value), indent=2, ensure_ascii=False) + "\n")


def plain_json(value: Any) -> Any:
    """Plain JSON data (dicts, lists, str, numbers) for a model, or a list/dict of them.

    Numbers stay numbers: pydantic's JSON mode writes a Decimal (money, DynamoDB
    numbers) as a string, so each Decimal is written as an int when integral, else
    a float.
    """
    if isinstance(value, BaseModel):
        return _decimals_as_numbers(
            value.model_dump(mode="python", by_alias=True),
            value.model_dump(mode="json", by_alias=True),
        )
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return _number(value, str(value))
    return value


def _decimals_as_numbers(python: Any, as_json: Any) -> Any:
    """`as_json` (a JSON-mode dump) with each value that is a Decimal in `python` (the
    same model dumped in Python mode, so the same shape) turned back into a number."""
    if isinstance(python, Decimal):
        return _number(python, as_json)
    if isinstance(python, dict) and isinstance(as_json, dict) and len(python) == len(as_json):
        return {
            key: _decimals_as_numbers(python_value, json_value)
            for python_value, (key, json_value) in zip(
                python.values(), as_json.items(), strict=True
            )
        }
    if (
        isinstance(python, list | tuple)
        and isinstance(as_json, list)
        and len(python) == len(as_json)
    ):
        return [_decimals_as_numbers(p, j) for p, j in zip(python, as_json, strict=True)]
    return as_json


def _number(value: Decimal, as_json: Any) -> Any:
    if not value.is_finite():
        return as_json  # NaN and infinities have no JSON number
    return int(value) if value == value.to_integral_value() else float(value)


def usage_error(message: str) -> int:
    """One-line reason on stderr, exit code 2 (as argparse does for usage errors)."""
    sys.stderr.write(f"serverless-tutor: error: {message}\n")
    return USAGE_ERROR


# How console() describes the terminal, when it is not this process's own: the
# background grader renders a check for the terminal of the `check` that asked for it.
_terminal: dict[str, Any] = {}


@contextlib.contextmanager
def terminal_of(*, environ: dict[str, str], width: int, height: int) -> Iterator[None]:
    """console() renders for another process's terminal: its environment variables (TERM,
    COLORTERM, NO_COLOR, FORCE_COLOR...) and its size. Whether it is a terminal at all is
    told by sys.stdout's isatty(), as for any console."""
    _terminal.update(_environ=environ, width=width, height=height)
    try:
        yield
    finally:
        _terminal.clear()


def console(*, highlight: bool = True) -> Console:
    """A console on stdout. `highlight=False` leaves numbers and quoted words uncoloured
    (output whose colours are all its own), and skips compiling rich's highlighter."""
    from rich.console import Console

    return Console(highlight=highlight, **_terminal)
