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
CODE_LABELS: dict[Code, str] = {"as-written": "the code as written", "fixed": "the fixed code"}


def fault_note(
    *,
    plan: str,
    code: Code,
    fired: bool,
    consequences: list[str],
    right: str,
    as_written_why: dict[str, str],
    fixed_how: dict[str, str],
    never_fired: str = "the plan never fired.",
) -> str:
    """One sentence: which fault, which code, and what it did to the end state.

    `right` describes the correct end state; `as_written_why`/`fixed_how` explain, per
    plan, why the code as written went wrong and how the fixed code held."""
    fault = f"Fault '{plan}' with {CODE_LABELS[code]}"
    if not fired:
        return f"{fault}: {never_fired}"
    if consequences:
        why = as_written_why.get(plan) if code == "as-written" else None
        return f"{fault}: the end state is wrong ({'; '.join(consequences)})" + (
            f", because {why}." if why else "."
        )
    how = fixed_how.get(plan) if code == "fixed" else None
    return f"{fault}: the end state is right ({right})" + (f": {how}." if how else ".")
