"""Turn a test's declared expectations into messages a beginner can act on.

`failures(run)` returns an empty list when every expectation holds. Each message
says what was expected, what the handler did instead and, where it helps, what to
change. Nothing here trusts the learner's process: responses come from the
runtime, end state from the local account, lifecycle facts from the runtime's
record of environments.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from serverless_tutor.content.exercises import Expectations
from serverless_tutor.grading.matching import mismatch, show
from serverless_tutor.grading.test_run import TestRun
from serverless_tutor.runtime.results import InvocationResult

INIT_ERROR_TYPES = frozenset(
    {
        "Runtime.ImportModuleError",
        "Runtime.HandlerNotFound",
        "Runtime.UserCodeSyntaxError",
        "Runtime.MalformedHandlerName",
        "Runtime.BuiltInModuleConflict",
        "Sandbox.IsolationUnavailable",
    }
)
_FRAME = re.compile(r'File "([^"]+)", line (\d+)')


def failures(run: TestRun) -> list[str]:
    expect = run.test.expect
    found: list[str] = []
    error_problems = _errors(run, expect)
    if error_problems:
        return error_problems
    if expect.error_type is None:
        found += _http(run, expect)
        found += _returns(run, expect)
    found += _tables(run, expect)
    found += _buckets(run, expect)
    found += _queues(run, expect)
    found += _emails(run, expect)
    found += _calls(run, expect)
    found += _lifecycle(run, expect)
    found += _limits(run, expect)
    return found


def _which(run: TestRun, index: int) -> str:
    total = len(run.invocations)
    return "" if total == 1 else f"invocation {index + 1} of {total}: "


# --- errors -------------------------------------------------------------------------


def describe_error(
    invocation: InvocationResult, *, timeout_s: float, memory_mb: int, handler_file: str
) -> str:
    """One paragraph on why an invocation failed, in the learner's terms."""
    error = invocation.error
    status = invocation.report.status
    if error is None:
        return "the invocation failed without an error record"
    if status == "timeout" or error.error_type == "Sandbox.Timedout":
        return (
            f"Your handler did not finish within the function's {timeout_s:g} s timeout, so Lambda stopped it "
            f"({error.error_message.split('Error: ')[-1]}). Look for work that outlasts the timeout: a loop that never ends, or too much of it, or a wait that never returns."
        )
    if status == "out_of_memory" or error.error_type == "Runtime.OutOfMemory":
        return f"Your handler used more than the function's {memory_mb} MB of memory (Runtime.OutOfMemory)."
    if error.error_type == "Sandbox.ProtocolError":
        return (
            "Your code interfered with the Lambda runtime itself (it replaced something the runtime relies on, such as "
            "the json module, or wrote to the runtime's own channel), so the environment was stopped: "
            f"{error.error_message}"
        )
    if status == "crash":
        return (
            f"The execution environment crashed before your handler returned ({error.error_type}: {error.error_message}). "
            "A handler must return its result; sys.exit() or os._exit() ends the process and Lambda reports an error."
        )
    if error.error_type == "Runtime.ImportModuleError":
        return f"Lambda could not import your module: {error.error_message}. Fix the error at the top level of {handler_file}."
    if error.error_type == "Runtime.UserCodeSyntaxError":
        return f"Your file has a syntax error: {error.error_message}"
    if error.error_type == "Runtime.HandlerNotFound":
        return f"{error.error_message}. Define the handler function with exactly that name in {handler_file}."
    where = _where(error.stack_trace, handler_file)
    return f"Your handler raised {error.error_type}: {error.error_message}{where}."


def describe_init_failure(invocation: InvocationResult, *, handler_file: str) -> str:
    """Why the function never got as far as running the handler (INIT failed, or the sandbox refused)."""
    error = invocation.error
    assert error is not None
    if error.error_type in INIT_ERROR_TYPES:
        return describe_error(
            invocation,
            timeout_s=0,
            memory_mb=invocation.report.memory_size_mb,
            handler_file=handler_file,
        )
    prefix = "Lambda could not initialize your function, so no test could run: "
    if invocation.report.status == "timeout":
        return (
            prefix
            + f"the top-level code of {handler_file} did not finish within Lambda's 10 s INIT limit."
        )
    if error.error_type == "Sandbox.ProtocolError":
        return (
            prefix
            + f"the top-level code of {handler_file} interfered with the runtime itself ({error.error_message})."
        )
    if error.error_type in ("Runtime.ExitError", "Runtime.OutOfMemory"):
        return (
            prefix
            + f"the process ended while {handler_file} was being imported ({error.error_type}: "
            f"{error.error_message}). Top-level code must not call sys.exit() or os._exit()."
        )
    where = _where(error.stack_trace, handler_file)
    return (
        prefix
        + f"the top-level code of {handler_file} raised {error.error_type}: {error.error_message}{where}. "
        "Code outside the handler runs once per environment, during INIT."
    )


def _where(stack_trace: list[str], handler_file: str) -> str:
    for frame in reversed(stack_trace):
        match = _FRAME.search(frame)
        if match and match.group(1).endswith(handler_file):
            return f" ({handler_file}, line {match.group(2)})"
    return ""


def _errors(run: TestRun, expect: Expectations) -> list[str]:
    for index, invocation in enumerate(run.invocations):
        error = invocation.error
        if expect.error_type is not None:
            if error is None:
                return [
                    f"{_which(run, index)}the handler should fail with {expect.error_type}, but it returned {show(invocation.response)}"
                ]
            if error.error_type != expect.error_type:
                return [
                    f"{_which(run, index)}the handler should fail with {expect.error_type}, but it failed with "
                    f"{error.error_type}: {error.error_message}"
                ]
        elif error is not None:
            return [
                _which(run, index)
                + describe_error(
                    invocation,
                    timeout_s=run.timeout_s,
                    memory_mb=run.memory_mb,
                    handler_file=run.handler_file,
                )
            ]
    return []


# --- responses ----------------------------------------------------------------------


def _http(run: TestRun, expect: Expectations) -> list[str]:
    if expect.status is None and not expect.headers and expect.body is None:
        return []
    for index, invocation in enumerate(run.invocations):
        which = _which(run, index)
        response = invocation.response
        if not isinstance(response, dict) or "statusCode" not in response:
            return [
                f"{which}API Gateway needs a dict with 'statusCode', 'headers' and 'body'; your handler returned {show(response)}"
            ]
        if expect.status is not None and response.get("statusCode") != expect.status:
            detail = _body_excerpt(response)
            return [
                f"{which}statusCode should be {expect.status}, but it is {show(response.get('statusCode'))}{detail}"
            ]
        if expect.headers:
            headers = response.get("headers") or {}
            if not isinstance(headers, dict):
                return [
                    f"{which}'headers' should be a dict of header names to values, but it is {show(headers)}"
                ]
            lowered = {str(k).lower(): v for k, v in headers.items()}
            for name, value in expect.headers.items():
                if name.lower() not in lowered:
                    return [
                        f"{which}the response has no {name!r} header; add it to 'headers' with the value {value!r}"
                    ]
                if lowered[name.lower()] != value:
                    return [
                        f"{which}the {name!r} header should be {value!r}, but it is {show(lowered[name.lower()])}"
                    ]
        if expect.body is not None:
            body = response.get("body")
            if isinstance(body, dict | list):
                return [
                    f"{which}'body' must be a JSON string, not a {type(body).__name__}: wrap it in json.dumps(...)"
                ]
            if not isinstance(body, str):
                return [f"{which}'body' should be a JSON string, but it is {show(body)}"]
            try:
                parsed = json.loads(body)
            except ValueError:
                return [f"{which}'body' is not valid JSON: {show(body)}"]
            problem = mismatch(
                expect.body, parsed, "body", request_ids=frozenset({invocation.request_id})
            )
            if problem:
                return [which + problem]
    return []


def _body_excerpt(response: dict[str, Any]) -> str:
    body = response.get("body")
    return f" (body: {show(body, 100)})" if body else ""


def _returns(run: TestRun, expect: Expectations) -> list[str]:
    for index, invocation in enumerate(run.invocations):
        which = _which(run, index)
        if expect.returns_none and invocation.response is not None:
            return [
                f"{which}the handler should return nothing (None), but it returned {show(invocation.response)}"
            ]
        if expect.returns is not None:
            problem = mismatch(
                expect.returns,
                invocation.response,
                "response",
                request_ids=frozenset({invocation.request_id}),
            )
            if problem:
                return [which + problem]
    return []


# --- end state ----------------------------------------------------------------------


def _request_ids(run: TestRun) -> frozenset[str]:
    return frozenset(invocation.request_id for invocation in run.invocations)


def _tables(run: TestRun, expect: Expectations) -> list[str]:
    found = []
    for table, wanted in expect.tables.items():
        items = run.table_items(table)
        if wanted.count is not None and len(items) != wanted.count:
            found.append(
                f"table {table!r} should hold {wanted.count} item(s) after the test, but it holds {len(items)}"
                + (f": {show(items, 160)}" if items else "")
            )
            continue
        for item in wanted.items:
            if not any(
                mismatch(item, actual, "", request_ids=_request_ids(run)) is None
                for actual in items
            ):
                closest = _closest(item, items, run)
                found.append(
                    f"table {table!r} has no item matching {show(item)}"
                    + (f"; {closest}" if closest else "")
                )
        if wanted.key is not None:
            actual = run.get_item(table, wanted.key)
            if actual is None:
                found.append(f"table {table!r} has no item with key {show(wanted.key)}")
            else:
                problem = mismatch(wanted.item, actual, "", request_ids=_request_ids(run))
                if problem:
                    found.append(f"in table {table!r}, item {show(wanted.key)}: {problem}")
    return found


def _closest(expected: dict[str, Any], items: list[dict[str, Any]], run: TestRun) -> str:
    """For one item, say which field differs (tables of one item are the common case)."""
    if len(items) != 1:
        return ""
    return mismatch(expected, items[0], "the item", request_ids=_request_ids(run)) or ""


def _buckets(run: TestRun, expect: Expectations) -> list[str]:
    found = []
    for bucket, wanted in expect.buckets.items():
        objects = run.objects(bucket)
        if wanted.count is not None and len(objects) != wanted.count:
            found.append(
                f"bucket {bucket!r} should hold {wanted.count} object(s), but it holds {len(objects)}: {show(sorted(objects))}"
            )
        for key, text in wanted.objects.items():
            if key not in objects:
                found.append(
                    f"bucket {bucket!r} has no object {key!r}; it holds {show(sorted(objects))}"
                )
                continue
            content = objects[key].decode("utf-8", errors="replace")
            if content != text:
                found.append(
                    f"object {key!r} in {bucket!r} should contain {show(text)}, but it contains {show(content)}"
                )
        for key in wanted.absent:
            if key in objects:
                found.append(f"bucket {bucket!r} should not hold {key!r}, but it does")
    return found


def _queues(run: TestRun, expect: Expectations) -> list[str]:
    found = []
    for queue, wanted in expect.queues.items():
        bodies = run.queue_bodies(queue)
        if wanted.count is not None and len(bodies) != wanted.count:
            found.append(
                f"queue {queue!r} should hold {wanted.count} message(s), but it holds {len(bodies)}"
            )
        for body in wanted.bodies:
            if not any(_body_matches(body, actual, run) for actual in bodies):
                found.append(
                    f"queue {queue!r} has no message matching {show(body)}; messages: {show(bodies, 160)}"
                )
    return found


def _body_matches(expected: Any, actual: str, run: TestRun) -> bool:
    if isinstance(expected, str) and expected == actual:
        return True
    try:
        parsed = json.loads(actual)
    except ValueError:
        return False
    return mismatch(expected, parsed, "", request_ids=_request_ids(run)) is None


def _emails(run: TestRun, expect: Expectations) -> list[str]:
    wanted = expect.emails
    if wanted is None:
        return []
    emails = run.emails()
    found = []
    if wanted.count is not None and len(emails) != wanted.count:
        found.append(f"{wanted.count} email(s) should have been sent, but {len(emails)} were")
    for address in wanted.to:
        if not any(address in _addresses(email) for email in emails):
            found.append(f"no email was sent to {address!r}")
    if wanted.subject_contains and not any(
        wanted.subject_contains in (email.get("subject") or "") for email in emails
    ):
        found.append(f"no email has a subject containing {wanted.subject_contains!r}")
    if wanted.body_contains and not any(
        wanted.body_contains in str(email.get("body") or "") for email in emails
    ):
        found.append(f"no email has a body containing {wanted.body_contains!r}")
    return found


def _addresses(email: dict[str, Any]) -> list[str]:
    destinations = email.get("destinations") or {}
    if isinstance(destinations, dict):
        return [
            address
            for key in ("ToAddresses", "CcAddresses", "BccAddresses")
            for address in destinations.get(key, [])
        ]
    return list(destinations)


def _calls(run: TestRun, expect: Expectations) -> list[str]:
    found = []
    for name, bounds in expect.calls.items():
        service, operation = name.split(":")
        count = len(run.calls_to(service, operation))
        what = f"{service} at all" if operation == "*" else f"{service} {operation}"
        if bounds.min is not None and count < bounds.min:
            found.append(
                f"the handler should call {what} at least {bounds.min} time(s), but it called it {count} time(s)"
            )
        if bounds.max is not None and count > bounds.max:
            if bounds.max == 0:
                found.append(
                    f"the handler should not call {what}, but it called it {count} time(s)"
                )
            else:
                found.append(
                    f"the handler should call {what} at most {bounds.max} time(s), but it called it {count} time(s)"
                )
    return found


# --- lifecycle and limits -----------------------------------------------------------


def _lifecycle(run: TestRun, expect: Expectations) -> list[str]:
    wanted = expect.lifecycle
    if wanted is None:
        return []
    cold = sum(1 for invocation in run.invocations if invocation.cold)
    warm = len(run.invocations) - cold
    used = {invocation.environment_id for invocation in run.invocations}
    found = []
    if wanted.cold_starts is not None and cold != wanted.cold_starts:
        found.append(f"there should be {wanted.cold_starts} cold start(s), but there were {cold}")
    if wanted.warm_starts is not None and warm != wanted.warm_starts:
        found.append(f"there should be {wanted.warm_starts} warm start(s), but there were {warm}")
    if wanted.environments is not None and len(used) != wanted.environments:
        found.append(
            f"{wanted.environments} execution environment(s) should have served the test, but {len(used)} did"
        )
    if wanted.init_once_per_environment:
        for environment in run.environments:
            if environment.id in used and environment.init_count != 1:
                found.append(
                    f"INIT should run once per environment, but it ran {environment.init_count} times in {environment.id}"
                )
    return found


def _limits(run: TestRun, expect: Expectations) -> list[str]:
    found = []
    if expect.max_billed_ms is not None:
        for index, invocation in enumerate(run.invocations):
            billed = invocation.report.billed_duration_ms
            if billed > expect.max_billed_ms:
                found.append(
                    f"{_which(run, index)}billed duration was {billed} ms; it should be at most {expect.max_billed_ms} ms"
                )
                break
    if expect.max_cost_usd is not None:
        cost = invocation_cost(run)
        if cost > Decimal(str(expect.max_cost_usd)):
            found.append(
                f"these invocations cost ${cost:.10f}; the ceiling is ${expect.max_cost_usd:.10f}"
            )
    return found


def invocation_cost(run: TestRun) -> Decimal:
    """Requests plus compute for the test's invocations, at the shipped prices (no free tier)."""
    from serverless_tutor.pricing import Workload, monthly_bill

    billed = [invocation.report.billed_duration_ms for invocation in run.invocations]
    workload = Workload(
        requests=len(billed),
        duration_ms=Decimal(max(sum(billed), 1)) / len(billed),
        memory_mb=run.memory_mb,
        architecture=run.architecture,
    )
    return monthly_bill(workload).total
