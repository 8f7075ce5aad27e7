"""One quiz session: practice by section, the review queue, or a mock interview.

The session picks the questions, hands them out one at a time, grades each
answer, feeds the spaced-repetition scheduler and sums up at the end. It never
prints and never saves: the CLI and the TUI drive it and save the progress store
after each answer.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from serverless_tutor.quiz.answers import Answer
from serverless_tutor.quiz.bank import Bank
from serverless_tutor.quiz.instances import instantiate
from serverless_tutor.quiz.models import (
    SECTION_LESSONS,
    SECTION_TITLES,
    OpenQuestion,
    Question,
    QuestionInstance,
)
from serverless_tutor.quiz.scheduler import ReviewScheduler, utc_now
from serverless_tutor.quiz.scoring import PASS_MARK, Grade, grade
from serverless_tutor.quiz.state import QuizState

Mode = Literal["practice", "review", "interview"]
MODES: tuple[Mode, ...] = ("practice", "review", "interview")
DEFAULT_COUNT: dict[str, int] = {"practice": 10, "review": 20, "interview": 7}
WEAKEST_LIMIT = 3


class AnswerRecord(BaseModel):
    question: QuestionInstance
    answer: Answer
    grade: Grade
    seconds: float = Field(
        ge=0, description="time from showing the question to submitting the answer"
    )


class GroupScore(BaseModel):
    """Score for a topic or a section: `score` points out of `answered`."""

    key: str
    title: str
    lesson: str | None = None
    answered: int
    score: float
    percent: float


class SessionSummary(BaseModel):
    mode: Mode
    seed: int
    section: int | None
    asked: int
    answered: int
    score: float
    percent: float
    seconds: float
    by_topic: list[GroupScore]
    by_section: list[GroupScore]
    weakest_sections: list[GroupScore] = Field(
        description="sections under the pass mark, weakest first"
    )
    lessons_to_revisit: list[str] = Field(
        description="lesson ids behind the questions missed, in chapter order"
    )
    missed: list[str]
    next_due: datetime | None = None


def select_questions(
    bank: Bank,
    scheduler: ReviewScheduler,
    mode: Mode,
    section: int | None,
    count: int,
    seed: int,
    now: datetime,
) -> list[Question]:
    pool = bank.in_section(section)
    rng = random.Random(f"{seed}:select")
    if mode == "review":
        due = scheduler.due(now, among=[q.id for q in pool])
        return [bank.get(question_id) for question_id in due[:count]]
    if mode == "interview":
        opens = [q for q in pool if isinstance(q, OpenQuestion)]
        common = [q for q in opens if q.common]
        others = [q for q in opens if not q.common]
        rng.shuffle(others)
        selected: list[Question] = [*common, *others]
        return selected[:count]
    shuffled = list(pool)
    rng.shuffle(shuffled)
    cards = scheduler.state.cards

    def priority(question: Question) -> int:
        card = cards.get(question.id)
        if card is None:
            return 0  # never seen
        return 1 if card.last_rating == 1 else 2  # missed last time, then known

    shuffled.sort(key=priority)
    return shuffled[:count]


class QuizSession:
    def __init__(
        self,
        bank: Bank,
        state: QuizState,
        *,
        mode: Mode = "practice",
        section: int | None = None,
        count: int | None = None,
        seed: int | None = None,
        now: Callable[[], datetime] = utc_now,
        clock: Callable[[], float] = time.monotonic,
    ):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
        if section is not None and section not in SECTION_TITLES:
            raise ValueError(f"section must be 1 to 12; got {section}")
        if count is not None and count < 1:
            raise ValueError(f"count must be at least 1; got {count}")
        self.bank = bank
        self.state = state
        self.mode: Mode = mode
        self.section = section
        self.seed = seed if seed is not None else random.SystemRandom().randrange(1_000_000)
        self.scheduler = ReviewScheduler(state)
        self._now = now
        self._clock = clock
        self.started_at = now()
        chosen = select_questions(
            bank,
            self.scheduler,
            mode,
            section,
            count or DEFAULT_COUNT[mode],
            self.seed,
            self.started_at,
        )
        self.instances: list[QuestionInstance] = [instantiate(q, self.seed) for q in chosen]
        self.records: list[AnswerRecord] = []
        self._index = 0
        self._answered_current = False
        self._stopped_at: float | None = None
        self._session_started = clock()
        self._question_started = clock()

    @property
    def total(self) -> int:
        return len(self.instances)

    @property
    def position(self) -> int:
        """1-based number of the current question."""
        return self._index + 1

    @property
    def finished(self) -> bool:
        return self._index >= len(self.instances)

    @property
    def current(self) -> QuestionInstance | None:
        return None if self.finished else self.instances[self._index]

    @property
    def answered_current(self) -> bool:
        return self._answered_current

    def begin_question(self) -> None:
        """Restart the current question's clock (call when it is actually shown)."""
        self._question_started = self._clock()
        self._stopped_at = None

    def stop_clock(self) -> float:
        """Stop the current question's clock, e.g. when an open answer is finished but not yet self-scored."""
        if self._stopped_at is None:
            self._stopped_at = self._clock()
        return self.elapsed()

    def elapsed(self) -> float:
        """Seconds spent on the current question so far (frozen once stopped or answered)."""
        end = self._stopped_at if self._stopped_at is not None else self._clock()
        return max(0.0, end - self._question_started)

    def submit(self, answer: Answer) -> Grade:
        question = self.current
        if question is None:
            raise RuntimeError("the session is over; there is no question to answer")
        if self._answered_current:
            raise RuntimeError(f"question {question.id} is already answered; call advance()")
        result = grade(question, answer)
        seconds = self.stop_clock()
        self.records.append(
            AnswerRecord(question=question, answer=answer, grade=result, seconds=seconds)
        )
        self.scheduler.record(question.id, result, self._now())
        self._answered_current = True
        return result

    def advance(self) -> QuestionInstance | None:
        """Move to the next question (answered or skipped) and start its clock."""
        if not self.finished:
            self._index += 1
        self._answered_current = False
        self.begin_question()
        return self.current

    def summary(self) -> SessionSummary:
        records = self.records
        score = sum(r.grade.score for r in records)
        by_topic = _group(
            records,
            key=lambda r: r.question.topic,
            title=lambda r: r.question.topic,
            lesson=lambda r: r.question.lesson,
        )
        by_section = _group(
            records,
            key=lambda r: str(r.question.section),
            title=lambda r: SECTION_TITLES[r.question.section],
            lesson=lambda r: SECTION_LESSONS[r.question.section],
        )
        by_section.sort(key=lambda g: int(g.key))
        weakest = sorted(
            (g for g in by_section if g.percent < PASS_MARK * 100),
            key=lambda g: (g.percent, int(g.key)),
        )
        missed = [r for r in records if not r.grade.correct]
        lessons: list[str] = []
        for record in sorted(missed, key=lambda r: r.question.section):
            if record.question.lesson not in lessons:
                lessons.append(record.question.lesson)
        pool_ids = [q.id for q in self.bank.in_section(self.section)]
        return SessionSummary(
            mode=self.mode,
            seed=self.seed,
            section=self.section,
            asked=self.total,
            answered=len(records),
            score=round(score, 3),
            percent=round(100 * score / len(records), 1) if records else 0.0,
            seconds=round(self._clock() - self._session_started, 1),
            by_topic=by_topic,
            by_section=by_section,
            weakest_sections=weakest[:WEAKEST_LIMIT],
            lessons_to_revisit=lessons,
            missed=[r.question.id for r in missed],
            next_due=self.scheduler.next_due(among=pool_ids),
        )


def _group(
    records: list[AnswerRecord],
    key: Callable[[AnswerRecord], str],
    title: Callable[[AnswerRecord], str],
    lesson: Callable[[AnswerRecord], str],
) -> list[GroupScore]:
    groups: dict[str, list[AnswerRecord]] = {}
    for record in records:
        groups.setdefault(key(record), []).append(record)
    result = []
    for group_key, items in groups.items():
        total = sum(r.grade.score for r in items)
        result.append(
            GroupScore(
                key=group_key,
                title=title(items[0]),
                lesson=lesson(items[0]),
                answered=len(items),
                score=round(total, 3),
                percent=round(100 * total / len(items), 1),
            )
        )
    return result
