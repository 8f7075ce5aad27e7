"""Least privilege, enforced: which IAM action and resource ARN a call needs, and
whether a function's iamRoleStatements allow it.

The model is the identity-policy part of AWS's evaluation: an explicit Deny wins,
otherwise some Allow must match both the action and the resource, otherwise the
call is implicitly denied. Wildcards `*` and `?` work as in IAM (actions compare
case-insensitively, ARNs case-sensitively). Conditions are not evaluated; the
serverless.yml loader warns when a statement has one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

# IAM service prefix for each botocore service name we route.
IAM_PREFIX = {
    "dynamodbstreams": "dynamodb",
    "sesv2": "ses",
    "events": "events",
}

# Operations whose IAM action name differs from the API operation name.
ACTION_ALIASES = {
    "s3": {
        "ListObjects": "ListBucket",
        "ListObjectsV2": "ListBucket",
        "HeadBucket": "ListBucket",
        "HeadObject": "GetObject",
        "CopyObject": "PutObject",
        "DeleteObjects": "DeleteObject",
        "CreateMultipartUpload": "PutObject",
        "UploadPart": "PutObject",
        "CompleteMultipartUpload": "PutObject",
        "AbortMultipartUpload": "AbortMultipartUpload",
        "ListObjectVersions": "ListBucketVersions",
        "ListBuckets": "ListAllMyBuckets",
        "GetBucketNotificationConfiguration": "GetBucketNotification",
        "PutBucketNotificationConfiguration": "PutBucketNotification",
        "GetObjectTagging": "GetObjectTagging",
    },
    "sesv2": {"SendEmail": "SendEmail"},
}

_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


class Statement(BaseModel):
    """One statement of iamRoleStatements (the field names are IAM's own)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    effect: Literal["Allow", "Deny"] = Field(alias="Effect")
    action: list[str] = Field(default_factory=list, alias="Action")
    not_action: list[str] = Field(default_factory=list, alias="NotAction")
    resource: list[str] = Field(default_factory=list, alias="Resource")
    not_resource: list[str] = Field(default_factory=list, alias="NotResource")
    condition: dict[str, Any] | None = Field(default=None, alias="Condition")
    sid: str | None = Field(default=None, alias="Sid")

    @field_validator("action", "not_action", "resource", "not_resource", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [value]
        return value

    def matches(self, action: str, resource: str) -> bool:
        if self.action and not any(
            _wildcard(p, ignore_case=True).fullmatch(action) for p in self.action
        ):
            return False
        if self.not_action and any(
            _wildcard(p, ignore_case=True).fullmatch(action) for p in self.not_action
        ):
            return False
        if self.resource and not any(_wildcard(p).fullmatch(resource) for p in self.resource):
            return False
        if self.not_resource and any(_wildcard(p).fullmatch(resource) for p in self.not_resource):
            return False
        return bool(self.action or self.not_action)


class Permission(BaseModel):
    action: str
    resource: str


class Decision(BaseModel):
    allowed: bool
    denied_by: Literal["explicit", "implicit"] | None = None
    permission: Permission | None = None  # the first permission that failed

    def message(self, principal_arn: str) -> str:
        assert self.permission is not None
        why = (
            "with an explicit deny in an identity-based policy"
            if self.denied_by == "explicit"
            else f"because no identity-based policy allows the {self.permission.action} action"
        )
        return (
            f"User: {principal_arn} is not authorized to perform: {self.permission.action} "
            f"on resource: {self.permission.resource} {why}"
        )


@lru_cache(maxsize=2048)
def _wildcard(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def evaluate(statements: list[Statement], permissions: list[Permission]) -> Decision:
    """Allow only if every permission is allowed and none is explicitly denied."""
    for permission in permissions:
        if any(
            s.effect == "Deny" and s.matches(permission.action, permission.resource)
            for s in statements
        ):
            return Decision(allowed=False, denied_by="explicit", permission=permission)
        if not any(
            s.effect == "Allow" and s.matches(permission.action, permission.resource)
            for s in statements
        ):
            return Decision(allowed=False, denied_by="implicit", permission=permission)
    return Decision(allowed=True)


def iam_action(service: str, operation: str) -> str:
    prefix = IAM_PREFIX.get(service, service)
    name = ACTION_ALIASES.get(service, {}).get(operation, operation)
    return f"{prefix}:{name}"


def required_permissions(
    service: str, operation: str, params: dict[str, Any], region: str, account_id: str
) -> list[Permission]:
    """The (action, resource) pairs AWS would check for this call."""
    action = iam_action(service, operation)
    if service == "dynamodb" and operation == "TransactWriteItems":
        found = []
        for item in params.get("TransactItems", []):
            for kind, body in item.items():
                table = body.get("TableName", "*")
                found.append(
                    Permission(
                        action=f"dynamodb:{_TRANSACT_ACTIONS.get(kind, kind)}",
                        resource=dynamodb_table_arn(region, account_id, table),
                    )
                )
        return found or [Permission(action=action, resource="*")]
    if service == "dynamodb" and operation == "TransactGetItems":
        return [
            Permission(
                action="dynamodb:GetItem",
                resource=dynamodb_table_arn(region, account_id, item["Get"]["TableName"]),
            )
            for item in params.get("TransactItems", [])
            if "Get" in item
        ] or [Permission(action=action, resource="*")]
    if service == "dynamodb" and operation in ("BatchWriteItem", "BatchGetItem"):
        return [
            Permission(action=action, resource=dynamodb_table_arn(region, account_id, table))
            for table in params.get("RequestItems", {})
        ] or [Permission(action=action, resource="*")]
    if service == "s3" and operation == "CopyObject":
        source = str(params.get("CopySource", "")).lstrip("/").split("?")[0]
        return [
            Permission(
                action="s3:PutObject",
                resource=resource_arn(service, operation, params, region, account_id) or "*",
            ),
            Permission(action="s3:GetObject", resource=f"arn:aws:s3:::{source}"),
        ]
    return [
        Permission(
            action=action,
            resource=resource_arn(service, operation, params, region, account_id) or "*",
        )
    ]


def dynamodb_table_arn(region: str, account_id: str, table: str) -> str:
    return f"arn:aws:dynamodb:{region}:{account_id}:table/{table}"


def sqs_queue_arn(queue_url: str, region: str) -> str:
    parts = urlsplit(queue_url).path.strip("/").split("/")
    if len(parts) >= 2:
        account_id, name = parts[-2], parts[-1]
        host_region = urlsplit(queue_url).netloc.split(".")
        if len(host_region) > 2 and host_region[0] == "sqs":
            region = host_region[1]
        return f"arn:aws:sqs:{region}:{account_id}:{name}"
    return "*"


def resource_arn(
    service: str, operation: str, params: dict[str, Any], region: str, account_id: str
) -> str | None:
    """Best-effort ARN of the resource a call acts on (None when it has none)."""
    if service == "dynamodb":
        table = params.get("TableName")
        if not table:
            return None
        arn = dynamodb_table_arn(region, account_id, table)
        if params.get("IndexName"):
            arn += f"/index/{params['IndexName']}"
        return arn
    if service == "dynamodbstreams":
        return params.get("StreamArn") or None
    if service == "s3":
        bucket = params.get("Bucket")
        if not bucket:
            return None
        key = params.get("Key")
        if key is not None:
            return f"arn:aws:s3:::{bucket}/{key}"
        if operation == "DeleteObjects":
            return f"arn:aws:s3:::{bucket}/*"
        return f"arn:aws:s3:::{bucket}"
    if service == "sns":
        return (
            params.get("TopicArn")
            or params.get("TargetArn")
            or params.get("SubscriptionArn")
            or None
        )
    if service == "sqs":
        url = params.get("QueueUrl")
        if url:
            return sqs_queue_arn(url, region)
        if params.get("QueueName"):
            return f"arn:aws:sqs:{region}:{account_id}:{params['QueueName']}"
        return None
    if service in ("ses", "sesv2"):
        source = params.get("Source") or params.get("FromEmailAddress")
        if source:
            address = source.split("<")[-1].rstrip(">").strip()
            return f"arn:aws:ses:{region}:{account_id}:identity/{address}"
        return None
    if service == "events":
        name = params.get("Name") or params.get("Rule")
        return f"arn:aws:events:{region}:{account_id}:rule/{name}" if name else None
    if service == "lambda":
        name = params.get("FunctionName")
        if name and not name.startswith("arn:"):
            return f"arn:aws:lambda:{region}:{account_id}:function:{name}"
        return name
    return None
