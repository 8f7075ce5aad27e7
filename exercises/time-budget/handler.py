"""Exercise time-budget: do what fits in the time left, return the rest.

Grade it with:  serverless-tutor check time-budget
"""

import time


def process(item):
    """Stands in for real work on one item (about 50 ms). Do not change it."""
    time.sleep(0.05)


def lambda_handler(event, context):
    processed = []
    for item in event["items"]:
        # TODO: stop when context.get_remaining_time_in_millis() gets low
        process(item)
        processed.append(item)
    return {"processed": processed, "remaining": []}
