"""No control sequence from learner code reaches a terminal: each one, in each verb's human output."""

from __future__ import annotations

import pytest

from serverless_tutor.cli import main
from serverless_tutor.cli.exercises_verb import render_check
from serverless_tutor.grading.gradebook import markdown_text, safe_cell
from serverless_tutor.grading.results import CheckResult, TestResult
from serverless_tutor.terminal_text import one_line, visible

SEQUENCES = {
    "osc52-clipboard": ("\x1b]52;c;aGFja2Vk\x07", "\\x1b]52;c;aGFja2Vk\\x07"),
    "window-title": ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
    "cursor-move-and-clear": ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),
    "c1-csi": ("\x9b31m", "\\x9b31m"),
    "bidi-override": ("\u202eevil", "\\u202eevil"),
    "carriage-return": ("ok\rFAKE", "ok\\rFAKE"),
}


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_visible_escapes_each_sequence_and_keeps_layout(name):
    raw, shown = SEQUENCES[name]
    assert visible(f"a\t{raw}\nb") == f"a\t{shown}\nb"


def _result(text: str) -> CheckResult:
    test = TestResult(
        name="greets",
        status="fail",
        message=f"Your handler raised ValueError: {text} [bold]x[/bold]",
        output=f"log {text} [red]y[/red]",
        test_code="",
        points=0,
        max_points=1,
    )
    return CheckResult(status="fail", message=f"failed {text}", tests=[test], max_points=1)


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_check_and_watch_output_shows_each_sequence_escaped(name, capsys, tmp_path):
    raw, shown = SEQUENCES[name]
    render_check(_result(raw), tmp_path / "handler.py")  # `watch` prints through the same function
    printed = capsys.readouterr().out
    assert raw not in printed and shown in printed
    assert "[bold]x[/bold]" in printed and "[red]y[/red]" in printed  # markup printed literally


@pytest.fixture(scope="module")
def invoked(tmp_path_factory):
    """One real sandboxed `invoke` of a handler that logs and raises every sequence."""
    folder = tmp_path_factory.mktemp("invoke-hostile")
    joined = "".join(raw for raw, _ in SEQUENCES.values())
    (folder / "handler.py").write_text(
        f"def handler(event, context):\n    print({joined!r})\n    raise ValueError({joined!r})\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_invoke_output_shows_each_sequence_escaped(invoked, name, capsys):
    raw, shown = SEQUENCES[name]
    assert main(["invoke", "handler.py:handler", "--code-dir", str(invoked)]) == 0
    printed = capsys.readouterr().out
    assert "ValueError" in printed
    assert raw not in printed and shown in printed
    assert "\x1b" not in printed and "\x9b" not in printed and "\x07" not in printed


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_each_formula_start_is_neutralised(start):
    cell = safe_cell(f'{start}HYPERLINK("http://x")')
    assert cell.startswith("'") and not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_markdown_text_cannot_start_html_links_images_or_headings():
    text = markdown_text("# x <script>alert(1)</script> ![i](http://x) [l](http://y) `c`")
    assert "<script>" not in text and "](http" not in text and "`c`" not in text
    assert text.startswith("\\#")


def test_one_line_escapes_newlines_for_table_cells():
    assert one_line("a\nb\tc\u2028") == "a\\nb\\tc\\u2028"
