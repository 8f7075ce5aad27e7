"""Grade one answer to one question instance.

Every type yields a score from 0 to 1 and a verdict:
- single: 1 if the choice is the right one.
- multiple: right picks minus wrong picks, over the number of right choices (not below 0);
  correct only when the picks are exactly the right set.
- numeric and cost: 1 within the tolerance (absolute, or a fraction of the answer).
- ordering: the share of steps in their right place; correct only when all are.
- scenario: 1 for the right verdict and the deciding reason, 0.5 for the verdict alone.
- open: the share of rubric points the learner ticked; correct from PASS_MARK up.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from serverless_tutor.quiz.answers import (
    ANSWER_KIND,
    Answer,
    AnswerError,
    ChoiceAnswer,
    ChoicesAnswer,
    NumberAnswer,
    OpenAnswer,
    OrderAnswer,
    ScenarioAnswer,
)
from serverless_tutor.quiz.models import QuestionInstance

PASS_MARK = 0.7


class Grade(BaseModel):
    question_id: str
    correct: bool
    score: float = Field(ge=0, le=1)
    given: str = Field(description="the learner's answer, readable")
    expected: str = Field(description="the right answer, readable")
    explanation: str
    lesson: str


def grade(
    instance: QuestionInstance,
    answer: ChoiceAnswer | ChoicesAnswer | NumberAnswer | OrderAnswer | ScenarioAnswer | OpenAnswer,
) -> Grade:
    wanted = ANSWER_KIND[instance.type]
    if not isinstance(answer, wanted):
        raise AnswerError(
            f"question {instance.id} ({instance.type}) takes a {wanted.__name__}, not a {type(answer).__name__}"
        )
    score, given = _score(instance, answer)
    return Grade(
        question_id=instance.id,
        correct=score >= (PASS_MARK if instance.type == "open" else 1.0),
        score=score,
        given=given,
        expected=expected_text(instance),
        explanation=instance.explanation,
        lesson=instance.lesson,
    )


def _score(instance: QuestionInstance, answer: Answer) -> tuple[float, str]:
    options = instance.options
    if isinstance(answer, ChoiceAnswer):
        _check_indexes([answer.choice], len(options))
        return (1.0 if answer.choice in instance.correct else 0.0), options[answer.choice]
    if isinstance(answer, ChoicesAnswer):
        _check_indexes(answer.choices, len(options))
        picked, right = set(answer.choices), set(instance.correct)
        score = max(0.0, (len(picked & right) - len(picked - right)) / len(right))
        return score, "; ".join(options[i] for i in sorted(picked)) or "(nothing)"
    if isinstance(answer, NumberAnswer):
        return (1.0 if within_tolerance(instance, answer.value) else 0.0), format_number(
            answer.value, instance.unit
        )
    if isinstance(answer, OrderAnswer):
        if sorted(answer.order) != list(range(len(options))):
            raise AnswerError(f"an order must list each of the {len(options)} steps exactly once")
        in_place = sum(
            1
            for given, right in zip(answer.order, instance.correct, strict=False)
            if given == right
        )
        return in_place / len(options), " -> ".join(options[i] for i in answer.order)
    if isinstance(answer, ScenarioAnswer):
        _check_indexes([answer.reason], len(options))
        verdict_right = answer.fit == instance.fit
        reason_right = answer.reason in instance.correct
        score = 1.0 if verdict_right and reason_right else 0.5 if verdict_right else 0.0
        return score, f"{fit_text(answer.fit)}: {options[answer.reason]}"
    if isinstance(answer, OpenAnswer):
        _check_indexes(answer.ticked, len(instance.rubric))
        ticked = set(answer.ticked)
        return len(ticked) / len(instance.rubric), answer.text.strip() or "(no answer)"
    raise AnswerError(f"unknown answer {type(answer).__name__}")


def _check_indexes(indexes: list[int], count: int) -> None:
    for index in indexes:
        if not 0 <= index < count:
            raise AnswerError(f"choice {index + 1} does not exist; pick 1 to {count}")


def within_tolerance(instance: QuestionInstance, value: float) -> bool:
    if instance.answer is None or instance.tolerance is None or not math.isfinite(value):
        return False
    allowed = instance.tolerance * abs(instance.answer) if instance.relative else instance.tolerance
    # A hair of slack so 18.66 vs 18.6667 with tolerance 0.01 is not lost to float rounding.
    return abs(value - instance.answer) <= allowed + 1e-9 * max(1.0, abs(instance.answer))


def fit_text(fit: bool | None) -> str:
    return "a fit" if fit else "not a fit"


def expected_text(instance: QuestionInstance) -> str:
    options = instance.options
    if instance.type == "single":
        return options[instance.correct[0]]
    if instance.type == "multiple":
        return "; ".join(options[i] for i in instance.correct)
    if instance.type in {"numeric", "cost"}:
        assert instance.answer is not None and instance.tolerance is not None
        allowed = (
            f"{instance.tolerance:.1%}"
            if instance.relative
            else format_number(instance.tolerance, instance.unit)
        )
        return (
            f"{format_number(instance.answer, instance.unit)} (within {allowed})"
            if instance.tolerance
            else format_number(instance.answer, instance.unit)
        )
    if instance.type == "ordering":
        return " -> ".join(options[i] for i in instance.correct)
    if instance.type == "scenario":
        return f"{fit_text(instance.fit)}: {options[instance.correct[0]]}"
    return instance.model_answer or ""


def format_number(value: float, unit: str = "") -> str:
    if not math.isfinite(value):
        return f"{value} {unit}".strip()
    if unit == "USD":
        if abs(value) >= 0.995 or value == 0:
            return f"${value:,.2f}"
        # Small amounts keep up to four decimals ($0.0042) but at least cents ($0.01, not $0.0100).
        decimals = f"{value:.4f}".rstrip("0").split(".")[1]
        return f"${value:,.{max(2, len(decimals))}f}"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()
