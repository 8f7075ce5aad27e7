"""boto3 inside a handler reaches the parent's local account through the protocol."""

from __future__ import annotations

import uuid

import pytest

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.runtime import LambdaRuntime

from .conftest import make_function

HANDLER = """
    import boto3
    table = boto3.resource("dynamodb").Table("orders")
    s3 = boto3.client("s3")

    def handler(event, context):
        table.put_item(Item={"orderId": event["id"], "status": "NEW"})
        s3.put_object(Bucket=event["bucket"], Key=event["id"], Body=b"receipt " + event["id"].encode())
        return boto3.client("sqs").list_queues().get("QueueUrls", [])
"""


@pytest.fixture(params=["sandbox", "inprocess"])
def setup(request):
    account = LocalAccount()
    account.client("dynamodb").create_table(
        TableName="orders",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "orderId", "AttributeType": "S"}],
    )
    bucket = f"tutor-uploads-{uuid.uuid4().hex[:12]}"  # S3 bucket names are global, even in moto
    account.client("s3").create_bucket(Bucket=bucket)
    account.client("sqs").create_queue(QueueName="orders-queue")
    with LambdaRuntime(backend=request.param, request_handler=account.handle) as runtime:
        yield account, runtime, bucket


def test_handler_calls_are_served_by_the_parents_account(setup, tmp_path):
    account, runtime, bucket = setup
    fn = make_function(tmp_path, HANDLER, name="writer")
    result = runtime.invoke(fn, {"id": "o-42", "bucket": bucket})
    assert result.error is None, result.logs
    assert result.response[0].endswith("/orders-queue")
    item = account.client("dynamodb").get_item(TableName="orders", Key={"orderId": {"S": "o-42"}})[
        "Item"
    ]
    assert item["status"] == {"S": "NEW"}
    body = account.client("s3").get_object(Bucket=bucket, Key="o-42")["Body"].read()
    assert body == b"receipt o-42"  # no aws-chunked framing: checksums only when required
    calls = [
        (e.function_name, e.request_id, e.service, e.operation)
        for e in account.trace.entries
        if e.function_name
    ]
    assert calls == [
        ("writer", result.request_id, "dynamodb", "PutItem"),
        ("writer", result.request_id, "s3", "PutObject"),
        ("writer", result.request_id, "sqs", "ListQueues"),
    ]


def test_service_errors_reach_the_handler_as_boto3_errors(setup, tmp_path):
    _account, runtime, _ = setup
    fn = make_function(
        tmp_path,
        """
        import boto3
        def handler(event, context):
            try:
                boto3.client("dynamodb").get_item(TableName="no-such-table", Key={"k": {"S": "1"}})
            except boto3.client("dynamodb").exceptions.ResourceNotFoundException as exc:
                return exc.response["Error"]["Code"]
    """,
    )
    assert runtime.invoke(fn, {}).response == "ResourceNotFoundException"


def test_floats_are_refused_by_boto3_as_in_lambda(setup, tmp_path):
    _account, runtime, _ = setup
    fn = make_function(
        tmp_path,
        """
        import boto3
        def handler(event, context):
            boto3.resource("dynamodb").Table("orders").put_item(Item={"orderId": "1", "price": 9.99})
    """,
    )
    result = runtime.invoke(fn, {})
    assert result.error.error_type == "TypeError"
    assert "Float types are not supported" in result.error.error_message


def test_without_a_request_handler_aws_calls_fail_clearly(tmp_path):
    fn = make_function(
        tmp_path,
        """
        import boto3
        def handler(event, context):
            boto3.client("sqs").list_queues()
    """,
    )
    with LambdaRuntime() as runtime:
        result = runtime.invoke(fn, {})
    assert result.error is not None
    assert "ServiceUnavailable" in result.error.error_message or "503" in result.error.error_message
