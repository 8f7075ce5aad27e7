"""What every event source shares, and the base class that holds it."""

from __future__ import annotations

from dataclasses import dataclass

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.routing.clock import RouterClock
from serverless_tutor.cloud.routing.deliveries import DeliveryLog
from serverless_tutor.cloud.routing.functions import FunctionTable


@dataclass(frozen=True)
class RoutingContext:
    """The account, the functions the router may invoke, its clock and its delivery log."""

    account: LocalAccount
    functions: FunctionTable
    clock: RouterClock
    log: DeliveryLog


class EventSource:
    """A handler of one kind of event (SNS, S3, SQS...) on a router's shared context."""

    def __init__(self, context: RoutingContext):
        self.account = context.account
        self.functions = context.functions
        self.clock = context.clock
        self.log = context.log
