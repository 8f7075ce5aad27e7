"""The one parser of numbers typed on the command line (serverless_tutor/cli/numbers.py)."""

from __future__ import annotations

import argparse
from decimal import Decimal

import pytest

from serverless_tutor.cli.numbers import (
    BadNumber,
    argparse_type,
    decimal_number,
    real_number,
    whole_number,
)


def test_thousands_separators_and_exact_decimals():
    assert whole_number("1,000,000", "--requests") == 1_000_000
    assert whole_number("1_000", "--requests") == 1_000
    assert whole_number("1e6", "--requests") == 1_000_000  # whole, though written as a float
    assert decimal_number(" 0.0000166667 ", "--rate") == Decimal("0.0000166667")
    assert real_number("0.25", "--duration-s") == 0.25


@pytest.mark.parametrize(
    ("read", "text", "bounds", "message"),
    [
        (whole_number, None, {}, "--x is required"),
        (whole_number, "1.5", {}, "--x: expected a whole number, got '1.5'"),
        (whole_number, "lots", {}, "--x: expected a whole number, got 'lots'"),
        (decimal_number, "abc", {}, "--x: expected a number, got 'abc'"),
        (decimal_number, "nan", {}, "--x: expected a finite number, got 'nan'"),
        (real_number, "-inf", {}, "--x: expected a finite number, got '-inf'"),
        (
            whole_number,
            "99999",
            {"low": 128, "high": 10240, "unit": " MB"},
            "--x: must be between 128 and 10240 MB (got 99999)",
        ),
        (whole_number, "-1", {"low": 0}, "--x: must be 0 or more (got -1)"),
        (decimal_number, "745", {"high": 744}, "--x: must be at most 744 (got 745)"),
        (decimal_number, "0", {"above": 0, "unit": " USD"}, "--x: must be more than 0 USD (got 0)"),
        (real_number, "-0.5", {"low": 0}, "--x: must be 0 or more (got -0.5)"),
    ],
)
def test_each_bad_value_gets_one_line_naming_the_option(read, text, bounds, message):
    with pytest.raises(BadNumber) as problem:
        read(text, "--x", **bounds)
    assert str(problem.value) == message


def test_argparse_type_leaves_the_option_name_to_argparse(capsys):
    parser = argparse.ArgumentParser(prog="tutor")
    parser.add_argument("--count", type=argparse_type(whole_number, low=1))
    assert parser.parse_args(["--count", "1,000"]).count == 1000
    with pytest.raises(SystemExit):
        parser.parse_args(["--count", "0"])
    assert "tutor: error: argument --count: must be 1 or more (got 0)" in capsys.readouterr().err
