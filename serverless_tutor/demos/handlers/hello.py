"""GET /hello?name=Ada through API Gateway (REST API, Lambda proxy integration)."""

import json


def lambda_handler(event, context):
    # A request without a query string carries None here, not {}.
    query = event.get("queryStringParameters") or {}
    name = query.get("name", "World")
    print(f"{event['httpMethod']} {event['path']} name={name}")

    greeting = {"message": f"Hello, {name}!", "requestId": context.aws_request_id}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(greeting),  # the proxy response body must be a string
    }
