"""`offline`'s HTTP front: every malformed request gets API Gateway's JSON answer and
invokes nothing; the concurrency limit throttles as Lambda does behind API Gateway.

A real server on a loopback port, a small service deployed on the in-process runtime,
and a raw-socket client, so that broken framing can be sent as it is.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.concurrency import ConcurrencyLimitedRuntime
from serverless_tutor.cloud.deploy import deploy
from serverless_tutor.cloud.http_front import FrontLimits
from serverless_tutor.cloud.offline import DEFAULT_MAX_BACKLOG, OfflineServer, RequestLog
from serverless_tutor.cloud.service import load_service
from serverless_tutor.runtime import LambdaRuntime

DEADLINE_S = 20  # generous: the machine is shared; nothing here waits this long when it works

HANDLERS = """
import json, os, time
from pathlib import Path
import boto3

def echo(event, context):
    body = event.get("body")
    if body == "raise":
        raise ValueError("bad \\x1b]52;c;Y2xpcA==\\x07 input")
    if body == "bad-header":
        return {"statusCode": 200, "headers": {"X-Split": "a\\r\\nSet-Cookie: x=1"}, "body": "{}"}
    return {"statusCode": 200, "body": json.dumps({"body": body, "method": event.get("httpMethod")})}

def wait(event, context):
    gate = Path(os.environ["GATE"])
    deadline = time.monotonic() + 30
    while not gate.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return {"statusCode": 200, "body": "{}"}

def publish(event, context):
    sns = boto3.client("sns")
    topic = sns.create_topic(Name="sink-topic")["TopicArn"]  # the existing one
    for _ in range(int(event.get("body") or 1)):
        sns.publish(TopicArn=topic, Message="x")
    return {"statusCode": 200, "body": "{}"}
"""

SERVICE = """
service: front
provider:
  name: aws
  runtime: python3.12
  timeout: 60
  environment:
    GATE: {gate}
  iam:
    role:
      statements:
        - {{Effect: Allow, Action: ["sns:CreateTopic", "sns:Publish"], Resource: "*"}}
functions:
  echo:
    handler: handlers.echo
    events:
      - http: {{path: /echo, method: any}}
      - httpApi: 'POST /api/echo'
  wait:
    handler: handlers.wait
    events:
      - http: {{path: /wait, method: get}}
      - httpApi: 'GET /api/wait'
  publish:
    handler: handlers.publish
    events:
      - httpApi: 'POST /api/publish'
  sink:
    handler: handlers.wait
    events:
      - sns: sink-topic
"""
ECHO = "front-dev-echo"
WAIT = "front-dev-wait"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


class Deployed:
    def __init__(self, root: Path):
        self.gate = root / "gate"
        (root / "handlers.py").write_text(HANDLERS)
        (root / "serverless.yml").write_text(SERVICE.format(gate=self.gate))
        spec = load_service(root / "serverless.yml")
        self.account = LocalAccount(region=spec.region)
        self.runtime = LambdaRuntime(backend="inprocess", request_handler=self.account.handle)
        self.limited = ConcurrencyLimitedRuntime(self.runtime, per_function=2)
        self.deployment = deploy(spec, self.account, self.limited)
        self.logs: list[RequestLog] = []

    def invocations(self, function_name: str) -> int:
        return sum(env.invocations for env in self.runtime.environments(function_name))

    def close(self) -> None:
        self.limited.stop()
        self.runtime.shutdown()
        self.deployment.router.close()


@pytest.fixture(scope="module")
def deployed(tmp_path_factory) -> Iterator[Deployed]:
    service = Deployed(tmp_path_factory.mktemp("front"))
    yield service
    service.close()


@pytest.fixture
def serve(deployed) -> Iterator[Callable[..., OfflineServer]]:
    started: list[OfflineServer] = []

    def start(max_backlog: int = DEFAULT_MAX_BACKLOG, **limits) -> OfflineServer:
        server = OfflineServer(
            deployed.deployment.router.api,
            limiter=deployed.limited,
            port=0,
            limits=FrontLimits(**limits),
            on_request=deployed.logs.append,
            backlog=lambda: deployed.deployment.router.invoker.pending,
            max_backlog=max_backlog,
        )
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(serve) -> OfflineServer:
    return serve()


class Client:
    """A raw socket to the server, and the answers read from it one at a time."""

    def __init__(self, server: OfflineServer):
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=DEADLINE_S)
        self.unread = b""  # bytes past the answer just read (pipelined answers)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()

    def send(self, raw: bytes) -> None:
        self.sock.sendall(raw)

    def answer(self) -> Answer:
        data, self.unread = self.unread, b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            assert chunk, f"connection closed before an answer: {data!r}"
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            assert chunk, "connection closed mid-body"
            rest += chunk
        self.unread = rest[length:]
        return Answer(status, headers, rest[:length])


def exchange(server: OfflineServer, raw: bytes) -> Answer:
    with Client(server) as client:
        client.send(raw)
        return client.answer()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def post(path: str, body: bytes, *extra: str) -> bytes:
    head = [f"POST {path} HTTP/1.1", "Host: localhost", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


# -- requests that arrive whole ------------------------------------------------------------------


def test_rest_and_http_api_requests_reach_the_function(server, deployed):
    answer = exchange(server, post("/dev/echo", b"hi", "Content-Length: 2"))
    assert answer.status == 200 and answer.json() == {"body": "hi", "method": "POST"}
    answer = exchange(server, post("/api/echo", b"hey", "Content-Length: 3"))
    assert answer.status == 200 and answer.json() == {"body": "hey", "method": None}


def test_keep_alive_and_pipelined_requests_each_get_their_answer(server):
    one = post("/dev/echo", b"1", "Content-Length: 1")
    two = post("/dev/echo", b"2", "Content-Length: 1")
    with Client(server) as client:
        client.send(one + two)  # pipelined
        assert client.answer().json() == {"body": "1", "method": "POST"}
        assert client.answer().json() == {"body": "2", "method": "POST"}
        client.send(one)  # kept alive
        assert client.answer().json() == {"body": "1", "method": "POST"}


def test_chunked_body_is_decoded_not_read_as_a_second_request(server, deployed):
    before = server.front.handed_on
    chunked = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    answer = exchange(server, post("/dev/echo", chunked, "Transfer-Encoding: chunked"))
    assert answer.status == 200 and answer.json() == {"body": "hello world", "method": "POST"}
    assert server.front.handed_on == before + 1


def test_head_gets_headers_and_no_body(server):
    with Client(server) as client:
        client.send(b"HEAD /dev/echo HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            data += client.sock.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"content-length: " in head.lower()
    assert rest == b""


# -- malformed requests: API Gateway's status, a JSON body, nothing invoked -----------------------


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        (["Content-Length: abc"], 400, "Bad Request"),
        (["Content-Length: -1"], 400, "Bad Request"),
        (["Content-Length: 3", "Content-Length: 4"], 400, "Bad Request"),
        (["Content-Length: 4", "Transfer-Encoding: chunked"], 400, "Bad Request"),
        (["Transfer-Encoding: gzip"], 501, "Not Implemented"),
    ],
    ids=["not-a-number", "negative", "two-that-disagree", "length-and-chunked", "gzip-coding"],
)
def test_bad_framing_is_refused_with_json(server, deployed, headers, status, message):
    before = deployed.invocations(ECHO)
    answer = exchange(server, post("/dev/echo", b"abcd", *headers))
    assert answer.status == status
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"message": message}
    assert deployed.invocations(ECHO) == before


def test_malformed_request_line_is_a_json_400(server):
    answer = exchange(server, b"G@T /dev/echo HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.status == 400 and answer.json() == {"message": "Bad Request"}


def test_body_over_api_gateways_limit_is_413_before_it_is_sent(server, deployed):
    before = deployed.invocations(ECHO)
    with Client(server) as client:  # only the head: the answer must not wait for 10 MB
        client.send(post("/dev/echo", b"", "Content-Length: 10485761"))
        answer = client.answer()
    assert answer.status == 413 and answer.json() == {"message": "Request Too Long"}
    assert deployed.invocations(ECHO) == before


def test_body_over_lambdas_sync_limit_is_413_and_not_invoked(server, deployed):
    before = deployed.invocations(ECHO)
    body = b"a" * (7 * 1024 * 1024)
    answer = exchange(server, post("/dev/echo", body, f"Content-Length: {len(body)}"))
    assert answer.status == 413 and answer.json() == {"message": "Request Too Long"}
    assert deployed.invocations(ECHO) == before


def test_chunked_body_over_the_limit_is_413(serve, deployed):
    server = serve(max_body_bytes=1000)
    before = deployed.invocations(ECHO)
    chunks = b"".join(b"100\r\n" + b"x" * 256 + b"\r\n" for _ in range(5)) + b"0\r\n\r\n"
    answer = exchange(server, post("/dev/echo", chunks, "Transfer-Encoding: chunked"))
    assert answer.status == 413 and answer.json() == {"message": "Request Too Long"}
    assert deployed.invocations(ECHO) == before


def test_long_url_is_414_and_huge_headers_431(server):
    answer = exchange(server, f"GET /dev/{'a' * 11_000} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert answer.status == 414 and answer.json() == {"message": "Request-URI Too Long"}
    big = "\r\n".join(f"X-Filler-{i}: {'b' * 100}" for i in range(120))
    answer = exchange(server, f"GET /dev/echo HTTP/1.1\r\nHost: x\r\n{big}\r\n\r\n".encode())
    assert answer.status == 431 and answer.json() == {"message": "Request Header Fields Too Large"}


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("FOO", "/dev/echo", 403, "Missing Authentication Token"),
        ("TRACE", "/dev/echo", 403, "Missing Authentication Token"),
        ("TRACE", "/api/echo", 404, "Not Found"),
        # both API types on one port: a path under the REST stage is the REST API's
        ("GET", "/dev/nowhere", 403, "Missing Authentication Token"),
        ("GET", "/nowhere", 404, "Not Found"),
    ],
)
def test_methods_api_gateway_lacks_get_its_json_answer(
    server, deployed, method, path, status, message
):
    before = deployed.invocations(ECHO)  # the REST route is ANY: it must still not run
    answer = exchange(server, f"{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert answer.status == status
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"message": message}
    assert deployed.invocations(ECHO) == before


def test_a_header_h11_refuses_becomes_a_502_not_a_split_response(server):
    answer = exchange(server, post("/dev/echo", b"bad-header", "Content-Length: 10"))
    assert answer.status == 502 and answer.json() == {"message": "Internal server error"}
    assert "set-cookie" not in answer.headers


# -- slow and vanishing clients ------------------------------------------------------------------


def test_slow_headers_get_408_and_the_connection_closed(serve, deployed):
    server = serve(header_timeout_s=0.3)
    before = deployed.invocations(ECHO)
    with Client(server) as client:
        client.send(b"POST /dev/echo HTTP/1.1\r\nHost: x\r\n")  # and nothing more
        answer = client.answer()
        assert client.sock.recv(1) == b""  # closed after the answer
    assert answer.status == 408 and answer.json() == {"message": "Request Timeout"}
    assert deployed.invocations(ECHO) == before


def test_an_idle_keep_alive_connection_is_closed_quietly(serve):
    server = serve(keep_alive_s=0.2)
    with Client(server) as client:
        client.send(post("/dev/echo", b"1", "Content-Length: 1"))
        assert client.answer().status == 200
        assert client.sock.recv(1) == b""  # closed after keep_alive_s, with no answer sent


def test_slow_body_gets_408_and_is_not_invoked(serve, deployed):
    server = serve(body_timeout_s=0.3)
    before = deployed.invocations(ECHO)
    with Client(server) as client:
        client.send(post("/dev/echo", b"abc", "Content-Length: 10"))
        answer = client.answer()
    assert answer.status == 408 and answer.json() == {"message": "Request Timeout"}
    assert deployed.invocations(ECHO) == before


@pytest.mark.parametrize(
    "partial",
    [
        b"POST /dev/echo HTTP/1.1\r\nHost: x\r\nContent-Len",  # mid-headers
        b"POST /dev/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",  # mid-body
        b"POST /dev/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
    ],
    ids=["mid-headers", "mid-body", "mid-chunks"],
)
def test_client_closing_mid_request_invokes_nothing(server, deployed, partial):
    before = deployed.invocations(ECHO)
    handed_on = server.front.handed_on
    with Client(server) as client:
        wait_until(lambda: server.front.open_connections == 1, "the connection to be served")
        client.send(partial)
    wait_until(lambda: server.front.open_connections == 0, "the server to see the close")
    assert server.front.handed_on == handed_on
    assert deployed.invocations(ECHO) == before


def test_connections_over_the_cap_wait_in_the_backlog(serve):
    server = serve(max_connections=2, keep_alive_s=DEADLINE_S)
    idle = [Client(server), Client(server)]
    wait_until(lambda: server.front.open_connections == 2, "two connections served")
    with Client(server) as third:  # accepted by the kernel, not yet served
        third.send(post("/dev/echo", b"3", "Content-Length: 1"))
        third.sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            third.sock.recv(1)  # nothing yet (a negative check: it cannot fail by slowness)
        idle.pop().sock.close()
        third.sock.settimeout(DEADLINE_S)
        assert third.answer().json() == {"body": "3", "method": "POST"}
    for client in idle:
        client.sock.close()


# -- the concurrency limit -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "message", "error_type"),
    [
        ("/dev/wait", "Internal server error", "InternalServerErrorException"),
        ("/api/wait", "Internal Server Error", None),
    ],
    ids=["rest-api", "http-api"],
)
def test_over_the_concurrency_limit_api_gateway_answers_500(
    server, deployed, path, message, error_type
):
    deployed.gate.unlink(missing_ok=True)
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    answers: list[Answer] = []
    waiting = [
        threading.Thread(target=lambda: answers.append(exchange(server, request))) for _ in range(2)
    ]
    try:
        for thread in waiting:
            thread.start()
        wait_until(lambda: deployed.limited.running(WAIT) == 2, "two invokes at the limit")
        throttled = exchange(server, request)
    finally:
        deployed.gate.touch()
        for thread in waiting:
            thread.join(DEADLINE_S)
    assert throttled.status == 500 and throttled.json() == {"message": message}
    assert throttled.headers.get("x-amzn-errortype") == error_type
    assert [a.status for a in answers] == [200, 200]
    assert len(deployed.runtime.environments(WAIT)) <= 2  # one environment per running invoke
    line = next(log for log in reversed(deployed.logs) if log.status == 500)
    assert "throttled, not invoked" in line.line() and "concurrency limit of 2" in line.line()


# -- the asynchronous backlog -------------------------------------------------------------------


def test_over_the_async_backlog_new_requests_wait_for_room(serve, deployed):
    server = serve(max_backlog=2)
    router = deployed.deployment.router
    deployed.gate.unlink(missing_ok=True)
    before = deployed.invocations(ECHO)
    try:
        published = exchange(server, post("/api/publish", b"4", "Content-Length: 1"))
        assert published.status == 200
        assert router.invoker.pending == 4  # queued before Publish returned; held at the gate
        with Client(server) as client:
            client.send(post("/dev/echo", b"x", "Content-Length: 1"))
            client.sock.settimeout(0.3)
            with pytest.raises(TimeoutError):
                client.sock.recv(1)  # waiting for room (a negative check: cannot fail by slowness)
            assert deployed.invocations(ECHO) == before
            deployed.gate.touch()
            client.sock.settimeout(DEADLINE_S)
            assert client.answer().json() == {"body": "x", "method": "POST"}
    finally:
        deployed.gate.touch()
        assert router.wait_idle(DEADLINE_S)


# -- what reaches the terminal -------------------------------------------------------------------


def test_log_lines_escape_control_characters_from_the_function(server, deployed):
    answer = exchange(server, post("/dev/echo", b"raise", "Content-Length: 5"))
    assert answer.status == 502
    line = next(log for log in reversed(deployed.logs) if log.status == 502).line()
    assert "\x1b" not in line and "\x07" not in line
    assert "\\x1b]52;c;Y2xpcA==\\x07" in line


def test_curl_examples_fill_path_parameters_and_bodies(server):
    examples = server.curl_examples()
    base = server.base_url
    assert f"curl -X POST {base}/dev/echo -H 'Content-Type: application/json' -d '{{}}'" not in (
        examples
    )  # the REST route is ANY: a GET is the runnable example
    assert f"curl {base}/dev/echo" in examples
    assert f"curl -X POST {base}/api/echo -H 'Content-Type: application/json' -d '{{}}'" in (
        examples
    )
    assert f"curl {base}/dev/wait" in examples
