"""Reference solution for cost-estimator."""

import json
import re
from decimal import ROUND_HALF_UP, Decimal

REQUEST_PRICE_PER_MILLION = Decimal("0.20")
PRICE_PER_GB_SECOND = Decimal("0.0000166667")
CENT = Decimal("0.01")
PARAMETERS = ("requests", "durationMs", "memoryMb")


def _answer(status, payload):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(payload),
    }


def _cents(amount):
    return float(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def lambda_handler(event, context):
    params = event.get("queryStringParameters") or {}
    values = {}
    for name in PARAMETERS:
        text = params.get(name, "")
        # Not str.isdigit(): it accepts "²", which int() then refuses.
        if not re.fullmatch(r"[0-9]+", text) or int(text) == 0:
            return _answer(400, {"error": f"{name} must be a positive whole number"})
        values[name] = Decimal(int(text))

    gb_seconds = values["requests"] * (values["durationMs"] / 1000) * (values["memoryMb"] / 1024)
    request_cost = values["requests"] / 1_000_000 * REQUEST_PRICE_PER_MILLION
    compute_cost = gb_seconds * PRICE_PER_GB_SECOND
    return _answer(
        200,
        {
            "requestCost": _cents(request_cost),
            "computeCost": _cents(compute_cost),
            "total": _cents(request_cost + compute_cost),
        },
    )
