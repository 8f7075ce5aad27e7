"""`serverless-tutor quiz [--section N] [--count K] [--mode practice|review|interview] [--seed N]`
and `serverless-tutor quiz bank [--json] [--section N]`.

The quiz runs in the plain terminal with rich prompts; a QuizSession (the engine)
decides what to ask and grades the answers, so piping answers into stdin works as
well as typing them. At any prompt, `q` ends the session (answers so far are kept)
and `s` skips the question.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from serverless_tutor.cli.learner_data import (
    EXIT_NOT_RECORDED,
    data_folder_error,
    load_progress,
    save_progress,
)
from serverless_tutor.cli.numbers import argparse_type, whole_number
from serverless_tutor.cli.output import console, print_json, usage_error
from serverless_tutor.problems import ContentError

if TYPE_CHECKING:
    from rich.console import Console

    from serverless_tutor.progress import Progress, ProgressStore
    from serverless_tutor.quiz.models import QuestionInstance
    from serverless_tutor.quiz.scoring import Grade
    from serverless_tutor.quiz.session import QuizSession

TYPE_NAMES = {
    "single": "single choice",
    "multiple": "multiple choice",
    "numeric": "number",
    "cost": "cost calculation",
    "ordering": "ordering",
    "scenario": "fit or not",
    "open": "open answer",
}


_positive_int = argparse_type(whole_number, low=1)


def _section(text: str) -> int:
    value = _positive_int(text)
    if value > 12:
        raise argparse.ArgumentTypeError(
            f"sections are 1 to 11, and 12 for the summary; got {value}"
        )
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "quiz",
        help="practice questions, review what is due, or run a mock interview",
        description="Interview prep in the terminal. At any prompt, q quits and s skips.",
    )
    parser.add_argument(
        "--section", type=_section, metavar="N", help="only section N (1-11, 12 = summary)"
    )
    parser.add_argument(
        "--count",
        type=_positive_int,
        metavar="K",
        help="number of questions (default: 10 practice, 20 review, 7 interview)",
    )
    parser.add_argument("--mode", choices=["practice", "review", "interview"], default="practice")
    parser.add_argument(
        "--seed",
        type=argparse_type(whole_number),
        metavar="N",
        help="seed for question choice, shuffles and cost inputs (default: random)",
    )
    parser.add_argument(
        "--save", type=Path, metavar="PATH", help="write the answers to this Markdown file"
    )
    parser.add_argument(
        "--no-save", action="store_true", help="do not write the interview's Markdown file"
    )
    parser.set_defaults(handler=run_quiz)
    actions = parser.add_subparsers(dest="quiz_action", metavar="ACTION")
    bank = actions.add_parser("bank", help="list the question bank")
    bank.add_argument(
        "--json",
        action="store_true",
        help="print id, section, type and prompt of every question as JSON",
    )
    bank.add_argument("--section", type=_section, metavar="N", help="only section N")
    bank.set_defaults(handler=list_bank)


def list_bank(args: argparse.Namespace) -> int:
    from serverless_tutor.quiz.bank import shipped_bank

    try:
        bank = shipped_bank()
    except ContentError as exc:
        return usage_error(f"the shipped question bank is invalid:\n{exc}")
    entries = [e for e in bank.entries() if args.section is None or e.section == args.section]
    if args.json:
        print_json(entries)
        return 0
    from rich.table import Table

    table = Table(title=f"Question bank: {len(entries)} questions")
    table.add_column("#", justify="right")
    table.add_column("id")
    table.add_column("type")
    table.add_column("prompt", overflow="fold")
    for entry in entries:
        table.add_row(str(entry.section), entry.id, TYPE_NAMES[entry.type], entry.prompt)
    console().print(table)
    return 0


def run_quiz(args: argparse.Namespace) -> int:
    from serverless_tutor.paths import data_home
    from serverless_tutor.progress import ProgressStore
    from serverless_tutor.quiz.bank import shipped_bank
    from serverless_tutor.quiz.session import QuizSession

    try:
        bank = shipped_bank()
    except ContentError as exc:
        return usage_error(f"the shipped question bank is invalid:\n{exc}")
    if args.save is not None and args.no_save:
        return usage_error("--save and --no-save contradict each other; use one")
    store = ProgressStore()
    progress = load_progress(store)
    out = console()
    session = QuizSession(
        bank, progress.quiz, mode=args.mode, section=args.section, count=args.count, seed=args.seed
    )
    if session.total == 0:
        out.print(_empty_message(session))
        return 0
    saver = _ProgressSaver(store, progress)
    TerminalQuiz(session, out, save=saver.save).run()
    if not session.records:
        return 0 if saver.ok else EXIT_NOT_RECORDED
    _print_summary(out, session, recorded=saver.ok)
    target = args.save
    if target is None and args.mode == "interview" and not args.no_save:
        from serverless_tutor.quiz.export import default_markdown_path

        target = default_markdown_path(session, data_home())
    if target is not None:
        from serverless_tutor.quiz.export import save_session_markdown

        try:
            written = save_session_markdown(session, target)
        except OSError as exc:
            return data_folder_error("save the answers as Markdown", exc)
        out.print(f"Answers saved to [bold]{written}[/]")
        progress.quiz.interviews.append(str(written))
        saver.save()
    return 0 if saver.ok else EXIT_NOT_RECORDED


class _ProgressSaver:
    """Saves after every answer; when the data folder cannot be written, says so once and
    lets the quiz go on (the answers are graded, only not recorded)."""

    def __init__(self, store: ProgressStore, progress: Progress) -> None:
        self.store = store
        self.progress = progress
        self.ok = True

    def save(self) -> None:
        if not self.ok:
            return
        if not save_progress(self.store, self.progress, "your answers"):
            self.ok = False


def _empty_message(session: QuizSession) -> str:
    if session.mode == "review":
        next_due = session.scheduler.next_due()
        if next_due is None:
            return "Nothing to review yet: answer some questions first with `serverless-tutor quiz` (practice mode)."
        return f"Nothing is due for review now; the next card is due {when(next_due)}."
    if session.mode == "interview":
        return (
            "No open interview questions in that section; try --section 12 or leave --section out."
        )
    return "No questions in that section."


def when(moment: datetime, now: datetime | None = None) -> str:
    """'now', 'in 9 min', 'in 3 h', 'in 2 days'."""
    now = now or datetime.now(UTC)
    seconds = (moment - now).total_seconds()
    if seconds <= 30:
        return "now"
    if seconds < 3600:
        return f"in {round(seconds / 60)} min"
    if seconds < 86400:
        return f"in {round(seconds / 3600)} h"
    return f"in {round(seconds / 86400)} days"


class QuitQuiz(Exception):
    """The learner typed q (or stdin ended)."""


class SkipQuestion(Exception):
    """The learner typed s."""


class TerminalQuiz:
    """Asks a session's questions with rich prompts; saves progress after every answer."""

    def __init__(self, session: QuizSession, out: Console, save: Callable[[], object]) -> None:
        self.session = session
        self.out = out
        self.save = save

    def run(self) -> None:
        from rich.rule import Rule

        session = self.session
        intro = {
            "practice": "Practice",
            "review": "Review: cards due now, missed ones first",
            "interview": "Mock interview: type your answer, then score yourself against the rubric",
        }[session.mode]
        self.out.print(Rule(f"{intro} · {session.total} question(s) · seed {session.seed}"))
        self.out.print("[dim]At any prompt: q quits, s skips.[/]")
        while session.current is not None:
            question = session.current
            try:
                self._ask(question)
            except SkipQuestion:
                self.out.print("[dim]Skipped.[/]")
            except QuitQuiz:
                self.out.print("[dim]Quiz ended early.[/]")
                return
            session.advance()

    def _prompt(self, label: str) -> str:
        from rich.prompt import Prompt

        try:
            text = Prompt.ask(label, console=self.out, default="", show_default=False)
        except EOFError:
            raise QuitQuiz() from None
        word = text.strip().lower()
        if word == "q":
            raise QuitQuiz()
        if word == "s":
            raise SkipQuestion()
        return text

    def _ask(self, question: QuestionInstance) -> None:
        from rich.markup import escape
        from rich.rule import Rule

        from serverless_tutor.quiz.answers import (
            Answer,
            AnswerError,
            OpenAnswer,
            parse_answer,
            parse_ticks,
        )
        from serverless_tutor.quiz.models import SECTION_TITLES

        session = self.session
        self.out.print()
        self.out.print(
            Rule(
                f"{session.position}/{session.total} · section {question.section} {SECTION_TITLES[question.section]} · {TYPE_NAMES[question.type]}"
            )
        )
        self.out.print(escape(question.prompt))
        session.begin_question()
        if question.minutes and session.mode == "interview":
            started = datetime.now().strftime("%H:%M:%S")
            self.out.print(
                f"[dim]Timer started {started}; suggested time {_clock(question.minutes * 60)}.[/]"
            )
        if question.type == "open":
            text = self._read_lines()
            self.out.print(f"[dim]Answered in {_clock(session.stop_clock())}.[/]")
            self.out.print("\n[bold]Model answer[/]")
            self.out.print(escape(question.model_answer or ""))
            self.out.print("\n[bold]Rubric[/]: which of these points did you make?")
            for number, point in enumerate(question.rubric, start=1):
                self.out.print(f"  {number}) {escape(point)}")
            while True:
                try:
                    ticked = parse_ticks(
                        self._prompt("Points made (numbers, all, none)"), len(question.rubric)
                    )
                    break
                except AnswerError as exc:
                    self.out.print(f"[red]Expected {escape(str(exc))}[/]")
            answer: Answer = OpenAnswer(text=text, ticked=ticked)
        else:
            self._show_options(question)
            while True:
                try:
                    answer = parse_answer(question, self._read_closed(question))
                    break
                except AnswerError as exc:
                    self.out.print(f"[red]Expected {escape(str(exc))}[/]")
        result = session.submit(answer)
        self.save()
        self._show_grade(question, result)

    def _show_options(self, question: QuestionInstance) -> None:
        from rich.markup import escape

        if question.type == "ordering":
            self.out.print("[dim]Steps, shuffled:[/]")
        elif question.type == "scenario":
            self.out.print("[dim]Is serverless a fit? And which reason decides it?[/]")
        for number, option in enumerate(question.options, start=1):
            self.out.print(f"  {number}) {escape(option)}")

    def _read_closed(self, question: QuestionInstance) -> str:
        count = len(question.options)
        if question.type == "single":
            return self._prompt(f"Your choice (1-{count})")
        if question.type == "multiple":
            return self._prompt("Every correct choice (e.g. 1 3)")
        if question.type in {"numeric", "cost"}:
            unit = f" in {question.unit}" if question.unit else ""
            return self._prompt(f"Your answer{unit}")
        if question.type == "ordering":
            return self._prompt(
                f"Step numbers in the right order (e.g. {' '.join(str(i) for i in range(count, 0, -1))})"
            )
        if question.type == "scenario":
            verdict = self._prompt("Fit for serverless? (fit / not)")
            reason = self._prompt(f"Deciding reason (1-{count})")
            return f"{verdict.strip()} {reason.strip()}"
        raise ValueError(f"unexpected question type {question.type}")

    def _read_lines(self) -> str:
        self.out.print("[dim]Type your answer; finish with an empty line.[/]")
        lines: list[str] = []
        while True:
            try:
                line = input()
            except EOFError:
                if not lines:
                    raise QuitQuiz() from None
                break
            if not line.strip():
                if lines:
                    break
                continue
            if not lines and line.strip().lower() in {"q", "s"}:
                raise QuitQuiz() if line.strip().lower() == "q" else SkipQuestion()
            lines.append(line)
        return "\n".join(lines)

    def _show_grade(self, question: QuestionInstance, result: Grade) -> None:
        from rich.markup import escape

        if question.type == "open":
            self.out.print(
                f"Self-score: [bold]{result.score:.0%}[/] ({'pass' if result.correct else 'below the pass mark'})"
            )
        elif result.correct:
            self.out.print("[green bold]Right.[/]")
        elif result.score > 0:
            self.out.print(
                f"[yellow bold]Partly right ({result.score:.0%}).[/] Expected: {escape(result.expected)}"
            )
        else:
            self.out.print(f"[red bold]Not right.[/] Expected: {escape(result.expected)}")
        self.out.print(escape(result.explanation))
        self.out.print(
            f"[dim]Lesson: {result.lesson} (serverless-tutor lessons show {result.lesson})[/]"
        )


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _print_summary(out: Console, session: QuizSession, *, recorded: bool = True) -> None:
    from rich.rule import Rule
    from rich.table import Table

    summary = session.summary()
    out.print()
    out.print(Rule("Summary"))
    out.print(
        f"Score: [bold]{summary.score:g} of {summary.answered}[/] ({summary.percent:g}%) in {_clock(summary.seconds)}"
    )
    table = Table(title="By topic")
    table.add_column("topic")
    table.add_column("answered", justify="right")
    table.add_column("score", justify="right")
    for group in summary.by_topic:
        table.add_row(group.title, str(group.answered), f"{group.percent:g}%")
    out.print(table)
    if summary.weakest_sections:
        out.print(
            "Weakest sections: "
            + ", ".join(f"{g.key}. {g.title} ({g.percent:g}%)" for g in summary.weakest_sections)
        )
    if summary.lessons_to_revisit:
        out.print("Lessons to revisit: " + ", ".join(summary.lessons_to_revisit))
    if summary.next_due is not None and recorded:
        out.print(f"Next review: {when(summary.next_due)} (`serverless-tutor quiz --mode review`)")
