"""HttpFront.close() while a connection is waiting to be accepted: asyncio must stop
watching the listener before it is closed, or its accept callback runs on a closed socket
and the loop reports an error (seen as a traceback when `offline` stopped on SIGTERM)."""

from __future__ import annotations

import asyncio
import socket

from serverless_tutor.cloud.http_front import HttpFront, HttpResponse


def test_close_with_a_connection_waiting_to_be_accepted_reports_no_loop_error():
    errors: list[dict] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, context: errors.append(context))
        front = HttpFront(lambda request: HttpResponse(200, [], b""), host="127.0.0.1", port=0)
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
