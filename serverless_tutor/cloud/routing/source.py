"""What every event source shares, and the base class that holds it."""

from __future__ import annotations

from dataclasses import dataclass, field

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.faults import DeliveryEffect, FaultInjector
from serverless_tutor.cloud.routing.clock import RouterClock
from serverless_tutor.cloud.routing.deliveries import DeliveryLog
from serverless_tutor.cloud.routing.functions import FunctionTable


@dataclass
class FaultSwitch:
    """The fault plan the router's deliveries follow, if any (set and cleared at run time)."""

    injector: FaultInjector | None = None


@dataclass(frozen=True)
class RoutingContext:
    """The account, the functions the router may invoke, its clock, its log and its faults."""

    account: LocalAccount
    functions: FunctionTable
    clock: RouterClock
    log: DeliveryLog
    faults: FaultSwitch = field(default_factory=FaultSwitch)


class EventSource:
    """A handler of one kind of event (SNS, S3, SQS...) on a router's shared context."""

    def __init__(self, context: RoutingContext):
        self.account = context.account
        self.functions = context.functions
        self.clock = context.clock
        self.log = context.log
        self._faults = context.faults

    def delivery_fault(self, source: str, function_name: str, target: str) -> DeliveryEffect | None:
        """What the fault plan does to this delivery, if a plan is set and one of its rules hits."""
        injector = self._faults.injector
        return None if injector is None else injector.for_delivery(source, function_name, target)
