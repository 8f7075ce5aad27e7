"""The learner's progress: one JSON file in the data directory, written atomically.

A save goes through `write_atomically` (a temporary file in the same folder,
fsynced and renamed over the old one), so a crash mid-save leaves either the old
state or the new one. Temporary files a killed writer left behind are removed on
the next load once they are a minute old. A file
that cannot be read or parsed is moved aside (never overwritten) and the learner
starts fresh with a one-line notice saying where the old file went.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from serverless_tutor.atomic_write import stale_temporaries, write_atomically
from serverless_tutor.paths import data_home
from serverless_tutor.quiz.state import QuizState

PROGRESS_FILE = "progress.json"
STALE_TEMP_SECONDS = 60


class ExerciseProgress(BaseModel):
    """One exercise: best result so far, hints shown, and whether the solution was seen."""

    model_config = ConfigDict(extra="allow")

    status: Literal["new", "attempted", "passed"] = "new"
    best_points: int = 0
    max_points: int = 0
    checks: int = Field(default=0, description="times the learner's file was graded")
    hints_used: int = 0
    gave_up: bool = False
    solution_revealed: bool = False


class Progress(BaseModel):
    # Unknown keys are kept, so a file written by a newer version survives a save.
    model_config = ConfigDict(extra="allow")

    version: int = 1
    current_lesson: str | None = Field(default=None, description="id of the lesson open last")
    visited: list[str] = Field(
        default_factory=list, description="ids of lessons opened at least once"
    )
    theme: str | None = None
    exercises: dict[str, ExerciseProgress] = Field(
        default_factory=dict, description="exercise id -> progress"
    )
    quiz: QuizState = Field(
        default_factory=QuizState, description="spaced-repetition cards and saved interviews"
    )

    def visit(self, lesson_id: str) -> None:
        self.current_lesson = lesson_id
        if lesson_id not in self.visited:
            self.visited.append(lesson_id)


class LoadResult(BaseModel):
    progress: Progress
    notice: str | None = None


class ProgressStore:
    def __init__(self, folder: Path | None = None):
        self.folder = folder if folder is not None else data_home()
        self.path = self.folder / PROGRESS_FILE

    def load(self) -> LoadResult:
        self._remove_stale_temp_files()
        if not self.path.exists():
            return LoadResult(progress=Progress())
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return LoadResult(progress=Progress.model_validate(raw))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
            kept = self._move_aside()
            reason = type(exc).__name__
            return LoadResult(
                progress=Progress(),
                notice=f"Progress file was unreadable ({reason}); kept it as {kept} and started fresh.",
            )

    def save(self, progress: Progress) -> None:
        write_atomically(self.path, progress.model_dump_json(indent=2))

    def _remove_stale_temp_files(self) -> None:
        # A writer killed mid-save leaves its temp file behind; the real file is intact.
        cutoff = time.time() - STALE_TEMP_SECONDS
        for leftover in stale_temporaries(self.folder, PROGRESS_FILE):
            try:
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
            except OSError:
                continue

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{PROGRESS_FILE}.corrupt-{stamp}")
        counter = 1
        while target.exists():
            target = self.path.with_name(f"{PROGRESS_FILE}.corrupt-{stamp}-{counter}")
            counter += 1
        os.replace(self.path, target)
        return target
