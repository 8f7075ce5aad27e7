"""Serverless Framework v3 variables: `${source:address, fallback}` in serverless.yml.

Supported sources: `self:` (this file, after resolution), `opt:` (CLI options such
as --stage and --region), `sls:stage` (the stage in effect) and `sls:instanceId`,
`env:` (environment variables), `aws:region` / `aws:accountId`, and `file(path)`
with an optional `:address`. Fallbacks may be quoted strings, numbers, booleans,
null, or other variables, and there may be several: `${opt:stage, env:STAGE, 'dev'}`.

A string that is exactly one variable takes the variable's value as is (a map, a
number); a variable inside a longer string is interpolated as text. Sources the
local account cannot reach (ssm, cf, s3, param, ...) use their fallback when one is
given; without one they stay as written and a warning says so. So do sources a
plugin provides (`${construct:...}` from serverless-lift, ...): plugins are not run.
`${file(x.yml)}` with no `:address` is the whole parsed file.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from serverless_tutor.problems import Problem

_REFERENCE = re.compile(
    r"^(self|opt|sls|env|aws|file\([^)]*\)|[A-Za-z][\w-]*(?:\([^)]*\))?):(.*)$", re.DOTALL
)
_WHOLE_FILE = re.compile(r"^file\(([^)]*)\)$")  # ${file(x.yml)}: the whole file as the value
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_UNREACHABLE_SOURCES = ("ssm", "cf", "s3", "param", "secretsmanager", "terraform", "vault")


class ResolvedVariable(BaseModel):
    path: str  # where in the file it appeared
    expression: str  # as written, e.g. "${opt:stage, 'dev'}"
    value: Any


class VariableError(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.line())


class VariableResolver:
    """Resolves every `${...}` in a loaded serverless.yml tree."""

    def __init__(
        self,
        raw: dict[str, Any],
        *,
        file: Path,
        options: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        account_id: str = "123456789012",
    ):
        self.raw = raw
        self.file = file
        self.options = dict(options or {})
        self.env = dict(os.environ if env is None else env)
        self.account_id = account_id
        self.resolved: list[ResolvedVariable] = []
        self.warnings: list[tuple[str, str]] = []
        self.notes: list[str] = []
        self._cache: dict[str, Any] = {}
        self._in_progress: list[str] = []
        self._instance_id = uuid.uuid4().hex[:8]
        self.stage = "dev"
        self.region = "us-east-1"

    # -- entry point -------------------------------------------------------------------

    def resolve_all(self) -> dict[str, Any]:
        found = self.raw.get("provider")
        provider: dict[str, Any] = found if isinstance(found, dict) else {}
        # The stage and region come first: `${sls:stage}` and defaults depend on them.
        self.stage = str(
            self.options.get("stage")
            or self._resolve_node(provider.get("stage"), "provider.stage")
            or "dev"
        )
        self.region = str(
            self.options.get("region")
            or self._resolve_node(provider.get("region"), "provider.region")
            or "us-east-1"
        )
        resolved: dict[str, Any] = self._resolve_node(self.raw, "")
        return resolved

    # -- tree walking ----------------------------------------------------------------------

    def _resolve_node(self, node: Any, path: str) -> Any:
        if isinstance(node, dict):
            return {key: self._resolve_node(value, _join(path, key)) for key, value in node.items()}
        if isinstance(node, list):
            return [self._resolve_node(value, f"{path}[{i}]") for i, value in enumerate(node)]
        if isinstance(node, str) and "${" in node:
            return (
                self._resolve_string(node, path) if _variable_spans(node, self.file, path) else node
            )
        return node

    def _resolve_string(self, text: str, path: str) -> Any:
        spans = _variable_spans(text, self.file, path)
        if len(spans) == 1 and spans[0] == (0, len(text)):
            value = self._evaluate(text[2:-1], path, text)
            self.resolved.append(
                ResolvedVariable(path=path or "(file)", expression=text, value=value)
            )
            return value
        pieces = []
        cursor = 0
        for start, end in spans:
            pieces.append(text[cursor:start])
            expression = text[start:end]
            value = self._evaluate(expression[2:-1], path, expression)
            self.resolved.append(
                ResolvedVariable(path=path or "(file)", expression=expression, value=value)
            )
            if isinstance(value, dict | list):
                raise VariableError(
                    Problem(
                        file=str(self.file),
                        field=path,
                        expected=f"{expression} is a {type(value).__name__}, which cannot be part of a longer string",
                    )
                )
            pieces.append("" if value is None else _text(value))
            cursor = end
        pieces.append(text[cursor:])
        return "".join(pieces)

    # -- one variable ------------------------------------------------------------------------

    def _evaluate(self, inner: str, path: str, expression: str) -> Any:
        candidates = _split_top_level(inner)
        missing: list[str] = []
        for candidate in candidates:
            candidate = candidate.strip()
            found, value = self._candidate(candidate, path, expression)
            if found:
                return value
            missing.append(candidate)
        unreachable = [c for c in missing if c.split(":", 1)[0] in _UNREACHABLE_SOURCES]
        plugin = [c for c in missing if _is_plugin_source(c)]
        if plugin and not unreachable:
            self.warnings.append(
                (
                    path,
                    f"{expression}: {plugin[0].split(':', 1)[0]}: is a variable source a plugin provides; "
                    "plugins are not run locally, so the value is left as written",
                )
            )
            return expression
        if unreachable:
            self.warnings.append(
                (
                    path,
                    f"{expression}: the {unreachable[0].split(':', 1)[0]} source is not available locally; left as written",
                )
            )
            return expression
        raise VariableError(
            Problem(
                file=str(self.file),
                field=path or "(file)",
                expected=f"cannot resolve {expression}: no value at {missing[0]}"
                + ("" if len(missing) == 1 else " nor at any fallback"),
            )
        )

    def _candidate(self, text: str, path: str, expression: str) -> tuple[bool, Any]:
        """(found, value) for one primary or fallback part of a variable."""
        if not text:
            return False, None
        if text.startswith("${") and text.endswith("}"):
            found, value = self._candidate(text[2:-1].strip(), path, expression)
            return found, value
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return True, text[1:-1]
        if _NUMBER.match(text):
            return True, json.loads(text)
        if text in ("true", "false"):
            return True, text == "true"
        if text == "null":
            return True, None
        whole_file = _WHOLE_FILE.match(text)
        if whole_file:
            return self._file(whole_file.group(1).strip(), "", path, expression)
        match = _REFERENCE.match(text)
        if not match:
            raise VariableError(
                Problem(
                    file=str(self.file),
                    field=path or "(file)",
                    expected=f"{expression}: {text!r} is not a variable source or a quoted value",
                )
            )
        source, address = match.group(1), match.group(2).strip()
        if source == "self":
            return self._self(address, path)
        if source == "opt":
            value = self.options.get(address)
            if address == "stage" and value is None:
                return False, None
            return (value is not None), value
        if source == "sls":
            if address == "stage":
                return True, self.stage
            if address == "instanceId":
                return True, self._instance_id
            raise VariableError(
                Problem(
                    file=str(self.file),
                    field=path,
                    expected=f"{expression}: sls:{address} is not supported (sls:stage, sls:instanceId)",
                )
            )
        if source == "env":
            value = self.env.get(address)
            return (value is not None), value
        if source == "aws":
            if address == "region":
                return True, self.region
            if address == "accountId":
                return True, self.account_id
            raise VariableError(
                Problem(
                    file=str(self.file),
                    field=path,
                    expected=f"{expression}: aws:{address} is not supported (aws:region, aws:accountId)",
                )
            )
        if source.startswith("file("):
            return self._file(source[5:-1].strip(), address, path, expression)
        return (
            False,
            None,
        )  # an unreachable or plugin-provided source (ssm, cf, construct, ...): fall back

    def _self(self, address: str, path: str) -> tuple[bool, Any]:
        if address in ("provider.stage",) and not _exists(self.raw, address):
            note = f"${{self:provider.stage}} is used but provider.stage is not set: the framework fills in the stage ({self.stage})"
            if note not in self.notes:
                self.notes.append(note)
            return True, self.stage
        if address in ("provider.region",) and not _exists(self.raw, address):
            return True, self.region
        if address in self._cache:
            return True, self._cache[address]
        if not _exists(self.raw, address):
            return self._self_through_variable(address, path)
        if address in self._in_progress:
            chain = " -> ".join([*self._in_progress, address])
            raise VariableError(
                Problem(
                    file=str(self.file),
                    field=path,
                    expected=f"variables refer to each other in a loop: {chain}",
                )
            )
        self._in_progress.append(address)
        try:
            value = self._resolve_node(_lookup(self.raw, address), _dotted_to_path(address))
        finally:
            self._in_progress.pop()
        if address == "provider.stage":
            value = self.stage
        self._cache[address] = value
        return True, value

    def _self_through_variable(self, address: str, path: str) -> tuple[bool, Any]:
        """`self:custom.limits.memory` where `custom.limits` is itself a variable (`${file(x.json)}`)."""
        parts = address.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:cut])
            if _exists(self.raw, prefix):
                found, value = self._self(prefix, path)
                rest = ".".join(parts[cut:])
                if found and isinstance(value, dict | list) and _exists(value, rest):
                    return True, _lookup(value, rest)
                return False, None
        return False, None

    def _file(self, name: str, address: str, path: str, expression: str) -> tuple[bool, Any]:
        import yaml

        from serverless_tutor.cloud.cfn_yaml import load_yaml_text

        target = (self.file.parent / name.strip("'\"")).resolve()
        if not target.is_file():
            return False, None
        text = target.read_text(encoding="utf-8")
        try:
            data = json.loads(text) if target.suffix == ".json" else load_yaml_text(text)
        except (ValueError, yaml.YAMLError) as error:
            raise VariableError(
                Problem(
                    file=str(target),
                    field="(file)",
                    expected=f"{expression}: not valid YAML/JSON ({error})",
                )
            ) from error
        if not address:
            return True, data
        if not _exists(data, address):
            return False, None
        return True, _lookup(data, address)


def _is_plugin_source(candidate: str) -> bool:
    """`construct:x`, `myPlugin:y`: a source none of the framework's own (nor an AWS one) names."""
    match = _REFERENCE.match(candidate)
    if not match:
        return False
    source = match.group(1)
    return source not in (
        "self",
        "opt",
        "sls",
        "env",
        "aws",
        *_UNREACHABLE_SOURCES,
    ) and not source.startswith("file(")


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _dotted_to_path(address: str) -> str:
    return re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", address)


def _lookup(data: Any, address: str) -> Any:
    node = data
    for part in address.split("."):
        node = node[int(part)] if isinstance(node, list) and part.isdigit() else node[part]
    return node


def _exists(data: Any, address: str) -> bool:
    node = data
    for part in address.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return node is not None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _variable_spans(text: str, file: Path, path: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level `${...}` in text, nested braces matched."""
    spans: list[tuple[int, int]] = []
    i = 0
    while True:
        start = text.find("${", i)
        if start < 0:
            return spans
        depth = 0
        j = start
        while j < len(text):
            if text.startswith("${", j):
                depth += 1
                j += 2
                continue
            if text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if depth != 0:
            raise VariableError(
                Problem(
                    file=str(file),
                    field=path or "(file)",
                    expected=f"unclosed variable in {text!r} (a '}}' is missing)",
                )
            )
        if _is_variable(text[start + 2 : j]):
            spans.append((start, j + 1))
        i = j + 1


_SOURCE = re.compile(r"^\s*([a-z][A-Za-z0-9]*(\([^)]*\))?:(?!:)|file\([^)]*\)\s*(,|$))")


def _is_variable(inner: str) -> bool:
    """`${self:x}` is a framework variable; `${AWS::Region}` and `${Table.Arn}` are left for Fn::Sub."""
    return bool(_SOURCE.match(inner))


def _split_top_level(inner: str) -> list[str]:
    """Split `a, b, 'c, d'` on commas outside quotes and nested variables."""
    parts, current, depth, quote = [], [], 0, ""
    i = 0
    while i < len(inner):
        c = inner[i]
        if quote:
            current.append(c)
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
            current.append(c)
        elif inner.startswith("${", i):
            depth += 1
            current.append("${")
            i += 2
            continue
        elif c == "}" and depth:
            depth -= 1
            current.append(c)
        elif c == "(":
            depth += 1
            current.append(c)
        elif c == ")" and depth:
            depth -= 1
            current.append(c)
        elif c == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
        i += 1
    parts.append("".join(current))
    return parts
