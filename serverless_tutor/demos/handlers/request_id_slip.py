"""A bug that crashes every request: the Python context has no request_id."""

import json


def lambda_handler(event, context):
    # The attribute is aws_request_id; this line raises AttributeError.
    print(f"handling request {context.request_id}")
    order = json.loads(event.get("body") or "{}")
    return {"statusCode": 201, "body": json.dumps(order)}
