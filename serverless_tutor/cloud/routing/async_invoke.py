"""Asynchronous invocation (Lambda's `Event` type): the caller is not kept waiting.

A pool of delivery threads invokes the function, retries a failed invoke up to
`maximum_retry_attempts` (2) more times, then sends the event to the function's
on-failure destination or dead-letter queue, if it has one.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from serverless_tutor.cloud import payloads
from serverless_tutor.cloud.routing.deliveries import (
    Delivery,
    DeliveryOutcome,
    SourceKind,
    delivery_of,
)
from serverless_tutor.cloud.routing.functions import RoutedFunction
from serverless_tutor.cloud.routing.source import EventSource, RoutingContext
from serverless_tutor.runtime.results import InvocationResult


class AsyncInvoker(EventSource):
    def __init__(self, context: RoutingContext, *, delivery_threads: int = 4):
        super().__init__(context)
        self._pending = 0
        self._idle = threading.Condition()
        self._pool = ThreadPoolExecutor(
            max_workers=delivery_threads, thread_name_prefix="router-async"
        )

    @property
    def pending(self) -> int:
        """How many asynchronous invokes are queued or running."""
        with self._idle:
            return self._pending

    def invoke_async(
        self, function_name: str, event: Any, *, source: SourceKind, source_arn: str
    ) -> None:
        """Queue an asynchronous invoke and return at once.

        A fault plan may deliver the event twice (duplicate, or a redelivery): async
        invokes are at least once in AWS too, so the handler must be idempotent.
        """
        function = self.functions.get(function_name)
        fault = self.delivery_fault(source, function_name, source_arn)
        copies = 2 if fault is not None and (fault.duplicate or fault.redeliver) else 1
        for _ in range(copies):
            with self._idle:
                self._pending += 1
            self._pool.submit(self._run, function, event, source, source_arn)

    def wait_idle(self, timeout_s: float = 60) -> bool:
        """Wait until no asynchronous invoke is queued or running; False at the deadline."""
        deadline = time.monotonic() + timeout_s
        with self._idle:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def shutdown(self) -> None:
        """Finish what is queued, then stop the delivery threads."""
        self._pool.shutdown(wait=True)

    def _run(
        self, function: RoutedFunction, event: Any, source: SourceKind, source_arn: str
    ) -> None:
        try:
            attempts = 1 + function.maximum_retry_attempts
            # AWS waits about 1 and then 2 minutes between these attempts; locally they run back to back.
            for attempt in range(1, attempts + 1):
                result = self.functions.run(function, event)
                last = attempt == attempts
                outcome: DeliveryOutcome = (
                    "ok" if result.error is None else ("error" if last else "retry")
                )
                self.log.record(
                    delivery_of(
                        result,
                        time=self.clock.wall_time(),
                        source=source,
                        source_arn=source_arn,
                        function_name=function.config.name,
                        outcome=outcome,
                        attempt=attempt,
                    )
                )
                if result.error is None:
                    return
            self._after_retries(function, event, result, attempts)
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def _after_retries(
        self, function: RoutedFunction, event: Any, result: InvocationResult, attempts: int
    ) -> None:
        error = result.error.to_json() if result.error is not None else None
        if function.on_failure:
            record = payloads.destination_record(
                function_arn=function.arn,
                request_id=result.request_id,
                event=event,
                error=error,
                attempts=attempts,
                when=self.clock.wall_time(),
            )
            self._send_to(function.on_failure, json.dumps(record), record, function, "destination")
            return
        if function.dead_letter:
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
            return
        self._record_destination(
            function,
            "dropped",
            "retries exhausted and no on-failure destination or DLQ: the event is lost",
            attempt=attempts,
            request_id=result.request_id,
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
        self._record_destination(function, outcome, f"sent to {target_arn}")

    def _record_destination(
        self,
        function: RoutedFunction,
        outcome: DeliveryOutcome,
        detail: str,
        *,
        attempt: int = 1,
        request_id: str | None = None,
    ) -> None:
        """Log what happened to an event after its retries: where it went, or that it was lost."""
        self.log.record(
            Delivery(
                time=self.clock.wall_time(),
                source="destination",
                source_arn=function.arn,
                function_name=function.config.name,
                outcome=outcome,
                attempt=attempt,
                request_id=request_id,
                detail=detail,
            )
        )
