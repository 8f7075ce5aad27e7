"""Exercise cost-estimator: Lambda's monthly bill.

Grade it with:  serverless-tutor check cost-estimator
"""

import json

REQUEST_PRICE_PER_MILLION = 0.20
PRICE_PER_GB_SECOND = 0.0000166667


def lambda_handler(event, context):
    params = event["queryStringParameters"]
    requests = int(params["requests"])
    duration_ms = int(params["durationMs"])
    memory_mb = int(params["memoryMb"])

    request_cost = requests / 1_000_000 * REQUEST_PRICE_PER_MILLION
    compute_cost = requests * duration_ms * memory_mb * PRICE_PER_GB_SECOND  # TODO: units!
    return {
        "statusCode": 200,
        "body": json.dumps(
            {
                "requestCost": round(request_cost, 2),
                "computeCost": round(compute_cost, 2),
                "total": round(request_cost + compute_cost, 2),
            }
        ),
    }
