"""SNS -> Lambda: a publish to a topic invokes each subscribed function whose filter policy matches."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from serverless_tutor.cloud import filter_policy, payloads
from serverless_tutor.cloud.account import CompletedCall
from serverless_tutor.cloud.routing.async_invoke import AsyncInvoker
from serverless_tutor.cloud.routing.deliveries import Delivery
from serverless_tutor.cloud.routing.source import EventSource, RoutingContext


@dataclass
class SnsSubscription:
    topic_arn: str
    function_name: str
    subscription_arn: str
    policy: dict[str, Any] | None = None
    scope: str = "MessageAttributes"


class SnsSource(EventSource):
    def __init__(self, context: RoutingContext, invoker: AsyncInvoker):
        super().__init__(context)
        self.invoker = invoker
        self.subscriptions: list[SnsSubscription] = []

    def subscribe(
        self,
        topic_arn: str,
        function_name: str,
        *,
        policy: dict[str, Any] | None = None,
        scope: str = "MessageAttributes",
    ) -> SnsSubscription:
        self.functions.get(function_name)
        subscription = SnsSubscription(
            topic_arn, function_name, f"{topic_arn}:{uuid.uuid4()}", policy, scope
        )
        self.subscriptions.append(subscription)
        return subscription

    def on_publish(self, call: CompletedCall) -> None:
        """Deliver each message of a Publish or PublishBatch call to the topic's subscribers."""
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
        for subscription in [s for s in self.subscriptions if s.topic_arn == topic]:
            for message_id, body in messages:
                self.deliver(subscription, message_id, body)

    def deliver(self, subscription: SnsSubscription, message_id: str, body: dict[str, Any]) -> None:
        """Invoke the subscriber with one message, unless its filter policy drops it."""
        message = body.get("Message", "")
        attributes = payloads.sns_message_attributes(body.get("MessageAttributes") or {})
        if not filter_policy.matches(subscription.policy, subscription.scope, attributes, message):
            self.log.record(
                Delivery(
                    time=self.clock.wall_time(),
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
            timestamp=self.clock.wall_time(),
            region=self.account.region,
        )
        self.invoker.invoke_async(
            subscription.function_name,
            {"Records": [record]},
            source="sns",
            source_arn=subscription.topic_arn,
        )
