"""S3 -> Lambda: object created and removed events invoke the functions whose notification wants them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from serverless_tutor.cloud import payloads
from serverless_tutor.cloud.account import CompletedCall
from serverless_tutor.cloud.routing.async_invoke import AsyncInvoker
from serverless_tutor.cloud.routing.source import EventSource, RoutingContext

S3_CREATED_EVENTS = {
    "PutObject": "ObjectCreated:Put",
    "PostObject": "ObjectCreated:Post",
    "CopyObject": "ObjectCreated:Copy",
    "CompleteMultipartUpload": "ObjectCreated:CompleteMultipartUpload",
}


@dataclass
class S3Notification:
    bucket: str
    function_name: str
    events: list[str]
    prefix: str | None = None
    suffix: str | None = None
    configuration_id: str = ""

    def wants(self, event_name: str, key: str) -> bool:
        if self.prefix and not key.startswith(self.prefix):
            return False
        if self.suffix and not key.endswith(self.suffix):
            return False
        for pattern in self.events:
            wanted = pattern.removeprefix("s3:")
            if wanted.endswith("*") and event_name.startswith(wanted[:-1]):
                return True
            if wanted == event_name:
                return True
        return False


@dataclass
class _ObjectEvent:
    name: str
    key: str
    size: int | None
    etag: str | None
    version_id: str | None


class S3Source(EventSource):
    def __init__(self, context: RoutingContext, invoker: AsyncInvoker):
        super().__init__(context)
        self.invoker = invoker
        self.notifications: list[S3Notification] = []

    def notify(
        self,
        bucket: str,
        function_name: str,
        *,
        events: list[str] | None = None,
        prefix: str | None = None,
        suffix: str | None = None,
    ) -> S3Notification:
        self.functions.get(function_name)
        notification = S3Notification(
            bucket,
            function_name,
            events or ["s3:ObjectCreated:*"],
            prefix,
            suffix,
            configuration_id=f"{function_name}-{uuid.uuid4().hex[:8]}",
        )
        self.notifications.append(notification)
        return notification

    def on_call(self, call: CompletedCall) -> None:
        """Turn a served S3 call into the events it raises and invoke who wants them."""
        if not self.notifications:
            return
        bucket = call.params.get("Bucket")
        if not isinstance(bucket, str):
            return
        headers = {k.lower(): v for k, v in call.headers.items()}
        events = self._object_events(call, bucket, headers)
        if not events:
            return
        principal = (
            f"AWS:AROA{call.account.account_id}:{call.entry.function_name}"
            if call.entry.function_name
            else "AWS:AIDATUTOREXAMPLE"
        )
        for event in events:
            for notification in self.notifications:
                if notification.bucket != bucket or not notification.wants(event.name, event.key):
                    continue
                record = payloads.s3_record(
                    event_name=event.name,
                    bucket=bucket,
                    key=event.key,
                    size=event.size,
                    etag=event.etag,
                    version_id=event.version_id,
                    when=call.entry.time,
                    region=self.account.region,
                    configuration_id=notification.configuration_id,
                    principal_id=principal,
                    request_id=headers.get("x-amz-request-id") or uuid.uuid4().hex,
                )
                self.invoker.invoke_async(
                    notification.function_name,
                    {"Records": [record]},
                    source="s3",
                    source_arn=f"arn:aws:s3:::{bucket}",
                )

    def _object_events(
        self, call: CompletedCall, bucket: str, headers: dict[str, str]
    ) -> list[_ObjectEvent]:
        params, operation = call.params, call.entry.operation
        if operation in S3_CREATED_EVENTS:
            key = params.get("Key", "")
            size = params.get("ContentLength")
            if size is None or operation != "PutObject":
                size = self._object_size(bucket, key)
            return [
                _ObjectEvent(
                    S3_CREATED_EVENTS[operation],
                    key,
                    size,
                    headers.get("etag"),
                    headers.get("x-amz-version-id"),
                )
            ]
        if operation == "DeleteObject":
            marker = headers.get("x-amz-delete-marker") == "true" and not params.get("VersionId")
            name = "ObjectRemoved:DeleteMarkerCreated" if marker else "ObjectRemoved:Delete"
            key = params.get("Key", "")
            return [_ObjectEvent(name, key, None, None, headers.get("x-amz-version-id"))]
        if operation == "DeleteObjects":
            return [
                _ObjectEvent("ObjectRemoved:Delete", item["Key"], None, None, item.get("VersionId"))
                for item in (params.get("Delete") or {}).get("Objects", [])
            ]
        return []

    def _object_size(self, bucket: str, key: str) -> int | None:
        s3 = self.account.client("s3", internal=True)
        try:
            return int(s3.head_object(Bucket=bucket, Key=key)["ContentLength"])
        except s3.exceptions.ClientError:
            return None
