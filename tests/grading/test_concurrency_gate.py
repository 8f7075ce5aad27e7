"""The gate that runs concurrent invocations' AWS calls in lockstep."""

from __future__ import annotations

import threading

from serverless_tutor.grading.gate import ConcurrencyGate
from serverless_tutor.runtime.forwarding import ForwardedRequest, ForwardedResponse


def _request(request_id: str) -> ForwardedRequest:
    return ForwardedRequest(
        function_name="f",
        request_id=request_id,
        method="POST",
        url="https://dynamodb.us-east-1.amazonaws.com/",
        headers={},
        body=b"",
    )


def _call_in_thread(gate: ConcurrencyGate, request_id: str) -> threading.Thread:
    served = gate.wrap(lambda request: ForwardedResponse(status_code=200, headers={}, body=b""))
    thread = threading.Thread(target=served, args=(_request(request_id),), daemon=True)
    thread.start()
    return thread


def test_a_call_is_held_until_every_invocation_has_made_one():
    gate = ConcurrencyGate(timeout_s=60)
    gate.arm(2)
    first = _call_in_thread(gate, "a")
    first.join(timeout=0.2)
    assert first.is_alive(), "released before the second invocation reached a call"
    second = _call_in_thread(gate, "b")
    for thread in (first, second):
        thread.join(timeout=10)
        assert not thread.is_alive()


def test_an_invocation_that_ends_without_a_call_is_not_waited_for():
    gate = ConcurrencyGate(timeout_s=60)  # far longer than the join below: only leave() frees it
    gate.arm(2)
    held = _call_in_thread(gate, "a")
    held.join(timeout=0.2)
    assert held.is_alive()
    gate.leave("b")
    held.join(timeout=10)
    assert not held.is_alive()


def test_leaving_after_a_call_changes_nothing():
    gate = ConcurrencyGate(timeout_s=60)
    gate.arm(3)
    held = _call_in_thread(gate, "a")
    gate.leave("a")  # it made its call: still two to wait for, one of them "b"
    held.join(timeout=0.2)
    assert held.is_alive()
    gate.disarm()
    held.join(timeout=10)
    assert not held.is_alive()


def test_no_invocation_gets_a_second_call_served_before_every_first_call_is():
    """Read, then write, in two invocations: both reads are served before either write,
    even when one invocation's read is slow to serve (the race a grader must show)."""
    gate = ConcurrencyGate(timeout_s=60)
    gate.arm(2)
    served: list[str] = []
    lock = threading.Lock()

    def handle(request: ForwardedRequest) -> ForwardedResponse:
        if request.url.endswith("/read") and request.request_id == "slow":
            threading.Event().wait(0.3)  # this read takes a while to serve
        with lock:
            served.append(f"{request.request_id} {request.url.rsplit('/', 1)[1]}")
        return ForwardedResponse(status_code=200, headers={}, body=b"")

    served_by_gate = gate.wrap(handle)

    def invocation(request_id: str) -> None:
        for step in ("read", "write"):
            served_by_gate(
                ForwardedRequest(
                    function_name="f",
                    request_id=request_id,
                    method="POST",
                    url=f"https://dynamodb.us-east-1.amazonaws.com/{step}",
                )
            )
        gate.leave(request_id)

    threads = [threading.Thread(target=invocation, args=(rid,)) for rid in ("fast", "slow")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
        assert not thread.is_alive()
    assert sorted(served[:2]) == ["fast read", "slow read"]
    assert sorted(served[2:]) == ["fast write", "slow write"]
