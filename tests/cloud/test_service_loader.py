"""serverless.yml loading: variables, structure checks, warnings, error paths."""

from pathlib import Path

import pytest

from serverless_tutor.cloud.service import ServiceConfigError, load_service
from serverless_tutor.cloud.service_spec import (
    HttpApiEvent,
    HttpEvent,
    S3Event,
    ScheduleEvent,
    SnsEvent,
    SqsEvent,
    StreamEvent,
)

FIXTURES = Path(__file__).parent / "fixtures"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "serverless.yml"
    path.write_text(text)
    return path


def test_chapter_section_4_file_loads_as_written():
    spec = load_service(FIXTURES / "chapter_serverless.yml")
    assert spec.service == "order-service"
    assert spec.stage == "dev"  # provider.stage is never set: the framework default
    create = spec.functions["createOrder"]
    assert create.name == "order-service-dev-createOrder"
    assert create.memory_mb == 512 and create.timeout_s == 30
    assert create.environment == {"ORDERS_TABLE": "order-service-orders-dev"}
    (http,) = create.events
    assert isinstance(http, HttpEvent)
    assert (http.type, http.method, http.path) == ("http", "POST", "/orders")
    assert http.cors is not None
    get_order = spec.functions["getOrder"].events[0]
    assert isinstance(get_order, HttpEvent) and get_order.path == "/orders/{id}"
    assert spec.iam_statements[0]["Resource"] == [
        "arn:aws:dynamodb:us-east-1:*:table/order-service-orders-dev"
    ]
    assert spec.resources["OrdersTable"].properties["TableName"] == "order-service-orders-dev"
    assert any("provider.stage is not set" in note for note in spec.notes)
    # the handlers are not part of the fixture: said, not hidden
    assert {w.path for w in spec.warnings} == {
        "functions.createOrder.handler",
        "functions.getOrder.handler",
    }


def test_stage_option_and_fallbacks(tmp_path):
    path = write(
        tmp_path,
        """
service: shop
provider:
  name: aws
  runtime: python3.12
  stage: ${opt:stage, 'dev'}
  environment:
    TABLE: ${self:service}-${sls:stage}
    LEVEL: ${env:LOG_LEVEL, 'info'}
    TOKEN: ${env:TOKEN}
    COUNT: ${self:custom.count}
    MISSING_OK: ${self:custom.nothing, env:ALSO_NOTHING, 'fallback'}
custom:
  count: 3
functions:
  hello:
    handler: handler.main
""",
    )
    (tmp_path / "handler.py").write_text("def main(event, context):\n    return 1\n")
    spec = load_service(path, stage="prod", env={"TOKEN": "t-1"})
    env = spec.functions["hello"].environment
    assert spec.stage == "prod"
    assert env == {
        "TABLE": "shop-prod",
        "LEVEL": "info",
        "TOKEN": "t-1",
        "COUNT": "3",
        "MISSING_OK": "fallback",
    }
    assert spec.warnings == []


def test_missing_variable_is_an_error_with_its_path(tmp_path):
    path = write(
        tmp_path,
        """
service: shop
provider:
  name: aws
  runtime: python3.12
  environment:
    TOKEN: ${env:NOT_SET_ANYWHERE}
functions: {}
""",
    )
    with pytest.raises(ServiceConfigError) as caught:
        load_service(path, env={})
    problem = caught.value.problems[0]
    assert problem.field == "provider.environment.TOKEN"
    assert "${env:NOT_SET_ANYWHERE}" in problem.expected


def test_variable_loop_is_reported(tmp_path):
    path = write(
        tmp_path,
        """
service: shop
provider: {name: aws, runtime: python3.12}
custom:
  a: ${self:custom.b}
  b: ${self:custom.a}
functions: {}
""",
    )
    with pytest.raises(ServiceConfigError, match="loop"):
        load_service(path)


def test_cloudformation_sub_placeholders_are_left_for_cloudformation(tmp_path):
    path = write(
        tmp_path,
        """
service: shop
provider:
  name: aws
  runtime: python3.12
  iamRoleStatements:
    - Effect: Allow
      Action: ses:SendEmail
      Resource: !Sub arn:aws:ses:${AWS::Region}:${AWS::AccountId}:identity/${self:custom.sender}
custom:
  sender: a@example.com
functions: {}
""",
    )
    spec = load_service(path)
    assert spec.iam_statements[0]["Resource"] == {
        "Fn::Sub": "arn:aws:ses:${AWS::Region}:${AWS::AccountId}:identity/a@example.com"
    }


def test_file_variable(tmp_path):
    (tmp_path / "config.yml").write_text("tables:\n  orders: orders-table\n")
    path = write(
        tmp_path,
        """
service: shop
provider:
  name: aws
  runtime: python3.12
  environment:
    TABLE: ${file(./config.yml):tables.orders}
functions: {}
""",
    )
    spec = load_service(path)
    assert any(v.value == "orders-table" for v in spec.variables)


@pytest.mark.parametrize(
    ("snippet", "field", "expected"),
    [
        ("memorySize: 64", "functions.f.memorySize", "between 128 and 10240"),
        ("timeout: 901", "functions.f.timeout", "between 1 and 900"),
        (
            "events:\n      - http: {path: /x, method: FETCH}",
            "functions.f.events[0].http.method",
            "one of",
        ),
        ("events:\n      - http: {method: get}", "functions.f.events[0].http.path", "required"),
        (
            "events:\n      - sqs: {arn: 'arn:aws:sqs:us-east-1:1:q', batchSize: 50}",
            "functions.f.events[0].sqs.maximumBatchingWindow",
            "at least 1 second",
        ),
        (
            "events:\n      - schedule: rate(5 minute)",
            "functions.f.events[0].schedule.rate",
            "plural",
        ),
        (
            "events:\n      - schedule: cron(0 12 * * * *)",
            "functions.f.events[0].schedule.rate",
            "'?'",
        ),
        (
            "events:\n      - sns: {topicName: t, filterPolicy: {eventType: OrderCreated}}",
            "functions.f.events[0].sns.filterPolicy",
            "list of conditions",
        ),
        (
            "events:\n      - s3: {bucket: b, rules: [{middle: x}]}",
            "functions.f.events[0].s3.rules[0]",
            "prefix",
        ),
        (
            "events: [{http: {path: /x, method: get}, sqs: arn}]",
            "functions.f.events[0]",
            "exactly one event type",
        ),
    ],
)
def test_broken_files_name_the_offending_key(tmp_path, snippet, field, expected):
    path = write(
        tmp_path,
        f"""
service: shop
provider: {{name: aws, runtime: python3.12}}
functions:
  f:
    handler: handler.main
    {snippet}
""",
    )
    with pytest.raises(ServiceConfigError) as caught:
        load_service(path)
    problems = {p.field: p.expected for p in caught.value.problems}
    assert field in problems, problems
    assert expected in problems[field]


def test_yaml_syntax_error_has_a_line(tmp_path):
    path = write(tmp_path, "service: shop\nprovider: [unclosed\n")
    with pytest.raises(ServiceConfigError) as caught:
        load_service(path)
    assert caught.value.problems[0].field.startswith("line ")


def test_unsupported_keys_are_warnings_not_silence(tmp_path):
    path = write(
        tmp_path,
        """
service: shop
plugins: [serverless-offline]
provider:
  name: aws
  runtime: python3.12
  tracing: {lambda: true}
functions:
  f:
    handler: handler.main
    reservedConcurrency: 5
    events:
      - websocket: $connect
      - stream: {type: kinesis, arn: arn:aws:kinesis:us-east-1:1:stream/s}
resources:
  Resources:
    Api:
      Type: AWS::ApiGateway::RestApi
  Outputs:
    X: {Value: 1}
""",
    )
    (tmp_path / "handler.py").write_text("def main(e, c):\n    return 1\n")
    spec = load_service(path)
    paths = {w.path for w in spec.warnings}
    assert paths == {
        "plugins[0]",
        "provider.tracing",
        "functions.f.reservedConcurrency",
        "functions.f.events[0].websocket",
        "functions.f.events[1].stream.type",
        "resources.Resources.Api.Type",
        "resources.Outputs",
    }
    assert spec.functions["f"].events == []


def test_all_event_kinds_parse(tmp_path):
    path = write(
        tmp_path,
        """
service: shop
provider: {name: aws, runtime: python3.12}
functions:
  f:
    handler: handler.main
    maximumRetryAttempts: 1
    destinations: {onFailure: arn:aws:sqs:us-east-1:1:failed}
    events:
      - httpApi: 'GET /items/{id}'
      - httpApi: '*'
      - sns: {arn: !Ref Topic, topicName: t, filterPolicy: {kind: [a, {prefix: b}]}, filterPolicyScope: MessageBody}
      - sqs: {arn: !GetAtt Queue.Arn, batchSize: 5, functionResponseType: ReportBatchItemFailures}
      - s3: {bucket: uploads, event: 's3:ObjectRemoved:*', rules: [{prefix: in/}, {suffix: .jpg}]}
      - stream: {type: dynamodb, arn: !GetAtt Table.StreamArn, startingPosition: LATEST, batchSize: 2}
      - schedule: {rate: ['rate(1 hour)', 'cron(0 3 ? * MON-FRI *)'], input: {job: nightly}}
""",
    )
    (tmp_path / "handler.py").write_text("def main(e, c):\n    return 1\n")
    f = load_service(path).functions["f"]
    kinds = [e.type for e in f.events]
    assert kinds == ["httpApi", "httpApi", "sns", "sqs", "s3", "stream", "schedule"]
    http_route, http_default, sns, sqs, s3, stream, schedule = f.events
    assert isinstance(http_route, HttpApiEvent) and isinstance(http_default, HttpApiEvent)
    assert http_route.path == "/items/{id}" and http_default.path == "*"
    assert isinstance(sns, SnsEvent)
    assert sns.topic_arn == {"Ref": "Topic"} and sns.filter_policy_scope == "MessageBody"
    assert isinstance(sqs, SqsEvent)
    assert sqs.queue_arn == {"Fn::GetAtt": ["Queue", "Arn"]} and sqs.report_batch_item_failures
    assert isinstance(s3, S3Event)
    assert (s3.prefix, s3.suffix, s3.events) == ("in/", ".jpg", ["s3:ObjectRemoved:*"])
    assert isinstance(stream, StreamEvent) and stream.starting_position == "LATEST"
    assert isinstance(schedule, ScheduleEvent)
    assert schedule.expressions == ["rate(1 hour)", "cron(0 3 ? * MON-FRI *)"]
    assert f.maximum_retry_attempts == 1 and f.on_failure == "arn:aws:sqs:us-east-1:1:failed"


# -- what the public serverless.yml corpus uses -------------------------------------------------


def test_whole_file_variables_are_parsed_yaml_and_json(tmp_path):
    (tmp_path / "env.yml").write_text("TABLE: orders\nLEVEL: debug\n")
    (tmp_path / "limits.json").write_text('{"memory": 512, "tags": ["a", "b"]}')
    path = write(
        tmp_path,
        """
service: s
custom:
  limits: ${file(./limits.json)}
provider:
  name: aws
  runtime: python3.12
  environment: ${file(./env.yml)}
functions:
  f:
    handler: handler.main
    memorySize: ${self:custom.limits.memory}
""",
    )
    spec = load_service(path)
    assert spec.provider_environment == {"TABLE": "orders", "LEVEL": "debug"}
    assert spec.functions["f"].memory_mb == 512
    assert spec.functions["f"].environment["TABLE"] == "orders"


def test_missing_whole_file_is_an_error(tmp_path):
    path = write(
        tmp_path,
        "service: s\nprovider: {name: aws, runtime: python3.12, environment: '${file(./nope.yml)}'}\n"
        "functions: {}\n",
    )
    with pytest.raises(ServiceConfigError) as caught:
        load_service(path)
    assert caught.value.problems[0].field == "provider.environment"
    assert "file(./nope.yml)" in caught.value.problems[0].expected


def test_unsupported_corpus_parts_are_warnings_naming_the_key_path(tmp_path):
    path = write(
        tmp_path,
        """
service: s
plugins: [serverless-lift]
constructs:
  jobs:
    type: queue
provider:
  name: aws
  runtime: python3.12
functions:
  image:
    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest
  node:
    handler: index.handler
    runtime: nodejs20.x
  skill:
    handler: handler.main
    environment:
      QUEUE_URL: ${construct:jobs.queueUrl}
    events:
      - alexaSkill
      - http: GET /hello
""",
    )
    spec = load_service(path)
    warnings = {w.path: w.message for w in spec.warnings}
    assert set(spec.functions) == {"skill"}
    assert "container image function" in warnings["functions.image.image"]
    assert "skipped" in warnings["functions.image.image"]
    assert warnings["functions.node.runtime"] == (
        "nodejs20.x: only Python handlers run locally; the function is skipped"
    )
    assert "'alexaSkill'" in warnings["functions.skill.events[0]"]
    assert "skipped" in warnings["functions.skill.events[0]"]
    assert [e.type for e in spec.functions["skill"].events] == ["http"]
    assert "serverless-lift" in warnings["constructs.jobs"]
    assert (
        "construct: is a variable source a plugin provides"
        in warnings["functions.skill.environment.QUEUE_URL"]
    )
    assert spec.functions["skill"].environment["QUEUE_URL"] == "${construct:jobs.queueUrl}"
    assert "constructs" not in warnings  # named once, per construct


def test_plugin_variable_with_a_fallback_uses_it(tmp_path):
    path = write(
        tmp_path,
        "service: s\nprovider: {name: aws, runtime: python3.12}\n"
        "custom:\n  url: ${construct:jobs.queueUrl, 'local-queue'}\n"
        "functions:\n  f:\n    handler: handler.main\n    environment:\n      URL: ${self:custom.url}\n",
    )
    spec = load_service(path)
    assert spec.functions["f"].environment["URL"] == "local-queue"
    assert not [w for w in spec.warnings if "construct" in w.message]


def test_a_function_name_aws_would_refuse_is_a_problem(tmp_path):
    path = write(
        tmp_path,
        "service: s\nprovider: {name: aws, runtime: python3.12}\n"
        "functions:\n  f:\n    handler: handler.main\n    name: has spaces\n",
    )
    with pytest.raises(ServiceConfigError) as caught:
        load_service(path)
    assert caught.value.problems[0].field == "functions.f.name"
