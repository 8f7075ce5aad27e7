"""`serverless-tutor invoke` serves a handler's AWS calls from a local account made on the first call."""

from __future__ import annotations

import json
import subprocess
import sys

USES_DYNAMODB = """
import boto3

def handler(event, context):
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName="orders",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    return dynamodb.list_tables()["TableNames"]
"""

NO_AWS = "def handler(event, context):\n    return {'ok': True}\n"

# Runs the verb in this interpreter, then reports whether moto was ever imported.
RUN_AND_REPORT_MOTO = """
import sys
from serverless_tutor.cli import main
code = main(["invoke", "app.py:handler", "--json"])
print("moto loaded:", "moto" in sys.modules, "exit:", code)
"""


def test_aws_calls_reach_one_account_that_lives_across_invokes(tmp_path):
    (tmp_path / "app.py").write_text(USES_DYNAMODB)
    command = [sys.executable, "-m", "serverless_tutor", "invoke", "app.py:handler"]
    # A generous function timeout: the first call waits for the account to load, which
    # takes seconds when the machine is busy; what is tested is the account, not the time.
    done = subprocess.run(
        [*command, "--times", "2", "--timeout", "60", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["response"] == ["orders"]
    # The second invoke finds the table the first one made: same account, as in AWS.
    assert second["error"]["errorType"] == "ResourceInUseException"


def test_a_handler_that_makes_no_aws_call_never_loads_moto(tmp_path):
    (tmp_path / "app.py").write_text(NO_AWS)
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_REPORT_MOTO],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[0])["response"] == {"ok": True}
    assert done.stdout.splitlines()[-1] == "moto loaded: False exit: 0"


def test_a_handler_file_that_imports_boto3_has_its_account_loaded_ahead(tmp_path):
    from serverless_tutor.cli.invoke_verb import _imports_an_aws_sdk

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "orders.py").write_text(USES_DYNAMODB)
    (tmp_path / "plain.py").write_text(NO_AWS)
    assert _imports_an_aws_sdk(tmp_path, "pkg/orders.py:handler")
    assert _imports_an_aws_sdk(tmp_path, "pkg.orders.handler")
    assert not _imports_an_aws_sdk(tmp_path, "plain.py:handler")
    assert not _imports_an_aws_sdk(tmp_path, "missing.py:handler")
