"""HttpFront.close() while a connection is waiting to be accepted: asyncio must stop
watching the listener before it is closed, or its accept callback runs on a closed socket
and the loop reports an error (seen as a traceback when `offline` stopped on SIGTERM)."""

from __future__ import annotations

import asyncio
import socket

from serverless_tutor.cloud.apigateway import HttpResponse
from serverless_tutor.cloud.http_front import HttpFront


def test_close_with_a_connection_waiting_to_be_accepted_reports_no_loop_error():
    errors: list[dict] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, context: errors.append(context))
        front = HttpFront(lambda request: HttpResponse(status=200), host="127.0.0.1", port=0)
        serving = asyncio.create_task(front.serve())
        await asyncio.sleep(0)  # serve() now waits for a connection
        client = socket.create_connection((front.host, front.port))  # the listener is readable
        # close() starts before the loop's next look at the listener, in the same round as
        # the accept callback it finds ready: the order offline's SIGTERM can meet.
        closing = asyncio.create_task(front.close())
        await asyncio.wait([closing, serving], timeout=5)
        await asyncio.sleep(0.05)  # any callback left over runs now
        client.close()

    asyncio.run(main())
    assert errors == []


def test_clients_that_reset_before_they_are_accepted_do_not_stop_accepting():
    """A hostile client opens connections and resets them at once (RST, SO_LINGER 0), a
    hundred times; the front keeps accepting and answers the next honest request."""
    import struct

    async def main() -> bytes:
        front = HttpFront(
            lambda request: HttpResponse(status=200, body=b"ok"), host="127.0.0.1", port=0
        )
        serving = asyncio.create_task(front.serve())
        loop = asyncio.get_running_loop()

        def attack_then_ask() -> bytes:
            for _ in range(100):
                sock = socket.create_connection((front.host, front.port))
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()
            with socket.create_connection((front.host, front.port), timeout=5) as honest:
                honest.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                answer = b""
                while chunk := honest.recv(4096):
                    answer += chunk
                return answer

        try:
            return await loop.run_in_executor(None, attack_then_ask)
        finally:
            await front.close()
            await asyncio.wait([serving], timeout=5)

    answer = asyncio.run(main())
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"ok")
