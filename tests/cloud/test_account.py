"""The local account: moto served in-process, isolation, trace, forwarded requests."""

import pytest

from serverless_tutor.cloud.account import LocalAccount

TABLE = {
    "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def test_accounts_are_isolated_and_reset_drops_only_their_own():
    first, second = LocalAccount(), LocalAccount()
    assert first.account_id != second.account_id and len(first.account_id) == 12
    first.client("dynamodb").create_table(TableName="orders", **TABLE)
    second.client("dynamodb").create_table(TableName="other", **TABLE)
    assert first.client("dynamodb").list_tables()["TableNames"] == ["orders"]
    assert second.client("dynamodb").list_tables()["TableNames"] == ["other"]
    first.reset()
    assert first.client("dynamodb").list_tables()["TableNames"] == []
    assert second.client("dynamodb").list_tables()["TableNames"] == ["other"]


def test_forwarded_requests_are_served_and_traced(forwarding_client):
    account = LocalAccount()
    seen = []
    account.trace.subscribe(seen.append)
    account.client("dynamodb").create_table(TableName="orders", **TABLE)
    handler_ddb = forwarding_client(account, "dynamodb", "fn-a")
    handler_ddb.put_item(TableName="orders", Item={"k": {"S": "1"}, "total": {"N": "12.5"}})
    assert account.client("dynamodb").get_item(TableName="orders", Key={"k": {"S": "1"}})["Item"][
        "total"
    ] == {"N": "12.5"}

    put = next(e for e in account.trace.entries if e.operation == "PutItem")
    assert (put.function_name, put.request_id, put.service, put.outcome) == (
        "fn-a",
        "req-1",
        "dynamodb",
        "ok",
    )
    assert put.params["TableName"] == "orders"
    assert put.resource == f"arn:aws:dynamodb:us-east-1:{account.account_id}:table/orders"
    assert seen[-1].operation == "GetItem" and seen[-1].function_name is None

    with pytest.raises(handler_ddb.exceptions.ResourceNotFoundException):
        handler_ddb.get_item(TableName="missing", Key={"k": {"S": "1"}})
    failed = account.trace.entries[-1]
    assert (failed.outcome, failed.error_code) == ("error", "ResourceNotFoundException")


def test_s3_keys_with_spaces_and_large_bodies_round_trip(forwarding_client):
    account = LocalAccount()
    s3 = forwarding_client(account, "s3", "uploader")
    account.client("s3").create_bucket(Bucket="uploads")
    body = b"x" * 200_000
    s3.put_object(Bucket="uploads", Key="in/my photo+1.jpg", Body=body)
    assert (
        account.client("s3").get_object(Bucket="uploads", Key="in/my photo+1.jpg")["Body"].read()
        == body
    )
    put = next(e for e in account.trace.entries if e.operation == "PutObject")
    assert put.params["Key"] == "in/my photo+1.jpg"
    assert put.params["Body"] == "<200000 bytes>"  # the trace keeps sizes, not payloads


@pytest.mark.parametrize("bucket", ["events", "dynamodb", "sqs", "email"])
def test_a_bucket_named_like_another_service_is_still_s3(forwarding_client, bucket):
    """events.s3.amazonaws.com looks like EventBridge's host to a router that reads URLs
    alone; the request is signed for s3, and S3 serves it."""
    account = LocalAccount()
    account.client("s3").create_bucket(Bucket=bucket)
    handler_s3 = forwarding_client(account, "s3", "uploader")
    handler_s3.put_object(Bucket=bucket, Key="k.txt", Body=b"hello")
    assert account.client("s3").get_object(Bucket=bucket, Key="k.txt")["Body"].read() == b"hello"
    assert [e.operation for e in account.trace.entries][-2:] == ["PutObject", "GetObject"]


def test_making_a_client_does_not_walk_the_environment(monkeypatch):
    """An in-process function's run changes os.environ from its own thread; a client made
    meanwhile must not walk it (botocore's proxy lookup does, and can hit a key that has
    just gone)."""

    def walked(url):
        raise AssertionError("looked up proxies in os.environ")

    monkeypatch.setattr("botocore.endpoint.get_environ_proxies", walked)
    account = LocalAccount()
    account.client("s3", internal=True).list_buckets()
    account.client("sqs").list_queues()


def test_internal_calls_are_not_traced():
    account = LocalAccount()
    account.client("sqs", internal=True).create_queue(QueueName="jobs")
    assert account.trace.entries == []
    assert account.client("sqs").list_queues()["QueueUrls"][0].endswith("/jobs")


def test_ses_outbox():
    account = LocalAccount()
    ses = account.client("ses")
    ses.verify_email_identity(EmailAddress="shop@example.com")
    ses.send_email(
        Source="shop@example.com",
        Destination={"ToAddresses": ["ada@example.com"]},
        Message={"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}},
    )
    assert account.sent_emails() == [
        {
            "source": "shop@example.com",
            "destinations": {"ToAddresses": ["ada@example.com"]},
            "subject": "Hi",
            "body": "Hello",
        }
    ]
