"""The progress file's name, and a quick look at it without pydantic.

The app's first screen shows only the lesson open last, the visited marks and the
theme. Reading those as plain JSON lets it draw that screen before the progress
models (and pydantic) are imported; the validated load (`ProgressStore.load`, which
also moves an unreadable file aside and says so) follows right after the first frame.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

PROGRESS_FILE = "progress.json"


class ProgressGlance(NamedTuple):
    current_lesson: str | None = None
    visited: frozenset[str] = frozenset()
    theme: str | None = None


def glance_at_progress(folder: Path) -> ProgressGlance:
    """What the first screen shows of the progress in `folder`, unvalidated.

    A missing, unreadable or malformed file looks like fresh progress: the validated
    load that follows finds the same problem and reports it.
    """
    try:
        document = json.loads((folder / PROGRESS_FILE).read_bytes())
    except (OSError, ValueError):
        return ProgressGlance()
    if not isinstance(document, dict):
        return ProgressGlance()
    current, visited, theme = (document.get(key) for key in ProgressGlance._fields)
    return ProgressGlance(
        current_lesson=current if isinstance(current, str) else None,
        visited=frozenset(v for v in visited if isinstance(v, str))
        if isinstance(visited, list)
        else frozenset(),
        theme=theme if isinstance(theme, str) else None,
    )
