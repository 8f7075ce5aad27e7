import json
import subprocess
import sys

from serverless_tutor import __version__
from serverless_tutor.cli import main


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
