"""`serverless-tutor invoke` deploys the stack it finds (or is given) before invoking.

The handler's tables exist, a function of the stack runs with its stack configuration,
and `--times` keeps one account, so a second invoke reads what the first wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from serverless_tutor.cli import main

# Counts its calls in the stack's table: the second invoke reads the first one's write.
COUNTER = """
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
        "memory": context.memory_limit_in_mb,
        "greeting": os.environ.get("GREETING"),
    }
"""

DESCRIBE = """
import os
import boto3
from botocore.exceptions import ClientError

def handler(event, context):
    try:
        boto3.client("dynamodb").describe_table(TableName=os.environ["TABLE"])
        describe_table = "allowed"
    except ClientError as error:
        describe_table = error.response["Error"]["Code"]
    return {
        "memory": context.memory_limit_in_mb,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "greeting": os.environ["GREETING"],
        "extra": os.environ.get("EXTRA"),
        "describe_table": describe_table,
    }
"""

# Not a function of the stack: it only looks for the stack's table.
LOOKS_FOR_TABLE = """
import boto3

def handler(event, context):
    table = boto3.client("dynamodb").describe_table(TableName="visits-dev")["Table"]
    return {"table": table["TableName"], "memory": context.memory_limit_in_mb}
"""

SERVERLESS_YML = """
service: visits
provider:
  name: aws
  runtime: python3.12
  environment:
    TABLE: ${self:service}-${sls:stage}
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [dynamodb:UpdateItem]
          Resource: !GetAtt VisitsTable.Arn
functions:
  count:
    handler: app.handler
    memorySize: 256
    timeout: 20
  describe:
    handler: describe.handler
    memorySize: 512
    timeout: 20
    environment:
      GREETING: hello from the stack
resources:
  Resources:
    VisitsTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: ${self:service}-${sls:stage}
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
        KeySchema: [{AttributeName: id, KeyType: HASH}]
    VisitsLogs:
      Type: AWS::Logs::LogGroup
      Properties:
        LogGroupName: /visits
"""

SAM_TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting:
    Type: String
    Default: hello
Globals:
  Function:
    Runtime: python3.12
    Timeout: 20
    CodeUri: src/
Resources:
  CountsTable:
    Type: AWS::Serverless::SimpleTable
    Properties:
      PrimaryKey: {Name: id, Type: String}
  CountFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Environment:
        Variables:
          TABLE: !Ref CountsTable
          GREETING: !Ref Greeting
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref CountsTable
"""


@dataclass
class Invoked:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def invoke(monkeypatch, capsys):
    """Runs the verb in this process (as the CLI's main), in a folder; its exit code and output."""

    def run(folder, *args: str) -> Invoked:
        monkeypatch.chdir(folder)
        returncode = main(["invoke", *args])
        captured = capsys.readouterr()
        return Invoked(returncode, captured.out, captured.err)

    return run


def _responses(done: Invoked) -> list:
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["error"] for r in results] == [None] * len(results), results
    return [r["response"] for r in results]


@pytest.fixture
def service(tmp_path):
    (tmp_path / "serverless.yml").write_text(SERVERLESS_YML)
    (tmp_path / "app.py").write_text(COUNTER)
    (tmp_path / "describe.py").write_text(DESCRIBE)
    (tmp_path / "other.py").write_text(LOOKS_FOR_TABLE)
    return tmp_path


def test_a_handler_of_the_stack_writes_to_its_table_and_the_next_invoke_reads_it(service, invoke):
    done = invoke(service, "app.py:handler", "--times", "2", "--json")
    first, second = _responses(done)
    # Same account across --times: the second call sees the first one's item.
    assert (first["hits"], second["hits"]) == (1, 2)
    assert first["memory"] == "256"  # the stack function's own configuration
    lines = done.stderr.splitlines()
    assert lines[0].startswith("serverless-tutor: deployed serverless.yml (service visits")
    assert "invoking function count (visits-dev-count)" in lines[0]
    assert lines[1].startswith("serverless-tutor: 1 warning about serverless.yml")
    assert "VisitsLogs" in lines[1] and "AWS::Logs::LogGroup" in lines[1]


def test_function_runs_with_its_stack_memory_timeout_environment_and_iam(service, invoke):
    done = invoke(service, "--function", "describe", "--env", "EXTRA=from the flag", "--json")
    (response,) = _responses(done)
    assert response["memory"] == "512"
    assert response["remaining_ms"] > 3_000  # the stack's 20 s, not Lambda's default 3 s
    assert response["greeting"] == "hello from the stack"
    assert response["extra"] == "from the flag"
    # The stack's role grants dynamodb:UpdateItem only, and it is enforced.
    assert response["describe_table"] == "AccessDeniedException"


def test_a_handler_outside_the_stack_gets_its_resources_and_no_stack_gets_none(service, invoke):
    done = invoke(service, "other.py:handler", "--json")
    (response,) = _responses(done)
    assert response == {"table": "visits-dev", "memory": "128"}  # Lambda's default memory
    assert "other.py:handler, not a function of the stack" in done.stderr

    # --no-stack: an empty account, which answers as AWS does for a missing table.
    done = invoke(service, "other.py:handler", "--no-stack", "--json")
    assert done.returncode == 0, done.stderr
    (result,) = (json.loads(line) for line in done.stdout.splitlines())
    assert result["error"]["errorType"] == "ResourceNotFoundException"
    assert done.stderr == ""


def test_a_sam_template_simple_table_lives_across_invokes(tmp_path, invoke):
    (tmp_path / "template.yaml").write_text(SAM_TEMPLATE)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(COUNTER)
    done = invoke(
        tmp_path,
        "--function",
        "CountFunction",
        "--parameter-overrides",
        "Greeting=hi",
        "--times",
        "2",
        "--json",
    )
    first, second = _responses(done)
    assert (first["hits"], second["hits"]) == (1, 2)
    assert first["greeting"] == "hi"
    assert "deployed template.yaml" in done.stderr


@pytest.mark.parametrize(
    "files,args,expected",
    [
        (
            {"serverless.yml": SERVERLESS_YML},
            ["--function", "nope"],
            "serverless.yml: no function 'nope' (expected one of its functions: count, describe)",
        ),
        (
            {
                "serverless.yml": "service: broken\nprovider:\n  name: aws\nfunctions: [1, 2]\n",
                "app.py": COUNTER,  # the handler exists: what fails is the stack
            },
            ["app.py:handler"],
            "serverless.yml cannot be loaded: ",
        ),
        (
            {"app.py": COUNTER},
            ["--function", "count"],
            "--function count: no stack to take it from (expected serverless.yml, ",
        ),
        (
            {"app.py": COUNTER},
            ["app.py:handler", "--stack", "missing.yml"],
            "--stack missing.yml: no such file",
        ),
    ],
    ids=["unknown-function", "stack-fails-to-load", "function-without-stack", "missing-stack"],
)
def test_stack_usage_errors_exit_2_with_one_line(tmp_path, invoke, files, args, expected):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    done = invoke(tmp_path, *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"serverless-tutor: error: {expected}")
    assert done.stderr.count("\n") == 1
