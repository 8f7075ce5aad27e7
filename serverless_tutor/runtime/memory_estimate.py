"""Max Memory Used for the in-process backend, which can only estimate it.

An in-process handler shares the tutor's own process, so no resident-memory figure
belongs to one environment. The estimate is what a fresh Python runtime uses
(RUNTIME_BASELINE_MB) plus what this environment added: the growth of the process's
resident memory during each of its phases (INIT, then each invoke), taken at the
phase's peak, on top of what its earlier phases left held. Like Lambda's figure it never
goes down within an environment.

The peak is Linux's high-water mark (VmHWM), reset to the current size when a phase
starts (/proc/self/clear_refs). Environments running at the same time share the
process: each may be charged some of the other's growth, and a reset by one can hide
part of the other's peak. Without /proc only the growth a phase leaves behind is seen.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

# What the sandbox backend measures (peak RSS of the worker) for a handler that does
# nothing, with boto3 loaded as Lambda's Python runtime has it: 51 MB on the machine this
# was measured on. Lambda's own REPORT lines for small Python functions show 40-60 MB.
RUNTIME_BASELINE_MB = 50


class EnvironmentMemory:
    """One in-process environment's estimated peak memory."""

    def __init__(self) -> None:
        self._held_kb = 0  # what the environment's finished phases left resident
        self._peak_kb = 0  # the most it has held, at any phase's peak

    @contextmanager
    def measuring(self) -> Iterator[None]:
        """Around one phase (INIT or an invoke) of the environment."""
        start = _start_phase()
        try:
            yield
        finally:
            end = _resident_and_peak_kb()
            if start is not None and end is not None:
                start_kb, peak_was_reset = start
                resident_kb, peak_kb = end
                top_kb = max(resident_kb, peak_kb) if peak_was_reset else resident_kb
                self._peak_kb = max(self._peak_kb, self._held_kb + max(0, top_kb - start_kb))
                self._held_kb = max(0, self._held_kb + resident_kb - start_kb)

    def max_used_mb(self, memory_size_mb: int) -> int:
        """The estimate for the REPORT line: at most the function's memory size."""
        return min(memory_size_mb, RUNTIME_BASELINE_MB + math.ceil(self._peak_kb / 1024))


def _start_phase() -> tuple[int, bool] | None:
    """The process's resident size (KiB) now, and whether its high-water mark was reset
    to it; None when /proc cannot tell (then nothing is measured)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        peak_was_reset = True
    except OSError:  # the mark keeps an older peak: only growth left behind can count
        peak_was_reset = False
    now = _resident_and_peak_kb()
    return None if now is None else (now[0], peak_was_reset)


def _resident_and_peak_kb() -> tuple[int, int] | None:
    """VmRSS and VmHWM (KiB), or None where /proc/self/status is not there to read."""
    resident = peak = 0
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmRSS:"):
                    resident = int(line.split()[1])
                elif line.startswith(b"VmHWM:"):
                    peak = int(line.split()[1])
    except OSError:
        return None
    return resident, peak
