"""DynamoDB Streams -> Lambda (an event source mapping): read each shard in order, invoke with a batch.

A failed batch blocks its shard: it is retried until it succeeds or, with
`maximum_retry_attempts` set, until the retries run out and the batch is skipped.
With partial batch responses the records before the first failure are checkpointed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from serverless_tutor.cloud import payloads
from serverless_tutor.cloud.routing.batches import batch_item_failures
from serverless_tutor.cloud.routing.deliveries import DeliveryOutcome, delivery_of
from serverless_tutor.cloud.routing.functions import RoutedFunction
from serverless_tutor.cloud.routing.source import EventSource, RoutingContext
from serverless_tutor.runtime.results import InvocationResult

DYNAMODB_WRITES = {
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "ExecuteStatement",
    "BatchExecuteStatement",
    "ExecuteTransaction",
}


@dataclass
class StreamMapping:
    stream_arn: str
    table_name: str
    function_name: str
    batch_size: int = 100
    starting_position: str = "TRIM_HORIZON"
    enabled: bool = True
    maximum_retry_attempts: int = -1  # -1: retry until the record expires
    report_batch_item_failures: bool = False
    # shard id -> last processed sequence number
    cursors: dict[str, str | None] = field(default_factory=dict)
    failed_attempts: int = 0
    dirty: bool = True  # a write may have added records since the last poll
    lock: threading.Lock = field(default_factory=threading.Lock)


class StreamPoller(EventSource):
    def __init__(self, context: RoutingContext):
        super().__init__(context)
        self.mappings: list[StreamMapping] = []

    def map(
        self,
        stream_arn: str,
        function_name: str,
        *,
        batch_size: int = 100,
        starting_position: str = "TRIM_HORIZON",
        enabled: bool = True,
        maximum_retry_attempts: int = -1,
        report_batch_item_failures: bool = False,
    ) -> StreamMapping:
        self.functions.get(function_name)
        table_name = stream_arn.split(":table/", 1)[1].split("/stream/", 1)[0]
        mapping = StreamMapping(
            stream_arn,
            table_name,
            function_name,
            batch_size,
            starting_position,
            enabled,
            maximum_retry_attempts,
            report_batch_item_failures,
        )
        if starting_position == "LATEST":
            streams = self.account.client("dynamodbstreams", internal=True)
            for shard in _shards(streams, stream_arn):
                mapping.cursors[shard["ShardId"]] = _last_sequence(
                    streams, stream_arn, shard["ShardId"]
                )
        self.mappings.append(mapping)
        return mapping

    def on_write(self) -> None:
        """A table was written: its stream may have new records for the next poll."""
        for mapping in self.mappings:
            mapping.dirty = True

    def poll_all(self) -> int:
        return sum(self.poll(mapping) for mapping in list(self.mappings))

    def poll(self, mapping: StreamMapping) -> int:
        """One poll of every shard of a stream; returns records successfully processed."""
        if not mapping.enabled or not mapping.dirty or not mapping.lock.acquire(blocking=False):
            return 0
        try:
            mapping.dirty = False
            streams = self.account.client("dynamodbstreams", internal=True)
            processed = 0
            for shard in _shards(streams, mapping.stream_arn):
                processed += self._poll_shard(streams, mapping, shard["ShardId"])
            if processed or mapping.failed_attempts:
                mapping.dirty = True  # more may be waiting behind this batch, or it must be retried
            return processed
        finally:
            mapping.lock.release()

    def _poll_shard(self, streams: Any, mapping: StreamMapping, shard_id: str) -> int:
        cursor = mapping.cursors.get(shard_id)
        if cursor:
            iterator = streams.get_shard_iterator(
                StreamArn=mapping.stream_arn,
                ShardId=shard_id,
                ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                SequenceNumber=cursor,
            )["ShardIterator"]
        else:
            iterator = streams.get_shard_iterator(
                StreamArn=mapping.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
        raw = streams.get_records(ShardIterator=iterator, Limit=mapping.batch_size)["Records"]
        if not raw:
            return 0
        records = [
            payloads.stream_record(r, stream_arn=mapping.stream_arn, region=self.account.region)
            for r in raw
        ]
        function = self.functions.get(mapping.function_name)
        result = self.functions.run(function, {"Records": records})
        sequence: list[str] = [r["dynamodb"]["SequenceNumber"] for r in records]
        failed_from: int | None = None
        detail = ""
        if result.error is not None:
            failed_from = 0
        elif mapping.report_batch_item_failures:
            failed, detail = batch_item_failures(result.response, set(sequence))
            if failed:
                failed_from = min(sequence.index(s) for s in failed)
        if failed_from is None:
            mapping.cursors[shard_id] = sequence[-1]
            mapping.failed_attempts = 0
            self._record(mapping, function, result, "ok", 1, len(records), "")
            return len(records)
        if failed_from > 0:  # checkpoint the records before the first failure
            mapping.cursors[shard_id] = sequence[failed_from - 1]
        mapping.failed_attempts += 1
        attempt = mapping.failed_attempts
        if 0 <= mapping.maximum_retry_attempts < attempt:
            # Give up on the batch and move past it (AWS would send its metadata to an on-failure destination).
            mapping.cursors[shard_id] = sequence[-1]
            mapping.failed_attempts = 0
            detail = detail or "retries exhausted; the batch is skipped"
            self._record(mapping, function, result, "dropped", attempt, len(records), detail)
            return len(records)
        detail = detail or "the shard waits: this batch is retried until it succeeds or expires"
        self._record(mapping, function, result, "retry", attempt, len(records), detail)
        return failed_from

    def _record(
        self,
        mapping: StreamMapping,
        function: RoutedFunction,
        result: InvocationResult,
        outcome: DeliveryOutcome,
        attempt: int,
        records: int,
        detail: str,
    ) -> None:
        self.log.record(
            delivery_of(
                result,
                time=self.clock.wall_time(),
                source="stream",
                source_arn=mapping.stream_arn,
                function_name=function.config.name,
                outcome=outcome,
                attempt=attempt,
                records=records,
                detail=detail,
            )
        )


def _shards(streams: Any, stream_arn: str) -> list[dict[str, Any]]:
    shards: list[dict[str, Any]] = streams.describe_stream(StreamArn=stream_arn)[
        "StreamDescription"
    ]["Shards"]
    return shards


def _last_sequence(streams: Any, stream_arn: str, shard_id: str) -> str | None:
    """The sequence number of a shard's newest record (where a LATEST mapping starts)."""
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    last: str | None = None
    while True:
        response = streams.get_records(ShardIterator=iterator, Limit=1000)
        if not response["Records"]:
            return last
        last = str(response["Records"][-1]["dynamodb"]["SequenceNumber"])
        iterator = response.get("NextShardIterator")
        if not iterator:
            return last
