"""The API console (lesson 7): send HTTP requests to the bundled users-api and see what ran.

One ApiConsole deploys serverless_tutor/demos/examples/users-api (five functions, one per
route, over one DynamoDB table) into its own LocalAccount on an in-process
LambdaRuntime (trusted, bundled code) the first time it is used, and puts
seed.json's two users in the table. Each send goes through the local API Gateway
(REST API, stage dev) exactly as `serverless-tutor offline users-api` serves it,
and returns an ApiExchange: the HTTP answer, which function ran, cold or warm,
its REPORT figures, and the AWS calls it made (from the account trace).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field

from serverless_tutor.demos.deployed_example import AwsCall, DeployedExample, SerialDemo
from serverless_tutor.paths import examples_dir

SERVICE_DIR = examples_dir() / "users-api"
METHODS = ("GET", "POST", "PUT", "DELETE")
MAX_BODY_CHARS = 1_000_000


class ApiConsoleError(ValueError):
    """The request cannot be sent (bad method or path), or the console has been shut down."""


class ExampleRequest(BaseModel):
    label: str
    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str
    body: str = ""
    expect: int  # the status lesson 7's table promises for it


# The seeded users are u-ada and u-grace (seed.json).
EXAMPLES: tuple[ExampleRequest, ...] = (
    ExampleRequest(
        label="Create a user (201)",
        method="POST",
        path="/dev/users",
        body='{"name": "Alan Turing", "email": "alan@example.com"}',
        expect=201,
    ),
    ExampleRequest(label="List users (200)", method="GET", path="/dev/users", expect=200),
    ExampleRequest(label="Get one user (200)", method="GET", path="/dev/users/u-ada", expect=200),
    ExampleRequest(
        label="Update a user (200)",
        method="PUT",
        path="/dev/users/u-ada",
        body='{"name": "Ada King", "email": "ada@example.com"}',
        expect=200,
    ),
    ExampleRequest(
        label="Delete a user (204)", method="DELETE", path="/dev/users/u-grace", expect=204
    ),
    ExampleRequest(
        label="Bad JSON body (400)",
        method="POST",
        path="/dev/users",
        body='{"name": "Bo", ',
        expect=400,
    ),
    ExampleRequest(label="Unknown id (404)", method="GET", path="/dev/users/u-nobody", expect=404),
)


class ReportFigures(BaseModel):
    duration_ms: float
    billed_duration_ms: int
    memory_size_mb: int
    max_memory_used_mb: int
    max_memory_estimated: bool = False  # the in-process backend can only estimate it
    init_duration_ms: float | None = None  # cold starts only


class ApiExchange(BaseModel):
    method: str
    path: str
    request_body: str = ""
    status: int
    headers: list[tuple[str, str]] = Field(default_factory=list)
    body: str = ""
    body_json: Any | None = None  # the body parsed, when it is JSON
    route: str | None = None  # "GET /users/{id}"; None when no route matched
    function: str | None = None  # the serverless.yml key, e.g. getUser
    function_name: str | None = None  # the deployed name, e.g. users-api-dev-getUser
    request_id: str | None = None
    cold: bool | None = None
    report: ReportFigures | None = None
    error: str | None = None  # errorType: errorMessage, when the handler raised
    calls: list[AwsCall] = Field(default_factory=list)
    problem: str | None = None  # why API Gateway answered instead of the function

    def pretty_body(self) -> str:
        if self.body_json is not None:
            return json.dumps(self.body_json, indent=2, ensure_ascii=False)
        return self.body


class ApiConsole(SerialDemo):
    """Deploys users-api on first use; send() returns an ApiExchange. Thread-safe, one send at a time."""

    closed_error = ApiConsoleError
    closed_message = "the API console has been shut down"

    def __init__(self, *, backend: Literal["inprocess", "sandbox"] = "inprocess"):
        super().__init__()
        self.backend = backend
        self._service: DeployedExample | None = None

    @property
    def deployed(self) -> bool:
        return self._service is not None

    def send(self, method: str, path: str, body: str = "") -> ApiExchange:
        method = method.strip().upper()
        path = path.strip()
        if method not in METHODS:
            raise ApiConsoleError(
                f"method {method or '(empty)'!r}: expected one of {', '.join(METHODS)}"
            )
        if not path.startswith("/") or any(c.isspace() for c in path):
            raise ApiConsoleError(
                f"path {path or '(empty)'!r}: expected a path starting with / and without spaces, "
                "e.g. /dev/users"
            )
        if len(body) > MAX_BODY_CHARS:
            raise ApiConsoleError(
                f"body: {len(body)} characters; expected at most {MAX_BODY_CHARS}"
            )
        return self._exclusively(self._send, method, path, body)

    # -- internals --------------------------------------------------------------------------------

    def _send(self, method: str, path: str, body: str) -> ApiExchange:
        from serverless_tutor.cloud.apigateway import HttpRequest

        if self._service is None:
            self._service = DeployedExample(SERVICE_DIR, self.backend)
        headers = [("Content-Type", "application/json")] if body else []
        response, result, entries = self._service.call_api(
            HttpRequest(method=method, path=path, headers=headers, body=body.encode("utf-8"))
        )
        text = response.body.decode("utf-8", errors="replace")
        return ApiExchange(
            method=method,
            path=path,
            request_body=body,
            status=response.status,
            headers=response.headers,
            body=text,
            body_json=_json_or_none(text),
            route=response.route,
            function=self._service.keys.get(response.function_name or ""),
            function_name=response.function_name,
            request_id=response.request_id,
            cold=response.cold,
            report=ReportFigures.model_validate(result.report.model_dump()) if result else None,
            error=f"{result.error.error_type}: {result.error.error_message}"
            if result and result.error
            else None,
            calls=[AwsCall.from_trace(entry) for entry in entries],
            problem=response.problem,
        )

    def _discard(self) -> None:
        service, self._service = self._service, None
        if service is not None:
            service.close()


def _json_or_none(text: str) -> Any | None:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
