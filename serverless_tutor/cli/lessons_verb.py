"""`serverless-tutor lessons [--json]` and `serverless-tutor lessons show N`."""

from __future__ import annotations

import argparse

from serverless_tutor.cli.output import console, print_json, usage_error
from serverless_tutor.content.lessons import shipped_lessons
from serverless_tutor.problems import ContentError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("lessons", help="list the lessons, or print one")
    parser.add_argument("--json", action="store_true", help="print number, id and title as JSON")
    parser.set_defaults(handler=list_lessons)
    actions = parser.add_subparsers(dest="lessons_action", metavar="ACTION")
    show = actions.add_parser("show", help="print a lesson in the terminal")
    show.add_argument("lesson", help="lesson number (1-12) or id")
    show.set_defaults(handler=show_lesson)


def list_lessons(args: argparse.Namespace) -> int:
    try:
        lessons = shipped_lessons()
    except ContentError as exc:
        return usage_error(f"shipped lessons are invalid:\n{exc}")
    if args.json:
        print_json(
            [
                {"number": lesson.number, "id": lesson.id, "title": lesson.title}
                for lesson in lessons
            ]
        )
        return 0
    from rich.table import Table

    table = Table(title="Serverless Architecture", show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("id")
    table.add_column("title")
    table.add_column("summary", overflow="fold")
    for lesson in lessons:
        table.add_row(str(lesson.number), lesson.id, lesson.title, lesson.summary)
    console().print(table)
    return 0


def show_lesson(args: argparse.Namespace) -> int:
    lessons = shipped_lessons()
    wanted = args.lesson
    match = [lesson for lesson in lessons if str(lesson.number) == wanted or lesson.id == wanted]
    if not match:
        return usage_error(
            f"no lesson {wanted!r}; use a number 1-{len(lessons)} or an id from `serverless-tutor lessons`"
        )
    lesson = match[0]
    from rich.markdown import Markdown
    from rich.rule import Rule

    out = console()
    out.print(Rule(f"{lesson.number}. {lesson.title}"))
    out.print(Markdown(lesson.body))
    return 0
