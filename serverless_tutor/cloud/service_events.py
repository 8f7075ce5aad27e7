"""The `events:` of a serverless.yml function: http, httpApi, sns, sqs, s3, stream, schedule."""

from __future__ import annotations

import re
from typing import Any

from serverless_tutor.cloud.config_reader import (
    ConfigReader,
    is_intrinsic,
    kind_of,
    string_list,
)
from serverless_tutor.cloud.schedule import ScheduleError, parse_schedule
from serverless_tutor.cloud.service_spec import (
    DEFAULT_CORS_HEADERS,
    Cors,
    Event,
    HttpApiEvent,
    HttpEvent,
    S3Event,
    ScheduleEvent,
    SnsEvent,
    SqsEvent,
    StreamEvent,
)

HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"}


class EventReader:
    def __init__(self, reader: ConfigReader):
        self.reader = reader

    def read(self, event: Any, path: str) -> Event | None:
        """One entry of a function's `events:` list; None (and a problem or warning) if unusable."""
        if isinstance(event, str):
            self.reader.warn(
                path,
                f"event {event!r} (written without settings) is not routed locally; the event is skipped",
            )
            return None
        if not isinstance(event, dict) or len(event) != 1:
            self.reader.problem(
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
            self.reader.warn(
                f"{path}.{kind}", f"event type {kind!r} is not routed locally; ignored"
            )
            return None
        return handler(body, f"{path}.{kind}")

    def _http_event(self, body: Any, path: str) -> HttpEvent | None:
        if isinstance(body, str):
            written_method, _, written_route = body.strip().partition(" ")
            body = {"method": written_method, "path": written_route}
        if not isinstance(body, dict):
            self.reader.problem(
                path, f"'METHOD path' or a mapping with path and method, not {kind_of(body)}"
            )
            return None
        self.reader.warn_unknown(
            body, {"path", "method", "cors", "integration"}, path, "http event"
        )
        if body.get("integration", "lambda-proxy") not in (
            "lambda-proxy",
            "aws-proxy",
            "aws_proxy",
        ):
            self.reader.warn(
                f"{path}.integration",
                "only the lambda-proxy integration is emulated; treated as lambda-proxy",
            )
        route = self.reader.string(body, "path", path, required=True)
        method = self.reader.string(body, "method", path, required=True)
        if route is None or method is None:
            return None
        method = method.upper()
        if method not in HTTP_METHODS:
            self.reader.problem(
                f"{path}.method", f"one of {', '.join(sorted(HTTP_METHODS))}, not {method!r}"
            )
            return None
        cors = body.get("cors")
        cors_spec = None
        if cors is True:
            cors_spec = Cors()
        elif isinstance(cors, dict):
            self.reader.warn_unknown(
                cors,
                {"origin", "origins", "headers", "allowCredentials", "maxAge", "methods"},
                f"{path}.cors",
                "cors",
            )
            origins = cors.get("origins") or ([cors["origin"]] if "origin" in cors else ["*"])
            cors_spec = Cors(
                origins=string_list(origins),
                headers=string_list(cors.get("headers", DEFAULT_CORS_HEADERS)),
                methods=string_list(cors["methods"]) if "methods" in cors else None,
                allow_credentials=bool(cors.get("allowCredentials", False)),
                max_age=cors.get("maxAge"),
            )
        elif cors not in (None, False):
            self.reader.problem(f"{path}.cors", f"true or a mapping, not {kind_of(cors)}")
        return HttpEvent(method=method, path=_normalize_route(route), cors=cors_spec)

    def _http_api_event(self, body: Any, path: str) -> HttpApiEvent | None:
        if body == "*":
            return HttpApiEvent(method="*", path="*")
        if isinstance(body, str):
            written_method, _, written_route = body.strip().partition(" ")
            body = {"method": written_method, "path": written_route}
        if not isinstance(body, dict):
            self.reader.problem(
                path, f"'*', 'METHOD path' or a mapping with method and path, not {kind_of(body)}"
            )
            return None
        self.reader.warn_unknown(body, {"path", "method"}, path, "httpApi event")
        route = self.reader.string(body, "path", path, required=True)
        method = (self.reader.string(body, "method", path) or "*").upper()
        if route is None:
            return None
        if method not in HTTP_METHODS | {"*"}:
            self.reader.problem(f"{path}.method", f"an HTTP method or '*', not {method!r}")
            return None
        return HttpApiEvent(method=method, path=route if route == "*" else _normalize_route(route))

    def _sns_event(self, body: Any, path: str) -> SnsEvent | None:
        if isinstance(body, str):
            return (
                SnsEvent(topic_arn=body) if body.startswith("arn:") else SnsEvent(topic_name=body)
            )
        if not isinstance(body, dict):
            self.reader.problem(path, f"a topic name, an ARN or a mapping, not {kind_of(body)}")
            return None
        self.reader.warn_unknown(
            body,
            {"arn", "topicName", "displayName", "filterPolicy", "filterPolicyScope"},
            path,
            "sns event",
        )
        if "arn" not in body and "topicName" not in body:
            self.reader.problem(path, "arn or topicName is required")
            return None
        policy = body.get("filterPolicy")
        if policy is not None and not isinstance(policy, dict):
            self.reader.problem(
                f"{path}.filterPolicy",
                f"a mapping of attribute -> list of conditions, not {kind_of(policy)}",
            )
            policy = None
        if policy is not None:
            from serverless_tutor.cloud.filter_policy import FilterPolicyError, validate_policy

            try:
                validate_policy(policy)
            except FilterPolicyError as error:
                self.reader.problem(f"{path}.filterPolicy", str(error))
        scope = body.get("filterPolicyScope", "MessageAttributes")
        if scope not in ("MessageAttributes", "MessageBody"):
            self.reader.problem(
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
        if isinstance(body, str) or (isinstance(body, dict) and is_intrinsic(body)):
            return SqsEvent(queue_arn=body)
        if not isinstance(body, dict):
            self.reader.problem(path, f"a queue ARN or a mapping with arn, not {kind_of(body)}")
            return None
        self.reader.warn_unknown(
            body,
            {"arn", "batchSize", "maximumBatchingWindow", "functionResponseType", "enabled"},
            path,
            "sqs event",
        )
        if "arn" not in body:
            self.reader.problem(f"{path}.arn", "required field is missing")
            return None
        batch = self.reader.integer(body, "batchSize", path, 10, 1, 10000) or 10
        window = self.reader.integer(body, "maximumBatchingWindow", path, 0, 0, 300) or 0
        if batch > 10 and window < 1:
            self.reader.problem(
                f"{path}.maximumBatchingWindow",
                "at least 1 second when batchSize is above 10 (an AWS rule)",
            )
        response_type = body.get("functionResponseType")
        if response_type not in (None, "ReportBatchItemFailures"):
            self.reader.problem(
                f"{path}.functionResponseType", f"ReportBatchItemFailures, not {response_type!r}"
            )
        return SqsEvent(
            queue_arn=body["arn"],
            batch_size=batch,
            maximum_batching_window_s=window,
            report_batch_item_failures=response_type == "ReportBatchItemFailures",
            enabled=self.reader.boolean(body, "enabled", path, True),
        )

    def _s3_event(self, body: Any, path: str) -> S3Event | None:
        if isinstance(body, str):
            return S3Event(bucket=body)
        if not isinstance(body, dict):
            self.reader.problem(
                path, f"a bucket name or a mapping with bucket, not {kind_of(body)}"
            )
            return None
        self.reader.warn_unknown(
            body, {"bucket", "event", "rules", "existing", "forceDeploy"}, path, "s3 event"
        )
        if "bucket" not in body:
            self.reader.problem(f"{path}.bucket", "required field is missing")
            return None
        event = body.get("event", "s3:ObjectCreated:*")
        if not isinstance(event, str) or not re.fullmatch(
            r"s3:(ObjectCreated|ObjectRemoved|ObjectRestore|ReducedRedundancyLostObject|Replication|LifecycleExpiration|LifecycleTransition|IntelligentTiering|ObjectTagging|ObjectAcl)(:[A-Za-z*]+)?",
            event,
        ):
            self.reader.problem(
                f"{path}.event",
                f"an S3 event type such as s3:ObjectCreated:* or s3:ObjectRemoved:Delete, not {event!r}",
            )
            return None
        prefix = suffix = None
        rules = body.get("rules") or []
        if not isinstance(rules, list):
            self.reader.problem(
                f"{path}.rules",
                f"a list of {{prefix: ...}} / {{suffix: ...}}, not {kind_of(rules)}",
            )
            rules = []
        for i, rule in enumerate(rules):
            where = f"{path}.rules[{i}]"
            if (
                not isinstance(rule, dict)
                or len(rule) != 1
                or next(iter(rule)) not in ("prefix", "suffix")
            ):
                self.reader.problem(where, "one of {prefix: text} or {suffix: text}")
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
            existing=self.reader.boolean(body, "existing", path, False),
        )

    def _stream_event(self, body: Any, path: str) -> StreamEvent | None:
        if isinstance(body, str) or (isinstance(body, dict) and is_intrinsic(body)):
            return StreamEvent(stream_arn=body)
        if not isinstance(body, dict):
            self.reader.problem(path, f"a stream ARN or a mapping with arn, not {kind_of(body)}")
            return None
        self.reader.warn_unknown(
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
            self.reader.warn(
                f"{path}.type",
                f"{body.get('type')} streams are not emulated locally (only DynamoDB Streams); ignored",
            )
            return None
        if "arn" not in body:
            self.reader.problem(f"{path}.arn", "required field is missing")
            return None
        position = body.get("startingPosition", "TRIM_HORIZON")
        if position not in ("LATEST", "TRIM_HORIZON"):
            self.reader.problem(
                f"{path}.startingPosition", f"LATEST or TRIM_HORIZON, not {position!r}"
            )
            position = "TRIM_HORIZON"
        response_type = body.get("functionResponseType")
        if response_type not in (None, "ReportBatchItemFailures"):
            self.reader.problem(
                f"{path}.functionResponseType", f"ReportBatchItemFailures, not {response_type!r}"
            )
        retries = self.reader.integer(body, "maximumRetryAttempts", path, -1, -1, 10000)
        return StreamEvent(
            stream_arn=body["arn"],
            batch_size=self.reader.integer(body, "batchSize", path, 100, 1, 10000) or 100,
            starting_position=position,
            enabled=self.reader.boolean(body, "enabled", path, True),
            maximum_retry_attempts=-1 if retries is None else retries,
            report_batch_item_failures=response_type == "ReportBatchItemFailures",
        )

    def _schedule_event(self, body: Any, path: str) -> ScheduleEvent | None:
        if isinstance(body, str):
            body = {"rate": body}
        if not isinstance(body, dict):
            self.reader.problem(
                path, f"rate(...)/cron(...) or a mapping with rate, not {kind_of(body)}"
            )
            return None
        self.reader.warn_unknown(
            body, {"rate", "enabled", "input", "name", "description"}, path, "schedule event"
        )
        rate = body.get("rate")
        if rate is None:
            self.reader.problem(f"{path}.rate", "required field is missing")
            return None
        expressions: list[str] = []
        for i, expression in enumerate(rate if isinstance(rate, list) else [rate]):
            where = f"{path}.rate" + (f"[{i}]" if isinstance(rate, list) else "")
            if not isinstance(expression, str):
                self.reader.problem(where, f"rate(...) or cron(...), not {kind_of(expression)}")
                return None
            try:
                parse_schedule(expression)
            except ScheduleError as error:
                self.reader.problem(where, str(error))
                return None
            expressions.append(expression)
        return ScheduleEvent(
            expressions=expressions,
            enabled=self.reader.boolean(body, "enabled", path, True),
            input=body.get("input"),
            name=body.get("name"),
        )


def _normalize_route(route: str) -> str:
    route = route.strip()
    if not route.startswith("/"):
        route = "/" + route
    if len(route) > 1:
        route = route.rstrip("/")
    return route
