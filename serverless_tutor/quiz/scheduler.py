"""Spaced repetition with FSRS (the `fsrs` package, as Anki uses).

Each answered question has an FSRS card. A grade becomes a rating: a miss is
Again (back in about a minute, in the learning steps), a partial answer is Hard,
a full one is Good. The review queue is the cards due now, missed ones first,
then the rest by due time, so a missed card always comes back before a known one.

Fuzzing is off: FSRS fuzzes long intervals with `random`, which would make the
queue differ between two runs with the same seed; with a bank of ~100 cards the
clumping fuzz prevents does not matter.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler, State

from serverless_tutor.quiz.scoring import PASS_MARK, Grade
from serverless_tutor.quiz.state import CardState, QuizState


def utc_now() -> datetime:
    return datetime.now(UTC)


def rating_for(grade: Grade) -> Rating:
    if grade.score >= 1.0:
        return Rating.Good
    if grade.correct or grade.score >= PASS_MARK:
        return Rating.Hard
    return Rating.Again


class ReviewScheduler:
    def __init__(self, state: QuizState, desired_retention: float = 0.9):
        self.state = state
        self._fsrs = Scheduler(desired_retention=desired_retention, enable_fuzzing=False)

    def record(self, question_id: str, grade: Grade, at: datetime | None = None) -> CardState:
        """Apply one answer to the question's card and store the new card in the state."""
        at = _aware(at or utc_now())
        previous = self.state.cards.get(question_id)
        card = _to_fsrs(previous) if previous else Card(card_id=_card_id(question_id), due=at)
        rating = rating_for(grade)
        updated, _log = self._fsrs.review_card(card, rating, at)
        # fsrs serializes its dates as ISO text; validation turns them back into datetimes.
        stored = CardState.model_validate(
            {
                **updated.to_dict(),
                "last_rating": int(rating),
                "last_score": grade.score,
                "reviews": (previous.reviews if previous else 0) + 1,
                "misses": (previous.misses if previous else 0)
                + (1 if rating == Rating.Again else 0),
            }
        )
        self.state.cards[question_id] = stored
        return stored

    def due(self, at: datetime | None = None, among: Iterable[str] | None = None) -> list[str]:
        """Question ids due at `at`: missed last time first, then by due time (earliest first)."""
        at = _aware(at or utc_now())
        allowed = set(among) if among is not None else None
        due = [
            (question_id, card)
            for question_id, card in self.state.cards.items()
            if _aware(card.due) <= at and (allowed is None or question_id in allowed)
        ]
        due.sort(
            key=lambda item: (
                item[1].last_rating != int(Rating.Again),
                _aware(item[1].due),
                item[0],
            )
        )
        return [question_id for question_id, _ in due]

    def next_due(self, among: Iterable[str] | None = None) -> datetime | None:
        allowed = set(among) if among is not None else None
        dues = [
            _aware(c.due) for q, c in self.state.cards.items() if allowed is None or q in allowed
        ]
        return min(dues) if dues else None

    def retrievability(self, question_id: str, at: datetime | None = None) -> float | None:
        """FSRS's estimate of the chance the learner still knows it (None if never answered)."""
        card = self.state.cards.get(question_id)
        if card is None:
            return None
        return self._fsrs.get_card_retrievability(_to_fsrs(card), _aware(at or utc_now()))


def _card_id(question_id: str) -> int:
    # Stable across runs (unlike hash()); fsrs only needs an int.
    return zlib.crc32(question_id.encode("utf-8"))


def _to_fsrs(card: CardState) -> Card:
    return Card(
        card_id=card.card_id,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=_aware(card.due),
        last_review=_aware(card.last_review) if card.last_review else None,
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
