"""The chapter's figures, recomputed: what it gets right and the slips docs/facts.md lists."""

from decimal import Decimal as D

from serverless_tutor.pricing import check_presets
from serverless_tutor.pricing.money import cents


def by_id():
    return {check.preset.id: check for check in check_presets()}


def test_worked_example_is_right():
    check = by_id()["worked-example"]
    assert (
        check.matches_chapter and cents(check.computed) == D("18.67") and check.preset.slip is None
    )


def test_pay_per_use_is_flagged():
    check = by_id()["pay-per-use"]
    assert not check.matches_chapter
    assert cents(check.computed) == D("1.87")
    assert "$1.87" in check.preset.slip


def test_right_sizing_list_is_compute_only():
    checks = by_id()
    assert (
        cents(checks["right-size-512"].computed) == D("16.67")
        and checks["right-size-512"].matches_chapter
    )
    assert (
        cents(checks["right-size-1024"].computed) == D("16.67")
        and checks["right-size-1024"].matches_chapter
    )
    big = checks["right-size-3008"]
    assert cents(big.computed) == D("24.48") and big.preset.chapter_says == D("25.01")
    assert not big.matches_chapter and "2.9375 GB" in big.preset.slip


def test_every_slip_is_exactly_where_the_chapter_is_wrong():
    for check in check_presets():
        assert (check.preset.slip is None) == check.matches_chapter, check.preset.id
