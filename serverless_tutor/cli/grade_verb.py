"""The instructor's verbs: `grade` a class against a pack, and look at packs.

    serverless-tutor grade PACK SUBMISSIONS --out DIR [--jobs N] [--resume] [--budget S] [--json]
                           [--format wide|long|json|canvas|nbgrader ...] [--roster roster.csv]
                           [--manifest submissions.csv|manifest.json] [--assignment-id EXERCISE=ID ...]
    serverless-tutor pack list [--json]
    serverless-tutor pack show PACK [--json]
    serverless-tutor pack export gradescope PACK --out autograder.zip
    serverless-tutor pack export github-classroom PACK --out DIR --grader PIP_REQUIREMENT

PACK is a pack file, or the id of a shipped pack (`serverless-tutor pack list`).
`grade` exits 0 when grading ran (whatever the students scored), 1 when some
submission could not be graded because of a grader problem (its cell is left
blank; `--resume` tries it again), 2 on usage errors, 130 when interrupted
(everything graded so far is kept; `--resume` carries on).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from serverless_tutor.cli.output import console, print_json, usage_error
from serverless_tutor.problems import ContentError

EXIT_GRADED, EXIT_UNGRADED, EXIT_INTERRUPTED = 0, 1, 130


def register(subparsers: argparse._SubParsersAction) -> None:
    grade = subparsers.add_parser(
        "grade",
        help="grade a class's submissions against an exercise pack and write a gradebook",
        description="Grade <SUBMISSIONS>/<student>/<exercise-id>/handler.py (or <student>/<exercise-id>.py) for every "
        "exercise of the pack. Writes results/ (one JSON per student and exercise, as it goes), "
        "gradebook.csv, grades-long.csv, gradebook.json, feedback/<student>.md and grade-inputs.json "
        "(where the pack and submissions are, for `gradebook --regrade`) into --out.",
    )
    grade.add_argument("pack", help="a pack file, or the id of a shipped pack")
    grade.add_argument("submissions", type=Path, help="folder with one subfolder per student")
    grade.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="where results and the gradebook go"
    )
    grade.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="submissions graded at once (default: the number of CPUs)",
    )
    grade.add_argument(
        "--resume",
        action="store_true",
        help="keep results already in --out for unchanged submissions; grade only the rest",
    )
    grade.add_argument(
        "--budget",
        type=float,
        metavar="SECONDS",
        default=None,
        help="wall-clock limit for grading one submission (default 60)",
    )
    grade.add_argument(
        "--json",
        action="store_true",
        help="print the gradebook as JSON (no progress bar, no table)",
    )
    grade.add_argument(
        "--format",
        action="append",
        choices=["wide", "long", "json", "canvas", "nbgrader"],
        help="gradebook file(s) to write, repeatable (default: wide, long and json: gradebook.csv, "
        "grades-long.csv, gradebook.json); canvas: canvas-gradebook.csv for Canvas's import; "
        "nbgrader: nbgrader-grades.csv with nbgrader export's columns",
    )
    grade.add_argument(
        "--roster",
        type=Path,
        metavar="CSV",
        help="CSV with a header: folder (required), id, sis_user_id, sis_login_id, name, "
        "first_name, last_name, email, section; ids are copied exactly into the gradebooks",
    )
    grade.add_argument(
        "--manifest",
        type=Path,
        metavar="FILE",
        help="submission times from the platform: a CSV (student,submitted_at) or a JSON object "
        "{student: time}; lateness then comes from it, not from file times (default: "
        "submissions.csv or manifest.json at the top of SUBMISSIONS, if there)",
    )
    grade.add_argument(
        "--assignment-id",
        action="append",
        default=[],
        metavar="EXERCISE=ID",
        help="the Canvas assignment id of an exercise, for the canvas format's column headers",
    )
    grade.set_defaults(handler=run_grade)

    pack = subparsers.add_parser("pack", help="list the shipped exercise packs or show one")
    actions = pack.add_subparsers(dest="pack_action", metavar="ACTION")
    listing = actions.add_parser("list", help="list the shipped packs")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_pack_list)
    show = actions.add_parser("show", help="show a pack: its exercises, points and due date")
    show.add_argument("pack", help="a pack file, or the id of a shipped pack")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_pack_show)
    export = actions.add_parser(
        "export",
        help="build a Gradescope autograder or a GitHub Classroom template from a pack",
        description="gradescope: a zip to upload as the assignment's autograder. github-classroom: "
        "a student repository template (starters, instructions, a grading workflow); --grader is "
        "the pip requirement the workflow installs the grader from.",
    )
    export.add_argument("platform", choices=["gradescope", "github-classroom"])
    export.add_argument("pack", help="a pack file, or the id of a shipped pack")
    export.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="PATH",
        help="gradescope: the zip file to write; github-classroom: a new or empty folder",
    )
    export.add_argument(
        "--grader",
        metavar="PIP_REQUIREMENT",
        help="github-classroom only: what the workflow pip-installs to grade "
        "(e.g. 'serverless-tutor==1.0' or a git URL of a private fork holding your hidden tests)",
    )
    export.set_defaults(handler=run_pack_export)
    pack.set_defaults(
        handler=lambda args: usage_error("pack: say `list`, `show PACK` or `export PLATFORM PACK`")
    )


def _load_pack(name: str):
    from serverless_tutor.content.packs import find_pack, load_pack, shipped_pack_files

    path = find_pack(name)
    if path is None:
        shipped = ", ".join(p.stem for p in shipped_pack_files()) or "none"
        return None, usage_error(
            f"no pack file or shipped pack {name!r} (shipped packs: {shipped})"
        )
    try:
        return load_pack(path), None
    except ContentError as exc:
        for problem in exc.problems:
            sys.stderr.write(problem.line() + "\n")
        return None, usage_error(
            f"the pack {path} is invalid ({len(exc.problems)} problem(s) above)"
        )


# --- grade ----------------------------------------------------------------------------


def run_grade(args: argparse.Namespace) -> int:
    from serverless_tutor.grading.classroom import (
        DEFAULT_BUDGET_S,
        ClassSetupError,
        check_folders,
        default_jobs,
    )
    from serverless_tutor.grading.folder_lock import FolderBusy, writing

    if args.jobs is not None and args.jobs < 1:
        return usage_error("--jobs must be 1 or more")
    if args.jobs is not None and args.jobs > default_jobs() and not args.json:
        sys.stderr.write(
            f"note: --jobs {args.jobs} is more than the {default_jobs()} CPUs here; tests that look at "
            "durations or timeouts may fail under the extra load.\n"
        )
    budget = DEFAULT_BUDGET_S if args.budget is None else args.budget
    if not math.isfinite(budget) or budget <= 0:
        return usage_error(f"--budget must be a number of seconds more than 0; got {args.budget}")
    canvas_ids: dict[str, str] = {}
    for given in args.assignment_id:
        exercise_id, equals, assignment_id = given.partition("=")
        if not equals or not exercise_id.strip() or not assignment_id.strip():
            return usage_error(f"--assignment-id expects EXERCISE=ID; got {given!r}")
        canvas_ids[exercise_id.strip()] = assignment_id.strip()
    pack, failed = _load_pack(args.pack)
    if pack is None:
        return failed
    unknown = sorted(set(canvas_ids) - {exercise.id for exercise in pack.exercises})
    if unknown:
        return usage_error(f"--assignment-id names exercises not in the pack: {', '.join(unknown)}")
    try:
        check_folders(args.submissions, args.out)
    except ClassSetupError as exc:
        return usage_error(str(exc))
    inputs, failed = _class_inputs(args)
    if inputs is None:
        return failed
    roster, times = inputs

    try:
        args.out.mkdir(parents=True, exist_ok=True)
        with writing(args.out):
            return _grade_into(args, pack, roster, times, budget, canvas_ids)
    except FolderBusy as exc:
        return usage_error(str(exc))
    except OSError as exc:  # the --out folder cannot be made (permissions, a file by that name)
        sys.stderr.write(f"serverless-tutor: could not write the results in {args.out}: {exc}\n")
        return EXIT_UNGRADED


def _grade_into(args: argparse.Namespace, pack, roster, times, budget: float, canvas_ids) -> int:
    """Grade and write the gradebook, holding the --out folder's lock."""
    from serverless_tutor.grading.classroom import ClassSetupError, grade_class
    from serverless_tutor.grading.gradebook import DEFAULT_FORMATS, write_gradebook
    from serverless_tutor.grading.graded_folder import GradeInputs, record_grade_inputs

    try:
        # Where the class came from, so the app or `gradebook --regrade` can grade one student again.
        record_grade_inputs(
            args.out,
            GradeInputs(
                pack=str(Path(pack.path).resolve()),
                submissions=str(args.submissions.resolve()),
                manifest=str(Path(times.path).resolve()) if times is not None else None,
                roster=str(Path(roster.path).resolve()) if roster is not None else None,
                budget_s=budget,
                formats=list(args.format or DEFAULT_FORMATS),
                assignment_ids=canvas_ids,
            ),
        )
        if args.json:
            run = grade_class(
                pack,
                args.submissions,
                args.out,
                jobs=args.jobs,
                resume=args.resume,
                budget_s=budget,
                times=times,
            )
        else:
            run = _grade_with_progress(pack, args, budget, times)
    except ClassSetupError as exc:
        return usage_error(str(exc))
    except KeyboardInterrupt:
        sys.stderr.write(
            f"Interrupted. Every result finished so far is saved in {args.out}/results; "
            "run the same command with --resume to carry on.\n"
        )
        return EXIT_INTERRUPTED
    except OSError as exc:  # the output folder cannot be written (full disk, permissions)
        sys.stderr.write(f"serverless-tutor: could not write the results in {args.out}: {exc}\n")
        return EXIT_UNGRADED
    try:
        book, files = write_gradebook(
            pack,
            run,
            args.out,
            formats=tuple(args.format or DEFAULT_FORMATS),
            roster=roster,
            canvas_ids=canvas_ids,
        )
    except OSError as exc:
        sys.stderr.write(
            f"serverless-tutor: graded, but could not write the gradebook in {args.out}: {exc}\n"
        )
        return EXIT_UNGRADED
    if args.json:
        print_json(book)
    else:
        _render_summary(pack, run, book, files)
    return EXIT_UNGRADED if run.ungraded else EXIT_GRADED


def _class_inputs(args: argparse.Namespace):
    """The roster and the submission times, or (None, exit code) after saying what is wrong."""
    from serverless_tutor.grading.class_roster import (
        find_manifest,
        load_roster,
        load_submission_times,
    )

    manifest = args.manifest if args.manifest is not None else find_manifest(args.submissions)
    try:
        roster = load_roster(args.roster) if args.roster is not None else None
        times = load_submission_times(manifest) if manifest is not None else None
    except ContentError as exc:
        for problem in exc.problems:
            sys.stderr.write(problem.line() + "\n")
        return None, usage_error(f"{len(exc.problems)} problem(s) in the roster or manifest above")
    return (roster, times), None


def _grade_with_progress(pack, args: argparse.Namespace, budget: float, times):
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from serverless_tutor.grading.classroom import grade_class
    from serverless_tutor.terminal_text import one_line

    colours = {
        "pass": "green",
        "fail": "red",
        "error": "yellow",
        "missing": "dim",
        "ungraded": "magenta",
    }
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
        console=Console(stderr=True),
        transient=False,
    ) as progress:
        task = progress.add_task(f"grading {pack.id}", total=None, last="starting graders...")

        def advance(record, done: int, total: int) -> None:
            colour = colours[record.status]
            last = f"[{colour}]{record.status}[/] {escape(one_line(record.student))}/{escape(one_line(record.exercise))}"
            progress.update(task, completed=done, total=total, last=last)

        return grade_class(
            pack,
            args.submissions,
            args.out,
            jobs=args.jobs,
            resume=args.resume,
            budget_s=budget,
            on_record=advance,
            times=times,
        )


def _render_summary(pack, run, book, files) -> None:
    from rich.markup import escape
    from rich.table import Table

    from serverless_tutor.grading.gradebook import number
    from serverless_tutor.terminal_text import one_line

    out = console()
    table = Table(
        title=f"{escape(one_line(pack.title))}: {len(run.students)} students", title_justify="left"
    )
    table.add_column("exercise")
    table.add_column("max", justify="right")
    for status, colour in (
        ("pass", "green"),
        ("fail", "red"),
        ("error", "yellow"),
        ("missing", "dim"),
        ("ungraded", "magenta"),
    ):
        table.add_column(f"[{colour}]{status}[/]", justify="right")
    table.add_column("mean", justify="right")
    for column in book.exercises:
        grades = [student.exercises[column.id] for student in book.students]
        counts = {
            status: sum(1 for grade in grades if grade.status == status)
            for status in ("pass", "fail", "error", "missing", "ungraded")
        }
        scored = [grade.points for grade in grades if grade.points is not None]
        mean = number(round(sum(scored) / len(scored), 2)) if scored else "-"
        table.add_row(column.id, number(column.max_points), *[str(counts[s]) for s in counts], mean)
    out.print(table)

    submitted = sum(1 for record in run.records if record.status not in ("missing",))
    rate = f" ({run.graded / run.seconds:.1f} per second)" if run.graded and run.seconds else ""
    out.print(
        f"Graded {run.graded} submission(s) in {run.seconds:.1f} s{rate} with {run.jobs} parallel grader(s) "
        f"({run.processes_started} grading process(es) started); "
        f"{run.reused} kept from an earlier run; {submitted} of {len(run.records)} expected files present."
    )
    if run.ungraded:
        out.print(
            f"[magenta]{len(run.ungraded)} could not be graded[/] (left blank in the gradebook; "
            "fix the cause, then re-run with --resume):"
        )
        for record in run.ungraded[:10]:
            out.print(
                f"  {escape(one_line(record.student))}/{escape(one_line(record.exercise))}: "
                f"{escape(one_line(record.message or ''))}"
            )
        if len(run.ungraded) > 10:
            out.print(f"  ... and {len(run.ungraded) - 10} more (see grades-long.csv)")
    incomplete = [student for student in book.students if student.ungraded]
    if incomplete:
        out.print(
            f"[magenta]{len(incomplete)} student(s) have no total yet[/]: their ungraded cells say "
            "'ungraded' and total and percent stay blank (never a silent 0)."
        )
    if book.not_on_roster:
        shown = ", ".join(escape(one_line(name)) for name in book.not_on_roster[:10])
        out.print(
            f"[yellow]{len(book.not_on_roster)} folder(s) are not on the roster[/] (no LMS id; "
            f"an LMS import will not match them): {shown}"
        )
    late = sum(1 for record in run.records if record.late)
    sources = sorted({record.submitted_from for record in run.records if record.submitted_from})
    if sources:
        out.print(
            f"{late} late submission(s); submission times from {' and '.join(sources)}"
            + (
                " (file modification times: a copy or unzip changes them; give --manifest)"
                if sources == ["file"] and book.due is not None
                else ""
            )
        )
    written = ", ".join(str(path) for path in files.written.values())
    feedback_folder = Path(run.out) / "feedback"
    out.print(
        f"Gradebook: {written}  (feedback: {len(files.feedback)} file(s) in {feedback_folder})"
    )


# --- pack -----------------------------------------------------------------------------


def run_pack_list(args: argparse.Namespace) -> int:
    from serverless_tutor.content.packs import load_pack, shipped_pack_files

    try:
        packs = [load_pack(path) for path in shipped_pack_files()]
    except ContentError as exc:
        return usage_error(f"a shipped pack is invalid:\n{exc}")
    if args.json:
        print_json([_pack_summary(pack) for pack in packs])
        return 0
    out = console()
    for pack in packs:
        out.print(
            f"[bold]{pack.id}[/]  {pack.title}  ({len(pack.exercises)} exercises, {pack.total_points:g} points)"
        )
    return 0


def run_pack_show(args: argparse.Namespace) -> int:
    pack, failed = _load_pack(args.pack)
    if pack is None:
        return failed
    if args.json:
        print_json(_pack_summary(pack))
        return 0
    from rich.markup import escape
    from rich.table import Table

    from serverless_tutor.grading.gradebook import number

    out = console()
    out.print(f"[bold]{escape(pack.title)}[/] ({pack.id})  {pack.path}")
    if pack.spec.description:
        out.print(escape(pack.spec.description))
    if pack.spec.due_at is not None:
        out.print(f"Due {pack.spec.due_at.isoformat()}")
    table = Table()
    table.add_column("exercise")
    table.add_column("title", overflow="fold")
    table.add_column("points", justify="right")
    table.add_column("from")
    shipped_root = _shipped_root()
    for exercise in pack.exercises:
        entry = pack.entry(exercise.id)
        points = number(pack.max_points(exercise.id))
        if entry.points is not None or entry.weight is not None:
            points += f" (own {exercise.spec.points})"
        origin = "shipped" if exercise.folder.parent == shipped_root else str(exercise.folder)
        table.add_row(exercise.id, escape(exercise.title), points, escape(origin))
    out.print(table)
    out.print(f"Total {number(pack.total_points)} points.")
    return 0


def run_pack_export(args: argparse.Namespace) -> int:
    """Write the autograder (Gradescope) or the repository template (GitHub Classroom)."""
    out: Path = args.out
    grader = (args.grader or "").strip()
    if args.platform == "github-classroom":
        if not grader:
            return usage_error(
                "pack export github-classroom: --grader PIP_REQUIREMENT is required: what the "
                "workflow installs to grade (e.g. 'serverless-tutor==1.0', or a git URL of a "
                "private fork so that hidden tests stay out of students' reach)"
            )
        if out.exists() and not out.is_dir():
            return usage_error(f"--out {out}: expected a new or empty folder; it is a file")
        if out.is_dir() and any(out.iterdir()):
            return usage_error(
                f"--out {out}: expected a new or empty folder; it already holds files "
                "(the template is written into it, so nothing of yours is overwritten)"
            )
    else:
        if args.grader is not None:
            return usage_error(
                "--grader is for github-classroom; the Gradescope autograder carries the grader"
            )
        if out.is_dir():
            return usage_error(f"--out {out}: expected a .zip file name; it is a folder")
        if out.suffix != ".zip":
            return usage_error(f"--out {out}: expected a file name ending in .zip")
    pack, failed = _load_pack(args.pack)
    if pack is None:
        return failed
    try:
        if args.platform == "gradescope":
            from serverless_tutor.grading.gradescope import build_autograder

            written = build_autograder(pack, out)
            what = "Gradescope autograder (upload it under Configure Autograder; Ubuntu 24.04 base image)"
        else:
            from serverless_tutor.grading.github_classroom import build_template

            written = build_template(pack, out, grader)
            what = "GitHub Classroom template (push it as the assignment's template repository)"
    except OSError as exc:
        sys.stderr.write(f"serverless-tutor: could not write {out}: {exc}\n")
        return 1
    from serverless_tutor.terminal_text import one_line

    # Plain text, one line: the path is for copying, not for wrapping or markup.
    sys.stdout.write(f"Wrote the {what} for {pack.id}: {one_line(str(written))}\n")
    return 0


def _shipped_root() -> Path:
    from serverless_tutor.paths import exercises_dir

    return exercises_dir()


def _pack_summary(pack) -> dict:
    shipped_root = _shipped_root()
    return {
        "id": pack.id,
        "title": pack.title,
        "path": str(pack.path),
        "due": pack.spec.due_at.isoformat() if pack.spec.due_at else None,
        "totalPoints": pack.total_points,
        "exercises": [
            {
                "id": exercise.id,
                "title": exercise.title,
                "maxPoints": pack.max_points(exercise.id),
                "exercisePoints": exercise.spec.points,
                "shipped": exercise.folder.parent == shipped_root,
                "folder": str(exercise.folder),
            }
            for exercise in pack.exercises
        ],
    }
