"""What a learner gives back for each question type, and how typed text becomes one.

Indexes in answers refer to the display order of QuestionInstance.options (0-based);
learners type 1-based numbers, which `parse_*` converts.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from serverless_tutor.quiz.models import QuestionInstance


class AnswerError(ValueError):
    """Typed text that is not a valid answer; the message says what was expected."""


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class ChoiceAnswer(_Answer):
    kind: Literal["choice"] = "choice"
    choice: int


class ChoicesAnswer(_Answer):
    kind: Literal["choices"] = "choices"
    choices: list[int]


class NumberAnswer(_Answer):
    kind: Literal["number"] = "number"
    value: float


class OrderAnswer(_Answer):
    kind: Literal["order"] = "order"
    order: list[int] = Field(description="display indexes, first step first")


class ScenarioAnswer(_Answer):
    kind: Literal["scenario"] = "scenario"
    fit: bool
    reason: int


class OpenAnswer(_Answer):
    kind: Literal["open"] = "open"
    text: str
    ticked: list[int] = Field(
        default_factory=list, description="indexes of the rubric points the learner says they made"
    )


Answer = Annotated[
    ChoiceAnswer | ChoicesAnswer | NumberAnswer | OrderAnswer | ScenarioAnswer | OpenAnswer,
    Field(discriminator="kind"),
]

ANSWER_KIND: dict[str, type[_Answer]] = {
    "single": ChoiceAnswer,
    "multiple": ChoicesAnswer,
    "numeric": NumberAnswer,
    "cost": NumberAnswer,
    "ordering": OrderAnswer,
    "scenario": ScenarioAnswer,
    "open": OpenAnswer,
}

_NUMBERS = re.compile(r"[\s,;]+")
_FIT = {"fit", "f", "y", "yes", "good"}
_NOT_FIT = {"not", "n", "no", "nofit", "no-fit", "not-fit", "bad"}


def parse_numbers(text: str, count: int, what: str) -> list[int]:
    """'1, 3' or '1 3' -> [0, 2], each between 1 and count."""
    tokens = [t for t in _NUMBERS.split(text.strip()) if t]
    if not tokens:
        raise AnswerError(f"type {what}, e.g. '1' or '1 3'")
    picked = []
    for token in tokens:
        if not token.isdigit() or not 1 <= int(token) <= count:
            raise AnswerError(f"{token!r} is not a number from 1 to {count}")
        picked.append(int(token) - 1)
    return picked


def parse_number(text: str) -> float:
    """'$18.67', '18.67 USD', '1,234.5' -> a float."""
    cleaned = text.strip().replace(",", "").replace("$", "").replace("_", "")
    cleaned = re.sub(r"\s*[A-Za-z/%-]+\s*$", "", cleaned)
    try:
        return float(cleaned)
    except ValueError:
        raise AnswerError(f"a number such as 18.67 (got {text.strip()!r})") from None


def parse_fit(text: str) -> bool:
    word = text.strip().lower().replace(" ", "")
    if word in _FIT:
        return True
    if word in _NOT_FIT:
        return False
    raise AnswerError("'fit' or 'not' (y/n)")


def parse_answer(
    instance: QuestionInstance, text: str
) -> ChoiceAnswer | ChoicesAnswer | NumberAnswer | OrderAnswer | ScenarioAnswer:
    """Typed text -> an answer for every type except open (which needs the rubric step)."""
    count = len(instance.options)
    if instance.type == "single":
        picked = parse_numbers(text, count, "the number of one choice")
        if len(picked) != 1:
            raise AnswerError(f"exactly one number from 1 to {count}")
        return ChoiceAnswer(choice=picked[0])
    if instance.type == "multiple":
        picked = parse_numbers(text, count, "the numbers of every correct choice")
        if len(set(picked)) != len(picked):
            raise AnswerError("each choice once")
        return ChoicesAnswer(choices=sorted(picked))
    if instance.type in {"numeric", "cost"}:
        return NumberAnswer(value=parse_number(text))
    if instance.type == "ordering":
        picked = parse_numbers(text, count, f"all {count} step numbers in order")
        if sorted(picked) != list(range(count)):
            raise AnswerError(
                f"every step number 1 to {count} exactly once, e.g. {' '.join(str(i) for i in range(count, 0, -1))}"
            )
        return OrderAnswer(order=picked)
    if instance.type == "scenario":
        words = text.split(maxsplit=1)
        if len(words) != 2:
            raise AnswerError(f"'fit N' or 'not N', where N is the reason (1 to {count})")
        reason = parse_numbers(words[1], count, "the number of the reason")
        if len(reason) != 1:
            raise AnswerError(f"one reason number from 1 to {count}")
        return ScenarioAnswer(fit=parse_fit(words[0]), reason=reason[0])
    raise AnswerError("open answers are typed text followed by a rubric self-score")


def parse_ticks(text: str, count: int) -> list[int]:
    """Rubric self-score: '1 3', 'all' or 'none' (or empty) -> 0-based indexes."""
    word = text.strip().lower()
    if word in {"", "none", "0", "-"}:
        return []
    if word == "all":
        return list(range(count))
    picked = parse_numbers(text, count, "the numbers of the points you made")
    return sorted(set(picked))
