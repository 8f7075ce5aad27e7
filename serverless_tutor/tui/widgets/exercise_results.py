"""Per-test results of a check: status, message, the Lambda REPORT lines and the handler's output."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.widgets import Collapsible, Static

from serverless_tutor.grading.results import CheckResult, TestResult

MARKS = {"pass": "✓", "fail": "✗", "error": "!"}
STYLES = {"pass": "$success", "fail": "$error", "error": "$warning"}


class ExerciseResults(VerticalScroll):
    DEFAULT_CSS = """
    ExerciseResults #results-summary {
        padding: 0 1;
        margin-bottom: 1;
    }
    ExerciseResults .test-message {
        padding: 0 1;
    }
    ExerciseResults .test-report, ExerciseResults .test-output {
        color: $text-muted;
        padding: 0 1;
    }
    ExerciseResults Collapsible {
        padding-bottom: 0;
    }
    ExerciseResults .test-pass CollapsibleTitle {
        color: $success;
    }
    ExerciseResults .test-fail CollapsibleTitle {
        color: $error;
    }
    ExerciseResults .test-error CollapsibleTitle {
        color: $warning;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("No results yet. Press F5 to save and run the tests.", id="results-summary")

    def show_running(self, exercise_id: str) -> None:
        self.remove_children(".test-result")
        self.query_one("#results-summary", Static).update(
            f"Running the tests of {escape(exercise_id)} in the sandbox…"
        )

    def show_message(self, text: str) -> None:
        self.remove_children(".test-result")
        self.query_one("#results-summary", Static).update(escape(text))

    def show_result(self, result: CheckResult) -> None:
        self.remove_children(".test-result")
        summary = (
            f"[b {STYLES[result.status]}]{result.status.upper()}[/]  {escape(result.message or '')}"
        )
        self.query_one("#results-summary", Static).update(summary)
        self.mount_all([self._test_block(test) for test in result.tests])

    @staticmethod
    def _test_block(test: TestResult) -> Collapsible:
        body: list[Static] = []
        if test.message:
            body.append(Static(test.message, classes="test-message", markup=False))
        for line in test.report:
            body.append(Static(line.replace("\t", "  "), classes="test-report", markup=False))
        if test.output:
            body.append(Static("output:\n" + test.output, classes="test-output", markup=False))
        if not body:
            body.append(Static("passed", classes="test-message", markup=False))
        title = f"{MARKS[test.status]} {test.name} ({test.points}/{test.max_points})"
        return Collapsible(
            *body,
            title=title,
            collapsed=test.status == "pass",
            classes=f"test-result test-{test.status}",
        )
