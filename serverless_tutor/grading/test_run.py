"""Everything one test case produced, as the expectations and Python checks see it.

A Python check in an exercise's checks.py receives a TestRun and returns None when
the test passes, or a message saying what is wrong (raising AssertionError with a
message works too). It runs in the grading process; it reads the local account
through the account's own clients, never through the learner's code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.trace import TraceEntry
from serverless_tutor.content.exercises import TestCase
from serverless_tutor.grading import resources
from serverless_tutor.runtime.results import EnvironmentInfo, InvocationResult


@dataclass
class TestRun:
    __test__ = False  # not a pytest class

    test: TestCase
    function_name: str
    memory_mb: int
    timeout_s: float
    architecture: Literal["x86_64", "arm64"]
    handler_file: str
    handler_function: str
    source: str  # the learner's file, for checks that read (never run) it
    invocations: list[InvocationResult]
    account: LocalAccount
    calls: list[TraceEntry] = field(
        default_factory=list
    )  # the function's AWS calls during this test
    environments: list[EnvironmentInfo] = field(default_factory=list)

    @property
    def responses(self) -> list[Any]:
        return [invocation.response for invocation in self.invocations]

    def bodies(self) -> list[Any]:
        """The JSON bodies of HTTP-style responses (None where there is none or it is not JSON)."""
        found = []
        for response in self.responses:
            body = response.get("body") if isinstance(response, dict) else None
            try:
                found.append(json.loads(body) if isinstance(body, str) else None)
            except ValueError:
                found.append(None)
        return found

    def table_items(self, table: str) -> list[dict[str, Any]]:
        return resources.table_items(self.account, table)

    def get_item(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        return resources.get_item(self.account, table, key)

    def objects(self, bucket: str) -> dict[str, bytes]:
        return resources.bucket_objects(self.account, bucket)

    def queue_bodies(self, queue: str) -> list[str]:
        return resources.queue_bodies(self.account, queue)

    def emails(self) -> list[dict[str, Any]]:
        return self.account.sent_emails()

    def calls_to(self, service: str, operation: str) -> list[TraceEntry]:
        """The function's calls to service:operation during the test ('*' for any operation), whatever their outcome."""
        return [c for c in self.calls if c.service == service and operation in ("*", c.operation)]
