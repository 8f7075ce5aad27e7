"""A local API Gateway: REST API (payload v1) and HTTP API (payload v2) routes.

REST API routes live under the stage, as in AWS (`/dev/orders`); HTTP API routes
use the `$default` stage, so they have no prefix (`/orders`). Path parameters
(`{id}`) and greedy ones (`{proxy+}`) work; literal segments win over parameters.

Lambda proxy responses are checked as API Gateway checks them: a REST API answer
with any key other than statusCode, headers, multiValueHeaders, body and
isBase64Encoded (or a body that is not a string) is a 502 "Malformed Lambda proxy
response"; an HTTP API answer without statusCode is taken as 200 JSON of the value.

CORS: a REST API `cors: true` adds an OPTIONS method answering the preflight; the
function's own responses must still carry Access-Control-Allow-Origin (API Gateway
does not add it to proxy responses). An HTTP API with cors configured answers
preflights itself and adds the headers to every response.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote

from pydantic import BaseModel, Field

from serverless_tutor.cloud import payloads
from serverless_tutor.cloud.routing.functions import FunctionTable
from serverless_tutor.cloud.service_spec import Cors
from serverless_tutor.runtime.events import sample_event
from serverless_tutor.runtime.results import InvocationResult

_V1_RESPONSE_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
API_GATEWAY_TIMEOUT_MS = 29_000


class HttpRequest(BaseModel):
    method: str
    path: str  # as requested, percent-encoded, without the query string
    query: str = ""
    headers: list[tuple[str, str]] = Field(default_factory=list)
    body: bytes = b""
    source_ip: str = "127.0.0.1"


class HttpResponse(BaseModel):
    status: int
    headers: list[tuple[str, str]] = Field(default_factory=list)
    body: bytes = b""
    api: Literal["rest", "http"] | None = None
    route: str | None = None
    function_name: str | None = None
    cold: bool | None = None
    duration_ms: float | None = None
    request_id: str | None = None
    problem: str | None = None  # why API Gateway answered instead of the function (502, 403, ...)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def body_json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Route:
    api: Literal["rest", "http"]
    method: str  # upper case; ANY or * for any
    path: str  # template: /orders/{id}, /{proxy+}; "*" is the HTTP API $default route
    function_name: str
    cors: Cors | None = None
    segments: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.segments = [] if self.path in ("/", "*") else self.path.strip("/").split("/")

    @property
    def route_key(self) -> str:
        if self.path == "*":
            return "$default"
        method = "ANY" if self.method in ("*", "ANY") else self.method
        return f"{method} {self.path}"

    def match(self, segments: list[str]) -> dict[str, str] | None:
        if self.path == "*":
            return {}
        params: dict[str, str] = {}
        for i, template in enumerate(self.segments):
            if template.startswith("{") and template.endswith("+}"):
                if i >= len(segments):
                    return None
                params[template[1:-2]] = "/".join(segments[i:])
                return params
            if i >= len(segments):
                return None
            if template.startswith("{") and template.endswith("}"):
                params[template[1:-1]] = unquote(segments[i])
            elif template != segments[i]:
                return None
        return params if len(segments) == len(self.segments) else None

    def specificity(self) -> tuple[int, ...]:
        """Sort key: literal segments beat parameters, which beat greedy ones and $default."""
        if self.path == "*":
            return (-1,)
        return (
            *tuple(
                2 if not s.startswith("{") else 0 if s.endswith("+}") else 1 for s in self.segments
            ),
            len(self.segments),
        )


class ApiGateway:
    def __init__(self, functions: FunctionTable):
        self.functions = functions
        self.routes: list[Route] = []
        self.stage = "dev"
        self.api_id = uuid.uuid4().hex[:10]
        self.http_api_cors: Cors | None = None

    def add_route(
        self,
        api: Literal["rest", "http"],
        method: str,
        path: str,
        function_name: str,
        cors: Cors | None = None,
    ) -> Route:
        self.functions.get(function_name)
        route = Route(api, method.upper(), path, function_name, cors)
        self.routes.append(route)
        return route

    def urls(self, base: str) -> list[str]:
        """Human-readable list of routes, as `offline` prints them."""
        lines = []
        for route in self.routes:
            if route.api == "rest":
                lines.append(
                    f"{route.method:7} {base}/{self.stage}{route.path}  -> {route.function_name}  (REST API)"
                )
            else:
                path = "/*" if route.path == "*" else route.path
                method = "ANY" if route.method in ("*", "ANY") else route.method
                lines.append(f"{method:7} {base}{path}  -> {route.function_name}  (HTTP API)")
        return lines

    # -- dispatch -------------------------------------------------------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        segments = [s for s in request.path.split("/") if s]
        method = request.method.upper()
        rest_routes = [r for r in self.routes if r.api == "rest"]
        if rest_routes and segments and segments[0] == self.stage:
            response = self._handle_rest(request, method, segments[1:], rest_routes)
            if response is not None:
                return response
        http_routes = [r for r in self.routes if r.api == "http"]
        if http_routes:
            response = self._handle_http(request, method, segments, http_routes)
            if response is not None:
                return response
        return self.no_route(request.path)

    def no_route(self, path: str, problem: str | None = None) -> HttpResponse:
        """What API Gateway answers a request no route takes, as the stack's API type does.

        A REST API answers 403, never 404: "Missing Authentication Token" under its stage,
        "Forbidden" for a path outside any stage (the stage left out of the URL). An HTTP
        API answers 404 "Not Found". Both kinds share one port here, so a path under the
        REST stage is the REST API's, and any other path the HTTP API's when there is one.
        """
        segments = [s for s in path.split("/") if s]
        has_rest = any(route.api == "rest" for route in self.routes)
        has_http = any(route.api == "http" for route in self.routes)
        under_stage = bool(segments) and segments[0] == self.stage
        if has_rest and under_stage:
            return _json_response(
                403,
                {"message": "Missing Authentication Token"},
                api="rest",
                problem=problem or "no REST API route for this method and path",
                extra=[("x-amzn-ErrorType", "MissingAuthenticationTokenException")],
            )
        if has_rest and not has_http:
            return _json_response(
                403,
                {"message": "Forbidden"},
                api="rest",
                problem=problem
                or f"not under the REST API's stage: its URLs start with /{self.stage}/",
                extra=[("x-amzn-ErrorType", "ForbiddenException")],
            )
        return _json_response(
            404,
            {"message": "Not Found"},
            api="http" if has_http else None,
            problem=problem or "no route for this method and path",
        )

    def _best(
        self, routes: list[Route], method: str, segments: list[str]
    ) -> tuple[Route, dict[str, str]] | None:
        found = []
        for route in routes:
            if route.method not in ("ANY", "*", method):
                continue
            params = route.match(segments)
            if params is not None:
                found.append((route.specificity(), route.method in ("ANY", "*"), route, params))
        if not found:
            return None
        found.sort(key=lambda item: (item[0], not item[1]), reverse=True)
        return found[0][2], found[0][3]

    # -- REST API (v1) -----------------------------------------------------------------------------

    def _handle_rest(
        self, request: HttpRequest, method: str, segments: list[str], routes: list[Route]
    ) -> HttpResponse | None:
        if method == "OPTIONS":
            preflight = self._rest_preflight(segments, routes)
            if preflight is not None:
                return preflight
        best = self._best(routes, method, segments)
        if best is None:
            return None
        route, params = best
        event = self._rest_event(request, method, route, params)
        result = self.functions.invoke(route.function_name, event)
        response = _rest_response(result)
        return self._finish(response, route, result)

    def _rest_preflight(self, segments: list[str], routes: list[Route]) -> HttpResponse | None:
        matching = [r for r in routes if r.cors is not None and r.match(segments) is not None]
        cors = matching[0].cors if matching else None
        if cors is None:
            return None
        methods = cors.methods or sorted({"OPTIONS", *(r.method for r in matching)})
        headers = [
            ("Access-Control-Allow-Origin", ",".join(cors.origins)),
            ("Access-Control-Allow-Headers", ",".join(cors.headers)),
            ("Access-Control-Allow-Methods", ",".join(methods)),
        ]
        if cors.allow_credentials:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        if cors.max_age is not None:
            headers.append(("Access-Control-Max-Age", str(cors.max_age)))
        return HttpResponse(
            status=200,
            headers=[("Content-Type", "application/json"), *headers],
            body=b"",
            api="rest",
            route=f"OPTIONS {matching[0].path}",
            problem=None,
        )

    def _rest_event(
        self, request: HttpRequest, method: str, route: Route, params: dict[str, str]
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        event = sample_event("apigateway-rest")
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for name, value in request.headers:
            headers[name] = value
            multi_headers.setdefault(name, []).append(value)
        query_pairs = parse_qsl(request.query, keep_blank_values=True)
        query: dict[str, str] = {}
        multi_query: dict[str, list[str]] = {}
        for name, value in query_pairs:
            query[name] = value
            multi_query.setdefault(name, []).append(value)
        body, is_base64 = _body_text(request.body)
        user_agent = headers.get("User-Agent") or headers.get("user-agent")
        path = "/" + "/".join(request.path.strip("/").split("/")[1:])
        event.update(
            {
                "resource": route.path,
                "path": unquote(path),
                "httpMethod": method,
                "headers": headers or None,
                "multiValueHeaders": multi_headers or None,
                "queryStringParameters": query or None,
                "multiValueQueryStringParameters": multi_query or None,
                "pathParameters": params or None,
                "stageVariables": None,
                "body": body,
                "isBase64Encoded": is_base64,
            }
        )
        context = event["requestContext"]
        context.update(
            {
                "accountId": self.functions.account.account_id,
                "apiId": self.api_id,
                "domainName": f"{self.api_id}.execute-api.{self.functions.account.region}.amazonaws.com",
                "domainPrefix": self.api_id,
                "extendedRequestId": base64.b64encode(uuid.uuid4().bytes[:12]).decode(),
                "httpMethod": method,
                "path": f"/{self.stage}{unquote(path)}",
                "requestId": str(uuid.uuid4()),
                "requestTime": payloads.clf_time(now),
                "requestTimeEpoch": payloads.epoch_millis(now),
                "resourceId": uuid.uuid4().hex[:6],
                "resourcePath": route.path,
                "stage": self.stage,
            }
        )
        context["identity"].update({"sourceIp": request.source_ip, "userAgent": user_agent})
        return event

    # -- HTTP API (v2) -------------------------------------------------------------------------------

    def _handle_http(
        self, request: HttpRequest, method: str, segments: list[str], routes: list[Route]
    ) -> HttpResponse | None:
        cors = self.http_api_cors
        origin = _header(request.headers, "origin")
        if (
            cors is not None
            and method == "OPTIONS"
            and _header(request.headers, "access-control-request-method")
        ):
            return self._http_preflight(cors, origin, request)
        best = self._best(routes, method, segments)
        if best is None:
            return None
        route, params = best
        event = self._http_event(request, method, route, params)
        result = self.functions.invoke(route.function_name, event)
        response = _http_response(result)
        if cors is not None and origin and _origin_allowed(cors, origin):
            response.headers.append(
                (
                    "access-control-allow-origin",
                    "*" if "*" in cors.origins and not cors.allow_credentials else origin,
                )
            )
            if cors.expose_headers:
                response.headers.append(
                    ("access-control-expose-headers", ",".join(cors.expose_headers))
                )
            if cors.allow_credentials:
                response.headers.append(("access-control-allow-credentials", "true"))
        return self._finish(response, route, result)

    def _http_preflight(self, cors: Cors, origin: str | None, request: HttpRequest) -> HttpResponse:
        headers: list[tuple[str, str]] = []
        if origin and _origin_allowed(cors, origin):
            headers = [
                (
                    "access-control-allow-origin",
                    "*" if "*" in cors.origins and not cors.allow_credentials else origin,
                ),
                ("access-control-allow-methods", ",".join(cors.methods or ["*"])),
                ("access-control-allow-headers", ",".join(cors.headers)),
            ]
            if cors.max_age is not None:
                headers.append(("access-control-max-age", str(cors.max_age)))
            if cors.allow_credentials:
                headers.append(("access-control-allow-credentials", "true"))
        return HttpResponse(
            status=204, headers=headers, body=b"", api="http", route="OPTIONS (CORS preflight)"
        )

    def _http_event(
        self, request: HttpRequest, method: str, route: Route, params: dict[str, str]
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        event = sample_event("apigateway-http")
        headers: dict[str, str] = {}
        cookies: list[str] = []
        for name, value in request.headers:
            lower = name.lower()
            if lower == "cookie":
                cookies.extend(c.strip() for c in value.split(";") if c.strip())
                continue
            headers[lower] = f"{headers[lower]},{value}" if lower in headers else value
        query: dict[str, str] = {}
        for name, value in parse_qsl(request.query, keep_blank_values=True):
            query[name] = f"{query[name]},{value}" if name in query else value
        body, is_base64 = _body_text(request.body)
        request_id = base64.b64encode(uuid.uuid4().bytes[:12]).decode()
        event.update(
            {
                "routeKey": route.route_key,
                "rawPath": request.path,
                "rawQueryString": request.query,
                "headers": headers,
                "isBase64Encoded": is_base64,
            }
        )
        optional: tuple[tuple[str, list[str] | dict[str, str]], ...] = (
            ("cookies", cookies),
            ("queryStringParameters", query),
            ("pathParameters", params),
        )
        for key, present in optional:
            if present:
                event[key] = present
            else:
                event.pop(key, None)
        if body is None:
            event.pop("body", None)
        else:
            event["body"] = body
        context = event["requestContext"]
        context.update(
            {
                "accountId": self.functions.account.account_id,
                "apiId": self.api_id,
                "domainName": f"{self.api_id}.execute-api.{self.functions.account.region}.amazonaws.com",
                "domainPrefix": self.api_id,
                "requestId": request_id,
                "routeKey": route.route_key,
                "stage": "$default",
                "time": payloads.clf_time(now),
                "timeEpoch": payloads.epoch_millis(now),
            }
        )
        context["http"] = {
            "method": method,
            "path": unquote(request.path),
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        }
        return event

    # -- shared -----------------------------------------------------------------------------------------

    def _finish(
        self, response: HttpResponse, route: Route, result: InvocationResult
    ) -> HttpResponse:
        response.api = route.api
        response.route = route.route_key
        response.function_name = route.function_name
        response.cold = result.cold
        response.duration_ms = result.report.duration_ms
        response.request_id = result.request_id
        return response


def _rest_response(result: InvocationResult) -> HttpResponse:
    if result.error is not None:
        if result.report.duration_ms > API_GATEWAY_TIMEOUT_MS:
            return _json_response(
                504,
                {"message": "Endpoint request timed out"},
                api="rest",
                problem="the integration ran past API Gateway's 29 s limit",
            )
        return _json_response(
            502,
            {"message": "Internal server error"},
            api="rest",
            problem=f"the function failed: {result.error.error_type}: {result.error.error_message}",
            extra=[("x-amzn-ErrorType", "InternalServerErrorException")],
        )
    value: Any = result.response  # an object of the v1 shape once _malformed_v1 finds no problem
    problem = _malformed_v1(value)
    if problem is not None:
        return _json_response(
            502,
            {"message": "Internal server error"},
            api="rest",
            problem=f"Malformed Lambda proxy response: {problem}",
            extra=[("x-amzn-ErrorType", "InternalServerErrorException")],
        )
    headers: list[tuple[str, str]] = []
    for name, item in (value.get("headers") or {}).items():
        headers.append((name, _scalar(item)))
    for name, items in (value.get("multiValueHeaders") or {}).items():
        headers.extend((name, _scalar(item)) for item in items)
    body = value.get("body") or ""
    raw = base64.b64decode(body) if value.get("isBase64Encoded") else body.encode("utf-8")
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return HttpResponse(status=int(value["statusCode"]), headers=headers, body=raw)


def _malformed_v1(value: Any) -> str | None:
    if not isinstance(value, dict):
        return f"the function returned {_describe(value)}, not an object with statusCode and body"
    extra = sorted(set(value) - _V1_RESPONSE_KEYS)
    if extra:
        return f"unexpected key(s) {', '.join(extra)} (allowed: statusCode, headers, multiValueHeaders, body, isBase64Encoded)"
    status = value.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        return f"statusCode must be an HTTP status number, got {_describe(status)}"
    if value.get("body") is not None and not isinstance(value["body"], str):
        return f"body must be a string (use json.dumps), got {_describe(value['body'])}"
    headers = value.get("headers")
    if headers is not None and (
        not isinstance(headers, dict) or any(isinstance(v, dict | list) for v in headers.values())
    ):
        return "headers must map names to single values (use multiValueHeaders for lists)"
    multi = value.get("multiValueHeaders")
    if multi is not None and (
        not isinstance(multi, dict) or any(not isinstance(v, list) for v in multi.values())
    ):
        return "multiValueHeaders must map names to lists"
    if "isBase64Encoded" in value and not isinstance(value["isBase64Encoded"], bool):
        return "isBase64Encoded must be true or false"
    return None


def _http_response(result: InvocationResult) -> HttpResponse:
    if result.error is not None:
        return _json_response(
            500,
            {"message": "Internal Server Error"},
            api="http",
            problem=f"the function failed: {result.error.error_type}: {result.error.error_message}",
        )
    value = result.response
    if not (isinstance(value, dict) and "statusCode" in value):
        # Payload v2: any JSON value without statusCode is a 200 with the value as JSON body.
        return HttpResponse(
            status=200,
            headers=[("content-type", "application/json")],
            body=json.dumps(value).encode(),
        )
    status = value.get("statusCode")
    body = value.get("body")
    if (
        isinstance(status, bool)
        or not isinstance(status, int)
        or not 100 <= status <= 599
        or (body is not None and not isinstance(body, str))
    ):
        return _json_response(
            500,
            {"message": "Internal Server Error"},
            api="http",
            problem="malformed Lambda response: statusCode must be a number and body a string",
        )
    headers = [(name, _scalar(item)) for name, item in (value.get("headers") or {}).items()]
    headers.extend(("set-cookie", cookie) for cookie in value.get("cookies") or [])
    raw = (
        base64.b64decode(body or "")
        if value.get("isBase64Encoded")
        else (body or "").encode("utf-8")
    )
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("content-type", "application/json"))
    return HttpResponse(status=status, headers=headers, body=raw)


def _json_response(
    status: int,
    payload: Any,
    *,
    api: Literal["rest", "http"] | None = None,
    problem: str | None = None,
    extra: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    headers = [("Content-Type", "application/json"), *(extra or [])]
    return HttpResponse(
        status=status, headers=headers, body=json.dumps(payload).encode(), api=api, problem=problem
    )


def _body_text(body: bytes) -> tuple[str | None, bool]:
    if not body:
        return None, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode(), True


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _origin_allowed(cors: Cors, origin: str) -> bool:
    return (
        "*" in cors.origins
        or origin in cors.origins
        or any(re.fullmatch(re.escape(o).replace(r"\*", ".*"), origin) for o in cors.origins)
    )


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    text = json.dumps(value, default=str)
    return f"{type(value).__name__} {text[:60]}"
