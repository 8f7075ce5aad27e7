"""Reading a parsed config file: typed getters that record a Problem (file, key path,
what was expected) or a warning instead of raising, so one pass reports every mistake."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from serverless_tutor.cloud.resource_types import REQUIRED_PROPERTIES, RESOURCE_PROPERTIES
from serverless_tutor.cloud.service_spec import ConfigWarning
from serverless_tutor.problems import Problem


class ConfigReader:
    def __init__(self, file: Path):
        self.file = file
        self.problems: list[Problem] = []
        self.warnings: list[ConfigWarning] = []

    # -- reporting -------------------------------------------------------------------------

    def problem(self, path: str, expected: str) -> None:
        self.problems.append(Problem(file=str(self.file), field=path, expected=expected))

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(ConfigWarning(path=path, message=message))

    def warn_unknown(self, node: dict[str, Any], known: set[str], path: str, what: str) -> None:
        for key in node:
            if key not in known:
                self.warn(join_path(path, key), f"{what} key not supported locally; ignored")

    def function_name(self, name: str, path: str) -> str:
        """A Lambda function name as AWS accepts it; a problem otherwise."""
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name):
            self.problem(
                path,
                f"a function name of 1 to 64 letters, digits, hyphens and underscores, not {name!r}"
                f" ({len(name)} characters)",
            )
        return name

    # -- typed getters ---------------------------------------------------------------------

    def mapping(self, node: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        value = node.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(join_path(path, key), f"a mapping, not {kind_of(value)}")
            return {}
        return value

    def integer(
        self,
        node: dict[str, Any],
        key: str,
        path: str,
        default: int | None,
        low: int,
        high: int,
        unit: str = "",
    ) -> int | None:
        value = node.get(key, default)
        if value is None:
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(join_path(path, key), f"a whole number{unit}, not {kind_of(value)}")
            return default
        if not low <= value <= high:
            self.problem(join_path(path, key), f"between {low} and {high}{unit} (got {value})")
            return default
        return value

    def boolean(self, node: dict[str, Any], key: str, path: str, default: bool) -> bool:
        value = node.get(key, default)
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            self.problem(join_path(path, key), f"true or false, not {kind_of(value)}")
            return default
        return value

    def string(
        self, node: dict[str, Any], key: str, path: str, required: bool = False
    ) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.problem(join_path(path, key), "required field is missing")
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.problem(join_path(path, key), f"a string, not {kind_of(value)}")
            return None
        return value

    # -- CloudFormation resources ------------------------------------------------------------

    def check_resource_properties(self, kind: str, properties: dict[str, Any], path: str) -> None:
        self.warn_unknown(properties, RESOURCE_PROPERTIES[kind], path, kind)
        for required in REQUIRED_PROPERTIES.get(kind, ()):
            if required not in properties:
                self.problem(f"{path}.{required}", "required field is missing")
        if kind == "AWS::DynamoDB::Table":
            for i, attribute in enumerate(properties.get("AttributeDefinitions") or []):
                if not isinstance(attribute, dict) or attribute.get("AttributeType") not in (
                    "S",
                    "N",
                    "B",
                ):
                    self.problem(f"{path}.AttributeDefinitions[{i}].AttributeType", "S, N or B")
            for i, key in enumerate(properties.get("KeySchema") or []):
                if not isinstance(key, dict) or key.get("KeyType") not in ("HASH", "RANGE"):
                    self.problem(f"{path}.KeySchema[{i}].KeyType", "HASH or RANGE")
            view = (properties.get("StreamSpecification") or {}).get("StreamViewType")
            if view is not None and view not in (
                "KEYS_ONLY",
                "NEW_IMAGE",
                "OLD_IMAGE",
                "NEW_AND_OLD_IMAGES",
            ):
                self.problem(
                    f"{path}.StreamSpecification.StreamViewType",
                    "KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES",
                )


def join_path(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def string_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",")]
    return [str(v) for v in value or []]


def is_intrinsic(value: dict[str, Any]) -> bool:
    return len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::"))
