"""Sample events, shaped as the AWS services deliver them (like `sam local generate-event`).

Each generator returns a fresh, complete event. Any field can be overridden by a
dotted path, with list indexes as numbers: `{"Records.0.body": "hello"}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

REGION = "us-east-1"
ACCOUNT = "123456789012"
_TIME = "2026-01-15T12:00:00.000Z"
_EPOCH_MS = 1768478400000  # the same instant as _TIME


class EventPathError(ValueError):
    """A dotted path that does not fit the event (bad index, or a path through a scalar)."""


def _apigateway_rest() -> dict[str, Any]:
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "Host": "abcdef1234.execute-api.us-east-1.amazonaws.com",
        "User-Agent": "curl/8.5.0",
        "X-Amzn-Trace-Id": "Root=1-6787a3c0-0123456789abcdef01234567",
        "X-Forwarded-For": "203.0.113.10",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    return {
        "resource": "/orders/{orderId}",
        "path": "/orders/42",
        "httpMethod": "POST",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {"verbose": "true"},
        "multiValueQueryStringParameters": {"verbose": ["true"]},
        "pathParameters": {"orderId": "42"},
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "abcdef1234",
            "domainName": "abcdef1234.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abcdef1234",
            "extendedRequestId": "Ab1CdEfGhIjKlMn=",
            "httpMethod": "POST",
            "identity": {
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": "203.0.113.10",
                "user": None,
                "userAgent": "curl/8.5.0",
                "userArn": None,
            },
            "path": "/prod/orders/42",
            "protocol": "HTTP/1.1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "15/Jan/2026:12:00:00 +0000",
            "requestTimeEpoch": _EPOCH_MS,
            "resourceId": "a1b2c3",
            "resourcePath": "/orders/{orderId}",
            "stage": "prod",
        },
        "body": '{"item": "book", "quantity": 1}',
        "isBase64Encoded": False,
    }


def _apigateway_http() -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "POST /orders/{orderId}",
        "rawPath": "/orders/42",
        "rawQueryString": "verbose=true",
        "cookies": ["session=abc123"],
        "headers": {
            "accept": "application/json",
            "content-length": "32",
            "content-type": "application/json",
            "host": "abcdef1234.execute-api.us-east-1.amazonaws.com",
            "user-agent": "curl/8.5.0",
            "x-amzn-trace-id": "Root=1-6787a3c0-0123456789abcdef01234567",
            "x-forwarded-for": "203.0.113.10",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
        },
        "queryStringParameters": {"verbose": "true"},
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "abcdef1234",
            "domainName": "abcdef1234.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abcdef1234",
            "http": {
                "method": "POST",
                "path": "/orders/42",
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": "curl/8.5.0",
            },
            "requestId": "Ab1CdEfGhIjKlMn=",
            "routeKey": "POST /orders/{orderId}",
            "stage": "$default",
            "time": "15/Jan/2026:12:00:00 +0000",
            "timeEpoch": _EPOCH_MS,
        },
        "pathParameters": {"orderId": "42"},
        "body": '{"item": "book", "quantity": 1}',
        "isBase64Encoded": False,
    }


def _s3_record(event_name: str) -> dict[str, Any]:
    created = event_name.startswith("ObjectCreated")
    # The key arrives URL-encoded ("photo 1.jpg" -> "photo+1.jpg"); a delete carries no size or eTag.
    obj: dict[str, Any] = {"key": "uploads/photo+1.jpg"}
    if created:
        obj.update({"size": 1024, "eTag": "0123456789abcdef0123456789abcdef"})
    obj.update({"versionId": "", "sequencer": "0065A4B9C8D7E6F5A4"})
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": REGION,
        "eventTime": _TIME,
        "eventName": event_name,
        "userIdentity": {"principalId": "AWS:AIDAEXAMPLEPRINCIPAL"},
        "requestParameters": {"sourceIPAddress": "203.0.113.10"},
        "responseElements": {
            "x-amz-request-id": "C3D13FE58DE4C810",
            "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "on-upload",
            "bucket": {
                "name": "tutor-uploads",
                "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                "arn": "arn:aws:s3:::tutor-uploads",
            },
            "object": obj,
        },
    }


def _s3_put() -> dict[str, Any]:
    return {"Records": [_s3_record("ObjectCreated:Put")]}


def _s3_delete() -> dict[str, Any]:
    return {"Records": [_s3_record("ObjectRemoved:Delete")]}


def _sqs() -> dict[str, Any]:
    body = '{"orderId": "42", "item": "book"}'
    return {
        "Records": [
            {
                "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
                "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": str(_EPOCH_MS),
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": str(_EPOCH_MS + 5),
                },
                "messageAttributes": {},
                "md5OfBody": _md5(body),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders-queue",
                "awsRegion": REGION,
            }
        ]
    }


def _sns() -> dict[str, Any]:
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:order-events"
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                    "TopicArn": topic,
                    "Subject": "OrderCreated",
                    "Message": '{"orderId": "42", "customerId": "c-7"}',
                    "Timestamp": "2026-01-15T12:00:00.000Z",
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
                    "SigningCertUrl": f"https://sns.{REGION}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
                    "UnsubscribeUrl": f"https://sns.{REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topic}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
                    "MessageAttributes": {"eventType": {"Type": "String", "Value": "OrderCreated"}},
                },
            }
        ]
    }


def _dynamodb(event_name: str) -> dict[str, Any]:
    keys = {"orderId": {"S": "42"}}
    new_image = {"orderId": {"S": "42"}, "status": {"S": "PAID"}, "total": {"N": "19.99"}}
    old_image = {"orderId": {"S": "42"}, "status": {"S": "PENDING"}, "total": {"N": "19.99"}}
    record: dict[str, Any] = {
        "ApproximateCreationDateTime": _EPOCH_MS // 1000,
        "Keys": keys,
        "SequenceNumber": {"INSERT": "111", "MODIFY": "222", "REMOVE": "333"}[event_name]
        + "000000000000000000001",
        "SizeBytes": {"INSERT": 59, "MODIFY": 96, "REMOVE": 59}[event_name],
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if event_name in ("INSERT", "MODIFY"):
        record["NewImage"] = new_image if event_name == "MODIFY" else {**old_image}
    if event_name in ("MODIFY", "REMOVE"):
        record["OldImage"] = old_image if event_name == "MODIFY" else {**new_image}
    return {
        "Records": [
            {
                "eventID": {
                    "INSERT": "c4ca4238a0b923820dcc509a6f75849b",
                    "MODIFY": "c81e728d9d4c2f636f067f89cc14862c",
                    "REMOVE": "eccbc87e4b5ce2fe28308fd9f2a7baf3",
                }[event_name],
                "eventName": event_name,
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": REGION,
                "dynamodb": record,
                "eventSourceARN": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders/stream/2026-01-15T12:00:00.000",
            }
        ]
    }


def _eventbridge_scheduled() -> dict[str, Any]:
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": "2026-01-15T12:00:00Z",
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/nightly-report"],
        "detail": {},
    }


def _md5(text: str) -> str:
    import hashlib

    return hashlib.md5(text.encode()).hexdigest()


# source id -> (description, generator)
_GENERATORS: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "apigateway-rest": ("API Gateway REST API (v1) proxy request", _apigateway_rest),
    "apigateway-http": ("API Gateway HTTP API (v2) request", _apigateway_http),
    "s3-put": ("S3 ObjectCreated:Put notification", _s3_put),
    "s3-delete": ("S3 ObjectRemoved:Delete notification", _s3_delete),
    "sqs": ("SQS message batch (one record)", _sqs),
    "sns": ("SNS notification", _sns),
    "dynamodb-insert": ("DynamoDB Streams INSERT record", lambda: _dynamodb("INSERT")),
    "dynamodb-modify": (
        "DynamoDB Streams MODIFY record (new and old images)",
        lambda: _dynamodb("MODIFY"),
    ),
    "dynamodb-remove": ("DynamoDB Streams REMOVE record", lambda: _dynamodb("REMOVE")),
    "eventbridge-scheduled": ("EventBridge scheduled rule", _eventbridge_scheduled),
}

SAMPLE_SOURCES: dict[str, str] = {
    name: description for name, (description, _) in _GENERATORS.items()
}


def sample_event(source: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A fresh sample event for `source`, with `overrides` applied by dotted path."""
    try:
        _, generate = _GENERATORS[source]
    except KeyError:
        raise ValueError(
            f"unknown event source {source!r}; choose one of: {', '.join(SAMPLE_SOURCES)}"
        ) from None
    event = generate()
    for path, value in (overrides or {}).items():
        set_path(event, path, value)
    return event


def set_path(event: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at a dotted path; missing object keys are created, list indexes must exist."""
    parts = path.split(".")
    if not path or any(part == "" for part in parts):
        raise EventPathError(f"{path!r}: empty segment in dotted path")
    node: Any = event
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[: depth + 1])
        if isinstance(node, list):
            if not part.lstrip("-").isdigit():
                raise EventPathError(f"{where}: a list needs a number index, not {part!r}")
            index = int(part)
            if not -len(node) <= index < len(node):
                raise EventPathError(f"{where}: index {index} out of range ({len(node)} items)")
            if last:
                node[index] = value
            else:
                node = node[index]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                if node.get(part) is None:
                    node[part] = {}
                node = node[part]
        else:
            above = ".".join(parts[:depth]) or "(event)"
            raise EventPathError(
                f"{where}: {above} is a {type(node).__name__}, not an object or list"
            )


def get_path(event: Any, path: str) -> Any:
    """The value at a dotted path, or KeyError if the path does not exist."""
    node = event
    for part in path.split("."):
        if (
            isinstance(node, list)
            and part.lstrip("-").isdigit()
            and -len(node) <= int(part) < len(node)
        ):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(path)
    return node


def parse_override(event: dict[str, Any], assignment: str) -> tuple[str, Any]:
    """Parse a CLI `dotted.path=value`. The value's type follows the field it replaces:
    a string field takes the text as is (so a JSON body stays a string); any other
    field, or a new one, takes the value as JSON when it parses and as text otherwise."""
    path, sep, text = assignment.partition("=")
    if not sep or not path:
        raise EventPathError(f"{assignment!r}: expected dotted.path=value")
    try:
        current = get_path(event, path)
    except KeyError:
        current = None
    if isinstance(current, str):
        return path, text
    try:
        return path, json.loads(text)
    except json.JSONDecodeError:
        return path, text
