"""AWS SAM templates: loaded into the same ServiceSpec as serverless.yml, planned and deployed."""

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from serverless_tutor.cli import main
from serverless_tutor.cloud import sam
from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.apigateway import HttpRequest
from serverless_tutor.cloud.deploy import deploy, plan
from serverless_tutor.cloud.routing.router import EventRouter
from serverless_tutor.cloud.sam import load_sam_template, parse_parameter_overrides
from serverless_tutor.cloud.service import ServiceConfigError
from serverless_tutor.cloud.stack_files import find_stack_file, load_stack
from serverless_tutor.paths import examples_dir
from serverless_tutor.runtime import LambdaRuntime, ManualClock

FIXTURES = Path(__file__).parent / "fixtures"
EVERYTHING = FIXTURES / "sam_everything" / "template.yaml"
NOTES = examples_dir() / "notes-sam" / "template.yaml"


def _plan(**overrides):
    return plan(load_sam_template(EVERYTHING, parameter_overrides=overrides or None))


def _functions(result):
    return {f.key: f for f in result.functions}


def _warnings(result):
    return {w.path: w.message for w in result.warnings}


# -- functions, globals, parameters -----------------------------------------------------------


def test_functions_take_globals_parameters_and_mappings():
    functions = _functions(_plan())
    api, worker, audit = (
        functions["ApiFunction"],
        functions["WorkerFunction"],
        functions["AuditFunction"],
    )
    assert set(functions) == {"ApiFunction", "WorkerFunction", "AuditFunction"}
    assert api.name == "sam-everything-api"  # FunctionName: !Sub "${AWS::StackName}-api"
    assert (api.memory_mb, api.timeout_s, api.architecture) == (256, 20.0, "x86_64")  # FindInMap
    assert (worker.memory_mb, worker.architecture) == (512, "arm64")
    assert api.environment["ENV"] == "dev" and api.environment["SHARED"] == "from-globals"
    assert worker.environment["SHARED"] == "from-function"  # the function's own value wins
    assert "OPTIONAL" not in api.environment  # !If [IsProd, ..., !Ref AWS::NoValue]
    assert api.environment["ITEMS"].startswith("sam-everything-Items-")
    assert api.environment["FIRST_WORD"] == "dev"  # Fn::Select of Fn::Split of Fn::Sub
    assert api.environment["JOBS_ARN"] == "arn:aws:sqs:us-east-1:123456789012:jobs-dev"
    assert api.environment["ALERTS_TOPIC"] == "arn:aws:sns:us-east-1:123456789012:alerts-test"
    assert worker.dead_letter == "arn:aws:sqs:us-east-1:123456789012:jobs-dev"
    assert worker.retries == 1 and audit.retries == 2
    spec = load_sam_template(EVERYTHING)
    assert spec.functions["WorkerFunction"].ephemeral_storage_mb == 1024
    assert spec.functions["ApiFunction"].code_dir == "src"
    assert spec.functions["ApiFunction"].handler_file == "src/app.py"


def test_parameter_overrides_and_conditions_change_the_stack():
    prod = _plan(Env="prod", ArchiveEnabled="true", Tier="large")
    functions = _functions(prod)
    assert functions["ApiFunction"].environment["ENV"] == "prod"
    assert functions["ApiFunction"].environment["OPTIONAL"] == "only-in-prod"
    assert functions["ApiFunction"].memory_mb == 1024
    names = {r.logical_id: r.physical_name for r in prod.resources}
    assert names["Jobs"] == "jobs-prod"  # Fn::Join
    assert names["Alerts"] == "alerts-live"  # Fn::Sub with a variable map and Fn::If
    assert names["Orders"] == "sam-everything-orders-prod"  # Fn::Sub with a pseudo parameter
    assert names["Archive"] == "archive-bucket"  # Condition AnyArchive (Or of And/Equals) true
    assert "Archive" not in {r.logical_id for r in _plan().resources}


def test_parameter_override_outside_allowed_values_is_a_problem():
    with pytest.raises(ServiceConfigError) as caught:
        load_sam_template(EVERYTHING, parameter_overrides={"Env": "qa"})
    assert [p.field for p in caught.value.problems] == ["Parameters.Env"]
    assert "dev, prod" in caught.value.problems[0].expected


def test_parameter_without_default_gets_a_placeholder_and_a_warning(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Parameters:\n  BucketName:\n    Type: String\n"
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Ref BucketName\n"
    )
    result = plan(load_sam_template(path))
    assert result.resources[0].physical_name == "unset-bucketname"
    assert "--parameter-overrides BucketName=" in _warnings(result)["Parameters.BucketName"]
    given = plan(load_sam_template(path, parameter_overrides={"BucketName": "mine"}))
    assert given.resources[0].physical_name == "mine"


def test_samconfig_toml_supplies_overrides_stack_name_and_region(tmp_path):
    (tmp_path / "template.yaml").write_text(EVERYTHING.read_text())
    (tmp_path / "src").mkdir()
    (tmp_path / "samconfig.toml").write_text(
        'version = 0.1\n[default.deploy.parameters]\nstack_name = "shop"\nregion = "eu-west-1"\n'
        'parameter_overrides = "Env=prod Tier=\\"large\\""\n'
    )
    spec = load_sam_template(tmp_path / "template.yaml")
    assert (spec.stack_name, spec.region) == ("shop", "eu-west-1")
    assert spec.functions["ApiFunction"].name == "shop-api"
    result = plan(spec)
    assert _functions(result)["ApiFunction"].memory_mb == 1024
    # the command line wins over samconfig.toml, as with sam
    again = load_sam_template(tmp_path / "template.yaml", parameter_overrides={"Env": "dev"})
    assert _functions(plan(again))["ApiFunction"].environment["ENV"] == "dev"


def test_parameter_overrides_text_as_sam_takes_it():
    assert parse_parameter_overrides(
        'Env=prod Name="two words" ParameterKey=K,ParameterValue=v'
    ) == {
        "Env": "prod",
        "Name": "two words",
        "K": "v",
    }
    with pytest.raises(ValueError, match="Key=Value"):
        parse_parameter_overrides("Env")


# -- events ------------------------------------------------------------------------------------


def test_every_event_type_becomes_the_shared_event_model():
    result = _plan()
    api = _functions(result)["ApiFunction"]
    worker = _functions(result)["WorkerFunction"]
    assert [e.summary for e in api.events] == [
        "GET /v1/items/{id}  [REST API]",  # the explicit Api's StageName
        "$default (any route)  [HTTP API]",  # an HttpApi event without Path/Method
    ]
    by_type = {e.type: e for e in worker.events}
    assert [e.type for e in worker.events] == ["sqs", "sns", "s3", "schedule", "schedule", "stream"]
    assert by_type["sqs"].settings == {
        "batchSize": 5,
        "maximumBatchingWindow": 0,
        "reportBatchItemFailures": True,
        "enabled": True,
    }
    assert by_type["sqs"].source_arn == "arn:aws:sqs:us-east-1:123456789012:jobs-dev"
    assert by_type["sns"].settings["filterPolicy"] == {"severity": ["high"]}
    assert by_type["s3"].settings == {
        "bucket": "uploads-dev-123456789012",
        "events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
        "prefix": "incoming/",
        "suffix": ".csv",
    }
    schedules = [e for e in worker.events if e.type == "schedule"]
    assert schedules[0].settings == {"input": {"job": "nightly"}, "enabled": True}
    assert schedules[1].summary == "schedule cron(0 * * * ? *) (disabled)"
    assert by_type["stream"].settings["startingPosition"] == "LATEST"
    warnings = _warnings(result)
    assert (
        "EventBridge patterns are not routed locally"
        in warnings["Resources.WorkerFunction.Properties.Events.Custom"]
    )


# -- policies ----------------------------------------------------------------------------------


def test_policy_templates_and_inline_statements_resolve_to_arns():
    functions = _functions(_plan())
    api = functions["ApiFunction"].iam_statements
    resources = [s["Resource"] for s in api]
    items = functions["ApiFunction"].environment["ITEMS"]
    assert resources[0] == [
        f"arn:aws:dynamodb:us-east-1:123456789012:table/{items}",
        f"arn:aws:dynamodb:us-east-1:123456789012:table/{items}/index/*",
    ]
    assert "dynamodb:PutItem" in api[0]["Action"]  # DynamoDBCrudPolicy
    assert "dynamodb:PutItem" not in api[1]["Action"]  # DynamoDBReadPolicy
    assert api[2] == {
        "Effect": "Allow",
        "Action": ["sqs:SendMessage*"],
        "Resource": ["arn:aws:sqs:us-east-1:123456789012:jobs-dev"],
    }
    assert api[3]["Resource"] == ["arn:aws:sns:us-east-1:123456789012:alerts-test"]
    assert api[4]["Resource"][1] == "arn:aws:s3:::uploads-dev-123456789012/*"
    assert api[5] == {"Effect": "Allow", "Action": ["sqs:GetQueueUrl"], "Resource": "*"}
    worker = functions["WorkerFunction"].iam_statements
    assert "sqs:ReceiveMessage" in worker[0]["Action"]  # SQSPollerPolicy
    assert "s3:DeleteObject" in worker[1]["Action"]  # S3CrudPolicy
    assert "dynamodb:Query" in worker[2]["Action"]  # AmazonDynamoDBReadOnlyAccess
    audit = functions["AuditFunction"]
    assert audit.role is not None and audit.role.startswith("sam-everything-AuditRole-")
    assert audit.iam_statements == [
        {
            "Effect": "Allow",
            "Action": "dynamodb:GetItem",
            "Resource": f"arn:aws:dynamodb:us-east-1:123456789012:table/{items}",
        }
    ]


def test_unknown_policy_template_and_managed_policy_are_warnings(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(
        """
Transform: AWS::Serverless-2016-10-31
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.main
      Runtime: python3.12
      Policies:
        - KinesisStreamReadPolicy: {StreamName: s}
        - AWSXRayDaemonWriteAccess
"""
    )
    warnings = {w.path: w.message for w in load_sam_template(path).warnings}
    assert (
        "policy template KinesisStreamReadPolicy is not known locally"
        in warnings["Resources.F.Properties.Policies[0].KinesisStreamReadPolicy"]
    )
    assert (
        "managed policy 'AWSXRayDaemonWriteAccess'"
        in warnings["Resources.F.Properties.Policies[1]"]
    )


# -- warnings and problems ---------------------------------------------------------------------


def test_what_is_not_emulated_is_a_warning_naming_logical_id_and_type():
    warnings = _warnings(_plan())
    assert (
        warnings["Resources.Logs.Type"]
        == "Logs (AWS::Logs::LogGroup): not created locally; skipped"
    )
    assert (
        "ImageFunction (AWS::Serverless::Function): a container image function"
        in warnings["Resources.ImageFunction.Properties.PackageType"]
    )
    assert (
        "NodeFunction (AWS::Serverless::Function): nodejs20.x: only Python"
        in warnings["Resources.NodeFunction.Properties.Runtime"]
    )
    assert (
        "layers are not fetched locally" in warnings["Resources.WorkerFunction.Properties.Layers"]
    )
    # GetAtt/Ref of a skipped resource is a visible placeholder, not a failure
    env = _functions(_plan())["ApiFunction"].environment
    assert env["LOG_GROUP"] == "<AWS::Logs::LogGroup Logs: not created locally>"
    assert env["NODE_ARN"] == "<AWS::Serverless::Function NodeFunction.Arn: not created locally>"


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("Resources: [unclosed", "line 1 column 21", "valid YAML"),
        ("- just\n- a list\n", "Resources", "a Resources mapping"),
        (
            "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Bogus x\n",
            "Resources.T.Properties.TopicName",
            "not 'Fn::Bogus'",
        ),
        (
            "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Nothing\n",
            "Resources.T.Properties.TopicName",
            "Ref 'Nothing': no parameter or resource",
        ),
        (
            "Conditions:\n  C: !Equals [a]\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Condition: C\n",
            "Conditions.C",
            "Fn::Equals [a, b]",
        ),
        (
            "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n",
            "Resources.F.Properties.Handler",
            "required field is missing",
        ),
        (
            "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties: {}\n",
            "Resources.T.Properties.KeySchema",
            "required field is missing",
        ),
    ],
)
def test_broken_templates_are_problems_with_their_path(tmp_path, text, field, expected):
    path = tmp_path / "template.yaml"
    path.write_text(text)
    with pytest.raises(ServiceConfigError) as caught:
        load_sam_template(path)
    problems = caught.value.problems
    assert problems[0].field == field and expected in problems[0].expected
    assert problems[0].file == str(path)


def test_a_broken_samconfig_is_a_problem_naming_it(tmp_path):
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    (tmp_path / "samconfig.toml").write_text("[default\n")
    with pytest.raises(ServiceConfigError) as caught:
        load_sam_template(tmp_path / "template.yaml")
    assert caught.value.problems[0].file == str(tmp_path / "samconfig.toml")


# -- finding and loading either format ---------------------------------------------------------


def test_find_stack_file_order_and_load_stack_picks_the_format(tmp_path):
    assert find_stack_file(tmp_path) is None
    (tmp_path / "template.yml").write_text(NOTES.read_text())
    assert find_stack_file(tmp_path) == tmp_path / "template.yml"
    assert load_stack(tmp_path / "template.yml").format == "sam"
    (tmp_path / "serverless.yaml").write_text(
        "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions: {}\n"
    )
    assert find_stack_file(tmp_path) == tmp_path / "serverless.yaml"
    assert load_stack(tmp_path / "serverless.yaml").format == "serverless"


def test_deploy_verb_runs_the_sam_example_by_name_and_finds_template_yaml(
    tmp_path, monkeypatch, capsys
):
    assert main(["deploy", "notes-sam", "--dry-run", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [f["key"] for f in shown["functions"]] == ["NotesApiFunction", "IndexWorkerFunction"]
    assert (
        main(["deploy", "notes-sam", "--dry-run", "--json", "--parameter-overrides", "Stage=prod"])
        == 0
    )
    prod = json.loads(capsys.readouterr().out)
    assert {r["physical_name"] for r in prod["resources"]} == {"notes-prod", "new-notes-prod"}
    assert prod["functions"][0]["memory_mb"] == 512
    assert main(["deploy", "notes-sam", "--dry-run", "--parameter-overrides", "Stage"]) == 2
    monkeypatch.chdir(tmp_path)
    assert main(["deploy", "--dry-run"]) == 2
    assert "template.yaml" in capsys.readouterr().err
    (tmp_path / "template.yaml").write_text(NOTES.read_text())
    assert main(["deploy", "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["service"] == tmp_path.name.replace("_", "-")


# -- deploying ---------------------------------------------------------------------------------


def test_sam_example_deploys_and_runs_with_its_policy_templates_enforced():
    account = LocalAccount()
    clock = ManualClock()
    with (
        LambdaRuntime(backend="inprocess", request_handler=account.handle) as runtime,
        EventRouter(account, runtime, clock=clock) as router,
    ):
        deployment = deploy(load_stack(NOTES), account, runtime, router=router)
        assert account.client("dynamodb").list_tables()["TableNames"] == ["notes-dev"]
        assert account.client("sqs").get_queue_url(QueueName="new-notes-dev")["QueueUrl"]

        created = router.api.handle(
            HttpRequest(method="POST", path="/notes", body=b'{"text": "buy milk"}')
        )
        assert created.status == 201, created
        note = json.loads(created.body)
        router.drain()
        item = account.client("dynamodb").get_item(
            TableName="notes-dev", Key={"noteId": {"S": note["noteId"]}}
        )["Item"]
        assert item["indexed"] == {"BOOL": True}  # the SQS worker ran

        api = deployment.function_name("NotesApiFunction")
        worker = deployment.function_name("IndexWorkerFunction")
        queue_url = account.client("sqs").get_queue_url(QueueName="new-notes-dev")["QueueUrl"]
        send = {"QueueUrl": queue_url, "MessageBody": "x"}
        assert account.check(api, "sqs", "SendMessage", send).allowed
        assert not account.check(worker, "sqs", "SendMessage", send).allowed
        assert account.check(worker, "sqs", "ReceiveMessage", {"QueueUrl": queue_url}).allowed
        assert not account.check(api, "sqs", "DeleteQueue", {"QueueUrl": queue_url}).allowed
    account.reset()


def test_everything_fixture_deploys_its_resources():
    account = LocalAccount()
    deployment = deploy(load_sam_template(EVERYTHING), account, None)
    try:
        tables = account.client("dynamodb").list_tables()["TableNames"]
        assert "sam-everything-orders-dev" in tables and any("Items" in t for t in tables)
        topic = f"arn:aws:sns:us-east-1:{account.account_id}:alerts-test"
        subscriptions = account.client("sns").list_subscriptions_by_topic(TopicArn=topic)
        assert [s["Protocol"] for s in subscriptions["Subscriptions"]] == ["sqs"]
        queue_url = account.client("sqs").get_queue_url(QueueName="jobs-dev")["QueueUrl"]
        attributes = account.client("sqs").get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["Policy", "VisibilityTimeout"]
        )["Attributes"]
        assert attributes["VisibilityTimeout"] == "60"
        policy = json.loads(attributes["Policy"])
        assert policy["Statement"][0]["Action"] == "sqs:SendMessage"
        assert policy["Version"] == "2012-10-17"  # YAML's unquoted date stays text
        assert account.client("s3").head_bucket(Bucket=f"uploads-dev-{account.account_id}")
        role = deployment.plan.functions[2].role
        assert account.client("iam").get_role(RoleName=role)["Role"]["RoleName"] == role
        assert "sam-everything-api" in deployment.router.functions
        audit = deployment.function_name("AuditFunction")
        items = deployment.plan.functions[0].environment["ITEMS"]
        get = {"TableName": items, "Key": {"id": {"S": "x"}}}
        assert account.check(audit, "dynamodb", "GetItem", get).allowed
        assert not account.check(audit, "dynamodb", "PutItem", {**get, "Item": {}}).allowed
    finally:
        deployment.router.close()
        account.reset()


def test_sam_example_is_served_over_http_by_the_offline_server():
    """What `offline` does with a SAM template once it loads it with load_stack."""
    import urllib.request

    from serverless_tutor.cloud.offline import OfflineServer

    account = LocalAccount()
    with LambdaRuntime(backend="inprocess", request_handler=account.handle) as runtime:
        deployment = deploy(load_stack(NOTES), account, runtime)
        server = OfflineServer(deployment.router.api, port=0)
        server.start()
        try:
            request = urllib.request.Request(
                f"{server.base_url}/notes",
                data=b'{"text": "over http"}',
                method="POST",
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 201
                note = json.loads(response.read())
            with urllib.request.urlopen(
                f"{server.base_url}/notes/{note['noteId']}", timeout=30
            ) as response:
                assert json.loads(response.read())["text"] == "over http"
        finally:
            server.stop()
            deployment.router.close()
    account.reset()


def test_function_names_aws_would_refuse_are_problems(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Handler: app.main\n      Runtime: python3.12\n"
        f"      FunctionName: !Sub '${{AWS::StackName}}-{'x' * 64}'\n"
    )
    with pytest.raises(ServiceConfigError) as caught:
        load_sam_template(path)
    assert caught.value.problems[0].field == "Resources.F.Properties.FunctionName"
    assert "1 to 64" in caught.value.problems[0].expected


def test_a_long_folder_name_gives_a_stack_name_that_fits(tmp_path):
    folder = tmp_path / ("a-very-long-folder-name-" * 4)
    folder.mkdir()
    (folder / "template.yaml").write_text(
        "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Handler: app.main\n      Runtime: python3.12\n"
        "      FunctionName: !Sub '${AWS::StackName}-scheduler-lambda'\n"
    )
    spec = load_sam_template(folder / "template.yaml")
    assert spec.stack_name == "a-very-long-folder-name-a-very-l"
    assert spec.functions["F"].name == "a-very-long-folder-name-a-very-l-scheduler-lambda"


# -- inline code and plain AWS::Lambda::Function ----------------------------------------------

INLINE_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {"greeting": "hello " + event["name"], "function": context.function_name}
"""

ZIPFILE_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Allowed:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: allowed
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
  Forbidden:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: forbidden
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
  Inbox:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: inbox
  WriterRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: write-allowed
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: dynamodb:PutItem
                Resource: !GetAtt Allowed.Arn
              - Effect: Allow
                Action: [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes]
                Resource: !GetAtt Inbox.Arn
  Writer:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      MemorySize: 256
      Timeout: 10
      Role: !GetAtt WriterRole.Arn
      Environment:
        Variables:
          TABLE: !Ref Allowed
      Code:
        ZipFile: |
          import os
          import boto3
          from botocore.exceptions import ClientError

          dynamodb = boto3.client("dynamodb")

          def handler(event, context):
              for record in event.get("Records", []):
                  item = {"id": {"S": record["body"]}}
                  dynamodb.put_item(TableName=os.environ["TABLE"], Item=item)
              try:
                  dynamodb.put_item(TableName="forbidden", Item={"id": {"S": "x"}})
              except ClientError as error:
                  return error.response["Error"]["Code"]
              return "written"
  InboxToWriter:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Writer
      EventSourceArn: !GetAtt Inbox.Arn
      BatchSize: 5
  WriterPermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Writer
      Action: lambda:InvokeFunction
      Principal: apigateway.amazonaws.com
"""


def _template(tmp_path, text, name="template.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_inline_code_function_is_invoked_from_its_own_code_folder(tmp_path, tutor_home, capsys):
    path = _template(tmp_path, INLINE_TEMPLATE)
    event = tmp_path / "event.json"
    event.write_text('{"name": "sam"}')
    code = main(["invoke", "--stack", str(path), "--function", "Hello", "--event", str(event)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    shown = json.loads(captured.out[captured.out.index("{") : captured.out.rindex("}") + 1])
    assert shown["greeting"] == "hello sam"
    assert "-Hello-" in shown["function"]  # its stack configuration: the generated name
    # The code went to a folder of its own under the data dir's cache, and nowhere else.
    spec = load_sam_template(path)
    folder = Path(spec.functions["Hello"].code_dir)
    assert folder.parent == tutor_home / "cache" / "inline-code"
    assert [p.name for p in folder.iterdir()] == ["index.py"]
    assert list(tmp_path.rglob("*.py")) == [folder / "index.py"]
    assert not [w for w in spec.warnings if "inline" in w.message.lower()]


def test_the_same_inline_code_shares_a_folder_and_changed_code_gets_another(tmp_path):
    first = load_sam_template(_template(tmp_path, INLINE_TEMPLATE)).functions["Hello"]
    again = load_sam_template(_template(tmp_path, INLINE_TEMPLATE)).functions["Hello"]
    changed = load_sam_template(
        _template(tmp_path, INLINE_TEMPLATE.replace("hello ", "goodbye "))
    ).functions["Hello"]
    assert first.code_dir == again.code_dir != changed.code_dir
    assert "goodbye" in (Path(changed.code_dir) / "index.py").read_text()
    # Tampering with the cached file is undone by the next load.
    (Path(first.code_dir) / "index.py").write_text("raise SystemExit")
    load_sam_template(_template(tmp_path, INLINE_TEMPLATE))
    assert "hello " in (Path(first.code_dir) / "index.py").read_text()


def test_zipfile_lambda_function_runs_with_its_role_and_event_source_mapping(tmp_path):
    spec = load_stack(_template(tmp_path, ZIPFILE_TEMPLATE))
    writer = spec.functions["Writer"]
    assert (writer.memory_mb, writer.timeout_s, writer.handler) == (256, 10.0, "index.handler")
    assert [(e.type, e.batch_size) for e in writer.events] == [("sqs", 5)]
    warnings = {w.path: w.message for w in spec.warnings}
    assert (
        "WriterPermission (AWS::Lambda::Permission)" in warnings["Resources.WriterPermission.Type"]
    )
    assert "Resources.InboxToWriter.Type" not in warnings  # wired, not skipped

    account = LocalAccount()
    with (
        LambdaRuntime(backend="inprocess", request_handler=account.handle) as runtime,
        EventRouter(account, runtime, clock=ManualClock()) as router,
    ):
        deployment = deploy(spec, account, runtime, router=router)
        result = deployment.invoke("Writer", {})
        assert result.error is None, result.error
        assert result.response == "AccessDeniedException"  # the role allows one table only
        sqs = account.client("sqs")
        sqs.send_message(
            QueueUrl=sqs.get_queue_url(QueueName="inbox")["QueueUrl"], MessageBody="m1"
        )
        router.drain()
        items = account.client("dynamodb").scan(TableName="allowed")["Items"]
        assert items == [{"id": {"S": "m1"}}]
        assert account.client("dynamodb").scan(TableName="forbidden")["Items"] == []
    account.reset()


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        ("../escape.handler", "a module name for inline code"),
        ("/tmp/abs.handler", "a module name for inline code"),
        ("sub/dir.handler", "a module name for inline code"),
    ],
)
def test_inline_code_with_a_bad_module_name_is_a_problem(tmp_path, tutor_home, handler, expected):
    path = _template(tmp_path, INLINE_TEMPLATE.replace("index.handler", handler))
    with pytest.raises(ServiceConfigError) as caught:
        load_sam_template(path)
    problem = caught.value.problems[0]
    assert (problem.file, problem.field) == (str(path), "Resources.Hello.Properties.Handler")
    assert expected in problem.expected
    assert not (tutor_home / "cache").exists()


def test_inline_code_over_the_size_limit_is_a_problem(tmp_path, tutor_home, monkeypatch):
    def zipfile_template(code):
        head = ZIPFILE_TEMPLATE.split("        ZipFile: |\n")[0]
        return _template(tmp_path, f"{head}        ZipFile: {json.dumps(code)}\n")

    # Past the 4096 characters CloudFormation once allowed: loads, as it deploys on AWS today.
    code = "def handler(event, context):\n    return 1\n" + "# padding line\n" * 400
    assert len(code) > 4096
    assert Path(load_stack(zipfile_template(code)).functions["Writer"].code_dir).is_dir()
    # A 4 MB zip takes a template of megabytes to reach; a smaller limit shows the check.
    monkeypatch.setattr(sam, "INLINE_CODE_MAX_ZIP_BYTES", 100)
    shutil.rmtree(tutor_home / "cache")
    with pytest.raises(ServiceConfigError) as caught:
        load_stack(zipfile_template(code))
    problem = caught.value.problems[0]
    assert problem.field == "Resources.Writer.Properties.Code.ZipFile"
    assert "inline code whose zip is at most 100 bytes (CloudFormation's limit), not " in (
        problem.expected
    )
    assert not (tutor_home / "cache").exists()


def test_what_inline_and_plain_functions_still_skip_is_a_warning(tmp_path):
    text = (
        ZIPFILE_TEMPLATE.replace("index.handler", "app.handler", 1).replace(
            "EventSourceArn: !GetAtt Inbox.Arn", "EventSourceArn: arn:aws:kinesis:x"
        )
        + """\
  FromS3:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/outside
      Code: {S3Bucket: builds, S3Key: app.zip}
"""
    )
    spec = load_stack(_template(tmp_path, text))
    warnings = {w.path: w.message for w in spec.warnings}
    assert set(spec.functions) == {"Writer"}
    assert (
        "code in S3 (S3Bucket/S3Key) cannot be fetched locally; skipped"
        in (warnings["Resources.FromS3.Properties.Code"])
    )
    assert (
        "inline code is written to index.py (as on AWS), not app.py"
        in (warnings["Resources.Writer.Properties.Handler"])
    )
    assert (
        "InboxToWriter (AWS::Lambda::EventSourceMapping): only a mapping from an SQS"
        in (warnings["Resources.InboxToWriter.Type"])
    )
    assert spec.functions["Writer"].events == []


def test_inline_code_importing_cfnresponse_is_warned_about(tmp_path):
    text = INLINE_TEMPLATE.replace(
        "      InlineCode: |\n", "      InlineCode: |\n        import cfnresponse\n"
    )
    spec = load_sam_template(_template(tmp_path, text))
    warning = {w.path: w.message for w in spec.warnings}["Resources.Hello.Properties.InlineCode"]
    assert warning.startswith("imports cfnresponse, which CloudFormation puts next to inline code")
    assert "Hello" in spec.functions  # it still loads; only invoking it fails


def test_inline_code_unused_for_a_month_is_removed_when_new_code_is_written(tutor_home):
    old = sam.inline_code_folder("def handler(e, c):\n    return 'old'\n")
    recent = sam.inline_code_folder("def handler(e, c):\n    return 'recent'\n")
    month_ago = time.time() - (sam.INLINE_CODE_KEPT_DAYS + 1) * 24 * 3600
    os.utime(old / "index.py", (month_ago, month_ago))
    os.utime(recent / "index.py", (month_ago, month_ago))
    not_ours = old.parent / "notes"
    not_ours.mkdir()
    sam.inline_code_folder("def handler(e, c):\n    return 'recent'\n")  # in use again: touched
    new = sam.inline_code_folder("def handler(e, c):\n    return 'new'\n")
    assert not old.exists()
    assert recent.exists() and new.exists() and not_ours.exists()
    assert (new / "index.py").read_text() == "def handler(e, c):\n    return 'new'\n"
