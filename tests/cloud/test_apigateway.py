"""The local API Gateway: routing, payload v1/v2, proxy response checks, CORS."""

import json

from serverless_tutor.cloud.apigateway import HttpRequest
from serverless_tutor.cloud.service_spec import Cors


def request(method, path, query="", headers=(), body=b""):
    return HttpRequest(method=method, path=path, query=query, headers=list(headers), body=body)


def test_rest_api_event_and_routing(cloud):
    cloud.function("echo", "api_echo")
    cloud.function("catch-all", "api_echo")
    api = cloud.router.api
    api.stage = "dev"
    api.add_route("rest", "GET", "/orders/{id}", "echo", Cors())
    api.add_route("rest", "ANY", "/{proxy+}", "catch-all")

    response = api.handle(
        request(
            "GET",
            "/dev/orders/42",
            "verbose=true&tag=a&tag=b",
            [("User-Agent", "curl/8"), ("X-Trace", "1"), ("X-Trace", "2")],
        )
    )
    assert response.status == 200 and response.function_name == "echo"
    event = response.body_json()["event"]
    assert (event["resource"], event["path"], event["httpMethod"]) == (
        "/orders/{id}",
        "/orders/42",
        "GET",
    )
    assert event["pathParameters"] == {"id": "42"}
    assert event["queryStringParameters"] == {"verbose": "true", "tag": "b"}
    assert event["multiValueQueryStringParameters"] == {"verbose": ["true"], "tag": ["a", "b"]}
    assert (
        event["multiValueHeaders"]["X-Trace"] == ["1", "2"] and event["headers"]["X-Trace"] == "2"
    )
    assert (
        event["body"] is None
        and event["isBase64Encoded"] is False
        and event["stageVariables"] is None
    )
    context = event["requestContext"]
    assert (context["stage"], context["path"], context["resourcePath"]) == (
        "dev",
        "/dev/orders/42",
        "/orders/{id}",
    )
    assert (
        context["identity"]["sourceIp"] == "127.0.0.1"
        and context["accountId"] == cloud.account.account_id
    )

    greedy = api.handle(request("DELETE", "/dev/a/b/c"))
    assert greedy.function_name == "catch-all" and greedy.body_json()["event"][
        "pathParameters"
    ] == {"proxy": "a/b/c"}

    # a REST API answers a path outside its stage 403 Forbidden, never 404
    missing = api.handle(request("GET", "/prod/orders/42"))
    assert missing.status == 403 and missing.body_json() == {"message": "Forbidden"}
    # with a greedy route gone, an unknown REST path answers 403 Missing Authentication Token
    api.routes.pop()
    unknown = api.handle(request("POST", "/dev/orders/42"))
    assert unknown.status == 403 and unknown.body_json() == {
        "message": "Missing Authentication Token"
    }


def test_rest_api_cors_preflight(cloud):
    cloud.function("echo", "api_echo")
    api = cloud.router.api
    api.stage = "dev"
    api.add_route("rest", "POST", "/orders", "echo", Cors())
    preflight = api.handle(
        request("OPTIONS", "/dev/orders", headers=[("Origin", "https://shop.example")])
    )
    assert (
        preflight.status == 200 and preflight.function_name is None
    )  # answered by API Gateway itself
    assert preflight.header("Access-Control-Allow-Origin") == "*"
    assert preflight.header("Access-Control-Allow-Methods") == "OPTIONS,POST"
    assert "Content-Type" in preflight.header("Access-Control-Allow-Headers")


def test_malformed_proxy_responses_become_502(cloud):
    api = cloud.router.api
    api.stage = "dev"
    for handler in ("api_body_not_string", "api_extra_key", "api_plain_value", "fail"):
        cloud.function(handler.replace("_", "-"), handler)
        api.add_route("rest", "GET", f"/{handler}", handler.replace("_", "-"))

    body_dict = api.handle(request("GET", "/dev/api_body_not_string"))
    assert (body_dict.status, body_dict.body_json()) == (502, {"message": "Internal server error"})
    assert (
        "Malformed Lambda proxy response" in body_dict.problem
        and "body must be a string" in body_dict.problem
    )
    extra = api.handle(request("GET", "/dev/api_extra_key"))
    assert extra.status == 502 and "unexpected key(s) status" in extra.problem
    plain = api.handle(request("GET", "/dev/api_plain_value"))
    assert plain.status == 502 and "statusCode" in plain.problem
    crashed = api.handle(request("GET", "/dev/fail"))
    assert (
        crashed.status == 502
        and crashed.header("x-amzn-ErrorType") == "InternalServerErrorException"
    )
    assert "RuntimeError: boom" in crashed.problem


def test_http_api_payload_v2_and_lenient_responses(cloud):
    for name in ("api_echo", "api_plain_value", "fail"):
        cloud.function(name.replace("_", "-"), name)
    api = cloud.router.api
    api.add_route("http", "POST", "/items/{id}", "api-echo")
    api.add_route("http", "GET", "/plain", "api-plain-value")
    api.add_route("http", "*", "*", "fail")

    response = api.handle(
        request(
            "POST",
            "/items/7",
            "a=1&a=2",
            [("Content-Type", "application/json"), ("Cookie", "s=1; t=2"), ("X-A", "x")],
            b'{"n": 1}',
        )
    )
    event = response.body_json()["event"]
    assert (event["version"], event["routeKey"], event["rawPath"], event["rawQueryString"]) == (
        "2.0",
        "POST /items/{id}",
        "/items/7",
        "a=1&a=2",
    )
    assert event["queryStringParameters"] == {"a": "1,2"}
    assert event["cookies"] == ["s=1", "t=2"] and "cookie" not in event["headers"]
    assert event["headers"]["content-type"] == "application/json"  # lower-case names
    assert event["pathParameters"] == {"id": "7"} and event["body"] == '{"n": 1}'
    assert (
        event["requestContext"]["http"]["method"] == "POST"
        and event["requestContext"]["stage"] == "$default"
    )

    plain = api.handle(request("GET", "/plain"))
    assert (plain.status, plain.body_json(), plain.header("content-type")) == (
        200,
        {"hello": "world"},
        "application/json",
    )
    fallback = api.handle(request("GET", "/anything/else"))
    assert fallback.route == "$default" and (fallback.status, fallback.body_json()) == (
        500,
        {"message": "Internal Server Error"},
    )


def test_http_api_cors_is_added_by_the_gateway(cloud):
    cloud.function("plain", "api_plain_value")
    api = cloud.router.api
    api.http_api_cors = Cors(methods=["GET"], origins=["https://shop.example"])
    api.add_route("http", "GET", "/plain", "plain")
    preflight = api.handle(
        request(
            "OPTIONS",
            "/plain",
            headers=[("Origin", "https://shop.example"), ("Access-Control-Request-Method", "GET")],
        )
    )
    assert (
        preflight.status == 204
        and preflight.header("access-control-allow-origin") == "https://shop.example"
    )
    response = api.handle(request("GET", "/plain", headers=[("Origin", "https://shop.example")]))
    assert response.header("access-control-allow-origin") == "https://shop.example"
    stranger = api.handle(request("GET", "/plain", headers=[("Origin", "https://evil.example")]))
    assert stranger.header("access-control-allow-origin") is None


def test_iam_denial_inside_a_function(cloud):
    from serverless_tutor.cloud.iam import Statement

    cloud.account.client("dynamodb").create_table(
        TableName="secret",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    config = cloud.function("nosy", "write_secret")
    cloud.account.set_permissions(
        "nosy",
        [
            Statement.model_validate(
                {
                    "Effect": "Allow",
                    "Action": "dynamodb:PutItem",
                    "Resource": f"arn:aws:dynamodb:us-east-1:{cloud.account.account_id}:table/received",
                }
            )
        ],
    )
    result = cloud.runtime.invoke(config, {})
    assert result.response["code"] == "AccessDeniedException"
    assert "dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:" in result.response["message"]
    denied = [e for e in cloud.account.trace.entries if e.outcome == "denied"]
    assert [(e.function_name, e.operation, e.params["TableName"]) for e in denied] == [
        ("nosy", "PutItem", "secret")
    ]
    assert denied[0].request_id == result.request_id

    cloud.account.enforce_iam = False
    assert cloud.runtime.invoke(config, {}).response == {"code": None}
    json.dumps(
        [e.model_dump(mode="json") for e in cloud.account.trace.entries]
    )  # the trace serializes for the panels
