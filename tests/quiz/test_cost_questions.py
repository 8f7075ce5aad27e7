"""Generated cost questions draw fresh inputs per seed and agree with the pricing engine."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_tutor.pricing import Workload, monthly_bill
from serverless_tutor.quiz.answers import NumberAnswer
from serverless_tutor.quiz.bank import shipped_bank
from serverless_tutor.quiz.instances import draw_cost_inputs, instantiate, question_rng
from serverless_tutor.quiz.models import CostQuestion
from serverless_tutor.quiz.scoring import grade


def cost_questions(bank) -> list[CostQuestion]:
    return [q for q in bank.questions if isinstance(q, CostQuestion)]


def test_the_bank_has_cost_questions_for_several_bill_fields(bank):
    asks = {q.ask for q in cost_questions(bank)}
    assert {"total", "compute_cost", "gb_seconds", "provisioned_cost", "ephemeral_cost"} <= asks


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**9), pick=st.integers(min_value=0, max_value=100))
def test_generated_answer_is_the_pricing_engines(seed, pick):
    questions = cost_questions(shipped_bank())
    question = questions[pick % len(questions)]
    instance = instantiate(question, seed)
    drawn = draw_cost_inputs(question, question_rng(seed, question.id))
    # Build the workload independently of the quiz code, straight from the drawn values.
    fields = {
        k: (Decimal(str(v)) if k in {"duration_ms", "provisioned_hours"} else v)
        for k, v in drawn.items()
    }
    bill = monthly_bill(Workload(**fields))
    expected = getattr(bill, question.ask)
    assert Decimal(str(instance.answer)) == pytest.approx(expected, rel=Decimal("1e-12"))
    # The prompt shows the learner the very numbers that were priced.
    for name, value in drawn.items():
        if isinstance(value, int) and not isinstance(value, bool):
            assert f"{value:,}" in instance.prompt, (name, value, instance.prompt)
    # Answering the engine's figure, rounded as the prompt asks (three significant figures
    # where the tolerance is relative, else cents or whole GB-s), is marked right.
    if question.relative:
        rounded = float(f"{float(expected):.3g}")
    else:
        rounded = round(float(expected), 2 if question.unit == "USD" else 0)
    assert grade(instance, NumberAnswer(value=rounded)).correct
    # The worked explanation is the engine's own itemized bill.
    for line in bill.lines:
        assert line.formula in instance.explanation


def test_inputs_are_drawn_fresh_per_seed_and_repeat_for_the_same_seed(bank):
    question = next(q for q in cost_questions(bank) if q.id == "cost-monthly-total")
    prompts = {instantiate(question, seed).prompt for seed in range(40)}
    assert len(prompts) > 20
    assert instantiate(question, 7) == instantiate(question, 7)


def test_a_wrong_cost_answer_is_marked_wrong(bank):
    question = next(q for q in cost_questions(bank) if q.id == "cost-monthly-total")
    instance = instantiate(question, 3)
    assert not grade(instance, NumberAnswer(value=instance.answer * 1.1)).correct
    assert not grade(instance, NumberAnswer(value=instance.answer + 0.02)).correct


@pytest.mark.parametrize(
    "question_id, workload, field",
    [
        (
            "cost-chapter-example",
            Workload(requests=10_000_000, duration_ms=Decimal(200), memory_mb=512),
            "total",
        ),
        (
            "trade-pay-per-use-box",
            Workload(requests=1_000_000, duration_ms=Decimal(200), memory_mb=512),
            "total",
        ),
        (
            "cost-3008-compute",
            Workload(requests=10_000_000, duration_ms=Decimal(50), memory_mb=3008),
            "compute_cost",
        ),
    ],
)
def test_fixed_cost_answers_in_the_bank_match_the_pricing_engine(
    bank, question_id, workload, field
):
    instance = instantiate(bank.get(question_id), 0)
    engine = getattr(monthly_bill(workload), field)
    assert grade(instance, NumberAnswer(value=float(engine))).correct
    assert abs(Decimal(str(instance.answer)) - engine) < Decimal("0.005")


def test_the_ephemeral_question_is_graded_relative_to_its_small_answer():
    # Its answers run from about $0.02 to $5.87: an absolute cent would accept 40% off.
    question = next(q for q in cost_questions(shipped_bank()) if q.id == "cost-ephemeral")
    assert question.relative
    for seed in range(200):
        instance = instantiate(question, seed)
        if instance.answer is not None and instance.answer < 0.05:
            break
    else:
        pytest.fail("no seed drew a small ephemeral bill")
    answer = instance.answer
    assert grade(instance, NumberAnswer(value=float(f"{answer:.3g}"))).correct
    assert not grade(instance, NumberAnswer(value=answer + 0.01)).correct
