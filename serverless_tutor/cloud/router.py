"""The event router: turns what happens in the local account into Lambda invocations.

moto stores and moves data between services but cannot run Lambda code, so every
arrow that ends at a function is drawn here:

- push, asynchronous (SNS, S3, schedules): the caller is not kept waiting; a pool
  of delivery threads invokes the function, retries a failed invoke up to
  `maximum_retry_attempts` (2) more times, then sends the event to the function's
  on-failure destination or dead-letter queue, if it has one;
- poll, synchronous (SQS event source mappings, DynamoDB Streams): a poller reads a
  batch, invokes, and acts on the result (delete, partial batch failure, retry);
- HTTP (API Gateway), synchronous: see apigateway.py.

Clocks: schedules, batching windows and (with a stepped clock) SQS visibility
timeouts are measured on `clock`. Real time uses the runtime's SystemClock; tests
pass a ManualClock, step it, then call `drain()`, which delivers everything due
and returns when nothing is left in flight. `start()` runs the pollers in a
background thread for `offline`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from serverless_tutor.cloud import filter_policy, payloads
from serverless_tutor.cloud.account import CompletedCall, LocalAccount
from serverless_tutor.cloud.schedule import Schedule, parse_schedule

DeliveryOutcome = Literal[
    "ok", "error", "filtered", "retry", "destination", "dead-letter", "dropped", "partial"
]
SourceKind = Literal["http", "sns", "sqs", "s3", "stream", "schedule", "destination"]

_S3_CREATED = {
    "PutObject": "ObjectCreated:Put",
    "PostObject": "ObjectCreated:Post",
    "CopyObject": "ObjectCreated:Copy",
    "CompleteMultipartUpload": "ObjectCreated:CompleteMultipartUpload",
}
_DYNAMODB_WRITES = {
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "ExecuteStatement",
    "BatchExecuteStatement",
    "ExecuteTransaction",
}
MAX_DELIVERIES_KEPT = 10_000


class Delivery(BaseModel):
    """One router action, for the trace panels: who got what from where, and how it went."""

    time: datetime
    source: SourceKind
    source_arn: str
    function_name: str
    outcome: DeliveryOutcome
    attempt: int = 1
    request_id: str | None = None
    records: int = 1
    cold: bool | None = None
    duration_ms: float | None = None
    detail: str = ""


@dataclass
class RoutedFunction:
    config: Any  # runtime.FunctionConfig
    arn: str
    maximum_retry_attempts: int = 2
    on_failure: str | None = None  # destination ARN (SQS, SNS or Lambda)
    dead_letter: str | None = None  # DLQ ARN (SQS or SNS)


@dataclass
class SnsSubscription:
    topic_arn: str
    function_name: str
    subscription_arn: str
    policy: dict[str, Any] | None = None
    scope: str = "MessageAttributes"


@dataclass
class S3Notification:
    bucket: str
    function_name: str
    events: list[str]
    prefix: str | None = None
    suffix: str | None = None
    configuration_id: str = ""

    def wants(self, event_name: str, key: str) -> bool:
        if self.prefix and not key.startswith(self.prefix):
            return False
        if self.suffix and not key.endswith(self.suffix):
            return False
        for pattern in self.events:
            wanted = pattern.removeprefix("s3:")
            if wanted.endswith("*") and event_name.startswith(wanted[:-1]):
                return True
            if wanted == event_name:
                return True
        return False


@dataclass
class SqsMapping:
    queue_arn: str
    queue_url: str
    function_name: str
    batch_size: int = 10
    maximum_batching_window_s: float = 0
    report_batch_item_failures: bool = False
    enabled: bool = True
    visibility_timeout_s: float = 30
    waiting_since: float | None = None  # clock time the window opened
    in_flight: dict[str, float] = field(
        default_factory=dict
    )  # receipt handle -> clock time it becomes visible
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class StreamMapping:
    stream_arn: str
    table_name: str
    function_name: str
    batch_size: int = 100
    starting_position: str = "TRIM_HORIZON"
    enabled: bool = True
    maximum_retry_attempts: int = -1
    report_batch_item_failures: bool = False
    cursors: dict[str, str | None] = field(
        default_factory=dict
    )  # shard id -> last processed sequence number
    failed_attempts: int = 0
    dirty: bool = True  # a write may have added records since the last poll
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class ScheduledRule:
    name: str
    arn: str
    function_name: str
    schedule: Schedule
    created: datetime
    next_fire: datetime
    input: Any = None
    enabled: bool = True


class EventRouter:
    def __init__(
        self,
        account: LocalAccount,
        runtime: Any,
        *,
        clock: Any = None,
        start_time: datetime | None = None,
        delivery_threads: int = 4,
        poll_interval_s: float = 0.25,  # Lambda polls a stream shard about 4 times a second
    ):
        from serverless_tutor.runtime import SystemClock

        self.account = account
        self.runtime = runtime
        self.clock = clock or SystemClock()
        self.stepped = clock is not None and not isinstance(clock, SystemClock)
        self._wall_start = start_time or datetime.now(UTC)
        self._clock_start = self.clock.now()
        self.functions: dict[str, RoutedFunction] = {}
        self.sns_subscriptions: list[SnsSubscription] = []
        self.s3_notifications: list[S3Notification] = []
        self.sqs_mappings: list[SqsMapping] = []
        self.stream_mappings: list[StreamMapping] = []
        self.rules: list[ScheduledRule] = []
        self.deliveries: list[Delivery] = []
        self._delivery_subscribers: list[Callable[[Delivery], None]] = []
        self._lock = threading.Lock()
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._pool = ThreadPoolExecutor(
            max_workers=delivery_threads, thread_name_prefix="router-async"
        )
        self._poll_interval = poll_interval_s
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self._unlisten = account.add_listener(self._on_call)
        from serverless_tutor.cloud.apigateway import ApiGateway

        self.api = ApiGateway(self)

    # -- registration ----------------------------------------------------------------------

    def add_function(
        self,
        config: Any,
        *,
        maximum_retry_attempts: int = 2,
        on_failure: str | None = None,
        dead_letter: str | None = None,
    ) -> RoutedFunction:
        arn = (
            f"arn:aws:lambda:{self.account.region}:{self.account.account_id}:function:{config.name}"
        )
        routed = RoutedFunction(config, arn, maximum_retry_attempts, on_failure, dead_letter)
        self.functions[config.name] = routed
        return routed

    def subscribe_sns(
        self,
        topic_arn: str,
        function_name: str,
        *,
        policy: dict[str, Any] | None = None,
        scope: str = "MessageAttributes",
    ) -> SnsSubscription:
        self._function(function_name)
        subscription = SnsSubscription(
            topic_arn, function_name, f"{topic_arn}:{uuid.uuid4()}", policy, scope
        )
        self.sns_subscriptions.append(subscription)
        return subscription

    def notify_s3(
        self,
        bucket: str,
        function_name: str,
        *,
        events: list[str] | None = None,
        prefix: str | None = None,
        suffix: str | None = None,
    ) -> S3Notification:
        self._function(function_name)
        notification = S3Notification(
            bucket,
            function_name,
            events or ["s3:ObjectCreated:*"],
            prefix,
            suffix,
            configuration_id=f"{function_name}-{uuid.uuid4().hex[:8]}",
        )
        self.s3_notifications.append(notification)
        return notification

    def map_sqs(
        self,
        queue_arn: str,
        function_name: str,
        *,
        batch_size: int = 10,
        maximum_batching_window_s: float = 0,
        report_batch_item_failures: bool = False,
        enabled: bool = True,
    ) -> SqsMapping:
        self._function(function_name)
        sqs = self.account.client("sqs", internal=True)
        name = queue_arn.rsplit(":", 1)[-1]
        queue_url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        attributes = sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["VisibilityTimeout"]
        )["Attributes"]
        mapping = SqsMapping(
            queue_arn,
            queue_url,
            function_name,
            batch_size,
            maximum_batching_window_s,
            report_batch_item_failures,
            enabled,
            float(attributes.get("VisibilityTimeout", 30)),
        )
        self.sqs_mappings.append(mapping)
        return mapping

    def map_stream(
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
        self._function(function_name)
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
            for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"][
                "Shards"
            ]:
                mapping.cursors[shard["ShardId"]] = self._last_sequence(
                    streams, stream_arn, shard["ShardId"]
                )
        self.stream_mappings.append(mapping)
        return mapping

    def schedule(
        self,
        name: str,
        expression: str,
        function_name: str,
        *,
        input: Any = None,
        enabled: bool = True,
    ) -> ScheduledRule:
        self._function(function_name)
        now = self.wall_time()
        parsed = parse_schedule(expression)
        rule = ScheduledRule(
            name=name,
            arn=f"arn:aws:events:{self.account.region}:{self.account.account_id}:rule/{name}",
            function_name=function_name,
            schedule=parsed,
            created=now,
            next_fire=parsed.next_after(now, now),
            input=input,
            enabled=enabled,
        )
        self.rules.append(rule)
        return rule

    def _function(self, name: str) -> RoutedFunction:
        if name not in self.functions:
            raise KeyError(
                f"function {name!r} is not registered with the router (add_function first)"
            )
        return self.functions[name]

    # -- time --------------------------------------------------------------------------------

    def wall_time(self) -> datetime:
        """The router's idea of now: real time, or the start time plus the stepped clock."""
        return self._wall_start + timedelta(seconds=self.clock.now() - self._clock_start)

    # -- deliveries log ----------------------------------------------------------------------

    def subscribe(self, callback: Callable[[Delivery], None]) -> Callable[[], None]:
        self._delivery_subscribers.append(callback)
        return lambda: (
            self._delivery_subscribers.remove(callback)
            if callback in self._delivery_subscribers
            else None
        )

    def _log(self, delivery: Delivery) -> None:
        with self._lock:
            self.deliveries.append(delivery)
            if len(self.deliveries) > MAX_DELIVERIES_KEPT:
                del self.deliveries[: len(self.deliveries) - MAX_DELIVERIES_KEPT]
        for callback in list(self._delivery_subscribers):
            callback(delivery)

    # -- reacting to calls ---------------------------------------------------------------------

    def _on_call(self, call: CompletedCall) -> None:
        entry = call.entry
        if entry.outcome != "ok":
            return
        if entry.service == "sns" and entry.operation in ("Publish", "PublishBatch"):
            self._on_publish(call)
        elif entry.service == "s3":
            self._on_s3(call)
        elif entry.service == "dynamodb" and entry.operation in _DYNAMODB_WRITES:
            for mapping in self.stream_mappings:
                mapping.dirty = True

    def _on_publish(self, call: CompletedCall) -> None:
        params = call.params
        if call.entry.operation == "Publish":
            topic = params.get("TopicArn") or params.get("TargetArn")
            messages = [(call.response.get("MessageId") or str(uuid.uuid4()), params)]
        else:
            topic = params.get("TopicArn")
            ids = {item["Id"]: item["MessageId"] for item in call.response.get("Successful", [])}
            messages = [
                (ids[e["Id"]], e)
                for e in params.get("PublishBatchRequestEntries", [])
                if e["Id"] in ids
            ]
        for subscription in [s for s in self.sns_subscriptions if s.topic_arn == topic]:
            for message_id, body in messages:
                self._deliver_sns(subscription, message_id, body)

    def _deliver_sns(
        self, subscription: SnsSubscription, message_id: str, body: dict[str, Any]
    ) -> None:
        message = body.get("Message", "")
        attributes = payloads.sns_message_attributes(body.get("MessageAttributes") or {})
        if not filter_policy.matches(subscription.policy, subscription.scope, attributes, message):
            self._log(
                Delivery(
                    time=self.wall_time(),
                    source="sns",
                    source_arn=subscription.topic_arn,
                    function_name=subscription.function_name,
                    outcome="filtered",
                    detail="filter policy did not match; not delivered",
                )
            )
            return
        record = payloads.sns_record(
            topic_arn=subscription.topic_arn,
            subscription_arn=subscription.subscription_arn,
            message_id=message_id,
            message=message,
            subject=body.get("Subject"),
            attributes=body.get("MessageAttributes") or {},
            timestamp=self.wall_time(),
            region=self.account.region,
        )
        self.invoke_async(
            subscription.function_name,
            {"Records": [record]},
            source="sns",
            source_arn=subscription.topic_arn,
        )

    def _on_s3(self, call: CompletedCall) -> None:
        if not self.s3_notifications:
            return
        params, operation = call.params, call.entry.operation
        bucket = params.get("Bucket")
        events: list[tuple[str, str, int | None, str | None, str | None]] = []
        headers = {k.lower(): v for k, v in call.headers.items()}
        if operation in _S3_CREATED:
            key = params.get("Key", "")
            size = params.get("ContentLength")
            if size is None or operation != "PutObject":
                size = self._object_size(bucket, key)
            events.append(
                (
                    _S3_CREATED[operation],
                    key,
                    size,
                    headers.get("etag"),
                    headers.get("x-amz-version-id"),
                )
            )
        elif operation == "DeleteObject":
            marker = headers.get("x-amz-delete-marker") == "true" and not params.get("VersionId")
            name = "ObjectRemoved:DeleteMarkerCreated" if marker else "ObjectRemoved:Delete"
            events.append(
                (name, params.get("Key", ""), None, None, headers.get("x-amz-version-id"))
            )
        elif operation == "DeleteObjects":
            for item in (params.get("Delete") or {}).get("Objects", []):
                events.append(
                    ("ObjectRemoved:Delete", item["Key"], None, None, item.get("VersionId"))
                )
        if not events:
            return
        principal = (
            f"AWS:AROA{call.account.account_id}:{call.entry.function_name}"
            if call.entry.function_name
            else "AWS:AIDATUTOREXAMPLE"
        )
        for event_name, key, size, etag, version in events:
            for notification in self.s3_notifications:
                if notification.bucket != bucket or not notification.wants(event_name, key):
                    continue
                record = payloads.s3_record(
                    event_name=event_name,
                    bucket=bucket,
                    key=key,
                    size=size,
                    etag=etag,
                    version_id=version,
                    when=call.entry.time,
                    region=self.account.region,
                    configuration_id=notification.configuration_id,
                    principal_id=principal,
                    request_id=headers.get("x-amz-request-id") or uuid.uuid4().hex,
                )
                self.invoke_async(
                    notification.function_name,
                    {"Records": [record]},
                    source="s3",
                    source_arn=f"arn:aws:s3:::{bucket}",
                )

    def _object_size(self, bucket: str, key: str) -> int | None:
        s3 = self.account.client("s3", internal=True)
        try:
            return int(s3.head_object(Bucket=bucket, Key=key)["ContentLength"])
        except s3.exceptions.ClientError:
            return None

    # -- asynchronous invocation ------------------------------------------------------------------

    def invoke_async(
        self, function_name: str, event: Any, *, source: SourceKind, source_arn: str
    ) -> None:
        """Queue an asynchronous invoke (Lambda's `Event` invocation type) and return at once."""
        function = self._function(function_name)
        with self._lock:
            self._pending += 1
        self._pool.submit(self._run_async, function, event, source, source_arn)

    def _run_async(
        self, function: RoutedFunction, event: Any, source: SourceKind, source_arn: str
    ) -> None:
        try:
            attempts = 1 + function.maximum_retry_attempts
            result = None
            # AWS waits about 1 and then 2 minutes between these attempts; locally they run back to back.
            for attempt in range(1, attempts + 1):
                result = self.runtime.invoke(function.config, event)
                last = attempt == attempts
                outcome: DeliveryOutcome = (
                    "ok" if result.error is None else ("error" if last else "retry")
                )
                self._log(self._delivery(source, source_arn, function, result, outcome, attempt))
                if result.error is None:
                    return
            self._after_retries(function, event, result, attempts)
        finally:
            with self._lock:
                self._pending -= 1
                self._idle.notify_all()

    def _after_retries(
        self, function: RoutedFunction, event: Any, result: Any, attempts: int
    ) -> None:
        error = result.error.to_json() if result.error is not None else None
        if function.on_failure:
            record = payloads.destination_record(
                function_arn=function.arn,
                request_id=result.request_id,
                event=event,
                error=error,
                attempts=attempts,
                when=self.wall_time(),
            )
            self._send_to(function.on_failure, json.dumps(record), record, function, "destination")
        elif function.dead_letter:
            attributes = {
                "RequestID": {"DataType": "String", "StringValue": result.request_id},
                "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                "ErrorMessage": {
                    "DataType": "String",
                    "StringValue": (error or {}).get("errorMessage", "")[:256],
                },
            }
            self._send_to(
                function.dead_letter, json.dumps(event), event, function, "dead-letter", attributes
            )
        else:
            self._log(
                Delivery(
                    time=self.wall_time(),
                    source="destination",
                    source_arn=function.arn,
                    function_name=function.config.name,
                    outcome="dropped",
                    attempt=attempts,
                    request_id=result.request_id,
                    detail="retries exhausted and no on-failure destination or DLQ: the event is lost",
                )
            )

    def _send_to(
        self,
        target_arn: str,
        body: str,
        payload: Any,
        function: RoutedFunction,
        outcome: DeliveryOutcome,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        service = target_arn.split(":")[2]
        if service == "sqs":
            sqs = self.account.client("sqs")
            url = sqs.get_queue_url(QueueName=target_arn.rsplit(":", 1)[-1])["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes or {})
        elif service == "sns":
            self.account.client("sns").publish(
                TopicArn=target_arn, Message=body, MessageAttributes=attributes or {}
            )
        elif service == "lambda":
            name = target_arn.split(":function:", 1)[1].split(":")[0]
            self.invoke_async(name, payload, source="destination", source_arn=function.arn)
        else:
            raise ValueError(
                f"{target_arn}: destinations must be SQS queues, SNS topics or Lambda functions"
            )
        self._log(
            Delivery(
                time=self.wall_time(),
                source="destination",
                source_arn=function.arn,
                function_name=function.config.name,
                outcome=outcome,
                detail=f"sent to {target_arn}",
            )
        )

    def _delivery(
        self,
        source: SourceKind,
        source_arn: str,
        function: RoutedFunction,
        result: Any,
        outcome: DeliveryOutcome,
        attempt: int = 1,
        records: int = 1,
        detail: str = "",
    ) -> Delivery:
        if result.error is not None and not detail:
            detail = f"{result.error.error_type}: {result.error.error_message}"
        return Delivery(
            time=self.wall_time(),
            source=source,
            source_arn=source_arn,
            function_name=function.config.name,
            outcome=outcome,
            attempt=attempt,
            request_id=result.request_id,
            records=records,
            cold=result.cold,
            duration_ms=result.report.duration_ms,
            detail=detail,
        )

    # -- polling: SQS -------------------------------------------------------------------------------

    def poll_sqs(self, mapping: SqsMapping) -> int:
        """One poll of a queue; returns how many messages were handed to the function."""
        if not mapping.enabled or not mapping.lock.acquire(blocking=False):
            return 0
        try:
            sqs = self.account.client("sqs", internal=True)
            self._expire_visibility(sqs, mapping)
            if mapping.maximum_batching_window_s > 0:
                waiting = int(
                    sqs.get_queue_attributes(
                        QueueUrl=mapping.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
                    )["Attributes"]["ApproximateNumberOfMessages"]
                )
                if waiting == 0:
                    mapping.waiting_since = None
                    return 0
                now = self.clock.now()
                if mapping.waiting_since is None:
                    mapping.waiting_since = now
                if (
                    waiting < mapping.batch_size
                    and now - mapping.waiting_since < mapping.maximum_batching_window_s
                ):
                    return 0  # the batching window is still open
            messages: list[dict[str, Any]] = []
            while len(messages) < mapping.batch_size:
                batch = sqs.receive_message(
                    QueueUrl=mapping.queue_url,
                    MaxNumberOfMessages=min(10, mapping.batch_size - len(messages)),
                    MessageSystemAttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages", [])
                if not batch:
                    break
                messages.extend(batch)
            mapping.waiting_since = None
            if not messages:
                return 0
            self._invoke_sqs_batch(sqs, mapping, messages)
            return len(messages)
        finally:
            mapping.lock.release()

    def _invoke_sqs_batch(
        self, sqs: Any, mapping: SqsMapping, messages: list[dict[str, Any]]
    ) -> None:
        function = self._function(mapping.function_name)
        records = [
            payloads.sqs_record(m, queue_arn=mapping.queue_arn, region=self.account.region)
            for m in messages
        ]
        result = self.runtime.invoke(function.config, {"Records": records})
        handles = {m["MessageId"]: m["ReceiptHandle"] for m in messages}
        if result.error is not None:
            failed = set(handles)
            outcome: DeliveryOutcome = "error"
            detail = ""
        elif mapping.report_batch_item_failures:
            failed, detail = _batch_item_failures(result.response, set(handles))
            outcome = "partial" if failed else "ok"
        else:
            failed, outcome, detail = set(), "ok", ""
        done = [
            {"Id": str(i), "ReceiptHandle": handles[mid]}
            for i, mid in enumerate(handles)
            if mid not in failed
        ]
        for start in range(0, len(done), 10):
            sqs.delete_message_batch(QueueUrl=mapping.queue_url, Entries=done[start : start + 10])
        if failed and self.stepped:
            visible_at = self.clock.now() + mapping.visibility_timeout_s
            for message_id in failed:
                mapping.in_flight[handles[message_id]] = visible_at
        if failed and not detail:
            detail = f"{len(failed)} of {len(messages)} messages stay on the queue; they return after the visibility timeout"
        self._log(
            self._delivery(
                "sqs",
                mapping.queue_arn,
                function,
                result,
                outcome,
                records=len(messages),
                detail=detail,
            )
        )

    def _expire_visibility(self, sqs: Any, mapping: SqsMapping) -> None:
        """With a stepped clock, make failed messages visible again once their timeout has passed on it.

        In real time moto's own timer does this; a stepped clock does not move moto's.
        """
        now = self.clock.now()
        due = [handle for handle, at in mapping.in_flight.items() if at <= now]
        for handle in due:
            del mapping.in_flight[handle]
            sqs.change_message_visibility(
                QueueUrl=mapping.queue_url, ReceiptHandle=handle, VisibilityTimeout=0
            )

    # -- polling: DynamoDB Streams ----------------------------------------------------------------

    def poll_stream(self, mapping: StreamMapping) -> int:
        """One poll of every shard of a stream; returns records successfully processed."""
        if not mapping.enabled or not mapping.dirty or not mapping.lock.acquire(blocking=False):
            return 0
        try:
            mapping.dirty = False
            streams = self.account.client("dynamodbstreams", internal=True)
            processed = 0
            for shard in streams.describe_stream(StreamArn=mapping.stream_arn)["StreamDescription"][
                "Shards"
            ]:
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
        function = self._function(mapping.function_name)
        result = self.runtime.invoke(function.config, {"Records": records})
        sequence = [r["dynamodb"]["SequenceNumber"] for r in records]
        failed_from: int | None = None
        detail = ""
        if result.error is not None:
            failed_from = 0
        elif mapping.report_batch_item_failures:
            failed, detail = _batch_item_failures(result.response, set(sequence))
            if failed:
                failed_from = min(sequence.index(s) for s in failed)
        if failed_from is None:
            mapping.cursors[shard_id] = sequence[-1]
            mapping.failed_attempts = 0
            self._log(
                self._delivery(
                    "stream", mapping.stream_arn, function, result, "ok", records=len(records)
                )
            )
            return len(records)
        if failed_from > 0:  # checkpoint the records before the first failure
            mapping.cursors[shard_id] = sequence[failed_from - 1]
        mapping.failed_attempts += 1
        attempt = mapping.failed_attempts
        if 0 <= mapping.maximum_retry_attempts < attempt:
            # Give up on the batch and move past it (AWS would send its metadata to an on-failure destination).
            mapping.cursors[shard_id] = sequence[-1]
            mapping.failed_attempts = 0
            self._log(
                self._delivery(
                    "stream",
                    mapping.stream_arn,
                    function,
                    result,
                    "dropped",
                    attempt,
                    len(records),
                    detail or "retries exhausted; the batch is skipped",
                )
            )
            return len(records)
        self._log(
            self._delivery(
                "stream",
                mapping.stream_arn,
                function,
                result,
                "retry",
                attempt,
                len(records),
                detail or "the shard waits: this batch is retried until it succeeds or expires",
            )
        )
        return failed_from

    def _last_sequence(self, streams: Any, stream_arn: str, shard_id: str) -> str | None:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        last = None
        while True:
            response = streams.get_records(ShardIterator=iterator, Limit=1000)
            if not response["Records"]:
                return last
            last = response["Records"][-1]["dynamodb"]["SequenceNumber"]
            iterator = response.get("NextShardIterator")
            if not iterator:
                return last

    # -- schedules -------------------------------------------------------------------------------

    def tick(self) -> int:
        """Fire every schedule that is due on the clock; returns how many invokes were queued."""
        now = self.wall_time()
        fired = 0
        for rule in self.rules:
            while rule.enabled and rule.next_fire <= now:
                when = rule.next_fire
                if rule.input is not None:
                    event = rule.input
                else:
                    event = payloads.scheduled_event(
                        rule_arn=rule.arn,
                        when=when,
                        account_id=self.account.account_id,
                        region=self.account.region,
                    )
                self.invoke_async(rule.function_name, event, source="schedule", source_arn=rule.arn)
                fired += 1
                rule.next_fire = rule.schedule.next_after(when, rule.created)
        return fired

    # -- driving ----------------------------------------------------------------------------------

    def poll_once(self) -> int:
        """Fire due schedules and poll every queue and stream once; returns the work done."""
        work = self.tick()
        for mapping in list(self.sqs_mappings):
            work += self.poll_sqs(mapping)
        for mapping in list(self.stream_mappings):
            work += self.poll_stream(mapping)
        return work

    def wait_idle(self, timeout_s: float = 60) -> bool:
        """Wait until no asynchronous invoke is queued or running."""
        deadline = time.monotonic() + timeout_s
        with self._idle:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def drain(self, timeout_s: float = 60, max_rounds: int = 1000) -> int:
        """Deliver everything that is due now, including what those deliveries cause.

        Returns the number of rounds. Raises TimeoutError if work is still in flight at the deadline.
        """
        deadline = time.monotonic() + timeout_s
        for rounds in range(1, max_rounds + 1):
            if not self.wait_idle(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"asynchronous deliveries still running after {timeout_s} s")
            if (
                self.poll_once() == 0
                and self.wait_idle(max(0.0, deadline - time.monotonic()))
                and self._pending == 0
            ):
                return rounds
        raise TimeoutError(
            f"still delivering after {max_rounds} rounds (a loop between functions?)"
        )

    def start(self) -> None:
        """Poll queues, streams and schedules in a background thread (real-time use)."""
        if self._poller is not None:
            return
        self._stop.clear()
        self._poller = threading.Thread(
            target=self._poll_forever, name="router-poller", daemon=True
        )
        self._poller.start()

    def _poll_forever(self) -> None:
        while not self._stop.is_set():
            self.poll_once()
            self._stop.wait(self._poll_interval)

    def stop(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.join()
            self._poller = None

    def close(self) -> None:
        self.stop()
        self._pool.shutdown(wait=True)
        self._unlisten()

    def __enter__(self) -> EventRouter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _batch_item_failures(response: Any, valid_ids: set[str]) -> tuple[set[str], str]:
    """Failed ids from a partial batch response; any malformed answer fails the whole batch (as AWS does)."""
    if response is None or response == {} or response == "":
        return set(), ""
    if not isinstance(response, dict):
        return set(
            valid_ids
        ), "the response is not a batchItemFailures object: the whole batch counts as failed"
    items = response.get("batchItemFailures")
    if items is None or items == []:
        return set(), ""
    failed: set[str] = set()
    for item in items if isinstance(items, list) else [items]:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not identifier or identifier not in valid_ids:
            return set(
                valid_ids
            ), f"invalid itemIdentifier {identifier!r}: the whole batch counts as failed"
        failed.add(identifier)
    return failed, f"batchItemFailures: {len(failed)} of {len(valid_ids)} failed"
