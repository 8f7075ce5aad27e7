"""Deploying serverless.yml files into a local account: plan, resources, wiring."""

import json
from pathlib import Path

import pytest

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.apigateway import HttpRequest
from serverless_tutor.cloud.deploy import deploy, plan
from serverless_tutor.cloud.routing.functions import NoRuntimeError
from serverless_tutor.cloud.routing.router import EventRouter
from serverless_tutor.cloud.service import ServiceConfigError, load_service
from serverless_tutor.cloud.stack import STREAM_LABEL_PLACEHOLDER
from serverless_tutor.runtime import LambdaRuntime, ManualClock

FIXTURES = Path(__file__).parent / "fixtures"


def test_dry_run_plan_resolves_references_without_an_account():
    result = plan(load_service(FIXTURES / "pipeline" / "serverless.yml"), account_id="111122223333")
    functions = {f.key: f for f in result.functions}
    assert (
        functions["processImage"].events[0].source_arn
        == "arn:aws:sqs:us-east-1:111122223333:pipeline-test-jobs"
    )
    stream_arn = functions["onOrderChange"].events[0].source_arn
    assert stream_arn is not None and stream_arn.endswith(f"/stream/{STREAM_LABEL_PLACEHOLDER}")
    assert (
        functions["alerting"].dead_letter
        == "arn:aws:sqs:us-east-1:111122223333:pipeline-test-alerts-dlq"
    )
    assert functions["onUpload"].events[0].settings == {
        "bucket": "pipeline-test-uploads",
        "events": ["s3:ObjectCreated:*"],
        "prefix": "uploads/",
        "suffix": ".jpg",
    }
    names = {r.logical_id: r.physical_name for r in result.resources}
    assert names["JobsDLQ"].startswith(
        "pipeline-test-JobsDLQ-"
    )  # CloudFormation-style generated name
    assert (
        result.iam_statements[0]["Resource"]
        == "arn:aws:dynamodb:us-east-1:111122223333:table/received"
    )
    assert result.role == "pipeline-test-us-east-1-lambdaRole"


def test_bad_reference_is_an_error_with_its_path(tmp_path):
    path = tmp_path / "serverless.yml"
    path.write_text("""
service: s
provider:
  name: aws
  runtime: python3.12
  environment:
    QUEUE: !GetAtt Nowhere.Arn
functions:
  f:
    handler: handler.main
""")
    with pytest.raises(ServiceConfigError) as caught:
        plan(load_service(path))
    problem = caught.value.problems[0]
    assert problem.field == "provider.environment.QUEUE"
    assert "Nowhere.Arn: no resource with that logical id" in problem.expected


def test_chapter_file_deploys_and_its_missing_handler_fails_like_lambda():
    account = LocalAccount()
    with LambdaRuntime(backend="inprocess", request_handler=account.handle) as runtime:
        deployment = deploy(load_service(FIXTURES / "chapter_serverless.yml"), account, runtime)
        assert account.client("dynamodb").list_tables()["TableNames"] == [
            "order-service-orders-dev"
        ]
        response = deployment.router.api.handle(
            HttpRequest(method="POST", path="/dev/orders", body=b"{}")
        )
        assert response.status == 502 and "Runtime.ImportModuleError" in (response.problem or "")
        preflight = deployment.router.api.handle(
            HttpRequest(method="OPTIONS", path="/dev/orders/7")
        )
        assert preflight.header("Access-Control-Allow-Methods") == "GET,OPTIONS"
        deployment.router.close()
    account.reset()


def test_deploy_without_a_runtime_creates_resources_and_refuses_to_invoke():
    """What `serverless-tutor deploy` does: create and register, with nothing to run functions."""
    account = LocalAccount()
    deployment = deploy(load_service(FIXTURES / "chapter_serverless.yml"), account, None)
    try:
        assert account.client("dynamodb").list_tables()["TableNames"] == [
            "order-service-orders-dev"
        ]
        assert "order-service-dev-createOrder" in deployment.router.functions
        # The function's ARN (context.invoked_function_arn) names the account it lives in,
        # so an ARN a handler builds from it is its own account's, not one the bridge refuses.
        arn = deployment.configs["createOrder"].arn
        assert (
            arn
            == f"arn:aws:lambda:us-east-1:{account.account_id}:function:order-service-dev-createOrder"
        )
        with pytest.raises(NoRuntimeError, match="createOrder"):
            deployment.invoke("createOrder", {})
        with pytest.raises(NoRuntimeError, match="order-service-dev-createOrder"):
            deployment.router.api.handle(HttpRequest(method="POST", path="/dev/orders"))
    finally:
        deployment.router.close()
        account.reset()


def test_every_event_source_wired_from_serverless_yml():
    account = LocalAccount()
    clock = ManualClock()
    with (
        LambdaRuntime(backend="inprocess", request_handler=account.handle) as runtime,
        EventRouter(account, runtime, clock=clock) as router,
    ):
        spec = load_service(FIXTURES / "pipeline" / "serverless.yml")
        deployment = deploy(spec, account, runtime, router=router)
        name = deployment.function_name

        account.client("s3").put_object(
            Bucket="pipeline-test-uploads", Key="uploads/cat 1.jpg", Body=b"meow"
        )
        account.client("s3").put_object(
            Bucket="pipeline-test-uploads", Key="uploads/readme.txt", Body=b"no"
        )
        orders = next(
            r.physical_name for r in deployment.plan.resources if r.logical_id == "OrdersTable"
        )
        account.client("dynamodb").put_item(TableName=orders, Item={"orderId": {"S": "o-1"}})
        account.client("sns").publish(
            TopicArn=f"arn:aws:sns:us-east-1:{account.account_id}:alerts-test", Message="disk full"
        )
        router.drain()
        clock.advance(86_400)
        router.drain()

        items = account.client("dynamodb", internal=True).scan(TableName="received")["Items"]
        by_function: dict[str, list] = {}
        for item in items:
            by_function.setdefault(item["fn"]["S"], []).append(json.loads(item["event"]["S"]))
        upload = by_function[name("onUpload")]
        assert [e["Records"][0]["s3"]["object"]["key"] for e in upload] == ["uploads/cat+1.jpg"]
        job = by_function[name("processImage")][0]["Records"][0]
        assert json.loads(job["body"]) == {"key": "uploads/cat+1.jpg"}
        change = by_function[name("onOrderChange")][0]["Records"][0]
        assert change["eventName"] == "INSERT" and change["dynamodb"]["NewImage"] == {
            "orderId": {"S": "o-1"}
        }
        assert by_function[name("cleanup")][0]["detail-type"] == "Scheduled Event"
        assert len(by_function[name("alerting")]) == 2  # maximumRetryAttempts: 1
        dlq = account.client("sqs").get_queue_url(QueueName="pipeline-test-alerts-dlq")["QueueUrl"]
        dead = account.client("sqs").receive_message(QueueUrl=dlq)["Messages"][0]
        assert json.loads(dead["Body"])["Records"][0]["Sns"]["Message"] == "disk full"
        rules = account.client("events").list_rules()["Rules"]
        assert [(r["ScheduleExpression"], r["State"]) for r in rules] == [
            ("rate(1 day)", "ENABLED")
        ]
    account.reset()


def test_region_mismatch_is_refused():
    account = LocalAccount(region="eu-west-1")
    with (
        LambdaRuntime(backend="inprocess", request_handler=account.handle) as runtime,
        pytest.raises(ServiceConfigError, match=r"provider\.region"),
    ):
        deploy(load_service(FIXTURES / "chapter_serverless.yml"), account, runtime)
    assert account.client("sqs").list_queues().get("QueueUrls", []) == []  # nothing was created
