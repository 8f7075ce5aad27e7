"""Where shipped content and the learner's data live."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def content_root() -> Path:
    """The folder holding `lessons/` and `exercises/`.

    An installed wheel carries them in `serverless_tutor/_content/`; a source
    checkout (or an editable install) has them at the repository top level.
    """
    packaged = _PACKAGE_DIR / "_content"
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent


def lessons_dir() -> Path:
    return content_root() / "lessons"


def exercises_dir() -> Path:
    return content_root() / "exercises"


def examples_dir() -> Path:
    """Runnable example services (serverless.yml + handlers), shipped inside the package."""
    return _PACKAGE_DIR / "demos" / "examples"


def bundled_example(name: str) -> Path | None:
    """The serverless.yml of a bundled example by name (e.g. "order-service"), if there is one."""
    candidate = examples_dir() / name / "serverless.yml"
    return candidate if "/" not in name and candidate.is_file() else None


def bundled_example_names() -> list[str]:
    return sorted(p.parent.name for p in examples_dir().glob("*/serverless.yml"))


def data_home() -> Path:
    """The learner's data directory; `SERVERLESS_TUTOR_HOME` overrides it."""
    override = os.environ.get("SERVERLESS_TUTOR_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("serverless-tutor", appauthor=False))
