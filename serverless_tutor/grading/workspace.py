"""The learner's workspace: their own copy of each starter, never the shipped file.

Layout: <root>/<exercise id>/handler.py, with earlier versions kept in
<root>/<exercise id>/history/ when the learner resets (nothing is ever deleted).
The default root is <data home>/workspace.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from pydantic import BaseModel

from serverless_tutor.content.exercises import Exercise
from serverless_tutor.paths import data_home

HISTORY_FOLDER = "history"


class ResetResult(BaseModel):
    path: Path
    kept: Path | None = None  # where the previous file went; None if there was none


def default_workspace() -> Path:
    return data_home() / "workspace"


class Workspace:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root is not None else default_workspace()

    def path_for(self, exercise: Exercise) -> Path:
        return self.root / exercise.id / exercise.spec.function.handler_file

    def exists(self, exercise: Exercise) -> bool:
        return self.path_for(exercise).is_file()

    def ensure(self, exercise: Exercise) -> Path:
        """The learner's file, copied from the starter the first time it is asked for."""
        path = self.path_for(exercise)
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            _copy_atomically(exercise.starter, path)
        return path

    def reset(self, exercise: Exercise) -> ResetResult:
        """Put the starter back; the current file moves to history/ with a timestamp."""
        path = self.path_for(exercise)
        kept = None
        if path.is_file():
            history = path.parent / HISTORY_FOLDER
            history.mkdir(parents=True, exist_ok=True)
            kept = _unique(history / f"{path.stem}-{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}")
            os.replace(path, kept)
        path.parent.mkdir(parents=True, exist_ok=True)
        _copy_atomically(exercise.starter, path)
        return ResetResult(path=path, kept=kept)

    def history(self, exercise: Exercise) -> list[Path]:
        folder = self.path_for(exercise).parent / HISTORY_FOLDER
        return sorted(folder.glob("*")) if folder.is_dir() else []


def _unique(path: Path) -> Path:
    candidate, counter = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{counter}{path.suffix}")
        counter += 1
    return candidate


def _copy_atomically(source: Path, target: Path) -> None:
    temporary = target.with_name(f".{target.name}.copying")
    shutil.copyfile(source, temporary)
    os.replace(temporary, target)
