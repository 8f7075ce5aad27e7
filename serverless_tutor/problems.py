"""The one error shape every content loader reports: file, field, what was expected."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ValidationError


class Problem(BaseModel):
    file: str
    field: str
    expected: str

    def line(self) -> str:
        return f"{self.file}: {self.field}: {self.expected}"


class ContentError(Exception):
    """Raised when one or more content files are invalid."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.line() for p in problems))


def problems_from_validation(
    path: Path | str, error: ValidationError, prefix: str = ""
) -> list[Problem]:
    """Turn a pydantic ValidationError into one Problem per failing field."""
    found = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"]) or "(file)"
        if prefix:
            location = f"{prefix}.{location}" if location != "(file)" else prefix
        message = item["msg"]
        if item["type"] == "missing":
            message = "required field is missing"
        elif item["type"] == "extra_forbidden":
            message = "unknown field (check the spelling)"
        found.append(Problem(file=str(path), field=location, expected=message))
    return found
