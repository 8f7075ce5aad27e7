"""EventRouter: the dispatcher that turns what happens in the local account into Lambda invocations.

It owns one handler per event source (see the modules beside it), hears every
call the account serves and passes it to the source it concerns, and drives the
pollers:

- push, asynchronous (SNS, S3, schedules): async_invoke.py delivers, retries and
  sends exhausted events to the on-failure destination or dead-letter queue;
- poll, synchronous (SQS event source mappings, DynamoDB Streams): a poller reads a
  batch, invokes, and acts on the result (delete, partial batch failure, retry);
- HTTP (API Gateway), synchronous: `router.api`, see cloud/apigateway.py.

Tests pass a ManualClock, step it, then call `drain()`, which delivers everything
due and returns when nothing is left in flight. `start()` runs the pollers in a
background thread for `offline`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from serverless_tutor import limits
from serverless_tutor.cloud.account import CompletedCall, LocalAccount
from serverless_tutor.cloud.apigateway import ApiGateway
from serverless_tutor.cloud.faults import FaultInjector
from serverless_tutor.cloud.routing.async_invoke import AsyncInvoker
from serverless_tutor.cloud.routing.clock import RouterClock
from serverless_tutor.cloud.routing.deliveries import Delivery, DeliveryLog, SourceKind
from serverless_tutor.cloud.routing.functions import FunctionInvoker, FunctionTable, RoutedFunction
from serverless_tutor.cloud.routing.s3 import S3Notification, S3Source
from serverless_tutor.cloud.routing.schedules import ScheduledRule, ScheduleSource
from serverless_tutor.cloud.routing.sns import SnsSource, SnsSubscription
from serverless_tutor.cloud.routing.source import FaultSwitch, RoutingContext
from serverless_tutor.cloud.routing.sqs import SqsMapping, SqsPoller
from serverless_tutor.cloud.routing.streams import DYNAMODB_WRITES, StreamMapping, StreamPoller
from serverless_tutor.runtime.clock import Clock
from serverless_tutor.runtime.config import FunctionConfig


class EventRouter:
    def __init__(
        self,
        account: LocalAccount,
        runtime: FunctionInvoker | None,
        *,
        clock: Clock | None = None,
        start_time: datetime | None = None,
        delivery_threads: int = 4,
        poll_interval_s: float = 0.25,  # Lambda polls a stream shard about 4 times a second
        faults: FaultInjector | None = None,
    ):
        self.account = account
        self.runtime = runtime
        self.time = RouterClock(clock, start_time)
        self.clock = self.time.clock
        self.stepped = self.time.stepped
        self.function_table = FunctionTable(account, runtime)
        self.log = DeliveryLog()
        self._faults = FaultSwitch(faults)
        context = RoutingContext(account, self.function_table, self.time, self.log, self._faults)
        self.invoker = AsyncInvoker(context, delivery_threads=delivery_threads)
        self.sns = SnsSource(context, self.invoker)
        self.s3 = S3Source(context, self.invoker)
        self.sqs = SqsPoller(context)
        self.streams = StreamPoller(context)
        self.schedules = ScheduleSource(context, self.invoker)
        self.api = ApiGateway(self.function_table)
        self._poll_interval = poll_interval_s
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        self._unlisten = account.add_listener(self._on_call)

    @property
    def faults(self) -> FaultInjector | None:
        """The fault plan deliveries follow (duplicate, reorder, redeliver); None for none."""
        return self._faults.injector

    @faults.setter
    def faults(self, injector: FaultInjector | None) -> None:
        self._faults.injector = injector

    # -- what is registered ---------------------------------------------------------------------

    @property
    def functions(self) -> dict[str, RoutedFunction]:
        return self.function_table.functions

    @property
    def sns_subscriptions(self) -> list[SnsSubscription]:
        return self.sns.subscriptions

    @property
    def s3_notifications(self) -> list[S3Notification]:
        return self.s3.notifications

    @property
    def sqs_mappings(self) -> list[SqsMapping]:
        return self.sqs.mappings

    @property
    def stream_mappings(self) -> list[StreamMapping]:
        return self.streams.mappings

    @property
    def rules(self) -> list[ScheduledRule]:
        return self.schedules.rules

    @property
    def deliveries(self) -> list[Delivery]:
        return self.log.deliveries

    # -- registration ------------------------------------------------------------------------------

    def add_function(
        self,
        config: FunctionConfig,
        *,
        maximum_retry_attempts: int = limits.ASYNC_MAX_RETRIES,
        on_failure: str | None = None,
        dead_letter: str | None = None,
    ) -> RoutedFunction:
        return self.function_table.add(
            config,
            maximum_retry_attempts=maximum_retry_attempts,
            on_failure=on_failure,
            dead_letter=dead_letter,
        )

    def function(self, name: str) -> RoutedFunction:
        """A registered function; KeyError if `add_function` has not been called for it."""
        return self.function_table.get(name)

    def subscribe_sns(
        self,
        topic_arn: str,
        function_name: str,
        *,
        policy: dict[str, Any] | None = None,
        scope: str = "MessageAttributes",
    ) -> SnsSubscription:
        return self.sns.subscribe(topic_arn, function_name, policy=policy, scope=scope)

    def notify_s3(
        self,
        bucket: str,
        function_name: str,
        *,
        events: list[str] | None = None,
        prefix: str | None = None,
        suffix: str | None = None,
    ) -> S3Notification:
        return self.s3.notify(bucket, function_name, events=events, prefix=prefix, suffix=suffix)

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
        return self.sqs.map(
            queue_arn,
            function_name,
            batch_size=batch_size,
            maximum_batching_window_s=maximum_batching_window_s,
            report_batch_item_failures=report_batch_item_failures,
            enabled=enabled,
        )

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
        return self.streams.map(
            stream_arn,
            function_name,
            batch_size=batch_size,
            starting_position=starting_position,
            enabled=enabled,
            maximum_retry_attempts=maximum_retry_attempts,
            report_batch_item_failures=report_batch_item_failures,
        )

    def schedule(
        self,
        name: str,
        expression: str,
        function_name: str,
        *,
        input: Any = None,
        enabled: bool = True,
    ) -> ScheduledRule:
        return self.schedules.add(name, expression, function_name, input=input, enabled=enabled)

    # -- time and the deliveries log -------------------------------------------------------------

    def wall_time(self) -> datetime:
        """The router's idea of now: real time, or the start time plus the stepped clock."""
        return self.time.wall_time()

    def subscribe(self, callback: Callable[[Delivery], None]) -> Callable[[], None]:
        """Call `callback(delivery)` for every new delivery; returns the unsubscribe function."""
        return self.log.subscribe(callback)

    # -- reacting to calls ---------------------------------------------------------------------

    def _on_call(self, call: CompletedCall) -> None:
        entry = call.entry
        if entry.outcome != "ok":
            return
        if entry.service == "sns" and entry.operation in ("Publish", "PublishBatch"):
            self.sns.on_publish(call)
        elif entry.service == "s3":
            self.s3.on_call(call)
        elif entry.service == "dynamodb" and entry.operation in DYNAMODB_WRITES:
            self.streams.on_write()

    # -- invoking and polling ----------------------------------------------------------------------

    def invoke_async(
        self, function_name: str, event: Any, *, source: SourceKind, source_arn: str
    ) -> None:
        """Queue an asynchronous invoke (Lambda's `Event` invocation type) and return at once."""
        self.invoker.invoke_async(function_name, event, source=source, source_arn=source_arn)

    def poll_sqs(self, mapping: SqsMapping) -> int:
        """One poll of a queue; returns how many messages were handed to the function."""
        return self.sqs.poll(mapping)

    def poll_stream(self, mapping: StreamMapping) -> int:
        """One poll of every shard of a stream; returns records successfully processed."""
        return self.streams.poll(mapping)

    def tick(self) -> int:
        """Fire every schedule that is due on the clock; returns how many invokes were queued."""
        return self.schedules.tick()

    # -- driving ----------------------------------------------------------------------------------

    def poll_once(self) -> int:
        """Fire due schedules and poll every queue and stream once; returns the work done."""
        return self.tick() + self.sqs.poll_all() + self.streams.poll_all()

    def wait_idle(self, timeout_s: float = 60) -> bool:
        """Wait until no asynchronous invoke is queued or running."""
        return self.invoker.wait_idle(timeout_s)

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
                and self.invoker.pending == 0
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
        self.invoker.shutdown()
        self._unlisten()

    def __enter__(self) -> EventRouter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
