from pathlib import Path

import pytest

from serverless_tutor.content.lessons import LESSON_COUNT, load_lessons, shipped_lessons
from serverless_tutor.content.validate import validate
from serverless_tutor.problems import ContentError

CHAPTER_SECTIONS = [
    "Introduction to Serverless",
    "Function as a Service",
    "Backend as a Service",
    "AWS Lambda Deep Dive",
    "Event-Driven Serverless",
    "Cold Starts and Performance",
    "Implementation Examples",
    "Serverless Patterns",
    "Cost Optimization",
    "Advantages and Disadvantages",
    "When to Use Serverless",
]

GOOD = """---
id: {id}
number: {number}
title: {title}
summary: A short summary.
key_terms: [Lambda]
panels: []
---
Body text.
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_lessons_are_the_twelve_sections_in_order():
    lessons = shipped_lessons()
    assert [lesson.number for lesson in lessons] == list(range(1, LESSON_COUNT + 1))
    for lesson, section in zip(lessons, CHAPTER_SECTIONS, strict=False):
        assert lesson.title.startswith(section), (lesson.title, section)
    assert "Summary" in lessons[-1].title
    assert len({lesson.id for lesson in lessons}) == LESSON_COUNT


def test_shipped_lessons_flag_the_chapter_slips():
    text = "\n".join(lesson.body for lesson in shipped_lessons())
    assert text.count("**Chapter correction.**") >= 6
    for figure in ("10,240 MB", "$1.87", "$24.48"):
        assert figure in text, figure


def test_shipped_content_validates():
    assert validate() == []


def test_bad_yaml_names_file_and_line(tmp_path):
    path = write(tmp_path / "lessons", "01.md", "---\nid: x\nnumber: [1\n---\nBody\n")
    problems = validate([path])
    assert len(problems) == 1
    assert problems[0].file == str(path)
    assert problems[0].field == "front matter"
    assert "valid YAML" in problems[0].expected and "line" in problems[0].expected


def test_missing_title_is_named(tmp_path):
    text = GOOD.format(id="a", number=1, title="T").replace("title: T\n", "")
    path = write(tmp_path / "lessons", "01.md", text)
    problems = validate([path])
    assert [(p.file, p.field, p.expected) for p in problems] == [
        (str(path), "title", "required field is missing")
    ]


def test_unknown_panel_is_named(tmp_path):
    text = GOOD.format(id="a", number=1, title="T").replace("panels: []", "panels: [no-such-panel]")
    path = write(tmp_path / "lessons", "01.md", text)
    problems = validate([path])
    assert len(problems) == 1
    assert problems[0].field == "panels"
    assert "unknown panel 'no-such-panel'" in problems[0].expected


def test_duplicate_number_names_both_files(tmp_path):
    folder = tmp_path / "lessons"
    write(folder, "01.md", GOOD.format(id="a", number=1, title="A"))
    second = write(folder, "02.md", GOOD.format(id="b", number=1, title="B"))
    problems = validate([folder])
    assert len(problems) == 1
    assert problems[0].file == str(second)
    assert problems[0].field == "number"
    assert "01.md" in problems[0].expected


def test_missing_front_matter_and_empty_body(tmp_path):
    no_front = write(tmp_path, "x.md", "---\nid: a\n")
    with pytest.raises(ContentError) as caught:
        load_lessons(tmp_path)
    assert caught.value.problems[0].file == str(no_front)
    assert caught.value.problems[0].field == "front matter"


def test_number_out_of_range_and_bad_id(tmp_path):
    path = write(tmp_path / "lessons", "01.md", GOOD.format(id="Bad Id", number=13, title="T"))
    fields = {p.field for p in validate([path])}
    assert fields == {"id", "number"}


def test_missing_path_is_reported(tmp_path):
    problems = validate([tmp_path / "nope"])
    assert problems[0].expected == "an existing file or folder"


def test_lesson_bodies_do_not_repeat_the_title():
    # The reader shows the title from the front matter; a leading "# Title" would print it twice.
    for lesson in shipped_lessons():
        assert not lesson.body.lstrip().startswith("# "), lesson.source
