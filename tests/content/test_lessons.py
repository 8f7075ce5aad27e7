import json
from pathlib import Path

import pytest

from serverless_tutor.content import lessons as lessons_module
from serverless_tutor.content.lessons import (
    LESSON_COUNT,
    Lesson,
    load_lessons,
    load_lessons_cached,
    shipped_lessons,
)
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


def test_cache_reuses_unchanged_lessons_without_parsing_them(tmp_path, monkeypatch):
    folder = tmp_path / "lessons"
    write(folder, "01.md", GOOD.format(id="a", number=1, title="A"))
    write(folder, "02.md", GOOD.format(id="b", number=2, title="B"))
    cache = tmp_path / "cache" / "lessons.json"
    first = load_lessons_cached(folder, cache)
    assert cache.is_file()
    assert first == load_lessons(folder)

    parsed: list[Path] = []
    real_parse = lessons_module.parse_lesson

    def counting_parse(path: Path) -> Lesson:
        parsed.append(path)
        return real_parse(path)

    monkeypatch.setattr(lessons_module, "parse_lesson", counting_parse)
    assert load_lessons_cached(folder, cache) == first
    assert parsed == []


def test_cache_revalidates_a_changed_lesson_file(tmp_path):
    folder = tmp_path / "lessons"
    write(folder, "01.md", GOOD.format(id="a", number=1, title="A"))
    path = write(folder, "02.md", GOOD.format(id="b", number=2, title="B"))
    cache = tmp_path / "cache" / "lessons.json"
    load_lessons_cached(folder, cache)

    path.write_text(GOOD.format(id="b", number=2, title="B, revised"), encoding="utf-8")
    assert [lesson.title for lesson in load_lessons_cached(folder, cache)] == ["A", "B, revised"]

    path.write_text(GOOD.format(id="b", number=2, title="B").replace("title: B\n", ""))
    with pytest.raises(ContentError) as caught:
        load_lessons_cached(folder, cache)
    assert [(p.file, p.field, p.expected) for p in caught.value.problems] == [
        (str(path), "title", "required field is missing")
    ]


def test_cache_sees_a_lesson_file_added_or_removed(tmp_path):
    folder = tmp_path / "lessons"
    write(folder, "01.md", GOOD.format(id="a", number=1, title="A"))
    cache = tmp_path / "cache" / "lessons.json"
    load_lessons_cached(folder, cache)
    added = write(folder, "02.md", GOOD.format(id="b", number=2, title="B"))
    assert [lesson.id for lesson in load_lessons_cached(folder, cache)] == ["a", "b"]
    added.unlink()
    assert [lesson.id for lesson in load_lessons_cached(folder, cache)] == ["a"]


def test_bad_lesson_fails_with_file_and_field_even_when_the_cache_knew_it_good(tmp_path):
    folder = tmp_path / "lessons"
    path = write(folder, "01.md", GOOD.format(id="a", number=1, title="A"))
    cache = tmp_path / "cache" / "lessons.json"
    load_lessons_cached(folder, cache)
    path.write_text(
        GOOD.format(id="a", number=1, title="A").replace("panels: []", "panels: [nope]")
    )
    with pytest.raises(ContentError) as caught:
        load_lessons_cached(folder, cache)
    problem = caught.value.problems[0]
    assert (problem.file, problem.field) == (str(path), "panels")
    assert "unknown panel 'nope'" in problem.expected


@pytest.mark.parametrize(
    "garbage",
    [
        "{not json",
        "[]",
        '{"rules": "someone else", "files": {}}',
        "\x00\xff binary",
    ],
    ids=["truncated", "wrong-shape", "other-rules", "binary"],
)
def test_a_corrupt_cache_is_ignored_and_rebuilt(tmp_path, garbage):
    folder = tmp_path / "lessons"
    write(folder, "01.md", GOOD.format(id="a", number=1, title="A"))
    cache = tmp_path / "cache" / "lessons.json"
    cache.parent.mkdir()
    cache.write_text(garbage, encoding="utf-8", errors="surrogateescape")
    assert [lesson.title for lesson in load_lessons_cached(folder, cache)] == ["A"]
    assert json.loads(cache.read_text(encoding="utf-8"))["files"]["01.md"]["lesson"]["title"] == "A"


def test_a_cached_entry_the_model_refuses_is_parsed_from_the_file_again(tmp_path):
    folder = tmp_path / "lessons"
    write(folder, "01.md", GOOD.format(id="a", number=1, title="A"))
    cache = tmp_path / "cache" / "lessons.json"
    load_lessons_cached(folder, cache)
    document = json.loads(cache.read_text(encoding="utf-8"))
    # Same hash, tampered content: an id the model refuses, and a title nobody wrote.
    document["files"]["01.md"]["lesson"].update(id="Not An Id", title="Tampered")
    cache.write_text(json.dumps(document), encoding="utf-8")
    assert [(lesson.id, lesson.title) for lesson in load_lessons_cached(folder, cache)] == [
        ("a", "A")
    ]


def test_a_cache_that_cannot_be_written_does_not_stop_loading(tmp_path):
    folder = tmp_path / "lessons"
    write(folder, "01.md", GOOD.format(id="a", number=1, title="A"))
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    assert [lesson.id for lesson in load_lessons_cached(folder, blocker / "lessons.json")] == ["a"]


def test_shipped_lessons_through_the_cache_equal_the_validated_ones(tmp_path):
    cache = tmp_path / "lessons.json"
    assert shipped_lessons(cache_file=cache) == shipped_lessons()
    assert shipped_lessons(cache_file=cache) == shipped_lessons()  # now from the cache
