"""Grading results in the Exercism test-runner format, version 3, plus points.

https://exercism.org/docs/building/tooling/test-runners/interface (version 3):
top level `version`, `status` (pass | fail | error), `message` (when status is
error), `tests[]` each with `name`, `test_code`, `status`, `message`, `output`
(capped at 500 characters) and `task_id`. We add `points`/`maxPoints` at the top
and per test, and per test the Lambda REPORT lines of its invocations.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["pass", "fail", "error"]
OUTPUT_LIMIT = 500  # Exercism's cap for `output`
TRUNCATED_NOTE = "\n[output truncated to {limit} characters]"


def cap_output(text: str, limit: int = OUTPUT_LIMIT) -> str | None:
    """The handler's output as Exercism wants it: None when empty, cut (and said so) when long."""
    text = text.strip("\n")
    if not text:
        return None
    if len(text) <= limit:
        return text
    note = TRUNCATED_NOTE.format(limit=limit)
    return text[: limit - len(note)] + note


class TestResult(BaseModel):
    __test__ = False  # not a pytest class
    model_config = ConfigDict(populate_by_name=True)

    name: str
    status: Status
    message: str | None = None
    output: str | None = Field(default=None, description="the handler's own log lines, capped")
    test_code: str = Field(description="what the test sends and expects, in words and YAML")
    task_id: int | None = None
    points: int = 0
    max_points: int = Field(default=0, alias="maxPoints")
    report: list[str] = Field(
        default_factory=list, description="one Lambda REPORT line per invocation"
    )
    visibility: Literal["public", "hidden"] = "public"


class CheckResult(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    version: Literal[3] = 3
    status: Status
    message: str | None = None
    tests: list[TestResult] = Field(default_factory=list)
    points: int = 0
    max_points: int = Field(default=0, alias="maxPoints")
    exercise: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def to_json(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)
