"""The import-linter contracts are live: they hold on the tree and catch a deliberate violation."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import serverless_tutor

REPO = Path(serverless_tutor.__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(root / "pyproject.toml")],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    shutil.copytree(
        REPO / "serverless_tutor",
        tmp_path / "serverless_tutor",
        ignore=shutil.ignore_patterns("__pycache__", "_content", "examples", "handlers"),
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold_on_the_tree(tree_copy: Path) -> None:
    result = lint_imports(tree_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_runtime_importing_the_cloud_is_caught(tree_copy: Path) -> None:
    clock = tree_copy / "serverless_tutor" / "runtime" / "clock.py"
    clock.write_text(clock.read_text() + "\nimport serverless_tutor.cloud.account  # violation\n")
    result = lint_imports(tree_copy)
    assert result.returncode == 1
    assert "serverless_tutor.runtime.clock -> serverless_tutor.cloud.account" in result.stdout


def test_an_engine_importing_textual_is_caught(tree_copy: Path) -> None:
    bill = tree_copy / "serverless_tutor" / "pricing" / "bill.py"
    bill.write_text(bill.read_text() + "\nimport textual.app  # violation\n")
    result = lint_imports(tree_copy)
    assert result.returncode == 1
    assert "Only the TUI imports textual BROKEN" in result.stdout
    assert "serverless_tutor.pricing.bill -> textual (l." in result.stdout
