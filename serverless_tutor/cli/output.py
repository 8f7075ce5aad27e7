"""Shared helpers for verbs: JSON printing, usage errors, a rich console."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from rich.console import Console

USAGE_ERROR = 2


def print_json(value: Any) -> None:
    """Print a pydantic model, or a list/dict of them, as JSON on stdout."""
    sys.stdout.write(json.dumps(_plain(value), indent=2, ensure_ascii=False) + "\n")


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def usage_error(message: str) -> int:
    """One-line reason on stderr, exit code 2 (as argparse does for usage errors)."""
    sys.stderr.write(f"serverless-tutor: error: {message}\n")
    return USAGE_ERROR


def console() -> Console:
    from rich.console import Console

    return Console()
