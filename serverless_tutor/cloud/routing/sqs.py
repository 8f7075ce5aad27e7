"""SQS -> Lambda (an event source mapping): poll a queue, invoke with a batch, delete what succeeded.

Failed messages stay on the queue and come back after the visibility timeout
(or, past the queue's maxReceiveCount, SQS moves them to its dead-letter queue).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from serverless_tutor.cloud import payloads
from serverless_tutor.cloud.routing.batches import batch_item_failures
from serverless_tutor.cloud.routing.deliveries import DeliveryOutcome, delivery_of
from serverless_tutor.cloud.routing.source import EventSource, RoutingContext
from serverless_tutor.runtime.results import InvocationResult

MAX_RECEIVE_BATCH = 10  # SQS hands out at most 10 messages per ReceiveMessage and per delete batch


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
    # receipt handle -> clock time it becomes visible again (stepped clocks only)
    in_flight: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class SqsPoller(EventSource):
    def __init__(self, context: RoutingContext):
        super().__init__(context)
        self.mappings: list[SqsMapping] = []

    def map(
        self,
        queue_arn: str,
        function_name: str,
        *,
        batch_size: int = 10,
        maximum_batching_window_s: float = 0,
        report_batch_item_failures: bool = False,
        enabled: bool = True,
    ) -> SqsMapping:
        self.functions.get(function_name)
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
        self.mappings.append(mapping)
        return mapping

    def poll_all(self) -> int:
        return sum(self.poll(mapping) for mapping in list(self.mappings))

    def poll(self, mapping: SqsMapping) -> int:
        """One poll of a queue; returns how many messages were handed to the function."""
        if not mapping.enabled or not mapping.lock.acquire(blocking=False):
            return 0
        try:
            sqs = self.account.client("sqs", internal=True)
            self._expire_visibility(sqs, mapping)
            if mapping.maximum_batching_window_s > 0 and self._window_open(sqs, mapping):
                return 0
            messages: list[dict[str, Any]] = []
            while len(messages) < mapping.batch_size:
                batch = sqs.receive_message(
                    QueueUrl=mapping.queue_url,
                    MaxNumberOfMessages=min(MAX_RECEIVE_BATCH, mapping.batch_size - len(messages)),
                    MessageSystemAttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages", [])
                if not batch:
                    break
                messages.extend(batch)
            mapping.waiting_since = None
            if not messages:
                return 0
            self._invoke_batch(sqs, mapping, messages)
            return len(messages)
        finally:
            mapping.lock.release()

    def _window_open(self, sqs: Any, mapping: SqsMapping) -> bool:
        """True while the batching window waits for a full batch (or nothing is waiting)."""
        waiting = int(
            sqs.get_queue_attributes(
                QueueUrl=mapping.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]["ApproximateNumberOfMessages"]
        )
        if waiting == 0:
            mapping.waiting_since = None
            return True
        now = self.clock.now()
        if mapping.waiting_since is None:
            mapping.waiting_since = now
        return (
            waiting < mapping.batch_size
            and now - mapping.waiting_since < mapping.maximum_batching_window_s
        )

    def _invoke_batch(self, sqs: Any, mapping: SqsMapping, messages: list[dict[str, Any]]) -> None:
        function = self.functions.get(mapping.function_name)
        fault = self.delivery_fault("sqs", function.config.name, f"queue {mapping.queue_arn}")
        if fault is not None and fault.reorder:
            messages = list(reversed(messages))
        records = [
            payloads.sqs_record(m, queue_arn=mapping.queue_arn, region=self.account.region)
            for m in messages
        ]
        result = self.functions.run(function, {"Records": records})
        if fault is not None and fault.duplicate:
            # The delete was lost: SQS hands the same batch out again before anything is deleted.
            self._log_batch(
                mapping,
                function.config.name,
                result,
                "ok",
                len(messages),
                "fault plan: this batch is delivered a second time",
            )
            result = self.functions.run(function, {"Records": records})
        handles = {m["MessageId"]: m["ReceiptHandle"] for m in messages}
        failed: set[str]
        outcome: DeliveryOutcome
        if result.error is not None:
            failed, outcome, detail = set(handles), "error", ""
        elif mapping.report_batch_item_failures:
            failed, detail = batch_item_failures(result.response, set(handles))
            outcome = "partial" if failed else "ok"
        else:
            failed, outcome, detail = set(), "ok", ""
        if fault is not None and fault.redeliver:
            # The function finished but its messages outlive the visibility timeout and return.
            failed, detail = (
                set(handles),
                "fault plan: the batch returns after the visibility timeout",
            )
        done = [
            {"Id": str(i), "ReceiptHandle": handles[mid]}
            for i, mid in enumerate(handles)
            if mid not in failed
        ]
        for start in range(0, len(done), MAX_RECEIVE_BATCH):
            sqs.delete_message_batch(
                QueueUrl=mapping.queue_url, Entries=done[start : start + MAX_RECEIVE_BATCH]
            )
        if failed and self.clock.stepped:
            visible_at = self.clock.now() + mapping.visibility_timeout_s
            for message_id in failed:
                mapping.in_flight[handles[message_id]] = visible_at
        if failed and not detail:
            detail = (
                f"{len(failed)} of {len(messages)} messages stay on the queue;"
                " they return after the visibility timeout"
            )
        self._log_batch(mapping, function.config.name, result, outcome, len(messages), detail)

    def _log_batch(
        self,
        mapping: SqsMapping,
        function_name: str,
        result: InvocationResult,
        outcome: DeliveryOutcome,
        records: int,
        detail: str,
    ) -> None:
        self.log.record(
            delivery_of(
                result,
                time=self.clock.wall_time(),
                source="sqs",
                source_arn=mapping.queue_arn,
                function_name=function_name,
                outcome=outcome,
                records=records,
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
