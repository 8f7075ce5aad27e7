"""A text field for one number in a range: it says why when the text is not one.

Panels that take numbers (the cost calculator, server comparison, fit check, the quiz
menu's count) used to parse their own Inputs, each a little differently. This field
parses with Decimal (exact: 0.1 stays 0.1, what the pricing engine wants), refuses
NaN, infinities and anything out of range or not whole where a whole number is
needed, marks itself invalid with the reason (on its border when it has one, and in
its tooltip), and posts NumberInput.Valid with the number, or NumberInput.Invalid
with the reason. Typing is also restricted to number characters, as Textual's
integer and number Inputs do; a pasted or programmatic value is checked all the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from textual import on
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Input

from serverless_tutor.limits import MAX_MEMORY_MB, MAX_TIMEOUT_S, MIN_MEMORY_MB

SHOWN_TEXT = 16  # characters of a bad value quoted back in the reason


@dataclass(frozen=True)
class NumberRange:
    """What a field accepts: minimum..maximum (in `unit`), optionally whole numbers only."""

    minimum: Decimal
    maximum: Decimal
    unit: str = ""
    whole: bool = False
    minimum_allowed: bool = True  # False: it must be more than the minimum (a duration above 0)

    def describe(self) -> str:
        """'128 to 10,240 MB', 'more than 0 and at most 900,000 ms'."""
        unit = f" {self.unit}" if self.unit else ""
        if self.minimum_allowed:
            return f"{self.minimum:,} to {self.maximum:,}{unit}"
        return f"more than {self.minimum:,} and at most {self.maximum:,}{unit}"

    def parse(self, text: str) -> Decimal:
        """The number `text` stands for; raises ValueError with the reason when it is not valid."""
        stripped = text.strip()
        if not stripped:
            raise ValueError("expected a number")
        try:
            number = Decimal(stripped)
        except InvalidOperation:
            raise ValueError(f"expected a number, got {_quoted(stripped)}") from None
        if not number.is_finite():
            raise ValueError(f"expected a finite number, got {_quoted(stripped)}")
        too_low = number < self.minimum if self.minimum_allowed else number <= self.minimum
        if too_low or number > self.maximum:
            raise ValueError(f"must be {self.describe()}")
        if self.whole and number != number.to_integral_value():
            raise ValueError("must be a whole number" + (f" of {self.unit}" if self.unit else ""))
        return number


def _quoted(text: str) -> str:
    return repr(text if len(text) <= SHOWN_TEXT else text[:SHOWN_TEXT] + "…")


# The ranges more than one panel uses. Lambda's own limits come from serverless_tutor.limits.
MEMORY_MB = NumberRange(Decimal(MIN_MEMORY_MB), Decimal(MAX_MEMORY_MB), "MB", whole=True)
DURATION_MS = NumberRange(  # one invocation: never longer than the largest timeout
    Decimal(0), Decimal(MAX_TIMEOUT_S * 1000), "ms", minimum_allowed=False
)
MONTHLY_REQUESTS = NumberRange(  # a trillion a month is ~380,000 a second, far past any example
    Decimal(0), Decimal(10**12), "requests", whole=True
)
SERVER_MONTHLY_USD = NumberRange(Decimal(0), Decimal(1_000_000), "$/month", minimum_allowed=False)


class InvalidNumber(ValueError):
    """A field's text is not a valid number; str() is 'label: reason'."""

    def __init__(self, label: str, reason: str):
        super().__init__(f"{label}: {reason}")
        self.label = label
        self.reason = reason


class _InRange(Validator):
    """Textual's validation hook: marks the field -invalid with the reason."""

    def __init__(self, number_range: NumberRange):
        super().__init__()
        self.number_range = number_range

    def validate(self, value: str) -> ValidationResult:
        try:
            self.number_range.parse(value)
        except ValueError as problem:
            return self.failure(str(problem), value)
        return self.success()


class NumberInput(Input):
    """An Input for one number in `number_range`.

    `title`, if given, is shown on the field's border and is its tooltip while it is valid;
    `label` names the field in reasons ("memory: must be ..."), by default the title.
    """

    class Valid(Message):
        """The text is a valid number now (`number` is None for an allowed blank)."""

        def __init__(self, number_input: NumberInput, number: Decimal | None):
            super().__init__()
            self.number_input = number_input
            self.number = number

        @property
        def control(self) -> NumberInput:
            return self.number_input

    class Invalid(Message):
        """The text is not a valid number now; `reason` says why."""

        def __init__(self, number_input: NumberInput, reason: str):
            super().__init__()
            self.number_input = number_input
            self.reason = reason

        @property
        def control(self) -> NumberInput:
            return self.number_input

    def __init__(
        self,
        value: str = "",
        *,
        number_range: NumberRange,
        label: str = "",
        blank_allowed: bool = False,
        title: str = "",
        **kwargs: Any,
    ) -> None:
        self.number_range = number_range
        self.label = label or title or "number"
        self.blank_allowed = blank_allowed
        self._quiet_tooltip = title or self.label
        super().__init__(
            value,
            type="integer" if number_range.whole else "number",
            validators=[_InRange(number_range)],
            valid_empty=blank_allowed,
            tooltip=self._quiet_tooltip,
            **kwargs,
        )
        self.border_title = title

    @property
    def is_blank(self) -> bool:
        return not self.value.strip()

    @property
    def problem(self) -> str | None:
        """Why the text is not a valid number, or None if it is one (or an allowed blank)."""
        if self.blank_allowed and self.is_blank:
            return None
        try:
            self.number_range.parse(self.value)
        except ValueError as reason:
            return str(reason)
        return None

    def read(self) -> Decimal:
        """The number; raises InvalidNumber ('label: reason') if the text is not one."""
        try:
            return self.number_range.parse(self.value)
        except ValueError as reason:
            raise InvalidNumber(self.label, str(reason)) from None

    def read_whole(self) -> int:
        """The number as an int (for a whole-number range)."""
        return int(self.read())

    def on_mount(self) -> None:
        self.watch_value()  # Input sets its tooltip after its first value

    def watch_value(self) -> None:
        # Runs on every change, even one made while a panel prevents Input.Changed.
        problem = self.problem
        self.border_subtitle = f"⚠ {problem}" if problem else ""
        self.tooltip = f"{self.label}: {problem}" if problem else self._quiet_tooltip

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()  # listeners get Valid or Invalid instead
        problem = self.problem
        if problem is not None:
            self.post_message(self.Invalid(self, problem))
        else:
            self.post_message(self.Valid(self, None if self.is_blank else self.read()))
