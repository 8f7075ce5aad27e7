"""Reading a graded folder (what `grade --out` wrote) and re-grading one student in it.

One real class run per module (pack week1.yaml: hello-handler x2 = 14 points,
word-count scaled to 10; 24 in all), graded with the `grade` verb:

    ada     hello-handler: the solution (folder layout)   word-count: the solution (flat)
    bob     hello-handler: the starter (1 of 7 -> 2)      word-count: missing
    cyd     hello-handler: a link to a file outside the submissions (refused: ungraded)
    HOSTILE a folder name with an OSC title sequence and a formula; nothing submitted
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from serverless_tutor.cli import main
from serverless_tutor.grading.folder_lock import FolderBusy, writing
from serverless_tutor.grading.graded_folder import (
    INPUTS_FILE,
    open_graded_folder,
    regrade_student,
    remember_folder,
    remembered_folder,
    score_distribution,
    sorted_students,
    student_feedback,
)
from serverless_tutor.paths import exercises_dir
from serverless_tutor.problems import ContentError

DATA = Path(__file__).parent / "classroom_data"
PACK = DATA / "week1.yaml"
WORD_COUNT = DATA / "instructor-exercises" / "word-count"
HELLO = exercises_dir() / "hello-handler"
HOSTILE = "\x1b]0;pwned\x07=1+2"


def put(path: Path, source: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("graded")
    submissions = root / "submissions"
    put(submissions / "ada" / "hello-handler" / "handler.py", HELLO / "solution" / "handler.py")
    put(submissions / "ada" / "word-count.py", WORD_COUNT / "solution" / "handler.py")
    put(submissions / "bob" / "hello-handler.py", HELLO / "handler.py")
    outside = root / "elsewhere.py"
    put(outside, HELLO / "solution" / "handler.py")
    (submissions / "cyd").mkdir()
    (submissions / "cyd" / "hello-handler.py").symlink_to(outside)
    (submissions / HOSTILE).mkdir()
    out = root / "out"
    code = main(["grade", str(PACK), str(submissions), "--out", str(out), "--jobs", "1", "--json"])
    assert code == 1  # cyd's pair is ungraded
    return root


def copy_of(graded: Path, tmp_path: Path) -> Path:
    """The class and its graded folder copied, with grade-inputs.json pointing at the copy."""
    shutil.copytree(graded, tmp_path / "class", symlinks=True)
    out = tmp_path / "class" / "out"
    inputs = json.loads((out / INPUTS_FILE).read_text())
    inputs["submissions"] = str(tmp_path / "class" / "submissions")
    (out / INPUTS_FILE).write_text(json.dumps(inputs))
    return out


def wide_rows(out: Path) -> dict[str, list[str]]:
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as stream:
        return {row[0]: row for row in csv.reader(stream)}


def test_the_folder_reads_as_gradebook_json_says(graded):
    out = graded / "out"
    folder = open_graded_folder(out)
    written = json.loads((out / "gradebook.json").read_text(encoding="utf-8"))
    assert [row.student for row in folder.book.students] == [
        row["student"] for row in written["students"]
    ]
    assert {
        row.student: (row.total, row.percent, row.ungraded) for row in folder.book.students
    } == {
        row["student"]: (row["total"], row["percent"], row["ungraded"])
        for row in written["students"]
    }
    totals = {row.student: row.total for row in folder.book.students}
    assert totals == {"ada": 24, "bob": 2, "cyd": None, HOSTILE: 0}
    # grade recorded where the class came from, so a student can be re-graded.
    assert folder.inputs is not None and folder.regrade_problem is None
    assert Path(folder.inputs.pack) == PACK.resolve()
    assert Path(folder.inputs.submissions) == (graded / "submissions").resolve()


def test_ungraded_is_marked_and_kept_out_of_the_scores(graded):
    folder = open_graded_folder(graded / "out")
    cyd = folder.student("cyd")
    assert cyd is not None and cyd.exercises["hello-handler"].status == "ungraded"
    assert cyd.exercises["hello-handler"].points is None and cyd.ungraded == 1
    hello = score_distribution(folder, "hello-handler")
    assert (hello.scored, hello.ungraded, hello.missing) == (3, 1, 1)  # ada 14, bob 2, HOSTILE 0
    assert (hello.mean, hello.median) == (5.33, 2)
    assert [b.count for b in hello.bins] == [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    assert (hello.bins[0].low, hello.bins[0].high, hello.bins[-1].high) == (0, 1.4, 14)
    words = score_distribution(folder, "word-count", bins=5)
    assert [(b.low, b.high, b.count) for b in words.bins] == [
        (0, 2, 3),
        (2, 4, 0),
        (4, 6, 0),
        (6, 8, 0),
        (8, 10, 1),
    ]
    # Blank totals go last whichever way the column is sorted.
    assert [r.student for r in sorted_students(folder, "total", descending=True)] == [
        "ada",
        "bob",
        HOSTILE,
        "cyd",
    ]
    assert [r.student for r in sorted_students(folder, "total")] == [HOSTILE, "bob", "ada", "cyd"]


def test_one_students_feedback_and_their_test_results(graded):
    folder = open_graded_folder(graded / "out")
    feedback = student_feedback(folder, "bob")
    assert feedback.markdown.startswith("# Week 1: feedback for bob\n")
    assert feedback.feedback_problem is None and feedback.unreadable == []
    hello, words = feedback.records
    assert (hello.exercise, hello.status, hello.points) == ("hello-handler", "fail", 1)
    assert words.status == "missing"
    # The instructor sees the hidden test, which the student's feedback names without its message.
    assert hello.result is not None
    assert any(test.visibility == "hidden" for test in hello.result.tests)
    with pytest.raises(ContentError, match="a student named 'nobody'"):
        student_feedback(folder, "nobody")


def test_hostile_names_come_out_inert_from_the_verb(graded, capsys):
    out = graded / "out"
    assert main(["gradebook", str(out)]) == 0
    table = capsys.readouterr().out
    assert "\x1b" not in table and "\x07" not in table
    assert "\\x1b]0;pwned\\x07=1+2" in table
    assert main(["gradebook", str(out), "--student", HOSTILE]) == 0
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "\x07" not in shown and "No submission" in shown


def test_the_verb_prints_json(graded, capsys):
    out = graded / "out"
    assert main(["gradebook", str(out), "--sort", "total", "--descending", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert [row["student"] for row in table["book"]["students"]] == ["ada", "bob", HOSTILE, "cyd"]
    assert main(["gradebook", str(out), "--exercise", "word-count", "--json"]) == 0
    words = json.loads(capsys.readouterr().out)
    assert (words["maxPoints"], words["scored"], words["missing"], words["mean"]) == (10, 4, 3, 2.5)
    assert main(["gradebook", str(out), "--student", "cyd", "--json"]) == 0
    cyd = json.loads(capsys.readouterr().out)
    assert cyd["records"][0]["status"] == "ungraded"
    assert "outside the submissions folder" in cyd["records"][0]["message"]
    assert main(["gradebook", str(out), "--sort", "nonsense"]) == 2


def fifo_instead(out: Path) -> None:
    (out / "gradebook.json").unlink()
    os.mkfifo(out / "gradebook.json")  # opening it to read would wait forever for a writer


@pytest.mark.parametrize(
    ("damage", "field", "expected"),
    [
        (lambda out: (out / "gradebook.json").write_text("{not json"), "(file)", "Invalid JSON"),
        (lambda out: (out / "gradebook.json").unlink(), "(file)", "does not exist"),
        (
            lambda out: (out / "gradebook.json").write_text(
                (out / "gradebook.json")
                .read_text()
                .replace('"student": "bob"', '"student": "../../x"')
            ),
            "students.2.student",  # the ESC-named folder sorts first
            "a student folder name",
        ),
        (fifo_instead, "(file)", "not a regular file"),
    ],
    ids=["not-json", "missing", "path-in-a-name", "fifo"],
)
def test_a_damaged_folder_is_a_clear_problem(graded, tmp_path, capsys, damage, field, expected):
    out = tmp_path / "out"
    shutil.copytree(graded / "out", out)
    damage(out)
    with pytest.raises(ContentError) as caught:
        open_graded_folder(out)
    problem = caught.value.problems[0]
    assert (problem.file, problem.field) == (str(out / "gradebook.json"), field)
    assert expected in problem.expected
    assert main(["gradebook", str(out)]) == 1
    assert f"{out / 'gradebook.json'}: {field}:" in capsys.readouterr().err


def test_regrade_changes_only_that_students_row(graded, tmp_path, capsys):
    out = copy_of(graded, tmp_path)
    before = wide_rows(out)
    put(
        tmp_path / "class" / "submissions" / "bob" / "hello-handler.py",
        HELLO / "solution" / "handler.py",
    )
    assert main(["gradebook", str(out), "--regrade", "bob", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["before"]["total"], result["after"]["total"]) == (2, 14)
    assert (result["graded"], result["reused"]) == (1, 1)  # word-count is still missing: kept
    after = wide_rows(out)
    assert after["bob"] == ["bob", "14", "0", "14", "24", "58.3", "0"]
    assert {name: row for name, row in after.items() if name != "bob"} == {
        name: row for name, row in before.items() if name != "bob"
    }
    record = json.loads((out / "results" / "bob" / "hello-handler.json").read_text())
    assert (record["status"], record["points"]) == ("pass", 7)
    assert "**Total: 14 of 24 points" in (out / "feedback" / "bob.md").read_text()
    bob = open_graded_folder(out).student("bob")
    assert bob is not None and bob.total == 14  # gradebook.json rewritten too


def test_regrade_needs_the_recorded_inputs(graded, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded / "out", out)
    (out / INPUTS_FILE).unlink()
    assert "grade ... --resume" in (open_graded_folder(out).regrade_problem or "")
    with pytest.raises(ContentError) as caught:
        regrade_student(out, "bob")
    assert caught.value.problems[0].file == str(out / INPUTS_FILE)


def test_the_last_folder_is_remembered(tmp_path):
    assert remembered_folder(tmp_path) is None
    remember_folder(tmp_path, "/some/where")
    assert remembered_folder(tmp_path) == "/some/where"
    (tmp_path / "instructor.json").write_text("garbage")
    assert remembered_folder(tmp_path) is None


def test_a_folder_being_written_is_not_regraded_or_graded_into(graded, tmp_path, capsys):
    out = copy_of(graded, tmp_path)
    before = (out / "gradebook.csv").read_bytes()
    with writing(out):  # another run, in the middle of writing this folder
        with pytest.raises(ContentError) as caught:
            regrade_student(out, "bob")
        assert "no other grading run writing it" in caught.value.problems[0].expected
        assert f"(process {os.getpid()})" in caught.value.problems[0].expected
        assert main(["gradebook", str(out), "--regrade", "bob"]) == 1
        submissions = tmp_path / "class" / "submissions"
        code = main(["grade", str(PACK), str(submissions), "--out", str(out), "--resume"])
        assert code == 2
        assert "is being written by another grading run" in capsys.readouterr().err
    assert (out / "gradebook.csv").read_bytes() == before  # nothing written meanwhile


def test_a_killed_run_leaves_the_folder_unlocked(graded, tmp_path):
    out = copy_of(graded, tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path\n"
            "from serverless_tutor.grading.folder_lock import writing\n"
            "with writing(Path(sys.argv[1])):\n"
            "    print('locked', flush=True)\n"
            "    time.sleep(600)\n",
            str(out),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(FolderBusy), writing(out):
            pass
    finally:
        holder.kill()
        holder.wait()
    with writing(out):  # the lock went with the process
        pass
