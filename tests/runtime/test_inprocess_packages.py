"""Handlers inside packages: the in-process backend loads them, and the code-folder
modules they import, as the sandbox (and Lambda, through importlib.import_module) does,
into each environment's own module objects, and leaves nothing in the app's sys.modules
for another environment to share.

Every case runs the same handler string through both backends and expects the same
outcome."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from serverless_tutor.runtime import FunctionConfig, InvocationResult, LambdaRuntime

RETURNS_ITS_NAME = "COUNT = 0\n\ndef handler(event, context):\n    global COUNT\n    COUNT += 1\n    return {'module': __name__, 'count': COUNT}\n"

# a package's modules import each other (absolute and relative) and a top-level module
ORDERS = """
import helper
from shop import prices
from ..prices import TAX

def handler(event, context):
    prices.CALLS += 1
    return {"module": __name__, "calls": prices.CALLS, "tax": TAX, "helper": helper.NAME}
"""

CODE = {
    # namespace packages: no __init__.py anywhere
    "handlers/as_written/orders.py": RETURNS_ITS_NAME,
    # regular packages: their __init__ runs first, outermost first
    "shop/__init__.py": "print('init shop')\nfrom . import prices\n",
    "shop/prices.py": "print('init shop.prices')\nTAX = 20\nCALLS = 0\n",
    "shop/api/__init__.py": "print('init shop.api')\n",
    "shop/api/orders.py": ORDERS,
    "helper.py": "NAME = 'helper'\n",
    "loose.py": "from . import helper\n",
    "broken/__init__.py": "raise ValueError('the parent package failed')\n",
    "broken/orders.py": RETURNS_ITS_NAME,
    "single.py": RETURNS_ITS_NAME,
    # pytest is imported in this process (as the app imports its libraries) but not in
    # the sandbox's worker: the code folder's module of that name is the one loaded
    "pytest.py": RETURNS_ITS_NAME,
}
TOP_LEVEL_NAMES = {"handlers", "shop", "helper", "loose", "broken", "single"}
SHOP_INIT = ["init shop", "init shop.prices", "init shop.api"]

# handler -> (response, (errorType, errorMessage), INIT log lines starting with "init")
CASES: dict[str, tuple[dict | None, tuple[str, str] | None, list[str]]] = {
    "handlers/as_written/orders.handler": (
        {"module": "handlers.as_written.orders", "count": 1},
        None,
        [],
    ),
    "handlers.as_written.orders.handler": (
        {"module": "handlers.as_written.orders", "count": 1},
        None,
        [],
    ),
    "shop.api.orders.handler": (
        {"module": "shop.api.orders", "calls": 1, "tax": 20, "helper": "helper"},
        None,
        SHOP_INIT,
    ),
    "loose.handler": (
        None,
        (
            "Runtime.ImportModuleError",
            "Unable to import module 'loose': attempted relative import with no known parent package",
        ),
        [],
    ),
    "pytest.handler": ({"module": "pytest", "count": 1}, None, []),
    # json is imported before any handler loads, so the name finds that module
    "json.handler": (
        None,
        ("Runtime.HandlerNotFound", "Handler 'handler' missing on module 'json'"),
        [],
    ),
    "handlers.missing.handler": (
        None,
        (
            "Runtime.ImportModuleError",
            "Unable to import module 'handlers.missing': No module named 'handlers.missing'",
        ),
        [],
    ),
    "single.orders.handler": (
        None,
        (
            "Runtime.ImportModuleError",
            "Unable to import module 'single.orders': "
            "No module named 'single.orders'; 'single' is not a package",
        ),
        [],
    ),
    "broken.orders.handler": (None, ("ValueError", "the parent package failed"), []),
    "handlers.handler": (
        None,
        ("Runtime.HandlerNotFound", "Handler 'handler' missing on module 'handlers'"),
        [],
    ),
}


@pytest.fixture(scope="module")
def code_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("packages")
    for name, text in CODE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture(scope="module")
def inprocess():
    with LambdaRuntime(backend="inprocess") as runtime:
        yield runtime


def outcome(result: InvocationResult) -> tuple[dict | None, tuple[str, str] | None, list[str]]:
    error = (result.error.error_type, result.error.error_message) if result.error else None
    init_lines = [line for line in result.logs.splitlines() if line.startswith("init")]
    return result.response, error, init_lines


def _left_in_sys_modules() -> set[str]:
    return {name for name in sys.modules if name.split(".")[0] in TOP_LEVEL_NAMES}


@pytest.mark.parametrize("handler", list(CASES))
def test_both_backends_load_the_handler_the_same_way(handler, code_dir, sandbox, inprocess):
    name = "fn-" + handler.replace("/", "-").replace(".", "-")
    config = FunctionConfig(name=name, handler=handler, code_dir=code_dir)
    pytest_module = sys.modules["pytest"]

    in_sandbox = sandbox.invoke(config, {})
    in_process = inprocess.invoke(config, {})

    assert outcome(in_sandbox) == CASES[handler]
    assert outcome(in_process) == CASES[handler]
    assert _left_in_sys_modules() == set()
    assert sys.modules["pytest"] is pytest_module


@pytest.mark.parametrize("backend", ["sandbox", "inprocess"])
def test_each_environment_runs_the_packages_into_module_state_of_its_own(
    backend, code_dir, request
):
    runtime: LambdaRuntime = request.getfixturevalue(backend)
    config = FunctionConfig(
        name=f"shared-{backend}", handler="shop.api.orders.handler", code_dir=code_dir
    )

    first, second = runtime.invoke_simultaneously(config, [{}, {}])
    warm = runtime.invoke(config, {})

    for cold in (first, second):  # two environments: each ran the packages' __init__
        assert outcome(cold) == (
            {"module": "shop.api.orders", "calls": 1, "tax": 20, "helper": "helper"},
            None,
            SHOP_INIT,
        )
    assert not warm.cold
    assert warm.response == {"module": "shop.api.orders", "calls": 2, "tax": 20, "helper": "helper"}
    assert warm.logs.count("init shop") == 0
    assert _left_in_sys_modules() == set()
