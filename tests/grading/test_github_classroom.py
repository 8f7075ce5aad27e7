"""The GitHub Classroom template: its workflow's steps run as Actions would run them,
and what they hand the grading reporter has the reporter's shape and the pack's points."""

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from serverless_tutor.content.packs import load_pack
from serverless_tutor.grading.github_classroom import ReporterResults, build_template
from serverless_tutor.paths import exercises_dir

PACK = """id: week-2
title: Week 2
exercise_folders: [mine]
exercises:
  - {id: hello-handler, points: 10}
  - my-greeting
"""
MY_EXERCISE = exercises_dir() / "hello-handler"
GRADER = "serverless-tutor @ git+https://github.com/example/grader@v1"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("classroom")
    # An instructor's own exercise: a copy of hello-handler under another id, with its solution.
    mine = work / "mine" / "my-greeting"
    shutil.copytree(MY_EXERCISE, mine)
    spec = mine / "exercise.yaml"
    spec.write_text(re.sub(r"^id: .*$", "id: my-greeting", spec.read_text(), flags=re.M))
    (work / "week-2.yaml").write_text(PACK)
    return build_template(load_pack(work / "week-2.yaml"), work / "repo", GRADER)


def test_the_template_has_starters_and_instructions_but_no_solutions(template: Path):
    assert (template / "hello-handler" / "handler.py").read_bytes() == (
        MY_EXERCISE / "handler.py"
    ).read_bytes()
    assert (template / "my-greeting" / "handler.py").is_file()
    assert (template / ".autograding" / "week-2.yaml").is_file()
    assert (template / ".autograding" / "mine" / "my-greeting" / "exercise.yaml").is_file()
    assert not list(template.rglob("solution"))
    readme = (template / "README.md").read_text()
    assert "## hello-handler (10 points)" in readme and GRADER in readme


def test_the_workflow_is_what_github_classroom_reads(template: Path):
    flow = yaml.safe_load((template / ".github/workflows/classroom.yml").read_text())
    assert flow["name"] == "Autograding Tests"
    assert flow["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    steps = flow["jobs"]["run-autograding-tests"]["steps"]
    reporter = steps[-1]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    runners = reporter["with"]["runners"].split(",")
    assert runners == ["hello-handler", "my-greeting"]
    ids = {step.get("id") for step in steps}
    for runner in runners:
        assert runner in ids
        assert reporter["env"][f"{runner.upper()}_RESULTS"] == (
            f"${{{{steps.{runner}.outputs.result}}}}"
        )


def run_step(template: Path, step: dict) -> ReporterResults:
    output = template.parent / f"{step['id']}.output"
    output.unlink(missing_ok=True)
    env = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(template.parent),
        "GITHUB_OUTPUT": str(output),
    }
    done = subprocess.run(
        ["bash", "-c", step["run"]],
        cwd=template,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (line,) = output.read_text().splitlines()
    name, _, value = line.partition("=")
    assert name == "result"
    return ReporterResults.model_validate(json.loads(base64.b64decode(value)))


def test_each_step_grades_its_exercise_with_the_packs_points(template: Path):
    shutil.copyfile(
        MY_EXERCISE / "solution" / "handler.py", template / "hello-handler" / "handler.py"
    )
    (template / "my-greeting" / "handler.py").unlink()
    flow = yaml.safe_load((template / ".github/workflows/classroom.yml").read_text())
    steps = {s["id"]: s for s in flow["jobs"]["run-autograding-tests"]["steps"] if "id" in s}
    passed = run_step(template, steps["hello-handler"])
    assert passed.status == "pass" and passed.max_score == 10
    assert sum(test.score for test in passed.tests) == pytest.approx(10)
    missing = run_step(template, steps["my-greeting"])
    assert missing.status == "error" and missing.tests[0].score == 0
    assert "No file my-greeting/handler.py" in missing.tests[0].message
    # What the reporter posts to the classroom: the tests' scores out of the max scores.
    total = sum(t.score for r in (passed, missing) for t in r.tests)
    assert (total, passed.max_score + missing.max_score) == (pytest.approx(10), 10 + 7)
