"""Delivery faults in the router: duplicate, out-of-order and redelivered events, as a plan says."""

from serverless_tutor.cloud.faults import FaultInjector, FaultPlan


def plan(effect: dict, source: str = "sqs") -> FaultInjector:
    return FaultInjector(
        FaultPlan.model_validate(
            {"rules": [{"delivery": {"source": source}, "when": {"nth": 1}, "effect": effect}]}
        )
    )


def queue(cloud, name: str = "jobs") -> tuple[str, str]:
    url = cloud.account.client("sqs").create_queue(
        QueueName=name, Attributes={"VisibilityTimeout": "30"}
    )["QueueUrl"]
    return url, f"arn:aws:sqs:us-east-1:{cloud.account.account_id}:{name}"


def batches(cloud) -> list[list[str]]:
    """The message ids of each batch the consumer saw, in the order of each batch."""
    seen = sorted(cloud.received("consumer"), key=lambda item: item["note"])
    return [[r["messageId"] for r in item["event"]["Records"]] for item in seen]


def send(cloud, url: str, *bodies: str) -> list[str]:
    sqs = cloud.account.client("sqs")
    return [sqs.send_message(QueueUrl=url, MessageBody=b)["MessageId"] for b in bodies]


def test_a_duplicate_sqs_delivery_hands_the_same_batch_out_twice(cloud):
    url, arn = queue(cloud)
    cloud.function("consumer", "record")
    cloud.router.map_sqs(arn, "consumer")
    cloud.router.faults = injector = plan({"duplicate": True})
    ids = send(cloud, url, "a", "b")
    cloud.router.drain()
    assert sorted(map(sorted, batches(cloud))) == [sorted(ids), sorted(ids)]
    assert injector.describe() == [f"duplicate delivery on sqs queue {arn} (function consumer)"]
    assert cloud.account.client("sqs").receive_message(QueueUrl=url).get("Messages") is None


def test_an_out_of_order_batch_arrives_reversed(cloud):
    url, arn = queue(cloud)
    cloud.function("consumer", "record")
    cloud.router.map_sqs(arn, "consumer")
    ids = send(cloud, url, "first", "second", "third")
    cloud.router.faults = plan({"reorder": True})
    cloud.router.drain()
    (seen,) = batches(cloud)
    assert seen == list(reversed(ids))


def test_a_redelivered_batch_comes_back_after_the_visibility_timeout(cloud):
    url, arn = queue(cloud)
    cloud.function("consumer", "record")
    cloud.router.map_sqs(arn, "consumer")
    cloud.router.faults = plan({"redeliver": True})
    (message_id,) = send(cloud, url, "pay")
    cloud.router.drain()
    assert batches(cloud) == [[message_id]]
    cloud.clock.advance(31)
    cloud.router.drain()
    assert batches(cloud) == [[message_id], [message_id]]
    records = [item["event"]["Records"][0] for item in cloud.received("consumer")]
    assert sorted(r["attributes"]["ApproximateReceiveCount"] for r in records) == ["1", "2"]


def test_a_duplicate_sns_delivery_invokes_the_subscriber_twice(cloud):
    sns = cloud.account.client("sns")
    topic = sns.create_topic(Name="orders")["TopicArn"]
    cloud.function("consumer", "record")
    cloud.router.subscribe_sns(topic, "consumer")
    cloud.router.faults = plan({"duplicate": True}, source="sns")
    sns.publish(TopicArn=topic, Message="order-1")
    cloud.router.drain()
    seen = [item["event"]["Records"][0]["Sns"] for item in cloud.received("consumer")]
    assert [s["Message"] for s in seen] == ["order-1", "order-1"]
    assert seen[0]["MessageId"] == seen[1]["MessageId"]
