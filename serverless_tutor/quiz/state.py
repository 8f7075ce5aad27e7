"""Quiz state kept in the progress store (Progress.quiz). Plain pydantic, no fsrs import.

`cards` holds one FSRS card per question the learner has answered (same fields as
`fsrs.Card.to_dict()`, plus a few counters for the summary screens).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CardState(BaseModel):
    model_config = ConfigDict(extra="allow")

    card_id: int
    state: int = Field(description="fsrs.State: 1 learning, 2 review, 3 relearning")
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime
    last_review: datetime | None = None
    last_rating: int | None = Field(
        default=None, description="fsrs.Rating of the last answer: 1 again, 2 hard, 3 good"
    )
    last_score: float | None = None
    reviews: int = 0
    misses: int = 0


class QuizState(BaseModel):
    # Unknown keys are kept, as in Progress, so a newer version's data survives a save.
    model_config = ConfigDict(extra="allow")

    version: int = 1
    cards: dict[str, CardState] = Field(
        default_factory=dict, description="question id -> its spaced-repetition card"
    )
    interviews: list[str] = Field(
        default_factory=list, description="Markdown files of saved mock interviews"
    )
