"""Forwarded AWS calls: what a handler's boto3 request looks like to the parent.

Handler code in a worker has no network. Its botocore requests are sent over the
worker protocol to the parent, which passes them to a RequestHandler (the local
account serves them with moto) and sends the reply back. The in-process backend
uses the same hook, so both backends forward the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ForwardedRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    method: str
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    body: bytes = b""
    function_name: str
    request_id: str


class ForwardedResponse(BaseModel):
    model_config = ConfigDict(frozen=True)

    status_code: int
    headers: dict[str, str] = Field(default_factory=dict)
    body: bytes = b""
    # What happens to the calling invocation after this call (a fault plan's doing):
    # "crash": the call took effect, then the environment dies before the handler hears back;
    # "timeout": the call never answers, so the invocation runs into its timeout.
    after: Literal["crash", "timeout"] | None = None


RequestHandler = Callable[[ForwardedRequest], ForwardedResponse]


def no_network_handler(request: ForwardedRequest) -> ForwardedResponse:
    """The default when the caller gives no RequestHandler: every AWS call fails clearly."""
    message = (
        "This function has no network. Its AWS calls are served by the tutor's local "
        "account, and none was attached to this runtime."
    )
    body = (
        '{"__type": "ServiceUnavailableException", "message": ' + _json_str(message) + "}"
    ).encode()
    return ForwardedResponse(
        status_code=503,
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "x-amzn-ErrorType": "ServiceUnavailableException",
        },
        body=body,
    )


def _json_str(text: str) -> str:
    import json

    return json.dumps(text)
