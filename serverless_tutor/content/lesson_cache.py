"""The lesson cache: lessons an earlier run validated, keyed by their files' SHA-256.

Plain JSON in the learner's data folder. This module reads and writes it without
pydantic, so the app can draw its first screen (the lesson list and the open lesson's
heading) from the cache before the lesson models are imported; `load_lessons_cached`
in lessons.py validates the cached lessons right after.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any, NamedTuple

from serverless_tutor.atomic_write import write_atomically

# Bump when the cache file's layout changes; a cache of another format is ignored.
LESSON_CACHE_FORMAT = 1
# The modules whose code decides what a cached lesson holds.
_RULE_SOURCES = ("lessons.py", "lesson_cache.py")


class LessonHeading(NamedTuple):
    """What the lesson list and a lesson's heading show."""

    id: str
    number: int
    title: str
    short_title: str | None
    minutes: int


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes; "" when it cannot be read (the parser reports why)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def cache_rules() -> str:
    """What the cached lessons were parsed by: the format and the source of the code."""
    digest = hashlib.sha256()
    for name in _RULE_SOURCES:
        with contextlib.suppress(OSError):
            digest.update(Path(__file__).with_name(name).read_bytes())
    return f"{LESSON_CACHE_FORMAT}:{digest.hexdigest()}"


def read_lesson_cache(cache_file: Path) -> dict[str, dict[str, Any]]:
    """File name -> {"sha256", "lesson"}; empty when the cache is missing, unreadable or stale."""
    try:
        document = json.loads(cache_file.read_bytes())
    except (OSError, ValueError):  # missing, unreadable or not JSON: rebuild it
        return {}
    if not isinstance(document, dict) or document.get("rules") != cache_rules():
        return {}
    files = document.get("files")
    if not isinstance(files, dict):
        return {}
    return {name: entry for name, entry in files.items() if isinstance(entry, dict)}


def write_lesson_cache(cache_file: Path, entries: dict[str, dict[str, Any]]) -> None:
    document = {"rules": cache_rules(), "files": entries}
    # The cache only saves time: with a data folder that cannot be written, the app still runs.
    with contextlib.suppress(OSError):
        write_atomically(cache_file, json.dumps(document, ensure_ascii=False))


def cached_headings(folder: Path, cache_file: Path) -> list[LessonHeading] | None:
    """The headings of the lessons in `folder`, by number, straight from the cache.

    None unless every lesson file is in the cache with the same bytes (then the caller
    loads and validates the lessons, which rewrites the cache). The cache is only ever
    written with lessons that passed validation, so for unchanged files these are the
    headings the validated lessons will have.
    """
    cached = read_lesson_cache(cache_file)
    headings = []
    for path in folder.glob("*.md"):
        entry = cached.get(path.name)
        if entry is None or entry.get("sha256") != file_digest(path):
            return None
        heading = _heading(entry.get("lesson"))
        if heading is None:
            return None
        headings.append(heading)
    return sorted(headings, key=lambda heading: heading.number) or None


def _heading(fields: Any) -> LessonHeading | None:
    if not isinstance(fields, dict):
        return None
    lesson_id, number, title, short_title, minutes = (
        fields.get(name) for name in LessonHeading._fields
    )
    if not (
        isinstance(lesson_id, str)
        and isinstance(number, int)
        and isinstance(title, str)
        and (short_title is None or isinstance(short_title, str))
        and isinstance(minutes, int)
    ):
        return None
    return LessonHeading(lesson_id, number, title, short_title, minutes)
