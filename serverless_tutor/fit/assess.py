"""Is serverless a fit? Rules over a workload description, each reason tied to a limit and a lesson.

Every reason names the limit or fact it rests on (docs/facts.md) and the lesson
that teaches it. The verdict is the worst stance among the reasons: any "against"
makes a poor fit, any "care" a fit with care, otherwise a good fit. Two figures are
computed: the monthly Lambda bill (serverless_tutor.pricing) and, for a
latency-sensitive workload, the share of cold starts from the single-environment
closed form exp(-L(T+w)) + (1 - exp(-L w)) (serverless_tutor.sim.closed_forms).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from serverless_tutor import limits
from serverless_tutor.limits import (
    DEFAULT_TIMEOUT_S,
    MAX_MEMORY_MB,
    MAX_TIMEOUT_S,
    MIN_MEMORY_MB,
)
from serverless_tutor.pricing import CHAPTER_SERVER_MONTHLY, Workload, monthly_bill
from serverless_tutor.pricing.money import usd
from serverless_tutor.sim.closed_forms import single_instance_cold_probability

# Limits and figures from docs/facts.md (late 2026).
SYNC_PAYLOAD_MB = limits.SYNC_PAYLOAD_BYTES // (1024 * 1024)
ASYNC_PAYLOAD_MB = limits.ASYNC_PAYLOAD_BYTES // (1024 * 1024)
DEFAULT_CONCURRENCY = limits.DEFAULT_ACCOUNT_CONCURRENCY
PYTHON_COLD_START_MS = 220  # published median
# Assumptions, said to the learner with the figures they produce.
KEEP_ALIVE_S = 600  # idle environments are reclaimed after minutes (AWS: 5-15 min, not promised)
# AWS's pricing examples use a 730-hour month (2,628,000 s); so do the bill and the other panels.
SECONDS_PER_MONTH = limits.HOURS_PER_MONTH * 3600
SPIKE_FACTOR = 10  # a spiky workload's peak rate, as a multiple of its average
HARD_LATENCY_MS = 10  # lesson 11: "under 10 ms every time" belongs to long-lived processes
TAIL_SHARE = 0.01  # cold starts reach the p99 once more than 1% of requests are cold
SINGLE_ENV_LIMIT = 0.5  # above this average concurrency the single-environment form does not apply
COSTLY_RATIO = 10  # a steady bill worth this many chapter servers is a poor fit on cost

Traffic = Literal["steady", "spiky", "mostly-idle", "scheduled"]
Invocation = Literal["sync", "async"]
OpsCapacity = Literal["low", "medium", "high"]
Stance = Literal["against", "care", "for", "note"]
Verdict = Literal["good fit", "fit with care", "poor fit"]
STANCE_ORDER: dict[str, int] = {"against": 0, "care": 1, "for": 2, "note": 3}


class FitWorkload(BaseModel):
    """What the learner knows about the workload."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    typical_duration_s: float = Field(
        gt=0, allow_inf_nan=False, description="one typical request or job"
    )
    longest_duration_s: float = Field(
        gt=0, allow_inf_nan=False, description="the longest single job"
    )
    traffic: Traffic = "spiky"
    requests_per_month: int = Field(ge=0)
    p99_budget_ms: float | None = Field(
        default=None, gt=0, allow_inf_nan=False, description="None: nobody waits on the answer"
    )
    long_lived_connections: bool = Field(
        default=False, description="WebSockets, database connection pools"
    )
    in_memory_state: bool = Field(
        default=False, description="keeps state in memory between requests"
    )
    needs_gpu_or_big_memory: bool = Field(
        default=False, description=f"GPUs or more than {MAX_MEMORY_MB:,} MB"
    )
    memory_mb: int = Field(default=512, ge=MIN_MEMORY_MB, le=MAX_MEMORY_MB)
    payload_mb: float = Field(
        default=0.01, ge=0, allow_inf_nan=False, description="request or event size"
    )
    invocation: Invocation = "sync"
    ops_capacity: OpsCapacity = "low"

    @model_validator(mode="after")
    def _longest_not_shorter(self) -> FitWorkload:
        if self.longest_duration_s < self.typical_duration_s:
            raise ValueError("longest_duration_s must be at least typical_duration_s")
        return self


class Reason(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str = Field(description="stable id of the rule, e.g. 'timeout'")
    stance: Stance
    text: str
    rests_on: str = Field(description="the limit or fact the reason rests on")
    lesson: int
    section: str

    @property
    def pointer(self) -> str:
        return f"lesson {self.lesson}, {self.section}"


class Assessment(BaseModel):
    model_config = ConfigDict(frozen=True)

    workload: FitWorkload
    verdict: Verdict
    reasons: list[Reason] = Field(description="worst stance first; reasons[0] is the key reason")
    monthly_cost_usd: Decimal | None = Field(
        description="Lambda bill before the free tier; None when it cannot run"
    )
    servers_worth: Decimal | None = Field(
        description="the bill in chapter servers ($50/month each)"
    )
    average_concurrency: float = Field(description="Little's law: average rate x typical duration")
    cold_share: float | None = Field(
        description="expected share of cold requests (single-environment closed form)"
    )
    assumptions: list[str]

    @property
    def key_reason(self) -> Reason:
        return self.reasons[0]

    def keys(self, stance: Stance) -> list[str]:
        return [reason.key for reason in self.reasons if reason.stance == stance]


class FitPreset(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    chapter_says: Literal["good", "poor"]
    workload: FitWorkload


def _seconds(value: float) -> str:
    return f"{value:,.0f} s" if value >= 10 else f"{value:g} s"


def assess(workload: FitWorkload) -> Assessment:
    """Weigh the workload against Lambda's limits and the chapter's criteria."""
    w = workload
    reasons: list[Reason] = []
    assumptions = [
        f"{limits.HOURS_PER_MONTH}-hour month ({SECONDS_PER_MONTH:,} s)",
        f"Python cold start, median {PYTHON_COLD_START_MS} ms",
    ]

    def add(key: str, stance: Stance, text: str, rests_on: str, lesson: int, section: str) -> None:
        reasons.append(
            Reason(
                key=key, stance=stance, text=text, rests_on=rests_on, lesson=lesson, section=section
            )
        )

    runs_on_lambda = w.longest_duration_s <= MAX_TIMEOUT_S and not w.needs_gpu_or_big_memory

    if w.needs_gpu_or_big_memory:
        add(
            "gpu-memory",
            "against",
            f"Lambda has no GPUs and stops at {MAX_MEMORY_MB:,} MB; train or infer on EC2, ECS or SageMaker.",
            f"no GPU; memory max {MAX_MEMORY_MB:,} MB",
            11,
            "poor fits: complex dependencies",
        )

    if w.in_memory_state:
        add(
            "in-memory-state",
            "against",
            "State held in memory is one copy per environment and is lost on a cold start, "
            "timeout or crash; a loop over shared state needs one long-lived process (EC2, ECS).",
            "each concurrent request gets its own environment; a timeout or crash resets it",
            10,
            "disadvantage 3: stateless architecture",
        )

    # The traffic shape comes before the limits, so it is the key reason of a good fit.
    if w.traffic == "spiky":
        add(
            "traffic",
            "for",
            "Spiky traffic: Lambda follows the curve, a fleet is sized for the peak.",
            "one environment per concurrent request",
            11,
            "good use cases: variable traffic",
        )
    elif w.traffic == "mostly-idle":
        add(
            "traffic",
            "for",
            "Mostly idle, like most functions (45% run at most hourly): idle costs $0.",
            "Azure 2019 trace: 45% of apps at most hourly",
            11,
            "the question behind the question",
        )
    elif w.traffic == "scheduled":
        add(
            "traffic",
            "for",
            "A schedule triggers it: no polling loop and no idle worker.",
            "EventBridge scheduled rule event",
            11,
            "good use cases: event-driven workloads",
        )

    if w.longest_duration_s > MAX_TIMEOUT_S:
        times = w.longest_duration_s / MAX_TIMEOUT_S
        add(
            "timeout",
            "against",
            f"The longest job ({_seconds(w.longest_duration_s)}) is {times:.1f}x the {MAX_TIMEOUT_S} s cap; split it "
            "into chunks (Step Functions) or run it on Fargate, ECS or AWS Batch.",
            f"max timeout {MAX_TIMEOUT_S} s ({MAX_TIMEOUT_S // 60} min)",
            11,
            "poor fits: long-running tasks",
        )
    else:
        add(
            "timeout",
            "for",
            f"The longest job ({_seconds(w.longest_duration_s)}) fits the {MAX_TIMEOUT_S} s cap"
            + (
                f"; raise the timeout from its {DEFAULT_TIMEOUT_S} s default."
                if w.longest_duration_s > DEFAULT_TIMEOUT_S
                else "."
            ),
            f"max timeout {MAX_TIMEOUT_S} s; default {DEFAULT_TIMEOUT_S} s",
            10,
            "disadvantage 2: time limits",
        )

    if w.p99_budget_ms is not None and w.p99_budget_ms < HARD_LATENCY_MS:
        add(
            "latency-floor",
            "against",
            f"A p99 of {w.p99_budget_ms:g} ms leaves no room: the API Gateway hop alone takes milliseconds "
            "and a cold start about 220 ms; use long-lived processes near the data.",
            "cold-start median 0.22 s (Python)",
            11,
            "poor fits: consistently low latency",
        )

    rate = w.requests_per_month / SECONDS_PER_MONTH
    concurrency = rate * w.typical_duration_s

    cost: Decimal | None = None
    servers: Decimal | None = None
    if runs_on_lambda:
        bill = monthly_bill(
            Workload(
                requests=w.requests_per_month,
                duration_ms=Decimal(repr(w.typical_duration_s)) * 1000,
                memory_mb=w.memory_mb,
            )
        )
        cost = bill.total
        servers = cost / CHAPTER_SERVER_MONTHLY
        priced = (
            f"{w.requests_per_month:,} x {_seconds(w.typical_duration_s)} x {w.memory_mb} MB "
            f"costs {usd(cost)} a month"
        )
        rests = "$0.20 per 1 M requests; $0.0000166667 per GB-s (x86_64)"
        if w.traffic == "steady" and servers >= COSTLY_RATIO:
            add(
                "steady-cost",
                "against",
                f"{priced}, as much as {servers:,.0f} always-on $50 servers; flat, high traffic is cheaper "
                "on servers or containers that can carry it.",
                rests,
                11,
                "break-even: when does a server win?",
            )
        elif w.traffic == "steady" and servers > 1:
            add(
                "steady-cost",
                "care",
                f"{priced}, more than a $50/month server; check whether a server (plus a spare) carries it.",
                rests,
                11,
                "break-even: when does a server win?",
            )
        else:
            add(
                "cost",
                "for",
                f"{priced} before the free tier; idle time costs nothing.",
                rests,
                10,
                "advantage 3: pay per use",
            )
    else:
        assumptions.append("no Lambda bill: the workload cannot run on Lambda as it is")

    cold_share: float | None = None
    if (
        runs_on_lambda
        and w.p99_budget_ms is not None
        and w.traffic != "scheduled"
        and w.requests_per_month > 0
    ):
        cold_path_ms = PYTHON_COLD_START_MS + w.typical_duration_s * 1000
        fits_when_cold = cold_path_ms <= w.p99_budget_ms
        if concurrency < SINGLE_ENV_LIMIT:
            cold_share = single_instance_cold_probability(rate, w.typical_duration_s, KEEP_ALIVE_S)
            assumptions.append(
                f"keep-alive {KEEP_ALIVE_S} s (assumed; AWS reclaims idle environments after "
                "minutes, not promised); Poisson arrivals at the average rate; every request "
                f"takes the typical {_seconds(w.typical_duration_s)} (a fixed time, not a spread)"
            )
            share = f"about {cold_share:.1%} of requests start cold"
            if fits_when_cold:
                add(
                    "cold-starts",
                    "for",
                    f"{share.capitalize()}, but even a cold one ({cold_path_ms:,.0f} ms) meets the "
                    f"{w.p99_budget_ms:,.0f} ms p99.",
                    "cold-start median 0.22 s (Python)",
                    6,
                    "cold starts",
                )
            elif cold_share > TAIL_SHARE:
                add(
                    "cold-starts",
                    "care",
                    f"{share.capitalize()} (over 1%, so they set the p99) and a cold one takes "
                    f"{cold_path_ms:,.0f} ms, over the {w.p99_budget_ms:,.0f} ms budget; provisioned "
                    "concurrency or a smaller package helps.",
                    "cold-start median 0.22 s (Python)",
                    6,
                    "cold starts",
                )
            else:
                add(
                    "cold-starts",
                    "for",
                    f"{share.capitalize()}: under 1%, so they stay out of the p99.",
                    "cold-start median 0.22 s (Python)",
                    6,
                    "cold starts",
                )
        elif w.traffic in ("spiky", "mostly-idle") and not fits_when_cold:
            add(
                "cold-starts",
                "care",
                f"Each spike scales out through cold starts ({cold_path_ms:,.0f} ms, over the "
                f"{w.p99_budget_ms:,.0f} ms budget); provisioned concurrency covers the base.",
                "cold-start median 0.22 s (Python)",
                6,
                "cold starts",
            )
        else:
            add(
                "cold-starts",
                "for",
                f"About {concurrency:,.{0 if concurrency >= 10 else 1}f} requests run at once on average, so environments stay "
                "warm; only scale-out starts cold.",
                "cold-start median 0.22 s (Python)",
                6,
                "cold starts",
            )

    if w.long_lived_connections:
        add(
            "connections",
            "care",
            "Long-lived connections outlive an invoke: API Gateway WebSocket APIs hold them and call a "
            "function per message; each environment opens its own DB pool, so use a proxy.",
            f"an invoke lasts at most {MAX_TIMEOUT_S} s; up to {DEFAULT_CONCURRENCY:,} concurrent environments",
            11,
            "poor fits: stateful applications",
        )

    peak = concurrency * (SPIKE_FACTOR if w.traffic == "spiky" else 1)
    if w.traffic == "spiky":
        assumptions.append(f"spiky: peaks at {SPIKE_FACTOR}x the average rate")
    if runs_on_lambda and peak > DEFAULT_CONCURRENCY:
        add(
            "concurrency",
            "care",
            f"About {peak:,.0f} environments at {'peak' if w.traffic == 'spiky' else 'once'} (rate x duration) "
            "is over the default quota; request an increase first.",
            f"default concurrency {DEFAULT_CONCURRENCY:,} per account and region",
            10,
            "advantage 2: automatic scaling",
        )
    elif runs_on_lambda and peak >= 1:
        add(
            "concurrency",
            "for",
            f"About {peak:,.0f} environments at {'peak' if w.traffic == 'spiky' else 'once'} (rate x duration), "
            "within the default quota.",
            f"default concurrency {DEFAULT_CONCURRENCY:,} per account and region",
            10,
            "advantage 2: automatic scaling",
        )

    limit = SYNC_PAYLOAD_MB if w.invocation == "sync" else ASYNC_PAYLOAD_MB
    if w.payload_mb > limit:
        add(
            "payload",
            "care",
            f"A {w.payload_mb:g} MB payload is over the {limit} MB {w.invocation} limit; put the data "
            "in S3 and pass its key.",
            f"payload max {SYNC_PAYLOAD_MB} MB sync, {ASYNC_PAYLOAD_MB} MB async",
            10,
            "disadvantage 6: limited environment",
        )

    if w.ops_capacity == "high":
        add(
            "ops",
            "note",
            "Your team runs servers already, so not managing them weighs less.",
            "the provider patches hosts and runtime",
            10,
            "advantage 1: no server management",
        )
    else:
        add(
            "ops",
            "for",
            f"A team with {w.ops_capacity} ops capacity gains most: no hosts to patch or scale.",
            "the provider patches hosts and runtime",
            10,
            "advantage 1: no server management",
        )

    reasons.sort(
        key=lambda reason: STANCE_ORDER[reason.stance]
    )  # stable: rule order within a stance
    worst = reasons[0].stance
    verdict: Verdict = (
        "poor fit" if worst == "against" else "fit with care" if worst == "care" else "good fit"
    )
    return Assessment(
        workload=w,
        verdict=verdict,
        reasons=reasons,
        monthly_cost_usd=cost,
        servers_worth=servers,
        average_concurrency=concurrency,
        cold_share=cold_share,
        assumptions=assumptions,
    )


PRESETS: list[FitPreset] = [
    FitPreset(
        id="rest-api",
        title="REST API, variable traffic",
        chapter_says="good",
        workload=FitWorkload(
            typical_duration_s=0.2,
            longest_duration_s=3,
            traffic="spiky",
            requests_per_month=1_000_000,
            p99_budget_ms=1000,
            memory_mb=512,
            payload_mb=0.1,
        ),
    ),
    FitPreset(
        id="image-upload",
        title="Image processing on upload",
        chapter_says="good",
        workload=FitWorkload(
            typical_duration_s=2,
            longest_duration_s=30,
            traffic="spiky",
            requests_per_month=500_000,
            memory_mb=1536,
            payload_mb=0.01,
            invocation="async",
        ),
    ),
    FitPreset(
        id="scheduled-cleanup",
        title="Scheduled cleanup",
        chapter_says="good",
        workload=FitWorkload(
            typical_duration_s=60,
            longest_duration_s=300,
            traffic="scheduled",
            requests_per_month=30,
            memory_mb=256,
            payload_mb=0.001,
            invocation="async",
        ),
    ),
    FitPreset(
        id="webhooks",
        title="Webhooks (Slack, GitHub)",
        chapter_says="good",
        workload=FitWorkload(
            typical_duration_s=0.15,
            longest_duration_s=2,
            traffic="spiky",
            requests_per_month=100_000,
            p99_budget_ms=3000,
            memory_mb=256,
            payload_mb=0.05,
        ),
    ),
    FitPreset(
        id="game-server",
        title="Real-time multiplayer game server",
        chapter_says="poor",
        workload=FitWorkload(
            typical_duration_s=1800,
            longest_duration_s=3600,
            traffic="steady",
            requests_per_month=50_000,
            p99_budget_ms=50,
            long_lived_connections=True,
            in_memory_state=True,
            memory_mb=2048,
            ops_capacity="medium",
        ),
    ),
    FitPreset(
        id="video-transcode",
        title="2-hour video transcode",
        chapter_says="poor",
        workload=FitWorkload(
            typical_duration_s=7200,
            longest_duration_s=7200,
            traffic="spiky",
            requests_per_month=1_000,
            memory_mb=MAX_MEMORY_MB,
            invocation="async",
        ),
    ),
    FitPreset(
        id="ml-training",
        title="ML training job",
        chapter_says="poor",
        workload=FitWorkload(
            typical_duration_s=14_400,
            longest_duration_s=86_400,
            traffic="scheduled",
            requests_per_month=30,
            needs_gpu_or_big_memory=True,
            memory_mb=MAX_MEMORY_MB,
            invocation="async",
            ops_capacity="medium",
        ),
    ),
    FitPreset(
        id="steady-api",
        title="Steady API at 5,000 req/s",
        chapter_says="poor",
        workload=FitWorkload(
            typical_duration_s=0.1,
            longest_duration_s=1,
            traffic="steady",
            requests_per_month=5_000 * SECONDS_PER_MONTH,
            p99_budget_ms=200,
            memory_mb=512,
            ops_capacity="high",
        ),
    ),
]


def preset(preset_id: str) -> FitPreset:
    """The preset with this id; KeyError names the ids that exist."""
    for item in PRESETS:
        if item.id == preset_id:
            return item
    raise KeyError(
        f"no fit preset {preset_id!r}; choose one of: {', '.join(p.id for p in PRESETS)}"
    )
