"""Exercise stateless-counter: count calls in a way that survives cold starts.

Grade it with:  serverless-tutor check stateless-counter
"""

import json

count = 0  # lives only as long as this execution environment


def lambda_handler(event, context):
    global count
    count += 1
    return {"statusCode": 200, "body": json.dumps({"count": count})}
