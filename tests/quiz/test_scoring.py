"""Scoring of every question type, and typed answers turned into answer models."""

import pytest
from pydantic import TypeAdapter

from serverless_tutor.quiz.answers import (
    AnswerError,
    ChoiceAnswer,
    ChoicesAnswer,
    NumberAnswer,
    OpenAnswer,
    OrderAnswer,
    ScenarioAnswer,
    parse_answer,
    parse_number,
    parse_ticks,
)
from serverless_tutor.quiz.instances import instantiate
from serverless_tutor.quiz.models import Question
from serverless_tutor.quiz.scoring import format_number, grade

QUESTION = TypeAdapter(Question)
BASE = {"section": 6, "lesson": "cold-starts", "explanation": "because"}


def make(**fields):
    return instantiate(QUESTION.validate_python({**BASE, **fields}), seed=11)


SINGLE = make(id="s", type="single", prompt="p", choices=["a", "b", "c", "d"], answer=2)
MULTIPLE = make(
    id="m", type="multiple", prompt="p", choices=["a", "b", "c", "d", "e"], answers=[0, 3]
)
NUMERIC = make(id="n", type="numeric", prompt="p", answer=18.67, tolerance=0.01, unit="USD")
RELATIVE = make(id="r", type="numeric", prompt="p", answer=200.0, tolerance=0.05, relative=True)
ORDERING = make(id="o", type="ordering", prompt="p", items=["first", "second", "third", "fourth"])
SCENARIO = make(
    id="c",
    type="scenario",
    prompt="p",
    fit=False,
    reasons=["too long", "too cheap", "too blue"],
    reason=0,
)
OPEN = make(
    id="q", type="open", prompt="p", model_answer="m", rubric=["one", "two", "three", "four"]
)


def display_index(instance, text):
    return instance.options.index(text)


def test_single_choice_scores_the_right_choice_only():
    right = display_index(SINGLE, "c")
    assert grade(SINGLE, ChoiceAnswer(choice=right)).score == 1
    assert grade(SINGLE, ChoiceAnswer(choice=right)).correct
    wrong = display_index(SINGLE, "a")
    result = grade(SINGLE, ChoiceAnswer(choice=wrong))
    assert (result.correct, result.score, result.expected, result.given) == (False, 0, "c", "a")


def test_single_choice_shuffles_but_keeps_the_answer():
    assert sorted(SINGLE.options) == ["a", "b", "c", "d"]
    assert SINGLE.options[SINGLE.correct[0]] == "c"
    assert make(
        id="s", type="single", prompt="p", choices=["a", "b"], answer=1, shuffle=False
    ).options == ["a", "b"]


def test_multiple_choice_exact_set_is_correct_and_extras_cost_points():
    a, d, b = (display_index(MULTIPLE, t) for t in ("a", "d", "b"))
    assert grade(MULTIPLE, ChoicesAnswer(choices=[a, d])).correct
    half = grade(MULTIPLE, ChoicesAnswer(choices=[a]))
    assert (half.correct, half.score) == (False, 0.5)
    one_right_one_wrong = grade(MULTIPLE, ChoicesAnswer(choices=[a, b]))
    assert one_right_one_wrong.score == 0
    all_right_plus_extra = grade(MULTIPLE, ChoicesAnswer(choices=[a, d, b]))
    assert (all_right_plus_extra.correct, all_right_plus_extra.score) == (False, 0.5)


@pytest.mark.parametrize(
    "value, right",
    [
        (18.67, True),
        (18.666667, True),
        (18.68, True),
        (18.66, True),
        (18.6801, False),
        (18.0, False),
        (float("nan"), False),
    ],
)
def test_numeric_absolute_tolerance(value, right):
    assert grade(NUMERIC, NumberAnswer(value=value)).correct is right


@pytest.mark.parametrize(
    "value, right", [(200, True), (210, True), (190, True), (210.5, False), (189, False)]
)
def test_numeric_relative_tolerance(value, right):
    assert grade(RELATIVE, NumberAnswer(value=value)).correct is right


def test_numeric_expected_text_names_the_tolerance():
    assert grade(NUMERIC, NumberAnswer(value=1)).expected == "$18.67 (within $0.01)"
    assert grade(RELATIVE, NumberAnswer(value=1)).expected == "200 (within 5.0%)"


def test_ordering_full_order_is_correct_and_partial_counts_places():
    assert ORDERING.options != ["first", "second", "third", "fourth"], "shown already in order"
    right = [display_index(ORDERING, t) for t in ("first", "second", "third", "fourth")]
    assert right == ORDERING.correct
    assert grade(ORDERING, OrderAnswer(order=right)).correct
    swapped_last_two = [*right[:2], right[3], right[2]]
    result = grade(ORDERING, OrderAnswer(order=swapped_last_two))
    assert (result.correct, result.score) == (False, 0.5)
    with pytest.raises(AnswerError):
        grade(ORDERING, OrderAnswer(order=[0, 0, 1, 2]))


def test_scenario_needs_verdict_and_reason():
    reason = display_index(SCENARIO, "too long")
    other = display_index(SCENARIO, "too cheap")
    assert grade(SCENARIO, ScenarioAnswer(fit=False, reason=reason)).score == 1
    assert grade(SCENARIO, ScenarioAnswer(fit=False, reason=other)).score == 0.5
    assert grade(SCENARIO, ScenarioAnswer(fit=True, reason=reason)).score == 0
    assert (
        grade(SCENARIO, ScenarioAnswer(fit=False, reason=other)).expected == "not a fit: too long"
    )


def test_open_answer_is_self_scored_against_the_rubric():
    full = grade(OPEN, OpenAnswer(text="x", ticked=[0, 1, 2, 3]))
    assert (full.correct, full.score, full.expected) == (True, 1, "m")
    three = grade(OPEN, OpenAnswer(text="x", ticked=[0, 1, 3]))
    assert (three.correct, three.score) == (True, 0.75)
    two = grade(OPEN, OpenAnswer(text="x", ticked=[1, 2]))
    assert (two.correct, two.score) == (False, 0.5)
    with pytest.raises(AnswerError):
        grade(OPEN, OpenAnswer(text="x", ticked=[4]))


def test_an_answer_of_the_wrong_kind_is_refused():
    with pytest.raises(AnswerError, match="takes a ChoiceAnswer"):
        grade(SINGLE, NumberAnswer(value=1))


@pytest.mark.parametrize(
    "value, text",
    [(0.01, "$0.01"), (0.0042, "$0.0042"), (0.5, "$0.50"), (1234.5, "$1,234.50"), (0, "$0.00")],
)
def test_usd_amounts_are_shown_with_cents_and_small_ones_with_more_digits(value, text):
    assert format_number(value, "USD") == text


def test_out_of_range_choice_is_refused():
    with pytest.raises(AnswerError, match="pick 1 to 4"):
        grade(SINGLE, ChoiceAnswer(choice=7))


@pytest.mark.parametrize(
    "text, value",
    [
        ("18.67", 18.67),
        ("$18.67", 18.67),
        ("1,234.5", 1234.5),
        ("147 ms", 147),
        ("18.67 USD", 18.67),
        (" 3 ", 3),
        ("1e3", 1000),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_parse_answer_for_each_type():
    assert parse_answer(SINGLE, "3") == ChoiceAnswer(choice=2)
    assert parse_answer(MULTIPLE, "4, 1") == ChoicesAnswer(choices=[0, 3])
    assert parse_answer(NUMERIC, "$18.70") == NumberAnswer(value=18.7)
    assert parse_answer(ORDERING, "4 3 2 1") == OrderAnswer(order=[3, 2, 1, 0])
    assert parse_answer(SCENARIO, "not 2") == ScenarioAnswer(fit=False, reason=1)
    assert parse_answer(SCENARIO, "fit 1") == ScenarioAnswer(fit=True, reason=0)
    assert parse_ticks("all", 4) == [0, 1, 2, 3]
    assert parse_ticks("none", 4) == []
    assert parse_ticks("3 1 3", 4) == [0, 2]


@pytest.mark.parametrize(
    "instance, text, message",
    [
        (SINGLE, "5", "from 1 to 4"),
        (SINGLE, "1 2", "exactly one"),
        (SINGLE, "", "type the number"),
        (MULTIPLE, "1 1", "each choice once"),
        (NUMERIC, "lots", "a number"),
        (ORDERING, "1 2 3", "exactly once"),
        (SCENARIO, "maybe 1", "'fit' or 'not'"),
        (SCENARIO, "fit", "'fit N'"),
    ],
)
def test_parse_answer_errors_say_what_was_expected(instance, text, message):
    with pytest.raises(AnswerError, match=message):
        parse_answer(instance, text)
