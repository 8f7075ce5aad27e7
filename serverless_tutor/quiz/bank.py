"""Load and validate question bank files (serverless_tutor/quiz/bank/*.yaml).

A bank file is YAML with a `section`, the `lesson` its questions point to by
default, and a list of `questions`. Every problem is reported with the file and a
field that names the question by index and id, e.g.
`questions[3] (cold-start-steps).answer`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from serverless_tutor.problems import ContentError, Problem, problems_from_validation
from serverless_tutor.quiz.models import (
    LESSON_IDS,
    SECTION_LESSONS,
    BankEntry,
    OpenQuestion,
    Question,
)
from serverless_tutor.yaml_files import load_yaml_mapping

BANK_DIR = Path(__file__).with_name("bank")
_QUESTIONS_KEY = re.compile(rb"^questions\s*:", re.MULTILINE)
_QUESTION_ADAPTER: TypeAdapter[Question] = TypeAdapter(Question)


class _BankFileHeader(BaseModel):
    model_config = ConfigDict(extra="forbid")

    section: int = Field(
        ge=1, le=12, description="1 to 11 for the chapter's sections, 12 for the summary"
    )
    lesson: str
    questions: list[Any] = Field(min_length=1)

    @field_validator("lesson")
    @classmethod
    def _known(cls, lesson: str) -> str:
        if lesson not in LESSON_IDS:
            raise ValueError(
                f"a lesson id, one of: {', '.join(SECTION_LESSONS.values())} (got {lesson!r})"
            )
        return lesson


class Bank(BaseModel):
    """Every question, in file order (section by section)."""

    model_config = ConfigDict(frozen=True)

    questions: list[Question]

    def get(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def ids(self) -> set[str]:
        return {q.id for q in self.questions}

    def in_section(self, section: int | None) -> list[Question]:
        if section is None:
            return list(self.questions)
        return [q for q in self.questions if q.section == section]

    def entries(self) -> list[BankEntry]:
        return [
            BankEntry(
                id=q.id,
                section=q.section,
                lesson=q.lesson,
                type=q.type,
                prompt=q.prompt,
                topic=q.topic_label,
                common=isinstance(q, OpenQuestion) and q.common,
            )
            for q in self.questions
        ]


def is_bank_file(path: Path) -> bool:
    """A .yaml/.yml file with a top-level `questions:` key (checked on the text, so broken YAML is still claimed)."""
    if path.suffix not in {".yaml", ".yml"}:
        return False
    try:
        return bool(_QUESTIONS_KEY.search(path.read_bytes()))
    except OSError:
        return False


def parse_bank_file(path: Path) -> list[Question]:
    """Load one bank file; raise ContentError listing every problem in it."""
    raw = load_yaml_mapping(path, expected="a YAML mapping with section, lesson and questions")
    try:
        header = _BankFileHeader.model_validate(raw)
    except ValidationError as exc:
        raise ContentError(problems_from_validation(path, exc)) from None

    questions: list[Question] = []
    problems: list[Problem] = []
    for index, item in enumerate(header.questions):
        label = _label(index, item)
        if not isinstance(item, dict):
            problems.append(
                Problem(
                    file=str(path),
                    field=label,
                    expected="a mapping with id, type, prompt, explanation, ...",
                )
            )
            continue
        data = {"section": header.section, "lesson": header.lesson, **item}
        try:
            questions.append(_QUESTION_ADAPTER.validate_python(data))
        except ValidationError as exc:
            problems.extend(_question_problems(path, label, exc))
    problems.extend(_duplicate_ids(path, header.questions))
    if problems:
        raise ContentError(problems)
    return questions


def _label(index: int, item: Any) -> str:
    question_id = item.get("id") if isinstance(item, dict) else None
    return (
        f"questions[{index}] ({question_id})"
        if isinstance(question_id, str)
        else f"questions[{index}]"
    )


def _question_problems(path: Path, label: str, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        location = list(item["loc"])
        # A discriminated union puts the matched tag first: ('single', 'answer').
        if location and location[0] in {
            "single",
            "multiple",
            "numeric",
            "cost",
            "ordering",
            "scenario",
            "open",
        }:
            location = location[1:]
        kind = item["type"]
        if kind == "union_tag_not_found":
            field, expected = (
                "type",
                "required field is missing; one of single, multiple, numeric, cost, ordering, scenario, open",
            )
        elif kind == "union_tag_invalid":
            field, expected = (
                "type",
                f"one of single, multiple, numeric, cost, ordering, scenario, open (got {item['input'].get('type')!r})",
            )
        elif kind == "missing":
            field, expected = ".".join(map(str, location)), "required field is missing"
        elif kind == "extra_forbidden":
            field, expected = (
                ".".join(map(str, location)),
                "unknown field for this question type (check the spelling)",
            )
        else:
            field = ".".join(map(str, location))
            expected = item["msg"].removeprefix("Value error, ")
        problems.append(
            Problem(file=str(path), field=f"{label}.{field}" if field else label, expected=expected)
        )
    return problems


def _duplicate_ids(path: Path, items: list[Any]) -> list[Problem]:
    problems = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        question_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(question_id, str):
            continue
        if question_id in seen:
            problems.append(
                Problem(
                    file=str(path),
                    field=f"questions[{index}] ({question_id}).id",
                    expected=f"a unique id; also used by questions[{seen[question_id]}]",
                )
            )
        seen.setdefault(question_id, index)
    return problems


def read_bank_files(paths: list[Path]) -> tuple[list[Question], list[Problem]]:
    """The questions of every valid file, and every problem (including ids repeated across files)."""
    questions: list[Question] = []
    problems: list[Problem] = []
    first_file: dict[str, Path] = {}
    for path in sorted(paths):
        try:
            parsed = parse_bank_file(path)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        for index, question in enumerate(parsed):
            if question.id in first_file:
                problems.append(
                    Problem(
                        file=str(path),
                        field=f"questions[{index}] ({question.id}).id",
                        expected=f"a unique id; also used in {first_file[question.id]}",
                    )
                )
            first_file.setdefault(question.id, path)
        questions.extend(parsed)
    return questions, problems


def validate_bank_files(paths: list[Path]) -> list[Problem]:
    return read_bank_files(paths)[1]


def load_bank(folder: Path) -> Bank:
    """Load every bank file in folder, in file-name order; raise ContentError on any problem."""
    questions, problems = read_bank_files(shipped_bank_files(folder))
    if problems:
        raise ContentError(problems)
    return Bank(questions=questions)


def shipped_bank_files(folder: Path = BANK_DIR) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.is_file())


@lru_cache(maxsize=1)
def shipped_bank() -> Bank:
    return load_bank(BANK_DIR)
