"""A fail-safe around moto while it serves a handler's call: no connection, no process, no file written.

The bridge (bridge.py) decides which calls are served and the outbox (outbox.py)
records the deliveries moto would send out. This is the second line behind them:
while the parent serves a call on a handler's behalf, an audit hook refuses, on
that thread, every socket connection or name lookup, every new process, and every
file opened for writing, created, removed or renamed. If some moto code path we
did not foresee tries one, it fails with PermissionError and the call returns an
error, instead of acting outside the account.

This is not a sandbox for untrusted Python (CPython's docs say audit hooks are
not one): the code running under it is moto, which is trusted, fed untrusted
bytes. The learner's code itself runs in the sandboxed worker.

Anonymous temporary files (O_TMPFILE, which moto's S3 uses to spool large object
bodies) are allowed: they have no name and vanish when closed.
"""

from __future__ import annotations

import errno
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_STATE = threading.local()
_INSTALL_LOCK = threading.Lock()
_INSTALLED = False

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_O_TMPFILE = getattr(os, "O_TMPFILE", 0)
_REFUSED_EVENTS = frozenset(
    {
        "socket.connect",
        "socket.sendto",
        "socket.sendmsg",
        "socket.bind",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "os.remove",
        "os.rename",
        "os.mkdir",
        "os.rmdir",
        "os.truncate",
        "os.link",
        "os.symlink",
        "shutil.rmtree",
        "shutil.copyfile",
        "shutil.move",
    }
)


class ContainmentError(PermissionError):
    """Something tried to act outside the local account while serving a handler's call."""


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not getattr(_STATE, "active", False):
        return
    if event in _REFUSED_EVENTS:
        raise ContainmentError(
            errno.EACCES, f"the local account does not {event} on a handler's behalf"
        )
    if event == "open" and len(args) >= 3:
        path, mode, flags = args[0], args[1], args[2]
        if isinstance(path, int):
            return
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        anonymous = _O_TMPFILE and isinstance(flags, int) and flags & _O_TMPFILE == _O_TMPFILE
        if writes and not anonymous:
            raise ContainmentError(
                errno.EACCES,
                f"the local account writes no file on a handler's behalf ({os.fsdecode(path)!r})",
            )


def install() -> None:
    """Add the audit hook once per process (audit hooks cannot be removed; it idles when inactive)."""
    global _INSTALLED
    with _INSTALL_LOCK:
        if not _INSTALLED:
            sys.addaudithook(_hook)
            _INSTALLED = True


@contextmanager
def serving_handler() -> Iterator[None]:
    """Within this block, on this thread, moto may not act outside the account."""
    install()
    previous = getattr(_STATE, "active", False)
    _STATE.active = True
    try:
        yield
    finally:
        _STATE.active = previous


def active() -> bool:
    return bool(getattr(_STATE, "active", False))
