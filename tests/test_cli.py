import atexit
import gc
import json
import subprocess
import sys

from serverless_tutor import __version__, cli
from serverless_tutor.cli import main
from serverless_tutor.paths import exercises_dir


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "serverless_tutor", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"serverless-tutor {__version__}"


def test_lessons_json(capsys):
    assert main(["lessons", "--json"]) == 0
    lessons = json.loads(capsys.readouterr().out)
    assert [item["number"] for item in lessons] == list(range(1, 13))
    assert set(lessons[0]) == {"number", "id", "title"}


def test_lessons_show_prints_the_lesson(capsys):
    assert main(["lessons", "show", "6"]) == 0
    out = capsys.readouterr().out
    assert "Cold Starts" in out


def test_lessons_show_unknown_is_usage_error(capsys):
    assert main(["lessons", "show", "99"]) == 2
    assert "no lesson '99'" in capsys.readouterr().err


def test_validate_passes_on_shipped_content():
    result = run_cli("validate")
    assert result.returncode == 0, result.stdout + result.stderr


def test_validate_fails_with_one_line_per_problem(tmp_path):
    bad = tmp_path / "01.md"
    bad.write_text("---\nid: a\nnumber: 1\nsummary: s\npanels: [nope]\n---\nBody\n")
    result = run_cli("validate", str(bad))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert any(line.startswith(f"{bad}: title: ") for line in lines)
    assert any(line.startswith(f"{bad}: panels: ") for line in lines)


def test_unknown_verb_is_usage_error():
    assert run_cli("no-such-verb").returncode == 2


def test_the_verb_table_matches_what_each_module_registers():
    import argparse
    import importlib

    from serverless_tutor.cli import VERBS

    registered = {}
    for module in {module for module, _help in VERBS.values()}:
        subparsers = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"serverless_tutor.cli.{module}").register(subparsers)
        for action in subparsers._choices_actions:
            registered[action.dest] = (module, action.help)
    assert registered == VERBS


def test_version_and_help_import_no_verb_module():
    script = (
        "import sys, contextlib, io\n"
        "from serverless_tutor.cli import main\n"
        "for argv in (['--version'], ['--help']):\n"
        "    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "        main(argv)\n"
        "print(sorted(m for m in sys.modules if m.endswith('_verb')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_running_a_verb_imports_only_its_module():
    script = (
        "import sys\n"
        "from serverless_tutor.cli import main\n"
        "main(['events', 'list', '--json'])\n"
        "print(sorted(m for m in sys.modules if m.endswith('_verb')), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "['serverless_tutor.cli.events_verb']"


def test_json_output_keeps_decimals_numbers(capsys):
    from decimal import Decimal

    from pydantic import BaseModel, Field

    from serverless_tutor.cli.output import print_json

    class Line(BaseModel):
        amount_usd: Decimal = Field(alias="amountUsd")
        label: str

    class Bill(BaseModel):
        total: Decimal
        lines: list[Line]
        unknown: Decimal | None = None
        not_a_number: Decimal = Decimal("NaN")

    print_json(
        [
            Bill(total=Decimal("3.50"), lines=[Line(amountUsd=Decimal("2"), label="12")]),
            {"loose": Decimal("0.0000216")},
        ]
    )
    bill, loose = json.loads(capsys.readouterr().out)
    assert bill == {
        "total": 3.5,
        "lines": [{"amountUsd": 2, "label": "12"}],
        "unknown": None,
        "not_a_number": "NaN",  # no JSON number for it: pydantic's string stays
    }
    assert isinstance(bill["lines"][0]["amountUsd"], int)
    assert loose == {"loose": 0.0000216}


def _collector_state_under_run(monkeypatch, *argv: str) -> bool:
    seen: list[bool] = []

    def main_that_records() -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(cli, "main", main_that_records)
    monkeypatch.setattr(sys, "argv", ["serverless-tutor", *argv])
    try:
        assert cli.run() == 0
    finally:
        gc.enable()
        atexit.unregister(cli._exit_without_teardown)  # this test process exits as usual
    return seen[0]


def test_a_one_shot_process_runs_without_the_cyclic_collector(monkeypatch):
    assert _collector_state_under_run(monkeypatch, "check", "hello-handler") is False
    assert _collector_state_under_run(monkeypatch, "invoke", "h.py:handler") is False


def test_other_verbs_keep_the_collector(monkeypatch):
    assert _collector_state_under_run(monkeypatch, "watch", "hello-handler") is True
    assert _collector_state_under_run(monkeypatch) is True  # the app


def test_a_one_shot_process_writes_everything_and_keeps_its_exit_code(tmp_path):
    """It skips the interpreter's teardown: its output must still all be there, and its
    exit code the verb's."""
    handler = tmp_path / "h.py"
    handler.write_text("def handler(event, context):\n    return {'n': 'x' * 200000}\n")
    result = run_cli("invoke", f"{handler}:handler", "--json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["response"]["n"]) == 200000
    starter = exercises_dir() / "hello-handler" / "handler.py"
    result = run_cli("check", "hello-handler", "--file", str(starter), "--json")
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["status"] == "fail"
