"""EventBridge schedules -> Lambda: rules fire on the router's clock and invoke asynchronously."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from serverless_tutor.cloud import payloads
from serverless_tutor.cloud.routing.async_invoke import AsyncInvoker
from serverless_tutor.cloud.routing.source import EventSource, RoutingContext
from serverless_tutor.cloud.schedule import Schedule, parse_schedule


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


class ScheduleSource(EventSource):
    def __init__(self, context: RoutingContext, invoker: AsyncInvoker):
        super().__init__(context)
        self.invoker = invoker
        self.rules: list[ScheduledRule] = []

    def add(
        self,
        name: str,
        expression: str,
        function_name: str,
        *,
        input: Any = None,
        enabled: bool = True,
    ) -> ScheduledRule:
        self.functions.get(function_name)
        now = self.clock.wall_time()
        parsed = parse_schedule(expression)
        rule = ScheduledRule(
            name=name,
            arn=self.account.arn("events", f"rule/{name}"),
            function_name=function_name,
            schedule=parsed,
            created=now,
            next_fire=parsed.next_after(now, now),
            input=input,
            enabled=enabled,
        )
        self.rules.append(rule)
        return rule

    def tick(self) -> int:
        """Fire every rule that is due on the clock; returns how many invokes were queued."""
        now = self.clock.wall_time()
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
                self.invoker.invoke_async(
                    rule.function_name, event, source="schedule", source_arn=rule.arn
                )
                fired += 1
                rule.next_fire = rule.schedule.next_after(when, rule.created)
        return fired
