"""A one-shot command starts the sandbox template before importing the rest of itself;
the first sandbox runtime takes that template over, and a later one starts its own."""

from __future__ import annotations

from serverless_tutor.runtime import LambdaRuntime, template
from serverless_tutor.runtime.template import start_early_template, take_early_template
from tests.runtime.conftest import make_function

DOUBLE = "def handler(event, context):\n    return event['n'] * 2\n"


def test_the_first_sandbox_runtime_takes_the_early_template(tmp_path):
    start_early_template()
    early = template._early
    start_early_template()  # a second call starts nothing more
    assert template._early is early is not None
    fn = make_function(tmp_path, DOUBLE)
    with LambdaRuntime(backend="sandbox") as first, LambdaRuntime(backend="sandbox") as second:
        assert take_early_template() is None
        assert first._template is early and second._template is not early
        assert first.invoke(fn, {"n": 2}).response == 4
        assert second.invoke(fn, {"n": 3}).response == 6
        work_dir = early.work_dir
        assert work_dir.is_dir()
    assert not work_dir.exists()  # shutdown removes the taken template's folder as its own


def test_an_early_template_that_died_is_replaced(tmp_path):
    start_early_template()
    dead = template._early
    assert dead is not None
    dead.close()
    with LambdaRuntime(backend="sandbox") as runtime:
        assert runtime._template is not dead
        assert runtime.invoke(make_function(tmp_path, DOUBLE), {"n": 5}).response == 10
    assert not dead.work_dir.exists()
