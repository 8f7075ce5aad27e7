"""A function's configuration, validated the way Lambda validates it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MIN_MEMORY_MB = 128
MAX_MEMORY_MB = 10_240
MIN_TIMEOUT_S = 1
MAX_TIMEOUT_S = 900
MIN_EPHEMERAL_MB = 512
MAX_EPHEMERAL_MB = 10_240
INIT_LIMIT_S = 10.0  # on-demand INIT phase cap

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Variables Lambda reserves for itself; a function may not set them.
RESERVED_ENV = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
_ENV_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class FunctionConfig(BaseModel):
    """What `aws lambda create-function` would take, for one local function.

    `handler` is either `path/to/file.py:func` (a file under code_dir) or Lambda's own
    `module.func` form (`pkg/mod.func` and `pkg.mod.func` work too). A handler string
    Lambda would accept at deploy time but cannot load (no dot) is accepted here and
    fails at INIT as Runtime.MalformedHandlerName, as it does in Lambda.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    handler: str
    code_dir: Path
    memory_mb: int = Field(default=128, ge=MIN_MEMORY_MB, le=MAX_MEMORY_MB)
    timeout_s: float = Field(default=3, ge=MIN_TIMEOUT_S, le=MAX_TIMEOUT_S)
    environment: dict[str, str] = Field(default_factory=dict)
    ephemeral_storage_mb: int = Field(default=512, ge=MIN_EPHEMERAL_MB, le=MAX_EPHEMERAL_MB)
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    # The account the function lives in: its ARN (context.invoked_function_arn) names it,
    # so a handler that builds an ARN from it names its own account.
    account_id: str = Field(default="123456789012", pattern=r"^\d{12}$")
    # The region it is deployed in: AWS_REGION/AWS_DEFAULT_REGION name it, so the SDK
    # calls this region's endpoints, the only ones its account's bridge serves.
    region: str = Field(default="us-east-1", pattern=r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("1 to 64 characters, letters, digits, hyphens and underscores only")
        return value

    @field_validator("handler")
    @classmethod
    def _valid_handler(cls, value: str) -> str:
        if not value or len(value) > 128 or any(ch.isspace() for ch in value):
            raise ValueError(
                "1 to 128 characters without spaces, e.g. 'app.handler' or 'src/app.py:handler'"
            )
        return value

    @field_validator("code_dir")
    @classmethod
    def _absolute_code_dir(cls, value: Path) -> Path:
        folder = Path(value).expanduser().resolve()
        if folder == Path("/tmp") or folder == Path("/"):
            # Each execution environment gets an empty /tmp of its own, as in Lambda, so
            # code kept directly in /tmp (or in /) would be out of the handler's sight.
            raise ValueError(
                f"code folder {folder} cannot hold a function's code: each execution "
                "environment gets an empty /tmp of its own, as in Lambda; put the handler "
                "in a folder of its own, e.g. /tmp/my-function/"
            )
        return folder

    @field_validator("environment")
    @classmethod
    def _valid_environment(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if not _ENV_KEY.match(key):
                raise ValueError(
                    f"variable name {key!r} must start with a letter and use letters, digits and _"
                )
            if key in RESERVED_ENV:
                raise ValueError(f"{key} is reserved by Lambda and cannot be set")
        if sum(len(k) + len(v) for k, v in value.items()) > 4096:
            raise ValueError("variables exceed Lambda's 4 KB total")
        return value

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.name}"

    def fingerprint(self) -> tuple:
        """Environments are only reused for an identical configuration."""
        return (
            self.handler,
            str(self.code_dir),
            self.memory_mb,
            self.timeout_s,
            tuple(sorted(self.environment.items())),
            self.ephemeral_storage_mb,
            self.architecture,
            self.region,
        )


def lambda_variables(config: FunctionConfig) -> dict[str, str]:
    """The variables Lambda puts in a function's environment, then the function's own.

    Both backends use this; the sandbox adds the per-environment log stream name."""
    variables = {
        "AWS_REGION": config.region,
        "AWS_DEFAULT_REGION": config.region,
        "LAMBDA_TASK_ROOT": str(config.code_dir),
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "_HANDLER": config.handler,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "AWS_LAMBDA_FUNCTION_NAME": config.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{config.name}",
    }
    variables.update(config.environment)
    return variables
