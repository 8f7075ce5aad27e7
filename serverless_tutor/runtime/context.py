"""The context object handed to a handler, with the attributes and types of the real
Python runtime (awslambdaric's LambdaContext). Standard library only: the sandbox
worker imports it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __init__(self, data: dict[str, Any] | None = None):
        data = data or {}
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")

    def __repr__(self) -> str:
        return (
            f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}])"
        )


class Client:
    __slots__ = [
        "app_package_name",
        "app_title",
        "app_version_code",
        "app_version_name",
        "installation_id",
    ]

    def __init__(self, data: dict[str, Any] | None = None):
        for field in self.__slots__:
            setattr(self, field, (data or {}).get(field))


class ClientContext:
    __slots__ = ["client", "custom", "env"]

    def __init__(self, data: dict[str, Any]):
        self.custom = data.get("custom")
        self.env = data.get("env")
        client = data.get("client")
        self.client = Client(client) if client is not None else None


class LambdaContext:
    """`context` as the Python runtime builds it. memory_limit_in_mb is a str there too."""

    def __init__(
        self,
        *,
        aws_request_id: str,
        function_name: str,
        memory_limit_in_mb: str,
        invoked_function_arn: str,
        log_group_name: str,
        log_stream_name: str,
        deadline_epoch_ms: int,
        function_version: str = "$LATEST",
        client_context: dict[str, Any] | None = None,
        identity: dict[str, Any] | None = None,
        tenant_id: str | None = None,
        wall_time: Callable[[], float] = time.time,
    ):
        self.aws_request_id = aws_request_id
        self.log_group_name = log_group_name
        self.log_stream_name = log_stream_name
        self.function_name = function_name
        self.memory_limit_in_mb = memory_limit_in_mb
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = ClientContext(client_context) if client_context is not None else None
        self.identity = CognitoIdentity(identity)
        self._epoch_deadline_time_in_ms = deadline_epoch_ms
        self._wall_time = wall_time

    def get_remaining_time_in_millis(self) -> int:
        remaining = self._epoch_deadline_time_in_ms - int(self._wall_time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg: Any) -> None:
        import sys

        sys.stdout.write(str(msg))

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},client_context={self.client_context},"
            f"identity={self.identity},tenant_id={self.tenant_id}])"
        )
