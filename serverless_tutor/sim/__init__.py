"""Cold-start simulator: one function under load, on simpy (see model.py for the semantics).

Pure Python; returns pydantic models; never prints. Costs come from serverless_tutor.pricing.
"""

from serverless_tutor.sim.arrivals import (
    Arrivals,
    BurstArrivals,
    ConstantArrivals,
    DailyCurveArrivals,
    PoissonArrivals,
    TraceArrivals,
)
from serverless_tutor.sim.closed_forms import erlang_b, single_instance_cold_probability
from serverless_tutor.sim.config import FunctionProfile, InitSplit, Policy, SimConfig
from serverless_tutor.sim.distributions import Constant, Exponential, LogNormal, distribution
from serverless_tutor.sim.estimator import ColdStartEstimate, estimate_cold_start
from serverless_tutor.sim.init_styles import InitStyleRow, compare_init_styles
from serverless_tutor.sim.model import LifecycleModel, simulate
from serverless_tutor.sim.replications import Estimate, ReplicationSummary, replicate
from serverless_tutor.sim.results import (
    InstanceView,
    LatencyPercentiles,
    ServiceTimes,
    SimEvent,
    SimResult,
    Snapshot,
    Step,
)
from serverless_tutor.sim.sweep import SWEEP_PARAMETERS, SweepResult, sweep

__all__ = [
    "SWEEP_PARAMETERS",
    "Arrivals",
    "BurstArrivals",
    "ColdStartEstimate",
    "Constant",
    "ConstantArrivals",
    "DailyCurveArrivals",
    "Estimate",
    "Exponential",
    "FunctionProfile",
    "InitSplit",
    "InitStyleRow",
    "InstanceView",
    "LatencyPercentiles",
    "LifecycleModel",
    "LogNormal",
    "PoissonArrivals",
    "Policy",
    "ReplicationSummary",
    "ServiceTimes",
    "SimConfig",
    "SimEvent",
    "SimResult",
    "Snapshot",
    "Step",
    "SweepResult",
    "TraceArrivals",
    "compare_init_styles",
    "distribution",
    "erlang_b",
    "estimate_cold_start",
    "replicate",
    "simulate",
    "single_instance_cold_probability",
    "sweep",
]
