"""Exercise packs as content: loading, points, and `validate` naming the file and the field of every problem."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from serverless_tutor.cli import main
from serverless_tutor.content.packs import (
    find_pack,
    is_pack_file,
    load_pack,
    shipped_pack_files,
    shipped_packs_dir,
)
from serverless_tutor.content.validate import validate
from serverless_tutor.paths import exercises_dir
from serverless_tutor.problems import ContentError

DATA = Path(__file__).parent / "classroom_data"
CONTRACTED = [
    "hello-handler",
    "create-order",
    "sqs-batch",
    "stateless-counter",
    "init-outside-handler",
    "s3-uppercase",
]


def problems_of(path: Path) -> list:
    with pytest.raises(ContentError) as caught:
        load_pack(path)
    return caught.value.problems


def write_pack(folder: Path, text: str) -> Path:
    path = folder / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_pack_covers_the_six_core_exercises_and_validates():
    files = shipped_pack_files()
    assert [path.name for path in files] == ["intro.yaml"]
    pack = load_pack(files[0])
    assert [exercise.id for exercise in pack.exercises] == CONTRACTED
    assert validate([shipped_packs_dir()]) == []
    assert find_pack("intro") == files[0]
    assert shipped_packs_dir().parent == exercises_dir()  # inside exercises/, which the wheel ships


def test_points_and_weight_scale_an_exercises_points():
    pack = load_pack(DATA / "week1.yaml")
    assert [exercise.id for exercise in pack.exercises] == ["hello-handler", "word-count"]
    assert (
        pack.exercise("word-count").folder
        == (DATA / "instructor-exercises" / "word-count").resolve()
    )
    assert (
        pack.max_points("hello-handler") == 14 and pack.scale("hello-handler", 3) == 6
    )  # weight 2
    assert (
        pack.max_points("word-count") == 10 and pack.scale("word-count", 1) == 3.33
    )  # 1 of 3 -> of 10
    assert pack.total_points == 24


def test_a_bare_due_date_means_the_end_of_that_day_utc():
    pack = load_pack(DATA / "week1.yaml")
    assert pack.spec.due_at == datetime(2030, 1, 31, 23, 59, 59, tzinfo=UTC)


def test_an_unknown_exercise_names_the_entry(tmp_path):
    path = write_pack(tmp_path, "id: p\ntitle: P\nexercises: [hello-handler, hello-handlr]\n")
    [problem] = problems_of(path)
    assert (problem.file, problem.field) == (str(path), "exercises.1.id")
    assert "'hello-handlr' is neither" in problem.expected and "hello-handler" in problem.expected


@pytest.mark.parametrize(
    "body, field, expected",
    [
        (
            "id: p\ntitle: P\nexercises: [{id: hello-handler, points: 5, weight: 2}]\n",
            "exercises.0",
            "not both",
        ),
        (
            "id: p\ntitle: P\nexercises: [{id: hello-handler, points: -1}]\n",
            "exercises.0.points",
            "greater than 0",
        ),
        (
            "id: p\ntitle: P\nexercises: [hello-handler, hello-handler]\n",
            "exercises",
            "repeated: hello-handler",
        ),
        ("id: p\ntitle: P\nexercises: []\n", "exercises", "at least 1"),
        ("id: P Q\ntitle: P\nexercises: [hello-handler]\n", "id", "pattern"),
        ("id: p\ntitle: P\ndue: next friday\nexercises: [hello-handler]\n", "due", "datetime"),
        (
            "id: p\ntitle: P\nexercises: [hello-handler]\ngrading: strict\n",
            "grading",
            "unknown field",
        ),
        ("id: p\nexercises: [hello-handler]\n", "title", "required field is missing"),
        (
            "id: p\ntitle: P\nexercise_folders: [nowhere]\nexercises: [hello-handler]\n",
            "exercise_folders.0",
            "does not exist",
        ),
        ("id: p\ntitle: [unclosed\nexercises: [hello-handler]\n", "(file)", "valid YAML"),
    ],
)
def test_pack_problems_name_file_and_field(tmp_path, body, field, expected):
    path = write_pack(tmp_path, body)
    problems = problems_of(path)
    assert any(
        p.file == str(path) and p.field.startswith(field) and expected in p.expected
        for p in problems
    ), [p.line() for p in problems]


def test_a_broken_instructor_exercise_is_reported_in_its_own_file(tmp_path):
    shutil.copytree(DATA / "instructor-exercises", tmp_path / "mine")
    spec = tmp_path / "mine" / "word-count" / "exercise.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("points: 3\n", "points: 4\n", 1), encoding="utf-8"
    )
    path = write_pack(
        tmp_path, "id: p\ntitle: P\nexercise_folders: [mine]\nexercises: [word-count]\n"
    )
    problems = problems_of(path)
    assert any(p.file == str(spec.resolve()) and "add up to 3" in p.expected for p in problems)


def test_an_instructor_exercise_may_not_reuse_a_shipped_id(tmp_path):
    shutil.copytree(exercises_dir() / "hello-handler", tmp_path / "mine" / "hello-handler")
    path = write_pack(
        tmp_path, "id: p\ntitle: P\nexercise_folders: [mine]\nexercises: [hello-handler]\n"
    )
    [problem] = problems_of(path)
    assert problem.field == "id" and "a shipped exercise" in problem.expected
    assert problem.file.endswith("mine/hello-handler/exercise.yaml")


def test_an_exercise_folder_may_be_one_exercise_itself(tmp_path):
    path = write_pack(
        tmp_path,
        f"id: p\ntitle: P\nexercise_folders: [{DATA / 'instructor-exercises' / 'word-count'}]\n"
        "exercises: [word-count]\n",
    )
    assert [exercise.id for exercise in load_pack(path).exercises] == ["word-count"]


def test_validate_claims_packs_but_not_other_yaml(tmp_path):
    assert is_pack_file(DATA / "week1.yaml")
    assert not is_pack_file(exercises_dir() / "hello-handler" / "exercise.yaml")
    other = tmp_path / "serverless.yml"
    other.write_text("service: shop\nfunctions: {}\n", encoding="utf-8")
    assert not is_pack_file(other)


def test_validate_cli_reports_pack_file_and_field(tmp_path, capsys):
    path = write_pack(
        tmp_path, "id: p\ntitle: P\nexercises: [hello-handler, {id: create-order, weight: 0}]\n"
    )
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}: exercises.1.weight:" in out
    assert (
        main(["validate", str(DATA)]) == 0
    )  # the week-1 pack and the instructor's exercise together
