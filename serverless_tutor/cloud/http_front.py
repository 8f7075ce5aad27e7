"""The HTTP front of `offline`: HTTP/1.1 parsed by h11, served by one asyncio loop.

Every way a request can go wrong gets an answer in API Gateway's shape (JSON,
`{"message": ...}`), and nothing reaches the handler unless it arrived whole:

- bad framing (`Content-Length: abc`, `-1`, two that disagree, both Content-Length
  and Transfer-Encoding, a malformed request line): 400; a transfer coding other
  than chunked: 501; chunked bodies are decoded (h11) and counted like any other;
- a body over `max_body_bytes` (API Gateway's 10 MB): 413, before reading it when
  Content-Length says so; a request line or headers over `max_head_bytes`: 414/431;
- a client too slow to send its headers or its body: 408 and the connection closed;
  an idle keep-alive connection is closed after `keep_alive_s`;
- a client that closes mid-headers or mid-body: nothing is invoked.

Bounds: a listen backlog of `backlog`, at most `max_connections` connections served
at once (the next ones wait in the backlog), and one request at a time per
connection, handled on its own thread so a slow function never blocks the loop.
The handler is a plain function from HttpRequest to HttpResponse (apigateway.py's
models); refused requests are reported to `on_refused`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import urlsplit

import h11

from serverless_tutor.cloud.apigateway import HttpRequest, HttpResponse
from serverless_tutor.limits import API_GATEWAY_PAYLOAD_BYTES

# API Gateway's quota for the request line and headers together (REST API).
MAX_HEAD_BYTES = 10_240
_RECEIVE_BYTES = 64 * 1024
_LINGER_S = 1.0  # after an early error answer, read what the client still sends for this long
_MESSAGES = {413: "Request Too Long"}  # API Gateway's wording where it differs from the reason


@dataclass(frozen=True)
class FrontLimits:
    max_body_bytes: int = API_GATEWAY_PAYLOAD_BYTES
    max_head_bytes: int = MAX_HEAD_BYTES
    header_timeout_s: float = 10.0  # from the first byte of a request to its last header
    body_timeout_s: float = 30.0  # for the whole body, and for writing the answer
    keep_alive_s: float = 5.0  # an idle connection between requests
    max_connections: int = 64
    backlog: int = 128


@dataclass(frozen=True)
class Refusal:
    """A request the front answered itself, without handing it on."""

    method: str
    target: str
    status: int
    problem: str


class HttpFront:
    def __init__(
        self,
        handle: Callable[[HttpRequest], HttpResponse],
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        limits: FrontLimits | None = None,
        on_refused: Callable[[Refusal], None] | None = None,
    ):
        self.handle = handle
        self.limits = limits or FrontLimits()
        self.on_refused = on_refused
        # Bound now, so a port in use is an error before anything is served.
        self._listener = socket.create_server((host, port), backlog=self.limits.backlog)
        self._listener.setblocking(False)
        self.host, self.port = self._listener.getsockname()[:2]
        self._connections: set[asyncio.Task[None]] = set()
        self._closing = False
        self._accepting: asyncio.Task[None] | None = None
        self._watching = False  # the loop watches the listener for a connection to accept
        self.open_connections = 0
        self.handed_on = 0  # requests received whole and given to the handler

    # -- serving -----------------------------------------------------------------------------

    async def serve(self) -> None:
        """Accept and serve connections until close() is called."""
        self._accepting = asyncio.current_task()
        slots = asyncio.Semaphore(self.limits.max_connections)
        try:
            while not self._closing:
                await slots.acquire()  # over the cap, new connections wait in the backlog
                try:
                    conn, peer = await self._accept()
                except BaseException:
                    slots.release()
                    raise
                conn.setblocking(False)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                task = asyncio.create_task(self._serve_connection(conn, peer[0]))
                self._connections.add(task)
                task.add_done_callback(self._connections.discard)
                task.add_done_callback(lambda _: slots.release())
        except asyncio.CancelledError:
            if not self._closing:
                raise
        finally:
            self._listener.close()

    async def close(self) -> None:
        """Stop accepting, close every connection (a request being handled gets no answer)."""
        self._closing = True
        self._stop_watching()
        self._listener.close()
        if self._accepting is not None and self._accepting is not asyncio.current_task():
            self._accepting.cancel()
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _accept(self) -> tuple[socket.socket, tuple[str, int]]:
        """The next connection. Not loop.sock_accept: its callback, once due, runs even
        if close() cancelled the wait in the same round, and accepts on a closed listener
        (the loop then reports an error); a watch of our own is withdrawn at once."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                return self._listener.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                pass  # nothing to accept yet, or a client that gave up before it was accepted
            readable: asyncio.Future[None] = loop.create_future()
            loop.add_reader(self._listener, _settle_once, readable)
            self._watching = True
            try:
                await readable
            finally:
                self._stop_watching()

    def _stop_watching(self) -> None:
        if self._watching:
            self._watching = False
            asyncio.get_running_loop().remove_reader(self._listener)

    # -- one connection ------------------------------------------------------------------------

    async def _serve_connection(self, sock: socket.socket, client_ip: str) -> None:
        self.open_connections += 1
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=self.limits.max_head_bytes)
        try:
            while True:
                keep_going = await self._serve_one(sock, conn, client_ip)
                if not keep_going or conn.our_state is not h11.DONE:
                    return
                if conn.their_state is not h11.DONE:
                    return
                conn.start_next_cycle()
        except (OSError, TimeoutError):
            return  # the client went away or stopped reading our answer
        finally:
            self.open_connections -= 1
            sock.close()

    async def _serve_one(self, sock: socket.socket, conn: h11.Connection, client_ip: str) -> bool:
        loop = asyncio.get_running_loop()
        # -- the head: request line and headers
        begun = await self._first_byte(sock, conn)
        if not begun:
            return False  # idle past keep_alive_s, or closed before sending anything
        try:
            async with asyncio.timeout(self.limits.header_timeout_s):
                event = await self._next_event(sock, conn)
        except TimeoutError:
            await self._refuse(sock, conn, "-", "-", 408, "the headers did not arrive in time")
            return False
        except h11.RemoteProtocolError as error:
            if _peer_closed(conn):
                return False  # the client closed mid-headers: nothing is invoked
            status = error.error_status_hint
            if status == 431 and b"\n" not in conn.trailing_data[0][: self.limits.max_head_bytes]:
                status = 414
            await self._refuse(sock, conn, "-", "-", status, _framing_problem(error, status))
            return False
        if not isinstance(event, h11.Request):
            return False  # ConnectionClosed
        request = event
        method = request.method.decode("ascii", "replace")
        target = request.target.decode("ascii", "replace")
        headers = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers
        ]
        # h11 caps a head still arriving; one that arrived in a single read is measured here.
        line_bytes = len(request.method) + len(request.target) + 11  # spaces, HTTP/1.1, CRLF
        head_bytes = line_bytes + sum(len(n) + len(v) + 4 for n, v in request.headers)
        if head_bytes > self.limits.max_head_bytes:
            status = 414 if line_bytes > self.limits.max_head_bytes else 431
            await self._refuse(sock, conn, method, "-", status, _framing_problem(None, status))
            return False
        names = {name.lower() for name, _ in headers}
        if "content-length" in names and "transfer-encoding" in names:
            await self._refuse(
                sock,
                conn,
                method,
                target,
                400,
                "both Content-Length and Transfer-Encoding: the body's length is ambiguous",
            )
            return False
        length = _content_length(headers)
        if length is not None and length > self.limits.max_body_bytes:
            await self._refuse(
                sock,
                conn,
                method,
                target,
                413,
                f"a body of {length:,} bytes; API Gateway takes at most {self.limits.max_body_bytes:,}",
            )
            return False
        # -- the body
        if conn.they_are_waiting_for_100_continue:
            await self._send(sock, conn, h11.InformationalResponse(status_code=100, headers=[]))
        body = bytearray()
        try:
            async with asyncio.timeout(self.limits.body_timeout_s):
                while True:
                    event = await self._next_event(sock, conn)
                    if isinstance(event, h11.Data):
                        body += event.data
                        if len(body) > self.limits.max_body_bytes:
                            await self._refuse(
                                sock,
                                conn,
                                method,
                                target,
                                413,
                                f"a chunked body over {self.limits.max_body_bytes:,} bytes",
                            )
                            return False
                    elif isinstance(event, h11.EndOfMessage):
                        break
                    else:
                        return False  # the client closed mid-body: nothing is invoked
        except TimeoutError:
            await self._refuse(sock, conn, method, target, 408, "the body did not arrive in time")
            return False
        except h11.RemoteProtocolError as error:
            if _peer_closed(conn):
                return False  # the client closed mid-body: nothing is invoked
            await self._refuse(sock, conn, method, target, 400, _framing_problem(error, 400))
            return False
        # -- received whole: hand it on
        parts = urlsplit(target)
        received = HttpRequest(
            method=method,
            path=parts.path or "/",
            query=parts.query,
            headers=headers,
            body=bytes(body),
            source_ip=client_ip,
        )
        self.handed_on += 1
        response = await self._in_thread(loop, received)
        await self._answer(sock, conn, method, response)
        return True

    async def _first_byte(self, sock: socket.socket, conn: h11.Connection) -> bool:
        """Wait up to keep_alive_s for the next request to begin; False if the client
        closed or stayed idle (the connection is then closed quietly).

        It waits for the socket to be readable and only then reads: a read cancelled by
        the timer could lose a request that arrived just as the timer fired."""
        if conn.trailing_data[0]:
            return True  # pipelined: it is here already
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.keep_alive_s
        while True:
            readable = loop.create_future()
            loop.add_reader(sock.fileno(), _settle_once, readable)
            try:
                await asyncio.wait({readable}, timeout=max(0.0, deadline - loop.time()))
            finally:
                loop.remove_reader(sock.fileno())
            try:
                data = sock.recv(_RECEIVE_BYTES)  # a last look even when the timer won
            except BlockingIOError:
                if loop.time() >= deadline:
                    return False
                continue
            conn.receive_data(data)
            return bool(data)

    async def _next_event(
        self, sock: socket.socket, conn: h11.Connection
    ) -> h11.Event | type[h11.PAUSED]:
        loop = asyncio.get_running_loop()
        while True:
            event = conn.next_event()
            if event is not h11.NEED_DATA:
                return event  # type: ignore[return-value]  # h11's union keeps NEED_DATA after the test
            conn.receive_data(await loop.sock_recv(sock, _RECEIVE_BYTES))

    async def _in_thread(
        self, loop: asyncio.AbstractEventLoop, request: HttpRequest
    ) -> HttpResponse:
        """Run the handler on a daemon thread of its own (bounded by max_connections):
        a function stuck at shutdown must not keep the process alive."""
        done: asyncio.Future[HttpResponse] = loop.create_future()

        def settle(response: HttpResponse | None, error: BaseException | None) -> None:
            if done.done():
                return  # the connection was closed while the handler ran
            if error is not None:
                done.set_exception(error)
            else:
                assert response is not None
                done.set_result(response)

        def work() -> None:
            response: HttpResponse | None = None
            error: BaseException | None = None
            try:
                response = self.handle(request)
            except Exception as caught:
                error = caught
            # A closed loop means the server stopped while this ran: nobody waits for the answer.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(settle, response, error)

        threading.Thread(target=work, name="offline-request", daemon=True).start()
        try:
            return await done
        except Exception as error:
            problem = f"the server failed: {type(error).__name__}: {error}"
            return _json(500, "Internal server error", problem)

    # -- answering -------------------------------------------------------------------------------

    async def _answer(
        self, sock: socket.socket, conn: h11.Connection, method: str, response: HttpResponse
    ) -> None:
        headers = [
            (name, value)
            for name, value in response.headers
            if name.lower() not in ("content-length", "connection", "transfer-encoding", "date")
        ]
        try:
            head = _response(response.status, headers, len(response.body))
        except h11.LocalProtocolError as error:
            # A header h11 refuses (a newline in a value, a bad name): never sent half-made.
            response = _json(502, "Internal server error", f"the function's headers: {error}")
            head = _response(response.status, response.headers, len(response.body))
        async with asyncio.timeout(self.limits.body_timeout_s):
            await self._send(sock, conn, head)
            if method != "HEAD" and response.body:
                await self._send(sock, conn, h11.Data(data=response.body))
            await self._send(sock, conn, h11.EndOfMessage())

    async def _refuse(
        self,
        sock: socket.socket,
        conn: h11.Connection,
        method: str,
        target: str,
        status: int,
        problem: str,
    ) -> None:
        if self.on_refused is not None:
            self.on_refused(Refusal(method=method, target=target, status=status, problem=problem))
        response = _json(status, _MESSAGES.get(status, HTTPStatus(status).phrase), problem)
        head = _response(status, [*response.headers, ("Connection", "close")], len(response.body))
        data = head_bytes = b""
        try:
            if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                head_bytes = conn.send(head) or b""
                data = (conn.send(h11.Data(data=response.body)) or b"") + (
                    conn.send(h11.EndOfMessage()) or b""
                )
        except h11.LocalProtocolError:
            # h11 is in its error state (it saw garbage): write the answer without it.
            head_bytes, data = _raw_response(status, response)
        loop = asyncio.get_running_loop()
        with contextlib.suppress(OSError, TimeoutError):
            async with asyncio.timeout(self.limits.body_timeout_s):
                await loop.sock_sendall(sock, head_bytes + data)
            # Read (and drop) what the client is still sending, so that closing the
            # socket does not reset the connection before the client reads the answer.
            sock.shutdown(socket.SHUT_WR)
            async with asyncio.timeout(_LINGER_S):
                while await loop.sock_recv(sock, _RECEIVE_BYTES):
                    pass

    async def _send(self, sock: socket.socket, conn: h11.Connection, event: h11.Event) -> None:
        data = conn.send(event)
        if data:
            await asyncio.get_running_loop().sock_sendall(sock, data)


def _settle_once(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _response(status: int, headers: list[tuple[str, str]], length: int) -> h11.Response:
    return h11.Response(
        status_code=status,
        headers=[
            *headers,
            ("Content-Length", str(length)),
            ("Date", formatdate(usegmt=True)),
        ],
        reason=_reason(status),
    )


def _raw_response(status: int, response: HttpResponse) -> tuple[bytes, bytes]:
    lines = [f"HTTP/1.1 {status} {_reason(status)}"]
    lines += [f"{name}: {value}" for name, value in response.headers]
    lines += [f"Content-Length: {len(response.body)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1"), response.body


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _json(status: int, message: str, problem: str) -> HttpResponse:
    return HttpResponse(
        status=status,
        headers=[("Content-Type", "application/json")],
        body=json.dumps({"message": message}).encode(),
        problem=problem,
    )


def _content_length(headers: list[tuple[str, str]]) -> int | None:
    """The declared body length (h11 has checked it is one well-formed number)."""
    for name, value in headers:
        if name.lower() == "content-length":
            return int(value.split(",")[0])
    return None


def _peer_closed(conn: h11.Connection) -> bool:
    return conn.trailing_data[1]


def _framing_problem(error: h11.RemoteProtocolError | None, status: int) -> str:
    if status == 414:
        return (
            "the request line is longer than API Gateway's 10,240-byte limit for line and headers"
        )
    if status == 431:
        return "the request line and headers exceed API Gateway's 10,240-byte limit"
    return f"malformed request: {error}"
