"""`offline`: the local API Gateway on a real HTTP port (like serverless-offline).

A small threaded HTTP/1.1 server (keep-alive) in front of ApiGateway.handle. It
never prints: each request is reported to `on_request` as a RequestLog, and the
CLI decides how to show it.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel

from serverless_tutor.cloud.apigateway import ApiGateway, HttpRequest

MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


class RequestLog(BaseModel):
    method: str
    path: str
    status: int
    function_name: str | None
    cold: bool | None
    duration_ms: float | None  # the function's own duration (REPORT)
    total_ms: float  # wall time in the server, gateway included
    problem: str | None = None

    def line(self) -> str:
        who = self.function_name or "-"
        state = "" if self.cold is None else ("cold" if self.cold else "warm")
        duration = "" if self.duration_ms is None else f"{self.duration_ms:.1f} ms"
        text = f"{self.method} {self.path} -> {who} {state} {duration} {self.status}".replace(
            "  ", " "
        )
        return f"{text} ({self.problem})" if self.problem else text


class OfflineServer:
    def __init__(
        self,
        api: ApiGateway,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        on_request: Callable[[RequestLog], None] | None = None,
    ):
        self.api = api
        self.on_request = on_request
        handler = _make_handler(self)
        self.httpd = _Server((host, port), handler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def base_url(self) -> str:
        host = self.httpd.server_address[0]
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> None:
        """Serve in a background thread (tests, benchmarks)."""
        self._thread = threading.Thread(target=self.serve_forever, name="offline-http", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join()
            self._thread = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            return  # the client hung up mid-request (load tools do at the end of a run)
        super().handle_error(request, client_address)


def _make_handler(server: OfflineServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "serverless-tutor-offline"
        # Headers and body go out in separate writes; with Nagle's algorithm on, the
        # second waits for the client's delayed ACK (about 40 ms per request).
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            started = time.perf_counter()
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._reply(
                    413, [("Content-Type", "application/json")], b'{"message":"Request Too Long"}'
                )
                return
            body = self.rfile.read(length) if length else b""
            request = HttpRequest(
                method=self.command,
                path=parts.path,
                query=parts.query,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
            )
            response = server.api.handle(request)
            self._reply(response.status, response.headers, response.body)
            if server.on_request is not None:
                server.on_request(
                    RequestLog(
                        method=self.command,
                        path=self.path,
                        status=response.status,
                        function_name=response.function_name,
                        cold=response.cold,
                        duration_ms=response.duration_ms,
                        total_ms=(time.perf_counter() - started) * 1000,
                        problem=response.problem,
                    )
                )

        def _reply(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Silenced: requests are reported through on_request."""

    return Handler
