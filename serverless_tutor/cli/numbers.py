"""Numbers typed on the command line, read and checked in one place.

Every verb reads its numeric options through these functions, so a bad value always
gets the same kind of one-line message: the option, what it accepts, what was given
("--memory-mb: must be between 128 and 10240 MB (got 99999)"). Thousands separators
(`1,000,000` or `1_000_000`) are accepted everywhere. The verbs turn `BadNumber` into
exit code 2; `argparse_type` gives argparse a type that does the same.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TypeVar

_Value = TypeVar("_Value", int, float, Decimal)


class BadNumber(ValueError):
    """One line naming the option, what it accepts and what was given."""


def number_text(text: str) -> str:
    """The text without surrounding blanks and without thousands separators."""
    return text.replace("_", "").replace(",", "").strip()


def decimal_number(
    text: str | None,
    option: str,
    *,
    low: Decimal | int | None = None,
    high: Decimal | int | None = None,
    above: Decimal | int | None = None,
    unit: str = "",
) -> Decimal:
    """An exact number, within [low, high] and more than `above` when those are given."""
    if text is None:
        raise BadNumber(f"{option} is required")
    try:
        value = Decimal(number_text(text))
    except InvalidOperation:
        raise BadNumber(f"{option}: expected a number, got {text!r}") from None
    if not value.is_finite():
        raise BadNumber(f"{option}: expected a finite number, got {text!r}")
    if above is not None and not value > above:
        raise BadNumber(f"{option}: must be more than {above}{unit} (got {text.strip()})")
    check_range(value, option, low=low, high=high, unit=unit)
    return value


def whole_number(
    text: str | None,
    option: str,
    *,
    low: int | None = None,
    high: int | None = None,
    unit: str = "",
) -> int:
    """A whole number ('1,000', '1e6' and '2.0' are whole too), within [low, high] when given."""
    if text is None:
        raise BadNumber(f"{option} is required")
    try:
        exact = Decimal(number_text(text))
    except InvalidOperation:
        raise BadNumber(f"{option}: expected a whole number, got {text!r}") from None
    if not exact.is_finite() or exact != exact.to_integral_value():
        raise BadNumber(f"{option}: expected a whole number, got {text!r}")
    value = int(exact)
    check_range(value, option, low=low, high=high, unit=unit)
    return value


def real_number(
    text: str | None,
    option: str,
    *,
    low: float | None = None,
    high: float | None = None,
    above: float | None = None,
    unit: str = "",
) -> float:
    """A finite float, for engines that compute in floats (the simulator, the fit check)."""
    value = decimal_number(
        text,
        option,
        low=None if low is None else Decimal(repr(low)),
        high=None if high is None else Decimal(repr(high)),
        above=None if above is None else Decimal(repr(above)),
        unit=unit,
    )
    return float(value)


def check_range(
    value: Decimal | int | float,
    option: str,
    *,
    low: Decimal | int | float | None = None,
    high: Decimal | int | float | None = None,
    unit: str = "",
) -> None:
    if low is not None and high is not None:
        if not low <= value <= high:
            raise BadNumber(f"{option}: must be between {low} and {high}{unit} (got {value})")
    elif low is not None and value < low:
        raise BadNumber(f"{option}: must be {low} or more{unit} (got {value})")
    elif high is not None and value > high:
        raise BadNumber(f"{option}: must be at most {high}{unit} (got {value})")


def argparse_type(
    read: Callable[..., _Value], **bounds: int | float | Decimal | None
) -> Callable[[str], _Value]:
    """A `type=` for argparse: argparse names the option, so the message starts at what is wrong.

    `argparse_type(whole_number, low=1)` reads "--count 0" as
    "argument --count: must be 1 or more (got 0)".
    """

    def convert(text: str) -> _Value:
        try:
            return read(text, "", **bounds)
        except BadNumber as problem:
            raise argparse.ArgumentTypeError(str(problem).removeprefix(": ")) from None

    return convert
