"""`--faults PLAN`, as `check`, `pipeline` and `offline` take it: a file or a shipped plan's name."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from serverless_tutor.cloud.faults import FaultPlan


def fault_plan_option(value: str | None) -> FaultPlan | None:
    """The plan `--faults` names (None without the option); ValueError with the usage message."""
    if value is None:
        return None
    from serverless_tutor.cloud.faults import plan_named
    from serverless_tutor.problems import ContentError

    try:
        return plan_named(value)
    except ContentError as exc:
        raise ValueError(f"--faults: {exc}") from exc
