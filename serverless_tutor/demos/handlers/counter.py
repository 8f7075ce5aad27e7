"""Module-level state lives exactly as long as the execution environment."""

import uuid

# INIT: runs once, when Lambda creates this execution environment.
ENVIRONMENT_TAG = uuid.uuid4().hex[:6]
count = 0


def lambda_handler(event, context):
    global count
    count += 1  # survives warm invokes; a new environment starts again at 0
    print(f"environment {ENVIRONMENT_TAG}: request number {count}")
    return {"environment": ENVIRONMENT_TAG, "requests_served_here": count}
