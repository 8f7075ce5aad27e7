"""Gradescope: its results.json schema, our grades in it, and an autograder bundle.

The schema is written down from Gradescope's autograder specification
(https://gradescope-autograders.readthedocs.io/en/latest/specs/, "Output format"):
a top-level object with an optional `score`, `execution_time`, `output`,
`output_format`, `visibility`, `stdout_visibility`, `extra_data` and a list of
`tests`, each with `score`, `max_score`, `status` ("passed"/"failed"), `name`,
`number`, `output`, `output_format`, `tags`, `visibility` ("hidden",
"after_due_date", "after_published", "visible") and `extra_data`.

An autograder is a zip with `setup.sh` (run once when the image is built) and
`run_autograder` (run per submission: the student's files are in
/autograder/submission, the results go to /autograder/results/results.json).
Gradescope unzips the bundle into /autograder/source and copies run_autograder
to /autograder. Ours carries this package and its content, the pack and the
instructor's own exercises, and grades with the same engine as `grade`.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import stat
import zipfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from serverless_tutor.content.packs import Pack
from serverless_tutor.grading.classroom import ClassRun, GradeRecord
from serverless_tutor.grading.pack_points import points_per_test
from serverless_tutor.paths import exercises_dir, lessons_dir

Visibility = Literal["hidden", "after_due_date", "after_published", "visible"]
OutputFormat = Literal["text", "html", "simple_format", "md", "ansi"]

# The student whose folder the autograder builds from Gradescope's submission folder.
STUDENT = "submission"
PACKAGE = "serverless_tutor"


class GradescopeTest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: float | None = None
    max_score: float | None = None
    status: Literal["passed", "failed"] | None = None
    name: str | None = None
    name_format: OutputFormat | None = None
    number: str | None = None
    output: str | None = None
    output_format: OutputFormat | None = None
    tags: list[str] | None = None
    visibility: Visibility | None = None
    extra_data: dict[str, Any] | None = None


class GradescopeResults(BaseModel):
    """results.json as Gradescope reads it (unknown keys refused, so a typo cannot pass)."""

    model_config = ConfigDict(extra="forbid")

    score: float | None = None
    execution_time: float | None = Field(default=None, ge=0)
    output: str | None = None
    output_format: OutputFormat | None = None
    test_output_format: OutputFormat | None = None
    test_name_format: OutputFormat | None = None
    visibility: Visibility | None = None
    stdout_visibility: Visibility | None = None
    extra_data: dict[str, Any] | None = None
    tests: list[GradescopeTest] = Field(default_factory=list)


def results_for(pack: Pack, run: ClassRun) -> GradescopeResults:
    """One submission's grades in Gradescope's format, with the pack's points applied.

    Each of an exercise's tests becomes a Gradescope test worth its share of the
    exercise's points in this pack. Hidden tests are shown after the grades are
    published; their messages name only what failed, never the expected values.
    """
    tests: list[GradescopeTest] = []
    notes: list[str] = []
    for number, record in enumerate(run.records, start=1):
        tests.extend(_exercise_tests(pack, record, number))
        if record.status in ("missing", "ungraded", "error") and record.message:
            notes.append(f"{record.exercise}: {record.message}")
    score = sum(test.score or 0.0 for test in tests)
    output = "\n".join(notes) if notes else None
    return GradescopeResults(
        score=round(score, 2),
        execution_time=round(run.seconds, 3),
        output=output,
        output_format="text",
        test_output_format="text",
        test_name_format="text",
        visibility="visible",
        stdout_visibility="hidden",
        tests=tests,
    )


def _exercise_tests(pack: Pack, record: GradeRecord, number: int) -> list[GradescopeTest]:
    exercise = pack.exercise(record.exercise)
    result = record.result
    if result is None or not result.tests:
        # Missing, refused or ungraded: one line worth the exercise, with the reason.
        return [
            GradescopeTest(
                score=0.0,
                max_score=pack.max_points(exercise.id),
                status="failed",
                name=f"{exercise.id}: {exercise.title}",
                number=f"{number}",
                output=record.message or "not graded",
                output_format="text",
                visibility="visible",
            )
        ]
    tests = []
    shares = points_per_test(pack, exercise.id, [test.max_points for test in result.tests])
    for index, (test, share) in enumerate(zip(result.tests, shares, strict=True), start=1):
        hidden = test.visibility == "hidden"
        lines = []
        if test.status != "pass":
            # A hidden test's message may quote its expected values: kept for the instructor.
            lines.append("This hidden test failed." if hidden else (test.message or "failed"))
        lines.extend(test.report)
        tests.append(
            GradescopeTest(
                score=share if test.status == "pass" else 0.0,
                max_score=share,
                status="passed" if test.status == "pass" else "failed",
                name=f"{exercise.id}: {test.name}",
                number=f"{number}.{index}",
                output="\n".join(lines) or None,
                output_format="text",
                visibility="after_published" if hidden else "visible",
                extra_data={"message": test.message} if hidden and test.message else None,
            )
        )
    return tests


def stage_submission(submission: Path, staging: Path, pack: Pack) -> Path:
    """Lay Gradescope's flat submission folder out as `grade` expects: one student folder.

    A student uploads `<exercise-id>.py` files, `<exercise-id>/handler.py` folders, or
    (for a pack of one exercise) a single `handler.py`. Files are copied, never linked.
    """
    student = staging / STUDENT
    student.mkdir(parents=True, exist_ok=True)
    for exercise in pack.exercises:
        handler_file = exercise.spec.function.handler_file
        for candidate in (
            submission / exercise.id / handler_file,
            submission / f"{exercise.id}.py",
        ):
            if candidate.is_file() and not candidate.is_symlink():
                target = student / exercise.id / handler_file
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(candidate, target)
                break
        else:
            single = submission / handler_file
            if len(pack.exercises) == 1 and single.is_file() and not single.is_symlink():
                target = student / exercise.id / handler_file
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(single, target)
    return staging


SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
apt-get update -qq
apt-get install -y -qq python3 python3-pip python3-venv > /dev/null
# serverless-tutor needs Python 3.11 or newer: pick Gradescope's Ubuntu 24.04 base image.
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || {{ echo "Python 3.11+ is required; choose the Ubuntu 24.04 base image" >&2; exit 1; }}
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet {requirements}
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission: the student's files are in
# $ROOT/submission, the results go to $ROOT/results/results.json.
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
export PYTHONPATH="$ROOT/source"
mkdir -p "$ROOT/results"
exec "$PYTHON" -m serverless_tutor.grading.gradescope_run \\
    --pack "$ROOT/source/pack/{pack_file}" \\
    --submission "$ROOT/submission" \\
    --results "$ROOT/results/results.json"
"""


def runtime_requirements() -> list[str]:
    """This package's own dependencies, pinned to the versions installed here."""
    pinned = []
    for requirement in importlib.metadata.requires("serverless-tutor") or []:
        if "extra ==" in requirement:
            continue
        name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
        extras = re.search(r"\[[^\]]*\]", requirement)
        version = importlib.metadata.version(name)
        pinned.append(f"{name}{extras.group(0) if extras else ''}=={version}")
    return pinned


def build_autograder(pack: Pack, zip_path: Path) -> Path:
    """Write a Gradescope autograder zip for `pack` and return its path."""
    package_dir = Path(__file__).resolve().parent.parent
    pack_folder = pack.path.parent
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        _add_text(
            bundle,
            "setup.sh",
            SETUP_SH.format(requirements=" ".join(f"'{r}'" for r in runtime_requirements())),
        )
        _add_text(bundle, "run_autograder", RUN_AUTOGRADER.format(pack_file=pack.path.name))
        _add_tree(bundle, package_dir, PACKAGE, skip=frozenset({"_content"}))
        _add_tree(bundle, exercises_dir(), f"{PACKAGE}/_content/exercises")
        _add_tree(bundle, lessons_dir(), f"{PACKAGE}/_content/lessons")
        bundle.write(pack.path, f"pack/{pack.path.name}")
        for folder in pack.spec.exercise_folders:
            _add_tree(bundle, (pack_folder / folder).resolve(), f"pack/{folder}")
    return zip_path


def _add_text(bundle: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFREG | 0o755) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, text)


def _add_tree(
    bundle: zipfile.ZipFile, folder: Path, prefix: str, skip: frozenset[str] = frozenset()
) -> None:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if (
            not path.is_file()
            or relative.parts[0] in skip
            or "__pycache__" in relative.parts
            or path.suffix == ".pyc"
        ):
            continue
        bundle.write(path, f"{prefix}/{relative.as_posix()}")
