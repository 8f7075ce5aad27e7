"""Lessons: one Markdown file per chapter section, with YAML front matter."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from serverless_tutor.content.panels import PANELS
from serverless_tutor.problems import ContentError, Problem, problems_from_validation
from serverless_tutor.yaml_files import parse_yaml, read_text

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


class Lesson(LessonMeta):
    body: str = Field(description="Markdown after the front matter")
    source: str = Field(description="path of the file it was loaded from")


def parse_lesson(path: Path) -> Lesson:
    """Load one lesson file; raise ContentError naming the file and field on any problem."""
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


def shipped_lessons() -> list[Lesson]:
    from serverless_tutor.paths import lessons_dir

    return load_lessons(lessons_dir())
