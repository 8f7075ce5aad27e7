"""The learner's progress: one JSON file in the data directory, written atomically.

A save goes through `write_atomically` (a temporary file in the same folder,
fsynced and renamed over the old one), so a crash mid-save leaves either the old
state or the new one. Saves are merged, under a lock, with what another writer
(the app, or `check` in another shell) saved since this store last read the file,
so no writer erases another's results (see progress_merge.py). Temporary files a killed writer left behind are removed on
the next load once they are a minute old. A file
that cannot be read or parsed is moved aside (never overwritten) and the learner
starts fresh with a one-line notice saying where the old file went; when it cannot
even be moved (a read-only data folder) it is left in place, the notice says so,
and `save` refuses to write over it.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from serverless_tutor.atomic_write import stale_temporaries, write_atomically
from serverless_tutor.paths import data_home

# Re-exported: callers name the file through this module.
from serverless_tutor.progress_file import PROGRESS_FILE as PROGRESS_FILE
from serverless_tutor.progress_merge import merge_progress
from serverless_tutor.quiz.state import QuizState

LOCK_FILE = "progress.json.lock"
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
    last_result: Literal["pass", "fail", "error"] | None = Field(
        default=None, description="the latest graded run, whatever the best one was"
    )
    last_run_at: datetime | None = None


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
        # The document this store last read or wrote: the base of the next merge.
        self._base: dict[str, Any] = {}
        # (mtime, size) of the file as this store last read or wrote it.
        self._seen: tuple[int, int] | None = None
        self.notice: str | None = None
        # Why an unreadable file could not be moved aside; while set, save() will not write.
        self._stuck: OSError | None = None

    def load(self) -> LoadResult:
        self._remove_stale_temp_files()
        progress = self._read()
        self._base = progress.model_dump(mode="json")
        return LoadResult(progress=progress, notice=self.notice)

    def changed_elsewhere(self) -> bool:
        """Has another writer saved since this store last read or wrote the file? (one stat)"""
        return self._stamp() != self._seen

    def pull(self, progress: Progress) -> bool:
        """Merge what another writer saved into `progress` (in place) without writing.

        Returns False when nothing changed on disk. Changes of our own not yet
        saved are kept; the next save merges them against what was pulled.
        """
        if not self.changed_elsewhere():
            return False
        with self._locked():
            on_disk = self._read().model_dump(mode="json")
        if self.notice is not None or self._seen is None:
            return False  # the file was unreadable (kept aside) or removed: keep what we have
        merged = merge_progress(self._base, progress.model_dump(mode="json"), on_disk)
        _adopt(progress, Progress.model_validate(merged))
        self._base = on_disk
        return True

    def save(self, progress: Progress) -> Progress:
        """Merge `progress` with what is on disk now, write the result and return it.

        `progress` itself is updated in place to the merged result, so a caller that
        keeps its own copy carries on with the other writers' results too (the next
        merge is taken against it); nested models keep their identity, because a
        quiz session holds `progress.quiz`.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._locked():
            on_disk = self._read().model_dump(mode="json") if self.path.exists() else None
            if self._stuck is not None:
                raise self._stuck  # writing now would destroy the unreadable file
            mine = progress.model_dump(mode="json")
            merged = mine if on_disk is None else merge_progress(self._base, mine, on_disk)
            result = Progress.model_validate(merged)
            write_atomically(self.path, result.model_dump_json(indent=2))
            self._seen = self._stamp()
        _adopt(progress, result)
        self._base = result.model_dump(mode="json")
        return result

    def _read(self) -> Progress:
        """The progress on disk; a file that cannot be read is moved aside (noted in .notice)."""
        self.notice = None
        self._stuck = None
        self._seen = self._stamp()
        if self._seen is None:
            return Progress()
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return Progress.model_validate(raw)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValidationError) as exc:
            reason = type(exc).__name__
            try:
                kept = self._move_aside()
            except OSError as stuck:
                self._stuck = stuck
                self.notice = (
                    f"Progress file {self.path} was unreadable ({reason}) and could not be "
                    f"moved aside ({stuck.strerror or stuck}); it is left as it is, and "
                    "nothing is recorded until it is moved or deleted."
                )
                return Progress()
            self._seen = None
            self.notice = (
                f"Progress file was unreadable ({reason}); kept it as {kept} and started fresh."
            )
            return Progress()

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold an exclusive lock on the lock file beside progress.json (POSIX advisory lock)."""
        try:
            import fcntl
        except ImportError:  # no advisory locks on this platform: merge without one
            yield
            return
        with open(self.folder / LOCK_FILE, "a") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

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


def _adopt(target: BaseModel, source: BaseModel) -> None:
    """Give `target` the values of `source` (same model type), updating nested models in place."""
    for name in type(source).model_fields:
        old, new = getattr(target, name), getattr(source, name)
        if isinstance(old, BaseModel) and type(old) is type(new):
            _adopt(old, new)
        else:
            setattr(target, name, new)
    for name, value in (source.model_extra or {}).items():
        setattr(target, name, value)
