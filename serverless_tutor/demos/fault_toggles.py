"""The two toggles the lesson 5 and lesson 8 panels share: which fault, and which code.

Each demo aims the three faults at its own steps (its own fault plans) and has its own
as-written handlers; what the learner picks from is the same in both.
"""

from __future__ import annotations

from typing import Literal

Code = Literal["as-written", "fixed"]
FaultName = Literal["throttle", "duplicate", "crash"]
FAULT_LABELS: dict[FaultName, str] = {
    "throttle": "throttle a write",
    "duplicate": "duplicate a delivery",
    "crash": "crash after a write",
}
