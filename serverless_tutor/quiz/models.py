"""The question bank's data model: questions as written in the bank, and as shown.

A bank file holds one section's questions. Each question is one of seven types,
told apart by its `type` field. Questions are immutable data; `instantiate`
(in serverless_tutor.quiz.instances) turns one into a QuestionInstance: the
concrete thing a learner sees, with choices shuffled and cost inputs drawn.
"""

from __future__ import annotations

from decimal import Decimal
from string import Formatter
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

# Section number -> lesson id. Sections 1 to 11 follow the chapter; 12 is the summary.
SECTION_LESSONS: dict[int, str] = {
    1: "introduction",
    2: "faas",
    3: "baas",
    4: "lambda-deep-dive",
    5: "event-driven",
    6: "cold-starts",
    7: "implementation-examples",
    8: "patterns",
    9: "cost-optimization",
    10: "tradeoffs",
    11: "when-to-use",
    12: "summary",
}
SECTION_TITLES: dict[int, str] = {
    1: "Introduction to serverless",
    2: "Function as a Service",
    3: "Backend as a Service",
    4: "AWS Lambda deep dive",
    5: "Event-driven serverless",
    6: "Cold starts and performance",
    7: "Implementation examples",
    8: "Serverless patterns",
    9: "Cost optimization",
    10: "Advantages and disadvantages",
    11: "When to use serverless",
    12: "Summary and interview questions",
}
# Short labels that group scores "by topic" when a question sets no topic of its own.
SECTION_TOPICS: dict[int, str] = {
    1: "Serverless basics",
    2: "FaaS",
    3: "BaaS",
    4: "Lambda runtime",
    5: "Event-driven design",
    6: "Cold starts",
    7: "Implementation",
    8: "Patterns",
    9: "Pricing",
    10: "Trade-offs",
    11: "When to use",
    12: "Interview",
}
LESSON_IDS: frozenset[str] = frozenset(SECTION_LESSONS.values())

QuestionType = Literal["single", "multiple", "numeric", "cost", "ordering", "scenario", "open"]
QUESTION_TYPES: tuple[str, ...] = (
    "single",
    "multiple",
    "numeric",
    "cost",
    "ordering",
    "scenario",
    "open",
)

# What a cost question may ask for: fields of pricing.Bill.
CostField = Literal[
    "total",
    "request_cost",
    "compute_cost",
    "provisioned_cost",
    "ephemeral_cost",
    "free_tier_credit",
    "gb_seconds",
]
# Inputs a cost question may draw: fields of pricing.Workload.
COST_INPUTS: frozenset[str] = frozenset(
    {
        "requests",
        "duration_ms",
        "memory_mb",
        "architecture",
        "free_tier",
        "provisioned_concurrency",
        "provisioned_hours",
        "ephemeral_mb",
    }
)
REQUIRED_COST_INPUTS: frozenset[str] = frozenset({"requests", "duration_ms", "memory_mb"})

_SLUG = r"^[a-z0-9][a-z0-9-]*$"


def _known_lesson(value: str) -> str:
    if value not in LESSON_IDS:
        raise ValueError(
            f"a lesson id, one of: {', '.join(SECTION_LESSONS.values())} (got {value!r})"
        )
    return value


class _QuestionBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_SLUG, description="unique across the bank, e.g. cold-start-steps")
    section: int = Field(
        ge=1, le=12, description="1 to 11 for the chapter's sections, 12 for the summary"
    )
    lesson: str = Field(description="id of the lesson that covers this, e.g. cold-starts")
    topic: str | None = Field(
        default=None,
        description="short label used to group scores; defaults to the section's topic",
    )
    prompt: str = Field(min_length=1)
    explanation: str = Field(min_length=1, description="shown after answering")

    @field_validator("lesson")
    @classmethod
    def _lesson_known(cls, lesson: str) -> str:
        return _known_lesson(lesson)

    @property
    def topic_label(self) -> str:
        return self.topic or SECTION_TOPICS[self.section]


def _unique(values: list[str], what: str) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} must differ from each other; {value!r} appears twice")
        seen.add(value)
    return values


def _index_in(index: int, info: ValidationInfo, options_field: str) -> int:
    """Check an index against a list field validated earlier (it is absent from info.data if it failed)."""
    options = info.data.get(options_field)
    if options is not None and not 0 <= index < len(options):
        raise ValueError(
            f"an index into the {len(options)} {options_field} (0 to {len(options) - 1}); got {index}"
        )
    return index


class SingleChoiceQuestion(_QuestionBase):
    type: Literal["single"]
    choices: list[str] = Field(min_length=2)
    answer: int = Field(description="0-based index of the one correct choice")
    shuffle: bool = True

    @field_validator("choices")
    @classmethod
    def _distinct(cls, choices: list[str]) -> list[str]:
        return _unique(choices, "choices")

    @field_validator("answer")
    @classmethod
    def _in_range(cls, answer: int, info: ValidationInfo) -> int:
        return _index_in(answer, info, "choices")


class MultipleChoiceQuestion(_QuestionBase):
    type: Literal["multiple"]
    choices: list[str] = Field(min_length=3)
    answers: list[int] = Field(description="0-based indexes of every correct choice (at least one)")
    shuffle: bool = True

    @field_validator("choices")
    @classmethod
    def _distinct(cls, choices: list[str]) -> list[str]:
        return _unique(choices, "choices")

    @field_validator("answers")
    @classmethod
    def _in_range(cls, answers: list[int], info: ValidationInfo) -> list[int]:
        if not answers:
            raise ValueError("at least one correct choice (the list is empty)")
        if len(set(answers)) != len(answers):
            raise ValueError("each index once (an index repeats)")
        for index in answers:
            _index_in(index, info, "choices")
        return answers


class NumericQuestion(_QuestionBase):
    type: Literal["numeric"]
    answer: float
    tolerance: float = Field(
        ge=0, description="how far from answer still counts as right (required)"
    )
    relative: bool = Field(
        default=False, description="tolerance is a fraction of the answer, not an absolute amount"
    )
    unit: str = ""


class _IntRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min: int = Field(ge=0)
    max: int = Field(ge=0)
    step: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> _IntRange:
        if self.max < self.min:
            raise ValueError(f"max ({self.max}) must not be below min ({self.min})")
        return self


CostInput = _IntRange | list[int | str | bool] | int | str | bool


class CostQuestion(_QuestionBase):
    """A numeric question whose inputs are drawn per attempt and priced by serverless_tutor.pricing."""

    type: Literal["cost"]
    inputs: dict[str, CostInput] = Field(
        description="Workload fields: a list to pick from, {min, max, step}, or a constant"
    )
    ask: CostField = Field(description="which Bill field is the answer")
    tolerance: float = Field(ge=0)
    relative: bool = False
    unit: str = "USD"

    @field_validator("inputs")
    @classmethod
    def _workload_fields(cls, inputs: dict[str, CostInput]) -> dict[str, CostInput]:
        unknown = sorted(set(inputs) - COST_INPUTS)
        if unknown:
            raise ValueError(
                f"Workload fields only; unknown: {unknown}; allowed: {sorted(COST_INPUTS)}"
            )
        missing = sorted(REQUIRED_COST_INPUTS - set(inputs))
        if missing:
            raise ValueError(f"values for {missing} as well")
        for name, spec in inputs.items():
            if isinstance(spec, list) and not spec:
                raise ValueError(f"at least one value for {name} (the list is empty)")
        return inputs

    @model_validator(mode="after")
    def _prompt_uses_inputs(self) -> CostQuestion:
        placeholders = {name for _, name, _, _ in Formatter().parse(self.prompt) if name}
        stray = sorted(placeholders - set(self.inputs))
        if stray:
            raise ValueError(
                f"prompt uses {{{stray[0]}}}, which is not one of the inputs {sorted(self.inputs)}"
            )
        return self


class OrderingQuestion(_QuestionBase):
    type: Literal["ordering"]
    items: list[str] = Field(
        min_length=3, description="the steps in the correct order; shown shuffled"
    )

    @field_validator("items")
    @classmethod
    def _distinct(cls, items: list[str]) -> list[str]:
        return _unique(items, "items")


class ScenarioQuestion(_QuestionBase):
    """Fit or not a fit for serverless, and the reason that decides it."""

    type: Literal["scenario"]
    fit: bool = Field(description="true if serverless is a good fit")
    reasons: list[str] = Field(min_length=2)
    reason: int = Field(description="0-based index of the deciding reason")

    @field_validator("reasons")
    @classmethod
    def _distinct(cls, reasons: list[str]) -> list[str]:
        return _unique(reasons, "reasons")

    @field_validator("reason")
    @classmethod
    def _in_range(cls, reason: int, info: ValidationInfo) -> int:
        return _index_in(reason, info, "reasons")


class OpenQuestion(_QuestionBase):
    """An interview question: typed answer, then a model answer and a rubric to self-score against."""

    type: Literal["open"]
    model_answer: str = Field(min_length=1)
    rubric: list[str] = Field(
        min_length=2, description="points a good answer covers; the learner ticks those they made"
    )
    common: bool = Field(
        default=False, description="one of the chapter's five common interview questions"
    )
    minutes: float = Field(
        default=3, gt=0, le=30, description="suggested answer time in a mock interview"
    )

    @field_validator("rubric")
    @classmethod
    def _distinct(cls, rubric: list[str]) -> list[str]:
        return _unique(rubric, "rubric")


Question = Annotated[
    SingleChoiceQuestion
    | MultipleChoiceQuestion
    | NumericQuestion
    | CostQuestion
    | OrderingQuestion
    | ScenarioQuestion
    | OpenQuestion,
    Field(discriminator="type"),
]


class QuestionInstance(BaseModel):
    """One question as shown to the learner, with everything needed to grade it.

    Index fields refer to the display order. `correct` means: the correct choice
    (single), every correct choice (multiple), the deciding reason (scenario), or
    the display indexes of the items in their right order (ordering).
    """

    model_config = ConfigDict(frozen=True)

    id: str
    type: QuestionType
    section: int
    lesson: str
    topic: str
    prompt: str
    explanation: str
    options: list[str] = Field(
        default_factory=list, description="choices, reasons or ordering items, display order"
    )
    correct: list[int] = Field(default_factory=list)
    fit: bool | None = None
    answer: float | None = None
    tolerance: float | None = None
    relative: bool = False
    unit: str = ""
    model_answer: str | None = None
    rubric: list[str] = Field(default_factory=list)
    minutes: float | None = None
    inputs: dict[str, str] = Field(
        default_factory=dict, description="drawn cost inputs, for display"
    )
    seed: str = ""


class BankEntry(BaseModel):
    """One row of `serverless-tutor quiz bank --json`."""

    id: str
    section: int
    lesson: str
    type: QuestionType
    prompt: str
    topic: str
    common: bool = False


def decimal_text(value: Decimal | float | int) -> str:
    """A number without float noise or a trailing '.0': 200, 0.5, 1,024."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"
