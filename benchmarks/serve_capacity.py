"""Benchmark: how many students one `serverless-tutor serve` holds with input latency under 100 ms.

    python benchmarks/serve_capacity.py [--sessions 1,2,4,8,12,16,24,32] [--seconds 20]
                                        [--think-s 1.0] [--width 100 --height 30]

Starts the real `serverless-tutor serve` on a free port and connects simulated
browsers to its websocket, exactly as the page's JavaScript does (textual-serve's
["stdin", keys] messages in, terminal bytes out). Each simulated student reads the
chapter: every --think-s seconds (uniformly jittered 0.5x-1.5x) it presses a key,
mostly Down/Up (scrolling or moving in a list), and every fifth key `n` or `p`
(the next or previous lesson, which redraws the whole screen). Sessions are added
step by step; at each step every session keeps reading for --seconds.

Input latency is the time from sending a key to the first screen update coming
back (what a person sees as "it reacted"); "full" is the time to the last frame of
that update (frames closer than 50 ms apart count as one update). A key is only
timed when its session's screen has been quiet for 300 ms before it, so an earlier
update is never mistaken for the answer. The baseline is the same measurement with
one session, in the same run. Memory is the resident set of all session processes
(from /proc). A 2-core machine "holds" the largest step whose p95 stays under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

DOWN, UP = "\x1b[B", "\x1b[A"
QUIET_BEFORE_KEY_S = 0.3
SAME_UPDATE_GAP_S = 0.05
TARGET_P95_MS = 100.0


@dataclass
class Session:
    number: int
    websocket: aiohttp.ClientWebSocketResponse
    last_frame_at: float = 0.0
    frames: list[float] = field(default_factory=list)


@dataclass
class Timing:
    first_ms: float
    full_ms: float


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def session_memory_mb(sessions_dir: Path) -> float:
    """Resident memory of every app process serving a session (their command line names the folder)."""
    total_kb = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"serve_session" not in cmdline or str(sessions_dir).encode() not in cmdline:
                continue
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


async def pump(session: Session) -> None:
    """Receive everything the app sends; remember when each frame arrived."""
    async for message in session.websocket:
        if message.type is aiohttp.WSMsgType.BINARY:
            now = time.monotonic()
            session.last_frame_at = now
            session.frames.append(now)
        elif message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            return


async def open_session(
    http: aiohttp.ClientSession, url: str, number: int, width: int, height: int
) -> Session:
    websocket = await http.ws_connect(f"{url}/ws?width={width}&height={height}")
    session = Session(number, websocket)
    asyncio.get_running_loop().create_task(pump(session))
    # The first screen is up once the app has been quiet for a moment after drawing.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        if session.frames and time.monotonic() - session.last_frame_at > 1.0:
            # Lesson 2 drawn once, untimed: a student's first visit to a lesson lays out
            # its text (the reader's cost, measured by startup.py), not the server's.
            for key in ("n", "p"):
                await session.websocket.send_json(["stdin", key])
                await asyncio.sleep(1.0)
            return session
    raise RuntimeError(f"session {number}: no first screen within 60 s")


async def read_chapter(
    session: Session, until: float, think_s: float, timings: list[Timing], rng: random.Random
) -> None:
    presses = 0
    while time.monotonic() < until:
        await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
        presses += 1
        if presses % 5 == 0:
            key = "n" if (presses // 5) % 2 else "p"
        else:
            key = DOWN if presses % 2 else UP
        quiet = time.monotonic() - session.last_frame_at >= QUIET_BEFORE_KEY_S
        seen = len(session.frames)
        sent_at = time.monotonic()
        await session.websocket.send_json(["stdin", key])
        if not quiet:
            continue
        answer = await wait_for_update(session, seen, sent_at)
        if answer is not None:
            timings.append(answer)


async def wait_for_update(session: Session, seen: int, sent_at: float) -> Timing | None:
    deadline = sent_at + 10
    while len(session.frames) == seen:
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(0.002)
    first = session.frames[seen]
    # The update is over when no frame follows the last one within SAME_UPDATE_GAP_S.
    while time.monotonic() - session.last_frame_at < SAME_UPDATE_GAP_S:
        await asyncio.sleep(0.005)
    last = max(t for t in session.frames[seen:] if t - first < 5)
    return Timing((first - sent_at) * 1000, (last - sent_at) * 1000)


async def run(args: argparse.Namespace) -> int:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    work = Path(tempfile.mkdtemp(prefix="tutor-serve-capacity-"))
    sessions_dir = work / "sessions"
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "serverless_tutor", "serve"),
            *("--port", str(port), "--sessions", str(sessions_dir)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={
            **os.environ,
            "SERVERLESS_TUTOR_HOME": str(work / "home"),
            "PYTHONPYCACHEPREFIX": str(work / "pycache"),
        },
    )
    rng = random.Random(7)
    steps = [int(s) for s in args.sessions.split(",")]
    print(
        f"serve capacity: {os.cpu_count()} CPUs, each student presses a key every ~{args.think_s:g} s "
        f"(4 of 5 Down/Up, 1 of 5 n/p), {args.seconds:g} s per step, {args.width}x{args.height}"
    )
    print(
        f"{'students':>8} {'keys':>5} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
        f"{'full p95':>8} {'x base':>6} {'RSS MB':>7} {'MB each':>7} {'load':>5}"
    )
    holds = 0
    baseline_p95: float | None = None
    try:
        await wait_listening(port)
        async with aiohttp.ClientSession() as http:
            sessions: list[Session] = []
            for step in steps:
                while len(sessions) < step:
                    sessions.append(
                        await open_session(http, url, len(sessions) + 1, args.width, args.height)
                    )
                timings: list[Timing] = []
                until = time.monotonic() + args.seconds
                await asyncio.gather(
                    *(read_chapter(s, until, args.think_s, timings, rng) for s in sessions)
                )
                if not timings:
                    print(f"{step:>8}: no key could be timed")
                    break
                firsts = [t.first_ms for t in timings]
                p95 = percentile(firsts, 0.95)
                baseline_p95 = baseline_p95 or p95
                memory = session_memory_mb(sessions_dir)
                print(
                    f"{step:>8} {len(timings):>5} {statistics.median(firsts):>7.1f} {p95:>7.1f} "
                    f"{max(firsts):>7.1f} {percentile([t.full_ms for t in timings], 0.95):>8.1f} "
                    f"{p95 / baseline_p95:>6.2f} {memory:>7.0f} {memory / step:>7.1f} "
                    f"{os.getloadavg()[0]:>5.1f}",
                    flush=True,
                )
                if p95 >= TARGET_P95_MS:
                    break
                holds = step
            for session in sessions:
                await session.websocket.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)
    print(f"holds {holds} students with p95 input latency under {TARGET_P95_MS:g} ms")
    return 0


async def wait_listening(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        await asyncio.sleep(0.1)
    raise RuntimeError("serve did not start listening within 60 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", default="1,2,4,8,12,16,24,32")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think-s", type=float, default=1.0)
    parser.add_argument("--width", type=int, default=100)
    parser.add_argument("--height", type=int, default=30)
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
