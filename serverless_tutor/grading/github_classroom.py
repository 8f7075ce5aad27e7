"""GitHub Classroom: a student repository template whose workflow grades with our engine.

GitHub Classroom grades a push with a workflow (`.github/workflows/classroom.yml`,
named "Autograding Tests") whose test steps hand their results to the
`classroom-resources/autograding-grading-reporter` action. The reporter reads,
for each runner id in its `runners` input, an environment variable
`<RUNNER-ID>_RESULTS` holding base64-encoded JSON, and posts the sum of the
tests' `score` out of the sum of `max_score` to the classroom. The shape below is
written down from that action's source (src/main.js, src/notify-classroom.js,
src/aggregate-results.js, github-education-resources/autograding-grading-reporter):
`{"version": 1, "status": "pass"|"fail"|"error", "max_score": N, "tests":
[{"name", "status", "score", "message", ...}]}`.

Our workflow has one step per exercise: it installs the grader, grades the
student's `<exercise>/handler.py` with the same engine as `check` and `grade`,
and writes that JSON (with the pack's points) as the step's `result` output.
Partial credit works per test. The template carries the starters and the task
statements, never the solutions. The grader itself is installed from a pip
requirement the instructor gives (`--grader`): everything in the template is
readable by the student, so hidden tests can only stay hidden if the grader
comes from a place students cannot read (a private repository with a token).
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict

from serverless_tutor.atomic_write import write_atomically
from serverless_tutor.content.exercises import GRADING_ONLY_FILE, SPEC_FILE, Exercise
from serverless_tutor.content.packs import Pack
from serverless_tutor.grading.pack_points import points_per_test
from serverless_tutor.grading.results import CheckResult

WORKFLOW_PATH = ".github/workflows/classroom.yml"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
PYTHON_VERSION = "3.12"


class ReporterTest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    status: Literal["pass", "fail", "error"]
    score: float
    message: str | None = None
    test_code: str | None = None
    line_no: int | None = None
    execution_time: str | None = None


class ReporterResults(BaseModel):
    """What one runner hands the grading reporter (before base64)."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    status: Literal["pass", "fail", "error"]
    max_score: float
    tests: list[ReporterTest]


def reporter_results(pack: Pack, exercise: Exercise, result: CheckResult) -> ReporterResults:
    """A check result with the pack's points, as the reporter reads it."""
    if not result.tests:
        return ReporterResults(
            status="error",
            max_score=pack.max_points(exercise.id),
            tests=[
                ReporterTest(name=exercise.title, status="error", score=0.0, message=result.message)
            ],
        )
    shares = points_per_test(pack, exercise.id, [test.max_points for test in result.tests])
    tests = [
        ReporterTest(
            name=test.name,
            status=test.status,
            score=share if test.status == "pass" else 0.0,
            # A hidden test's message may quote its expected values.
            message="This hidden test failed."
            if test.visibility == "hidden" and test.status != "pass"
            else test.message,
        )
        for test, share in zip(result.tests, shares, strict=True)
    ]
    return ReporterResults(
        status=result.status, max_score=pack.max_points(exercise.id), tests=tests
    )


def encode(results: ReporterResults) -> str:
    return base64.b64encode(results.model_dump_json(exclude_none=True).encode()).decode()


def runner_id(exercise: Exercise) -> str:
    return exercise.id


def workflow(pack: Pack, grader: str) -> dict[str, Any]:
    """The workflow as data (written as YAML): one grading step per exercise, then the reporter."""
    steps: list[dict[str, Any]] = [
        {"name": "Check out the submission", "uses": "actions/checkout@v4"},
        {
            "name": "Set up Python",
            "uses": "actions/setup-python@v5",
            "with": {"python-version": PYTHON_VERSION},
        },
        {"name": "Install the grader", "run": f"python -m pip install --quiet {_quote(grader)}"},
    ]
    for exercise in pack.exercises:
        handler = f"{exercise.id}/{exercise.spec.function.handler_file}"
        steps.append(
            {
                "name": f"Grade {exercise.id}",
                "id": runner_id(exercise),
                "run": (
                    "python -m serverless_tutor.grading.github_classroom_run "
                    f"--pack .autograding/{pack.path.name} --exercise {exercise.id} "
                    f'--file {handler} --output "$GITHUB_OUTPUT"'
                ),
            }
        )
    steps.append(
        {
            "name": "Autograding Reporter",
            "uses": REPORTER,
            "env": {
                f"{runner_id(e).upper()}_RESULTS": f"${{{{steps.{runner_id(e)}.outputs.result}}}}"
                for e in pack.exercises
            },
            "with": {"runners": ",".join(runner_id(e) for e in pack.exercises)},
        }
    )
    return {
        "name": "Autograding Tests",
        "on": ["push", "repository_dispatch"],
        "permissions": {"checks": "write", "actions": "read", "contents": "read"},
        "jobs": {
            "run-autograding-tests": {
                "runs-on": "ubuntu-latest",
                "if": "github.actor != 'github-classroom[bot]'",
                "steps": steps,
            }
        },
    }


def build_template(pack: Pack, out: Path, grader: str) -> Path:
    """Write the student repository template for `pack` into `out` (a new or empty folder)."""
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; give a new folder")
    out.mkdir(parents=True, exist_ok=True)
    for exercise in pack.exercises:
        handler = exercise.spec.function.handler_file
        target = out / exercise.id / handler
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(exercise.starter, target)
    write_atomically(out / "README.md", _readme(pack, grader))
    text = yaml.safe_dump(workflow(pack, grader), sort_keys=False, width=100)
    write_atomically(out / WORKFLOW_PATH, text)
    # The pack names the exercises and their points; an instructor's own exercises
    # ride along without their solutions.
    autograding = out / ".autograding"
    autograding.mkdir()
    shutil.copyfile(pack.path, autograding / pack.path.name)
    for folder in pack.spec.exercise_folders:
        source = (pack.path.parent / folder).resolve()
        shutil.copytree(
            source,
            autograding / folder,
            ignore=shutil.ignore_patterns("solution", "__pycache__", "*.pyc"),
        )
        for spec in (autograding / folder).rglob(SPEC_FILE):
            (spec.parent / GRADING_ONLY_FILE).write_text(
                "A copy for grading: the solution is left out of the student template.\n"
            )
    return out


def _readme(pack: Pack, grader: str) -> str:
    lines = [f"# {pack.title}", ""]
    lines.append(
        "Write each handler in its folder and push: GitHub Classroom grades every push "
        "and shows your points under Actions. To check before you push:"
    )
    lines += ["", "```", f"pip install {_quote(grader)}", ""]
    lines += [
        f"serverless-tutor check {e.id} --file {e.id}/{e.spec.function.handler_file}"
        for e in pack.exercises
    ]
    lines += ["```", ""]
    for exercise in pack.exercises:
        lines += [
            f"## {exercise.id} ({_points(pack.max_points(exercise.id))} points)",
            "",
            exercise.spec.instructions.strip(),
            "",
        ]
    return "\n".join(lines)


def _points(value: float) -> str:
    return f"{value:g}"


def _quote(text: str) -> str:
    return json.dumps(text) if any(c in text for c in " ;&|$`'\"<>") else text
