"""Quiz sessions: what each mode asks, the summary, and the Markdown export."""

from datetime import UTC, datetime, timedelta

import pytest

from serverless_tutor.quiz.answers import OpenAnswer
from serverless_tutor.quiz.export import (
    default_markdown_path,
    save_session_markdown,
    session_markdown,
)
from serverless_tutor.quiz.scheduler import ReviewScheduler
from serverless_tutor.quiz.scoring import Grade
from serverless_tutor.quiz.session import QuizSession
from serverless_tutor.quiz.state import QuizState

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class ManualClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def zero(question_id: str) -> Grade:
    return Grade(
        question_id=question_id,
        correct=False,
        score=0,
        given="",
        expected="",
        explanation="",
        lesson="faas",
    )


def test_practice_asks_count_questions_from_the_section(bank):
    session = QuizSession(
        bank, QuizState(), mode="practice", section=6, count=4, seed=1, now=lambda: T0
    )
    assert session.total == 4
    assert {q.section for q in session.instances} == {6}
    assert len({q.id for q in session.instances}) == 4


def test_the_same_seed_asks_the_same_questions_the_same_way(bank):
    first = QuizSession(bank, QuizState(), section=9, count=6, seed=42, now=lambda: T0)
    second = QuizSession(bank, QuizState(), section=9, count=6, seed=42, now=lambda: T0)
    assert first.instances == second.instances
    other = QuizSession(bank, QuizState(), section=9, count=6, seed=43, now=lambda: T0)
    assert other.instances != first.instances


def test_practice_prefers_unseen_then_missed_questions(bank):
    state = QuizState()
    scheduler = ReviewScheduler(state)
    section_ids = [q.id for q in bank.in_section(3)]
    *seen, unseen = section_ids
    for question_id in seen:
        scheduler.record(
            question_id, zero(question_id) if question_id == seen[0] else _full(question_id), T0
        )
    session = QuizSession(bank, state, section=3, count=2, seed=5, now=lambda: T0)
    assert [q.id for q in session.instances] == [unseen, seen[0]]


def _full(question_id: str) -> Grade:
    return Grade(
        question_id=question_id,
        correct=True,
        score=1,
        given="",
        expected="",
        explanation="",
        lesson="faas",
    )


def test_review_asks_due_cards_missed_first(bank):
    state = QuizState()
    scheduler = ReviewScheduler(state)
    scheduler.record("cost-levers", _full("cost-levers"), T0)
    scheduler.record("cold-start-steps", zero("cold-start-steps"), T0)
    scheduler.record(
        "faas-definition", _full("faas-definition"), T0 + timedelta(days=30)
    )  # not due yet
    session = QuizSession(bank, state, mode="review", seed=1, now=lambda: T0 + timedelta(hours=1))
    assert [q.id for q in session.instances] == ["cold-start-steps", "cost-levers"]
    assert (
        QuizSession(
            bank, state, mode="review", section=9, now=lambda: T0 + timedelta(hours=1)
        ).total
        == 1
    )
    assert QuizSession(bank, QuizState(), mode="review").total == 0


def test_interview_starts_with_the_five_common_questions_then_more_open_ones(bank):
    session = QuizSession(bank, QuizState(), mode="interview", count=8, seed=3, now=lambda: T0)
    ids = [q.id for q in session.instances]
    assert ids[:5] == [
        "interview-what-is-serverless",
        "interview-cold-starts",
        "interview-when-not",
        "interview-pricing",
        "interview-lambda-vs-ec2",
    ]
    assert len(ids) == 8 and len(set(ids)) == 8
    assert {q.type for q in session.instances} == {"open"}


def test_a_full_session_feeds_the_scheduler_and_sums_up_by_topic_and_section(bank, right_answer):
    clock = ManualClock()
    state = QuizState()
    session = QuizSession(
        bank, state, mode="practice", section=None, count=6, seed=8, now=lambda: T0, clock=clock
    )
    wrong_ids = []
    for index, question in enumerate(session.instances):
        clock.now += 10
        if index % 2:
            session.submit(right_answer(question))
        else:
            wrong_ids.append(question.id)
            session.submit(_wrong(question, right_answer))
        session.advance()
    assert session.finished and session.current is None
    summary = session.summary()
    assert (summary.answered, summary.asked) == (6, 6)
    assert summary.missed == wrong_ids
    assert set(state.cards) == {q.id for q in session.instances}
    assert sum(g.answered for g in summary.by_topic) == 6
    assert sum(g.answered for g in summary.by_section) == 6
    assert [g.key for g in summary.by_section] == sorted(
        (g.key for g in summary.by_section), key=int
    )
    missed_lessons = {q.lesson for q in session.instances if q.id in wrong_ids}
    assert set(summary.lessons_to_revisit) == missed_lessons
    assert all(g.percent < 70 for g in summary.weakest_sections)
    assert summary.weakest_sections == sorted(
        summary.weakest_sections, key=lambda g: (g.percent, int(g.key))
    )
    assert all(r.seconds == 10 for r in session.records)


def _wrong(question, right_answer):
    """A zero-score answer for any type."""
    from serverless_tutor.quiz.answers import (
        ChoiceAnswer,
        ChoicesAnswer,
        NumberAnswer,
        OrderAnswer,
        ScenarioAnswer,
    )

    kind = question.type
    if kind == "single":
        return ChoiceAnswer(
            choice=next(i for i in range(len(question.options)) if i not in question.correct)
        )
    if kind == "multiple":
        return ChoicesAnswer(
            choices=[i for i in range(len(question.options)) if i not in question.correct][:1]
        )
    if kind in {"numeric", "cost"}:
        return NumberAnswer(value=(question.answer or 0) * 3 + 1000)
    if kind == "ordering":
        return OrderAnswer(order=list(reversed(question.correct)))
    if kind == "scenario":
        return ScenarioAnswer(fit=not question.fit, reason=question.correct[0])
    return OpenAnswer(text="no idea", ticked=[])


def test_an_answered_question_cannot_be_answered_twice(bank, right_answer):
    session = QuizSession(bank, QuizState(), section=1, count=2, seed=1)
    session.submit(right_answer(session.current))
    with pytest.raises(RuntimeError, match="already answered"):
        session.submit(right_answer(session.current))


def test_bad_session_arguments_are_refused(bank):
    with pytest.raises(ValueError, match="mode"):
        QuizSession(bank, QuizState(), mode="exam")
    with pytest.raises(ValueError, match="section"):
        QuizSession(bank, QuizState(), section=13)
    with pytest.raises(ValueError, match="count"):
        QuizSession(bank, QuizState(), count=0)


def test_the_clock_stops_when_an_open_answer_is_finished(bank):
    clock = ManualClock()
    session = QuizSession(bank, QuizState(), mode="interview", count=1, seed=1, clock=clock)
    session.begin_question()
    clock.now += 95
    assert session.stop_clock() == 95
    clock.now += 30  # time spent ticking the rubric does not count
    session.submit(OpenAnswer(text="Servers are managed for you.", ticked=[0, 1, 2, 3]))
    assert session.records[0].seconds == 95


def test_interview_markdown_has_every_answer_rubric_and_summary(bank, tmp_path):
    clock = ManualClock()
    session = QuizSession(
        bank, QuizState(), mode="interview", count=2, seed=1, now=lambda: T0, clock=clock
    )
    first, second = session.instances
    clock.now += 75
    session.submit(
        OpenAnswer(text="It means no servers to manage.\n\nAnd pay per use.", ticked=[0, 1])
    )
    session.advance()
    session.submit(OpenAnswer(text="Cold starts are slow first calls.", ticked=[0, 1, 2, 3, 4, 5]))
    session.advance()
    text = session_markdown(session)
    assert text.startswith("# Mock interview: 2026-03-01 09:00 UTC")
    assert f"## 1. {first.prompt}" in text and f"## 2. {second.prompt}" in text
    assert "> It means no servers to manage.\n>\n> And pay per use." in text
    assert "1:15 of 3:00 suggested" in text
    assert f"- [x] {first.rubric[0]}" in text and f"- [ ] {first.rubric[2]}" in text
    assert first.model_answer in text
    assert "| Serverless basics | 1 | 40% |" in text
    assert "No section under the pass mark." in text  # (40% + 100%) / 2 = 70%, the pass mark
    assert "Lessons to revisit: `introduction`." in text
    path = save_session_markdown(session, default_markdown_path(session, tmp_path))
    assert path == tmp_path / "interviews" / "interview-20260301-090000.md"
    assert path.read_text(encoding="utf-8") == text
