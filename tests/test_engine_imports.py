"""Only serverless_tutor/tui/ may import textual: every engine module imports without it."""

import subprocess
import sys
from pathlib import Path

import serverless_tutor

PACKAGE_DIR = Path(serverless_tutor.__file__).parent


def engine_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(PACKAGE_DIR.parent).with_suffix("")
        parts = relative.parts
        # examples/ holds handler files (data run by the runtime), not engine modules.
        if {"tui", "_content", "examples"} & set(parts) or parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def test_engine_packages_do_not_import_textual():
    modules = engine_modules()
    assert "serverless_tutor.cli" in modules and "serverless_tutor.progress" in modules
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"textual imported by an engine module: {result.stdout}"


def test_cli_parser_builds_without_textual():
    script = (
        "import sys\n"
        "from serverless_tutor.cli import build_parser\n"
        "build_parser()\n"
        "print('textual' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
