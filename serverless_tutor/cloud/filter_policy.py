"""SNS subscription filter policies: which messages a subscriber receives.

A policy maps attribute names to a list of conditions. Every key must match
(AND); within a key any condition may match (OR). With the default scope,
MessageAttributes, keys name message attributes; with scope MessageBody they
name fields of the JSON message, and may nest.

Conditions: an exact string or number; {"prefix": s}; {"suffix": s};
{"equals-ignore-case": s}; {"anything-but": value | [values] | {"prefix": s}};
{"numeric": ["<", 10, ">=", 2]}; {"exists": true|false}. A String.Array
attribute (or a JSON array in the body) matches when any element does. Number
attributes match numbers only; Binary attributes are never matched.
"""

from __future__ import annotations

import json
from typing import Any

_OPERATORS = ("prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists")
_MISSING = object()


class FilterPolicyError(ValueError):
    pass


def validate_policy(policy: Any, *, nested: bool = True, _path: str = "") -> None:
    """Raise FilterPolicyError if SNS would reject the policy."""
    if not isinstance(policy, dict) or not policy:
        raise FilterPolicyError(f"{_path or 'the policy'} must be a non-empty mapping")
    for key, conditions in policy.items():
        where = f"{_path}.{key}" if _path else str(key)
        if isinstance(conditions, dict) and nested:
            validate_policy(conditions, nested=nested, _path=where)
            continue
        if not isinstance(conditions, list) or not conditions:
            raise FilterPolicyError(
                f'{where}: must be a list of conditions (e.g. ["OrderCreated"])'
            )
        for condition in conditions:
            _validate_condition(condition, where)


def _validate_condition(condition: Any, where: str) -> None:
    if condition is None or (
        isinstance(condition, str | int | float) and not isinstance(condition, bool)
    ):
        return
    if not isinstance(condition, dict) or len(condition) != 1:
        raise FilterPolicyError(
            f'{where}: a condition is a string, a number or a one-key mapping such as {{"prefix": "a"}}'
        )
    ((operator, value),) = condition.items()
    if operator not in _OPERATORS:
        raise FilterPolicyError(
            f"{where}: unknown operator {operator!r} (use one of {', '.join(_OPERATORS)})"
        )
    if operator == "numeric":
        if not isinstance(value, list) or len(value) not in (2, 4):
            raise FilterPolicyError(
                f"{where}: numeric takes [op, number] or [op, number, op, number]"
            )
        for op, number in zip(value[::2], value[1::2], strict=True):
            if (
                op not in ("=", "<", "<=", ">", ">=")
                or isinstance(number, bool)
                or not isinstance(number, int | float)
            ):
                raise FilterPolicyError(
                    f"{where}: numeric pairs are an operator (=, <, <=, >, >=) and a number"
                )
    elif operator == "exists":
        if not isinstance(value, bool):
            raise FilterPolicyError(f"{where}: exists takes true or false")
    elif operator in ("prefix", "suffix", "equals-ignore-case") and not isinstance(value, str):
        raise FilterPolicyError(f"{where}: {operator} takes a string")


def matches(
    policy: dict[str, Any] | None, scope: str, attributes: dict[str, Any] | None, message: str
) -> bool:
    """Does a message pass the policy? `attributes` as SNS delivers them: {name: {Type, Value}}."""
    if not policy:
        return True
    if scope == "MessageBody":
        try:
            body = json.loads(message)
        except ValueError:
            return False
        return isinstance(body, dict) and _match_body(policy, body)
    values = {}
    for name, attribute in (attributes or {}).items():
        values[name] = _attribute_values(attribute)
    return all(
        _match_key(conditions, values.get(key, _MISSING)) for key, conditions in policy.items()
    )


def _attribute_values(attribute: dict[str, Any]) -> list[Any]:
    kind = attribute.get("Type") or attribute.get("DataType") or "String"
    value = attribute.get("Value", attribute.get("StringValue"))
    if kind.startswith("Binary"):
        return []
    if kind.startswith("Number"):
        return [_number(value)]
    if kind == "String.Array":
        if not isinstance(value, str):
            return []
        try:
            items = json.loads(value)
        except ValueError:
            return []
        return items if isinstance(items, list) else [items]
    return [value]


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _match_body(policy: dict[str, Any], body: dict[str, Any]) -> bool:
    for key, conditions in policy.items():
        value = body.get(key, _MISSING) if isinstance(body, dict) else _MISSING
        if isinstance(conditions, dict):
            candidates = value if isinstance(value, list) else [value]
            if not any(isinstance(c, dict) and _match_body(conditions, c) for c in candidates):
                return False
            continue
        if value is _MISSING:
            found: Any = _MISSING
        else:
            found = value if isinstance(value, list) else [value]
        if not _match_key(conditions, found):
            return False
    return True


def _match_key(conditions: list[Any], values: Any) -> bool:
    for condition in conditions:
        if isinstance(condition, dict) and "exists" in condition:
            if condition["exists"] == (values is not _MISSING):
                return True
            continue
        if values is _MISSING:
            continue
        if isinstance(condition, dict) and "anything-but" in condition:
            if values and all(_anything_but(condition["anything-but"], v) for v in values):
                return True
            continue
        if any(_condition_matches(condition, v) for v in values):
            return True
    return False


def _condition_matches(condition: Any, value: Any) -> bool:
    if condition is None:
        return value is None
    if isinstance(condition, bool):
        return value is condition
    if isinstance(condition, int | float):
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        return number is not None and abs(float(number) - float(condition)) < 1e-6
    if isinstance(condition, str):
        return isinstance(value, str) and value == condition
    ((operator, argument),) = condition.items()
    if operator == "prefix":
        return isinstance(value, str) and value.startswith(argument)
    if operator == "suffix":
        return isinstance(value, str) and value.endswith(argument)
    if operator == "equals-ignore-case":
        return isinstance(value, str) and value.lower() == argument.lower()
    if operator == "numeric":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return all(
            _compare(float(value), op, float(n))
            for op, n in zip(argument[::2], argument[1::2], strict=True)
        )
    return False


def _anything_but(argument: Any, value: Any) -> bool:
    if isinstance(argument, dict):
        ((operator, text),) = argument.items()
        if operator == "prefix":
            return not (isinstance(value, str) and value.startswith(text))
        if operator == "suffix":
            return not (isinstance(value, str) and value.endswith(text))
        return True
    excluded = argument if isinstance(argument, list) else [argument]
    return not any(_condition_matches(item, value) for item in excluded)


def _compare(value: float, op: str, number: float) -> bool:
    return {
        "=": value == number,
        "<": value < number,
        "<=": value <= number,
        ">": value > number,
        ">=": value >= number,
    }[op]
