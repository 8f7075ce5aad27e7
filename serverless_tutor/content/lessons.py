"""Lessons: one Markdown file per chapter section, with YAML front matter."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from serverless_tutor.content.lesson_cache import (
    LessonHeading,
    file_digest,
    read_lesson_cache,
    write_lesson_cache,
)
from serverless_tutor.content.panels import PANELS
from serverless_tutor.problems import ContentError, Problem, problems_from_validation

LESSON_COUNT = 12
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)


class LessonMeta(BaseModel):
    """The front matter of a lesson file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="slug, e.g. cold-starts")
    number: int = Field(
        ge=1, le=LESSON_COUNT, description="1 to 11 for the sections, 12 for the summary"
    )
    title: str = Field(min_length=1)
    short_title: str | None = Field(
        default=None, min_length=1, max_length=20, description="for narrow lists"
    )
    summary: str = Field(min_length=1, description="one or two sentences shown in lists")
    key_terms: list[str] = Field(default_factory=list)
    panels: list[str] = Field(default_factory=list)
    minutes: int = Field(default=10, ge=1, le=120, description="estimated reading time")

    @field_validator("panels")
    @classmethod
    def _panels_exist(cls, panels: list[str]) -> list[str]:
        unknown = [p for p in panels if p not in PANELS]
        if unknown:
            known = ", ".join(sorted(PANELS)) or "none yet"
            raise ValueError(
                f"unknown panel {', '.join(map(repr, unknown))}; known panels: {known}"
            )
        return panels

    @property
    def heading(self) -> LessonHeading:
        return LessonHeading(self.id, self.number, self.title, self.short_title, self.minutes)


class Lesson(LessonMeta):
    body: str = Field(description="Markdown after the front matter")
    source: str = Field(description="path of the file it was loaded from")


def parse_lesson(path: Path) -> Lesson:
    """Load one lesson file; raise ContentError naming the file and field on any problem."""
    # PyYAML is imported only here: the app reads unchanged lessons from its cache.
    from serverless_tutor.yaml_files import parse_yaml, read_text

    text = read_text(path)
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ContentError(
            [
                Problem(
                    file=str(path),
                    field="front matter",
                    expected="the file to start with a '---' YAML block closed by '---'",
                )
            ]
        )
    meta = parse_yaml(match.group(1), path, field="front matter", first_line=2)
    if not isinstance(meta, dict):
        raise ContentError(
            [Problem(file=str(path), field="front matter", expected="a YAML mapping of fields")]
        )
    body = text[match.end() :].strip()
    if not body:
        raise ContentError(
            [Problem(file=str(path), field="body", expected="lesson text after the front matter")]
        )
    try:
        return Lesson(**meta, body=body, source=str(path))
    except ValidationError as exc:
        raise ContentError(problems_from_validation(path, exc)) from None


def load_lessons(folder: Path) -> list[Lesson]:
    """Load every `*.md` in folder, sorted by number; collect all problems before failing."""
    lessons: list[Lesson] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.md")):
        try:
            lessons.append(parse_lesson(path))
        except ContentError as exc:
            problems.extend(exc.problems)
    problems.extend(_check_set(lessons))
    if problems:
        raise ContentError(problems)
    return sorted(lessons, key=lambda lesson: lesson.number)


def _check_set(lessons: list[Lesson]) -> list[Problem]:
    problems = []
    seen_numbers: dict[int, str] = {}
    seen_ids: dict[str, str] = {}
    for lesson in lessons:
        if lesson.number in seen_numbers:
            problems.append(
                Problem(
                    file=lesson.source,
                    field="number",
                    expected=f"a unique number; {lesson.number} is also used by {seen_numbers[lesson.number]}",
                )
            )
        seen_numbers.setdefault(lesson.number, lesson.source)
        if lesson.id in seen_ids:
            problems.append(
                Problem(
                    file=lesson.source,
                    field="id",
                    expected=f"a unique id; {lesson.id!r} is also used by {seen_ids[lesson.id]}",
                )
            )
        seen_ids.setdefault(lesson.id, lesson.source)
    return problems


def load_lessons_cached(folder: Path, cache_file: Path) -> list[Lesson]:
    """`load_lessons(folder)`, reusing what the last run validated for files that are unchanged.

    The cache file keeps, per lesson file, the SHA-256 of its bytes and the lesson parsed
    from them. A file whose bytes differ, or that the cache lacks, is parsed and validated
    again; a cached entry is validated again by the model (cheap next to YAML), so a
    corrupt or edited cache can never give a lesson the model would refuse. A cache that
    cannot be read, or was written by another version of this module, is ignored and
    rewritten. Problems are reported exactly as `load_lessons` reports them.
    """
    cached = read_lesson_cache(cache_file)
    lessons: list[Lesson] = []
    problems: list[Problem] = []
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.md")):
        digest = file_digest(path)  # "" when unreadable: parse_lesson below reports it
        lesson = _lesson_from_cache(cached.get(path.name), digest, path)
        if lesson is None:
            try:
                lesson = parse_lesson(path)
            except ContentError as exc:
                problems.extend(exc.problems)
                continue
        lessons.append(lesson)
        entries[path.name] = {"sha256": digest, "lesson": lesson.model_dump(exclude={"source"})}
    problems.extend(_check_set(lessons))
    if problems:
        raise ContentError(problems)
    if entries != cached:
        write_lesson_cache(cache_file, entries)
    return sorted(lessons, key=lambda lesson: lesson.number)


def _lesson_from_cache(entry: dict[str, Any] | None, digest: str, path: Path) -> Lesson | None:
    """The cached lesson of `path` if its bytes still hash to `digest`, else None."""
    if entry is None or not digest or entry.get("sha256") != digest:
        return None
    fields = entry.get("lesson")
    if not isinstance(fields, dict):
        return None
    try:
        return Lesson.model_validate({**fields, "source": str(path)})
    except ValidationError:
        return None


def shipped_lessons(cache_file: Path | None = None) -> list[Lesson]:
    """The bundled lessons, validated; with `cache_file`, through `load_lessons_cached`."""
    from serverless_tutor.paths import lessons_dir

    if cache_file is None:
        return load_lessons(lessons_dir())
    return load_lessons_cached(lessons_dir(), cache_file)
