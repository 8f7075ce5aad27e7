"""The answers are out of reach: a handler can read its code, the standard library and
Lambda's own packages, and nothing of the tutor, whatever the install.

Every path is computed here, in the parent, from the real installed locations and
checked to exist before the handler is asked to read it: a probe that cannot find
the file because it was never there proves nothing."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

import serverless_tutor
from serverless_tutor import paths
from serverless_tutor.runtime import LambdaRuntime

from .conftest import make_function

PACKAGE = Path(serverless_tutor.__file__).resolve().parent
CHECKOUT = PACKAGE.parent
# A virtualenv inside the checkout (CI's .ci-venv, a developer's .venv) lies under the hidden
# checkout, and one under /tmp under the environment's own fresh /tmp: its site-packages is
# not there at all (ENOENT) rather than listed or refused by Landlock (EACCES). Only Lambda's
# own packages are bound back into it.
VENV_OUT_OF_SIGHT = Path(sys.prefix).resolve().is_relative_to(CHECKOUT) or Path(
    sys.prefix
).resolve().is_relative_to("/tmp")
EXERCISE = "context-info"

PROBE = """
import os, stat

def attempt(op, path):
    try:
        if op == "open":
            with open(path, "rb") as f:
                f.read(1)
        elif op == "exec":
            with open(path) as f:
                exec(compile(f.read(), path, "exec"), {})
        elif op == "listdir":
            return ["listed", sorted(os.listdir(path))]
        elif op == "stat":
            os.stat(path)
        elif op == "import":
            __import__(path)
        return ["ok"]
    except Exception as exc:
        return [type(exc).__name__, getattr(exc, "errno", None)]

def open_files():
    found = []
    for fd in range(3, 1024):
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                found.append(fd)
        except OSError:
            pass
    return found

def handler(event, context):
    if event.get("fds"):
        return open_files()
    return attempt(event["op"], event["path"])
"""

ENOENT = ["FileNotFoundError", 2]
EACCES = ["PermissionError", 13]


@pytest.fixture(scope="module")
def runtime():
    with LambdaRuntime(backend="sandbox") as runtime:
        yield runtime


@pytest.fixture(scope="module")
def probe_fn(tmp_path_factory):
    return make_function(tmp_path_factory.mktemp("probe"), PROBE)


@pytest.fixture
def probe(runtime, probe_fn):
    def go(op: str, path: Path | str) -> list:
        result = runtime.invoke(probe_fn, {"op": op, "path": str(path)})
        assert result.error is None, result.error
        return result.response

    return go


def _existing(path: Path) -> Path:
    assert path.exists(), f"{path} is not there on the host: the probe would prove nothing"
    return path


def _site_copy() -> Path:
    """The copy of the package an editable install puts in site-packages (hatch's
    force-include of _content), or a wheel's package: the route the issue found."""
    for entry in site.getsitepackages():
        candidate = Path(entry, "serverless_tutor", "_content")
        if candidate.is_dir():
            return candidate
    pytest.skip("this install has no serverless_tutor/_content in site-packages")


SOLUTION = paths.exercises_dir() / EXERCISE / "solution" / "handler.py"


@pytest.mark.parametrize("op", ["open", "exec", "stat"])
def test_the_solution_at_the_installed_content_root_is_not_there(probe, op):
    assert probe(op, _existing(SOLUTION)) == ENOENT


@pytest.mark.parametrize(
    "relative",
    [f"exercises/{EXERCISE}/checks.py", f"exercises/{EXERCISE}/exercise.yaml"],
    ids=["checks.py", "exercise.yaml-with-hidden-tests"],
)
def test_hidden_tests_and_checks_are_not_there(probe, relative):
    assert probe("open", _existing(paths.content_root() / relative)) == ENOENT


def test_a_lesson_is_not_there(probe):
    lesson = _existing(next(iter(sorted(paths.lessons_dir().glob("*.md")))))
    assert probe("open", lesson) == ENOENT


@pytest.mark.parametrize("op", ["open", "exec"])
def test_the_solution_in_site_packages_content_is_not_there(probe, op):
    solution = _existing(_site_copy() / "exercises" / EXERCISE / "solution" / "handler.py")
    assert probe(op, solution) == ENOENT


def test_the_site_packages_copy_of_the_package_lists_empty(probe):
    expected = ENOENT if VENV_OUT_OF_SIGHT else ["listed", []]
    assert probe("listdir", _existing(_site_copy().parent)) == expected


@pytest.mark.parametrize(
    "relative", ["__init__.py", "runtime/worker.py", "paths.py"], ids=lambda r: r
)
def test_the_tutors_own_modules_are_not_there(probe, relative):
    """Even the worker's own source, imported before confinement."""
    assert probe("open", _existing(PACKAGE / relative)) == ENOENT


def test_a_tutor_module_not_yet_imported_cannot_be_imported(probe):
    assert probe("import", "serverless_tutor.grading") == ["ModuleNotFoundError", None]


@pytest.mark.parametrize("relative", ["pyproject.toml", "README.md", "tests/runtime/conftest.py"])
def test_the_checkout_is_not_there(probe, relative):
    if not (CHECKOUT / "pyproject.toml").is_file():
        pytest.skip("not running from a source checkout")
    assert probe("open", _existing(CHECKOUT / relative)) == ENOENT


def test_a_code_dir_inside_the_hidden_exercises_is_shown_again(runtime):
    """Invoking a starter where it lies (exercises/<id>/) binds that folder back over
    the hidden content: the code loads (and fails as the starter does)."""
    from serverless_tutor.runtime import FunctionConfig

    starter = _existing(paths.exercises_dir() / EXERCISE / "handler.py")
    fn = FunctionConfig(
        name="starter-in-place", handler="handler.py:lambda_handler", code_dir=starter.parent
    )
    result = runtime.invoke(fn, {})
    assert result.error.error_type == "AttributeError"
    assert "request_id" in result.error.error_message


def test_the_learners_data_directory_is_not_there(runtime, tmp_path, monkeypatch):
    home = Path(tempfile.mkdtemp(prefix="tutor-home-", dir="/var/tmp"))  # outside /tmp
    try:
        (home / "progress.json").write_text('{"secret": true}')
        monkeypatch.setenv("SERVERLESS_TUTOR_HOME", str(home))
        fn = make_function(tmp_path, PROBE)  # a new environment: its layout is made now
        result = runtime.invoke(fn, {"op": "open", "path": str(home / "progress.json")})
        assert result.cold and result.response == ENOENT
    finally:
        shutil.rmtree(home)


def test_a_package_lambda_does_not_have_is_unreadable(probe):
    import moto

    expected = ENOENT if VENV_OUT_OF_SIGHT else EACCES
    assert probe("open", _existing(Path(moto.__file__))) == expected
    if VENV_OUT_OF_SIGHT:
        assert probe("import", "moto") == ["ModuleNotFoundError", None]
    else:
        assert probe("import", "moto") == EACCES


def test_lambdas_own_packages_stay_readable_and_importable(probe):
    import boto3
    import botocore

    assert probe("open", Path(boto3.__file__)) == ["ok"]
    models = Path(botocore.__file__).parent / "data" / "dynamodb"
    model = _existing(next(iter(sorted(models.rglob("service-2.json*")))))
    assert probe("open", model) == ["ok"]
    assert probe("import", "boto3.dynamodb.conditions") == ["ok"]
    assert probe("import", "dateutil.parser") == ["ok"]


@pytest.mark.parametrize("path", ["/proc/self/fd", "/proc/self/root/etc", "/proc/1/environ"])
def test_proc_routes_are_closed(probe, path):
    assert probe("listdir" if path.endswith(("fd", "etc")) else "open", path) == EACCES


def test_the_hosts_tmp_is_not_there(probe, tmp_path):
    secret = tmp_path / "parent-secret.txt"
    secret.write_text("parent only")
    assert probe("open", secret) == ENOENT


def test_no_file_is_left_open_from_the_template(runtime, probe_fn):
    assert runtime.invoke(probe_fn, {"fds": True}).response == []


# ---------------------------------------------------------------- other install layouts
LAYOUT_SCRIPT = """
import json, sys
from pathlib import Path
from serverless_tutor.runtime import FunctionConfig, LambdaRuntime
code, targets = Path(sys.argv[1]), json.loads(sys.argv[2])
import serverless_tutor
assert Path(serverless_tutor.__file__).resolve().is_relative_to(Path(sys.argv[3]).resolve())
with LambdaRuntime() as runtime:
    fn = FunctionConfig(name="probe", handler="app.handler", code_dir=code)
    print(json.dumps([runtime.invoke(fn, {"op": "open", "path": t}).response for t in targets]))
"""


def _run_layout(tmp_path: Path, package_parent: Path, targets: list[Path]) -> list:
    for target in targets:
        _existing(target)
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(PROBE)
    script = tmp_path / "layout.py"
    script.write_text(LAYOUT_SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != "SERVERLESS_TUTOR_HOME"}
    env["PYTHONPATH"] = str(package_parent)
    done = subprocess.run(
        [
            sys.executable,
            str(script),
            str(code),
            json.dumps([str(t) for t in targets]),
            str(package_parent),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _copy_package(destination: Path) -> Path:
    package = destination / "serverless_tutor"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__", "_content"))
    return package


def test_a_checkout_under_tmp_keeps_its_answers_hidden(tmp_path):
    checkout = Path(tempfile.mkdtemp(prefix="checkout-", dir="/tmp"))
    try:
        _copy_package(checkout)
        (checkout / "pyproject.toml").write_text("[project]\nname = 'serverless-tutor'\n")
        exercise = checkout / "exercises" / EXERCISE
        shutil.copytree(paths.exercises_dir() / EXERCISE, exercise)
        targets = [
            exercise / "solution" / "handler.py",
            exercise / "checks.py",
            checkout / "serverless_tutor" / "paths.py",
        ]
        assert _run_layout(tmp_path, checkout, targets) == [ENOENT, ENOENT, ENOENT]
    finally:
        shutil.rmtree(checkout)


def test_a_wheel_layout_next_to_boto3_keeps_its_answers_hidden(tmp_path):
    """A wheel puts the package, with lessons and exercises in _content, in the same
    site-packages as boto3 (here a stand-in site-packages under /tmp, with boto3 and
    its dependencies linked in)."""
    site_dir = Path(tempfile.mkdtemp(prefix="wheel-site-", dir="/tmp"))
    try:
        package = _copy_package(site_dir)
        content = package / "_content" / "exercises" / EXERCISE
        shutil.copytree(paths.exercises_dir() / EXERCISE, content)
        import boto3

        for dependency in Path(boto3.__file__).parent.parent.glob("*"):
            if dependency.name in (
                "boto3",
                "botocore",
                "jmespath",
                "dateutil",
                "s3transfer",
                "urllib3",
            ):
                (site_dir / dependency.name).symlink_to(dependency)
        targets = [content / "solution" / "handler.py", content / "checks.py", package / "paths.py"]
        assert _run_layout(tmp_path, site_dir, targets) == [ENOENT, ENOENT, ENOENT]
    finally:
        shutil.rmtree(site_dir)


def test_invoke_does_not_open_the_directory_it_is_run_from(tmp_path):
    home = Path(tempfile.mkdtemp(prefix="learner-home-", dir="/var/tmp"))  # outside /tmp
    try:
        (home / ".aws").mkdir()
        secret = home / ".aws" / "credentials"
        secret.write_text("[default]\naws_secret_access_key = real\n")
        project = home / "project"
        project.mkdir()
        (project / "app.py").write_text(
            textwrap.dedent(f"""
            def handler(event, context):
                try:
                    return open({str(secret)!r}).read()
                except OSError as exc:
                    return type(exc).__name__
            """)
        )
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "serverless_tutor",
                "invoke",
                "project/app.py:handler",
                "--json",
            ],
            cwd=home,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["response"] == "PermissionError"
    finally:
        shutil.rmtree(home)
