"""The bridge out of the sandbox: which forwarded calls the parent serves, and in what form.

A handler's boto3 request reaches the parent as a ForwardedRequest: method, URL,
headers and body, every byte chosen by untrusted code. moto's server would serve
far more than AWS APIs from those bytes (its admin API under /moto-api resets every
account, records requests and writes files; its dispatcher picks a backend from
the Authorization header, the account from `x-moto-account-id`). So the parent
serves a call only when `screen` turns it into a canonical request:

- an https URL whose host is an AWS endpoint, in the account's region, of a
  service handlers may use (HANDLER_SERVICES), with no user, port or fragment;
- a path that no decoding turns into moto's admin or metadata routes, or `..`;
- headers rebuilt: Host from the URL, Authorization pinned to that service and
  region, `x-moto-*` and hop-by-hop headers dropped, sizes capped, no CR/LF/NUL;
- an operation that moto's own parser finds in the service's API model, and
  that this service's allow-list admits;
- parameters that name no other account: no ARN, queue URL or bucket of another
  account.

Everything else becomes a Refusal: an AWS-shaped error for that one call. IAM
(the function's own statements) is checked after this, by the account.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict

from serverless_tutor.runtime.forwarding import ForwardedRequest

MAX_URL_CHARS = 16 * 1024
MAX_HEADERS = 100
MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 16 * 1024 * 1024

# Services a handler may call, and the operations each admits (None: every
# operation of the service's API model). The rest of moto (Lambda with Docker,
# EventBridge API destinations, IAM access keys, ...) is out of reach.
HANDLER_SERVICES: dict[str, frozenset[str] | None] = {
    "dynamodb": None,
    "dynamodbstreams": None,
    "s3": None,
    "sqs": None,
    "sns": None,
    "ses": None,
    "sesv2": None,
    "sts": frozenset({"GetCallerIdentity"}),
    "events": frozenset({"PutEvents"}),
}

# Signing name and X-Amz-Target prefix each service's requests must carry.
_SIGNING_NAME = {"dynamodbstreams": "dynamodb", "sesv2": "ses"}
_TARGET_PREFIX = {
    "dynamodb": "DynamoDB_20120810.",
    "dynamodbstreams": "DynamoDBStreams_20120810.",
    "sqs": "AmazonSQS.",
    "events": "AWSEvents.",
}
_HOST_SERVICES = {
    "dynamodb": "dynamodb",
    "streams.dynamodb": "dynamodbstreams",
    "sqs": "sqs",
    "sns": "sns",
    "email": "ses",
    "sts": "sts",
    "events": "events",
}
_BUCKET_LABEL = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
_METHODS = frozenset({"GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"})
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}$")
# Headers the bridge sets itself, or that only make sense on a real connection.
_DROPPED_HEADERS = frozenset(
    {
        "host",
        "authorization",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "upgrade",
        "te",
        "trailer",
        "proxy-authorization",
        "proxy-connection",
        "forwarded",
        "cookie",
        "x-amz-security-token",
        "expect",
    }
)
# moto's dispatcher sends these to its admin API and its instance-metadata stand-in.
_ADMIN_SEGMENT = re.compile(r"(^|/)moto-api(/|$)", re.I)
_ADMIN_START = re.compile(r"^/*(favicon\.ico$|latest/(meta-data|api)(/|$))", re.I)
_TRAVERSAL = re.compile(r"(^|/)\.\.?(/|$)")
_ACCOUNT_IN_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):")
_ACCOUNT_IN_QUEUE_URL = re.compile(r"^https?://[^/]+/(\d{12})(/|$)")


class Refusal(BaseModel):
    """Why the bridge will not serve a call, as the AWS error the handler receives."""

    model_config = ConfigDict(frozen=True)

    status: int
    code: str
    message: str
    service: str | None = None  # the service the call claimed, when it could be told
    operation: str = "Unknown"


class ScreenedRequest(BaseModel):
    """A call the bridge will serve, rebuilt from what was checked."""

    model_config = ConfigDict(frozen=True)

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    service: str
    operation: str
    params: dict[str, Any]


def endpoint_refusal(message: str, service: str | None = None) -> Refusal:
    return Refusal(status=403, code="EndpointNotAllowed", message=message, service=service)


def screen(
    request: ForwardedRequest,
    *,
    region: str,
    account_id: str,
    bucket_owner: Callable[[str], str | None],
    describe: Callable[[str, str, dict[str, str], bytes], tuple[str, str, dict[str, Any]]],
) -> ScreenedRequest | Refusal:
    """The canonical form of a handler's call, or why it is refused.

    `bucket_owner(name)` is the account that owns an S3 bucket (None: no one);
    `describe(method, url, headers, body)` is moto's parse: (service, operation, params).
    """
    method = request.method.upper()
    if method not in _METHODS:
        return Refusal(status=405, code="MethodNotAllowed", message=f"HTTP method {method[:20]!r}")
    if len(request.body) > MAX_BODY_BYTES:
        return Refusal(
            status=413,
            code="RequestEntityTooLarge",
            message=f"request body of {len(request.body):,} bytes; the local account takes at most {MAX_BODY_BYTES:,}",
        )
    url = request.url
    if len(url) > MAX_URL_CHARS or not url.isascii() or re.search(r"[\x00-\x20\x7f\\]", url):
        return endpoint_refusal("the URL is too long or holds characters no AWS endpoint URL has")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return endpoint_refusal(f"the URL cannot be parsed ({error})")
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or parts.username is not None or parts.password is not None:
        return endpoint_refusal("only https URLs without user information reach the local account")
    if port not in (None, 443) or parts.fragment or parts.netloc.lower() != host:
        return endpoint_refusal(f"{parts.netloc!r} is not an AWS endpoint host")
    service = _service_for_host(host, region)
    endpoint_account = re.match(r"^(\d{12})\.ddb\.", host)
    if service == "dynamodb" and endpoint_account and endpoint_account.group(1) != account_id:
        return Refusal(
            status=403,
            code="AccessDenied",
            message=f"the endpoint {host!r} belongs to another account; "
            "a function reaches only its own account",
            service=service,
        )
    if service is None:
        return endpoint_refusal(
            f"{host!r} is not the endpoint of a service handlers may use in {region} "
            f"({', '.join(sorted(HANDLER_SERVICES))})"
        )
    path = parts.path or "/"
    if service == "ses" and path.startswith("/v2/"):
        service = "sesv2"
    for decoded in _decodings(path):
        if _ADMIN_SEGMENT.search(decoded) or _ADMIN_START.search(decoded):
            return Refusal(
                status=403,
                code="AccessDenied",
                message="the local account's admin routes are not AWS APIs and are not served",
                service=service,
            )
        if _TRAVERSAL.search(decoded) or "\x00" in decoded:
            return Refusal(
                status=400,
                code="InvalidURI",
                message="the URL path holds a '.' or '..' segment or a NUL",
                service=service,
            )

    headers = _canonical_headers(request.headers, service, host, region, account_id)
    if isinstance(headers, Refusal):
        return headers

    described_service, operation, params = describe(method, url, headers, request.body)
    if described_service != service:
        return Refusal(
            status=400,
            code="InvalidRequest",
            message=f"the request is for {described_service}, sent to the {service} endpoint",
            service=service,
        )
    if "_unparsed" in params:
        return Refusal(
            status=400,
            code="InvalidAction",
            message=f"not a {service} API call the local account can read ({params['_unparsed'][:200]})",
            service=service,
            operation=operation[:100],
        )
    allowed = HANDLER_SERVICES[service]
    if allowed is not None and operation not in allowed:
        return Refusal(
            status=403,
            code="AccessDenied",
            message=f"{service}:{operation} is not served to handlers (only {', '.join(sorted(allowed))})",
            service=service,
            operation=operation,
        )

    foreign = _foreign_account(service, path, params, account_id, bucket_owner)
    if foreign is not None:
        return Refusal(
            status=403,
            code="AccessDenied",
            message=f"the call names {foreign}, which belongs to another account; "
            "a function reaches only its own account",
            service=service,
            operation=operation,
        )
    return ScreenedRequest(
        method=method,
        url=url,
        headers=headers,
        body=request.body,
        service=service,
        operation=operation,
        params=params,
    )


def _service_for_host(host: str, region: str) -> str | None:
    suffix = f".{region}.amazonaws.com"
    if host.endswith(suffix):
        prefix = host.removesuffix(suffix)
        if prefix in _HOST_SERVICES:
            return _HOST_SERVICES[prefix]
        if re.fullmatch(r"\d{12}\.ddb", prefix):  # botocore's account-based DynamoDB endpoint
            return "dynamodb"
        if prefix == "s3" or re.fullmatch(rf"{_BUCKET_LABEL}\.s3", prefix):
            return "s3"
        return None
    if region == "us-east-1":  # the global endpoints answer for us-east-1
        if host in ("s3.amazonaws.com", "sts.amazonaws.com"):
            return host.split(".")[0]
        if re.fullmatch(rf"{_BUCKET_LABEL}\.s3\.amazonaws\.com", host):
            return "s3"
    return None


def _decodings(path: str) -> Iterator[str]:
    """The path, then each further percent-decoding of it, until decoding changes nothing."""
    seen = path
    yield seen
    for _ in range(4):
        decoded = unquote(seen, errors="replace")
        if decoded == seen:
            return
        seen = decoded
        yield seen


def _canonical_headers(
    headers: dict[str, str], service: str, host: str, region: str, account_id: str
) -> dict[str, str] | Refusal:
    if len(headers) > MAX_HEADERS:
        return Refusal(
            status=400,
            code="RequestHeaderSectionTooLarge",
            message=f"{len(headers)} headers; at most {MAX_HEADERS}",
            service=service,
        )
    size = 0
    kept: dict[str, str] = {}
    lowered_seen: set[str] = set()
    for name, value in headers.items():
        size += len(name) + len(value)
        if size > MAX_HEADER_BYTES:
            return Refusal(
                status=400,
                code="RequestHeaderSectionTooLarge",
                message=f"the headers are larger than {MAX_HEADER_BYTES // 1024} KiB",
                service=service,
            )
        lowered = name.lower()
        if not _HEADER_NAME.match(name) or re.search(r"[\r\n\x00]", value):
            return Refusal(
                status=400,
                code="InvalidRequest",
                message=f"header {name[:40]!r} is not a valid HTTP header",
                service=service,
            )
        if lowered in lowered_seen:
            return Refusal(
                status=400,
                code="InvalidRequest",
                message=f"header {name[:40]!r} is given twice",
                service=service,
            )
        lowered_seen.add(lowered)
        if lowered in _DROPPED_HEADERS or lowered.startswith(("x-moto", "x-forwarded", "proxy-")):
            continue
        kept[name] = value
    target = next((v for k, v in kept.items() if k.lower() == "x-amz-target"), None)
    prefix = _TARGET_PREFIX.get(service)
    if target is not None and (prefix is None or not target.startswith(prefix)):
        return Refusal(
            status=400,
            code="InvalidRequest",
            message=f"X-Amz-Target {target[:80]!r} is not a {service} operation",
            service=service,
        )
    signing = _SIGNING_NAME.get(service, service)
    kept["Host"] = host
    kept["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/{signing}/aws4_request, "
        f"SignedHeaders=host, Signature={'0' * 64}"
    )
    kept["x-moto-account-id"] = account_id
    return kept


def _foreign_account(
    service: str,
    path: str,
    params: dict[str, Any],
    account_id: str,
    bucket_owner: Callable[[str], str | None],
) -> str | None:
    """Something the call names that belongs to another account (None: nothing does)."""
    if service == "sqs":
        for decoded in _decodings(path):
            match = re.match(r"^/(\d{12})(/|$)", decoded)
            if match and match.group(1) != account_id:
                return f"the queue path {decoded[:100]!r}"
    for text in _strings(params):
        for match in _ACCOUNT_IN_ARN.finditer(text):
            if match.group(1) != account_id:
                return f"the ARN {text[:120]!r}"
        queue = _ACCOUNT_IN_QUEUE_URL.match(text)
        if queue and queue.group(1) != account_id:
            return f"the queue URL {text[:120]!r}"
    if service == "s3":
        buckets = [params.get("Bucket")]
        source = params.get("CopySource")
        if isinstance(source, dict):
            buckets.append(source.get("Bucket"))
        elif isinstance(source, str):
            buckets.append(unquote(source).lstrip("/").split("/", 1)[0])
        for bucket in buckets:
            if isinstance(bucket, str) and bucket:
                owner = bucket_owner(bucket)
                if owner is not None and owner != account_id:
                    return f"the bucket {bucket[:63]!r}"
    return None


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 40:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes):
        yield value.decode("utf-8", errors="replace")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key, depth + 1)
            yield from _strings(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, depth + 1)
