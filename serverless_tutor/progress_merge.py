"""Three-way merge of progress documents, so two writers never erase each other's results.

The app holds the learner's progress in memory for a whole session while `check`,
`hint` or `quiz` in another shell save theirs. Each store remembers the document it
last read or wrote (the base). At save time it merges its own changes since that
base into whatever is on disk now:

- a value only one side changed takes that side's value;
- counters (checks, hints used) add both sides' increments;
- best and maximum points take the larger; gave-up and solution-revealed stay true;
- lists of visited lessons and saved interviews are unions, in first-seen order;
- an exercise's status is the furthest either side reached (new, attempted,
  passed), and its latest result is the one from the later run;
- a quiz card answered on both sides keeps the later review;
- any other value both sides changed takes the writer saving now (its action is the
  most recent).

Works on plain JSON (`model_dump(mode="json")`), so unknown keys from a newer
version merge too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

_MISSING: Any = object()

Rule = Callable[[Any, Any, Any], Any]


def merge_progress(
    base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]
) -> dict[str, Any]:
    """`mine` was derived from `base`; `theirs` is what another writer saved meanwhile."""
    merged = _merge(base, mine, theirs, ())
    return merged if isinstance(merged, dict) else mine


def _merge(base: Any, mine: Any, theirs: Any, path: tuple[str, ...]) -> Any:
    if mine == base:
        return theirs
    if theirs == base:
        return mine
    # Both sides changed this value (perhaps to the same thing: two checks are two checks).
    rule = _rule_for(path)
    if rule is not None and mine is not _MISSING and theirs is not _MISSING:
        return rule(base, mine, theirs)
    if mine == theirs:
        return mine
    if isinstance(mine, dict) and isinstance(theirs, dict):
        return _merge_keys(base, mine, theirs, path)
    return mine


def _merge_keys(
    base: Any, mine: dict[str, Any], theirs: dict[str, Any], path: tuple[str, ...]
) -> dict[str, Any]:
    old = base if isinstance(base, dict) else {}
    merged = {}
    for key in [*theirs, *(k for k in mine if k not in theirs)]:
        value = _merge(
            old.get(key, _MISSING), mine.get(key, _MISSING), theirs.get(key, _MISSING), (*path, key)
        )
        if value is not _MISSING:
            merged[key] = value
    return merged


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _counter(base: Any, mine: Any, theirs: Any) -> Any:
    start = base if isinstance(base, int) else 0
    if isinstance(mine, int) and isinstance(theirs, int):
        return theirs + max(0, mine - start)
    return mine


def _larger(base: Any, mine: Any, theirs: Any) -> Any:
    if isinstance(mine, int | float) and isinstance(theirs, int | float):
        return max(mine, theirs)
    return mine


def _either(base: Any, mine: Any, theirs: Any) -> Any:
    return bool(mine) or bool(theirs)


def _union(base: Any, mine: Any, theirs: Any) -> Any:
    if isinstance(mine, list) and isinstance(theirs, list):
        return [*theirs, *(item for item in mine if item not in theirs)]
    return mine


def _furthest_status(base: Any, mine: Any, theirs: Any) -> Any:
    order = {"new": 0, "attempted": 1, "passed": 2}
    return theirs if order.get(theirs, -1) > order.get(mine, -1) else mine


def _later_review(base: Any, mine: Any, theirs: Any) -> Any:
    if not (isinstance(mine, dict) and isinstance(theirs, dict)):
        return mine
    mine_at, theirs_at = _timestamp(mine.get("last_review")), _timestamp(theirs.get("last_review"))
    if mine_at is not None and theirs_at is not None and theirs_at > mine_at:
        return theirs
    return mine


def _exercise(base: Any, mine: Any, theirs: Any) -> Any:
    """Field by field, except that the latest run's result comes from the later run."""
    if not (isinstance(mine, dict) and isinstance(theirs, dict)):
        return mine
    merged = _merge_keys(base, mine, theirs, ("exercises", "*"))
    mine_at, theirs_at = _timestamp(mine.get("last_run_at")), _timestamp(theirs.get("last_run_at"))
    if mine_at is not None and theirs_at is not None:
        later = theirs if theirs_at > mine_at else mine
        for key in ("last_run_at", "last_result"):
            if key in later:
                merged[key] = later[key]
    return merged


_RULES: dict[tuple[str, ...], Rule] = {
    ("visited",): _union,
    ("quiz", "interviews"): _union,
    ("quiz", "cards", "*"): _later_review,
    ("exercises", "*"): _exercise,
    ("exercises", "*", "status"): _furthest_status,
    ("exercises", "*", "checks"): _counter,
    ("exercises", "*", "hints_used"): _counter,
    ("exercises", "*", "best_points"): _larger,
    ("exercises", "*", "max_points"): _larger,
    ("exercises", "*", "gave_up"): _either,
    ("exercises", "*", "solution_revealed"): _either,
}


def _rule_for(path: tuple[str, ...]) -> Rule | None:
    for pattern, rule in _RULES.items():
        if len(pattern) == len(path) and all(
            p in ("*", key) for p, key in zip(pattern, path, strict=True)
        ):
            return rule
    return None
