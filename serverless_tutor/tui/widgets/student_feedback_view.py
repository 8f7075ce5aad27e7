"""One student's feedback as they got it (feedback/<student>.md), then the instructor's view.

The file is shown as plain text with its control characters made visible: it is
untrusted (anyone could have edited the folder), so nothing in it is run as markup,
a link or an escape sequence. The instructor's view below it lists every test,
hidden ones with their messages too.
"""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from serverless_tutor.grading.graded_folder import StudentFeedback
from serverless_tutor.terminal_text import one_line, visible

STATUS_STYLES = {
    "pass": "green",
    "fail": "red",
    "error": "yellow",
    "missing": "dim",
    "ungraded": "magenta",
}


class StudentFeedbackView(VerticalScroll):
    DEFAULT_CSS = """
    StudentFeedbackView {
        padding: 0 1;
    }
    """

    def compose(self):
        yield Static("Open a graded folder; the highlighted student's feedback shows here.")

    def show(self, feedback: StudentFeedback) -> None:
        self.query_one(Static).update(self.text_of(feedback))
        self.scroll_home(animate=False)

    def show_message(self, message: str) -> None:
        self.query_one(Static).update(Text(visible(message)))

    @staticmethod
    def text_of(feedback: StudentFeedback) -> Text:
        text = Text()
        if feedback.feedback_problem:
            text.append(f"No feedback file: {one_line(feedback.feedback_problem)}\n", "yellow")
        else:
            text.append(visible(feedback.markdown).rstrip("\n") + "\n")
        text.append("\nInstructor's view (hidden tests included)\n", "bold")
        for record in feedback.records:
            text.append(f"{one_line(record.exercise)}: ")
            text.append(record.status, STATUS_STYLES[record.status])
            text.append(f" {record.points}/{record.max_points}\n")
            for test in record.result.tests if record.result else []:
                hidden = " (hidden)" if test.visibility == "hidden" else ""
                text.append(f"  {test.status:<4} ", STATUS_STYLES[test.status])
                text.append(f"{one_line(test.name)}{hidden} {test.points}/{test.max_points}\n")
                if test.message and test.status != "pass":
                    text.append(f"       {one_line(test.message)}\n", "dim")
        for exercise in feedback.unreadable:
            text.append(f"{one_line(exercise)}: result record missing or corrupt\n", "yellow")
        return text
