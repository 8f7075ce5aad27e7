"""Event payloads the router hands to functions, shaped as AWS delivers them.

Each builder starts from the runtime's sample event for that source (so the
shapes agree field for field) and fills in the real values, including the fields
moto leaves out: S3 record metadata, eventTime with milliseconds and a Z, the
Streams record's eventVersion, region and eventSourceARN.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import threading
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from serverless_tutor.runtime.events import sample_event


def iso_millis(moment: datetime) -> str:
    """AWS event time: 2026-01-15T12:00:00.123Z (milliseconds, UTC, Z)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def iso_seconds(moment: datetime) -> str:
    """EventBridge time: 2026-01-15T12:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clf_time(moment: datetime) -> str:
    """API Gateway requestTime: 15/Jan/2026:12:00:00 +0000."""
    return moment.astimezone(UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def epoch_millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


# -- SNS -----------------------------------------------------------------------------------


def sns_record(
    *,
    topic_arn: str,
    subscription_arn: str,
    message_id: str,
    message: str,
    subject: str | None,
    attributes: dict[str, Any],
    timestamp: datetime,
    region: str,
) -> dict[str, Any]:
    record: dict[str, Any] = sample_event("sns")["Records"][0]
    sns = record["Sns"]
    record["EventSubscriptionArn"] = subscription_arn
    sns.update(
        {
            "MessageId": message_id,
            "TopicArn": topic_arn,
            "Subject": subject,
            "Message": message,
            "Timestamp": iso_millis(timestamp),
            "SigningCertUrl": f"https://sns.{region}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
            "UnsubscribeUrl": f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription_arn}",
            "MessageAttributes": sns_message_attributes(attributes),
        }
    )
    return record


def sns_message_attributes(attributes: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Publish's {Name: {DataType, StringValue|BinaryValue}} as Lambda sees it: {Name: {Type, Value}}."""
    found = {}
    for name, attribute in (attributes or {}).items():
        kind = attribute.get("DataType", "String")
        if "BinaryValue" in attribute:
            value = attribute["BinaryValue"]
            value = (
                base64.b64encode(value).decode()
                if isinstance(value, bytes | bytearray)
                else str(value)
            )
        else:
            value = attribute.get("StringValue", "")
        found[name] = {"Type": kind, "Value": value}
    return found


# -- SQS -----------------------------------------------------------------------------------


def sqs_record(message: dict[str, Any], *, queue_arn: str, region: str) -> dict[str, Any]:
    """One Lambda SQS record from a ReceiveMessage message (with All attributes)."""
    record: dict[str, Any] = sample_event("sqs")["Records"][0]
    attributes = dict(message.get("Attributes") or {})
    record.update(
        {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": {
                key: attributes[key]
                for key in (
                    "ApproximateReceiveCount",
                    "SentTimestamp",
                    "SenderId",
                    "ApproximateFirstReceiveTimestamp",
                    "SequenceNumber",
                    "MessageGroupId",
                    "MessageDeduplicationId",
                    "AWSTraceHeader",
                )
                if key in attributes
            },
            "messageAttributes": {
                name: {
                    "stringValue": value.get("StringValue"),
                    "binaryValue": base64.b64encode(value["BinaryValue"]).decode()
                    if value.get("BinaryValue")
                    else None,
                    "stringListValues": [],
                    "binaryListValues": [],
                    "dataType": value.get("DataType", "String"),
                }
                for name, value in (message.get("MessageAttributes") or {}).items()
            },
            "md5OfBody": message.get("MD5OfBody")
            or hashlib.md5(message["Body"].encode()).hexdigest(),
            "eventSourceARN": queue_arn,
            "awsRegion": region,
        }
    )
    for value in record["messageAttributes"].values():
        if value["binaryValue"] is None:
            del value["binaryValue"]
        if value["stringValue"] is None:
            del value["stringValue"]
    return record


# -- S3 ------------------------------------------------------------------------------------

_SEQUENCER = itertools.count(int(datetime.now(UTC).timestamp() * 1000) << 12)
_SEQUENCER_LOCK = threading.Lock()


def next_sequencer() -> str:
    """S3's sequencer: an uppercase hex string that grows with each event on a key."""
    with _SEQUENCER_LOCK:
        return f"{next(_SEQUENCER):018X}"


def s3_record(
    *,
    event_name: str,
    bucket: str,
    key: str,
    size: int | None,
    etag: str | None,
    version_id: str | None,
    when: datetime,
    region: str,
    configuration_id: str,
    principal_id: str,
    request_id: str,
) -> dict[str, Any]:
    source = "s3-put" if event_name.startswith("ObjectCreated") else "s3-delete"
    record: dict[str, Any] = sample_event(source)["Records"][0]
    obj: dict[str, Any] = {"key": quote_plus(key, safe="/")}
    if event_name.startswith("ObjectCreated"):
        obj["size"] = size or 0
        obj["eTag"] = (etag or "").strip('"')
    if version_id:
        obj["versionId"] = version_id
    obj["sequencer"] = next_sequencer()
    record.update(
        {
            "awsRegion": region,
            "eventTime": iso_millis(when),
            "eventName": event_name,
            "userIdentity": {"principalId": principal_id},
            "requestParameters": {"sourceIPAddress": "127.0.0.1"},
            "responseElements": {
                "x-amz-request-id": request_id[:16].upper(),
                "x-amz-id-2": base64.b64encode(
                    hashlib.sha256(request_id.encode()).digest()
                ).decode(),
            },
        }
    )
    record["s3"].update(
        {
            "configurationId": configuration_id,
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                "arn": f"arn:aws:s3:::{bucket}",
            },
            "object": obj,
        }
    )
    return record


# -- DynamoDB Streams ------------------------------------------------------------------------


def stream_record(raw: dict[str, Any], *, stream_arn: str, region: str) -> dict[str, Any]:
    """A GetRecords record as Lambda delivers it (moto leaves out or differs on several fields)."""
    record: dict[str, Any] = sample_event("dynamodb-insert")["Records"][0]
    data = dict(raw["dynamodb"])
    created = data.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        data["ApproximateCreationDateTime"] = int(created.timestamp())
    elif created is None:
        data["ApproximateCreationDateTime"] = int(datetime.now(UTC).timestamp())
    record.update(
        {
            "eventID": raw.get("eventID") or uuid.uuid4().hex,
            "eventName": raw["eventName"],
            "eventVersion": "1.1",
            "awsRegion": region,
            "dynamodb": data,
            "eventSourceARN": stream_arn,
        }
    )
    return record


# -- EventBridge schedules -------------------------------------------------------------------


def scheduled_event(
    *, rule_arn: str, when: datetime, account_id: str, region: str
) -> dict[str, Any]:
    event = sample_event("eventbridge-scheduled")
    event.update(
        {
            "id": str(uuid.uuid4()),
            "account": account_id,
            "time": iso_seconds(when),
            "region": region,
            "resources": [rule_arn],
            "detail": {},
        }
    )
    return event


# -- Async invocation records (destinations) --------------------------------------------------


def destination_record(
    *,
    function_arn: str,
    request_id: str,
    event: Any,
    error: dict[str, Any] | None,
    attempts: int,
    when: datetime,
    condition: str = "RetriesExhausted",
) -> dict[str, Any]:
    """What an on-failure destination receives after the last retry."""
    return {
        "version": "1.0",
        "timestamp": iso_millis(when),
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{function_arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "responsePayload": error,
    }
