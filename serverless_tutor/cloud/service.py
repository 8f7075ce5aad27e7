"""serverless.yml (Serverless Framework v3 style) loaded into a ServiceSpec.

What is read: service; provider (name, runtime, region, stage, memorySize, timeout,
environment, architecture, iamRoleStatements or iam.role.statements, httpApi.cors);
functions (handler, name, memorySize, timeout, environment, architecture,
ephemeralStorageSize, maximumRetryAttempts, destinations.onFailure, onError,
events: http, httpApi, sns, sqs, s3, stream, schedule); resources.Resources
(CloudFormation: DynamoDB tables, SNS topics and subscriptions, SQS queues, S3
buckets, SES email identities); custom (for variables).

Everything else is listed in `warnings` with its path, never silently dropped.
A broken file raises ServiceConfigError naming the file and the offending key.
CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub) stay in the spec
as written; deploying (or a dry run) resolves them against the account.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, Field

from serverless_tutor import limits
from serverless_tutor.cloud.cfn_yaml import load_yaml_text
from serverless_tutor.cloud.resource_types import (
    REQUIRED_PROPERTIES,
    RESOURCE_PROPERTIES,
    SUPPORTED_RESOURCE_TYPES,
)
from serverless_tutor.cloud.schedule import ScheduleError, parse_schedule
from serverless_tutor.cloud.variables import ResolvedVariable, VariableError, VariableResolver
from serverless_tutor.problems import ContentError, Problem

# Serverless Framework v3's own defaults (AWS's are 128 MB and 3 s).
FRAMEWORK_MEMORY_MB = 1024
FRAMEWORK_TIMEOUT_S = 6
DEFAULT_CORS_HEADERS = [
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amz-User-Agent",
]
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}


Architecture = Literal["x86_64", "arm64"]


class ServiceConfigError(ContentError):
    """A serverless.yml that cannot be loaded; each Problem names file and key path."""


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


class ServiceSpec(BaseModel):
    path: str
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


# Keys read from each level; other keys get a warning.
_TOP_KEYS = {
    "service",
    "frameworkVersion",
    "provider",
    "functions",
    "resources",
    "custom",
    "configValidationMode",
    "variablesResolutionMode",
}
_PROVIDER_KEYS = {
    "name",
    "runtime",
    "region",
    "stage",
    "memorySize",
    "timeout",
    "environment",
    "iamRoleStatements",
    "iam",
    "architecture",
    "httpApi",
}
_FUNCTION_KEYS = {
    "handler",
    "name",
    "description",
    "memorySize",
    "timeout",
    "environment",
    "events",
    "runtime",
    "architecture",
    "ephemeralStorageSize",
    "maximumRetryAttempts",
    "destinations",
    "onError",
}


def load_service(
    path: str | Path,
    *,
    stage: str | None = None,
    region: str | None = None,
    options: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    account_id: str = "123456789012",
) -> ServiceSpec:
    """Read, resolve and check a serverless.yml. Raises ServiceConfigError."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ServiceConfigError(
            [Problem(file=str(file), field="(file)", expected=f"cannot read it: {error.strerror}")]
        ) from error
    try:
        raw = load_yaml_text(text)
    except yaml.YAMLError as error:
        where = "(file)"
        mark = getattr(error, "problem_mark", None)
        if mark is not None:
            where = f"line {mark.line + 1} column {mark.column + 1}"
        raise ServiceConfigError(
            [
                Problem(
                    file=str(file),
                    field=where,
                    expected=f"valid YAML ({getattr(error, 'problem', error)})",
                )
            ]
        ) from error
    if not isinstance(raw, dict):
        raise ServiceConfigError(
            [
                Problem(
                    file=str(file),
                    field="(file)",
                    expected="a YAML mapping with service, provider and functions",
                )
            ]
        )
    all_options = dict(options or {})
    if stage:
        all_options["stage"] = stage
    if region:
        all_options["region"] = region
    resolver = VariableResolver(raw, file=file, options=all_options, env=env, account_id=account_id)
    try:
        config = resolver.resolve_all()
    except VariableError as error:
        raise ServiceConfigError([error.problem]) from error
    builder = _SpecBuilder(file, config, resolver)
    spec = builder.build()
    if builder.problems:
        raise ServiceConfigError(builder.problems)
    return spec


class _SpecBuilder:
    def __init__(self, file: Path, config: dict[str, Any], resolver: VariableResolver):
        self.file = file
        self.config = config
        self.resolver = resolver
        self.problems: list[Problem] = []
        self.warnings: list[ConfigWarning] = [
            ConfigWarning(path=p, message=m) for p, m in resolver.warnings
        ]
        self.notes: list[str] = list(resolver.notes)

    # -- reporting -------------------------------------------------------------------------

    def problem(self, path: str, expected: str) -> None:
        self.problems.append(Problem(file=str(self.file), field=path, expected=expected))

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(ConfigWarning(path=path, message=message))

    def warn_unknown(self, node: dict[str, Any], known: set[str], path: str, what: str) -> None:
        for key in node:
            if key not in known:
                self.warn(_join(path, key), f"{what} key not supported locally; ignored")

    # -- typed getters ---------------------------------------------------------------------

    def mapping(self, node: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        value = node.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(_join(path, key), f"a mapping, not {_kind(value)}")
            return {}
        return value

    def integer(
        self,
        node: dict[str, Any],
        key: str,
        path: str,
        default: int | None,
        low: int,
        high: int,
        unit: str = "",
    ) -> int | None:
        value = node.get(key, default)
        if value is None:
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(_join(path, key), f"a whole number{unit}, not {_kind(value)}")
            return default
        if not low <= value <= high:
            self.problem(_join(path, key), f"between {low} and {high}{unit} (got {value})")
            return default
        return value

    def boolean(self, node: dict[str, Any], key: str, path: str, default: bool) -> bool:
        value = node.get(key, default)
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            self.problem(_join(path, key), f"true or false, not {_kind(value)}")
            return default
        return value

    def string(
        self, node: dict[str, Any], key: str, path: str, required: bool = False
    ) -> str | None:
        value = node.get(key)
        if value is None:
            if required:
                self.problem(_join(path, key), "required field is missing")
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.problem(_join(path, key), f"a string, not {_kind(value)}")
            return None
        return value

    # -- the file ---------------------------------------------------------------------------

    def build(self) -> ServiceSpec:
        config = self.config
        self.warn_unknown(config, _TOP_KEYS | {"plugins", "package"}, "", "top-level")
        for i, plugin in enumerate(config.get("plugins") or []):
            self.warn(f"plugins[{i}]", f"plugin {plugin!r} is not run locally")
        if "package" in config:
            self.warn("package", "packaging is not needed locally; ignored")

        service = config.get("service")
        if isinstance(service, dict):
            service = service.get("name")
        if not isinstance(service, str) or not service:
            self.problem("service", "the service name (a string) is required")
            service = "service"

        provider = self.mapping(config, "provider", "")
        if not provider:
            self.problem("provider", "a provider mapping with name: aws is required")
        if provider.get("name", "aws") != "aws":
            self.problem(
                "provider.name",
                f"aws (the only provider the local account emulates), not {provider.get('name')!r}",
            )
        self.warn_unknown(provider, _PROVIDER_KEYS, "provider", "provider")
        runtime = self.string(provider, "runtime", "provider") or "python3.12"
        if "runtime" not in provider:
            self.warn(
                "provider.runtime",
                "not given; Python assumed (the framework's own default is Node.js)",
            )
        if not runtime.startswith("python"):
            self.warn("provider.runtime", f"{runtime}: only Python handlers run locally")
        else:
            self.notes.append(f"runtime {runtime}: handlers run on this machine's Python")

        memory = self.integer(
            provider,
            "memorySize",
            "provider",
            FRAMEWORK_MEMORY_MB,
            limits.MIN_MEMORY_MB,
            limits.MAX_MEMORY_MB,
            " MB",
        )
        timeout = self._timeout(provider, "provider", FRAMEWORK_TIMEOUT_S)
        architecture = self._architecture(provider, "provider")
        provider_env = self._environment(provider, "provider")
        statements = self._statements(provider)
        http_api_cors = self._http_api_cors(provider)

        functions: dict[str, FunctionSpec] = {}
        functions_node = self.mapping(config, "functions", "")
        if not functions_node:
            self.warn("functions", "no functions defined")
        for key, node in functions_node.items():
            spec = self._function(
                service,
                key,
                node,
                runtime,
                memory or FRAMEWORK_MEMORY_MB,
                timeout,
                architecture,
                provider_env,
            )
            if spec is not None:
                functions[key] = spec

        resources = self._resources(config)
        return ServiceSpec(
            path=str(self.file),
            service=service,
            stage=self.resolver.stage,
            region=self.resolver.region,
            runtime=runtime,
            iam_statements=statements,
            provider_environment=provider_env,
            http_api_cors=http_api_cors,
            functions=functions,
            resources=resources,
            variables=self.resolver.resolved,
            warnings=self.warnings,
            notes=self.notes,
        )

    def _timeout(self, node: dict[str, Any], path: str, default: float) -> float:
        value = node.get("timeout", default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(_join(path, "timeout"), f"a number of seconds, not {_kind(value)}")
            return default
        if not limits.MIN_TIMEOUT_S <= value <= limits.MAX_TIMEOUT_S:
            self.problem(
                _join(path, "timeout"),
                f"between {limits.MIN_TIMEOUT_S} and {limits.MAX_TIMEOUT_S} seconds"
                f" (the Lambda maximum is 15 minutes; got {value})",
            )
            return default
        return float(value)

    def _architecture(
        self, node: dict[str, Any], path: str, default: Architecture = "x86_64"
    ) -> Architecture:
        value = node.get("architecture", default)
        if value == "x86_64":
            return "x86_64"
        if value == "arm64":
            return "arm64"
        self.problem(_join(path, "architecture"), f"x86_64 or arm64, not {value!r}")
        return default

    def _environment(self, node: dict[str, Any], path: str) -> dict[str, Any]:
        env = self.mapping(node, "environment", path)
        result: dict[str, Any] = {}
        for name, value in env.items():
            where = _join(_join(path, "environment"), name)
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", str(name)):
                self.problem(
                    where,
                    "an environment variable name (letters, digits, _; starting with a letter)",
                )
            elif isinstance(value, dict) and _is_intrinsic(value):
                result[name] = value
            elif isinstance(value, dict | list):
                self.problem(
                    where, f"a string, number or CloudFormation reference, not {_kind(value)}"
                )
            elif value is None:
                self.problem(where, "a value (environment variables cannot be null)")
            else:
                result[name] = value if isinstance(value, str) else _scalar_text(value)
        return result

    def _statements(self, provider: dict[str, Any]) -> list[Any]:
        statements: list[Any] = []
        if "iamRoleStatements" in provider:
            node = provider["iamRoleStatements"]
            base = "provider.iamRoleStatements"
            if not isinstance(node, list):
                self.problem(base, f"a list of statements, not {_kind(node)}")
                node = []
            statements.extend((base, i, s) for i, s in enumerate(node))
        iam_node = self.mapping(provider, "iam", "provider")
        if iam_node:
            role = iam_node.get("role")
            if isinstance(role, str):
                self.warn(
                    "provider.iam.role",
                    "a pre-existing role ARN cannot be checked locally; no IAM checks for these functions",
                )
            elif isinstance(role, dict):
                self.warn_unknown(role, {"statements"}, "provider.iam.role", "iam.role")
                node = role.get("statements") or []
                if not isinstance(node, list):
                    self.problem(
                        "provider.iam.role.statements", f"a list of statements, not {_kind(node)}"
                    )
                    node = []
                statements.extend(
                    ("provider.iam.role.statements", i, s) for i, s in enumerate(node)
                )
            self.warn_unknown(iam_node, {"role"}, "provider.iam", "iam")
        checked = []
        for base, i, statement in statements:
            where = f"{base}[{i}]"
            if not isinstance(statement, dict):
                self.problem(
                    where, f"a statement mapping (Effect, Action, Resource), not {_kind(statement)}"
                )
                continue
            if statement.get("Effect") not in ("Allow", "Deny"):
                self.problem(f"{where}.Effect", f"Allow or Deny, not {statement.get('Effect')!r}")
            if "Action" not in statement and "NotAction" not in statement:
                self.problem(f"{where}.Action", "required field is missing")
            if "Resource" not in statement and "NotResource" not in statement:
                self.problem(f"{where}.Resource", "required field is missing")
            if "Condition" in statement:
                self.warn(
                    f"{where}.Condition",
                    "conditions are not evaluated locally; the statement applies without them",
                )
            for key in statement:
                if key not in (
                    "Effect",
                    "Action",
                    "NotAction",
                    "Resource",
                    "NotResource",
                    "Condition",
                    "Sid",
                ):
                    self.problem(
                        f"{where}.{key}",
                        "unknown statement key (Effect, Action, Resource, NotAction, NotResource, Condition, Sid)",
                    )
            checked.append(statement)
        return checked

    def _http_api_cors(self, provider: dict[str, Any]) -> Cors | None:
        node = self.mapping(provider, "httpApi", "provider")
        self.warn_unknown(node, {"cors"}, "provider.httpApi", "httpApi")
        cors = node.get("cors")
        if cors is None or cors is False:
            return None
        if cors is True:
            return Cors(
                methods=["*"],
                headers=[
                    "Content-Type",
                    "X-Amz-Date",
                    "Authorization",
                    "X-Api-Key",
                    "X-Amz-Security-Token",
                    "X-Amz-User-Agent",
                ],
            )
        if not isinstance(cors, dict):
            self.problem("provider.httpApi.cors", f"true or a mapping, not {_kind(cors)}")
            return None
        path = "provider.httpApi.cors"
        self.warn_unknown(
            cors,
            {
                "allowedOrigins",
                "allowedHeaders",
                "allowedMethods",
                "allowCredentials",
                "exposedResponseHeaders",
                "maxAge",
            },
            path,
            "cors",
        )
        return Cors(
            origins=_string_list(cors.get("allowedOrigins", ["*"])),
            headers=_string_list(cors.get("allowedHeaders", DEFAULT_CORS_HEADERS)),
            methods=_string_list(cors.get("allowedMethods", ["*"])),
            allow_credentials=bool(cors.get("allowCredentials", False)),
            max_age=cors.get("maxAge"),
            expose_headers=_string_list(cors.get("exposedResponseHeaders", [])),
        )

    # -- functions --------------------------------------------------------------------------

    def _function(
        self,
        service: str,
        key: str,
        node: Any,
        runtime: str,
        memory: int,
        timeout: float,
        architecture: Architecture,
        provider_env: dict[str, Any],
    ) -> FunctionSpec | None:
        path = f"functions.{key}"
        if not isinstance(node, dict):
            self.problem(path, f"a function mapping with at least handler:, not {_kind(node)}")
            return None
        self.warn_unknown(node, _FUNCTION_KEYS, path, "function")
        handler = self.string(node, "handler", path, required=True)
        if handler is None:
            return None
        module, _, function = handler.rpartition(".")
        if not module or not function:
            self.problem(f"{path}.handler", f"file.function (e.g. handler.main), not {handler!r}")
            return None
        handler_file = (module if "/" in module else module.replace(".", "/")) + ".py"
        if not (self.file.parent / handler_file).is_file():
            self.warn(
                f"{path}.handler",
                f"{handler_file} not found next to serverless.yml; invoking it will fail with Runtime.ImportModuleError",
            )
        function_runtime = self.string(node, "runtime", path) or runtime
        env = dict(provider_env)
        env.update(self._environment(node, path))
        retries = self.integer(
            node,
            "maximumRetryAttempts",
            path,
            limits.ASYNC_MAX_RETRIES,
            0,
            limits.ASYNC_MAX_RETRIES,
        )
        destinations = self.mapping(node, "destinations", path)
        self.warn_unknown(destinations, {"onFailure"}, f"{path}.destinations", "destinations")
        events: list[Event] = []
        raw_events = node.get("events") or []
        if not isinstance(raw_events, list):
            self.problem(f"{path}.events", f"a list of events, not {_kind(raw_events)}")
            raw_events = []
        for i, event in enumerate(raw_events):
            parsed = self._event(event, f"{path}.events[{i}]")
            if parsed is not None:
                events.append(parsed)
        return FunctionSpec(
            key=key,
            name=self.string(node, "name", path) or f"{service}-{self.resolver.stage}-{key}",
            handler=handler,
            handler_file=handler_file,
            handler_function=function,
            runtime=function_runtime,
            memory_mb=self.integer(
                node, "memorySize", path, memory, limits.MIN_MEMORY_MB, limits.MAX_MEMORY_MB, " MB"
            )
            or memory,
            timeout_s=self._timeout(node, path, timeout),
            architecture=self._architecture(node, path, architecture),
            ephemeral_storage_mb=self.integer(
                node,
                "ephemeralStorageSize",
                path,
                limits.DEFAULT_EPHEMERAL_MB,
                limits.MIN_EPHEMERAL_MB,
                limits.MAX_EPHEMERAL_MB,
                " MB",
            )
            or limits.DEFAULT_EPHEMERAL_MB,
            environment=env,
            events=events,
            maximum_retry_attempts=limits.ASYNC_MAX_RETRIES if retries is None else retries,
            on_failure=destinations.get("onFailure"),
            dead_letter=node.get("onError"),
        )

    def _event(self, event: Any, path: str) -> Event | None:
        if not isinstance(event, dict) or len(event) != 1:
            self.problem(
                path,
                "a mapping with exactly one event type (http, httpApi, sns, sqs, s3, stream, schedule)",
            )
            return None
        ((kind, body),) = event.items()
        handler = {
            "http": self._http_event,
            "httpApi": self._http_api_event,
            "sns": self._sns_event,
            "sqs": self._sqs_event,
            "s3": self._s3_event,
            "stream": self._stream_event,
            "schedule": self._schedule_event,
        }.get(kind)
        if handler is None:
            self.warn(f"{path}.{kind}", f"event type {kind!r} is not routed locally; ignored")
            return None
        return handler(body, f"{path}.{kind}")

    def _http_event(self, body: Any, path: str) -> HttpEvent | None:
        if isinstance(body, str):
            written_method, _, written_route = body.strip().partition(" ")
            body = {"method": written_method, "path": written_route}
        if not isinstance(body, dict):
            self.problem(
                path, f"'METHOD path' or a mapping with path and method, not {_kind(body)}"
            )
            return None
        self.warn_unknown(body, {"path", "method", "cors", "integration"}, path, "http event")
        if body.get("integration", "lambda-proxy") not in (
            "lambda-proxy",
            "aws-proxy",
            "aws_proxy",
        ):
            self.warn(
                f"{path}.integration",
                "only the lambda-proxy integration is emulated; treated as lambda-proxy",
            )
        route = self.string(body, "path", path, required=True)
        method = self.string(body, "method", path, required=True)
        if route is None or method is None:
            return None
        method = method.upper()
        if method not in HTTP_METHODS:
            self.problem(
                f"{path}.method", f"one of {', '.join(sorted(HTTP_METHODS))}, not {method!r}"
            )
            return None
        cors = body.get("cors")
        cors_spec = None
        if cors is True:
            cors_spec = Cors()
        elif isinstance(cors, dict):
            self.warn_unknown(
                cors,
                {"origin", "origins", "headers", "allowCredentials", "maxAge", "methods"},
                f"{path}.cors",
                "cors",
            )
            origins = cors.get("origins") or ([cors["origin"]] if "origin" in cors else ["*"])
            cors_spec = Cors(
                origins=_string_list(origins),
                headers=_string_list(cors.get("headers", DEFAULT_CORS_HEADERS)),
                methods=_string_list(cors["methods"]) if "methods" in cors else None,
                allow_credentials=bool(cors.get("allowCredentials", False)),
                max_age=cors.get("maxAge"),
            )
        elif cors not in (None, False):
            self.problem(f"{path}.cors", f"true or a mapping, not {_kind(cors)}")
        return HttpEvent(method=method, path=_normalize_route(route), cors=cors_spec)

    def _http_api_event(self, body: Any, path: str) -> HttpApiEvent | None:
        if body == "*":
            return HttpApiEvent(method="*", path="*")
        if isinstance(body, str):
            written_method, _, written_route = body.strip().partition(" ")
            body = {"method": written_method, "path": written_route}
        if not isinstance(body, dict):
            self.problem(
                path, f"'*', 'METHOD path' or a mapping with method and path, not {_kind(body)}"
            )
            return None
        self.warn_unknown(body, {"path", "method"}, path, "httpApi event")
        route = self.string(body, "path", path, required=True)
        method = (self.string(body, "method", path) or "*").upper()
        if route is None:
            return None
        if method not in HTTP_METHODS | {"*"}:
            self.problem(f"{path}.method", f"an HTTP method or '*', not {method!r}")
            return None
        return HttpApiEvent(method=method, path=route if route == "*" else _normalize_route(route))

    def _sns_event(self, body: Any, path: str) -> SnsEvent | None:
        if isinstance(body, str):
            return (
                SnsEvent(topic_arn=body) if body.startswith("arn:") else SnsEvent(topic_name=body)
            )
        if not isinstance(body, dict):
            self.problem(path, f"a topic name, an ARN or a mapping, not {_kind(body)}")
            return None
        self.warn_unknown(
            body,
            {"arn", "topicName", "displayName", "filterPolicy", "filterPolicyScope"},
            path,
            "sns event",
        )
        if "arn" not in body and "topicName" not in body:
            self.problem(path, "arn or topicName is required")
            return None
        policy = body.get("filterPolicy")
        if policy is not None and not isinstance(policy, dict):
            self.problem(
                f"{path}.filterPolicy",
                f"a mapping of attribute -> list of conditions, not {_kind(policy)}",
            )
            policy = None
        if policy is not None:
            from serverless_tutor.cloud.filter_policy import FilterPolicyError, validate_policy

            try:
                validate_policy(policy)
            except FilterPolicyError as error:
                self.problem(f"{path}.filterPolicy", str(error))
        scope = body.get("filterPolicyScope", "MessageAttributes")
        if scope not in ("MessageAttributes", "MessageBody"):
            self.problem(
                f"{path}.filterPolicyScope", f"MessageAttributes or MessageBody, not {scope!r}"
            )
            scope = "MessageAttributes"
        return SnsEvent(
            topic_arn=body.get("arn"),
            topic_name=body.get("topicName"),
            filter_policy=policy,
            filter_policy_scope=scope,
        )

    def _sqs_event(self, body: Any, path: str) -> SqsEvent | None:
        if isinstance(body, str) or (isinstance(body, dict) and _is_intrinsic(body)):
            return SqsEvent(queue_arn=body)
        if not isinstance(body, dict):
            self.problem(path, f"a queue ARN or a mapping with arn, not {_kind(body)}")
            return None
        self.warn_unknown(
            body,
            {"arn", "batchSize", "maximumBatchingWindow", "functionResponseType", "enabled"},
            path,
            "sqs event",
        )
        if "arn" not in body:
            self.problem(f"{path}.arn", "required field is missing")
            return None
        batch = self.integer(body, "batchSize", path, 10, 1, 10000) or 10
        window = self.integer(body, "maximumBatchingWindow", path, 0, 0, 300) or 0
        if batch > 10 and window < 1:
            self.problem(
                f"{path}.maximumBatchingWindow",
                "at least 1 second when batchSize is above 10 (an AWS rule)",
            )
        response_type = body.get("functionResponseType")
        if response_type not in (None, "ReportBatchItemFailures"):
            self.problem(
                f"{path}.functionResponseType", f"ReportBatchItemFailures, not {response_type!r}"
            )
        return SqsEvent(
            queue_arn=body["arn"],
            batch_size=batch,
            maximum_batching_window_s=window,
            report_batch_item_failures=response_type == "ReportBatchItemFailures",
            enabled=self.boolean(body, "enabled", path, True),
        )

    def _s3_event(self, body: Any, path: str) -> S3Event | None:
        if isinstance(body, str):
            return S3Event(bucket=body)
        if not isinstance(body, dict):
            self.problem(path, f"a bucket name or a mapping with bucket, not {_kind(body)}")
            return None
        self.warn_unknown(
            body, {"bucket", "event", "rules", "existing", "forceDeploy"}, path, "s3 event"
        )
        if "bucket" not in body:
            self.problem(f"{path}.bucket", "required field is missing")
            return None
        event = body.get("event", "s3:ObjectCreated:*")
        if not isinstance(event, str) or not re.fullmatch(
            r"s3:(ObjectCreated|ObjectRemoved|ObjectRestore|ReducedRedundancyLostObject|Replication|LifecycleExpiration|LifecycleTransition|IntelligentTiering|ObjectTagging|ObjectAcl)(:[A-Za-z*]+)?",
            event,
        ):
            self.problem(
                f"{path}.event",
                f"an S3 event type such as s3:ObjectCreated:* or s3:ObjectRemoved:Delete, not {event!r}",
            )
            return None
        prefix = suffix = None
        rules = body.get("rules") or []
        if not isinstance(rules, list):
            self.problem(
                f"{path}.rules", f"a list of {{prefix: ...}} / {{suffix: ...}}, not {_kind(rules)}"
            )
            rules = []
        for i, rule in enumerate(rules):
            where = f"{path}.rules[{i}]"
            if (
                not isinstance(rule, dict)
                or len(rule) != 1
                or next(iter(rule)) not in ("prefix", "suffix")
            ):
                self.problem(where, "one of {prefix: text} or {suffix: text}")
                continue
            if "prefix" in rule:
                prefix = str(rule["prefix"])
            else:
                suffix = str(rule["suffix"])
        return S3Event(
            bucket=body["bucket"],
            events=[event],
            prefix=prefix,
            suffix=suffix,
            existing=self.boolean(body, "existing", path, False),
        )

    def _stream_event(self, body: Any, path: str) -> StreamEvent | None:
        if isinstance(body, str) or (isinstance(body, dict) and _is_intrinsic(body)):
            return StreamEvent(stream_arn=body)
        if not isinstance(body, dict):
            self.problem(path, f"a stream ARN or a mapping with arn, not {_kind(body)}")
            return None
        self.warn_unknown(
            body,
            {
                "arn",
                "type",
                "batchSize",
                "startingPosition",
                "enabled",
                "maximumRetryAttempts",
                "functionResponseType",
            },
            path,
            "stream event",
        )
        if body.get("type", "dynamodb") != "dynamodb":
            self.warn(
                f"{path}.type",
                f"{body.get('type')} streams are not emulated locally (only DynamoDB Streams); ignored",
            )
            return None
        if "arn" not in body:
            self.problem(f"{path}.arn", "required field is missing")
            return None
        position = body.get("startingPosition", "TRIM_HORIZON")
        if position not in ("LATEST", "TRIM_HORIZON"):
            self.problem(f"{path}.startingPosition", f"LATEST or TRIM_HORIZON, not {position!r}")
            position = "TRIM_HORIZON"
        response_type = body.get("functionResponseType")
        if response_type not in (None, "ReportBatchItemFailures"):
            self.problem(
                f"{path}.functionResponseType", f"ReportBatchItemFailures, not {response_type!r}"
            )
        retries = self.integer(body, "maximumRetryAttempts", path, -1, -1, 10000)
        return StreamEvent(
            stream_arn=body["arn"],
            batch_size=self.integer(body, "batchSize", path, 100, 1, 10000) or 100,
            starting_position=position,
            enabled=self.boolean(body, "enabled", path, True),
            maximum_retry_attempts=-1 if retries is None else retries,
            report_batch_item_failures=response_type == "ReportBatchItemFailures",
        )

    def _schedule_event(self, body: Any, path: str) -> ScheduleEvent | None:
        if isinstance(body, str):
            body = {"rate": body}
        if not isinstance(body, dict):
            self.problem(path, f"rate(...)/cron(...) or a mapping with rate, not {_kind(body)}")
            return None
        self.warn_unknown(
            body, {"rate", "enabled", "input", "name", "description"}, path, "schedule event"
        )
        rate = body.get("rate")
        if rate is None:
            self.problem(f"{path}.rate", "required field is missing")
            return None
        expressions: list[str] = []
        for i, expression in enumerate(rate if isinstance(rate, list) else [rate]):
            where = f"{path}.rate" + (f"[{i}]" if isinstance(rate, list) else "")
            if not isinstance(expression, str):
                self.problem(where, f"rate(...) or cron(...), not {_kind(expression)}")
                return None
            try:
                parse_schedule(expression)
            except ScheduleError as error:
                self.problem(where, str(error))
                return None
            expressions.append(expression)
        return ScheduleEvent(
            expressions=expressions,
            enabled=self.boolean(body, "enabled", path, True),
            input=body.get("input"),
            name=body.get("name"),
        )

    # -- resources -------------------------------------------------------------------------

    def _resources(self, config: dict[str, Any]) -> dict[str, ResourceSpec]:
        node = config.get("resources")
        if node is None:
            return {}
        blocks = node if isinstance(node, list) else [node]
        resources: dict[str, ResourceSpec] = {}
        for b, block in enumerate(blocks):
            base = "resources" if not isinstance(node, list) else f"resources[{b}]"
            if not isinstance(block, dict):
                self.problem(base, f"a mapping with Resources, not {_kind(block)}")
                continue
            self.warn_unknown(block, {"Resources"}, base, "resources")
            entries = self.mapping(block, "Resources", base)
            for logical_id, resource in entries.items():
                where = f"{base}.Resources.{logical_id}"
                if not isinstance(resource, dict):
                    self.problem(
                        where, f"a resource mapping with Type and Properties, not {_kind(resource)}"
                    )
                    continue
                kind = resource.get("Type")
                if not isinstance(kind, str):
                    self.problem(
                        f"{where}.Type", "required field is missing (e.g. AWS::DynamoDB::Table)"
                    )
                    continue
                supported = kind in SUPPORTED_RESOURCE_TYPES
                if not supported:
                    self.warn(f"{where}.Type", f"{kind} is not created locally")
                self.warn_unknown(resource, {"Type", "Properties", "DependsOn"}, where, "resource")
                properties = resource.get("Properties") or {}
                if not isinstance(properties, dict):
                    self.problem(f"{where}.Properties", f"a mapping, not {_kind(properties)}")
                    properties = {}
                if supported:
                    self._check_properties(kind, properties, f"{where}.Properties")
                depends = resource.get("DependsOn") or []
                resources[logical_id] = ResourceSpec(
                    logical_id=logical_id,
                    type=kind,
                    properties=properties,
                    depends_on=[depends] if isinstance(depends, str) else list(depends),
                    supported=supported,
                )
        return resources

    def _check_properties(self, kind: str, properties: dict[str, Any], path: str) -> None:
        self.warn_unknown(properties, RESOURCE_PROPERTIES[kind], path, kind)
        for required in REQUIRED_PROPERTIES.get(kind, ()):
            if required not in properties:
                self.problem(f"{path}.{required}", "required field is missing")
        if kind == "AWS::DynamoDB::Table":
            for i, attribute in enumerate(properties.get("AttributeDefinitions") or []):
                if not isinstance(attribute, dict) or attribute.get("AttributeType") not in (
                    "S",
                    "N",
                    "B",
                ):
                    self.problem(f"{path}.AttributeDefinitions[{i}].AttributeType", "S, N or B")
            for i, key in enumerate(properties.get("KeySchema") or []):
                if not isinstance(key, dict) or key.get("KeyType") not in ("HASH", "RANGE"):
                    self.problem(f"{path}.KeySchema[{i}].KeyType", "HASH or RANGE")
            view = (properties.get("StreamSpecification") or {}).get("StreamViewType")
            if view is not None and view not in (
                "KEYS_ONLY",
                "NEW_IMAGE",
                "OLD_IMAGE",
                "NEW_AND_OLD_IMAGES",
            ):
                self.problem(
                    f"{path}.StreamSpecification.StreamViewType",
                    "KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES",
                )


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _string_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",")]
    return [str(v) for v in value or []]


def _normalize_route(route: str) -> str:
    route = route.strip()
    if not route.startswith("/"):
        route = "/" + route
    if len(route) > 1:
        route = route.rstrip("/")
    return route


def _is_intrinsic(value: dict[str, Any]) -> bool:
    return len(value) == 1 and (next(iter(value)) == "Ref" or next(iter(value)).startswith("Fn::"))
