"""Subset matching of expected values, with matchers, and its messages."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from serverless_tutor.content.exercises import MATCHERS
from serverless_tutor.grading.matching import is_iso8601, mismatch

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text().filter(lambda text: text not in MATCHERS),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


@given(json_values)
def test_every_value_matches_itself(value):
    assert mismatch(value, value, "body") is None


@given(
    st.dictionaries(st.text(max_size=5), json_values, max_size=4),
    st.dictionaries(st.text(max_size=5), json_values, max_size=3),
)
def test_an_object_matches_any_subset_of_itself(full, extra):
    combined = {**extra, **full}
    assert mismatch(full, combined, "body") is None


def test_messages_name_the_path_and_both_values():
    message = mismatch({"order": {"total": 30}}, {"order": {"total": 25}}, "body")
    assert message == "body.order.total should be 30, but it is 25"
    assert "missing the key 'status'" in mismatch({"status": "PENDING"}, {"orderId": "1"}, "body")


def test_numbers_compare_by_value_across_decimal_int_and_float():
    assert mismatch(59.97, Decimal("59.97"), "total") is None
    assert mismatch(30, Decimal("30.0"), "total") is None
    assert mismatch(30, "30", "total") is not None
    assert mismatch(1, True, "flag") is not None


def test_lists_match_in_any_order_but_need_the_same_length():
    assert (
        mismatch(
            [{"itemIdentifier": "m-2"}, {"itemIdentifier": "m-1"}],
            [{"itemIdentifier": "m-1"}, {"itemIdentifier": "m-2"}],
            "failures",
        )
        is None
    )
    assert "should have 1 item(s), but it has 2" in mismatch(
        [{"a": 1}], [{"a": 1}, {"a": 2}], "failures"
    )


def test_matchers():
    assert mismatch("<iso8601>", "2026-01-15T12:00:00.123456+00:00", "t") is None
    assert mismatch("<iso8601>", "yesterday", "t") is not None
    assert mismatch("<request_id>", "abc", "id", request_ids=frozenset({"abc"})) is None
    assert "request id" in mismatch("<request_id>", "xyz", "id", request_ids=frozenset({"abc"}))
    assert mismatch("<nonempty>", "", "error") is not None
    assert mismatch("<number>", True, "n") is not None


def test_iso8601():
    assert is_iso8601("2026-01-15T12:00:00Z")
    assert not is_iso8601("2026-13-45T12:00:00Z")
    assert not is_iso8601(20260115)
