"""Re-check an exercise whenever its file is saved, or when asked to.

File events come from watchfiles (inotify, FSEvents, ...). Where they do not
arrive (network drives, some WSL setups) the caller can still trigger a run by
hand with `request_run()`; the CLI maps Enter and `r` to it. One Grader serves
every run, so a re-check costs only the test cases, not a new sandbox.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from pathlib import Path

from serverless_tutor.content.exercises import Exercise
from serverless_tutor.grading.results import CheckResult
from serverless_tutor.grading.runner import Grader

_RUN, _STOP = "run", "stop"


class WatchLoop:
    def __init__(
        self,
        exercise: Exercise,
        submission: Path,
        on_result: Callable[[CheckResult], None],
        *,
        force_polling: bool | None = None,
    ):
        self.exercise = exercise
        self.submission = Path(submission).resolve()
        self.on_result = on_result
        self.force_polling = force_polling
        self.runs = 0
        self._triggers: queue.Queue[str] = queue.Queue()
        self._stop_event = threading.Event()
        self._grader: Grader | None = None
        self._watcher: threading.Thread | None = None

    def __enter__(self) -> WatchLoop:
        self._grader = Grader()
        self._watcher = threading.Thread(target=self._watch_files, name="tutor-watch", daemon=True)
        self._watcher.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        if self._grader is not None:
            self._grader.close()

    def request_run(self) -> None:
        self._triggers.put(_RUN)

    def stop(self) -> None:
        self._stop_event.set()
        self._triggers.put(_STOP)

    def run_once(self) -> CheckResult:
        assert self._grader is not None, "use WatchLoop as a context manager"
        result = self._grader.grade(self.exercise, self.submission)
        self.runs += 1
        self.on_result(result)
        return result

    def run_until_quit(self, max_runs: int | None = None) -> None:
        """Check now, then once per trigger (several saves in a row count as one) until stop()."""
        self.run_once()
        while not self._stop_event.is_set() and (max_runs is None or self.runs < max_runs):
            trigger = self._triggers.get()
            while not self._triggers.empty():  # coalesce a burst of events
                trigger = _STOP if self._triggers.get() == _STOP or trigger == _STOP else _RUN
            if trigger == _STOP:
                return
            if self.submission.is_file():
                self.run_once()

    def _watch_files(self) -> None:
        import watchfiles

        name = self.submission.name

        def same_file(change: watchfiles.Change, path: str) -> bool:
            return Path(path).name == name and change != watchfiles.Change.deleted

        for _changes in watchfiles.watch(
            self.submission.parent,
            watch_filter=same_file,
            stop_event=self._stop_event,
            force_polling=self.force_polling,
            raise_interrupt=False,
            debounce=300,
        ):
            self._triggers.put(_RUN)
