"""Poll sources (SQS event source mappings, DynamoDB Streams)."""

import json

import pytest


def make_queue(cloud, name, *, visibility=30, dlq=None, max_receive=2):
    sqs = cloud.account.client("sqs")
    attributes = {"VisibilityTimeout": str(visibility)}
    if dlq:
        attributes["RedrivePolicy"] = json.dumps(
            {
                "deadLetterTargetArn": f"arn:aws:sqs:us-east-1:{cloud.account.account_id}:{dlq}",
                "maxReceiveCount": max_receive,
            }
        )
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, f"arn:aws:sqs:us-east-1:{cloud.account.account_id}:{name}"


def bodies(sqs, url):
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
        "Messages", []
    )
    return sorted(m["Body"] for m in messages)


def test_sqs_partial_batch_failure_and_redrive_to_the_dlq(cloud):
    sqs = cloud.account.client("sqs")
    dlq_url, _ = make_queue(cloud, "orders-dlq")
    url, arn = make_queue(cloud, "orders", visibility=30, dlq="orders-dlq", max_receive=2)
    cloud.function("consumer", "sqs_partial", timeout_s=10)
    cloud.router.map_sqs(arn, "consumer", batch_size=10, report_batch_item_failures=True)
    for body in ("good-1", "bad-1", "good-2"):
        sqs.send_message(
            QueueUrl=url,
            MessageBody=body,
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "test"}},
        )

    cloud.router.drain()
    first = cloud.received("consumer")
    assert len(first) == 1
    records = first[0]["event"]["Records"]
    assert sorted(r["body"] for r in records) == ["bad-1", "good-1", "good-2"]
    record = records[0]
    assert (record["eventSource"], record["eventSourceARN"], record["awsRegion"]) == (
        "aws:sqs",
        arn,
        "us-east-1",
    )
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["kind"] == {
        "stringValue": "test",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert len(record["md5OfBody"]) == 32
    assert cloud.router.deliveries[-1].outcome == "partial"
    # the good ones were deleted, the bad one waits out its visibility timeout
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (
        attributes["ApproximateNumberOfMessages"],
        attributes["ApproximateNumberOfMessagesNotVisible"],
    ) == ("0", "1")

    cloud.clock.advance(29)
    cloud.router.drain()
    assert len(cloud.received("consumer")) == 1  # still invisible
    cloud.clock.advance(2)
    cloud.router.drain()
    second = [
        r
        for r in cloud.received("consumer")
        if r["event"]["Records"][0]["attributes"]["ApproximateReceiveCount"] == "2"
    ]
    assert [r["body"] for r in second[0]["event"]["Records"]] == ["bad-1"]

    cloud.clock.advance(31)
    cloud.router.drain()  # the third receive would exceed maxReceiveCount 2: SQS moves it to the DLQ
    assert len(cloud.received("consumer")) == 2
    assert bodies(sqs, dlq_url) == ["bad-1"]
    assert bodies(sqs, url) == []


def test_sqs_function_error_returns_the_whole_batch(cloud):
    sqs = cloud.account.client("sqs")
    url, arn = make_queue(cloud, "jobs", visibility=30)
    cloud.function("crasher", "fail")
    cloud.router.map_sqs(arn, "crasher", batch_size=5)
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"job-{i}")
    cloud.router.drain()
    assert (
        cloud.router.deliveries[-1].outcome == "error" and cloud.router.deliveries[-1].records == 3
    )
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "3"


def test_sqs_batch_size_and_batching_window(cloud):
    sqs = cloud.account.client("sqs")
    url, arn = make_queue(cloud, "clicks", visibility=60)
    cloud.function("counter", "record")
    cloud.router.map_sqs(arn, "counter", batch_size=20, maximum_batching_window_s=5)
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"click-{i}")
    cloud.router.drain()
    assert cloud.received("counter") == []  # the window is open: Lambda waits for more
    cloud.clock.advance(5)
    cloud.router.drain()
    batches = cloud.received("counter")
    assert [len(b["event"]["Records"]) for b in batches] == [3]

    url2, arn2 = make_queue(cloud, "small-batches", visibility=60)
    cloud.function("small", "record")
    cloud.router.map_sqs(arn2, "small", batch_size=2)
    for i in range(5):
        sqs.send_message(QueueUrl=url2, MessageBody=f"m-{i}")
    cloud.router.drain()
    assert sorted(len(b["event"]["Records"]) for b in cloud.received("small")) == [1, 2, 2]


def test_invalid_partial_batch_response_fails_the_whole_batch(cloud):
    from serverless_tutor.cloud.routing.batches import batch_item_failures

    ids = {"a", "b"}
    assert batch_item_failures({"batchItemFailures": []}, ids) == (set(), "")
    assert batch_item_failures(None, ids) == (set(), "")
    assert batch_item_failures({"batchItemFailures": [{"itemIdentifier": "a"}]}, ids)[0] == {"a"}
    assert batch_item_failures({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, ids)[0] == ids
    assert batch_item_failures({"batchItemFailures": [{"itemIdentifier": ""}]}, ids)[0] == ids
    assert batch_item_failures("oops", ids)[0] == ids


def make_table(cloud, name, view_type):
    ddb = cloud.account.client("dynamodb")
    description = ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type},
    )["TableDescription"]
    return ddb, description["LatestStreamArn"]


@pytest.mark.parametrize(
    ("view_type", "images"),
    [
        ("KEYS_ONLY", {"INSERT": set(), "MODIFY": set(), "REMOVE": set()}),
        ("NEW_IMAGE", {"INSERT": {"NewImage"}, "MODIFY": {"NewImage"}, "REMOVE": set()}),
        ("OLD_IMAGE", {"INSERT": set(), "MODIFY": {"OldImage"}, "REMOVE": {"OldImage"}}),
        (
            "NEW_AND_OLD_IMAGES",
            {"INSERT": {"NewImage"}, "MODIFY": {"NewImage", "OldImage"}, "REMOVE": {"OldImage"}},
        ),
    ],
)
def test_stream_view_types(cloud, view_type, images):
    ddb, stream_arn = make_table(cloud, f"users-{view_type.lower().replace('_', '-')}", view_type)
    table = stream_arn.split("table/")[1].split("/")[0]
    cloud.function("on-change", "record")
    cloud.router.map_stream(stream_arn, "on-change", batch_size=10)
    ddb.put_item(TableName=table, Item={"id": {"S": "u1"}, "status": {"S": "new"}})
    ddb.update_item(
        TableName=table,
        Key={"id": {"S": "u1"}},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "active"}},
    )
    ddb.delete_item(TableName=table, Key={"id": {"S": "u1"}})
    cloud.router.drain()

    records = [r for batch in cloud.received("on-change") for r in batch["event"]["Records"]]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    for record in records:
        assert (record["eventVersion"], record["eventSource"], record["awsRegion"]) == (
            "1.1",
            "aws:dynamodb",
            "us-east-1",
        )
        assert record["eventSourceARN"] == stream_arn
        data = record["dynamodb"]
        assert data["StreamViewType"] == view_type and data["Keys"] == {"id": {"S": "u1"}}
        assert isinstance(data["ApproximateCreationDateTime"], int | float)
        assert {"NewImage", "OldImage"} & set(data) == images[record["eventName"]]
    modify = records[1]["dynamodb"]
    if "NewImage" in modify:
        assert modify["NewImage"]["status"] == {"S": "active"}
    if "OldImage" in modify:
        assert modify["OldImage"]["status"] == {"S": "new"}


def test_stream_latest_skips_old_records_and_failed_batches_retry_then_drop(cloud):
    ddb, stream_arn = make_table(cloud, "events", "NEW_IMAGE")
    ddb.put_item(TableName="events", Item={"id": {"S": "before-mapping"}})
    cloud.function("processor", "stream_fail_on_poison")
    cloud.router.map_stream(
        stream_arn, "processor", starting_position="LATEST", maximum_retry_attempts=1, batch_size=1
    )
    ddb.put_item(TableName="events", Item={"id": {"S": "poison"}, "poison": {"BOOL": True}})
    ddb.put_item(TableName="events", Item={"id": {"S": "fine"}})

    cloud.router.drain()  # attempt 1 fails: the shard waits on the poison record
    seen = [
        b["event"]["Records"][0]["dynamodb"]["Keys"]["id"]["S"] for b in cloud.received("processor")
    ]
    assert seen == ["poison"]
    cloud.router.drain()  # retry 1 fails too: the batch is dropped, the shard moves on
    seen = [
        b["event"]["Records"][0]["dynamodb"]["Keys"]["id"]["S"] for b in cloud.received("processor")
    ]
    assert sorted(seen) == ["fine", "poison", "poison"]
    outcomes = [d.outcome for d in cloud.router.deliveries]
    assert outcomes == ["retry", "dropped", "ok"]
