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

The model is in service_spec.py, the function events are read by service_events.py,
and the typed getters that record problems are in config_reader.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from serverless_tutor import limits
from serverless_tutor.cloud.cfn_yaml import load_yaml_text
from serverless_tutor.cloud.config_reader import (
    ConfigReader,
    is_intrinsic,
    join_path,
    kind_of,
    scalar_text,
    string_list,
)
from serverless_tutor.cloud.resource_types import SUPPORTED_RESOURCE_TYPES
from serverless_tutor.cloud.service_events import EventReader
from serverless_tutor.cloud.service_spec import (
    DEFAULT_CORS_HEADERS,
    Architecture,
    ConfigWarning,
    Cors,
    Event,
    FunctionSpec,
    ResourceSpec,
    ServiceSpec,
)
from serverless_tutor.cloud.variables import VariableError, VariableResolver
from serverless_tutor.problems import ContentError, Problem

# Serverless Framework v3's own defaults (AWS's are 128 MB and 3 s).
FRAMEWORK_MEMORY_MB = 1024
FRAMEWORK_TIMEOUT_S = 6


class ServiceConfigError(ContentError):
    """A serverless.yml that cannot be loaded; each Problem names file and key path."""


def read_stack_yaml(file: Path) -> Any:
    """A stack file's YAML (CloudFormation tags kept), or ServiceConfigError with where it broke."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ServiceConfigError(
            [Problem(file=str(file), field="(file)", expected=f"a readable UTF-8 file ({error})")]
        ) from error
    try:
        return load_yaml_text(text)
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
    raw = read_stack_yaml(file)
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


class _SpecBuilder(ConfigReader):
    def __init__(self, file: Path, config: dict[str, Any], resolver: VariableResolver):
        super().__init__(file)
        self.config = config
        self.resolver = resolver
        self.warnings.extend(ConfigWarning(path=p, message=m) for p, m in resolver.warnings)
        self.notes: list[str] = list(resolver.notes)
        self.events = EventReader(self)

    # -- the file ---------------------------------------------------------------------------

    def build(self) -> ServiceSpec:
        config = self.config
        self.warn_unknown(config, _TOP_KEYS | {"plugins", "package", "constructs"}, "", "top-level")
        for name in self.mapping(config, "constructs", ""):
            self.warn(
                f"constructs.{name}",
                "constructs come from the serverless-lift plugin, which is not run locally; nothing is created for it",
            )
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
            self.problem(join_path(path, "timeout"), f"a number of seconds, not {kind_of(value)}")
            return default
        if not limits.MIN_TIMEOUT_S <= value <= limits.MAX_TIMEOUT_S:
            self.problem(
                join_path(path, "timeout"),
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
        self.problem(join_path(path, "architecture"), f"x86_64 or arm64, not {value!r}")
        return default

    def _environment(self, node: dict[str, Any], path: str) -> dict[str, Any]:
        env = self.mapping(node, "environment", path)
        result: dict[str, Any] = {}
        for name, value in env.items():
            where = join_path(join_path(path, "environment"), name)
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", str(name)):
                self.problem(
                    where,
                    "an environment variable name (letters, digits, _; starting with a letter)",
                )
            elif isinstance(value, dict) and is_intrinsic(value):
                result[name] = value
            elif isinstance(value, dict | list):
                self.problem(
                    where, f"a string, number or CloudFormation reference, not {kind_of(value)}"
                )
            elif value is None:
                self.problem(where, "a value (environment variables cannot be null)")
            else:
                result[name] = value if isinstance(value, str) else scalar_text(value)
        return result

    def _statements(self, provider: dict[str, Any]) -> list[Any]:
        statements: list[Any] = []
        if "iamRoleStatements" in provider:
            node = provider["iamRoleStatements"]
            base = "provider.iamRoleStatements"
            if not isinstance(node, list):
                self.problem(base, f"a list of statements, not {kind_of(node)}")
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
                        "provider.iam.role.statements", f"a list of statements, not {kind_of(node)}"
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
                    where,
                    f"a statement mapping (Effect, Action, Resource), not {kind_of(statement)}",
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
            self.problem("provider.httpApi.cors", f"true or a mapping, not {kind_of(cors)}")
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
            origins=string_list(cors.get("allowedOrigins", ["*"])),
            headers=string_list(cors.get("allowedHeaders", DEFAULT_CORS_HEADERS)),
            methods=string_list(cors.get("allowedMethods", ["*"])),
            allow_credentials=bool(cors.get("allowCredentials", False)),
            max_age=cors.get("maxAge"),
            expose_headers=string_list(cors.get("exposedResponseHeaders", [])),
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
            self.problem(path, f"a function mapping with at least handler:, not {kind_of(node)}")
            return None
        if "image" in node and "handler" not in node:
            self.warn(
                f"{path}.image",
                "a container image function: images are not built or run locally; the function is skipped",
            )
            return None
        function_runtime = self.string(node, "runtime", path) or runtime
        if not function_runtime.startswith("python"):
            self.warn(
                f"{path}.runtime",
                f"{function_runtime}: only Python handlers run locally; the function is skipped",
            )
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
                f"{handler_file} not found next to {self.file.name}; invoking it will fail with Runtime.ImportModuleError",
            )
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
            self.problem(f"{path}.events", f"a list of events, not {kind_of(raw_events)}")
            raw_events = []
        for i, event in enumerate(raw_events):
            parsed = self.events.read(event, f"{path}.events[{i}]")
            if parsed is not None:
                events.append(parsed)
        return FunctionSpec(
            key=key,
            name=self.function_name(
                self.string(node, "name", path) or f"{service}-{self.resolver.stage}-{key}",
                f"{path}.name" if "name" in node else path,
            ),
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
                self.problem(base, f"a mapping with Resources, not {kind_of(block)}")
                continue
            self.warn_unknown(block, {"Resources"}, base, "resources")
            entries = self.mapping(block, "Resources", base)
            for logical_id, resource in entries.items():
                where = f"{base}.Resources.{logical_id}"
                if not isinstance(resource, dict):
                    self.problem(
                        where,
                        f"a resource mapping with Type and Properties, not {kind_of(resource)}",
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
                    self.problem(f"{where}.Properties", f"a mapping, not {kind_of(properties)}")
                    properties = {}
                if supported:
                    self.check_resource_properties(kind, properties, f"{where}.Properties")
                depends = resource.get("DependsOn") or []
                resources[logical_id] = ResourceSpec(
                    logical_id=logical_id,
                    type=kind,
                    properties=properties,
                    depends_on=[depends] if isinstance(depends, str) else list(depends),
                    supported=supported,
                )
        return resources
