"""Reference solution for time-budget."""

import time

SAFETY_MARGIN_MS = 250


def process(item):
    """Stands in for real work on one item (about 50 ms). Do not change it."""
    time.sleep(0.05)


def lambda_handler(event, context):
    items = event["items"]
    done = 0
    while done < len(items) and context.get_remaining_time_in_millis() > SAFETY_MARGIN_MS:
        process(items[done])
        done += 1
    if done < len(items):
        print(
            f"stopping with {context.get_remaining_time_in_millis()} ms left; {len(items) - done} items remain"
        )
    return {"processed": items[:done], "remaining": items[done:]}
