"""Reading YAML content files with errors in the house shape: file, field, what was expected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from serverless_tutor.problems import ContentError, Problem

# libyaml's loader is several times faster where PyYAML was built with it.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, path: Path, *, field: str = "(file)", first_line: int = 1) -> Any:
    """Parse YAML text taken from `path` (starting at `first_line` of the file)."""
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + first_line}" if mark else ""
        raise ContentError(
            [
                Problem(
                    file=str(path),
                    field=field,
                    expected=f"valid YAML{where}: {getattr(exc, 'problem', exc)}",
                )
            ]
        ) from None


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(
            [Problem(file=str(path), field="(file)", expected=f"a readable UTF-8 file ({exc})")]
        ) from None


def load_yaml_mapping(path: Path, *, expected: str = "a YAML mapping of fields") -> dict[str, Any]:
    """Read a YAML file whose top level must be a mapping."""
    data = parse_yaml(read_text(path), path)
    if not isinstance(data, dict):
        raise ContentError([Problem(file=str(path), field="(file)", expected=expected)])
    return data
