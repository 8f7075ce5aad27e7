"""Partial batch responses (`batchItemFailures`), shared by the SQS and stream pollers."""

from __future__ import annotations

from typing import Any


def batch_item_failures(response: Any, valid_ids: set[str]) -> tuple[set[str], str]:
    """Failed ids from a partial batch response, and a note on them for the delivery log.

    Any malformed answer fails the whole batch, as AWS does.
    """
    if response is None or response == {} or response == "":
        return set(), ""
    if not isinstance(response, dict):
        return (
            set(valid_ids),
            "the response is not a batchItemFailures object: the whole batch counts as failed",
        )
    items = response.get("batchItemFailures")
    if items is None or items == []:
        return set(), ""
    failed: set[str] = set()
    for item in items if isinstance(items, list) else [items]:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not identifier or identifier not in valid_ids:
            return (
                set(valid_ids),
                f"invalid itemIdentifier {identifier!r}: the whole batch counts as failed",
            )
        failed.add(identifier)
    return failed, f"batchItemFailures: {len(failed)} of {len(valid_ids)} failed"
