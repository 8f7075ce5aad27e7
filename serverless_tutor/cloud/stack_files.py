"""Finding and loading "the stack in this folder", whichever format it is written in.

`find_stack_file(folder)` looks for serverless.yml, serverless.yaml, template.yaml
and template.yml (in that order); `load_stack(path)` reads a serverless.yml or a
SAM template into the one ServiceSpec that deploy.py deploys. The CLI verbs
(deploy, offline, invoke) call these two and nothing format-specific.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from serverless_tutor.cloud.cfn_yaml import load_yaml_text
from serverless_tutor.cloud.sam import load_sam_template, looks_like_sam
from serverless_tutor.cloud.service import ServiceConfigError, load_service
from serverless_tutor.cloud.service_spec import ServiceSpec
from serverless_tutor.paths import bundled_example, examples_dir

STACK_FILE_NAMES = ("serverless.yml", "serverless.yaml", "template.yaml", "template.yml")


def find_stack_file(folder: str | Path = ".") -> Path | None:
    """The first of STACK_FILE_NAMES present in `folder`, if any."""
    for name in STACK_FILE_NAMES:
        candidate = Path(folder) / name
        if candidate.is_file():
            return candidate
    return None


def locate_stack(config: str | None, folder: str | Path = ".") -> Path | None:
    """The stack file a verb was given: a path, a bundled example's name, or (None) the one in `folder`."""
    if config is None:
        return find_stack_file(folder)
    path = Path(config)
    if path.is_file() or "/" in config:
        return path if path.is_file() else None
    found = bundled_example(config)
    if found is None:
        candidate = examples_dir() / config / "template.yaml"
        found = candidate if candidate.is_file() else None
    return found


def is_sam_template(path: str | Path) -> bool:
    """A SAM/CloudFormation template rather than a serverless.yml (by its contents)."""
    file = Path(path)
    try:
        raw: Any = load_yaml_text(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return file.name.startswith("template.")  # the loader reports what is wrong
    return looks_like_sam(raw)


def load_stack(
    path: str | Path,
    *,
    stage: str | None = None,
    region: str | None = None,
    parameter_overrides: dict[str, str] | None = None,
) -> ServiceSpec:
    """A serverless.yml or a SAM template as a ServiceSpec. Raises ServiceConfigError.

    `stage` applies to serverless.yml only, `parameter_overrides` to SAM only.
    """
    if is_sam_template(path):
        return load_sam_template(path, parameter_overrides=parameter_overrides, region=region)
    return load_service(path, stage=stage, region=region)


__all__ = [
    "STACK_FILE_NAMES",
    "ServiceConfigError",
    "find_stack_file",
    "is_sam_template",
    "load_stack",
    "locate_stack",
]
