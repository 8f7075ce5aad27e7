"""Create an exercise's resources in the local account, and read their end state back.

All of this runs in the grading (parent) process through the account's own boto3
clients: the learner's handler cannot reach it except by making AWS calls.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.content.exercises import Resources, Setup
from serverless_tutor.grading.matching import plain


def to_dynamodb(value: Any) -> dict[str, Any]:
    """A plain JSON value as a DynamoDB attribute value (numbers become Decimal, exactly)."""
    from boto3.dynamodb.types import TypeSerializer

    serialized: dict[str, Any] = TypeSerializer().serialize(_decimals(value))
    return serialized


def from_dynamodb(item: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    plain_item: dict[str, Any] = plain(
        {key: deserializer.deserialize(value) for key, value in item.items()}
    )
    return plain_item


def _decimals(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    return value


def create_resources(account: LocalAccount, resources: Resources) -> None:
    # Each client is asked for only when its service has resources: making a boto3
    # client costs milliseconds, and a one-shot `check` would pay for every service.
    for table in resources.tables:
        names = list(table.key)
        account.client("dynamodb").create_table(
            TableName=table.name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": kind} for name, kind in table.key.items()
            ],
            KeySchema=[{"AttributeName": names[0], "KeyType": "HASH"}]
            + ([{"AttributeName": names[1], "KeyType": "RANGE"}] if len(names) > 1 else []),
        )
        put_items(account, table.name, table.items)
    for bucket in resources.buckets:
        s3 = account.client("s3")
        s3.create_bucket(Bucket=bucket.name)
        for key, text in bucket.objects.items():
            s3.put_object(Bucket=bucket.name, Key=key, Body=text.encode("utf-8"))
    for queue in resources.queues:
        sqs = account.client("sqs")
        url = sqs.create_queue(QueueName=queue.name)["QueueUrl"]
        for body in queue.messages:
            sqs.send_message(QueueUrl=url, MessageBody=body)
    for topic in resources.topics:
        account.client("sns").create_topic(Name=topic)
    for subscription in resources.subscriptions:
        attributes = {"RawMessageDelivery": "true"} if subscription.raw else {}
        if subscription.filter_policy is not None:
            attributes["FilterPolicy"] = json.dumps(subscription.filter_policy)
        account.client("sns").subscribe(
            TopicArn=account.arn("sns", subscription.topic),
            Protocol="sqs",
            Endpoint=account.arn("sqs", subscription.queue),
            Attributes=attributes,
        )
    for sender in resources.ses_senders:
        account.client("ses").verify_email_identity(EmailAddress=sender)


def apply_setup(account: LocalAccount, setup: Setup) -> None:
    for table, items in setup.items.items():
        put_items(account, table, items)
    for bucket, objects in setup.objects.items():
        for key, text in objects.items():
            account.client("s3").put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"))
    for queue, bodies in setup.messages.items():
        sqs = account.client("sqs")
        url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        for body in bodies:
            sqs.send_message(QueueUrl=url, MessageBody=body)


def put_items(account: LocalAccount, table: str, items: list[dict[str, Any]]) -> None:
    dynamodb = account.client("dynamodb")
    for item in items:
        dynamodb.put_item(
            TableName=table, Item={key: to_dynamodb(value) for key, value in item.items()}
        )


def table_items(account: LocalAccount, table: str) -> list[dict[str, Any]]:
    dynamodb = account.client("dynamodb")
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table}
    while True:
        page = dynamodb.scan(**kwargs)
        items.extend(from_dynamodb(item) for item in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def get_item(account: LocalAccount, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    response = account.client("dynamodb").get_item(
        TableName=table, Key={k: to_dynamodb(v) for k, v in key.items()}
    )
    return from_dynamodb(response["Item"]) if "Item" in response else None


def bucket_objects(account: LocalAccount, bucket: str) -> dict[str, bytes]:
    s3 = account.client("s3")
    found: dict[str, bytes] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            found[entry["Key"]] = s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
    return found


def queue_bodies(account: LocalAccount, queue: str) -> list[str]:
    """Every message body waiting in the queue (read without removing them for good)."""
    sqs = account.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    bodies: list[str] = []
    while True:
        # VisibilityTimeout hides what we read so the next call returns new messages.
        page = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60, WaitTimeSeconds=0
        )
        messages = page.get("Messages", [])
        if not messages:
            return bodies
        bodies.extend(message["Body"] for message in messages)
