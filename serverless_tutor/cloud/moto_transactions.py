"""DynamoDB transactions in moto at a cost that does not grow with the table.

moto's `transact_write_items` deep-copies every table the transaction names before
it starts, so that it can swap the copies back if the transaction is cancelled.
With an orders table that grows by one item per order, each transaction costs more
than the last (about 0.4 s with 6,000 orders, under the account's one moto lock):
`offline` under load slowed down run after run and its memory climbed.

`install()` wraps it: the items the transaction touches (at most 100) are copied
instead, the tables are not, and a cancelled transaction puts those items back and
drops the stream records it wrote, as moto's own rollback does. Everything else
(the conditions, the cancellation reasons, the writes) is still moto's code.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

from moto.dynamodb.exceptions import MockValidationException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table

_install_lock = threading.Lock()
_skip_table_copy = threading.local()
_installed = False


def install() -> None:
    """Patch moto's DynamoDB backend (idempotent; affects this process only)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        original = DynamoDBBackend.transact_write_items

        @functools.wraps(original)
        def transact_write_items(
            self: DynamoDBBackend, transact_items: list[dict[str, Any]]
        ) -> None:
            saved = _save_touched_items(self, transact_items)
            _skip_table_copy.active = True
            try:
                original(self, transact_items)
            except BaseException:
                _restore(saved)
                raise
            finally:
                _skip_table_copy.active = False

        DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
        Table.__deepcopy__ = _table_deepcopy  # type: ignore[attr-defined]
        _installed = True


def _table_deepcopy(table: Table, memo: dict[int, Any]) -> Table:
    if getattr(_skip_table_copy, "active", False):
        return table  # moto's backup is the table itself: its swap-back changes nothing
    # Any other deep copy (backups, restores) copies as before.
    clone = copy.copy(table)  # a new Table sharing the attributes, then each one copied
    memo[id(table)] = clone
    clone.__dict__.update({name: copy.deepcopy(value, memo) for name, value in vars(table).items()})
    return clone


_Saved = list[tuple[Table, Any, Any, Any, int | None]]


def _save_touched_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> _Saved:
    """(table, hash key, range key, a copy of the item or None, stream length) per touched item."""
    saved: _Saved = []
    for entry in transact_items:
        for _, op in entry.items():
            table = backend.tables.get(op.get("TableName", ""))
            if table is None:
                continue  # moto reports the missing table itself
            keys = op.get("Key")
            if keys is None and "Item" in op:
                keys = {
                    name: op["Item"][name]
                    for name in (table.hash_key_attr, table.range_key_attr)
                    if name and name in op["Item"]
                }
            try:
                hash_key, range_key = backend.get_keys_value(table, keys or {})
            except MockValidationException:
                continue  # an incomplete key: moto refuses the transaction itself
            item = table.get_item(hash_key, range_key)
            stream = len(table.stream_shard.items) if table.stream_shard is not None else None
            saved.append((table, hash_key, range_key, copy.deepcopy(item), stream))
    return saved


def _restore(saved: _Saved) -> None:
    for table, hash_key, range_key, item, _ in reversed(saved):
        if range_key is not None:
            bucket = table.items[hash_key]
            if item is None:
                bucket.pop(range_key, None)
            else:
                bucket[range_key] = item
        elif item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
    for table, _, _, _, stream in saved:
        if stream is not None and table.stream_shard is not None:
            del table.stream_shard.items[stream:]
