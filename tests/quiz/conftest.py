"""Shared helpers for the quiz tests: the shipped bank and the full-marks answer to any instance."""

import pytest

from serverless_tutor.quiz.answers import (
    ChoiceAnswer,
    ChoicesAnswer,
    NumberAnswer,
    OpenAnswer,
    OrderAnswer,
    ScenarioAnswer,
)
from serverless_tutor.quiz.bank import shipped_bank
from serverless_tutor.quiz.models import QuestionInstance


def full_marks(instance: QuestionInstance):
    """The answer model that scores 1 on this instance."""
    kind = instance.type
    if kind == "single":
        return ChoiceAnswer(choice=instance.correct[0])
    if kind == "multiple":
        return ChoicesAnswer(choices=list(instance.correct))
    if kind in {"numeric", "cost"}:
        return NumberAnswer(value=instance.answer)
    if kind == "ordering":
        return OrderAnswer(order=list(instance.correct))
    if kind == "scenario":
        return ScenarioAnswer(fit=bool(instance.fit), reason=instance.correct[0])
    return OpenAnswer(text="my answer", ticked=list(range(len(instance.rubric))))


def full_marks_lines(instance: QuestionInstance) -> list[str]:
    """What a learner types at the CLI prompts to score 1 (1-based numbers)."""
    kind = instance.type
    if kind == "single":
        return [str(instance.correct[0] + 1)]
    if kind == "multiple":
        return [" ".join(str(i + 1) for i in instance.correct)]
    if kind in {"numeric", "cost"}:
        return [f"{instance.answer:.6f}"]
    if kind == "ordering":
        return [" ".join(str(i + 1) for i in instance.correct)]
    if kind == "scenario":
        return ["fit" if instance.fit else "not", str(instance.correct[0] + 1)]
    return ["My answer, first line.", "Second line.", "", "all"]


@pytest.fixture(scope="session")
def bank():
    return shipped_bank()


@pytest.fixture
def right_answer():
    return full_marks


@pytest.fixture
def right_lines():
    return full_marks_lines
