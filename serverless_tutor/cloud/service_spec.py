"""The model a stack file is loaded into: the service, its functions, their events, its resources.

service.py reads a serverless.yml into these, sam.py a SAM template; deploy.py and
stack.py create what they describe, whichever format it came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from serverless_tutor import limits
from serverless_tutor.cloud.variables import ResolvedVariable

DEFAULT_CORS_HEADERS = [
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amz-User-Agent",
]

Architecture = Literal["x86_64", "arm64"]


class ConfigWarning(BaseModel):
    path: str
    message: str

    def line(self) -> str:
        return f"{self.path}: {self.message}"


class Cors(BaseModel):
    origins: list[str] = ["*"]
    headers: list[str] = Field(default_factory=lambda: list(DEFAULT_CORS_HEADERS))
    methods: list[str] | None = None  # None: the route's own methods plus OPTIONS
    allow_credentials: bool = False
    max_age: int | None = None
    expose_headers: list[str] = Field(default_factory=list)


class HttpEvent(BaseModel):
    type: Literal["http"] = "http"  # API Gateway REST API (payload v1)
    method: str
    path: str
    cors: Cors | None = None


class HttpApiEvent(BaseModel):
    type: Literal["httpApi"] = "httpApi"  # API Gateway HTTP API (payload v2)
    method: str  # "*" for any method
    path: str  # "*" for the catch-all $default route


class SnsEvent(BaseModel):
    type: Literal["sns"] = "sns"
    topic_arn: Any = None  # an ARN or an intrinsic; None when the topic is made from topic_name
    topic_name: str | None = None
    filter_policy: dict[str, Any] | None = None
    filter_policy_scope: Literal["MessageAttributes", "MessageBody"] = "MessageAttributes"


class SqsEvent(BaseModel):
    type: Literal["sqs"] = "sqs"
    queue_arn: Any
    batch_size: int = 10
    maximum_batching_window_s: int = 0
    report_batch_item_failures: bool = False
    enabled: bool = True


class S3Event(BaseModel):
    type: Literal["s3"] = "s3"
    bucket: Any
    events: list[str] = ["s3:ObjectCreated:*"]
    prefix: str | None = None
    suffix: str | None = None
    existing: bool = False


class StreamEvent(BaseModel):
    type: Literal["stream"] = "stream"
    stream_arn: Any
    batch_size: int = 100
    starting_position: Literal["LATEST", "TRIM_HORIZON"] = "TRIM_HORIZON"
    enabled: bool = True
    maximum_retry_attempts: int = -1  # -1: retry until the record expires (AWS default)
    report_batch_item_failures: bool = False


class ScheduleEvent(BaseModel):
    type: Literal["schedule"] = "schedule"
    expressions: list[str]
    enabled: bool = True
    input: Any = None
    name: str | None = None


Event = Annotated[
    HttpEvent | HttpApiEvent | SnsEvent | SqsEvent | S3Event | StreamEvent | ScheduleEvent,
    Field(discriminator="type"),
]


class FunctionSpec(BaseModel):
    key: str  # the name under `functions:`
    name: str  # deployed name: <service>-<stage>-<key> unless `name:` is given
    handler: str  # as written: "file.func" or "path/to/file.func"
    handler_file: str  # relative to the service folder
    handler_function: str
    runtime: str
    memory_mb: int
    timeout_s: float
    architecture: Architecture = "x86_64"
    ephemeral_storage_mb: int = limits.DEFAULT_EPHEMERAL_MB
    environment: dict[str, Any] = Field(default_factory=dict)
    events: list[Event] = Field(default_factory=list)
    maximum_retry_attempts: int = (
        limits.ASYNC_MAX_RETRIES
    )  # async invokes: retries after the first attempt
    on_failure: Any = None  # destinations.onFailure ARN
    dead_letter: Any = None  # onError ARN (DeadLetterConfig)
    code_dir: str = ""  # the function's code root, relative to the service folder (SAM's CodeUri)
    # Statements of this function's own role (SAM); None: the service-wide ones (serverless.yml).
    iam_statements: list[Any] | None = None
    role_name: str | None = None  # None: the service's one role
    enforce_iam: bool = True  # False for a role given as an ARN: its policies are unknown here

    @property
    def runtime_handler(self) -> str:
        """The handler as the runtime's FunctionConfig takes it: "path/file.py:func"."""
        return f"{self.handler_file}:{self.handler_function}"


class ResourceSpec(BaseModel):
    logical_id: str
    type: str
    properties: dict[str, Any] = Field(default_factory=dict)
    depends_on: list[str] = Field(default_factory=list)
    supported: bool = True


StackFormat = Literal["serverless", "sam"]


class ServiceSpec(BaseModel):
    path: str
    format: StackFormat = "serverless"
    stack_name: str | None = None  # None: <service>-<stage>, as the Serverless Framework names it
    resources_path: str = "resources.Resources"  # where resources sit in the file, for messages
    service: str
    stage: str
    region: str
    runtime: str
    iam_statements: list[Any] = Field(default_factory=list)
    provider_environment: dict[str, Any] = Field(default_factory=dict)
    http_api_cors: Cors | None = None
    functions: dict[str, FunctionSpec] = Field(default_factory=dict)
    resources: dict[str, ResourceSpec] = Field(default_factory=dict)
    variables: list[ResolvedVariable] = Field(default_factory=list)
    warnings: list[ConfigWarning] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def folder(self) -> Path:
        return Path(self.path).parent
