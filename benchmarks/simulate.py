"""Our simulator against SimFaaS at 0.9, 9 and 90 requests/s, in one run.

Workload (the SimFaaS README's, at three arrival rates): Poisson arrivals,
exponential warm time mean 1.991 s, exponential cold time mean 2.244 s, keep-alive
600 s. Each run simulates the same number of requests at every rate (the horizon is
requests / rate), so the cost per request is comparable across rates.

For each rate and seed the two simulators run in turn (ours, SimFaaS, ours, ...),
so load from other processes hits both alike. Each side times its simulation only
(not its interpreter or imports): ours `LifecycleModel.run()` (metrics and
percentiles included), SimFaaS `generate_trace()` in its own interpreter. Reported:
whether our metrics fall inside SimFaaS's seed-to-seed spread, both wall times, the
ratio, and the cost per simulated request.

SimFaaS is a benchmark-only tool, not a dependency of the package; install it into a
virtualenv of its own and pass that interpreter:
    python -m venv /tmp/simfaas && /tmp/simfaas/bin/pip install simfaas
    python benchmarks/simulate.py --simfaas-python /tmp/simfaas/bin/python
Usage:
    python benchmarks/simulate.py [--rates 0.9 9 90] [--requests 50000] [--seeds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from interleaved import machine, process_env  # it also sets the bytecode folder

WARM_MEAN_S = 1.991
COLD_MEAN_S = 2.244
KEEP_ALIVE_S = 600.0
METRICS = (
    "prob_cold",
    "prob_reject",
    "inst_count_avg",
    "inst_running_count_avg",
    "inst_idle_count_avg",
    "lifespan_avg",
)
SHOWN = ("prob_cold", "inst_count_avg", "inst_running_count_avg")

# Runs in SimFaaS's own interpreter; prints one JSON object: its metrics and the seconds
# generate_trace() took.
SIMFAAS_DRIVER = """
import json, sys, time
import numpy as np
from simfaas.ServerlessSimulator import ServerlessSimulator
rate, warm, cold, keep_alive, horizon, seed = (float(a) for a in sys.argv[1:7])
np.random.seed(int(seed))
sim = ServerlessSimulator(arrival_rate=rate, warm_service_rate=1 / warm,
    cold_service_rate=1 / cold, expiration_threshold=keep_alive, max_time=horizon)
started = time.perf_counter()
sim.generate_trace(debug_print=False, progress=False)
elapsed = time.perf_counter() - started
raw = sim.get_result_dict()
names = sys.argv[7].split(",")
values = {name: float(raw[name]) for name in names}
values["requests"] = int(raw["reqs_total"])
print(json.dumps({"values": values, "seconds": elapsed}))
"""


def run_ours(rate: float, horizon: float, seed: int) -> tuple[dict[str, float], float]:
    from serverless_tutor.sim import LifecycleModel, SimConfig

    config = SimConfig.simple(
        arrival_rate=rate,
        warm_s=WARM_MEAN_S,
        cold_s=COLD_MEAN_S,
        keep_alive_s=KEEP_ALIVE_S,
        horizon_s=horizon,
        service_dist="exp",
        seed=seed,
    )
    start = time.perf_counter()
    result = LifecycleModel(config).run()
    elapsed = time.perf_counter() - start
    return {
        "requests": result.requests,
        "prob_cold": result.cold_start_probability,
        "prob_reject": result.rejection_probability,
        "inst_count_avg": result.avg_instances,
        "inst_running_count_avg": result.avg_running,
        "inst_idle_count_avg": result.avg_idle,
        "lifespan_avg": result.avg_lifespan_s or 0.0,
    }, elapsed


def run_simfaas(
    python: str, rate: float, horizon: float, seed: int
) -> tuple[dict[str, float], float]:
    arguments = [rate, WARM_MEAN_S, COLD_MEAN_S, KEEP_ALIVE_S, horizon, seed]
    done = subprocess.run(
        [python, "-c", SIMFAAS_DRIVER, *map(str, arguments), ",".join(METRICS)],
        capture_output=True,
        text=True,
        check=True,
        env=process_env(),
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return answer["values"], float(answer["seconds"])


def spread(runs: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    out = {}
    for name in METRICS:
        # SimFaaS reports NaN for a metric it has no sample of (no instance expired, say)
        values = [run[name] for run in runs if math.isfinite(run[name])] or [math.nan]
        out[name] = {
            "mean": statistics.fmean(values),
            "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
            "min": min(values),
            "max": max(values),
        }
    return out


def compare_at(python: str, rate: float, requests: int, seeds: int, quiet: bool) -> dict[str, Any]:
    horizon = requests / rate
    run_ours(rate, min(horizon, 1000.0), 0)  # untimed: first-call set-up, as SimFaaS's imports are
    ours: list[dict[str, float]] = []
    theirs: list[dict[str, float]] = []
    our_times: list[float] = []
    their_times: list[float] = []
    for seed in range(1, seeds + 1):
        values, elapsed = run_ours(rate, horizon, seed)
        ours.append(values)
        our_times.append(elapsed)
        values, elapsed = run_simfaas(python, rate, horizon, seed)
        theirs.append(values)
        their_times.append(elapsed)
        if not quiet:
            print(
                f"  {rate:g} req/s seed {seed}: ours {our_times[-1]:.2f} s, "
                f"simfaas {their_times[-1]:.2f} s",
                file=sys.stderr,
            )
    ours_spread, theirs_spread = spread(ours), spread(theirs)
    within: dict[str, bool | None] = {}
    for name in METRICS:
        ours_mean, peer = ours_spread[name]["mean"], theirs_spread[name]
        if math.isnan(ours_mean) or math.isnan(peer["mean"]):
            within[name] = None  # a side had no sample of it: nothing to compare
        else:
            within[name] = (
                abs(ours_mean - peer["mean"]) <= 2 * peer["sd"] or ours_mean == peer["mean"]
            )
    our_requests = statistics.fmean(run["requests"] for run in ours)
    their_requests = statistics.fmean(run["requests"] for run in theirs)
    return {
        "rate": rate,
        "horizon_s": horizon,
        "ours": {"summary": ours_spread, "seconds": our_times},
        "simfaas": {"summary": theirs_spread, "seconds": their_times},
        "within_simfaas_2sd": within,
        "time_ratio_simfaas_over_ours": statistics.fmean(their_times) / statistics.fmean(our_times),
        # Other processes only ever add time: the fastest run of each is the least disturbed.
        "time_ratio_of_fastest_runs": min(their_times) / min(our_times),
        "us_per_request": {
            "ours": min(our_times) / our_requests * 1e6,
            "simfaas": min(their_times) / their_requests * 1e6,
        },
    }


def default_simfaas_python() -> str | None:
    try:
        import simfaas  # type: ignore[import-not-found]  # noqa: F401  (benchmark only)
    except ImportError:
        return None
    return sys.executable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rates", type=float, nargs="+", default=[0.9, 9.0, 90.0])
    parser.add_argument("--requests", type=int, default=50_000, help="per run (default 50000)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per simulator (default 3)")
    parser.add_argument("--simfaas-python", help="an interpreter that has simfaas installed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.seeds < 2:
        parser.error("--seeds must be at least 2 (the spread needs two runs)")
    python = args.simfaas_python or default_simfaas_python()
    if python is None:
        sys.stderr.write(
            "simfaas is not installed here: pip install simfaas into a venv of its own and "
            "pass --simfaas-python (benchmark only)\n"
        )
        return 2
    results = [
        compare_at(python, rate, args.requests, args.seeds, args.json) for rate in args.rates
    ]
    report = {
        "machine": machine(),
        "workload": {
            "warm_mean_s": WARM_MEAN_S,
            "cold_mean_s": COLD_MEAN_S,
            "keep_alive_s": KEEP_ALIVE_S,
            "requests_per_run": args.requests,
            "seeds": args.seeds,
        },
        "rates": results,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"\nmachine: {report['machine']}")
    print(
        f"SimFaaS README workload at {', '.join(f'{r:g}' for r in args.rates)} req/s, "
        f"{args.requests} requests per run, {args.seeds} seeds each, interleaved\n"
    )
    header = "".join(f"{name + ' (ours/simfaas)':>36}" for name in SHOWN)
    print(f"{'rate':>6}{header}  all metrics within SimFaaS's 2 sd")
    for result in results:
        cells = ""
        for name in SHOWN:
            o = result["ours"]["summary"][name]["mean"]
            s = result["simfaas"]["summary"][name]["mean"]
            cells += f"{f'{o:.4g} / {s:.4g}':>36}"
        flags = all(flag for flag in result["within_simfaas_2sd"].values() if flag is not None)
        print(f"{result['rate']:>6g}{cells}  {'yes' if flags else 'NO: see --json'}")
    print(
        f"\n{'rate':>6}{'ours s':>9}{'simfaas s':>11}{'simfaas/ours':>14}{'(fastest runs)':>16}"
        f"{'ours us/req':>13}{'simfaas us/req':>16}"
    )
    for result in results:
        print(
            f"{result['rate']:>6g}{statistics.fmean(result['ours']['seconds']):>9.2f}"
            f"{statistics.fmean(result['simfaas']['seconds']):>11.2f}"
            f"{result['time_ratio_simfaas_over_ours']:>13.2f}x"
            f"{result['time_ratio_of_fastest_runs']:>15.2f}x"
            f"{result['us_per_request']['ours']:>13.1f}{result['us_per_request']['simfaas']:>16.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
