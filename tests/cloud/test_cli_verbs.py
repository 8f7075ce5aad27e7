"""`deploy --dry-run` and `offline` from the command line."""

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from serverless_tutor.cli import main
from serverless_tutor.paths import examples_dir

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = examples_dir() / "order-service" / "serverless.yml"


def test_deploy_dry_run_json(capsys):
    assert main(["deploy", str(FIXTURES / "chapter_serverless.yml"), "--dry-run", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["service"] == "order-service" and plan["stage"] == "dev"
    assert [f["name"] for f in plan["functions"]] == [
        "order-service-dev-createOrder",
        "order-service-dev-getOrder",
    ]
    assert plan["functions"][0]["events"][0]["summary"].startswith("POST /dev/orders")
    assert plan["resources"] == [
        {
            "logical_id": "OrdersTable",
            "type": "AWS::DynamoDB::Table",
            "physical_name": "order-service-orders-dev",
            "created": True,
        }
    ]
    assert {
        "path": "provider.environment.ORDERS_TABLE",
        "expression": "${self:provider.stage}",
        "value": "dev",
    } in plan["variables"]


def test_deploy_dry_run_text_and_stage(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # rich wraps table cells to the terminal width
    assert main(["deploy", str(EXAMPLE), "--dry-run", "--stage", "prod"]) == 0
    out = capsys.readouterr().out
    assert "order-service-prod-createOrder" in out and "order-service-orders-prod" in out


def test_deploy_broken_file_exits_2_with_the_key(tmp_path, capsys):
    path = tmp_path / "serverless.yml"
    path.write_text(
        "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  f:\n    handler: h.main\n    timeout: 3000\n"
    )
    assert main(["deploy", str(path), "--dry-run"]) == 2
    assert "functions.f.timeout: between 1 and 900 seconds" in capsys.readouterr().err
    assert main(["offline", str(tmp_path / "missing.yml")]) == 2


def test_offline_serves_logs_and_stops_on_ctrl_c(tmp_path):
    (tmp_path / "hello.py").write_text(
        "import json\n\ndef main(event, context):\n"
        "    return {'statusCode': 200, 'body': json.dumps({'path': event['rawPath']})}\n"
    )
    (tmp_path / "serverless.yml").write_text(
        "service: hello\nprovider: {name: aws, runtime: python3.12}\n"
        "functions:\n  hello:\n    handler: hello.main\n    events:\n      - httpApi: 'GET /hello'\n"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "serverless_tutor",
            "offline",
            str(tmp_path / "serverless.yml"),
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        base = None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "/hello" in line and "http://" in line:
                base = line.split("http://", 1)[1].split("/", 1)[0]
            if "Ctrl+C" in line:
                break
        assert base, "".join(lines) + process.stderr.read()
        with urllib.request.urlopen(f"http://{base}/hello") as response:
            assert json.loads(response.read()) == {"path": "/hello"}
        log = process.stdout.readline()
        assert "GET /hello -> hello-dev-hello cold" in log and log.rstrip().endswith("200")
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "stopping" in out
