"""How verbs read and write the learner's data folder (progress, workspace, saved interviews).

Every verb that touches progress says on stderr when a corrupt progress file was
moved aside, and turns a data folder it cannot write (read-only, full, not a folder)
into one line on stderr and exit code 1. What was already on disk is never lost:
progress is written atomically, so a failed save leaves the old file as it was.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from serverless_tutor.progress import Progress, ProgressStore

EXIT_NOT_RECORDED = 1


def load_progress(store: ProgressStore) -> Progress:
    """The learner's progress; a notice (corrupt file moved aside) goes to stderr."""
    loaded = store.load()
    if loaded.notice:
        sys.stderr.write(f"serverless-tutor: {loaded.notice}\n")
    return loaded.progress


def save_progress(store: ProgressStore, progress: Progress, what: str) -> bool:
    """Save, or say in one line on stderr that `what` was not recorded and why."""
    try:
        store.save(progress)
    except OSError as exc:
        sys.stderr.write(
            f"serverless-tutor: error: {what} not recorded: cannot write {store.path} "
            f"({exc.strerror or exc}); the progress already there is unchanged\n"
        )
        return False
    return True


def data_folder_error(doing: str, exc: OSError) -> int:
    """One line on stderr for a data folder that cannot be written; exit code 1."""
    sys.stderr.write(f"serverless-tutor: error: could not {doing}: {describe(exc)}\n")
    return EXIT_NOT_RECORDED


def describe(exc: OSError) -> str:
    """'Read-only file system: /path' rather than '[Errno 30] Read-only file system: ...'."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    where = exc.filename
    return f"{reason}: {where}" if where else reason
