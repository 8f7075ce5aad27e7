"""AWS SAM templates (template.yaml) loaded into the ServiceSpec a serverless.yml gives.

What is read: Parameters (defaults, samconfig.toml `parameter_overrides`, and
`--parameter-overrides`), Mappings, Conditions (Fn::Equals/Not/And/Or, Condition),
Globals.Function; AWS::Serverless::Function (Handler, Runtime, CodeUri,
FunctionName, MemorySize, Timeout, Environment, Architectures, EphemeralStorage,
Policies: SAM policy templates, AWS-managed policy names, inline statements; Role;
DeadLetterQueue; EventInvokeConfig; Events: Api, HttpApi, SQS, SNS, S3, Schedule,
ScheduleV2, DynamoDB; InlineCode), AWS::Lambda::Function with a Python runtime (Code:
ZipFile or a local folder; Role; DeadLetterConfig) and the AWS::Lambda::EventSourceMapping
from a queue or table stream of the template to it, AWS::Serverless::SimpleTable (as a
DynamoDB table), AWS::Serverless::Api and HttpApi (their stage), and the plain
CloudFormation types of resource_types.py.

Inline code (InlineCode, Code.ZipFile; its zip at most 4 MB) is written, as CloudFormation
does, to index.py, in a folder of its own under the data dir's cache named by a hash of
the code: the function runs from there like any other. A cache rather than a temporary
folder because a deployment has no one end (`invoke` closes its router before invoking).

Parameters, Fn::If, Fn::FindInMap and conditions are settled here, once; Ref,
Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select and Fn::Split stay as written for the
stack to resolve against the account, as for a serverless.yml. Everything else is
a warning naming its logical id (or key path) and type; a broken file raises
ServiceConfigError naming file and key path.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shlex
import shutil
import time
import tomllib
import zipfile
from pathlib import Path
from typing import Any

from serverless_tutor import limits
from serverless_tutor.atomic_write import write_atomically
from serverless_tutor.cloud.config_reader import ConfigReader, is_intrinsic, kind_of, scalar_text
from serverless_tutor.cloud.resource_types import SUPPORTED_RESOURCE_TYPES
from serverless_tutor.cloud.sam_policies import managed_policy_statements, template_statements
from serverless_tutor.cloud.service import ServiceConfigError, read_stack_yaml
from serverless_tutor.cloud.service_events import EventReader
from serverless_tutor.cloud.service_spec import (
    Architecture,
    Event,
    FunctionSpec,
    ResourceSpec,
    S3Event,
    ServiceSpec,
)
from serverless_tutor.cloud.variables import ResolvedVariable
from serverless_tutor.paths import data_home
from serverless_tutor.problems import Problem

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
# The implicit REST API's stage (SAM names it Prod); an explicit Api's StageName wins.
IMPLICIT_API_STAGE = "Prod"

# Intrinsics the stack resolves later, and the ones settled here.
_KEPT_INTRINSICS = {"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split"}
_SETTLED_INTRINSICS = {"Fn::If", "Fn::FindInMap", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"}
# Real CloudFormation functions the local account cannot evaluate: fine where nothing uses them.
_OTHER_CLOUDFORMATION = {
    "Fn::ImportValue",
    "Fn::GetAZs",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::Transform",
    "Fn::Length",
    "Fn::ToJsonString",
    "Fn::ForEach",
}
_PSEUDO_PARAMETERS = {
    "AWS::Region",
    "AWS::AccountId",
    "AWS::Partition",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::URLSuffix",
    "AWS::NoValue",
    "AWS::NotificationARNs",
}

_TOP_KEYS = {
    "AWSTemplateFormatVersion",
    "Transform",
    "Description",
    "Metadata",
    "Parameters",
    "Mappings",
    "Conditions",
    "Globals",
    "Resources",
    "Outputs",
}
_FUNCTION_KEYS = {
    "Handler",
    "Runtime",
    "CodeUri",
    "InlineCode",
    "PackageType",
    "FunctionName",
    "Description",
    "MemorySize",
    "Timeout",
    "Environment",
    "Architectures",
    "EphemeralStorage",
    "Policies",
    "Role",
    "Events",
    "DeadLetterQueue",
    "EventInvokeConfig",
    "Tags",
    "Tracing",
    "AutoPublishAlias",
    "LoggingConfig",
}
_IGNORED_FUNCTION_KEYS = {"Tags", "Tracing", "AutoPublishAlias", "LoggingConfig", "Description"}
# A plain CloudFormation function: what is read (Code, Role, DeadLetterConfig) or harmlessly ignored.
_LAMBDA_FUNCTION_KEYS = {
    "Code",
    "PackageType",  # Zip; an Image function is skipped before the keys are read
    "Handler",
    "Runtime",
    "FunctionName",
    "Description",
    "MemorySize",
    "Timeout",
    "Environment",
    "Architectures",
    "EphemeralStorage",
    "Role",
    "DeadLetterConfig",
    "Tags",
    "TracingConfig",
    "LoggingConfig",
}
_FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
# CloudFormation writes inline code (Code.ZipFile; SAM's InlineCode becomes it) to a file
# named index and zips it; the zip may be at most 4 MB. (Until 2022 the limit was 4096
# characters of code; public templates now go past it: serverless-patterns has 4915 bytes.)
INLINE_CODE_MODULE = "index"
INLINE_CODE_KEPT_DAYS = 30
_INLINE_CODE_DIGEST = re.compile(r"[0-9a-f]{32}")
INLINE_CODE_MAX_ZIP_BYTES = 4 * 1024 * 1024
_IMPORTS_CFNRESPONSE = re.compile(r"^\s*(import|from)\s+cfnresponse\b", re.MULTILINE)
_MODULE_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_NOT_CREATED_SAM_TYPES = {
    "AWS::Serverless::StateMachine": "state machines are not run locally",
    "AWS::Serverless::LayerVersion": "layers are not built locally; a function's imports must be next to its code",
    "AWS::Serverless::Application": "nested applications are not fetched locally",
    "AWS::Serverless::Connector": "connectors are not translated locally; grant access with Policies",
    "AWS::Serverless::GraphQLApi": "AppSync is not emulated locally",
    "AWS::Lambda::Permission": "invoke permissions are not checked locally, and what they wire"
    " up (API Gateway, load balancer, log or S3 notifications) is not routed; routes come from"
    " Api/HttpApi events of an AWS::Serverless::Function",
}

_NO_VALUE = object()  # AWS::NoValue: the key or list item disappears


def load_sam_template(
    path: str | Path,
    *,
    parameter_overrides: dict[str, str] | None = None,
    region: str | None = None,
    stack_name: str | None = None,
    account_id: str = "123456789012",
) -> ServiceSpec:
    """Read and check a SAM template (and a samconfig.toml beside it). Raises ServiceConfigError."""
    file = Path(path)
    raw = _read_template(file)
    samconfig = _read_samconfig(file.parent / "samconfig.toml")
    overrides = {**samconfig.parameter_overrides, **(parameter_overrides or {})}
    builder = _SamBuilder(
        file,
        raw,
        overrides=overrides,
        region=region or samconfig.region or "us-east-1",
        stack_name=stack_name or samconfig.stack_name or _folder_stack_name(file),
    )
    spec = builder.build()
    if builder.problems:
        raise ServiceConfigError(builder.problems)
    return spec


def looks_like_sam(raw: Any) -> bool:
    """A parsed file is a CloudFormation/SAM template (not a serverless.yml)."""
    if not isinstance(raw, dict):
        return False
    transform = raw.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform]
    return (
        SAM_TRANSFORM in transforms
        or "AWSTemplateFormatVersion" in raw
        or ("Resources" in raw and "service" not in raw)
    )


def parse_parameter_overrides(text: str) -> dict[str, str]:
    """`Key=Value Other="two words"` (sam's --parameter-overrides form) as a dict.

    Also accepts sam's long form `ParameterKey=K,ParameterValue=V`. Raises ValueError.
    """
    result: dict[str, str] = {}
    for part in shlex.split(text):
        long_form = re.fullmatch(r"ParameterKey=([^,]+),ParameterValue=(.*)", part)
        if long_form:
            result[long_form.group(1)] = long_form.group(2)
            continue
        key, equals, value = part.partition("=")
        if not equals or not key:
            raise ValueError(f"Key=Value pairs separated by spaces, not {part!r}")
        result[key] = value
    return result


# -- the files -----------------------------------------------------------------------------


def _read_template(file: Path) -> dict[str, Any]:
    raw = read_stack_yaml(file)
    if not isinstance(raw, dict) or not isinstance(raw.get("Resources"), dict):
        raise ServiceConfigError(
            [
                Problem(
                    file=str(file),
                    field="Resources",
                    expected="a SAM template: a YAML mapping with a Resources mapping",
                )
            ]
        )
    return raw


class _SamConfig:
    def __init__(self) -> None:
        self.parameter_overrides: dict[str, str] = {}
        self.region: str | None = None
        self.stack_name: str | None = None


def _read_samconfig(file: Path) -> _SamConfig:
    """samconfig.toml's `default` environment: deploy parameters over global ones."""
    config = _SamConfig()
    if not file.is_file():
        return config
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ServiceConfigError(
            [Problem(file=str(file), field="(file)", expected=f"valid TOML ({error})")]
        ) from error
    environment = data.get("default") if isinstance(data.get("default"), dict) else {}
    merged: dict[str, Any] = {}
    for command in ("global", "deploy"):
        section = environment.get(command) if isinstance(environment, dict) else None
        parameters = section.get("parameters") if isinstance(section, dict) else None
        if isinstance(parameters, dict):
            merged.update(parameters)
    overrides = merged.get("parameter_overrides")
    try:
        if isinstance(overrides, str):
            config.parameter_overrides = parse_parameter_overrides(overrides)
        elif isinstance(overrides, list):
            config.parameter_overrides = parse_parameter_overrides(" ".join(map(str, overrides)))
    except ValueError as error:
        raise ServiceConfigError(
            [
                Problem(
                    file=str(file),
                    field="default.deploy.parameters.parameter_overrides",
                    expected=str(error),
                )
            ]
        ) from error
    if isinstance(merged.get("region"), str):
        config.region = merged["region"]
    if isinstance(merged.get("stack_name"), str):
        config.stack_name = merged["stack_name"]
    return config


def _folder_stack_name(file: Path) -> str:
    """The folder's name as a stack name, cut to 32 characters so names built from it fit."""
    name = re.sub(r"[^A-Za-z0-9-]", "-", file.resolve().parent.name).strip("-")[:32].strip("-")
    return name or "sam-app"


# -- the template -------------------------------------------------------------------------


class _SamBuilder(ConfigReader):
    def __init__(
        self,
        file: Path,
        raw: dict[str, Any],
        *,
        overrides: dict[str, str],
        region: str,
        stack_name: str,
    ):
        super().__init__(file)
        self.raw = raw
        self.region = region
        self.stack_name = stack_name
        self.notes: list[str] = []
        self.variables: list[ResolvedVariable] = []
        self.parameters = self._parameters(overrides)
        self.mappings = self.mapping(raw, "Mappings", "")
        self.condition_nodes = self.mapping(raw, "Conditions", "")
        self.conditions: dict[str, bool] = {}
        self.events = EventReader(self)
        self.stage = IMPLICIT_API_STAGE

    def build(self) -> ServiceSpec:
        raw = self.raw
        self.warn_unknown(raw, _TOP_KEYS, "", "top-level")
        if "Outputs" in raw:
            self.notes.append("Outputs are not evaluated locally (nothing reads them here)")
        globals_node = self.settle(self.mapping(raw, "Globals", ""), "Globals")
        self.warn_unknown(
            globals_node, {"Function", "Api", "HttpApi", "SimpleTable"}, "Globals", "Globals"
        )
        function_globals = self.mapping(globals_node, "Function", "Globals")
        for section in ("Api", "HttpApi", "SimpleTable"):
            for key in self.mapping(globals_node, section, "Globals"):
                self.warn(
                    f"Globals.{section}.{key}",
                    f"{section} setting not emulated locally (routes are served by offline); ignored",
                )

        resources_raw: dict[str, Any] = raw["Resources"]
        resources: dict[str, ResourceSpec] = {}
        function_nodes: dict[str, tuple[str, dict[str, Any]]] = {}
        source_mappings: dict[str, dict[str, Any]] = {}
        for logical_id, node in resources_raw.items():
            where = f"Resources.{logical_id}"
            if not isinstance(node, dict) or not isinstance(node.get("Type"), str):
                self.problem(where, "a resource mapping with Type and Properties")
                continue
            kind = node["Type"]
            condition = node.get("Condition")
            if isinstance(condition, str) and not self.condition(condition, f"{where}.Condition"):
                self.notes.append(f"{logical_id} is not created: condition {condition} is false")
                continue
            properties = self.settle(node.get("Properties") or {}, f"{where}.Properties")
            if not isinstance(properties, dict):
                self.problem(f"{where}.Properties", f"a mapping, not {kind_of(properties)}")
                continue
            depends = node.get("DependsOn") or []
            depends_on = [depends] if isinstance(depends, str) else [str(d) for d in depends]
            if kind in _FUNCTION_TYPES:
                function_nodes[logical_id] = (kind, properties)
            elif kind == "AWS::Lambda::EventSourceMapping":
                source_mappings[logical_id] = properties
                resources[logical_id] = ResourceSpec(
                    logical_id=logical_id, type=kind, properties={}, supported=False
                )
            elif kind == "AWS::Serverless::SimpleTable":
                resources[logical_id] = self._simple_table(logical_id, properties, depends_on)
            elif kind in ("AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
                self._api(logical_id, kind, properties)
                resources[logical_id] = ResourceSpec(
                    logical_id=logical_id, type=kind, properties={}, supported=False
                )
            elif kind in SUPPORTED_RESOURCE_TYPES:
                self.check_resource_properties(kind, properties, f"{where}.Properties")
                resources[logical_id] = ResourceSpec(
                    logical_id=logical_id, type=kind, properties=properties, depends_on=depends_on
                )
            else:
                reason = _NOT_CREATED_SAM_TYPES.get(kind, "not created locally")
                self.warn(f"{where}.Type", f"{logical_id} ({kind}): {reason}; skipped")
                resources[logical_id] = ResourceSpec(
                    logical_id=logical_id, type=kind, properties={}, supported=False
                )

        functions: dict[str, FunctionSpec] = {}
        for logical_id, (kind, properties) in function_nodes.items():
            # Globals are SAM's: a plain AWS::Lambda::Function does not take them.
            if kind == "AWS::Serverless::Function":
                properties = _merge_globals(function_globals, properties)
            spec = self._function(logical_id, kind, properties, resources_raw)
            if spec is not None:
                functions[logical_id] = spec
            else:  # skipped (a warning says why): what refers to it gets a placeholder
                resources[logical_id] = ResourceSpec(
                    logical_id=logical_id, type=kind, supported=False
                )
        for logical_id, properties in source_mappings.items():
            self._source_mapping(logical_id, properties, functions, resources_raw)
        if not functions:
            self.warn("Resources", "no function that runs locally")
        description = raw.get("Description")
        if isinstance(description, str) and description.strip():
            self.notes.append(f"template: {description.strip().splitlines()[0]}")
        return ServiceSpec(
            path=str(self.file),
            format="sam",
            stack_name=self.stack_name,
            resources_path="Resources",
            service=self.stack_name,
            stage=self.stage,
            region=self.region,
            runtime=next((f.runtime for f in functions.values()), "python3.12"),
            functions=functions,
            resources=resources,
            variables=self.variables,
            warnings=self.warnings,
            notes=self.notes,
        )

    # -- parameters, conditions, settled intrinsics ------------------------------------------

    def _parameters(self, overrides: dict[str, str]) -> dict[str, Any]:
        declared = self.mapping(self.raw, "Parameters", "")
        values: dict[str, Any] = {}
        for name, node in declared.items():
            where = f"Parameters.{name}"
            if not isinstance(node, dict):
                self.problem(where, f"a parameter mapping with Type, not {kind_of(node)}")
                continue
            kind = str(node.get("Type", "String"))
            if name in overrides:
                value: Any = overrides[name]
                source = "--parameter-overrides / samconfig.toml"
            elif "Default" in node:
                value = node["Default"]
                source = "Default"
            else:
                allowed_values = node.get("AllowedValues")
                if isinstance(allowed_values, list) and allowed_values:
                    value = allowed_values[0]
                else:
                    value = 0 if kind == "Number" else f"unset-{name.lower()}"
                source = "placeholder"
                self.warn(
                    where,
                    f"no Default and no override: {value!r} stands in for it"
                    f" (give --parameter-overrides {name}=... for a real value)",
                )
            allowed = node.get("AllowedValues")
            if isinstance(allowed, list) and str(value) not in [str(a) for a in allowed]:
                self.problem(
                    where, f"one of {', '.join(map(str, allowed))} (AllowedValues), not {value!r}"
                )
            if kind == "Number":
                try:
                    value = int(str(value)) if re.fullmatch(r"-?\d+", str(value)) else float(value)
                except ValueError:
                    self.problem(where, f"a number (Type: Number), not {value!r}")
            elif kind.startswith("List<") or kind == "CommaDelimitedList":
                value = [v.strip() for v in str(value).split(",")] if value != "" else []
            elif not isinstance(value, str):
                value = scalar_text(value)
            values[name] = value
            self.variables.append(
                ResolvedVariable(path=where, expression=f"Ref {name} ({source})", value=value)
            )
        for name in overrides:
            if name not in declared:
                self.warn(
                    f"Parameters.{name}",
                    "an override for a parameter the template does not declare; ignored",
                )
        return values

    def condition(self, name: str, path: str) -> bool:
        if name in self.conditions:
            return self.conditions[name]
        if name not in self.condition_nodes:
            self.problem(path, f"a condition declared under Conditions, not {name!r}")
            return False
        self.conditions[name] = False  # a loop reads False rather than recursing forever
        value = self._truth(self.condition_nodes[name], f"Conditions.{name}")
        self.conditions[name] = value
        return value

    def _truth(self, node: Any, path: str) -> bool:
        if isinstance(node, bool):
            return node
        if isinstance(node, dict) and len(node) == 1:
            ((key, argument),) = node.items()
            if key == "Condition" and isinstance(argument, str):
                return self.condition(argument, path)
            if key == "Fn::Equals" and isinstance(argument, list) and len(argument) == 2:
                left, right = (self.settle(a, path) for a in argument)
                return _text(left) == _text(right)
            if key == "Fn::Not" and isinstance(argument, list) and len(argument) == 1:
                return not self._truth(argument[0], path)
            if key in ("Fn::And", "Fn::Or") and isinstance(argument, list):
                results = [self._truth(a, f"{path}.{key}[{i}]") for i, a in enumerate(argument)]
                return all(results) if key == "Fn::And" else any(results)
        self.problem(
            path,
            "a condition: Fn::Equals [a, b], Fn::Not [c], Fn::And/Fn::Or [c, ...] or Condition: Name",
        )
        return False

    def settle(self, node: Any, path: str) -> Any:
        """Parameters, Fn::If and Fn::FindInMap replaced by their values; AWS::NoValue removed."""
        value = self._settle(node, path)
        return None if value is _NO_VALUE else value

    def _settle(self, node: Any, path: str) -> Any:
        if isinstance(node, list):
            items = [self._settle(v, f"{path}[{i}]") for i, v in enumerate(node)]
            return [v for v in items if v is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, argument),) = node.items()
            if key == "Ref" and isinstance(argument, str):
                if argument == "AWS::NoValue":
                    return _NO_VALUE
                if argument in self.parameters:
                    return self.parameters[argument]
                if argument in _PSEUDO_PARAMETERS or argument in self.raw["Resources"]:
                    return node
                base, _, suffix = argument.rpartition(".")
                if base in self.raw["Resources"] and suffix in ("Alias", "Version"):
                    return {"Ref": base}  # AutoPublishAlias: the alias invokes the same code here
                stage_of = self._implicit_stage(argument)
                if stage_of is not None:
                    return stage_of
                if argument in ("ServerlessRestApi", "ServerlessHttpApi"):
                    return f"<{argument}: the implicit API is served by offline, not created>"
                if base in self.raw["Resources"] and suffix == "Stage":
                    stage = ((self.raw["Resources"][base] or {}).get("Properties") or {}).get(
                        "StageName"
                    )
                    return stage if isinstance(stage, str) else IMPLICIT_API_STAGE
                self.problem(path, f"Ref {argument!r}: no parameter or resource with that name")
                return node
            if key == "Fn::If":
                if not (isinstance(argument, list) and len(argument) == 3):
                    self.problem(path, "Fn::If takes [Condition, value if true, value if false]")
                    return None
                chosen = argument[1] if self.condition(str(argument[0]), path) else argument[2]
                return self._settle(chosen, path)
            if key == "Fn::FindInMap":
                return self._find_in_map(argument, path)
            if key == "Fn::Sub":
                return {key: self._sub(argument, path)}
            if key in _KEPT_INTRINSICS:
                return {key: self._settle(argument, path)}
            if key in _OTHER_CLOUDFORMATION:
                return node  # the stack says so if something uses it
            if key.startswith("Fn::") or key in _SETTLED_INTRINSICS:
                self.problem(
                    path,
                    f"a CloudFormation intrinsic function, not {key!r} "
                    "(Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::FindInMap)",
                )
                return None
        result: dict[str, Any] = {}
        for key, value in node.items():
            settled = self._settle(value, f"{path}.{key}")
            if settled is not _NO_VALUE:
                result[key] = settled
        return result

    def _implicit_stage(self, name: str) -> str | None:
        """SAM's generated `<Api><StageName>Stage` resource: its Ref is the stage name."""
        for logical_id, node in self.raw["Resources"].items():
            if not isinstance(node, dict) or node.get("Type") != "AWS::Serverless::Api":
                continue
            stage = (node.get("Properties") or {}).get("StageName")
            if isinstance(stage, str) and name == f"{logical_id}{stage}Stage":
                return stage
        if name == f"ServerlessRestApi{IMPLICIT_API_STAGE}Stage":
            return IMPLICIT_API_STAGE
        return None

    def _sub(self, argument: Any, path: str) -> Any:
        """Parameters in `${Name}` become their values; resource names stay for the stack."""
        text, variables = argument, None
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            text, variables = argument[0], self._settle(argument[1], path)
        if not isinstance(text, str):
            self.problem(path, "Fn::Sub takes a string or [string, {Name: value}]")
            return argument

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if variables and name in variables:
                return match.group(0)
            if name in self.parameters:
                value = self.parameters[name]
                return ",".join(value) if isinstance(value, list) else _text(value)
            return match.group(0)

        substituted = re.sub(r"\$\{([^!}][^}]*)\}", replace, text)
        return [substituted, variables] if variables is not None else substituted

    def _find_in_map(self, argument: Any, path: str) -> Any:
        if not (isinstance(argument, list) and len(argument) == 3):
            self.problem(path, "Fn::FindInMap takes [MapName, TopKey, SecondKey]")
            return None
        names = [self._settle(a, path) for a in argument]
        keys = [_text(n) for n in names]
        value: Any = self.mappings
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                self.problem(path, f"Fn::FindInMap {'.'.join(keys)}: no such entry in Mappings")
                return None
            value = value[key]
        return value

    # -- resources ---------------------------------------------------------------------------

    def _simple_table(
        self, logical_id: str, properties: dict[str, Any], depends_on: list[str]
    ) -> ResourceSpec:
        where = f"Resources.{logical_id}.Properties"
        self.warn_unknown(
            properties,
            {"PrimaryKey", "TableName", "ProvisionedThroughput", "Tags", "SSESpecification"},
            where,
            "SimpleTable",
        )
        key = self.mapping(properties, "PrimaryKey", where) or {"Name": "id", "Type": "String"}
        attribute_type = {"String": "S", "Number": "N", "Binary": "B"}.get(
            str(key.get("Type", "String"))
        )
        if attribute_type is None:
            self.problem(f"{where}.PrimaryKey.Type", "String, Number or Binary")
            attribute_type = "S"
        table: dict[str, Any] = {
            "AttributeDefinitions": [
                {"AttributeName": key.get("Name", "id"), "AttributeType": attribute_type}
            ],
            "KeySchema": [{"AttributeName": key.get("Name", "id"), "KeyType": "HASH"}],
        }
        if "TableName" in properties:
            table["TableName"] = properties["TableName"]
        if "ProvisionedThroughput" in properties:
            table["ProvisionedThroughput"] = properties["ProvisionedThroughput"]
        else:
            table["BillingMode"] = "PAY_PER_REQUEST"
        return ResourceSpec(
            logical_id=logical_id,
            type="AWS::DynamoDB::Table",
            properties=table,
            depends_on=depends_on,
        )

    def _api(self, logical_id: str, kind: str, properties: dict[str, Any]) -> None:
        where = f"Resources.{logical_id}.Properties"
        if kind == "AWS::Serverless::Api":
            stage = properties.get("StageName")
            if isinstance(stage, str) and stage:
                self.stage = stage
        for key in properties:
            if key not in ("StageName", "Name", "Description"):
                self.warn(
                    f"{where}.{key}",
                    f"{logical_id} ({kind}) setting not emulated locally (routes are served by offline); ignored",
                )

    # -- functions ---------------------------------------------------------------------------

    def _function(
        self, logical_id: str, kind: str, node: dict[str, Any], resources_raw: dict[str, Any]
    ) -> FunctionSpec | None:
        path = f"Resources.{logical_id}.Properties"
        code = node.get("Code")
        if (
            node.get("PackageType") == "Image"
            or "ImageUri" in node
            or (isinstance(code, dict) and "ImageUri" in code)
        ):
            self.warn(
                f"{path}.PackageType",
                f"{logical_id} ({kind}): a container image function; images are not built or run locally; skipped",
            )
            return None
        runtime = self.string(node, "Runtime", path, required=True) or "python3.12"
        if not runtime.startswith("python"):
            self.warn(
                f"{path}.Runtime",
                f"{logical_id} ({kind}): {runtime}: only Python handlers run locally; skipped",
            )
            return None
        known_keys = (
            _FUNCTION_KEYS if kind == "AWS::Serverless::Function" else _LAMBDA_FUNCTION_KEYS
        )
        for key in node:
            if key == "Layers":
                self.warn(
                    f"{path}.Layers",
                    "layers are not fetched locally; what the handler imports from them must be installed here",
                )
            elif key not in known_keys:
                self.warn(f"{path}.{key}", "function setting not emulated locally; ignored")
        handler = self.string(node, "Handler", path, required=True)
        if handler is None:
            return None
        module, _, function = handler.rpartition(".")
        if not module or not function:
            self.problem(
                f"{path}.Handler", f"module.function (e.g. app.lambda_handler), not {handler!r}"
            )
            return None
        located = self._code_location(logical_id, kind, node, path, module)
        if located is None:
            return None
        code_dir, handler_file = located
        if kind == "AWS::Lambda::Function" and "Role" not in node:
            self.warn(
                f"{path}.Role",
                "required by CloudFormation; without a role this function may make no AWS calls here",
            )
        name = self.function_name(
            self._function_name(node, logical_id, path), f"{path}.FunctionName"
        )
        memory = (
            self.integer(
                node, "MemorySize", path, 128, limits.MIN_MEMORY_MB, limits.MAX_MEMORY_MB, " MB"
            )
            or 128
        )
        timeout = (
            self.integer(node, "Timeout", path, 3, limits.MIN_TIMEOUT_S, limits.MAX_TIMEOUT_S, " s")
            or 3
        )
        environment = self._environment(node, path)
        statements, role_name, enforce = self._role(logical_id, node, path, resources_raw)
        events: list[Event] = []
        for event_name, event in self.mapping(node, "Events", path).items():
            parsed = self._event(event, f"{path}.Events.{event_name}")
            if parsed is not None:
                events.append(parsed)
        invoke_config = self.mapping(node, "EventInvokeConfig", path)
        retries = self.integer(
            invoke_config,
            "MaximumRetryAttempts",
            f"{path}.EventInvokeConfig",
            limits.ASYNC_MAX_RETRIES,
            0,
            limits.ASYNC_MAX_RETRIES,
        )
        on_failure = (
            ((invoke_config.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
                "Destination"
            )
            if isinstance(invoke_config.get("DestinationConfig"), dict)
            else None
        )
        dead_letter = self.mapping(
            node,
            "DeadLetterQueue" if kind == "AWS::Serverless::Function" else "DeadLetterConfig",
            path,
        ).get("TargetArn")
        return FunctionSpec(
            key=logical_id,
            name=name,
            handler=handler,
            handler_file=handler_file,
            handler_function=function,
            runtime=runtime,
            memory_mb=memory,
            timeout_s=float(timeout),
            architecture=self._architecture(node, path),
            ephemeral_storage_mb=self.integer(
                self.mapping(node, "EphemeralStorage", path),
                "Size",
                f"{path}.EphemeralStorage",
                limits.DEFAULT_EPHEMERAL_MB,
                limits.MIN_EPHEMERAL_MB,
                limits.MAX_EPHEMERAL_MB,
                " MB",
            )
            or limits.DEFAULT_EPHEMERAL_MB,
            environment=environment,
            events=events,
            maximum_retry_attempts=limits.ASYNC_MAX_RETRIES if retries is None else retries,
            on_failure=on_failure,
            dead_letter=dead_letter,
            code_dir=code_dir,
            iam_statements=statements,
            role_name=role_name,
            enforce_iam=enforce,
        )

    def _code_location(
        self, logical_id: str, kind: str, node: dict[str, Any], path: str, module: str
    ) -> tuple[str, str] | None:
        """(code folder, handler file): relative to the template, or the inline code's own
        folder; None when the function is skipped (a warning or problem says why)."""
        code = node.get("Code")
        if kind == "AWS::Serverless::Function" and "InlineCode" in node:
            return self._inline_code(node["InlineCode"], f"{path}.InlineCode", path, module)
        if kind == "AWS::Lambda::Function":
            if isinstance(code, dict) and "ZipFile" in code:
                return self._inline_code(code["ZipFile"], f"{path}.Code.ZipFile", path, module)
            if isinstance(code, dict) and "S3Bucket" in code:
                self.warn(
                    f"{path}.Code",
                    f"{logical_id} ({kind}): code in S3 (S3Bucket/S3Key) cannot be fetched locally; skipped",
                )
                return None
            if not isinstance(code, str) or not code.strip():
                self.problem(
                    f"{path}.Code",
                    "the function's code: {ZipFile: <Python source>}, {S3Bucket, S3Key} or a local folder",
                )
                return None
            code_uri: Any = code  # a local folder, as `aws cloudformation package` takes it
        else:
            code_uri = node.get("CodeUri", ".")
            if not isinstance(code_uri, str):
                self.warn(
                    f"{path}.CodeUri",
                    "code in S3 (Bucket/Key) cannot be fetched locally; the template's folder is used",
                )
                code_uri = "."
        code_dir = code_uri.strip().rstrip("/") or "."
        handler_file = str(Path(code_dir) / (module.replace(".", "/") + ".py"))
        if not (self.file.parent / handler_file).is_file():
            self.warn(
                f"{path}.Handler",
                f"{handler_file} not found next to {self.file.name}; invoking it will fail with Runtime.ImportModuleError",
            )
        return code_dir, handler_file

    def _inline_code(self, code: Any, where: str, path: str, module: str) -> tuple[str, str] | None:
        """Inline code written, as CloudFormation does, to index.py in a folder of its own."""
        if isinstance(code, dict) and is_intrinsic(code):
            self.warn(
                where,
                "inline code built with an intrinsic function is not evaluated locally; skipped",
            )
            return None
        if not isinstance(code, str):
            self.problem(where, f"the function's Python source as text, not {kind_of(code)}")
            return None
        size = _zipped_size(code)
        if size > INLINE_CODE_MAX_ZIP_BYTES:
            self.problem(
                where,
                f"inline code whose zip is at most {INLINE_CODE_MAX_ZIP_BYTES} bytes"
                f" (CloudFormation's limit), not {size}; put it in a file under CodeUri",
            )
            return None
        if not _MODULE_PATH.fullmatch(module):
            self.problem(
                f"{path}.Handler",
                f"a module name for inline code (e.g. {INLINE_CODE_MODULE}.handler), not {module!r}",
            )
            return None
        if module != INLINE_CODE_MODULE:
            self.warn(
                f"{path}.Handler",
                f"inline code is written to {INLINE_CODE_MODULE}.py (as on AWS), not "
                f"{module.replace('.', '/')}.py: invoking it will fail with "
                f"Runtime.ImportModuleError; name the handler {INLINE_CODE_MODULE}.<function>",
            )
        if _IMPORTS_CFNRESPONSE.search(code):
            self.warn(
                where,
                "imports cfnresponse, which CloudFormation puts next to inline code for custom"
                " resources; custom resources are not run locally and cfnresponse is not"
                " provided, so invoking this function fails with Runtime.ImportModuleError",
            )
        folder = inline_code_folder(code)
        return str(folder), str(folder / (module.replace(".", "/") + ".py"))

    def _source_mapping(
        self,
        logical_id: str,
        node: dict[str, Any],
        functions: dict[str, FunctionSpec],
        resources_raw: dict[str, Any],
    ) -> None:
        """An AWS::Lambda::EventSourceMapping from an SQS queue or a DynamoDB stream of
        this template becomes the function's SQS/DynamoDB event."""
        where = f"Resources.{logical_id}.Properties"
        target = _role_logical_id(node.get("FunctionName"))  # !Ref F or !GetAtt F.Arn
        if target is None and isinstance(node.get("FunctionName"), str):
            target = next((k for k, f in functions.items() if f.name == node["FunctionName"]), None)
        source = node.get("EventSourceArn")
        source_id, attribute = _get_att(source)
        source_type = (resources_raw.get(source_id) or {}).get("Type") if source_id else None
        kind = {
            ("AWS::SQS::Queue", "Arn"): "SQS",
            ("AWS::DynamoDB::Table", "StreamArn"): "DynamoDB",
        }.get((str(source_type), attribute))
        if target not in functions or kind is None:
            self.warn(
                f"Resources.{logical_id}.Type",
                f"{logical_id} (AWS::Lambda::EventSourceMapping): only a mapping from an SQS queue"
                " (!GetAtt Queue.Arn) or a DynamoDB stream (!GetAtt Table.StreamArn) of this"
                " template to a function that runs here is wired locally; skipped",
            )
            return
        assert target is not None
        settings = {
            key: value
            for key, value in node.items()
            if key not in ("FunctionName", "EventSourceArn")
        }
        known = {
            "BatchSize",
            "Enabled",
            "FunctionResponseTypes",
            *(("MaximumBatchingWindowInSeconds",) if kind == "SQS" else ()),
            *(("StartingPosition", "MaximumRetryAttempts") if kind == "DynamoDB" else ()),
        }
        body = {key: value for key, value in settings.items() if key in known}
        for key in settings:
            if key not in known:
                self.warn(f"{where}.{key}", f"{kind} event setting not emulated locally; ignored")
        body["Queue" if kind == "SQS" else "Stream"] = source
        parsed = self._event({"Type": kind, "Properties": body}, f"Resources.{logical_id}")
        if parsed is not None:
            functions[target].events.append(parsed)

    def _function_name(self, node: dict[str, Any], logical_id: str, path: str) -> str:
        """FunctionName as written, or with `${AWS::StackName}`-style pseudo parameters filled in."""
        written = node.get("FunctionName")
        if written is None:
            return _default_name(self.stack_name, logical_id)
        if isinstance(written, str | int):
            return str(written)
        text = self._static_text(written)
        if text is None:
            self.warn(
                f"{path}.FunctionName",
                "refers to other resources; the generated name is used locally",
            )
            return _default_name(self.stack_name, logical_id)
        return text

    def _static_text(self, value: Any) -> str | None:
        """A Fn::Sub/Fn::Join/Ref of parameters and pseudo parameters as text; None if it needs resources."""
        pseudo = {
            "AWS::StackName": self.stack_name,
            "AWS::Region": self.region,
            "AWS::AccountId": "123456789012",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        if isinstance(value, str | int | float):
            return _text(value)
        if not isinstance(value, dict) or len(value) != 1:
            return None
        ((key, argument),) = value.items()
        if key == "Ref" and argument in pseudo:
            return pseudo[argument]
        if key == "Fn::Sub" and isinstance(argument, str):
            if any(m not in pseudo for m in re.findall(r"\$\{([^!}][^}]*)\}", argument)):
                return None
            return re.sub(r"\$\{([^!}][^}]*)\}", lambda m: pseudo[m.group(1)], argument)
        if key == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            parts = [self._static_text(p) for p in argument[1] or []]
            if any(p is None for p in parts):
                return None
            return str(argument[0]).join(p for p in parts if p is not None)
        return None

    def _environment(self, node: dict[str, Any], path: str) -> dict[str, Any]:
        variables = self.mapping(
            self.mapping(node, "Environment", path), "Variables", f"{path}.Environment"
        )
        result: dict[str, Any] = {}
        for name, value in variables.items():
            where = f"{path}.Environment.Variables.{name}"
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", str(name)):
                self.problem(
                    where,
                    "an environment variable name (letters, digits, _; starting with a letter)",
                )
            elif isinstance(value, dict) and is_intrinsic(value):
                result[str(name)] = value
            elif isinstance(value, dict | list) or value is None:
                self.problem(where, f"a string, number or intrinsic function, not {kind_of(value)}")
            else:
                result[str(name)] = value if isinstance(value, str) else scalar_text(value)
        return result

    def _architecture(self, node: dict[str, Any], path: str) -> Architecture:
        value = node.get("Architectures", ["x86_64"])
        if value in (["x86_64"], "x86_64"):
            return "x86_64"
        if value in (["arm64"], "arm64"):
            return "arm64"
        self.problem(f"{path}.Architectures", f"[x86_64] or [arm64], not {value!r}")
        return "x86_64"

    def _role(
        self, logical_id: str, node: dict[str, Any], path: str, resources_raw: dict[str, Any]
    ) -> tuple[list[Any], str, bool]:
        """(statements, role name, enforce) for the function's role."""
        role = node.get("Role")
        if role is not None:
            if "Policies" in node:
                self.warn(f"{path}.Policies", "ignored: SAM ignores Policies when Role is given")
            target = _role_logical_id(role)
            resource = resources_raw.get(target) if target else None
            if (
                target is not None
                and isinstance(resource, dict)
                and resource.get("Type") == "AWS::IAM::Role"
            ):
                properties = self.settle(
                    resource.get("Properties") or {}, f"Resources.{target}.Properties"
                )
                statements: list[Any] = []
                for i, policy in enumerate(properties.get("Policies") or []):
                    document = policy.get("PolicyDocument") if isinstance(policy, dict) else None
                    statements.extend(
                        self._document(
                            document, f"Resources.{target}.Properties.Policies[{i}].PolicyDocument"
                        )
                    )
                for i, arn in enumerate(properties.get("ManagedPolicyArns") or []):
                    statements.extend(
                        self._managed(arn, f"Resources.{target}.Properties.ManagedPolicyArns[{i}]")
                    )
                name = properties.get("RoleName")
                return (
                    statements,
                    name if isinstance(name, str) else _generated_name(self.stack_name, target),
                    True,
                )
            self.warn(
                f"{path}.Role",
                "a role from outside this template: its permissions are unknown here, so this function's AWS calls are not checked",
            )
            return [], f"{self.stack_name}-{logical_id}Role", False
        policies = node.get("Policies") or []
        if isinstance(policies, str | dict):
            policies = [policies]
        if not isinstance(policies, list):
            self.problem(
                f"{path}.Policies",
                f"a policy name, a statement document or a list of them, not {kind_of(policies)}",
            )
            policies = []
        statements = []
        for i, policy in enumerate(policies):
            where = f"{path}.Policies[{i}]"
            if isinstance(policy, str):
                statements.extend(self._managed(policy, where))
            elif isinstance(policy, dict) and "Statement" in policy:
                statements.extend(self._document(policy, where))
            elif isinstance(policy, dict) and len(policy) == 1 and not is_intrinsic(policy):
                ((name, argument),) = policy.items()
                try:
                    found = template_statements(name, argument)
                except ValueError as error:
                    self.problem(f"{where}.{name}", str(error))
                    continue
                if found is None:
                    self.warn(
                        f"{where}.{name}",
                        f"policy template {name} is not known locally; it grants nothing here",
                    )
                else:
                    statements.extend(found)
            else:
                self.warn(
                    where,
                    "a policy given by an intrinsic or ARN is not known locally; it grants nothing here",
                )
        return statements, _default_name(self.stack_name, f"{logical_id}Role")[:64], True

    def _document(self, document: Any, path: str) -> list[Any]:
        if not isinstance(document, dict):
            self.problem(path, f"a policy document with Statement, not {kind_of(document)}")
            return []
        statements = document.get("Statement")
        if isinstance(statements, dict):
            statements = [statements]
        if not isinstance(statements, list):
            self.problem(f"{path}.Statement", "a list of statements")
            return []
        checked = []
        for i, statement in enumerate(statements):
            where = f"{path}.Statement[{i}]"
            if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
                self.problem(f"{where}.Effect", "Allow or Deny")
                continue
            if "Condition" in statement:
                self.warn(
                    f"{where}.Condition",
                    "conditions are not evaluated locally; the statement applies without them",
                )
            known = {"Effect", "Action", "NotAction", "Resource", "NotResource", "Sid"}
            checked.append({k: v for k, v in statement.items() if k in known})
        return checked

    def _managed(self, policy: Any, path: str) -> list[Any]:
        if isinstance(policy, dict) and "Fn::Sub" in policy:
            text = policy["Fn::Sub"]
            policy = text if isinstance(text, str) else None
        found = managed_policy_statements(policy) if isinstance(policy, str) else None
        if found is None:
            self.warn(
                path, f"managed policy {policy!r} is not known locally; it grants nothing here"
            )
            return []
        return found

    # -- events ------------------------------------------------------------------------------

    def _event(self, event: Any, path: str) -> Event | None:
        """A SAM event in the serverless.yml form the shared EventReader checks."""
        if not isinstance(event, dict) or not isinstance(event.get("Type"), str):
            self.problem(path, "an event mapping with Type and Properties")
            return None
        kind = event["Type"]
        body = event.get("Properties") or {}
        if not isinstance(body, dict):
            self.problem(f"{path}.Properties", f"a mapping, not {kind_of(body)}")
            return None
        where = f"{path}.Properties"
        translated: dict[str, Any] | None = None
        known: set[str] = set()
        if kind == "Api":
            known = {"Path", "Method", "RestApiId"}
            translated = {"http": {"path": body.get("Path"), "method": body.get("Method")}}
        elif kind == "HttpApi":
            known = {"Path", "Method", "ApiId", "PayloadFormatVersion"}
            method = str(body.get("Method", "*"))
            translated = {
                "httpApi": {
                    "path": body.get("Path", "*"),
                    "method": "*" if method.upper() == "ANY" else method,
                }
            }
            if body.get("PayloadFormatVersion") == "1.0":
                self.warn(f"{where}.PayloadFormatVersion", "1.0 payloads are sent as 2.0 locally")
        elif kind == "SQS":
            known = {
                "Queue",
                "BatchSize",
                "MaximumBatchingWindowInSeconds",
                "FunctionResponseTypes",
                "Enabled",
            }
            translated = {
                "sqs": {"arn": body.get("Queue"), **_batch(body, "maximumBatchingWindow")}
            }
        elif kind == "SNS":
            known = {"Topic", "FilterPolicy", "FilterPolicyScope"}
            translated = {"sns": {"arn": body.get("Topic")}}
            for source, target in (
                ("FilterPolicy", "filterPolicy"),
                ("FilterPolicyScope", "filterPolicyScope"),
            ):
                if source in body:
                    translated["sns"][target] = body[source]
        elif kind == "S3":
            known = {"Bucket", "Events", "Filter"}
            events = body.get("Events", "s3:ObjectCreated:*")
            rules = []
            for rule in ((body.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []:
                if isinstance(rule, dict):
                    rules.append({str(rule.get("Name", "")).lower(): rule.get("Value")})
            translated = {
                "s3": {
                    "bucket": body.get("Bucket"),
                    "event": events[0] if isinstance(events, list) and events else events,
                    "rules": rules,
                    "existing": True,
                }
            }
        elif kind in ("Schedule", "ScheduleV2"):
            expression_key = "Schedule" if kind == "Schedule" else "ScheduleExpression"
            known = {
                expression_key,
                "Input",
                "Enabled",
                "State",
                "Name",
                "Description",
            }
            enabled = body.get("Enabled", body.get("State", "ENABLED") != "DISABLED")
            raw_input = body.get("Input")
            if isinstance(raw_input, str):
                try:
                    raw_input = json.loads(raw_input)
                except ValueError:
                    self.problem(f"{where}.Input", "a JSON text (the event the schedule sends)")
                    return None
            schedule: dict[str, Any] = {"rate": body.get(expression_key), "enabled": enabled}
            if raw_input is not None:
                schedule["input"] = raw_input
            if isinstance(body.get("Name"), str):
                schedule["name"] = body["Name"]
            translated = {"schedule": schedule}
        elif kind == "DynamoDB":
            known = {
                "Stream",
                "StartingPosition",
                "BatchSize",
                "Enabled",
                "MaximumRetryAttempts",
                "FunctionResponseTypes",
            }
            stream = {"type": "dynamodb", "arn": body.get("Stream"), **_batch(body, None)}
            for source, target in (
                ("StartingPosition", "startingPosition"),
                ("MaximumRetryAttempts", "maximumRetryAttempts"),
            ):
                if source in body:
                    stream[target] = body[source]
            translated = {"stream": stream}
        elif kind == "EventBridgeRule" or kind == "CloudWatchEvent":
            self.warn(
                path,
                f"{kind} events: EventBridge patterns are not routed locally (schedules are); the event is skipped",
            )
            return None
        else:
            self.warn(path, f"event type {kind!r} is not routed locally; the event is skipped")
            return None
        for key in body:
            if key not in known:
                self.warn(f"{where}.{key}", f"{kind} event setting not emulated locally; ignored")
        inner = next(iter(translated.values()))
        for key, value in list(inner.items()):
            if value is None:
                del inner[key]
        parsed = self.events.read(translated, where)
        if isinstance(parsed, S3Event) and isinstance(body.get("Events"), list):
            parsed.events = [str(e) for e in body["Events"]]
        return parsed


def _batch(body: dict[str, Any], window_key: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if "BatchSize" in body:
        result["batchSize"] = body["BatchSize"]
    if window_key and "MaximumBatchingWindowInSeconds" in body:
        result[window_key] = body["MaximumBatchingWindowInSeconds"]
    if "Enabled" in body:
        result["enabled"] = body["Enabled"]
    types = body.get("FunctionResponseTypes") or []
    if isinstance(types, list) and "ReportBatchItemFailures" in types:
        result["functionResponseType"] = "ReportBatchItemFailures"
    return result


def _zipped_size(code: str) -> int:
    """The size of the zip CloudFormation makes of inline code (index.py, deflated)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{INLINE_CODE_MODULE}.py", code)
    return len(buffer.getvalue())


def inline_code_folder(code: str) -> Path:
    """The folder inline code runs from: under the data dir's cache, named by a hash of the
    code, holding only index.py. Written when missing or changed; the same code shares it.
    Each use touches it; writing a new one removes those unused for INLINE_CODE_KEPT_DAYS
    (every edit of a template's inline code makes a new folder: the cache would only grow)."""
    digest = hashlib.sha256(code.encode("utf-8")).hexdigest()[:32]
    folder = data_home() / "cache" / "inline-code" / digest
    file = folder / f"{INLINE_CODE_MODULE}.py"
    try:
        current: bytes | None = file.read_bytes()
    except OSError:
        current = None
    if current != code.encode("utf-8"):
        write_atomically(file, code)
        _remove_unused_inline_code(folder.parent, keep=folder)
    else:
        with contextlib.suppress(OSError):  # a read-only data dir: still usable, just not marked
            os.utime(file)
    return folder


def _remove_unused_inline_code(cache: Path, *, keep: Path) -> None:
    cutoff = time.time() - INLINE_CODE_KEPT_DAYS * 24 * 3600
    with contextlib.suppress(OSError):
        for entry in cache.iterdir():
            if entry == keep or not _INLINE_CODE_DIGEST.fullmatch(entry.name):
                continue  # only the folders this function makes
            if entry.is_symlink() or not entry.is_dir():
                continue
            try:
                if (entry / f"{INLINE_CODE_MODULE}.py").stat().st_mtime >= cutoff:
                    continue
            except OSError:
                pass  # no index.py: a half-written leftover
            shutil.rmtree(entry, ignore_errors=True)


def _merge_globals(globals_node: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """SAM's rule: a function's own value wins; mappings merge, with Environment.Variables merged too."""
    merged = dict(globals_node)
    for key, value in properties.items():
        if (
            isinstance(value, dict)
            and isinstance(merged.get(key), dict)
            and not is_intrinsic(value)
        ):
            merged[key] = _merge_globals(merged[key], value)
        else:
            merged[key] = value
    return merged


def _get_att(value: Any) -> tuple[str | None, str]:
    """(logical id, attribute) of a `!GetAtt Id.Attribute`; (None, "") for anything else."""
    target = value.get("Fn::GetAtt") if isinstance(value, dict) else None
    if isinstance(target, list) and len(target) == 2:
        return str(target[0]), str(target[1])
    if isinstance(target, str) and "." in target:
        logical_id, _, attribute = target.partition(".")
        return logical_id, attribute
    return None, ""


def _role_logical_id(role: Any) -> str | None:
    if isinstance(role, dict) and "Fn::GetAtt" in role:
        target = role["Fn::GetAtt"]
        return str(target[0] if isinstance(target, list) else str(target).split(".", 1)[0])
    if isinstance(role, dict) and "Ref" in role:
        return str(role["Ref"])
    return None


def _default_name(stack_name: str, logical_id: str) -> str:
    """CloudFormation's generated name: <stack>-<LogicalId>-<suffix>, at most 64 characters."""
    suffix = hashlib.sha1(f"{stack_name}/{logical_id}".encode()).hexdigest()[:12].upper()
    return f"{stack_name[:20]}-{logical_id[:30]}-{suffix}"


def _generated_name(stack_name: str, logical_id: str) -> str:
    """The name stack.py gives a resource without a name property (kept in step with it)."""
    suffix = hashlib.sha1(f"{stack_name}/{logical_id}".encode()).hexdigest()[:12].upper()
    return f"{stack_name}-{logical_id}-{suffix}"[:80]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
