"""Benchmark: `serverless-tutor offline order-service` under sustained load, on one server.

    python benchmarks/offline.py [--runs 3] [--requests 2000] [--concurrency 16] [--backend sandbox]

Starts the real CLI in a subprocess on a free loopback port (sandboxed workers, as
by default; `--concurrency` of the server set to the client's, so nothing is
throttled) with enough stock for every order, warms it up, then sends `--runs`
runs of `--requests` POST /dev/orders from `--concurrency` keep-alive connections.
Each order then goes through three asynchronous steps (payment, inventory in a
DynamoDB transaction, email), so the delivery queue grows during a run.

Reported per run: requests per second, p50/p99 latency, errors (anything but 201),
and the server's RSS (its own process, and with its sandbox workers) after the run;
then the time the queue took to drain after the last run (judged by the run's last
orders reaching CONFIRMED), the RSS after it, and the time from Ctrl+C to exit,
once with an idle server and once right after a burst that refills the queue.

Goals (issue 15): no errors; throughput and p99 of the last run within 20% of the
first; RSS growth under 100 MB; shutdown under 5 s. Loopback only, bounded by its
arguments; not part of the test suite. Figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ORDER = json.dumps(
    {"customerId": "c-1", "items": [{"productId": "pen", "quantity": 1, "price": 1.5}]}
).encode()
SEED = {
    "order-service-inventory-dev": [{"productId": "pen", "quantity": 10_000_000}],
    "order-service-customers-dev": [{"customerId": "c-1", "email": "ada@example.com"}],
}
DRAIN_LIMIT_S = 600


class Server:
    def __init__(self, folder: Path, concurrency: int, backend: str):
        self.stderr_path = folder / f"offline-{time.monotonic_ns()}.err"
        seed = folder / "seed.json"
        seed.write_text(json.dumps(SEED))
        command = [sys.executable, "-m", "serverless_tutor", "offline", "order-service"]
        command += ["--port", "0", "--seed", str(seed), "--backend", backend]
        command += ["--concurrency", str(concurrency)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "300"}
        with self.stderr_path.open("w") as stderr:
            self.process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env
            )
        self.port = 0
        for line in self.process.stdout:  # type: ignore[union-attr]
            if not self.port and "http://127.0.0.1:" in line:
                self.port = int(line.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])
            if "Ctrl+C" in line:
                break
        if not self.port:
            raise RuntimeError("offline did not start:\n" + self.stderr_path.read_text())
        self.lines: list[str] = []
        # keep reading its log so the pipe never fills; keep the tail for the report
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.lines.append(line)
            del self.lines[:-50]

    def rss_mb(self) -> tuple[float, float]:
        """The server process's RSS, and the PSS of it with every process under it (MB).

        PSS, not RSS, for the sum: the sandbox workers are forked from one template
        and share most of their pages, which RSS would count once per worker."""
        own = _memory_kb(self.process.pid, "VmRSS:", "status")
        pids = [self.process.pid, *_descendants(self.process.pid)]
        total = sum(_memory_kb(pid, "Pss:", "smaps_rollup") for pid in pids)
        return own / 1024, total / 1024

    def stop(self) -> tuple[float, int, str]:
        """Ctrl+C; seconds until the process ended, its exit code, its stderr."""
        started = time.perf_counter()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        seconds = time.perf_counter() - started
        return seconds, self.process.returncode, self.stderr_path.read_text()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def _memory_kb(pid: int, field: str, source: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass  # the process ended between the listing and the read
    return 0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Run:
    def __init__(self, latencies: list[float], errors: list[str], seconds: float, ids: list[str]):
        self.latencies = sorted(latencies)
        self.errors = errors
        self.seconds = seconds
        self.order_ids = ids

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        index = min(len(self.latencies) - 1, max(0, round(p / 100 * len(self.latencies)) - 1))
        return self.latencies[index] * 1000


def drive(port: int, requests: int, concurrency: int) -> Run:
    """`requests` POST /dev/orders from `concurrency` keep-alive connections."""
    lock = threading.Lock()
    remaining = [requests]
    latencies: list[float] = []
    errors: list[str] = []
    ids: list[tuple[float, str]] = []

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if remaining[0] == 0:
                    break
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                connection.request(
                    "POST", "/dev/orders", ORDER, {"Content-Type": "application/json"}
                )
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                continue
            finished = time.perf_counter()
            with lock:
                latencies.append(finished - started)
                if response.status == 201:
                    ids.append((finished, json.loads(body)["orderId"]))
                else:
                    errors.append(f"{response.status} {body[:120]!r}")
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Run(latencies, errors, seconds, [order for _, order in sorted(ids)])


def wait_drained(port: int, order_ids: list[str], limit_s: float) -> float | None:
    """Seconds until every one of `order_ids` is CONFIRMED (None past the limit)."""
    started = time.perf_counter()
    pending = list(order_ids)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while pending:
        if time.perf_counter() - started > limit_s:
            return None
        try:
            connection.request("GET", f"/dev/orders/{pending[0]}")
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        if response.status == 200 and json.loads(body).get("status") == "CONFIRMED":
            pending.pop(0)
        else:
            time.sleep(0.2)
    connection.close()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000, help="per run (default 2000)")
    parser.add_argument("--concurrency", type=int, default=16, help="connections (default 16)")
    parser.add_argument("--warm-up", type=int, default=200, help="requests before run 1")
    parser.add_argument("--backend", choices=["sandbox", "inprocess"], default="sandbox")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()

    report: dict[str, object] = {"machine_cpus": os.cpu_count(), "load_avg": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="bench-offline-") as folder:
        started = time.perf_counter()
        server = Server(Path(folder), args.concurrency, args.backend)
        atexit.register(server.kill)  # if this script fails, its servers go with it
        print(
            f"offline order-service ({args.backend}) ready in {time.perf_counter() - started:.1f} s"
        )
        rss_start = server.rss_mb()
        warm = drive(server.port, args.warm_up, args.concurrency)
        print(f"warm-up: {len(warm.latencies)} requests, {len(warm.errors)} errors")
        runs: list[dict[str, float | int]] = []
        last: Run | None = None
        for number in range(1, args.runs + 1):
            last = drive(server.port, args.requests, args.concurrency)
            own, total = server.rss_mb()
            runs.append(
                {
                    "run": number,
                    "requests": len(last.latencies),
                    "errors": len(last.errors),
                    "rps": round(last.rps, 1),
                    "p50_ms": round(last.percentile(50), 1),
                    "p99_ms": round(last.percentile(99), 1),
                    "load_avg_1min": round(os.getloadavg()[0], 1),
                    "rss_mb": round(own, 1),
                    "pss_with_workers_mb": round(total, 1),
                }
            )
            print(
                f"run {number}: {last.rps:6.1f} req/s  p50 {last.percentile(50):7.1f} ms"
                f"  p99 {last.percentile(99):7.1f} ms  errors {len(last.errors)}"
                f"  RSS {own:6.1f} MB ({total:6.1f} MB PSS with workers)"
                f"  load {os.getloadavg()[0]:.1f}"
            )
            for error in last.errors[:3]:
                print(f"    {error}")
        assert last is not None
        drained = wait_drained(server.port, last.order_ids[-args.concurrency :], DRAIN_LIMIT_S)
        own, total = server.rss_mb()
        print(
            "queue drained "
            + (
                f"{drained:.1f} s after the last run"
                if drained is not None
                else "NOT within the limit"
            )
            + f"; RSS {own:.1f} MB ({total:.1f} MB PSS with workers)"
        )
        idle_stop, idle_code, idle_err = server.stop()
        print(f"Ctrl+C, idle: exit {idle_code} after {idle_stop:.2f} s")

        # Shutdown with a backlog: a new server, one run, Ctrl+C as soon as it ends.
        busy = Server(Path(folder), args.concurrency, args.backend)
        atexit.register(busy.kill)
        drive(busy.port, args.requests // 4, args.concurrency)
        busy_stop, busy_code, busy_err = busy.stop()
        print(
            f"Ctrl+C, {args.requests // 4} orders still in the pipeline: exit {busy_code} after {busy_stop:.2f} s"
        )
        for err in (idle_err, busy_err):
            if err.strip():
                print("stderr:", err.strip()[-400:])

    first, final = runs[0], runs[-1]
    growth = float(final["rss_mb"]) - rss_start[0]
    goals = {
        "no errors": all(r["errors"] == 0 for r in runs),
        "throughput within 20%": float(final["rps"]) >= 0.8 * float(first["rps"]),
        "p99 within 20%": float(final["p99_ms"]) <= 1.2 * float(first["p99_ms"]),
        "RSS growth under 100 MB": own - rss_start[0] < 100,
        "shutdown under 5 s": idle_stop < 5 and busy_stop < 5,
    }
    print(
        f"RSS at start {rss_start[0]:.1f} MB; after the last run +{growth:.1f} MB; after draining +{own - rss_start[0]:.1f} MB"
    )
    for goal, met in goals.items():
        print(f"  {goal}: {'met' if met else 'NOT met'}")
    print(
        f"load average at start {report['load_avg']} on {report['machine_cpus']} CPUs (shared machine)"
    )
    if args.json:
        report.update(
            runs=runs,
            rss_start_mb=round(rss_start[0], 1),
            drained_s=drained,
            rss_drained_mb=round(own, 1),
            shutdown_idle_s=round(idle_stop, 2),
            shutdown_busy_s=round(busy_stop, 2),
            goals=goals,
        )
        print(json.dumps(report, indent=2))
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
