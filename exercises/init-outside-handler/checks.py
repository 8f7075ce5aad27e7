"""Checks for init-outside-handler; they run in the grading process, never in the sandbox.

With endpoint discovery on, every new DynamoDB client makes one DescribeEndpoints
call before its first request, so the trace of forwarded calls shows how many
clients each execution environment created. The source is also read (not run)
to see where the client is created: at module level it is created during INIT.
"""

import ast

CREATORS = {"client", "resource"}


def client_created_during_init(run):
    environment_of = {
        invocation.request_id: invocation.environment_id for invocation in run.invocations
    }
    environments = set(environment_of.values())
    lookups = run.calls_to("dynamodb", "DescribeEndpoints")
    if not run.calls_to("dynamodb", "GetItem") and not run.calls_to("dynamodb", "Query"):
        return "the handler made no DynamoDB read; it should get the settings item from the table"
    per_environment = {}
    for call in lookups:
        key = environment_of.get(call.request_id, "INIT")
        per_environment[key] = per_environment.get(key, 0) + 1
    if len(lookups) > len(environments):
        return (
            f"boto3 created {len(lookups)} DynamoDB clients for {len(run.invocations)} invocations in "
            f"{len(environments)} execution environment(s): a new client on every call. Create the resource "
            "once at module level, outside the handler, so warm invocations reuse it."
        )
    inside = creations_reachable_from_handler(run.source, run.handler_function)
    if inside:
        where = ", ".join(f"line {line} in {function}()" for function, line in inside)
        return (
            f"the client is created inside a function that the handler calls ({where}), so it is made on the "
            "first invocation rather than during INIT. Create it at the top level of the module."
        )
    if "endpoint_discovery" in run.source:
        return "leave endpoint discovery as the function is configured; the grader counts clients with it"
    return None


def creations_reachable_from_handler(source, handler_name):
    """(function, line) of boto3 client/resource creations in the handler or the functions it calls by name."""
    tree = ast.parse(source)
    functions = {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    reachable, pending = set(), [handler_name]
    while pending:
        name = pending.pop()
        if name in reachable or name not in functions:
            continue
        reachable.add(name)
        for node in ast.walk(functions[name]):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                pending.append(node.func.id)
    found = []
    for name in sorted(reachable):
        for node in ast.walk(functions[name]):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CREATORS
            ):
                found.append((name, node.lineno))
    return found
