"""Push sources (SNS, S3, schedules): payloads, filters, async retries, DLQ and destinations."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from serverless_tutor.cloud.routing.router import EventRouter
from serverless_tutor.runtime import ManualClock

FUNCTIONS = Path(__file__).parent / "functions"  # the handlers the cloud tests deploy
MILLIS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_sns_filter_policy_routes_each_event_type(cloud):
    topic = cloud.account.client("sns").create_topic(Name="orders")["TopicArn"]
    cloud.function("pay", "record")
    cloud.function("ship", "record")
    cloud.router.subscribe_sns(topic, "pay", policy={"eventType": ["OrderCreated"]})
    cloud.router.subscribe_sns(
        topic, "ship", policy={"eventType": ["PaymentProcessed"], "total": [{"numeric": [">", 10]}]}
    )

    sns = cloud.account.client("sns")
    sns.publish(
        TopicArn=topic,
        Message='{"orderId": "1"}',
        Subject="new",
        MessageAttributes={"eventType": {"DataType": "String", "StringValue": "OrderCreated"}},
    )
    sns.publish(
        TopicArn=topic,
        Message='{"orderId": "1"}',
        MessageAttributes={
            "eventType": {"DataType": "String", "StringValue": "PaymentProcessed"},
            "total": {"DataType": "Number", "StringValue": "25"},
        },
    )
    sns.publish(
        TopicArn=topic,
        Message='{"orderId": "2"}',
        MessageAttributes={
            "eventType": {"DataType": "String", "StringValue": "PaymentProcessed"},
            "total": {"DataType": "Number", "StringValue": "5"},
        },
    )
    cloud.router.drain()

    paid = cloud.received("pay")
    assert len(paid) == 1
    record = paid[0]["event"]["Records"][0]
    assert (record["EventSource"], record["EventVersion"]) == ("aws:sns", "1.0")
    assert record["EventSubscriptionArn"].startswith(topic + ":")
    message = record["Sns"]
    assert (message["Type"], message["TopicArn"], message["Subject"], message["Message"]) == (
        "Notification",
        topic,
        "new",
        '{"orderId": "1"}',
    )
    assert message["MessageAttributes"] == {
        "eventType": {"Type": "String", "Value": "OrderCreated"}
    }
    assert MILLIS_Z.match(message["Timestamp"])
    shipped = cloud.received("ship")
    assert [json.loads(r["event"]["Records"][0]["Sns"]["Message"])["orderId"] for r in shipped] == [
        "1"
    ]
    assert json.loads(shipped[0]["event"]["Records"][0]["Sns"]["Message"]) == {"orderId": "1"}
    filtered = [d for d in cloud.router.deliveries if d.outcome == "filtered"]
    assert len(filtered) == 4  # each function skipped the messages its policy rejects


def test_async_failure_is_retried_twice_then_sent_to_the_dead_letter_queue(cloud):
    sqs = cloud.account.client("sqs")
    dlq_url = sqs.create_queue(QueueName="failed-events")["QueueUrl"]
    dlq_arn = f"arn:aws:sqs:us-east-1:{cloud.account.account_id}:failed-events"
    topic = cloud.account.client("sns").create_topic(Name="jobs")["TopicArn"]
    cloud.function("worker", "fail", dead_letter=dlq_arn)
    cloud.router.subscribe_sns(topic, "worker")

    cloud.account.client("sns").publish(TopicArn=topic, Message="do it")
    cloud.router.drain()

    attempts = [
        d for d in cloud.router.deliveries if d.function_name == "worker" and d.source == "sns"
    ]
    assert [(d.attempt, d.outcome) for d in attempts] == [(1, "retry"), (2, "retry"), (3, "error")]
    assert len(cloud.received("worker")) == 3
    message = sqs.receive_message(QueueUrl=dlq_url, MessageAttributeNames=["All"])["Messages"][0]
    assert (
        json.loads(message["Body"])["Records"][0]["Sns"]["Message"] == "do it"
    )  # the original event
    assert message["MessageAttributes"]["ErrorMessage"]["StringValue"] == "boom"
    assert any(d.outcome == "dead-letter" for d in cloud.router.deliveries)


def test_on_failure_destination_gets_the_invocation_record(cloud):
    sqs = cloud.account.client("sqs")
    url = sqs.create_queue(QueueName="on-failure")["QueueUrl"]
    cloud.function(
        "worker",
        "fail",
        retries=0,
        on_failure=f"arn:aws:sqs:us-east-1:{cloud.account.account_id}:on-failure",
    )
    cloud.router.invoke_async("worker", {"job": 7}, source="schedule", source_arn="arn:test")
    cloud.router.drain()

    assert len(cloud.received("worker")) == 1  # maximumRetryAttempts: 0
    record = json.loads(sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["requestPayload"] == {"job": 7}
    assert record["responsePayload"]["errorType"] == "RuntimeError"
    assert record["responseContext"]["functionError"] == "Unhandled"


def test_failure_without_a_destination_is_dropped_and_said(cloud):
    cloud.function("worker", "fail", retries=1)
    cloud.router.invoke_async("worker", {}, source="schedule", source_arn="arn:test")
    cloud.router.drain()
    assert cloud.router.deliveries[-1].outcome == "dropped"
    assert "lost" in cloud.router.deliveries[-1].detail


def test_s3_notifications_with_prefix_suffix_and_event_types(cloud):
    s3 = cloud.account.client("s3")
    s3.create_bucket(Bucket="photos")
    cloud.function("thumbnail", "record")
    cloud.function("cleanup", "record")
    cloud.router.notify_s3(
        "photos", "thumbnail", events=["s3:ObjectCreated:*"], prefix="in/", suffix=".jpg"
    )
    cloud.router.notify_s3("photos", "cleanup", events=["s3:ObjectRemoved:Delete"])

    s3.put_object(Bucket="photos", Key="in/my photo+1.jpg", Body=b"12345")
    s3.put_object(Bucket="photos", Key="in/notes.txt", Body=b"x")
    s3.put_object(Bucket="photos", Key="out/other.jpg", Body=b"x")
    s3.copy_object(
        Bucket="photos",
        Key="in/copy.jpg",
        CopySource={"Bucket": "photos", "Key": "in/my photo+1.jpg"},
    )
    s3.delete_object(Bucket="photos", Key="in/notes.txt")
    cloud.router.drain()

    created = sorted(
        (r["event"]["Records"][0] for r in cloud.received("thumbnail")),
        key=lambda r: r["eventName"],
    )
    assert [(r["eventName"], r["s3"]["object"]["key"]) for r in created] == [
        ("ObjectCreated:Copy", "in/copy.jpg"),
        ("ObjectCreated:Put", "in/my+photo%2B1.jpg"),  # URL-encoded: space as +, + as %2B
    ]
    put = created[1]
    assert (put["eventVersion"], put["eventSource"], put["awsRegion"]) == (
        "2.1",
        "aws:s3",
        "us-east-1",
    )
    assert MILLIS_Z.match(put["eventTime"])
    assert (
        put["s3"]["object"]["size"] == 5
        and put["s3"]["object"]["eTag"] == "827ccb0eea8a706c4c34a16891f84e7b"
    )
    assert put["s3"]["bucket"] == {
        "name": "photos",
        "ownerIdentity": put["s3"]["bucket"]["ownerIdentity"],
        "arn": "arn:aws:s3:::photos",
    }
    assert put["s3"]["s3SchemaVersion"] == "1.0" and re.fullmatch(
        r"[0-9A-F]{18}", put["s3"]["object"]["sequencer"]
    )
    assert created[0]["s3"]["object"]["size"] == 5  # a copy reports the copied object's size
    removed = [r["event"]["Records"][0] for r in cloud.received("cleanup")]
    assert [(r["eventName"], r["s3"]["object"]["key"]) for r in removed] == [
        ("ObjectRemoved:Delete", "in/notes.txt")
    ]
    assert "size" not in removed[0]["s3"]["object"]


def test_schedules_fire_on_a_stepped_clock(shared_runtime):
    runtime, holder = shared_runtime
    from serverless_tutor.cloud.account import LocalAccount
    from serverless_tutor.runtime import FunctionConfig

    account = LocalAccount()
    holder["account"] = account
    account.client("dynamodb").create_table(
        TableName="received",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    clock = ManualClock()
    start = datetime(2026, 1, 15, 11, 58, 30, tzinfo=UTC)
    with EventRouter(account, runtime, clock=clock, start_time=start) as router:
        router.add_function(
            FunctionConfig(name="report", handler="handlers.py:record", code_dir=FUNCTIONS)
        )
        router.schedule("every-5-min", "rate(5 minutes)", "report")
        router.schedule("noon", "cron(0 12 * * ? *)", "report", input={"job": "noon"})

        router.drain()
        assert router.deliveries == []  # nothing is due yet
        clock.advance(90)  # 12:00:00
        router.drain()
        clock.advance(210)  # 12:03:30
        router.drain()
        clock.advance(600)  # 12:13:30: two more 5-minute firings (12:08:30, 12:13:30)
        router.drain()

        items = account.client("dynamodb", internal=True).scan(TableName="received")["Items"]
        events = [json.loads(i["event"]["S"]) for i in items]
        assert {"job": "noon"} in events  # `input` replaces the scheduled event
        scheduled = sorted(e["time"] for e in events if e.get("detail-type") == "Scheduled Event")
        assert scheduled == ["2026-01-15T12:03:30Z", "2026-01-15T12:08:30Z", "2026-01-15T12:13:30Z"]
        sample = next(e for e in events if e.get("source") == "aws.events")
        assert sample["resources"] == [
            f"arn:aws:events:us-east-1:{account.account_id}:rule/every-5-min"
        ]
        assert (sample["version"], sample["account"], sample["detail"]) == (
            "0",
            account.account_id,
            {},
        )
    account.reset()


def test_invoke_async_returns_before_the_function_runs(cloud):
    """The publisher is not kept waiting: delivery happens on the router's threads."""
    import threading

    gate = threading.Event()
    original = cloud.runtime.invoke

    def slow_invoke(config, event, **kwargs):
        gate.wait(5)
        return original(config, event, **kwargs)

    cloud.runtime.invoke = slow_invoke
    try:
        topic = cloud.account.client("sns").create_topic(Name="slow")["TopicArn"]
        cloud.function("slowpoke", "record")
        cloud.router.subscribe_sns(topic, "slowpoke")
        cloud.account.client("sns").publish(TopicArn=topic, Message="x")
        assert cloud.received("slowpoke") == []  # publish returned while delivery waits
        gate.set()
        cloud.router.drain()
        assert len(cloud.received("slowpoke")) == 1
    finally:
        del cloud.runtime.invoke


@pytest.mark.parametrize("expression", ["rate(1 minute)", "cron(*/1 * * * ? *)"])
def test_schedule_does_not_fire_twice_for_one_period(cloud, expression):
    cloud.function("tick", "record")
    cloud.router.schedule("tick", expression, "tick")
    cloud.clock.advance(60)
    cloud.router.drain()
    cloud.router.drain()
    assert len(cloud.received("tick")) == 1


def test_every_registration_names_a_registered_function(cloud):
    """SNS, S3, schedules and API routes refuse a function the router does not know."""
    topic = cloud.account.client("sns").create_topic(Name="t")["TopicArn"]
    with pytest.raises(KeyError, match="add_function first"):
        cloud.router.subscribe_sns(topic, "ghost")
    with pytest.raises(KeyError, match="ghost"):
        cloud.router.notify_s3("photos", "ghost")
    with pytest.raises(KeyError, match="ghost"):
        cloud.router.schedule("nightly", "rate(1 day)", "ghost")
    with pytest.raises(KeyError, match="ghost"):
        cloud.router.api.add_route("http", "GET", "/x", "ghost")
    assert (cloud.router.sns_subscriptions, cloud.router.s3_notifications, cloud.router.rules) == (
        [],
        [],
        [],
    )
    assert cloud.router.api.routes == []
    config = cloud.function("real", "record")
    assert cloud.router.function("real").config == config
    assert cloud.router.function("real").arn.endswith(":function:real")
