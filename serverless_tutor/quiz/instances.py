"""Turn a bank question into the concrete instance a learner answers.

Everything random (choice order, ordering shuffle, cost inputs) comes from a
`random.Random` seeded with the session seed and the question id, so the same
seed always gives the same instance, whatever order questions are asked in.
Cost answers are computed by the pricing engine, never written in the bank.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from serverless_tutor.quiz.models import (
    CostInput,
    CostQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    OpenQuestion,
    OrderingQuestion,
    Question,
    QuestionInstance,
    QuestionType,
    ScenarioQuestion,
    SingleChoiceQuestion,
    _IntRange,
    decimal_text,
)

if TYPE_CHECKING:
    from serverless_tutor.pricing import Workload


class _CommonFields(TypedDict):
    """The fields every question instance carries, whatever its type."""

    id: str
    type: QuestionType
    section: int
    lesson: str
    topic: str
    prompt: str
    explanation: str
    seed: str


def question_rng(seed: int | str, question_id: str) -> random.Random:
    return random.Random(f"{seed}:{question_id}")


def instantiate(question: Question, seed: int | str = 0) -> QuestionInstance:
    rng = question_rng(seed, question.id)
    common = _CommonFields(
        id=question.id,
        type=question.type,
        section=question.section,
        lesson=question.lesson,
        topic=question.topic_label,
        prompt=question.prompt,
        explanation=question.explanation,
        seed=str(seed),
    )
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        order = _permutation(len(question.choices), rng, question.shuffle)
        right = (
            [question.answer] if isinstance(question, SingleChoiceQuestion) else question.answers
        )
        return QuestionInstance(
            **common,
            options=[question.choices[i] for i in order],
            correct=sorted(order.index(i) for i in right),
        )
    if isinstance(question, OrderingQuestion):
        order = _permutation(len(question.items), rng, True, avoid_identity=True)
        return QuestionInstance(
            **common,
            options=[question.items[i] for i in order],
            correct=[order.index(i) for i in range(len(question.items))],
        )
    if isinstance(question, ScenarioQuestion):
        order = _permutation(len(question.reasons), rng, True)
        return QuestionInstance(
            **common,
            options=[question.reasons[i] for i in order],
            correct=[order.index(question.reason)],
            fit=question.fit,
        )
    if isinstance(question, NumericQuestion):
        return QuestionInstance(
            **common,
            answer=question.answer,
            tolerance=question.tolerance,
            relative=question.relative,
            unit=question.unit,
        )
    if isinstance(question, CostQuestion):
        return _instantiate_cost(question, rng, common)
    if isinstance(question, OpenQuestion):
        return QuestionInstance(
            **common,
            model_answer=question.model_answer,
            rubric=list(question.rubric),
            minutes=question.minutes,
        )
    raise TypeError(f"unknown question type {type(question).__name__}")


def _permutation(
    size: int, rng: random.Random, shuffle: bool, avoid_identity: bool = False
) -> list[int]:
    order = list(range(size))
    if not shuffle:
        return order
    rng.shuffle(order)
    if avoid_identity and order == sorted(order):
        # An ordering question shown already in order gives the answer away.
        order = order[1:] + order[:1]
    return order


def draw_cost_inputs(question: CostQuestion, rng: random.Random) -> dict[str, int | str | bool]:
    """One value per input, in a fixed (sorted) order so draws are reproducible."""
    return {name: _draw(question.inputs[name], rng) for name in sorted(question.inputs)}


def _draw(spec: CostInput, rng: random.Random) -> int | str | bool:
    if isinstance(spec, _IntRange):
        return rng.randrange(spec.min, spec.max + 1, spec.step)
    if isinstance(spec, list):
        return rng.choice(spec)
    return spec


def workload_for(values: dict[str, int | str | bool]) -> Workload:
    """The pricing Workload these drawn values describe."""
    from serverless_tutor.pricing import Workload

    fields: dict[str, object] = dict(values)
    for name in ("duration_ms", "provisioned_hours"):
        if name in fields:
            fields[name] = Decimal(str(fields[name]))
    return Workload.model_validate(fields)


def _instantiate_cost(
    question: CostQuestion, rng: random.Random, common: _CommonFields
) -> QuestionInstance:
    from serverless_tutor.pricing import monthly_bill

    values = draw_cost_inputs(question, rng)
    bill = monthly_bill(workload_for(values))
    answer = Decimal(getattr(bill, question.ask))
    shown = {name: _display(value) for name, value in values.items()}
    worked = "\n".join(f"- {line.label}: {line.formula}" for line in bill.lines)
    explanation = question.explanation
    if worked:
        explanation = f"{explanation}\n\nThis bill, from the pricing engine:\n{worked}"
    fields = common.copy()
    fields["prompt"] = question.prompt.format(**shown)
    fields["explanation"] = explanation
    return QuestionInstance(
        **fields,
        answer=float(answer),
        tolerance=question.tolerance,
        relative=question.relative,
        unit=question.unit,
        inputs=shown,
    )


def _display(value: int | str | bool) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return decimal_text(value)
    return str(value)
