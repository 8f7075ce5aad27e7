"""`offline` stops promptly whatever is queued: Ctrl+C and SIGTERM with a full delivery
queue and a request in flight end the process, with no traceback; a second Ctrl+C
exits at once; a clean-up that cannot finish is cut off at its deadline.

Each test runs `serverless-tutor offline` in a subprocess. The bounds are generous
(the machine is shared); the 5 s figures are measured by benchmarks/offline.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BOUND_S = 30  # generous: a hung shutdown never ends, a working one takes a few seconds

HANDLERS = """
import json, os, time
from pathlib import Path
import boto3

def burst(event, context):
    sns = boto3.client("sns")
    topic = sns.create_topic(Name="burst-topic")["TopicArn"]  # the existing one
    count, seconds = (event.get("body") or "40 2").split()
    for i in range(int(count)):
        sns.publish(TopicArn=topic, Message=seconds)
    return {"statusCode": 200, "body": json.dumps({"published": int(count)})}

def subscriber(event, context):
    markers = os.environ.get("MARKERS")
    if markers and Path(markers).is_dir():
        (Path(markers) / context.aws_request_id).touch()
    time.sleep(float(event["Records"][0]["Sns"]["Message"]))

def slow(event, context):
    time.sleep(50)
    return {"statusCode": 200, "body": "{}"}
"""

SERVICE = """
service: burst
provider:
  name: aws
  runtime: python3.12
  timeout: 60
  environment:
    MARKERS: {markers}
functions:
  burst:
    handler: handlers.burst
    events:
      - httpApi: 'POST /burst'
  slow:
    handler: handlers.slow
    events:
      - httpApi: 'GET /slow'
  subscriber:
    handler: handlers.subscriber
    events:
      - sns: burst-topic
"""


class Offline:
    def __init__(self, root: Path, *options: str):
        self.markers = root / "markers"
        self.markers.mkdir()
        (root / "handlers.py").write_text(HANDLERS)
        (root / "serverless.yml").write_text(SERVICE.format(markers=self.markers))
        command = [sys.executable, "-m", "serverless_tutor", "offline"]
        command += [str(root / "serverless.yml"), "--port", "0", "--no-iam", *options]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        self.out: list[str] = []
        self.base = ""
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.out.append(line)
            if "/burst" in line and "http://" in line and not self.base:
                self.base = "http://" + line.split("http://", 1)[1].split("/", 1)[0]
            if "Ctrl+C" in line:
                break
        assert self.base, "".join(self.out) + self.process.stderr.read()  # type: ignore[union-attr]
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.out.append(line)

    def burst(self, count: int, seconds: float) -> None:
        request = urllib.request.Request(
            f"{self.base}/burst", data=f"{count} {seconds}".encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=BOUND_S) as response:
            assert response.status == 200

    def request_in_flight(self) -> None:
        def call() -> None:
            # Cut off by the shutdown: the connection closes with no answer.
            try:
                urllib.request.urlopen(f"{self.base}/slow", timeout=BOUND_S).close()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return

        threading.Thread(target=call, daemon=True).start()

    def wait_for(self, condition, what: str) -> None:
        deadline = time.monotonic() + BOUND_S
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}: {self.out}"
            time.sleep(0.02)

    def stop(self, signum: int) -> tuple[float, str]:
        """Send the signal; the seconds until the process ended, and its stderr."""
        started = time.monotonic()
        self.process.send_signal(signum)
        try:
            self.process.wait(timeout=BOUND_S)
        except subprocess.TimeoutExpired:
            self.close()
            pytest.fail(f"offline did not stop within {BOUND_S} s; stdout: {self.out}")
        seconds = time.monotonic() - started
        self._reader.join(BOUND_S)  # the rest of stdout
        return seconds, self.process.stderr.read()  # type: ignore[union-attr]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


@pytest.fixture
def offline(tmp_path):
    started: list[Offline] = []

    def start(*options: str) -> Offline:
        server = Offline(tmp_path, *options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_with_a_full_queue_stops_cleanly(offline, signum):
    server = offline()  # sandboxed workers, as by default
    server.burst(40, 2)  # 40 deliveries of 2 s each are queued: 20 s of work on 4 threads
    server.request_in_flight()
    seconds, err = server.stop(signum)
    assert server.process.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert any("stopping" in line for line in server.out)
    assert seconds < BOUND_S


def test_ctrl_c_the_moment_it_is_offered_stops_cleanly(offline):
    """The handlers that turn a signal into a clean stop are in before "Press Ctrl+C to
    stop." is printed: a signal right after it (while the server and the router are still
    starting) is not a bare KeyboardInterrupt that leaves the clean-up undone."""
    server = offline()
    seconds, err = server.stop(signal.SIGINT)
    assert server.process.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert any("stopping" in line for line in server.out)
    assert seconds < BOUND_S


def test_a_second_ctrl_c_exits_at_once(offline):
    server = offline("--backend", "inprocess")  # a sleeping in-process handler cannot be stopped
    server.burst(8, 60)
    server.wait_for(lambda: any(server.markers.iterdir()), "a delivery to start")
    server.process.send_signal(signal.SIGINT)
    server.wait_for(lambda: any("stopping" in line for line in server.out), "stopping")
    _, err = server.stop(signal.SIGINT)
    assert server.process.returncode == 130, err
    assert "Traceback" not in err
    assert any("stopped at once" in line for line in server.out)


def test_a_clean_up_past_its_deadline_is_cut_off(offline):
    server = offline("--backend", "inprocess")
    server.burst(8, 60)  # in-process deliveries sleeping 60 s: the router cannot be closed
    server.wait_for(lambda: any(server.markers.iterdir()), "a delivery to start")
    seconds, err = server.stop(signal.SIGINT)
    assert server.process.returncode == 1, err
    assert "Traceback" not in err
    assert any("stopped without waiting" in line for line in server.out)
    assert seconds < BOUND_S
