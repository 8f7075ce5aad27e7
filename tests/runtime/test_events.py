"""Sample events: complete shapes (docs/facts.md field names), overrides by dotted path."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serverless_tutor.cli import main
from serverless_tutor.runtime.events import (
    SAMPLE_SOURCES,
    EventPathError,
    parse_override,
    sample_event,
    set_path,
)

EXPECTED_FIELDS = {
    "apigateway-rest": [
        "resource",
        "path",
        "httpMethod",
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "multiValueQueryStringParameters",
        "pathParameters",
        "stageVariables",
        "requestContext.requestId",
        "requestContext.stage",
        "requestContext.identity.sourceIp",
        "requestContext.identity.userAgent",
        "body",
        "isBase64Encoded",
    ],
    "apigateway-http": [
        "version",
        "routeKey",
        "rawPath",
        "rawQueryString",
        "cookies",
        "headers",
        "queryStringParameters",
        "requestContext.http.method",
        "requestContext.http.path",
        "requestContext.http.sourceIp",
        "requestContext.requestId",
        "requestContext.routeKey",
        "requestContext.stage",
        "requestContext.time",
        "requestContext.timeEpoch",
        "pathParameters",
        "body",
        "isBase64Encoded",
    ],
    "sqs": [
        "Records.0.messageId",
        "Records.0.receiptHandle",
        "Records.0.body",
        "Records.0.attributes.ApproximateReceiveCount",
        "Records.0.attributes.SentTimestamp",
        "Records.0.messageAttributes",
        "Records.0.md5OfBody",
        "Records.0.eventSource",
        "Records.0.eventSourceARN",
        "Records.0.awsRegion",
    ],
    "sns": [
        "Records.0.EventSource",
        "Records.0.EventVersion",
        "Records.0.EventSubscriptionArn",
        "Records.0.Sns.Type",
        "Records.0.Sns.MessageId",
        "Records.0.Sns.TopicArn",
        "Records.0.Sns.Subject",
        "Records.0.Sns.Message",
        "Records.0.Sns.Timestamp",
        "Records.0.Sns.SignatureVersion",
        "Records.0.Sns.Signature",
        "Records.0.Sns.SigningCertUrl",
        "Records.0.Sns.UnsubscribeUrl",
        "Records.0.Sns.MessageAttributes.eventType.Type",
        "Records.0.Sns.MessageAttributes.eventType.Value",
    ],
    "s3-put": [
        "Records.0.eventVersion",
        "Records.0.eventSource",
        "Records.0.awsRegion",
        "Records.0.eventTime",
        "Records.0.eventName",
        "Records.0.userIdentity",
        "Records.0.requestParameters",
        "Records.0.responseElements",
        "Records.0.s3.s3SchemaVersion",
        "Records.0.s3.configurationId",
        "Records.0.s3.bucket.name",
        "Records.0.s3.bucket.ownerIdentity",
        "Records.0.s3.bucket.arn",
        "Records.0.s3.object.key",
        "Records.0.s3.object.size",
        "Records.0.s3.object.eTag",
        "Records.0.s3.object.versionId",
        "Records.0.s3.object.sequencer",
    ],
    "s3-delete": [
        "Records.0.eventName",
        "Records.0.s3.bucket.name",
        "Records.0.s3.object.key",
        "Records.0.s3.object.sequencer",
    ],
    "dynamodb-insert": [
        "Records.0.eventID",
        "Records.0.eventName",
        "Records.0.eventVersion",
        "Records.0.eventSource",
        "Records.0.awsRegion",
        "Records.0.dynamodb.ApproximateCreationDateTime",
        "Records.0.dynamodb.Keys",
        "Records.0.dynamodb.NewImage",
        "Records.0.dynamodb.SequenceNumber",
        "Records.0.dynamodb.SizeBytes",
        "Records.0.dynamodb.StreamViewType",
        "Records.0.eventSourceARN",
    ],
    "dynamodb-modify": ["Records.0.dynamodb.NewImage", "Records.0.dynamodb.OldImage"],
    "dynamodb-remove": ["Records.0.dynamodb.OldImage", "Records.0.dynamodb.Keys"],
    "eventbridge-scheduled": [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ],
}


def _get(event, path):
    node = event
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def test_every_source_is_listed_and_complete():
    assert set(SAMPLE_SOURCES) == set(EXPECTED_FIELDS)
    for source, fields in EXPECTED_FIELDS.items():
        event = sample_event(source)
        for field in fields:
            _get(event, field)  # KeyError names the missing field
        json.dumps(event)


def test_fixed_values_services_always_send():
    assert sample_event("apigateway-http")["version"] == "2.0"
    assert all(k == k.lower() for k in sample_event("apigateway-http")["headers"])
    assert sample_event("s3-put")["Records"][0]["eventName"] == "ObjectCreated:Put"
    assert sample_event("s3-delete")["Records"][0]["eventName"] == "ObjectRemoved:Delete"
    assert "size" not in sample_event("s3-delete")["Records"][0]["s3"]["object"]
    assert sample_event("sqs")["Records"][0]["eventSource"] == "aws:sqs"
    sns = sample_event("sns")["Records"][0]
    assert (sns["EventSource"], sns["EventVersion"]) == ("aws:sns", "1.0")
    for name in ("INSERT", "MODIFY", "REMOVE"):
        record = sample_event(f"dynamodb-{name.lower()}")["Records"][0]
        assert (record["eventName"], record["eventVersion"], record["eventSource"]) == (
            name,
            "1.1",
            "aws:dynamodb",
        )
    assert "OldImage" not in sample_event("dynamodb-insert")["Records"][0]["dynamodb"]
    assert "NewImage" not in sample_event("dynamodb-remove")["Records"][0]["dynamodb"]
    scheduled = sample_event("eventbridge-scheduled")
    assert (scheduled["detail-type"], scheduled["source"], scheduled["detail"]) == (
        "Scheduled Event",
        "aws.events",
        {},
    )
    import hashlib

    sqs = sample_event("sqs")["Records"][0]
    assert sqs["md5OfBody"] == hashlib.md5(sqs["body"].encode()).hexdigest()


def test_overrides_by_dotted_path():
    event = sample_event(
        "sqs",
        overrides={
            "Records.0.body": "hello",
            "Records.0.messageAttributes.kind": {"stringValue": "x", "dataType": "String"},
        },
    )
    assert event["Records"][0]["body"] == "hello"
    assert event["Records"][0]["messageAttributes"]["kind"]["dataType"] == "String"
    assert sample_event("sqs")["Records"][0]["body"] != "hello"  # each call is a fresh event


@pytest.mark.parametrize(
    "path,message",
    [
        ("Records.5.body", "index 5 out of range"),
        ("Records.first.body", "needs a number index"),
        ("Records.0.body.deeper", "is a str"),
        ("Records..body", "empty segment"),
    ],
)
def test_bad_paths_say_what_is_wrong(path, message):
    with pytest.raises(EventPathError, match=message):
        sample_event("sqs", overrides={path: 1})


def test_unknown_source_lists_the_choices():
    with pytest.raises(ValueError, match="choose one of: apigateway-rest"):
        sample_event("kinesis")


def test_cli_values_follow_the_type_of_the_field_they_replace():
    event = sample_event("apigateway-rest")
    assert parse_override(event, 'body={"a": 1}') == (
        "body",
        '{"a": 1}',
    )  # a string field stays a string
    assert parse_override(event, "isBase64Encoded=true") == ("isBase64Encoded", True)
    assert parse_override(event, "stageVariables=null") == ("stageVariables", None)
    assert parse_override(event, "newField=plain text") == ("newField", "plain text")
    with pytest.raises(EventPathError):
        parse_override(event, "no-equals-sign")


@given(st.text(min_size=0, max_size=40))
def test_any_string_survives_an_override(text):
    event = sample_event("sns")
    set_path(event, "Records.0.Sns.Message", text)
    assert json.loads(json.dumps(event))["Records"][0]["Sns"]["Message"] == text


def test_events_cli(capsys):
    assert main(["events", "list"]) == 0
    listed = capsys.readouterr().out
    assert all(source in listed for source in SAMPLE_SOURCES)
    assert main(["events", "list", "--json"]) == 0
    assert {row["source"] for row in json.loads(capsys.readouterr().out)} == set(SAMPLE_SOURCES)
    assert (
        main(
            [
                "events",
                "generate",
                "sqs",
                "--set",
                "Records.0.body=hi",
                "--set",
                "Records.0.attributes.ApproximateReceiveCount=3",
            ]
        )
        == 0
    )
    record = json.loads(capsys.readouterr().out)["Records"][0]
    assert record["body"] == "hi" and record["attributes"]["ApproximateReceiveCount"] == "3"
    assert main(["events", "generate", "kinesis"]) == 2
    assert "choose one of" in capsys.readouterr().err
    assert main(["events", "generate", "sqs", "--set", "Records.9.body=x"]) == 2
    assert "index 9 out of range" in capsys.readouterr().err
