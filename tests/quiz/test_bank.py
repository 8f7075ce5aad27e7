"""The shipped bank meets the issue's bar, and a broken bank file fails with its file and field."""

import subprocess
import sys
import textwrap
from collections import Counter

import pytest

from serverless_tutor.content.validate import validate
from serverless_tutor.quiz.bank import BANK_DIR, load_bank, shipped_bank_files
from serverless_tutor.quiz.models import LESSON_IDS, QUESTION_TYPES, SECTION_LESSONS, OpenQuestion


def test_bank_has_at_least_80_questions_and_five_per_section(bank):
    assert len(bank.questions) >= 80
    per_section = Counter(q.section for q in bank.questions)
    for section in range(1, 12):
        assert per_section[section] >= 5, f"section {section} has {per_section[section]}"
    assert per_section[12] >= 5


def test_every_type_is_in_the_bank(bank):
    assert {q.type for q in bank.questions} == set(QUESTION_TYPES)


def test_every_question_explains_and_points_to_a_lesson(bank):
    for question in bank.questions:
        assert question.explanation.strip(), question.id
        assert question.lesson in LESSON_IDS, question.id


def test_one_file_per_section_with_its_lesson():
    files = shipped_bank_files()
    assert len(files) == 12
    for number, path in enumerate(files, start=1):
        assert path.name.startswith(f"{number:02d}-{SECTION_LESSONS[number]}"), path.name


def test_the_chapters_five_common_questions_come_first_in_the_summary(bank):
    common = [q for q in bank.questions if isinstance(q, OpenQuestion) and q.common]
    assert [q.prompt for q in common] == [
        "What is serverless architecture?",
        "Explain cold starts and how to mitigate them.",
        "When would you NOT use serverless?",
        "How does serverless pricing work?",
        "Compare Lambda vs EC2.",
    ]
    assert {q.section for q in common} == {12}


def test_shipped_bank_validates():
    assert validate([BANK_DIR]) == []


def write(tmp_path, body: str, name: str = "bank.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


GOOD_SINGLE = """
  - id: ok-question
    type: single
    prompt: p
    explanation: e
    choices: [a, b]
    answer: 0
"""


@pytest.mark.parametrize(
    "questions, field, expected",
    [
        (
            """
  - id: no-answer
    type: single
    prompt: p
    explanation: e
    choices: [a, b, c]
""",
            "questions[0] (no-answer).answer",
            "required field is missing",
        ),
        (
            """
  - id: empty-answers
    type: multiple
    prompt: p
    explanation: e
    choices: [a, b, c]
    answers: []
""",
            "questions[0] (empty-answers).answers",
            "at least one correct choice",
        ),
        (
            """
  - id: answer-out-of-range
    type: single
    prompt: p
    explanation: e
    choices: [a, b]
    answer: 2
""",
            "questions[0] (answer-out-of-range).answer",
            "an index into the 2 choices",
        ),
        (
            """
  - id: no-tolerance
    type: numeric
    prompt: p
    explanation: e
    answer: 900
""",
            "questions[0] (no-tolerance).tolerance",
            "required field is missing",
        ),
        (
            """
  - id: no-explanation
    type: numeric
    prompt: p
    answer: 900
    tolerance: 0
""",
            "questions[0] (no-explanation).explanation",
            "required field is missing",
        ),
        (
            """
  - id: odd-type
    type: essay
    prompt: p
    explanation: e
""",
            "questions[0] (odd-type).type",
            "one of single, multiple",
        ),
        (
            """
  - id: bad-lesson
    type: numeric
    lesson: cold-start
    prompt: p
    explanation: e
    answer: 1
    tolerance: 0
""",
            "questions[0] (bad-lesson).lesson",
            "a lesson id",
        ),
        (
            """
  - id: bad-cost
    type: cost
    prompt: "{requests} calls at {memory} MB"
    explanation: e
    inputs: {requests: [1], duration_ms: [1], memory_mb: [128], colour: red}
    ask: total
    tolerance: 0.01
""",
            "questions[0] (bad-cost).inputs",
            "unknown: ['colour']",
        ),
        (
            """
  - id: no-rubric
    type: open
    prompt: p
    explanation: e
    model_answer: m
    rubric: [only one]
""",
            "questions[0] (no-rubric).rubric",
            "at least 2 items",
        ),
        (
            GOOD_SINGLE + GOOD_SINGLE,
            "questions[1] (ok-question).id",
            "a unique id; also used by questions[0]",
        ),
    ],
)
def test_a_broken_question_fails_with_file_and_field(tmp_path, questions, field, expected):
    path = write(tmp_path, "section: 6\nlesson: cold-starts\nquestions:" + questions)
    problems = validate([path])
    assert problems, "expected a problem"
    assert any(
        p.file == str(path) and p.field == field and expected in p.expected for p in problems
    ), [p.line() for p in problems]


def test_cost_prompt_may_only_use_drawn_inputs(tmp_path):
    path = write(
        tmp_path,
        """
        section: 9
        lesson: cost-optimization
        questions:
          - id: stray-placeholder
            type: cost
            prompt: "{requests} calls at {memory} MB"
            explanation: e
            inputs: {requests: [1], duration_ms: [1], memory_mb: [128]}
            ask: total
            tolerance: 0.01
        """,
    )
    [problem] = validate([path])
    assert problem.field == "questions[0] (stray-placeholder)"
    assert "{memory}" in problem.expected


def test_unknown_section_fails_with_file_and_field(tmp_path):
    path = write(tmp_path, "section: 13\nlesson: summary\nquestions:" + GOOD_SINGLE)
    [problem] = validate([path])
    assert (problem.file, problem.field) == (str(path), "section")
    assert "less than or equal to 12" in problem.expected


def test_broken_yaml_is_still_claimed_as_a_bank_file(tmp_path):
    path = write(
        tmp_path, "section: 6\nlesson: cold-starts\nquestions:\n  - id: x\n    prompt: [unclosed\n"
    )
    [problem] = validate([path])
    assert problem.file == str(path)
    assert problem.expected.startswith("valid YAML at line")


def test_the_same_id_in_two_files_is_reported(tmp_path):
    write(tmp_path, "section: 1\nlesson: introduction\nquestions:" + GOOD_SINGLE, "01.yaml")
    second = write(tmp_path, "section: 2\nlesson: faas\nquestions:" + GOOD_SINGLE, "02.yaml")
    problems = validate([tmp_path])
    assert [(p.file, p.field) for p in problems] == [(str(second), "questions[0] (ok-question).id")]
    with pytest.raises(Exception, match="also used in"):
        load_bank(tmp_path)


def test_validate_command_reports_the_broken_question(tmp_path):
    path = write(
        tmp_path,
        "section: 6\nlesson: cold-starts\nquestions:\n  - id: nope\n    type: single\n    prompt: p\n    explanation: e\n    choices: [a, b]\n",
    )
    result = subprocess.run(
        [sys.executable, "-m", "serverless_tutor", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert f"{path}: questions[0] (nope).answer: required field is missing" in result.stdout
