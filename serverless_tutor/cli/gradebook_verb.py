"""`gradebook`: look at a folder `grade --out` wrote, and re-grade one student in it.

    serverless-tutor gradebook DIR [--sort COLUMN] [--descending] [--json]
    serverless-tutor gradebook DIR --student NAME [--json]     their feedback and test results
    serverless-tutor gradebook DIR --exercise ID [--json]      the score distribution
    serverless-tutor gradebook DIR --regrade NAME [--json]     grade them again (as grade --resume)

Exit 0 on success; 1 when the folder is not a graded folder or is corrupt (each problem
on stderr with its file and field), or a re-grade left a pair ungraded; 2 on usage errors.
Every name from the folder is printed with its control characters made visible.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from serverless_tutor.cli.output import console, print_json, usage_error
from serverless_tutor.problems import ContentError

EXIT_OK, EXIT_PROBLEM = 0, 1
BAR_WIDTH = 30


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gradebook",
        help="show a graded folder (grade --out): gradebook, feedback, scores; re-grade one student",
        description="Read the folder `grade --out DIR` wrote. With no option: the gradebook table. "
        "--student: one student's feedback and test results. --exercise: the score distribution "
        "of one exercise. --regrade: grade one student again (their submission folder as it is "
        "now) and rewrite their results and the gradebook files, as `grade --resume` would.",
    )
    parser.add_argument("folder", type=Path, metavar="DIR", help="the folder grade --out wrote")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--student", metavar="NAME", help="show one student's feedback")
    what.add_argument("--exercise", metavar="ID", help="show one exercise's score distribution")
    what.add_argument("--regrade", metavar="NAME", help="grade one student again")
    parser.add_argument(
        "--sort",
        metavar="COLUMN",
        default="student",
        help="order the table by: student, an exercise id, total, percent or ungraded",
    )
    parser.add_argument("--descending", action="store_true", help="largest first")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run_gradebook)


def _problems(exc: ContentError) -> int:
    from serverless_tutor.terminal_text import one_line

    for problem in exc.problems:
        sys.stderr.write(one_line(problem.line()) + "\n")
    return EXIT_PROBLEM


def run_gradebook(args: argparse.Namespace) -> int:
    from serverless_tutor.grading.graded_folder import (
        open_graded_folder,
        regrade_student,
        score_distribution,
        sort_columns,
        sorted_students,
        student_feedback,
    )

    try:
        if args.regrade is not None:
            result = regrade_student(args.folder, args.regrade)
            if args.json:
                print_json(result)
            else:
                _render_regrade(result)
            return EXIT_PROBLEM if result.after.ungraded else EXIT_OK
        graded = open_graded_folder(args.folder)
        if args.student is not None:
            feedback = student_feedback(graded, args.student)
            if args.json:
                print_json(feedback)
            else:
                _render_feedback(feedback)
            return EXIT_OK
        if args.exercise is not None:
            distribution = score_distribution(graded, args.exercise)
            if args.json:
                print_json(distribution)
            else:
                _render_distribution(distribution)
            return EXIT_OK
    except ContentError as exc:
        return _problems(exc)
    if args.sort not in sort_columns(graded):
        return usage_error(f"--sort: choose one of {', '.join(sort_columns(graded))}")
    rows = sorted_students(graded, args.sort, descending=args.descending)
    if args.json:
        print_json(
            graded.model_copy(update={"book": graded.book.model_copy(update={"students": rows})})
        )
    else:
        _render_table(graded, rows)
    return EXIT_OK


def _render_table(graded, rows) -> None:
    from rich.markup import escape
    from rich.table import Table

    from serverless_tutor.grading.gradebook import number
    from serverless_tutor.terminal_text import one_line

    book = graded.book
    table = Table(title=f"{escape(one_line(book.title))} ({escape(one_line(book.pack))})")
    table.add_column("student", overflow="fold")
    for column in book.exercises:
        table.add_column(
            f"{escape(one_line(column.id))}\n/{number(column.max_points)}", justify="right"
        )
    table.add_column("total", justify="right")
    table.add_column("%", justify="right")
    table.add_column("ungraded", justify="right")
    for row in rows:
        cells = []
        for column in book.exercises:
            grade = row.exercises[column.id]
            cell = "ungraded" if grade.status == "ungraded" else number(grade.points)
            cells.append(cell + (" late" if grade.late else ""))
        table.add_row(
            escape(one_line(row.student)),
            *cells,
            number(row.total),
            "" if row.percent is None else f"{row.percent:.1f}",
            str(row.ungraded),
        )
    out = console()
    out.print(table)
    if graded.regrade_problem:
        out.print(
            f"[dim]Re-grading is not available: {escape(one_line(graded.regrade_problem))}[/]"
        )


def _render_feedback(feedback) -> None:
    from serverless_tutor.terminal_text import one_line, visible

    # Plain text on purpose: the file is Markdown for the student, and anything in it is untrusted.
    if feedback.feedback_problem:
        sys.stdout.write(f"(no feedback file: {one_line(feedback.feedback_problem)})\n")
    else:
        sys.stdout.write(visible(feedback.markdown).rstrip("\n") + "\n")
    sys.stdout.write("\nInstructor's view (hidden tests included):\n")
    for record in feedback.records:
        sys.stdout.write(
            f"{one_line(record.exercise)}: {record.status}, {record.points}/{record.max_points}\n"
        )
        for test in record.result.tests if record.result else []:
            hidden = " (hidden)" if test.visibility == "hidden" else ""
            message = (
                f": {one_line(test.message)}" if test.message and test.status != "pass" else ""
            )
            sys.stdout.write(
                f"  {test.status:<4} {one_line(test.name)}{hidden} {test.points}/{test.max_points}{message}\n"
            )
    for exercise in feedback.unreadable:
        sys.stdout.write(f"{one_line(exercise)}: the result record is missing or corrupt\n")


def _render_distribution(distribution) -> None:
    from rich.markup import escape

    from serverless_tutor.grading.gradebook import number
    from serverless_tutor.terminal_text import one_line

    out = console()
    out.print(
        f"[bold]{escape(one_line(distribution.title))}[/] ({escape(one_line(distribution.exercise))}), "
        f"out of {number(distribution.max_points)} points"
    )
    most = max((b.count for b in distribution.bins), default=0) or 1
    for score_bin in distribution.bins:
        bar = "█" * round(BAR_WIDTH * score_bin.count / most)
        out.print(
            f"{number(score_bin.low):>6} – {number(score_bin.high):<6} {bar} {score_bin.count}"
        )
    out.print(
        f"mean {number(distribution.mean) or '-'}, median {number(distribution.median) or '-'}; "
        f"{distribution.scored} scored, {distribution.missing} missing, "
        f"{distribution.ungraded} ungraded, {distribution.late} late"
    )


def _render_regrade(result) -> None:
    from rich.markup import escape

    from serverless_tutor.grading.gradebook import number
    from serverless_tutor.terminal_text import one_line

    def total(row) -> str:
        if row.total is None:
            return f"no total yet ({row.ungraded} ungraded)"
        return f"{number(row.total)}/{number(row.max_points)}"

    out = console()
    out.print(
        f"Re-graded {escape(one_line(result.student))}: {total(result.before)} -> {total(result.after)} "
        f"({result.graded} exercise(s) run again, {result.reused} unchanged, {result.seconds:.1f} s)"
    )
    for record in result.records:
        out.print(
            f"  {escape(one_line(record.exercise))}: {record.status}, "
            f"{record.points}/{record.max_points}"
        )
    out.print(f"Rewrote {len(result.written)} file(s) in the graded folder.")
