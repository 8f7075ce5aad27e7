"""The bridge out of the sandbox, attacked as a hostile handler would: each case names its outcome.

Requests are built as a handler's forwarded boto3 calls arrive (ForwardedRequest)
and served by `LocalAccount.handle`, the parent's side of the bridge.
"""

from __future__ import annotations

import json
import select
import socket
from pathlib import Path

import pytest

from serverless_tutor.cloud import containment
from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.runtime.forwarding import ForwardedRequest
from tests.cloud.conftest import TABLE, make_forwarding_client

SNS = "https://sns.us-east-1.amazonaws.com"
DDB = "https://dynamodb.us-east-1.amazonaws.com/"
DDB_HEADERS = {
    "X-Amz-Target": "DynamoDB_20120810.ListTables",
    "Content-Type": "application/x-amz-json-1.0",
}


@pytest.fixture
def account():
    made = LocalAccount()
    yield made
    made.reset()


@pytest.fixture
def other():
    made = LocalAccount()
    yield made
    made.reset()


def send(account, method, url, headers=None, body=b""):
    reply = account.handle(
        ForwardedRequest(
            method=method,
            url=url,
            headers=headers or {},
            body=body,
            function_name="hostile",
            request_id="req-1",
        )
    )
    return reply


def error_code(reply) -> str:
    if reply.headers.get("x-amzn-ErrorType"):
        return reply.headers["x-amzn-ErrorType"]
    text = reply.body.decode()
    if text.startswith("{"):
        return json.loads(text)["__type"]
    return text.split("<Code>")[1].split("</Code>")[0]


@pytest.fixture
def loopback():
    """A listening socket on 127.0.0.1: the tests assert nobody ever connects to it."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    yield listener
    listener.close()


def assert_no_connection(listener: socket.socket) -> None:
    # Deliveries are synchronous: had the parent connected, the connection would
    # already wait in the backlog. select with a short timeout only double-checks.
    readable, _, _ = select.select([listener], [], [], 0.2)
    assert readable == [], "the parent opened a connection on a handler's behalf"


# --- moto's admin API -------------------------------------------------------------------

ADMIN_PATHS = [
    "/moto-api/reset",
    "/moto-api/reset-auth",
    "/moto-api/data.json",
    "/moto-api/seed?a=42",
    "/moto-api/recorder/start-recording",
    "/moto-api/recorder/download-recording",
    "/moto-api/recorder/replay-recording",
    "/moto-api/recorder/upload-recording",
    "/%6doto-api/reset",  # percent-encoded m
    "/%256doto-api/reset",  # encoded twice
    "//moto-api/reset",
    "/MOTO-API/reset",
    "/favicon.ico",
    "/latest/meta-data/iam/security-credentials/",
]


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_admin_routes_are_refused_403_access_denied(account, path):
    account.client("dynamodb").create_table(TableName="kept", **TABLE)
    reply = send(account, "POST", SNS + path)
    assert (reply.status_code, error_code(reply)) == (403, "AccessDenied")
    assert account.client("dynamodb").list_tables()["TableNames"] == ["kept"]  # no reset
    assert account.trace.entries[-2].outcome == "denied"


def test_admin_route_as_an_s3_path_style_bucket_is_refused(account):
    reply = send(account, "POST", "https://s3.amazonaws.com/moto-api/reset")
    assert (reply.status_code, error_code(reply)) == (403, "AccessDenied")


def test_path_traversal_to_the_admin_api_is_refused(account):
    reply = send(account, "POST", SNS + "/x/../moto-api/reset")
    assert (reply.status_code, error_code(reply)) == (403, "AccessDenied")


@pytest.mark.parametrize(
    "path", ["/bucket/../other/key", "/bucket/%2e%2e/other", "/b/%252e%252e/k"]
)
def test_dot_dot_segments_are_refused_400_invalid_uri(account, path):
    reply = send(account, "GET", "https://s3.amazonaws.com" + path)
    assert (reply.status_code, error_code(reply)) == (400, "InvalidURI")


def test_the_recorder_stays_off_and_writes_no_file(account, tmp_path, monkeypatch):
    from moto.moto_api import recorder

    monkeypatch.chdir(tmp_path)
    for action in ("start-recording", "upload-recording", "replay-recording"):
        reply = send(account, "POST", f"{SNS}/moto-api/recorder/{action}", body=b"{}")
        assert reply.status_code == 403
    send(account, "POST", DDB, DDB_HEADERS, b"{}")
    assert not recorder._user_enabled
    assert list(tmp_path.iterdir()) == []


# --- endpoints --------------------------------------------------------------------------

NOT_ENDPOINTS = [
    "https://evil.example.com/",
    "https://127.0.0.1/",
    "http://sns.us-east-1.amazonaws.com/",  # not https
    "https://sns.us-east-1.amazonaws.com:8443/",
    "https://user:secret@sns.us-east-1.amazonaws.com/",
    "https://sns.eu-west-1.amazonaws.com/",  # another region
    "https://sns.us-east-1.amazonaws.com.evil.example/",
    "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/f/invocations",  # not served
    "https://iam.amazonaws.com/",
    "https://[::1/",  # unparseable
    "https://sns.us-east-1.amazonaws.com/\x1b[2J",
    "https://sns.us-east-1.amazonaws.com/#fragment",
]


@pytest.mark.parametrize("url", NOT_ENDPOINTS)
def test_urls_that_are_not_an_allowed_aws_endpoint_are_refused_403(account, url):
    reply = send(account, "POST", url)
    assert (reply.status_code, error_code(reply)) == (403, "EndpointNotAllowed")


def test_the_host_header_cannot_redirect_a_call(account):
    account.client("dynamodb").create_table(TableName="mine", **TABLE)
    headers = {**DDB_HEADERS, "Host": "moto_api"}
    reply = send(account, "POST", DDB, headers, b"{}")
    assert reply.status_code == 200 and json.loads(reply.body) == {"TableNames": ["mine"]}


# The account picks moto's backend by the service a call is signed for: a handler's own
# scope must never choose it (moto's admin API, IAM, another service's data).
@pytest.mark.parametrize("scope", ["iam", "moto_api", "s3", "events", "sts"])
def test_a_forged_signing_scope_cannot_pick_another_moto_backend(account, scope):
    headers = {
        **DDB_HEADERS,
        "Authorization": f"AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/{scope}/aws4_request, "
        "SignedHeaders=host, Signature=0",
    }
    reply = send(account, "POST", DDB, headers, b"{}")
    assert reply.status_code == 200 and json.loads(reply.body) == {"TableNames": []}


def test_an_x_amz_target_of_another_service_is_refused_400(account):
    headers = {**DDB_HEADERS, "X-Amz-Target": "AmazonSQS.ListQueues"}
    reply = send(account, "POST", DDB, headers, b"{}")
    assert (reply.status_code, error_code(reply)) == (400, "InvalidRequest")


def test_an_operation_not_in_the_api_model_is_refused_400_invalid_action(account):
    headers = {**DDB_HEADERS, "X-Amz-Target": "DynamoDB_20120810.DropEverything"}
    reply = send(account, "POST", DDB, headers, b"{}")
    assert (reply.status_code, error_code(reply)) == (400, "InvalidAction")


def test_sts_serves_only_get_caller_identity(account):
    sts = make_forwarding_client(account, "sts", "hostile")
    assert sts.get_caller_identity()["Account"] == account.account_id
    with pytest.raises(sts.exceptions.ClientError) as refused:
        sts.assume_role(
            RoleArn=f"arn:aws:iam::{account.account_id}:role/admin", RoleSessionName="xx"
        )
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


# --- one account per function -----------------------------------------------------------


def test_x_moto_account_id_set_by_the_handler_is_ignored(account, other):
    other.client("dynamodb").create_table(TableName="theirs", **TABLE)
    headers = {**DDB_HEADERS, "x-moto-account-id": other.account_id}
    reply = send(account, "POST", DDB, headers, b"{}")
    assert json.loads(reply.body) == {"TableNames": []}


def test_another_accounts_topic_arn_is_refused(account, other):
    topic = other.client("sns").create_topic(Name="orders")["TopicArn"]
    sns = make_forwarding_client(account, "sns", "hostile")
    with pytest.raises(sns.exceptions.ClientError) as refused:
        sns.publish(TopicArn=topic, Message="spam")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_another_accounts_queue_url_is_refused(account, other):
    url = other.client("sqs").create_queue(QueueName="inbox")["QueueUrl"]
    sqs = make_forwarding_client(account, "sqs", "hostile")
    with pytest.raises(sqs.exceptions.ClientError) as refused:
        sqs.send_message(QueueUrl=url, MessageBody="spam")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert "Messages" not in other.client("sqs").receive_message(QueueUrl=url)


def test_another_accounts_queue_as_an_sns_endpoint_is_refused(account, other):
    queue = other.client("sqs").create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = other.arn("sqs", "inbox")
    topic = account.client("sns").create_topic(Name="mine")["TopicArn"]
    sns = make_forwarding_client(account, "sns", "hostile")
    with pytest.raises(sns.exceptions.ClientError) as refused:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert "Messages" not in other.client("sqs").receive_message(QueueUrl=queue)


def test_another_accounts_table_arn_is_refused(account, other):
    other.client("dynamodb").create_table(TableName="theirs", **TABLE)
    ddb = make_forwarding_client(account, "dynamodb", "hostile")
    with pytest.raises(ddb.exceptions.ClientError) as refused:
        ddb.scan(TableName=f"arn:aws:dynamodb:us-east-1:{other.account_id}:table/theirs")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


def test_another_accounts_bucket_is_refused(account, other):
    other.client("s3").create_bucket(Bucket="their-uploads")
    other.client("s3").put_object(Bucket="their-uploads", Key="secret.txt", Body=b"answers")
    s3 = make_forwarding_client(account, "s3", "hostile")
    with pytest.raises(s3.exceptions.ClientError) as refused:
        s3.get_object(Bucket="their-uploads", Key="secret.txt")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"


# --- nothing leaves the account ---------------------------------------------------------


def test_sns_http_delivery_lands_in_the_outbox_and_opens_no_connection(account, loopback):
    port = loopback.getsockname()[1]
    topic = account.client("sns").create_topic(Name="events")["TopicArn"]
    sns = make_forwarding_client(account, "sns", "hostile")
    endpoint = f"http://127.0.0.1:{port}/steal"
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint)  # a valid AWS call
    sns.publish(TopicArn=topic, Message="the answers")
    [delivery] = account.outbox()
    assert (delivery.protocol, delivery.endpoint, delivery.message) == (
        "http",
        endpoint,
        "the answers",
    )
    assert json.loads(delivery.body)["Message"] == "the answers"
    assert_no_connection(loopback)


@pytest.mark.parametrize(
    "protocol, endpoint",
    [("https", "https://127.0.0.1:1/x"), ("email", "a@example.com"), ("sms", "+15555550100")],
)
def test_other_outside_protocols_land_in_the_outbox(account, protocol, endpoint):
    topic = account.client("sns").create_topic(Name="events")["TopicArn"]
    sns = make_forwarding_client(account, "sns", "hostile")
    sns.subscribe(TopicArn=topic, Protocol=protocol, Endpoint=endpoint)
    sns.publish(TopicArn=topic, Message="hello")
    assert [(m.protocol, m.endpoint, m.message) for m in account.outbox()] == [
        (protocol, endpoint, "hello")
    ]


def test_sqs_deliveries_still_reach_the_queue_and_reset_empties_the_outbox(account):
    sqs, sns = account.client("sqs"), account.client("sns")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=account.arn("sqs", "q"))
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="http://127.0.0.1:9/")
    make_forwarding_client(account, "sns", "fn").publish(TopicArn=topic, Message="m")
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1
    assert len(account.outbox()) == 1
    account.reset()
    assert account.outbox() == []


def test_containment_refuses_connections_and_file_writes_while_serving(loopback, tmp_path):
    port = loopback.getsockname()[1]
    with containment.serving_handler():
        with pytest.raises(PermissionError), socket.create_connection(("127.0.0.1", port)):
            pass
        with pytest.raises(PermissionError):
            (tmp_path / "written").write_text("x")
        assert Path(__file__).read_text(encoding="utf-8")  # reading is fine
    assert not (tmp_path / "written").exists()
    assert_no_connection(loopback)
    (tmp_path / "after").write_text("x")  # outside the block, nothing is refused


# --- garbage never crashes the parent ---------------------------------------------------


def test_too_many_headers_are_refused_400(account):
    headers = {**DDB_HEADERS, **{f"x-junk-{i}": "v" for i in range(200)}}
    reply = send(account, "POST", DDB, headers, b"{}")
    assert (reply.status_code, error_code(reply)) == (400, "RequestHeaderSectionTooLarge")


def test_huge_header_values_are_refused_400(account):
    reply = send(account, "POST", DDB, {**DDB_HEADERS, "x-junk": "v" * 100_000}, b"{}")
    assert (reply.status_code, error_code(reply)) == (400, "RequestHeaderSectionTooLarge")


def test_a_header_with_crlf_is_refused_400(account):
    headers = {**DDB_HEADERS, "x-junk": "v\r\nx-moto-account-id: 1"}
    reply = send(account, "POST", DDB, headers, b"{}")
    assert (reply.status_code, error_code(reply)) == (400, "InvalidRequest")


def test_an_unknown_http_method_is_refused_405(account):
    reply = send(account, "TRACE", DDB, DDB_HEADERS)
    assert (reply.status_code, error_code(reply)) == (405, "MethodNotAllowed")


def test_a_body_over_the_cap_is_refused_413(account):
    reply = send(account, "POST", DDB, DDB_HEADERS, b"x" * (16 * 1024 * 1024 + 1))
    assert (reply.status_code, error_code(reply)) == (413, "RequestEntityTooLarge")


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\x00garbage", b"[]", b'{"TableName": {"$ne": 1}}', b"{" * 50_000, b"null"],
)
def test_bodies_moto_chokes_on_become_aws_errors(account, body):
    headers = {**DDB_HEADERS, "X-Amz-Target": "DynamoDB_20120810.PutItem"}
    reply = send(account, "POST", DDB, headers, body)
    assert 400 <= reply.status_code < 600
    assert error_code(reply)  # AWS-shaped: botocore can name the error
    assert send(account, "POST", DDB, DDB_HEADERS, b"{}").status_code == 200  # still serving


def test_an_exception_in_a_listener_becomes_a_500_internal_failure(account):
    def broken(call):
        raise RuntimeError("router bug")

    account.add_listener(broken)
    reply = send(account, "POST", DDB, DDB_HEADERS, b"{}")
    assert (reply.status_code, error_code(reply)) == (500, "InternalFailure")
