"""Work that takes longer than the function's 1 second timeout."""

import time


def lambda_handler(event, context):
    print(f"time left at the start: {context.get_remaining_time_in_millis()} ms")
    time.sleep(1.5)  # Lambda stops the function at 1 s; this line never finishes in time
    return {"report": "done"}
