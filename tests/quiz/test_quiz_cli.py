"""`serverless-tutor quiz` driven through stdin, and `quiz bank --json`."""

import io
import json

import pytest

from serverless_tutor.cli import main
from serverless_tutor.progress import ProgressStore
from serverless_tutor.quiz.session import QuizSession
from serverless_tutor.quiz.state import QuizState


def run(monkeypatch, capsys, argv, lines):
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{line}\n" for line in lines)))
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def planned(bank, **kwargs):
    """The session the CLI will run for a fresh learner with these options."""
    return QuizSession(bank, QuizState(), **kwargs)


def test_bank_json_lists_every_question_with_the_required_fields(capsys, bank):
    assert main(["quiz", "bank", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert len(entries) == len(bank.questions) >= 80
    assert {"id", "section", "type", "prompt"} <= set(entries[0])
    assert {e["section"] for e in entries} == set(range(1, 13))
    assert main(["quiz", "bank", "--json", "--section", "6"]) == 0
    assert {e["section"] for e in json.loads(capsys.readouterr().out)} == {6}


def test_bank_table_prints(capsys):
    assert main(["quiz", "bank", "--section", "11"]) == 0
    out = capsys.readouterr().out
    assert "when-video-encoding" in out and "fit or not" in out


def test_practice_with_right_answers_from_stdin(monkeypatch, capsys, bank, right_lines, tutor_home):
    session = planned(bank, section=9, count=5, seed=12)
    lines = [line for q in session.instances for line in right_lines(q)]
    code, out, _ = run(
        monkeypatch, capsys, ["quiz", "--section", "9", "--count", "5", "--seed", "12"], lines
    )
    assert code == 0
    closed = [q for q in session.instances if q.type != "open"]
    assert out.count("Right.") == len(closed)
    assert "Not right" not in out
    assert "Score: 5 of 5 (100%)" in out
    cards = ProgressStore(tutor_home).load().progress.quiz.cards
    assert set(cards) == {q.id for q in session.instances}


def test_a_wrong_answer_shows_the_expected_one_and_the_lesson(
    monkeypatch, capsys, bank, tutor_home
):
    session = planned(bank, section=4, count=1, seed=2)
    question = session.instances[0]
    assert question.type in {"single", "numeric"}, question.type
    wrong = (
        str(next(i for i in range(len(question.options)) if i not in question.correct) + 1)
        if question.type == "single"
        else "-1"
    )
    code, out, _ = run(
        monkeypatch, capsys, ["quiz", "--section", "4", "--count", "1", "--seed", "2"], [wrong]
    )
    assert code == 0
    assert "Not right." in out and "Expected:" in out
    assert "Lesson: lambda-deep-dive" in out
    assert "Lessons to revisit: lambda-deep-dive" in out
    assert ProgressStore(tutor_home).load().progress.quiz.cards[question.id].last_rating == 1


def test_invalid_input_is_explained_and_asked_again(monkeypatch, capsys, bank, right_lines):
    session = planned(bank, section=1, count=1, seed=4)
    question = session.instances[0]
    code, out, _ = run(
        monkeypatch,
        capsys,
        ["quiz", "--section", "1", "--count", "1", "--seed", "4"],
        ["99", "banana", *right_lines(question)],
    )
    assert code == 0
    assert out.count("Expected ") >= 2
    assert "Score: 1 of 1" in out


def test_q_ends_early_and_keeps_what_was_answered(
    monkeypatch, capsys, bank, right_lines, tutor_home
):
    session = planned(bank, section=6, count=4, seed=9)
    lines = [*right_lines(session.instances[0]), "q"]
    code, out, _ = run(
        monkeypatch, capsys, ["quiz", "--section", "6", "--count", "4", "--seed", "9"], lines
    )
    assert code == 0
    assert "Quiz ended early." in out and "Score: 1 of 1" in out
    assert list(ProgressStore(tutor_home).load().progress.quiz.cards) == [session.instances[0].id]


def test_end_of_input_ends_the_quiz_cleanly(monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, ["quiz", "--count", "3", "--seed", "1"], [])
    assert code == 0
    assert "Quiz ended early." in out


def test_review_with_nothing_answered_says_what_to_do(monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, ["quiz", "--mode", "review"], [])
    assert code == 0
    assert "Nothing to review yet" in out


def test_review_after_a_miss_brings_the_missed_question_first(
    monkeypatch, capsys, bank, right_lines, tutor_home
):
    session = planned(bank, section=8, count=2, seed=3)
    missed, known = session.instances
    run(
        monkeypatch,
        capsys,
        ["quiz", "--section", "8", "--count", "2", "--seed", "3"],
        [_wrong_line(missed), *right_lines(known)],
    )
    # Make both cards due now; the review must ask the missed one first.
    store = ProgressStore(tutor_home)
    progress = store.load().progress
    assert progress.quiz.cards[missed.id].last_rating == 1
    for card in progress.quiz.cards.values():
        card.due = card.due.replace(year=2000)
    store.save(progress)
    code, out, _ = run(monkeypatch, capsys, ["quiz", "--mode", "review", "--seed", "3"], ["q"])
    assert code == 0
    assert "Review: cards due now, missed ones first · 2 question(s)" in out
    first_question = " ".join(out.split("1/2 ·")[1].split())
    assert missed.prompt[:40] in first_question
    assert known.prompt[:40] not in first_question


def _wrong_line(question) -> str:
    kind = question.type
    if kind in {"single", "multiple"}:
        return str(next(i for i in range(len(question.options)) if i not in question.correct) + 1)
    if kind == "ordering":
        return " ".join(str(i + 1) for i in reversed(question.correct))
    raise AssertionError(f"no one-line wrong answer for {kind}")


def test_interview_saves_the_answers_to_markdown(monkeypatch, capsys, bank, tmp_path, tutor_home):
    target = tmp_path / "answers.md"
    lines = [
        "Serverless means the provider runs the servers.",
        "You pay per use.",
        "",
        "1 2",
        "Cold starts are the first call.",
        "",
        "all",
    ]
    code, out, _ = run(
        monkeypatch,
        capsys,
        ["quiz", "--mode", "interview", "--count", "2", "--seed", "1", "--save", str(target)],
        lines,
    )
    assert code == 0
    assert "Timer started" in out and "Answered in" in out and "Model answer" in out
    text = target.read_text(encoding="utf-8")
    assert "> Serverless means the provider runs the servers.\n> You pay per use." in text
    assert "## 2. Explain cold starts and how to mitigate them." in text
    assert str(target) in ProgressStore(tutor_home).load().progress.quiz.interviews


def test_interview_saves_into_the_data_folder_by_default(monkeypatch, capsys, tutor_home):
    code, out, _ = run(
        monkeypatch,
        capsys,
        ["quiz", "--mode", "interview", "--count", "1", "--seed", "1"],
        ["An answer.", "", "none"],
    )
    assert code == 0
    [saved] = (tutor_home / "interviews").glob("interview-*.md")
    assert "Answers saved to" in out and saved.name in out.replace("\n", "")
    assert "> An answer." in saved.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["quiz", "--section", "13"], "sections are 1 to 11"),
        (["quiz", "--count", "0"], "argument --count: must be 1 or more (got 0)"),
        (["quiz", "--mode", "exam"], "invalid choice"),
        (["quiz", "--seed", "x"], "argument --seed: expected a whole number, got 'x'"),
    ],
)
def test_bad_options_are_usage_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_save_and_no_save_together_is_a_usage_error(capsys, tmp_path):
    assert main(["quiz", "--save", str(tmp_path / "x.md"), "--no-save"]) == 2
    assert "contradict" in capsys.readouterr().err
