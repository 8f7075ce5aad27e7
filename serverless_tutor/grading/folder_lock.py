"""One writer at a time per graded folder (and one background grader per data folder).

`grade` (results, then the gradebook files) and a re-grade of one student (the app,
`gradebook --regrade`) both rewrite a graded folder; two of them at once would leave
a gradebook that matches neither. Each holds an exclusive lock on the folder while it
writes; the background grader (cli/grader_server.py) holds its folder's for its life.
The lock is the operating system's (flock), so it ends with the process that held it,
however that process ends: a killed run never leaves the folder locked.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE = ".grading.lock"


class FolderBusy(Exception):
    """Another grading run is writing this folder; `holder` is ' (process 1234)' or ''."""

    def __init__(self, folder: Path, holder: str):
        super().__init__(
            f"{folder} is being written by another grading run{holder}; "
            "wait for it to finish, or write to another folder"
        )
        self.holder = holder


@contextlib.contextmanager
def writing(folder: Path) -> Iterator[None]:
    """Hold the (existing) folder's lock for the block; FolderBusy at once if another run
    holds it."""
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FolderBusy(folder, _holder(fd)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    """' (process 1234)', from what the holder wrote into the lock file ('' if unreadable)."""
    with contextlib.suppress(OSError, ValueError):
        pid = int(os.pread(fd, 32, 0).decode("ascii").strip())
        return f" (process {pid})"
    return ""
