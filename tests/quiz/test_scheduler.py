"""Spaced repetition (fsrs): missed cards come back before known ones; state survives the progress store."""

from datetime import UTC, datetime, timedelta

from fsrs import Rating

from serverless_tutor.progress import Progress, ProgressStore
from serverless_tutor.quiz.scheduler import ReviewScheduler, rating_for
from serverless_tutor.quiz.scoring import Grade
from serverless_tutor.quiz.state import QuizState

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def result(score: float, correct: bool | None = None) -> Grade:
    return Grade(
        question_id="x",
        correct=score >= 1 if correct is None else correct,
        score=score,
        given="",
        expected="",
        explanation="",
        lesson="cold-starts",
    )


def test_ratings_follow_the_score():
    assert rating_for(result(1)) == Rating.Good
    assert rating_for(result(0.75, correct=True)) == Rating.Hard
    assert rating_for(result(0.5)) == Rating.Again
    assert rating_for(result(0)) == Rating.Again


def test_a_missed_card_comes_back_before_a_known_one():
    scheduler = ReviewScheduler(QuizState())
    missed = scheduler.record("missed", result(0), T0)
    known = scheduler.record("known", result(1), T0)
    assert missed.due < known.due
    # A few minutes later only the missed card is due.
    assert scheduler.due(T0 + timedelta(minutes=5)) == ["missed"]
    # Later, when both are due, the missed one is still first.
    assert scheduler.due(T0 + timedelta(hours=1)) == ["missed", "known"]


def test_missed_cards_lead_the_queue_even_when_a_known_card_fell_due_earlier():
    scheduler = ReviewScheduler(QuizState())
    scheduler.record("known", result(1), T0)
    scheduler.record("slipped", result(1), T0)
    # Both learnt; then "slipped" is missed in a later review.
    later = T0 + timedelta(minutes=20)
    scheduler.record("slipped", result(0), later)
    state = scheduler.state
    assert state.cards["known"].due < state.cards["slipped"].due
    assert scheduler.due(later + timedelta(hours=2)) == ["slipped", "known"]


def test_a_known_card_is_pushed_out_by_days_a_missed_one_relearns_in_minutes():
    scheduler = ReviewScheduler(QuizState())
    at = T0
    for _ in range(3):
        card = scheduler.record("steady", result(1), at)
        at = card.due
    assert card.due - T0 > timedelta(days=2)
    lapse = scheduler.record("steady", result(0), card.due)
    assert lapse.due - card.due <= timedelta(minutes=10)
    assert (lapse.reviews, lapse.misses, lapse.last_rating) == (4, 1, int(Rating.Again))


def test_due_can_be_limited_to_some_questions_and_next_due_reports_the_earliest():
    scheduler = ReviewScheduler(QuizState())
    scheduler.record("a", result(0), T0)
    scheduler.record("b", result(0), T0 + timedelta(minutes=1))
    assert scheduler.due(T0 + timedelta(hours=1), among=["b"]) == ["b"]
    assert scheduler.next_due() == scheduler.state.cards["a"].due
    assert scheduler.next_due(among=["b"]) == scheduler.state.cards["b"].due
    assert scheduler.next_due(among=["nothing"]) is None


def test_quiz_state_round_trips_through_the_progress_store(tmp_path):
    store = ProgressStore(tmp_path)
    progress = Progress()
    scheduler = ReviewScheduler(progress.quiz)
    scheduler.record("cold-start-steps", result(0), T0)
    scheduler.record("cost-levers", result(1), T0)
    store.save(progress)
    loaded = store.load()
    assert loaded.notice is None
    reloaded = ReviewScheduler(loaded.progress.quiz)
    assert reloaded.due(T0 + timedelta(hours=1)) == ["cold-start-steps", "cost-levers"]
    # The reloaded card keeps scheduling exactly as the original would.
    assert reloaded.record(
        "cold-start-steps", result(1), T0 + timedelta(hours=1)
    ) == scheduler.record("cold-start-steps", result(1), T0 + timedelta(hours=1))


def test_unknown_quiz_keys_survive_a_save(tmp_path):
    store = ProgressStore(tmp_path)
    (tmp_path / "progress.json").write_text(
        '{"quiz": {"cards": {}, "from_the_future": [1, 2]}}', encoding="utf-8"
    )
    progress = store.load().progress
    store.save(progress)
    assert store.load().progress.quiz.model_extra == {"from_the_future": [1, 2]}
