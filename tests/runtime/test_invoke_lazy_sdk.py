"""`serverless-tutor invoke` of a handler whose file does not mention boto3 starts the
sandbox template without preloading it: a worker that imports boto3 anyway (through a
helper module) still has every call forwarded to the local account, and the isolation
layers are those of a preloaded template."""

from __future__ import annotations

import json
import subprocess
import sys

# The handler files never mention the SDK; their helpers do the importing.
CALLS_THROUGH_HELPER = (
    "import orders\n\ndef handler(event, context):\n    return orders.look_up()\n"
)
ORDERS = """
import boto3

def look_up():
    try:
        boto3.client("dynamodb").describe_table(TableName="orders")
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return "found"
"""
PROBE = "import sys\n\ndef sdk_loaded():\n    return 'botocore' in sys.modules\n"
ASKS_PROBE = "import probe\n\ndef handler(event, context):\n    return probe.sdk_loaded()\n"


def _invoke_json(cwd, handler):
    done = subprocess.run(
        [sys.executable, "-m", "serverless_tutor", "invoke", handler, "--timeout", "60", "--json"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[0])


def test_a_helper_that_imports_boto3_has_its_calls_served_by_the_local_account(tmp_path):
    (tmp_path / "app.py").write_text(CALLS_THROUGH_HELPER)
    (tmp_path / "orders.py").write_text(ORDERS)
    result = _invoke_json(tmp_path, "app.py:handler")
    assert result["error"] is None
    # The local account's own answer: the call was forwarded, not sent to the network.
    assert result["response"].startswith("ResourceNotFoundException: ")
    assert "Table: orders not found" in result["response"]


def test_the_isolation_layers_are_the_same_with_and_without_the_preload(tmp_path):
    (tmp_path / "probe.py").write_text(PROBE)
    (tmp_path / "lazy.py").write_text(ASKS_PROBE)
    (tmp_path / "preloaded.py").write_text("# uses boto3: its template preloads it\n" + ASKS_PROBE)
    lazy = _invoke_json(tmp_path, "lazy.py:handler")
    preloaded = _invoke_json(tmp_path, "preloaded.py:handler")
    assert (lazy["response"], preloaded["response"]) == (False, True)
    assert lazy["isolation"] == preloaded["isolation"]
    assert lazy["isolation"]


# A hostile handler: takes the forwarding hook off sys.meta_path before botocore loads,
# so its client keeps botocore's own HTTP send, and aims it at a listener on the host.
STRIPS_THE_HOOK = """
import importlib, sys

def handler(event, context):
    before = len(sys.meta_path)
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "AfterImport"]
    stripped = before - len(sys.meta_path)
    sdk = importlib.import_module("bo" + "to3")
    client = sdk.client("dynamodb", endpoint_url=event["url"], region_name="us-east-1")
    try:
        client.list_tables()
    except Exception as exc:
        return [stripped, type(exc).__name__]
    return [stripped, "reached"]
"""


def test_a_handler_that_strips_the_forwarding_hook_still_reaches_nothing_on_the_host(tmp_path):
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    connections: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connections.append(listener.accept()[0])
            except TimeoutError:
                continue

    watcher = threading.Thread(target=accept, daemon=True)
    watcher.start()
    try:
        (tmp_path / "hostile.py").write_text(STRIPS_THE_HOOK)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        (tmp_path / "event.json").write_text(json.dumps({"url": url}))
        done = subprocess.run(
            [
                *(sys.executable, "-m", "serverless_tutor", "invoke", "hostile.py:handler"),
                *("--event", "event.json", "--timeout", "60", "--json"),
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
        )
    finally:
        stop.set()
        watcher.join()
        listener.close()
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[0])
    # Without the hook botocore's own send runs, but the sandbox has no network of its own:
    # the host's listener never sees a connection.
    stripped, outcome = result["response"]
    assert stripped == 1  # the attack did take the hook off
    assert outcome == "EndpointConnectionError", result
    assert connections == []
