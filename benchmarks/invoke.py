"""Invoke benchmark: the sandboxed runtime against python-lambda-local, in one run.

    python benchmarks/invoke.py [--warm 2000] [--cold 40]

Measures, for a trivial handler (no imports of its own):
  - warm invoke round trip through the sandbox (LambdaRuntime.invoke, median)
  - cold start of a sandboxed environment (fork from the template, confinement,
    INIT, first invoke; median), the template's own start-up excluded
  - the in-process backend's warm round trip, for reference
  - python-lambda-local (PyPI; not a dependency, `pip install python-lambda-local`):
    its Python API `lambda_local.main.call` (one process per call) and its CLI
    (one interpreter per call, as learners use it)
and prints the ratios. Figures are machine-dependent; compare ratios, not numbers.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from serverless_tutor.runtime import FunctionConfig, LambdaRuntime

TRIVIAL = "def handler(event, context):\n    return {'ok': True}\n"


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def summary(samples: list[float]) -> str:
    samples = sorted(samples)
    p90 = samples[int(len(samples) * 0.9) - 1] if len(samples) >= 10 else samples[-1]
    return f"median {statistics.median(samples):8.3f} ms   p90 {p90:8.3f} ms   (n={len(samples)})"


def bench_sandbox(
    code_dir: Path, warm_n: int, cold_n: int
) -> tuple[list[float], list[float], list[str]]:
    with LambdaRuntime(backend="sandbox") as runtime:
        base = FunctionConfig(name="bench", handler="app.handler", code_dir=code_dir)
        first = runtime.invoke(base, {})  # also waits for the template to be ready
        for _ in range(50):
            runtime.invoke(base, {})
        warm = [timed(lambda: runtime.invoke(base, {})) for _ in range(warm_n)]
    # keep-alive 0: every environment is reclaimed before the next invoke, so each one is cold
    with LambdaRuntime(backend="sandbox", keep_alive_s=0) as runtime:
        runtime.invoke(base, {})  # waits for this runtime's template
        cold = []
        for _ in range(cold_n):
            runtime.reclaim_idle()  # destroy the previous environment outside the timed call
            box: dict = {}
            cold.append(timed(lambda box=box: box.setdefault("r", runtime.invoke(base, {}))))
            assert box["r"].cold and box["r"].response == {"ok": True}
    return warm, cold, first.isolation


def bench_inprocess(code_dir: Path, warm_n: int) -> list[float]:
    with LambdaRuntime(backend="inprocess") as runtime:
        fn = FunctionConfig(name="bench", handler="app.handler", code_dir=code_dir)
        for _ in range(50):
            runtime.invoke(fn, {})
        return [timed(lambda: runtime.invoke(fn, {})) for _ in range(warm_n)]


def bench_lambda_local_api(code_dir: Path, n: int) -> list[float] | None:
    try:
        from lambda_local.context import Context
        from lambda_local.main import call
    except ImportError:
        return None
    logging.getLogger().setLevel(logging.WARNING)  # it logs every call at INFO
    sys.path.insert(0, str(code_dir))
    from app import handler

    for _ in range(3):
        call(handler, {}, Context(3))
    return [timed(lambda: call(handler, {}, Context(3))) for _ in range(n)]


def bench_lambda_local_cli(code_dir: Path, n: int) -> list[float] | None:
    exe = shutil.which("python-lambda-local") or str(
        Path(sys.executable).parent / "python-lambda-local"
    )
    if not Path(exe).exists():
        return None
    event = code_dir / "event.json"
    event.write_text("{}")
    command = [exe, "-f", "handler", "-t", "3", str(code_dir / "app.py"), str(event)]
    subprocess.run(command, capture_output=True, check=True)
    return [
        timed(lambda: subprocess.run(command, capture_output=True, check=True)) for _ in range(n)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=2000)
    parser.add_argument("--cold", type=int, default=40)
    args = parser.parse_args()
    code_dir = Path(tempfile.mkdtemp(prefix="bench-invoke-"))
    (code_dir / "app.py").write_text(TRIVIAL)
    try:
        warm, cold, isolation = bench_sandbox(code_dir, args.warm, args.cold)
        inproc = bench_inprocess(code_dir, args.warm)
        api = bench_lambda_local_api(code_dir, max(20, args.cold))
        cli = bench_lambda_local_cli(code_dir, 10)
    finally:
        shutil.rmtree(code_dir, ignore_errors=True)

    print(f"isolation in force: {', '.join(isolation)}")
    print(f"sandbox warm invoke round trip      {summary(warm)}   goal: median < 1 ms")
    print(f"sandbox cold start (new environment) {summary(cold)}   goal: median < 100 ms")
    print(f"in-process warm invoke (reference)  {summary(inproc)}")
    warm_median = statistics.median(warm)
    if api is None:
        print(
            "python-lambda-local: not installed (pip install python-lambda-local); comparison skipped"
        )
    else:
        print(f"python-lambda-local call() API      {summary(api)}")
        ratio = statistics.median(api) / warm_median
        print(f"  ratio python-lambda-local API / sandbox warm: {ratio:6.1f}x   goal: >= 20x")
        print(
            f"  ratio python-lambda-local API / sandbox cold: {statistics.median(api) / statistics.median(cold):6.1f}x"
        )
    if cli is not None:
        print(f"python-lambda-local CLI             {summary(cli)}")
        print(
            f"  ratio python-lambda-local CLI / sandbox warm: {statistics.median(cli) / warm_median:6.1f}x"
        )
        print(
            f"  ratio python-lambda-local CLI / sandbox cold: {statistics.median(cli) / statistics.median(cold):6.1f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
