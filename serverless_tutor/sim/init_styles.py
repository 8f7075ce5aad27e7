"""Where a handler creates its clients: inside the handler, outside it, or lazily.

The chapter's section 6 compares the three. What each does to the timeline:
- inside the handler: every request, warm or cold, pays the client set-up;
- outside (module level): the set-up runs once, in the INIT phase of a cold start;
  warm requests skip it;
- lazy (created on first use): INIT stays short; the first request of an
  environment that needs the client pays for it, later ones reuse it. When only
  some requests need the client, cold starts that do not need it stay short.

`compare_init_styles` gives the durations per style and, given a workload, runs
the same traffic (same seed) for each so the latency and cost differences show.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from serverless_tutor.sim.config import FunctionProfile, InitSplit, SimConfig
from serverless_tutor.sim.distributions import Constant
from serverless_tutor.sim.model import LifecycleModel
from serverless_tutor.sim.results import SimResult

InitStyle = Literal["inside", "outside", "lazy"]
STYLE_LABELS: dict[str, str] = {
    "inside": "inside the handler",
    "outside": "outside the handler",
    "lazy": "lazy (on first use)",
}


class InitStyleRow(BaseModel):
    model_config = ConfigDict(frozen=True)
    style: InitStyle
    label: str
    init_s: float = Field(description="INIT phase of a cold start")
    cold_request_s: float = Field(
        description="a cold request end to end: INIT plus the first handler run"
    )
    warm_request_s: float = Field(description="a warm request")
    note: str
    simulated: SimResult | None = None


def compare_init_styles(
    *,
    runtime_init_s: float,
    client_init_s: float,
    handler_s: float,
    needs_client_share: float = 1.0,
    workload: SimConfig | None = None,
) -> list[InitStyleRow]:
    """Durations per style; with a workload, also a simulation of it per style.

    For "lazy", the cold request uses the expected cost (needs_client_share x set-up);
    warm requests are taken to reuse a client made earlier in the environment.
    """
    if min(runtime_init_s, client_init_s, handler_s) < 0:
        raise ValueError("times must be 0 s or more")
    if not 0 <= needs_client_share <= 1:
        raise ValueError("needs_client_share must be between 0 and 1")
    lazy_first = needs_client_share * client_init_s
    rows = [
        InitStyleRow(
            style="inside",
            label=STYLE_LABELS["inside"],
            init_s=runtime_init_s,
            cold_request_s=runtime_init_s + client_init_s + handler_s,
            warm_request_s=client_init_s + handler_s,
            note="every request rebuilds the client",
        ),
        InitStyleRow(
            style="outside",
            label=STYLE_LABELS["outside"],
            init_s=runtime_init_s + client_init_s,
            cold_request_s=runtime_init_s + client_init_s + handler_s,
            warm_request_s=handler_s,
            note="built once during INIT, reused when warm",
        ),
        InitStyleRow(
            style="lazy",
            label=STYLE_LABELS["lazy"],
            init_s=runtime_init_s,
            cold_request_s=runtime_init_s + lazy_first + handler_s,
            warm_request_s=handler_s,
            note="built on first use, only by requests that need it",
        ),
    ]
    if workload is None:
        return rows
    simulated = []
    for row in rows:
        cold_extra = row.cold_request_s - row.warm_request_s
        profile = FunctionProfile(
            warm=Constant(value_s=row.warm_request_s),
            init=Constant(value_s=max(0.0, cold_extra)),
            cold_mode="init_plus_warm",
            init_split=InitSplit(),
            memory_mb=workload.profile.memory_mb,
            architecture=workload.profile.architecture,
        )
        result = LifecycleModel(workload.model_copy(update={"profile": profile})).run()
        simulated.append(row.model_copy(update={"simulated": result}))
    return simulated
