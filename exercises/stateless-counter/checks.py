"""Checks for stateless-counter; they run in the grading process, never in the sandbox."""


def _counts(run):
    counts = []
    for body in run.bodies():
        if not isinstance(body, dict) or "count" not in body:
            return None, f'every response body should be JSON like {{"count": 3}}; got {body!r}'
        counts.append(body["count"])
    return counts, None


def _stored(run):
    item = run.get_item("counters", {"id": "global"})
    return None if item is None else item.get("count")


def counts_are_one_to_n(run):
    counts, problem = _counts(run)
    if problem:
        return problem
    expected = list(range(1, len(run.invocations) + 1))
    if sorted(counts) != expected:
        return (
            f"{len(run.invocations)} calls should have answered the counts {expected} (in some order), "
            f"but they answered {counts}"
        )
    stored = _stored(run)
    if stored is None:
        return (
            'the count should be kept in the table named by COUNTER_TABLE (item {"id": "global"}, attribute count), '
            "but that item has no count: a module-level variable is lost on every cold start"
        )
    if stored != len(run.invocations):
        return f"after {len(run.invocations)} calls the table should hold count {len(run.invocations)}, but it holds {stored}"
    return None


def counts_continue_from_table(run):
    counts, problem = _counts(run)
    if problem:
        return problem
    if counts != [42, 43]:
        return (
            f"the table held 41 before the test, so two calls should answer 42 then 43, but they answered {counts}; "
            "each cold start begins with fresh module variables"
        )
    return None
