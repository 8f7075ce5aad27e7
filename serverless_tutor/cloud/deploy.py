"""Deploy a stack (serverless.yml or SAM template) into a local account: resources, functions, IAM, event wiring.

`plan(spec)` resolves everything without touching an account (the dry run);
`deploy(spec, account, runtime)` creates the resources in moto, registers the
functions with their execution role, and wires every event to the router.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from moto.core.base_backend import AccountSpecificBackend
from pydantic import BaseModel, Field

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.iam import Statement
from serverless_tutor.cloud.routing.functions import FunctionInvoker, NoRuntimeError
from serverless_tutor.cloud.routing.router import EventRouter
from serverless_tutor.cloud.service import ServiceConfigError
from serverless_tutor.cloud.service_spec import (
    ConfigWarning,
    HttpApiEvent,
    HttpEvent,
    S3Event,
    ScheduleEvent,
    ServiceSpec,
    SnsEvent,
    SqsEvent,
    StreamEvent,
)
from serverless_tutor.cloud.stack import Stack, StackError
from serverless_tutor.cloud.variables import ResolvedVariable
from serverless_tutor.problems import Problem
from serverless_tutor.runtime.config import FunctionConfig
from serverless_tutor.runtime.results import InvocationResult


class PlannedEvent(BaseModel):
    type: str
    summary: str  # one line: "POST /dev/orders", "sns order-events (filter: eventType)", ...
    source_arn: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)


class PlannedFunction(BaseModel):
    key: str
    name: str
    handler: str
    memory_mb: int
    timeout_s: float
    architecture: str
    environment: dict[str, str]
    events: list[PlannedEvent]
    retries: int
    on_failure: str | None = None
    dead_letter: str | None = None
    role: str | None = None  # the function's own role (SAM); None: the service's role
    iam_statements: list[dict[str, Any]] = Field(default_factory=list)  # its own role's statements


class PlannedResource(BaseModel):
    logical_id: str
    type: str
    physical_name: str
    created: bool  # False for types the local account does not emulate


class DeployPlan(BaseModel):
    service: str
    stage: str
    region: str
    account_id: str
    role: str
    functions: list[PlannedFunction]
    resources: list[PlannedResource]
    iam_statements: list[dict[str, Any]]
    variables: list[ResolvedVariable]
    warnings: list[ConfigWarning]
    notes: list[str]


class Deployment:
    """A service running on a local account: the router, the functions, the plan."""

    def __init__(
        self,
        spec: ServiceSpec,
        plan: DeployPlan,
        account: LocalAccount,
        runtime: FunctionInvoker | None,
        router: EventRouter,
        configs: dict[str, FunctionConfig],
    ):
        self.spec = spec
        self.plan = plan
        self.account = account
        self.runtime = runtime
        self.router = router
        self.configs = configs  # function key -> FunctionConfig

    def function_name(self, key: str) -> str:
        return self.configs[key].name

    def invoke(self, key: str, event: Any) -> InvocationResult:
        if self.runtime is None:
            raise NoRuntimeError(f"{key}: deployed without a runtime; its functions cannot run")
        return self.runtime.invoke(self.configs[key], event)


def plan(spec: ServiceSpec, account_id: str = "123456789012") -> DeployPlan:
    """Resolve the spec against predicted names and ARNs (nothing is created).

    Only deploy() checks the region is one Lambda has: the list costs a read of
    botocore's endpoints file (~0.1 s), which a dry run need not pay."""
    try:
        stack = Stack(spec, account_id)
        _register_event_resources(spec, stack)
        return _build_plan(spec, stack, account_id)
    except StackError as error:
        raise ServiceConfigError([error.problem]) from error


def deploy(
    spec: ServiceSpec,
    account: LocalAccount,
    runtime: FunctionInvoker | None,
    *,
    router: EventRouter | None = None,
) -> Deployment:
    """Create the service in `account`; the router (made if not given) delivers its events.

    With no runtime the resources are created and the functions registered, but
    nothing can run (`serverless-tutor deploy` shows what a deploy creates).
    """
    # A SAM template has no region of its own: it comes from --region or samconfig.toml.
    region_field = (
        "region (--region or samconfig.toml)" if spec.format == "sam" else "provider.region"
    )
    if spec.region not in _lambda_regions():
        raise ServiceConfigError(
            [
                _problem(
                    spec,
                    region_field,
                    f"an AWS region where Lambda runs (e.g. us-east-1, eu-west-1), not {spec.region}",
                )
            ]
        )
    if spec.region != account.region:
        raise ServiceConfigError(
            [
                _problem(
                    spec,
                    region_field,
                    f"{account.region} (the local account's region), not {spec.region}",
                )
            ]
        )
    router = router or EventRouter(account, runtime)
    router.api.stage = spec.stage
    router.api.http_api_cors = spec.http_api_cors
    try:
        stack = Stack(spec, account.account_id, account.region)
        _register_event_resources(spec, stack)
        stack.create(account)
        deployment_plan = _build_plan(spec, stack, account.account_id)
    except StackError as error:
        raise ServiceConfigError([error.problem]) from error
    _create_event_resources(spec, stack, account)

    statements = [Statement.model_validate(s) for s in deployment_plan.iam_statements]
    configs: dict[str, FunctionConfig] = {}
    for planned in deployment_plan.functions:
        function = spec.functions[planned.key]
        config = FunctionConfig(
            name=planned.name,
            handler=function.handler,
            code_dir=(Path(spec.path).resolve().parent / function.code_dir).resolve(),
            memory_mb=planned.memory_mb,
            timeout_s=planned.timeout_s,
            environment=planned.environment,
            ephemeral_storage_mb=function.ephemeral_storage_mb,
            architecture=function.architecture,
            account_id=account.account_id,
            region=account.region,
        )
        configs[planned.key] = config
        if function.enforce_iam:
            own = [Statement.model_validate(s) for s in planned.iam_statements]
            account.set_permissions(
                config.name, statements + own, role_name=planned.role or stack.role_name
            )
        router.add_function(
            config,
            maximum_retry_attempts=planned.retries,
            on_failure=planned.on_failure,
            dead_letter=planned.dead_letter,
        )
    for planned in deployment_plan.functions:
        _wire_events(spec, planned, router, account, stack)
    for subscription in stack.lambda_subscriptions:
        target = str(subscription.get("Endpoint", ""))
        name = target.split(":function:", 1)[-1].split(":")[0]
        policy = subscription.get("FilterPolicy")
        router.subscribe_sns(
            subscription["TopicArn"],
            name,
            policy=json.loads(policy) if isinstance(policy, str) else policy,
            scope=subscription.get("FilterPolicyScope", "MessageAttributes"),
        )
    return Deployment(spec, deployment_plan, account, runtime, router, configs)


# -- internals -----------------------------------------------------------------------------------


@functools.cache
def _lambda_regions() -> frozenset[str]:
    """The regions Lambda runs in, as botocore lists them (every partition's); the same
    list moto builds its backends from, so a region outside it would fail inside moto."""
    session = AccountSpecificBackend.get_session()  # moto's own, cached: no second load
    return frozenset(
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("lambda", partition)
    )


def _problem(spec: ServiceSpec, field: str, expected: str) -> Problem:
    return Problem(file=spec.path, field=field, expected=expected)


def _register_event_resources(spec: ServiceSpec, stack: Stack) -> None:
    for function in spec.functions.values():
        for event in function.events:
            if isinstance(event, SnsEvent) and event.topic_arn is None and event.topic_name:
                stack.add_event_topic(event.topic_name)
            if isinstance(event, S3Event) and isinstance(event.bucket, str):
                stack.add_event_bucket(event.bucket)


def _create_event_resources(spec: ServiceSpec, stack: Stack, account: LocalAccount) -> None:
    """The framework creates the topics and buckets named only in events."""
    existing_buckets = {b["Name"] for b in account.client("s3").list_buckets().get("Buckets", [])}
    for function in spec.functions.values():
        for event in function.events:
            if isinstance(event, SnsEvent) and event.topic_arn is None and event.topic_name:
                account.client("sns").create_topic(Name=event.topic_name)
            if isinstance(event, S3Event) and not event.existing:
                bucket = stack.resolve(event.bucket, f"functions.{function.key}.events")
                if bucket not in existing_buckets:
                    account.client("s3").create_bucket(Bucket=bucket)
                    existing_buckets.add(bucket)


def _build_plan(spec: ServiceSpec, stack: Stack, account_id: str) -> DeployPlan:
    warnings = list(spec.warnings)
    functions = []
    for key, function in spec.functions.items():
        base = f"functions.{key}" if spec.format == "serverless" else f"Resources.{key}.Properties"
        environment = {
            name: _env_text(stack.resolve(value, _env_path(spec, base, name, value)))
            for name, value in function.environment.items()
        }
        events = [
            _plan_event(spec, stack, event, f"{base}.events[{i}]", function.timeout_s, warnings)
            for i, event in enumerate(function.events)
        ]
        functions.append(
            PlannedFunction(
                key=key,
                name=function.name,
                handler=function.handler,
                memory_mb=function.memory_mb,
                timeout_s=function.timeout_s,
                architecture=function.architecture,
                environment=environment,
                events=events,
                retries=function.maximum_retry_attempts,
                on_failure=stack.resolve(function.on_failure, f"{base}.destinations.onFailure"),
                dead_letter=stack.resolve(function.dead_letter, f"{base}.onError"),
                role=function.role_name,
                iam_statements=stack.resolve(
                    function.iam_statements or [],
                    f"{spec.resources_path}.{key}.Properties.Policies",
                ),
            )
        )
    statements = stack.resolve(spec.iam_statements, "provider.iamRoleStatements")
    resources = [
        PlannedResource(
            logical_id=r.logical_id,
            type=r.type,
            physical_name=stack.physical[r.logical_id],
            created=r.supported,
        )
        for r in spec.resources.values()
    ]
    return DeployPlan(
        service=spec.service,
        stage=spec.stage,
        region=spec.region,
        account_id=account_id,
        role=stack.role_name,
        functions=functions,
        resources=resources,
        iam_statements=statements,
        variables=spec.variables,
        warnings=warnings,
        notes=spec.notes,
    )


def _plan_event(
    spec: ServiceSpec,
    stack: Stack,
    event: Any,
    path: str,
    timeout_s: float,
    warnings: list[ConfigWarning],
) -> PlannedEvent:
    if isinstance(event, HttpEvent):
        cors = " (CORS)" if event.cors else ""
        return PlannedEvent(
            type="http", summary=f"{event.method} /{spec.stage}{event.path}{cors}  [REST API]"
        )
    if isinstance(event, HttpApiEvent):
        route = (
            "$default (any route)"
            if event.path == "*"
            else f"{'ANY' if event.method == '*' else event.method} {event.path}"
        )
        return PlannedEvent(type="httpApi", summary=f"{route}  [HTTP API]")
    if isinstance(event, SnsEvent):
        arn = (
            stack.resolve(event.topic_arn, f"{path}.sns.arn")
            if event.topic_arn is not None
            else stack.add_event_topic(event.topic_name or "")
        )
        policy = (
            f" filter on {', '.join(event.filter_policy)} ({event.filter_policy_scope})"
            if event.filter_policy
            else ""
        )
        return PlannedEvent(
            type="sns",
            summary=f"SNS {arn.rsplit(':', 1)[-1]}{policy}",
            source_arn=arn,
            settings={
                "filterPolicy": event.filter_policy,
                "filterPolicyScope": event.filter_policy_scope,
            },
        )
    if isinstance(event, SqsEvent):
        arn = stack.resolve(event.queue_arn, f"{path}.sqs.arn")
        _check_visibility(spec, stack, arn, timeout_s, path, warnings)
        return PlannedEvent(
            type="sqs",
            summary=f"SQS {str(arn).rsplit(':', 1)[-1]} batch {event.batch_size}"
            + (
                f", window {event.maximum_batching_window_s} s"
                if event.maximum_batching_window_s
                else ""
            )
            + (", ReportBatchItemFailures" if event.report_batch_item_failures else ""),
            source_arn=arn,
            settings={
                "batchSize": event.batch_size,
                "maximumBatchingWindow": event.maximum_batching_window_s,
                "reportBatchItemFailures": event.report_batch_item_failures,
                "enabled": event.enabled,
            },
        )
    if isinstance(event, S3Event):
        bucket = stack.resolve(event.bucket, f"{path}.s3.bucket")
        rules = "".join(
            f" {k}={v!r}" for k, v in (("prefix", event.prefix), ("suffix", event.suffix)) if v
        )
        return PlannedEvent(
            type="s3",
            summary=f"S3 {bucket} {', '.join(event.events)}{rules}",
            source_arn=f"arn:aws:s3:::{bucket}",
            settings={
                "bucket": bucket,
                "events": event.events,
                "prefix": event.prefix,
                "suffix": event.suffix,
            },
        )
    if isinstance(event, StreamEvent):
        arn = stack.resolve(event.stream_arn, f"{path}.stream.arn")
        return PlannedEvent(
            type="stream",
            summary=f"DynamoDB stream {arn} batch {event.batch_size} from {event.starting_position}",
            source_arn=arn,
            settings={
                "batchSize": event.batch_size,
                "startingPosition": event.starting_position,
                "maximumRetryAttempts": event.maximum_retry_attempts,
            },
        )
    if isinstance(event, ScheduleEvent):
        return PlannedEvent(
            type="schedule",
            summary=f"schedule {', '.join(event.expressions)}"
            + ("" if event.enabled else " (disabled)"),
            settings={"input": event.input, "enabled": event.enabled},
        )
    raise TypeError(f"unknown event {event!r}")


def _check_visibility(
    spec: ServiceSpec,
    stack: Stack,
    queue_arn: str,
    timeout_s: float,
    path: str,
    warnings: list[ConfigWarning],
) -> None:
    for resource in spec.resources.values():
        if (
            resource.type == "AWS::SQS::Queue"
            and stack.attributes[resource.logical_id].get("Arn") == queue_arn
        ):
            visibility = float(resource.properties.get("VisibilityTimeout", 30))
            if visibility < timeout_s:
                warnings.append(
                    ConfigWarning(
                        path=path,
                        message=(
                            f"queue visibility timeout {visibility:g} s is less than the function timeout {timeout_s:g} s: "
                            "AWS refuses this mapping (messages would reappear while still being processed)"
                        ),
                    )
                )


def _wire_events(
    spec: ServiceSpec,
    planned: PlannedFunction,
    router: EventRouter,
    account: LocalAccount,
    stack: Stack,
) -> None:
    function = spec.functions[planned.key]
    for i, (event, plan_event) in enumerate(zip(function.events, planned.events, strict=True)):
        if isinstance(event, HttpEvent):
            router.api.add_route("rest", event.method, event.path, planned.name, event.cors)
        elif isinstance(event, HttpApiEvent):
            router.api.add_route("http", event.method, event.path, planned.name)
        elif isinstance(event, SnsEvent):
            router.subscribe_sns(
                plan_event.source_arn or "",
                planned.name,
                policy=event.filter_policy,
                scope=event.filter_policy_scope,
            )
        elif isinstance(event, SqsEvent):
            router.map_sqs(
                plan_event.source_arn or "",
                planned.name,
                batch_size=event.batch_size,
                maximum_batching_window_s=event.maximum_batching_window_s,
                report_batch_item_failures=event.report_batch_item_failures,
                enabled=event.enabled,
            )
        elif isinstance(event, S3Event):
            router.notify_s3(
                plan_event.settings["bucket"],
                planned.name,
                events=event.events,
                prefix=event.prefix,
                suffix=event.suffix,
            )
        elif isinstance(event, StreamEvent):
            router.map_stream(
                plan_event.source_arn or "",
                planned.name,
                batch_size=event.batch_size,
                starting_position=event.starting_position,
                enabled=event.enabled,
                maximum_retry_attempts=event.maximum_retry_attempts,
                report_batch_item_failures=event.report_batch_item_failures,
            )
        elif isinstance(event, ScheduleEvent):
            for j, expression in enumerate(event.expressions):
                name = event.name or f"{planned.name}-schedule-{i + 1}" + (
                    f"-{j + 1}" if len(event.expressions) > 1 else ""
                )
                router.schedule(
                    name, expression, planned.name, input=event.input, enabled=event.enabled
                )
                account.client("events").put_rule(
                    Name=name,
                    ScheduleExpression=expression,
                    State="ENABLED" if event.enabled else "DISABLED",
                )
                account.client("events").put_targets(
                    Rule=name,
                    Targets=[{"Id": planned.key, "Arn": router.functions[planned.name].arn}],
                )


def _env_path(spec: ServiceSpec, base: str, name: str, value: Any) -> str:
    if name in spec.provider_environment and spec.provider_environment[name] == value:
        return f"provider.environment.{name}"
    if spec.format == "sam":
        return f"{base}.Environment.Variables.{name}"
    return f"{base}.environment.{name}"


def _env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return "" if value is None else str(value)
