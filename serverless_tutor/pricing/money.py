"""Exact money arithmetic and the number formats used in filled-in formulas."""

from __future__ import annotations

import decimal
from contextlib import AbstractContextManager
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
# Products of prices (10 significant digits) and usage (up to ~25 digits) stay exact
# well inside this precision; it is set locally so callers' contexts are untouched.
PRECISION = 80


def exact() -> AbstractContextManager[decimal.Context]:
    """A local decimal context wide enough that the bill's products and sums are exact."""
    return decimal.localcontext(prec=PRECISION, rounding=ROUND_HALF_UP)


def ceil_int(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def decimal_exponent(value: Decimal) -> int:
    """The exponent of a finite Decimal (NaN and infinity have none: a ValueError)."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"{value} is not a finite number")
    return exponent


def cents(amount: Decimal) -> Decimal:
    """Round to cents for display (half up, as invoices do)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def usd(amount: Decimal) -> str:
    """'$18.67', '-$0.20', '$1,234.50'."""
    rounded = cents(amount)
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded):,.2f}"


def rate(amount: Decimal) -> str:
    """A unit price with all its digits and at least cents: '$0.0000166667', '$0.20'."""
    normalized = amount.normalize()
    if decimal_exponent(normalized) > -2:
        normalized = normalized.quantize(CENT)
    return f"${normalized:,f}"


def plain(value: Decimal | int) -> str:
    """A number without exponent or trailing zeros, thousands separated: '10,000,000', '0.2'."""
    if isinstance(value, int):
        return f"{value:,}"
    normalized = value.normalize()
    text = f"{normalized:,f}"
    return text


def json_number(value: Decimal | int) -> str:
    """A JSON number literal with full precision (no exponent, no separators)."""
    if isinstance(value, int):
        return str(value)
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text
