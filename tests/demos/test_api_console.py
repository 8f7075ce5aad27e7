"""The API console engine: lesson 7's users API deployed locally, driven through the API Gateway router."""

import pytest

from serverless_tutor.demos.api_console import EXAMPLES, ApiConsole, ApiConsoleError

USER = '{"name": "Alan Turing", "email": "alan@example.com"}'


@pytest.fixture(scope="module")
def console():
    with ApiConsole() as console:
        yield console


def created_id(console: ApiConsole) -> str:
    answer = console.send("POST", "/dev/users", USER)
    assert answer.status == 201, answer.body
    return answer.body_json["userId"]


def test_create_then_get_returns_the_user(console):
    created = console.send("POST", "/dev/users", USER)
    assert created.status == 201 and created.function == "createUser"
    assert created.function_name == "users-api-dev-createUser" and created.route == "POST /users"
    assert [(c.label, c.outcome, c.resource) for c in created.calls] == [
        ("dynamodb:PutItem", "ok", "users-api-users-dev")
    ]
    user_id = created.body_json["userId"]

    got = console.send("GET", f"/dev/users/{user_id}")
    assert got.status == 200 and got.function == "getUser"
    assert got.body_json == created.body_json
    assert {"name": "Alan Turing", "email": "alan@example.com"}.items() <= got.body_json.items()
    assert isinstance(
        got.body_json["createdAt"], int
    )  # a Decimal from DynamoDB, written back as a JSON integer
    assert ("Content-Type", "application/json") in got.headers
    assert [c.label for c in got.calls] == ["dynamodb:GetItem"]


def test_list_returns_the_seeded_users_and_one_page(console):
    listed = console.send("GET", "/dev/users")
    assert listed.status == 200 and listed.function == "listUsers"
    ids = {user["userId"] for user in listed.body_json["users"]}
    assert {"u-ada", "u-grace"} <= ids
    assert "next" not in listed.body_json  # fewer than 100 users: one page
    assert [c.label for c in listed.calls] == ["dynamodb:Scan"]


def test_update_changes_the_user_and_an_unknown_id_is_404_not_an_upsert(console):
    user_id = created_id(console)
    updated = console.send(
        "PUT", f"/dev/users/{user_id}", '{"name": "A. M. Turing", "email": "amt@example.com"}'
    )
    assert updated.status == 200 and updated.function == "updateUser"
    assert (
        updated.body_json["name"] == "A. M. Turing"
        and updated.body_json["email"] == "amt@example.com"
    )
    assert console.send("GET", f"/dev/users/{user_id}").body_json["name"] == "A. M. Turing"

    missing = console.send("PUT", "/dev/users/u-never", '{"name": "x", "email": "x@example.com"}')
    assert missing.status == 404 and missing.body_json == {"error": "user not found"}
    assert [(c.label, c.outcome, c.error_code) for c in missing.calls] == [
        ("dynamodb:UpdateItem", "error", "ConditionalCheckFailedException")
    ]
    assert (
        console.send("GET", "/dev/users/u-never").status == 404
    )  # nothing half-filled was created


def test_delete_then_get_is_404_and_a_second_delete_is_still_204(console):
    user_id = created_id(console)
    deleted = console.send("DELETE", f"/dev/users/{user_id}")
    assert deleted.status == 204 and deleted.body == "" and deleted.function == "deleteUser"
    assert [c.label for c in deleted.calls] == ["dynamodb:DeleteItem"]
    gone = console.send("GET", f"/dev/users/{user_id}")
    assert gone.status == 404 and gone.body_json == {"error": "user not found"}
    assert console.send("DELETE", f"/dev/users/{user_id}").status == 204


def test_bad_json_and_missing_fields_are_400_without_touching_the_table(console):
    for body in ('{"name": "Bo", ', "[1, 2]", '{"name": "Bo"}', ""):
        answer = console.send("POST", "/dev/users", body)
        assert answer.status == 400, body
        assert answer.body_json == {"error": "name and email required"}
        assert answer.calls == [] and answer.function == "createUser"


def test_first_request_to_a_function_is_cold_then_warm():
    with ApiConsole() as fresh:
        first = fresh.send("GET", "/dev/users")
        second = fresh.send("GET", "/dev/users")
        other = fresh.send("GET", "/dev/users/u-ada")  # one function per route: its own cold start
    assert first.cold is True and first.report.init_duration_ms is not None
    assert second.cold is False and second.report.init_duration_ms is None
    assert other.cold is True
    assert second.report.memory_size_mb == 256
    assert second.report.billed_duration_ms >= 1


def test_paths_outside_the_api_are_answered_by_api_gateway(console):
    no_stage = console.send("GET", "/users")
    assert no_stage.status == 403 and no_stage.function is None and no_stage.report is None
    assert no_stage.body_json == {"message": "Forbidden"}
    assert no_stage.problem == "not under the REST API's stage: its URLs start with /dev/"
    wrong_method = console.send("DELETE", "/dev/users")
    assert wrong_method.status == 403 and wrong_method.body_json == {
        "message": "Missing Authentication Token"
    }


def test_every_example_gets_the_status_it_promises():
    with ApiConsole() as fresh:
        for example in EXAMPLES:
            assert (
                fresh.send(example.method, example.path, example.body).status == example.expect
            ), example.label


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("FETCH", "/dev/users", "method 'FETCH': expected one of GET, POST, PUT, DELETE"),
        ("GET", "dev/users", "path 'dev/users': expected a path starting with /"),
        ("GET", "/dev/users/a b", "path '/dev/users/a b': expected a path starting with /"),
    ],
)
def test_bad_requests_are_refused_before_deploying(method, path, expected):
    console = ApiConsole()
    with pytest.raises(
        ApiConsoleError, match="^" + expected.replace("(", r"\(").replace(")", r"\)")
    ):
        console.send(method, path)
    assert not console.deployed


def test_closed_console_refuses_and_has_torn_down():
    console = ApiConsole()
    console.send("GET", "/dev/users")
    assert console.deployed
    console.close()
    assert not console.deployed
    with pytest.raises(ApiConsoleError, match="shut down"):
        console.send("GET", "/dev/users")


def test_offline_finds_users_api_by_name_and_seeds_two_users():
    import json
    import os
    import signal
    import subprocess
    import sys
    import urllib.request

    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "serverless_tutor",
            "offline",
            "users-api",
            "--port",
            "0",
            "--backend",
            "inprocess",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        base, lines = None, []
        for line in process.stdout:
            lines.append(line)
            if "/dev/users" in line and "http://" in line:
                base = line.split("http://", 1)[1].split("/", 1)[0]
            if "Ctrl+C" in line:
                break
        assert base, "".join(lines) + process.stderr.read()
        assert sum("-> users-api-dev-" in line for line in lines) == 5
        with urllib.request.urlopen(f"http://{base}/dev/users") as response:
            users = json.loads(response.read())["users"]
        assert sorted(user["userId"] for user in users) == ["u-ada", "u-grace"]
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
