"""Exercise hello-handler: answer an API Gateway request with a JSON greeting.

Grade it with:  serverless-tutor check hello-handler
"""

import json


def lambda_handler(event, context):
    # TODO: read the name from the query string (it can be missing, or None).
    name = "World"

    # TODO: add the two headers, and a "timestamp" (ISO 8601) to the body.
    return {
        "statusCode": 200,
        "body": json.dumps({"message": f"Hello, {name}!"}),
    }
