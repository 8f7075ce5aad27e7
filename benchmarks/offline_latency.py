"""Benchmark: a warm trivial route through `serverless-tutor offline`.

    python benchmarks/offline_latency.py [--duration 10] [--connections 1,4] [--backend sandbox,inprocess]

Starts the real CLI (`serverless-tutor offline`) in a subprocess on a free port,
serving one HTTP API route (GET /ping) and one REST API route (GET /dev/ping)
whose handler returns a constant, warms it up, then drives it with `wrk`
(Debian package `wrk`; `apt-get install wrk`) and reports requests per second
and p50/p99 latency. Without wrk it falls back to a Python keep-alive client
(one connection). The baseline, measured in the same run with the same tool, is
a bare stdlib ThreadingHTTPServer answering "pong": the ratio is the cost of the
gateway, the runtime and the sandbox round trip on top of plain HTTP.
Figures depend on the machine; compare the ratios. Goal: p50 under 5 ms.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SERVICE = """service: bench
provider:
  name: aws
  runtime: python3.12
functions:
  ping:
    handler: app.handler
    events:
      - httpApi: 'GET /ping'
      - http: {path: /ping, method: get}
"""
HANDLER = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'pong'}\n"


class Result:
    def __init__(self, label: str, rps: float, p50_ms: float, p99_ms: float, errors: int = 0):
        self.label, self.rps, self.p50_ms, self.p99_ms, self.errors = (
            label,
            rps,
            p50_ms,
            p99_ms,
            errors,
        )

    def line(self) -> str:
        return (
            f"{self.label:46} {self.rps:9.0f} req/s   p50 {self.p50_ms:7.3f} ms   p99 {self.p99_ms:7.3f} ms"
            + (f"   errors {self.errors}" if self.errors else "")
        )


# -- load tools -----------------------------------------------------------------------------


def run_wrk(url: str, connections: int, duration: int, label: str) -> Result:
    completed = subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    text = completed.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", text, re.MULTILINE))
    errors = sum(
        int(n)
        for n in re.findall(
            r"(?:Non-2xx or 3xx responses|connect|read|write|timeout)\W+(\d+)", text
        )
    )
    return Result(label, rps, _ms(latency["50"]), _ms(latency["99"]), errors)


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_python_client(url: str, duration: int, label: str) -> Result:
    """One keep-alive connection, requests back to back (like wrk -c 1)."""
    host_port, _, path = url.removeprefix("http://").partition("/")
    host, port = host_port.split(":")
    connection = http.client.HTTPConnection(host, int(port))
    samples = []
    errors = 0
    deadline = time.perf_counter() + duration
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        connection.request("GET", "/" + path)
        response = connection.getresponse()
        response.read()
        samples.append((time.perf_counter() - t0) * 1000)
        errors += response.status != 200
    elapsed = time.perf_counter() - started
    samples.sort()
    return Result(
        label,
        len(samples) / elapsed,
        statistics.median(samples),
        samples[int(len(samples) * 0.99) - 1],
        errors,
    )


# -- servers --------------------------------------------------------------------------------


class _Pong(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as offline does; otherwise both pay ~40 ms of delayed ACK

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "4")
        self.end_headers()
        self.wfile.write(b"pong")

    def log_message(self, *args) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            super().handle_error(request, client_address)


def start_offline(folder: Path, backend: str) -> tuple[subprocess.Popen, str]:
    command = [
        sys.executable,
        "-m",
        "serverless_tutor",
        "offline",
        str(folder / "serverless.yml"),
        "--port",
        "0",
        "--backend",
        backend,
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    base = None
    for line in process.stdout:
        if base is None and "http://" in line:
            base = "http://" + line.split("http://", 1)[1].split("/", 1)[0]
        if "Ctrl+C" in line:
            break
    if base is None:
        raise RuntimeError("offline did not start:\n" + process.stderr.read())
    # keep reading its per-request log lines so the pipe never fills up
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return process, base


def warm_up(url: str, connections: int) -> None:
    def hit() -> None:
        host_port, _, path = url.removeprefix("http://").partition("/")
        host, port = host_port.split(":")
        connection = http.client.HTTPConnection(host, int(port))
        for _ in range(50):
            connection.request("GET", "/" + path)
            connection.getresponse().read()

    threads = [threading.Thread(target=hit) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds per measurement (default 10)"
    )
    parser.add_argument(
        "--connections", default="1,4", help="comma-separated wrk connection counts (default 1,4)"
    )
    parser.add_argument(
        "--backend", default="sandbox,inprocess", help="runtime backends to measure (default both)"
    )
    args = parser.parse_args()
    connection_counts = [int(c) for c in args.connections.split(",")]
    have_wrk = shutil.which("wrk") is not None
    if not have_wrk:
        print("wrk not found (apt-get install wrk): using a Python client, one connection")
        connection_counts = [1]

    def measure(url: str, connections: int, label: str) -> Result:
        if have_wrk:
            return run_wrk(url, connections, args.duration, label)
        return run_python_client(url, args.duration, label)

    results: list[Result] = []
    baseline = _QuietServer(("127.0.0.1", 0), _Pong)
    threading.Thread(target=baseline.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{baseline.server_address[1]}/ping"
    baselines = {}
    for connections in connection_counts:
        warm_up(base_url, connections)
        baselines[connections] = measure(
            base_url, connections, f"baseline: stdlib HTTP server, c={connections}"
        )
        results.append(baselines[connections])
    baseline.shutdown()

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "serverless.yml").write_text(SERVICE)
        (Path(folder) / "app.py").write_text(HANDLER)
        for backend in args.backend.split(","):
            process, base = start_offline(Path(folder), backend)
            try:
                for route, path in (("HTTP API", "/ping"), ("REST API", "/dev/ping")):
                    for connections in connection_counts:
                        url = base + path
                        warm_up(url, connections)
                        result = measure(
                            url, connections, f"offline {backend:9} {route}, c={connections}"
                        )
                        results.append(result)
            finally:
                process.terminate()
                process.wait(timeout=20)

    tool = "wrk 4.1 (1 thread)" if have_wrk else "python http.client"
    print(f"load tool: {tool}; {args.duration} s per line; warm environments (warm-up excluded)")
    for result in results:
        connections = int(result.label.rsplit("c=", 1)[1])
        reference = baselines[connections]
        ratio = (
            ""
            if result is reference
            else f"   x{result.p50_ms / reference.p50_ms:5.1f} baseline p50"
        )
        print(result.line() + ratio)
    warm_single = [
        r for r in results if r.label.startswith("offline sandbox") and r.label.endswith("c=1")
    ]
    if warm_single:
        worst = max(r.p50_ms for r in warm_single)
        print(
            f"goal p50 < 5 ms through the sandbox (c=1): {'met' if worst < 5 else 'NOT met'} ({worst:.3f} ms)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
