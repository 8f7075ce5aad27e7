"""The Gradescope autograder: built from a pack, run as Gradescope runs it, results.json valid."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from serverless_tutor.content.packs import load_pack
from serverless_tutor.grading.gradescope import GradescopeResults, build_autograder
from serverless_tutor.paths import exercises_dir

PACK = """id: week-1
title: Week 1
exercises:
  - hello-handler
  - {id: cost-estimator, points: 14}
"""


@pytest.fixture(scope="module")
def autograder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The exported zip, unpacked as Gradescope does: into <root>/source, run_autograder beside."""
    work = tmp_path_factory.mktemp("gradescope")
    pack_file = work / "week-1.yaml"
    pack_file.write_text(PACK)
    bundle = build_autograder(load_pack(pack_file), work / "autograder.zip")
    root = work / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        assert {"setup.sh", "run_autograder"} <= set(names)
        assert "serverless_tutor/grading/gradescope_run.py" in names
        assert "serverless_tutor/_content/exercises/cost-estimator/exercise.yaml" in names
        assert "pack/week-1.yaml" in names
        assert not any("__pycache__" in name for name in names)
        archive.extractall(root / "source")
    shutil.copyfile(root / "source" / "run_autograder", root / "run_autograder")
    for script in (root / "source" / "setup.sh", root / "run_autograder"):
        syntax = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert syntax.returncode == 0, syntax.stderr
    setup = (root / "source" / "setup.sh").read_text()
    assert "'moto[server]==" in setup and "sys.version_info < (3, 11)" in setup
    return root


def run_autograder(root: Path, files: dict[str, Path]) -> tuple[int, GradescopeResults]:
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir()
    for name, source in files.items():
        target = submission / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    results = root / "results" / "results.json"
    results.unlink(missing_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(root),
        "AUTOGRADER_ROOT": str(root),
        "AUTOGRADER_PYTHON": sys.executable,
    }
    done = subprocess.run(
        ["bash", str(root / "run_autograder")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert results.is_file(), done.stderr
    return done.returncode, GradescopeResults.model_validate(json.loads(results.read_text()))


def test_a_submission_is_graded_with_the_packs_points(autograder: Path):
    code, results = run_autograder(
        autograder,
        {
            "hello-handler.py": exercises_dir() / "hello-handler" / "solution" / "handler.py",
            "cost-estimator/handler.py": exercises_dir() / "cost-estimator" / "handler.py",
        },
    )
    assert code == 0
    by_exercise: dict[str, list] = {}
    for test in results.tests:
        by_exercise.setdefault(test.name.split(":")[0], []).append(test)
    hello, cost = by_exercise["hello-handler"], by_exercise["cost-estimator"]
    assert all(t.status == "passed" and t.score == t.max_score for t in hello)
    assert sum(t.max_score for t in cost) == pytest.approx(14)  # 7 points scaled to 14
    assert any(t.status == "failed" for t in cost)  # the starter does not pass
    assert results.score == pytest.approx(sum(t.score for t in results.tests))
    hidden = [t for t in cost if t.visibility == "after_published"]
    assert hidden, "hidden tests are shown after publishing"
    for test in hidden:
        if test.status == "failed":
            assert test.output.startswith("This hidden test failed.")
    assert all(t.number and "." in t.number for t in results.tests)


def test_a_missing_exercise_scores_zero_with_the_reason(autograder: Path):
    code, results = run_autograder(
        autograder,
        {"hello-handler.py": exercises_dir() / "hello-handler" / "solution" / "handler.py"},
    )
    assert code == 0
    missing = [t for t in results.tests if t.name.startswith("cost-estimator")]
    assert len(missing) == 1 and missing[0].score == 0 and missing[0].max_score == 14
    assert "No submission" in missing[0].output
    assert "cost-estimator" in (results.output or "")


def test_a_broken_pack_still_writes_results_that_say_why(autograder: Path):
    pack = autograder / "source" / "pack" / "week-1.yaml"
    original = pack.read_text()
    pack.write_text("id: week-1\nexercises: [no-such-exercise]\n")
    try:
        code, results = run_autograder(autograder, {})
    finally:
        pack.write_text(original)
    assert code == 1
    assert results.score == 0
    assert "could not grade" in (results.output or "")


def test_scaled_test_points_add_up_to_the_exercises_points_in_the_pack(tmp_path: Path):
    from serverless_tutor.grading.pack_points import points_per_test

    pack_file = tmp_path / "p.yaml"
    pack_file.write_text("id: p\ntitle: P\nexercises:\n  - {id: hello-handler, points: 10}\n")
    pack = load_pack(pack_file)
    shares = points_per_test(pack, "hello-handler", [2, 2, 1, 1, 1])  # 7 points -> 10
    assert sum(shares) == pytest.approx(10.0)
    assert shares == [2.86, 2.85, 1.43, 1.43, 1.43]  # largest remainders get the cents
    assert points_per_test(pack, "hello-handler", [0, 0]) == [0.0, 0.0]
