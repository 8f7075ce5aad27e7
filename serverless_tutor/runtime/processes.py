"""The processes /proc shows, as the sandbox's parent and template look for what runs below them."""

from __future__ import annotations

import os
from collections.abc import Iterator


def processes() -> Iterator[tuple[int, str, int]]:
    """(pid, state, parent pid) of every process now; one that ends mid-read is skipped.
    The command name in /proc/PID/stat may hold spaces or ')': fields are read after its last ')'."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        yield int(entry), fields[0], int(fields[1])
