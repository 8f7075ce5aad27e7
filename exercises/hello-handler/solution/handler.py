"""Reference solution for hello-handler."""

import json
from datetime import UTC, datetime


def lambda_handler(event, context):
    # API Gateway sends null (None) when the URL has no query string at all.
    params = event.get("queryStringParameters") or {}
    name = params.get("name") or "World"
    return {
        "statusCode": 200,
        "headers": {
            "Content-Type": "application/json",
            "Access-Control-Allow-Origin": "*",
        },
        "body": json.dumps(
            {
                "message": f"Hello, {name}!",
                "timestamp": datetime.now(UTC).isoformat(),
            }
        ),
    }
