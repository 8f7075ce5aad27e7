"""Checks for time-budget; they run in the grading process, never in the sandbox."""


def split_in_order(run):
    for invocation in run.invocations:
        response = invocation.response
        if (
            not isinstance(response, dict)
            or not isinstance(response.get("processed"), list)
            or not isinstance(response.get("remaining"), list)
        ):
            return f'the handler should return {{"processed": [...], "remaining": [...]}}, but it returned {response!r}'
        processed, remaining = response["processed"], response["remaining"]
        items = run.test.event.build()["items"]
        if processed + remaining != items:
            return "processed + remaining should be the original list, in order"
        if not processed:
            return "nothing was processed: there is time for several items before the margin is reached"
        if not remaining:
            return (
                "a list this long cannot fit in 1 second; some items should be left in 'remaining'"
            )
    return None
