"""SNS subscription filter policies."""

import json

import pytest

from serverless_tutor.cloud.filter_policy import FilterPolicyError, matches, validate_policy


def attrs(**values):
    found = {}
    for name, value in values.items():
        if isinstance(value, list):
            found[name] = {"Type": "String.Array", "Value": json.dumps(value)}
        elif isinstance(value, int | float):
            found[name] = {"Type": "Number", "Value": str(value)}
        else:
            found[name] = {"Type": "String", "Value": value}
    return found


@pytest.mark.parametrize(
    ("policy", "message_attributes", "expected"),
    [
        ({"eventType": ["OrderCreated"]}, attrs(eventType="OrderCreated"), True),
        ({"eventType": ["OrderCreated"]}, attrs(eventType="PaymentProcessed"), False),
        ({"eventType": ["OrderCreated"]}, {}, False),  # a missing attribute never matches a value
        (
            {"eventType": ["OrderCreated", "PaymentProcessed"]},
            attrs(eventType="PaymentProcessed"),
            True,
        ),
        (
            {"eventType": ["OrderCreated"], "region": ["eu"]},
            attrs(eventType="OrderCreated", region="us"),
            False,
        ),
        ({"eventType": [{"prefix": "Order"}]}, attrs(eventType="OrderShipped"), True),
        ({"eventType": [{"suffix": "ed"}]}, attrs(eventType="OrderShipped"), True),
        (
            {"eventType": [{"equals-ignore-case": "ordercreated"}]},
            attrs(eventType="OrderCreated"),
            True,
        ),
        ({"eventType": [{"anything-but": ["Test"]}]}, attrs(eventType="OrderCreated"), True),
        ({"eventType": [{"anything-but": "Test"}]}, attrs(eventType="Test"), False),
        (
            {"eventType": [{"anything-but": {"prefix": "Order"}}]},
            attrs(eventType="OrderCreated"),
            False,
        ),
        ({"price": [{"numeric": [">", 10, "<=", 20]}]}, attrs(price=15), True),
        ({"price": [{"numeric": [">", 10, "<=", 20]}]}, attrs(price=25), False),
        (
            {"price": [{"numeric": [">", 10]}]},
            attrs(price="15"),
            False,
        ),  # a String attribute is not a number
        ({"price": [15]}, attrs(price=15.0), True),
        ({"tags": ["blue"]}, attrs(tags=["red", "blue"]), True),
        ({"coupon": [{"exists": False}]}, attrs(eventType="x"), True),
        ({"coupon": [{"exists": True}]}, attrs(eventType="x"), False),
    ],
)
def test_attribute_scope(policy, message_attributes, expected):
    validate_policy(policy)
    assert matches(policy, "MessageAttributes", message_attributes, "{}") is expected


def test_body_scope_nested_and_arrays():
    policy = {"order": {"status": ["PAID"], "items": {"sku": [{"prefix": "bk-"}]}}}
    validate_policy(policy)
    paid = {"order": {"status": "PAID", "items": [{"sku": "tv-1"}, {"sku": "bk-9"}]}}
    assert matches(policy, "MessageBody", None, json.dumps(paid)) is True
    unpaid = {"order": {"status": "PENDING", "items": [{"sku": "bk-9"}]}}
    assert matches(policy, "MessageBody", None, json.dumps(unpaid)) is False
    assert matches(policy, "MessageBody", None, "not json") is False


def test_no_policy_matches_everything():
    assert matches(None, "MessageAttributes", {}, "x") is True


@pytest.mark.parametrize(
    "policy",
    [
        {"eventType": "OrderCreated"},
        {"eventType": []},
        {"n": [{"numeric": ["~", 1]}]},
        {"n": [{"regex": "a.*"}]},
        {},
    ],
)
def test_invalid_policies(policy):
    with pytest.raises(FilterPolicyError):
        validate_policy(policy)
