"""The local AWS account: moto's backends served in-process, with a call trace.

Every AWS call a handler makes reaches `LocalAccount.handle` as a ForwardedRequest
(method, URL, headers, body). We hand it to moto's botocore stubber, which routes it
to the same backends, by the same URL tables, as `mock_aws` does for boto3's calls,
without any TCP. The tutor's own calls (deploying a serverless.yml, tests) go through
`account.client(service)`, whose botocore `before-send` hook takes the same path,
so they are traced too.

Isolation: moto keys every backend by account id, and reads the id from the
`x-moto-account-id` request header. Each LocalAccount gets its own
12-digit id and stamps it on every request, so two accounts never share a table.

Handlers are untrusted: `handle` serves their calls only through the bridge
(bridge.py: AWS endpoints of this region, allowed services and operations, no
admin routes, no other account), under containment (containment.py: moto may not
connect, spawn or write a file meanwhile), and whatever goes wrong becomes an
AWS-shaped error for that call, never an exception in the parent. Deliveries
that would leave the account (SNS http/https/email/sms) land in the outbox.

Thread safety: moto's backends are not thread-safe, so one lock serializes the
calls; listeners and trace subscribers run after the lock is released (a
listener may invoke a function whose handler calls back into the account).
"""

from __future__ import annotations

import inspect
import io
import itertools
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from serverless_tutor.cloud import bridge, containment, iam, outbox
from serverless_tutor.cloud.faults import FaultInjector, FaultyRequestHandler
from serverless_tutor.cloud.trace import Outcome, Trace, TraceEntry
from serverless_tutor.runtime.forwarding import ForwardedRequest, ForwardedResponse

_ACCOUNT_IDS = itertools.count(100000000001)
_MOTO_LOCK = threading.RLock()
# One boto3 session for every account's clients: botocore then reads and decodes each
# service's JSON model once per process, not once per client (a fresh Session per
# client paid that again, about half of a client's cost). Each client still gets its
# own copy of the event hooks, so one account's before-send never reaches another's.
# boto3 sessions are not thread-safe: clients are made under the lock.
_SESSION_LOCK = threading.Lock()
_SESSION: Any = None

FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

# Error code AWS returns for an IAM denial, per service (default AccessDeniedException).
_DENIED_CODE = {
    "s3": "AccessDenied",
    "sns": "AuthorizationError",
    "sqs": "AccessDenied",
    "ses": "AccessDenied",
}


@dataclass
class Permissions:
    """A function's execution role, as the account enforces it."""

    role_arn: str
    statements: list[iam.Statement]


@dataclass
class CompletedCall:
    """What listeners (the event router) receive after each call: full params and the response."""

    entry: TraceEntry
    params: dict[str, Any]
    status: int
    headers: dict[str, str]
    body: bytes
    account: LocalAccount = field(repr=False)

    @cached_property
    def response(self) -> dict[str, Any]:
        """The response parsed as boto3 would return it ({} when it cannot be parsed)."""
        return _parse_response(
            self.entry.service, self.entry.operation, self.status, self.headers, self.body
        )


CallListener = Callable[[CompletedCall], None]


class LocalAccount:
    """One local AWS account: moto backends isolated by account id, plus a trace."""

    def __init__(
        self, region: str = "us-east-1", *, enforce_iam: bool = True, account_id: str | None = None
    ):
        self.region = region
        self.account_id = account_id or f"{next(_ACCOUNT_IDS):012d}"
        self.trace = Trace()
        self.enforce_iam = enforce_iam
        self._permissions: dict[str, Permissions] = {}
        self._listeners: list[CallListener] = []
        self._clients: dict[tuple[str, str | None, bool], Any] = {}
        self._clients_lock = threading.Lock()
        outbox.install()

    # -- the two doors in ----------------------------------------------------------

    def handle(self, request: ForwardedRequest) -> ForwardedResponse:
        """Serve one forwarded botocore request (the runtime's RequestHandler).

        The request comes from a handler, so it passes the bridge first; nothing
        in it can raise here: a refusal or a failure is an AWS error for the call.
        """
        try:
            status, headers, body = self._handle(request)
        except Exception as error:  # the parent outlives any request; the handler gets a 500
            sys.stderr.write(
                f"serverless-tutor: a forwarded call from {request.function_name!r} failed in the "
                f"local account ({type(error).__name__}: {error})\n"
            )
            status, headers, body = aws_error_response(
                None, "InternalFailure", "the local account failed to serve this call", status=500
            )
        return ForwardedResponse(status_code=status, headers=headers, body=body)

    def _handle(self, request: ForwardedRequest) -> tuple[int, dict[str, str], bytes]:
        if "MOTO_ACCOUNT_ID" in os.environ:
            # moto would then serve every account from one: no submission would be alone.
            return aws_error_response(
                None,
                "InternalFailure",
                "MOTO_ACCOUNT_ID is set in the tutor's environment; unset it to serve handlers",
                status=500,
            )
        screened = bridge.screen(
            request,
            region=self.region,
            account_id=self.account_id,
            bucket_owner=_bucket_owner,
            describe=describe_request,
        )
        if isinstance(screened, bridge.Refusal):
            self._record_refusal(request, screened)
            service = screened.service
            if service is None and any(k.lower() == "x-amz-target" for k in request.headers):
                service = "dynamodb"  # a JSON-protocol client: answer in JSON it can read
            return aws_error_response(
                service, screened.code, screened.message, status=screened.status
            )
        return self.serve(
            screened.method,
            screened.url,
            screened.headers,
            screened.body,
            function_name=request.function_name,
            request_id=request.request_id,
            described=(screened.service, screened.operation, screened.params),
        )

    def _record_refusal(self, request: ForwardedRequest, refusal: bridge.Refusal) -> None:
        self.trace.record(
            TraceEntry(
                time=datetime.now(UTC),
                function_name=request.function_name,
                request_id=request.request_id,
                service=refusal.service or "unknown",
                operation=refusal.operation,
                params={"url": summarize(request.url[:300])},
                outcome="denied",
                error_code=refusal.code,
                latency_ms=0.0,
                http_status=refusal.status,
            )
        )

    def with_faults(self, injector: FaultInjector) -> FaultyRequestHandler:
        """This account's RequestHandler with a fault plan in front of it."""
        return FaultyRequestHandler(self.handle, injector, self.call_target, self.error_reply)

    def call_target(self, request: ForwardedRequest) -> tuple[str, str, str]:
        """(service, action, resource ARN) of a forwarded call, as IAM and fault plans see it."""
        try:
            service, operation, params = describe_request(
                request.method, request.url, request.headers, request.body
            )
        except Exception:  # garbage is the bridge's to refuse; a fault plan just does not match it
            return "unknown", "Unknown", "*"
        resource = iam.resource_arn(service, operation, params, self.region, self.account_id)
        return service, operation, resource or "*"

    def error_reply(
        self, service: str, code: str, message: str, status: int
    ) -> tuple[int, dict[str, str], bytes]:
        """An AWS error in the wire format of `service`, as botocore parses it."""
        return aws_error_response(service, code, message, status=status)

    def client(
        self, service_name: str, *, function_name: str | None = None, internal: bool = False
    ) -> Any:
        """A boto3 client served by this account (cached per service and caller).

        `function_name` makes the calls as that function (IAM-checked, traced under
        its name). `internal` calls are the platform's own bookkeeping (the event
        router polling a queue, as the Lambda service would): not traced, no listeners.
        """
        key = (service_name, function_name, internal)
        with self._clients_lock:
            if key not in self._clients:
                self._clients[key] = self._make_client(service_name, function_name, internal)
            return self._clients[key]

    # -- permissions -----------------------------------------------------------------

    def set_permissions(
        self, function_name: str, statements: list[iam.Statement], role_name: str | None = None
    ) -> None:
        role = role_name or f"{function_name}-role"
        self._permissions[function_name] = Permissions(
            role_arn=f"arn:aws:sts::{self.account_id}:assumed-role/{role}/{function_name}",
            statements=statements,
        )

    def permissions(self, function_name: str) -> Permissions | None:
        return self._permissions.get(function_name)

    def check(
        self, function_name: str | None, service: str, operation: str, params: dict[str, Any]
    ) -> iam.Decision:
        """Would this call be allowed? Calls from functions without a registered role are allowed."""
        if not self.enforce_iam or function_name is None or function_name not in self._permissions:
            return iam.Decision(allowed=True)
        needed = iam.required_permissions(service, operation, params, self.region, self.account_id)
        return iam.evaluate(self._permissions[function_name].statements, needed)

    # -- listeners and lifecycle -----------------------------------------------------

    def add_listener(self, listener: CallListener) -> Callable[[], None]:
        """Call `listener(call)` after every served call (the event router uses this)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def reset(self) -> None:
        """Drop every resource in this account (other accounts are untouched) and clear the trace."""
        from moto.core.base_backend import BackendDict

        with _MOTO_LOCK:
            # BackendDict keeps a registry of every service backend in use; each is keyed by account id.
            for backends in list(BackendDict._instances):  # type: ignore[misc]  # moto's registry, untyped generic
                if self.account_id in backends:
                    backends[self.account_id].reset()
                    del backends[self.account_id]
            # S3 bucket names are global in moto: forget the ones this account owned. While
            # moto's S3 models are not imported no bucket exists, and a check that never
            # touches S3 need not import them.
            s3_models = sys.modules.get("moto.s3.models")
            if s3_models is not None:
                bucket_accounts = s3_models.s3_backends.bucket_accounts
                for name, (_, owner) in list(bucket_accounts.items()):
                    if owner == self.account_id:
                        bucket_accounts.pop(name, None)
        outbox.clear(self.account_id)
        self.trace.clear()

    def outbox(self) -> list[outbox.OutboxMessage]:
        """Deliveries this account recorded instead of sending (SNS http/https/email/sms/...)."""
        return outbox.messages(self.account_id)

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"

    def backend(self, service: str) -> Any:
        """moto's backend object for this account and region (e.g. "ses" for the sent-mail outbox)."""
        from moto.backends import get_backend

        return get_backend(service)[self.account_id][self.region]  # type: ignore[call-overload]  # moto types each name as a Literal

    def sent_emails(self) -> list[dict[str, Any]]:
        """The SES outbox: every message sent from this account."""
        found = []
        for message in self.backend("ses").sent_messages:
            found.append(
                {
                    "source": getattr(message, "source", None),
                    "destinations": getattr(message, "destinations", None),
                    "subject": getattr(message, "subject", None),
                    "body": getattr(message, "body", None),
                }
            )
        return found

    # -- serving ---------------------------------------------------------------------

    def serve(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes,
        *,
        function_name: str | None = None,
        request_id: str | None = None,
        described: tuple[str, str, dict[str, Any]] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """Serve a call. `described` (service, operation, params) marks a screened handler call."""
        started = time.perf_counter()
        when = datetime.now(UTC)
        untrusted = described is not None
        service, operation, params = described or describe_request(method, url, headers, body)
        decision = self.check(function_name, service, operation, params)
        if not decision.allowed:
            principal = self._permissions[function_name].role_arn  # type: ignore[index]
            code = _DENIED_CODE.get(service, "AccessDeniedException")
            status, out_headers, out_body = aws_error_response(
                service, code, decision.message(principal)
            )
            outcome: Outcome = "denied"
            error_code: str | None = code
        else:
            headers = {k: v for k, v in headers.items() if k.lower() != "x-moto-account-id"}
            headers["x-moto-account-id"] = self.account_id
            status, out_headers, out_body = _call_moto(
                service, method, url, headers, body, untrusted=untrusted
            )
            outcome = "ok" if status < 300 else "error"
            error_code = None if status < 300 else _error_code(out_headers, out_body)
        entry = TraceEntry(
            time=when,
            function_name=function_name,
            request_id=request_id,
            service=service,
            operation=operation,
            params=summarize(params),
            outcome=outcome,
            error_code=error_code,
            latency_ms=(time.perf_counter() - started) * 1000,
            resource=iam.resource_arn(service, operation, params, self.region, self.account_id),
            http_status=status,
        )
        self.trace.record(entry)
        if self._listeners:
            call = CompletedCall(entry, params, status, out_headers, out_body, self)
            for listener in list(self._listeners):
                listener(call)
        return status, out_headers, out_body

    def _make_client(self, service_name: str, function_name: str | None, internal: bool) -> Any:
        from botocore.awsrequest import AWSResponse
        from botocore.config import Config

        config = Config(
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"max_attempts": 1},
            # No proxies to look up: nothing is sent over a network. Looking them up walks
            # os.environ, which an in-process function's run changes from another thread
            # (KeyError mid-walk).
            proxies={},
        )
        with _SESSION_LOCK:
            client = _boto3_session().client(
                service_name, region_name=self.region, config=config, **FAKE_CREDENTIALS
            )

        def before_send(request: Any, **_: Any) -> AWSResponse:
            body = request.body
            if hasattr(body, "read"):
                body = body.read()
            if isinstance(body, str):
                body = body.encode("utf-8")
            headers = {
                k: v.decode("utf-8") if isinstance(v, bytes) else v
                for k, v in request.headers.items()
            }
            if internal:
                headers["x-moto-account-id"] = self.account_id
                status, out_headers, out_body = _call_moto(
                    None, request.method, request.url, headers, body or b"", untrusted=False
                )
            else:
                status, out_headers, out_body = self.serve(
                    request.method, request.url, headers, body or b"", function_name=function_name
                )
            return AWSResponse(request.url, status, out_headers, _RawBody(out_body))

        client.meta.events.register("before-send", before_send)
        return client


class _RawBody:
    """Just enough of urllib3's response for botocore to read a body we already hold."""

    def __init__(self, data: bytes):
        self._stream = io.BytesIO(data)

    def read(self, amt: int | None = None, **_: Any) -> bytes:
        return self._stream.read(amt) if amt is not None else self._stream.read()

    def stream(self, amt: int = 1024, **_: Any) -> Any:
        while chunk := self._stream.read(amt):
            yield chunk

    def close(self) -> None:
        self._stream.close()


def _call_moto(
    service: str | None,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    untrusted: bool,
) -> tuple[int, dict[str, str], bytes]:
    """moto's answer, or an InternalFailure when moto raises (a handler's call never crashes us)."""
    try:
        with _MOTO_LOCK:
            outbox.install()  # SNS may have been loaded since the last call: wrapped before it serves
            if not untrusted:
                return _call_backend(method, url, headers, body)
            with containment.serving_handler():
                return _call_backend(method, url, headers, body)
    except Exception as error:
        if not untrusted:
            raise
        return aws_error_response(
            service,
            "InternalFailure",
            f"the local account could not serve this call ({type(error).__name__})",
            status=500,
        )


def _bucket_owner(bucket: str) -> str | None:
    """The account that owns an S3 bucket name in moto's global registry (None: nobody)."""
    from moto.s3.models import s3_backends

    owner = s3_backends.bucket_accounts.get(bucket)
    return owner[1] if owner is not None else None


def _call_backend(
    method: str, url: str, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes]:
    """moto's answer to one request, without its Flask server app (which gives the same
    answer 0.7 ms slower per call, and takes 60 ms more to load).

    The backend is chosen by the service the request is signed for, as moto's server
    does (the bridge has checked it against the host), and the handler by that
    backend's own URL table, as `mock_aws` does. Routing by URL alone, as moto's
    botocore stubber does, would hand S3 calls for a bucket named `events` or
    `dynamodb` (events.s3.amazonaws.com) to EventBridge or DynamoDB. Requests whose
    service has no backend of that name fall back to the stubber's own routing."""
    from botocore.awsrequest import AWSPreparedRequest
    from moto.core.botocore_stubber import BotocoreStubber

    parts = urlsplit(url)
    if not parts.path:  # boto3's resources send https://host with no path; AWS reads it as /
        url = urlunsplit(parts._replace(path="/"))
    # The body arrives whole: a Transfer-Encoding header from the caller no longer describes it.
    headers = {k: v for k, v in headers.items() if k.lower() != "transfer-encoding"}
    request = AWSPreparedRequest(method, url, headers, body, stream_output=False)
    answer = _answer_from_backend(request_service(url, headers), request)
    if answer is None:
        answer = BotocoreStubber().process_request(request)
    if answer is None:  # not an AWS endpoint moto knows: the bridge lets none through
        return aws_error_response(None, "UnknownEndpoint", f"no AWS service at {url}", status=404)
    status, out_headers, out_body = answer
    if isinstance(out_body, str):
        out_body = out_body.encode("utf-8")
    return int(status), {str(k): str(v) for k, v in out_headers.items()}, out_body or b""


def _answer_from_backend(service: str, request: Any) -> Any:
    """(status, headers, body) from the handler that `service`'s backend has for the URL; None
    when moto has no backend by that name or its URL table has no match."""
    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.core.base_backend import BackendDict
    from moto.core.exceptions import HTTPException
    from moto.core.request import normalize_request

    try:
        backends: Any = get_backend(service)  # type: ignore[call-overload]  # moto types each name as a Literal
    except (ImportError, AttributeError, KeyError):
        return None
    if isinstance(backends, BackendDict):
        regions = backends[DEFAULT_ACCOUNT_ID]
        backend = regions["us-east-1"] if "us-east-1" in regions else regions["aws"]
    else:
        backend = backends["global"]
    parts = urlsplit(request.url)
    address = f"{parts.scheme}://{parts.netloc}{parts.path}"
    for pattern, handler in backend.urls.items():
        if re.match(pattern, address):
            normalized = normalize_request(request)
            try:
                return handler(normalized, normalized.raw_url, normalized.headers)
            except HTTPException as error:
                return error.code, error.get_headers(), error.get_body()
    return None


# -- understanding a raw request ------------------------------------------------------

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")


def request_service(url: str, headers: dict[str, str]) -> str:
    """The botocore service name a signed request is for."""
    lowered = {k.lower(): v for k, v in headers.items()}
    match = _SCOPE.search(lowered.get("authorization", ""))
    path = urlsplit(url).path
    service = match.group(2) if match else urlsplit(url).netloc.split(".")[0]
    if service == "dynamodb" and lowered.get("x-amz-target", "").startswith("DynamoDBStreams"):
        return "dynamodbstreams"
    if service in ("ses", "email") and path.startswith("/v2/"):
        return "sesv2"
    if service == "email":
        return "ses"
    return service


def describe_request(
    method: str, url: str, headers: dict[str, str], body: bytes
) -> tuple[str, str, dict[str, Any]]:
    """(service, operation, params) of a botocore request, parsed with moto's own request parsers."""
    service = request_service(url, headers)
    try:
        from moto.core.parse import PROTOCOL_PARSERS
        from moto.core.request import Request, determine_request_protocol
        from moto.core.routing import get_service_router
        from moto.core.utils import get_service_model

        request = Request.from_primitives(method, url, headers, body)
        operation_model, uri_params = get_service_router(service).match(request)
        service_model = get_service_model(service)
        protocol = _request_protocol(determine_request_protocol, service_model, request)
        parser = PROTOCOL_PARSERS[protocol](operation_model)
        params = parser.parse(
            {
                "method": request.method,
                "values": request.values,
                "headers": request.headers,
                "body": request.data,
                "url_path": request.path,
                "url_params": uri_params,
            }
        )
        return service, operation_model.name, dict(params)
    except Exception as error:
        return (
            service,
            _fallback_operation(headers, body),
            {"_unparsed": f"{type(error).__name__}: {error}"},
        )


def _request_protocol(determine: Callable[..., str], service_model: Any, request: Any) -> str:
    """moto's protocol detection: moto 5.2.6 takes the request itself (it also reads the
    smithy-protocol header); earlier 5.x releases take its content type."""
    if "request" in inspect.signature(determine).parameters:
        return determine(service_model, request)
    return determine(service_model, request.content_type)


def _fallback_operation(headers: dict[str, str], body: bytes) -> str:
    lowered = {k.lower(): v for k, v in headers.items()}
    if "x-amz-target" in lowered:
        return lowered["x-amz-target"].split(".")[-1]
    match = re.search(rb"(?:^|&)Action=([A-Za-z0-9]+)", body or b"")
    return match.group(1).decode() if match else "Unknown"


def _parse_response(
    service: str, operation: str, status: int, headers: dict[str, str], body: bytes
) -> dict[str, Any]:
    from botocore.awsrequest import HeadersDict
    from botocore.exceptions import UnknownServiceError
    from botocore.model import OperationNotFoundError
    from botocore.parsers import create_parser

    try:
        service_model = _botocore_service_model(service)
        operation_model = service_model.operation_model(operation)
    except (UnknownServiceError, OperationNotFoundError) as error:
        return {"_unparsed": f"{type(error).__name__}: {error}"}
    response_dict: dict[str, Any] = {
        "status_code": status,
        "headers": HeadersDict({k.lower(): v for k, v in headers.items()}),
        "body": io.BytesIO(body) if operation_model.has_streaming_output else body,
    }
    parsed: dict[str, Any] = create_parser(service_model.protocol).parse(
        response_dict, operation_model.output_shape
    )
    return parsed


def _boto3_session() -> Any:
    """The process's one boto3 session (call with _SESSION_LOCK held).

    It is the session moto itself keeps for listing a service's regions whenever it
    creates an account's backend, so botocore's endpoint data (a 1.2 MB JSON file)
    is decoded once per process, not once for moto and once for our clients.
    """
    global _SESSION
    if _SESSION is None:
        from moto.core.base_backend import AccountSpecificBackend

        with _MOTO_LOCK:
            session = AccountSpecificBackend.get_session()
            # moto reads the session under _MOTO_LOCK, our clients under _SESSION_LOCK:
            # the endpoint resolver, created lazily, is created here, before either.
            session.get_available_partitions()
        _SESSION = session
    return _SESSION


_BOTOCORE_MODELS: dict[str, Any] = {}


def _botocore_service_model(service: str) -> Any:
    """botocore's model of a service, from the clients' own session (decoded once per process)."""
    with _SESSION_LOCK:
        if service not in _BOTOCORE_MODELS:
            botocore_session = _boto3_session()._session  # boto3 keeps it private; no accessor
            _BOTOCORE_MODELS[service] = botocore_session.get_service_model(service)
        return _BOTOCORE_MODELS[service]


def _error_code(headers: dict[str, str], body: bytes) -> str | None:
    lowered = {k.lower(): v for k, v in headers.items()}
    if "x-amzn-errortype" in lowered:
        return lowered["x-amzn-errortype"].split(":")[0].split("#")[-1]
    text = body[:4096]
    if text.lstrip().startswith(b"{"):
        try:
            data = json.loads(text)
        except ValueError:
            return None
        kind = data.get("__type") or data.get("code") or data.get("Code")
        return str(kind).split("#")[-1] if kind else None
    match = re.search(rb"<Code>([^<]+)</Code>", text)
    return match.group(1).decode() if match else None


def aws_error_response(
    service: str | None, code: str, message: str, *, status: int | None = None
) -> tuple[int, dict[str, str], bytes]:
    """An error in the wire format of the service's protocol, as botocore expects it.

    `service` None (the call named no service we know): an XML error with the code
    also in the x-amzn-ErrorType header, which every botocore protocol parser reads.
    """
    request_id = f"{time.time_ns():x}"
    if service is None:
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{_xml(code)}</Code>"
            f"<Message>{_xml(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return (
            status or 403,
            {"Content-Type": "text/xml", "x-amzn-RequestId": request_id, "x-amzn-ErrorType": code},
            xml.encode(),
        )
    protocol = _botocore_service_model(service).protocol
    if protocol in ("json", "rest-json"):
        if service in ("dynamodb", "dynamodbstreams") and status in (None, 403):
            status = 400  # DynamoDB answers AccessDeniedException with 400, and botocore expects it
        status = status or 403
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": request_id}
        if service == "sqs":
            headers["x-amzn-query-error"] = f"{code};Sender"
        return (
            status,
            headers,
            json.dumps({"__type": code, "message": message, "Message": message}).encode(),
        )
    if protocol == "query":
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{_xml(message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return (
            status or 403,
            {"Content-Type": "text/xml", "x-amzn-RequestId": request_id},
            xml.encode(),
        )
    xml = f"<Error><Code>{code}</Code><Message>{_xml(message)}</Message><RequestId>{request_id}</RequestId></Error>"
    return (
        status or 403,
        {"Content-Type": "application/xml", "x-amz-request-id": request_id},
        xml.encode(),
    )


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def summarize(value: Any, depth: int = 0) -> Any:
    """Key parameters for the trace: bodies become sizes, long strings and lists are cut."""
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if hasattr(value, "read"):
        return "<stream>"
    if isinstance(value, str):
        return value if len(value) <= 300 else value[:300] + "..."
    if depth >= 6:
        return "..."
    if isinstance(value, dict):
        return {str(k): summarize(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [summarize(v, depth + 1) for v in value[:20]]
        if len(value) > 20:
            items.append(f"... {len(value) - 20} more")
        return items
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(value)
