"""Checks for context-info; they run in the grading process, never in the sandbox."""


def remaining_time_is_plausible(run):
    timeout_ms = int(run.timeout_s * 1000)
    for invocation in run.invocations:
        remaining = invocation.response.get("remainingMs")
        if isinstance(remaining, bool) or not isinstance(remaining, int):
            return (
                f"remainingMs should be an integer number of milliseconds, but it is {remaining!r}"
            )
        if not 0 < remaining <= timeout_ms:
            return (
                f"remainingMs should be between 1 and the {timeout_ms} ms timeout, but it is {remaining}; "
                "call context.get_remaining_time_in_millis() during the invocation"
            )
    return None


def logs_request_id(run):
    for invocation in run.invocations:
        wanted = f"Request ID: {invocation.request_id}"
        if wanted not in invocation.logs:
            return f"the log should contain the line {wanted!r}; print it from the handler"
    return None
