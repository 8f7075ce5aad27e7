"""`validate` reports every content file that is not UTF-8, claimed by a kind or not."""

from __future__ import annotations

from serverless_tutor.cli import main
from serverless_tutor.content.validate import validate
from serverless_tutor.pricing.prices import shipped_price_files
from serverless_tutor.problems import Problem


def latin1_prices(folder):
    """The shipped price table with one Latin-1 byte in a comment: no kind recognises it."""
    path = folder / "prices.yaml"
    path.write_bytes(b"# tarifs d'\xe9t\xe9\n" + shipped_price_files()[0].read_bytes())
    return path


def test_a_folder_with_non_utf8_content_files_reports_each_one(tmp_path, capsys):
    prices = latin1_prices(tmp_path)
    (tmp_path / "notes.md").write_bytes(b"caf\xe9\n")
    (tmp_path / "extra.yml").write_bytes(b"name: caf\xe9\n")
    (tmp_path / "README.md").write_text(
        "Plain UTF-8, no front matter: not content, not a problem\n"
    )
    (tmp_path / "data.bin").write_bytes(b"\xff\xfe")  # not a content format

    assert validate([tmp_path]) == [
        Problem(
            file=str(tmp_path / "extra.yml"),
            field="(encoding)",
            expected="UTF-8 text; byte 9 is not (invalid continuation byte)",
        ),
        Problem(
            file=str(tmp_path / "notes.md"),
            field="(encoding)",
            expected="UTF-8 text; byte 3 is not (invalid continuation byte)",
        ),
        Problem(
            file=str(prices),
            field="(encoding)",
            expected="UTF-8 text; byte 11 is not (invalid continuation byte)",
        ),
    ]
    assert main(["validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "all content is valid" not in out
    assert f"{prices}: (encoding): UTF-8 text" in out


def test_a_non_utf8_file_named_alone_gets_one_problem_not_two(tmp_path):
    prices = latin1_prices(tmp_path)
    assert [(p.file, p.field) for p in validate([prices])] == [(str(prices), "(encoding)")]


def test_a_file_a_kind_already_reported_is_not_reported_twice(tmp_path):
    bank = tmp_path / "bank.yaml"
    bank.write_bytes(b"section: 1\nlesson: introduction\nquestions: []\n# caf\xe9\n")
    problems = validate([tmp_path])
    assert [p.file for p in problems] == [str(bank)]
    assert "UTF-8" in problems[0].expected
