"""A stack outside us-east-1 runs in its own region: its functions' SDK calls go to that
region's endpoints (AWS_REGION and AWS_DEFAULT_REGION name it, as in Lambda), which are
the only ones its account's bridge serves.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.deploy import deploy
from serverless_tutor.cloud.offline import OfflineServer
from serverless_tutor.cloud.service import ServiceConfigError, load_service
from serverless_tutor.cloud.stack_files import load_stack
from serverless_tutor.runtime import LambdaRuntime
from serverless_tutor.runtime.forwarding import ForwardedRequest
from tests.cloud.test_invoke_stack import SERVERLESS_YML, _responses, invoke  # noqa: F401

# Counts its calls in the stack's table, and says where it runs.
REGIONAL_COUNTER = """
import os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])

def handler(event, context):
    counted = table.update_item(
        Key={"id": "calls"},
        UpdateExpression="ADD hits :one",
        ExpressionAttributeValues={":one": 1},
        ReturnValues="UPDATED_NEW",
    )
    return {
        "hits": int(counted["Attributes"]["hits"]),
        "region": os.environ["AWS_REGION"],
        "default_region": os.environ["AWS_DEFAULT_REGION"],
        "arn": context.invoked_function_arn,
    }
"""

NOTES = """
import json, os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])

def handler(event, context):
    if event["requestContext"]["http"]["method"] == "POST":
        table.put_item(Item={"id": "note", "text": json.loads(event["body"])["text"]})
        return {"statusCode": 201, "body": "{}"}
    item = table.get_item(Key={"id": "note"})["Item"]
    return {"statusCode": 200, "body": json.dumps({"text": item["text"], "region": os.environ["AWS_REGION"]})}
"""

SAM_TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  NotesTable:
    Type: AWS::Serverless::SimpleTable
    Properties:
      PrimaryKey: {Name: id, Type: String}
  NotesFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Timeout: 20
      Environment:
        Variables:
          TABLE: !Ref NotesTable
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref NotesTable
      Events:
        Write:
          Type: HttpApi
          Properties: {Path: /notes, Method: post}
        Read:
          Type: HttpApi
          Properties: {Path: /notes, Method: get}
"""

SAMCONFIG = """
version = 0.1
[default.deploy.parameters]
region = "eu-west-1"
"""


def test_invoke_runs_a_eu_west_1_stack_against_its_own_region(tmp_path, invoke):  # noqa: F811
    in_eu = SERVERLESS_YML.replace(
        "runtime: python3.12", "runtime: python3.12\n  region: eu-west-1"
    )
    (tmp_path / "serverless.yml").write_text(in_eu)
    (tmp_path / "app.py").write_text(REGIONAL_COUNTER)
    first, second = _responses(invoke(tmp_path, "app.py:handler", "--times", "2", "--json"))
    assert (first["hits"], second["hits"]) == (1, 2)  # written, then read back, in eu-west-1
    assert (first["region"], first["default_region"]) == ("eu-west-1", "eu-west-1")
    assert first["arn"].startswith("arn:aws:lambda:eu-west-1:")
    assert first["arn"].endswith(":function:visits-dev-count")


@pytest.mark.parametrize("backend", ["sandbox", "inprocess"])
def test_offline_serves_a_sam_stack_deployed_in_eu_west_1(tmp_path, backend):
    (tmp_path / "template.yaml").write_text(SAM_TEMPLATE)
    (tmp_path / "samconfig.toml").write_text(SAMCONFIG)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(NOTES)
    spec = load_stack(tmp_path / "template.yaml")
    assert spec.region == "eu-west-1"
    account = LocalAccount(region=spec.region)
    with LambdaRuntime(backend=backend, request_handler=account.handle) as runtime:
        deployment = deploy(spec, account, runtime)
        server = OfflineServer(deployment.router.api, port=0)
        server.start()
        try:
            url = f"{server.base_url}/notes"
            written = urllib.request.urlopen(
                urllib.request.Request(url, data=b'{"text": "hello"}', method="POST"), timeout=30
            )
            assert written.status == 201
            with urllib.request.urlopen(url, timeout=30) as read:
                assert json.loads(read.read()) == {"text": "hello", "region": "eu-west-1"}
        finally:
            server.stop()
            deployment.router.close()


def test_a_region_lambda_does_not_have_is_a_problem_not_a_crash(tmp_path):
    (tmp_path / "serverless.yml").write_text(
        SERVERLESS_YML.replace("runtime: python3.12", "runtime: python3.12\n  region: moon-1")
    )
    spec = load_service(tmp_path / "serverless.yml")
    with pytest.raises(ServiceConfigError) as raised:
        deploy(spec, LocalAccount(region=spec.region), runtime=None)
    (problem,) = raised.value.problems
    assert problem.field == "provider.region"
    assert "not moon-1" in problem.expected


@pytest.mark.parametrize(
    "url",
    [
        "https://dynamodb.us-east-1.amazonaws.com/",
        "https://s3.amazonaws.com/",  # the global endpoint answers for us-east-1 only
        "https://sts.amazonaws.com/",
        "https://dynamodb.eu-west-2.amazonaws.com/",
    ],
)
def test_an_account_in_eu_west_1_serves_only_eu_west_1_endpoints(url):
    reply = LocalAccount(region="eu-west-1").handle(
        ForwardedRequest(
            method="POST", url=url, headers={}, body=b"", function_name="f", request_id="r"
        )
    )
    assert reply.status_code == 403
    assert reply.headers.get("x-amzn-ErrorType") == "EndpointNotAllowed" or (
        b"<Code>EndpointNotAllowed</Code>" in reply.body
    )


def test_a_sam_region_problem_names_where_a_sam_region_comes_from(tmp_path):
    (tmp_path / "template.yaml").write_text(SAM_TEMPLATE)
    spec = load_stack(tmp_path / "template.yaml", region="mars-north-1")
    with pytest.raises(ServiceConfigError) as raised:
        deploy(spec, LocalAccount(region=spec.region), runtime=None)
    (problem,) = raised.value.problems
    assert problem.field == "region (--region or samconfig.toml)"
    assert "not mars-north-1" in problem.expected
