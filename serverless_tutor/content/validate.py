"""`serverless-tutor validate`: check any content file or folder, or all shipped content.

Each kind of content (lessons, exercises, quiz banks, price tables) registers a
ContentKind: which files it claims, how it validates a group of them, and where
the shipped ones live. Adding a kind is one entry in KINDS.

Kinds recognise their files by their text, so a file that is not UTF-8 may be
claimed by none of them; every .md/.yaml/.yml file in the paths given is therefore
also checked for its encoding, and one that is not UTF-8 is a problem of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from serverless_tutor.cloud import faults
from serverless_tutor.content import exercises
from serverless_tutor.content import packs as exercise_packs
from serverless_tutor.pricing import prices as price_tables
from serverless_tutor.problems import ContentError, Problem
from serverless_tutor.quiz import bank as quiz_bank


@dataclass(frozen=True)
class ContentKind:
    name: str
    claims: Callable[[Path], bool]
    validate: Callable[[list[Path]], list[Problem]]
    shipped: Callable[[], list[Path]]


def _is_lesson(path: Path) -> bool:
    if path.suffix != ".md" or (path.parent / "exercise.yaml").exists():
        return False
    try:
        with path.open("rb") as handle:
            return handle.read(4).startswith(b"---")
    except OSError:
        return False


def _validate_lessons(paths: list[Path]) -> list[Problem]:
    from serverless_tutor.content.lessons import _check_set, parse_lesson

    problems: list[Problem] = []
    by_folder: dict[Path, list] = {}
    for path in paths:
        try:
            by_folder.setdefault(path.parent, []).append(parse_lesson(path))
        except ContentError as exc:
            problems.extend(exc.problems)
    for lessons in by_folder.values():
        problems.extend(_check_set(lessons))
    return problems


def _shipped_lessons() -> list[Path]:
    from serverless_tutor.paths import lessons_dir

    return sorted(lessons_dir().glob("*.md"))


KINDS: list[ContentKind] = [
    ContentKind("lesson", _is_lesson, _validate_lessons, _shipped_lessons),
    ContentKind(
        "exercise", exercises.claims_file, exercises.validate_files, exercises.shipped_files
    ),
    ContentKind(
        "prices",
        price_tables.is_price_file,
        price_tables.validate_price_files,
        price_tables.shipped_price_files,
    ),
    ContentKind(
        "quiz bank",
        quiz_bank.is_bank_file,
        quiz_bank.validate_bank_files,
        quiz_bank.shipped_bank_files,
    ),
    ContentKind(
        "exercise pack",
        exercise_packs.is_pack_file,
        exercise_packs.validate_pack_files,
        exercise_packs.shipped_pack_files,
    ),
    ContentKind(
        "fault plan",
        faults.is_fault_plan_file,
        faults.validate_fault_plan_files,
        faults.shipped_fault_plan_files,
    ),
]


# Content is written in these formats; each must be UTF-8 text.
TEXT_SUFFIXES = frozenset({".md", ".yaml", ".yml"})


def _encoding_problems(files: list[Path], reported: list[Problem]) -> list[Problem]:
    """A problem for each text content file that is not UTF-8 and has no problem yet."""
    named = {problem.file for problem in reported}
    problems = []
    for path in files:
        if path.suffix.lower() not in TEXT_SUFFIXES or str(path) in named:
            continue
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(
                Problem(
                    file=str(path),
                    field="(encoding)",
                    expected=f"UTF-8 text; byte {exc.start} is not ({exc.reason})",
                )
            )
        except OSError as exc:
            problems.append(
                Problem(
                    file=str(path), field="(file)", expected=f"a readable file ({exc.strerror})"
                )
            )
    return problems


def _expand(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(
                Problem(file=str(path), field="(path)", expected="an existing file or folder")
            )
    return files, problems


def exercises_named_by(paths: list[Path]) -> list[exercises.Exercise]:
    """The exercises an instructor's paths hold (exercise folders, and packs' own
    exercise_folders), loaded; those that do not load are validate()'s to report."""
    from serverless_tutor.paths import exercises_dir

    files, _ = _expand(paths)
    folders = {folder for folder in map(exercises.exercise_folder_of, files) if folder is not None}
    found: dict[Path, exercises.Exercise] = {}
    for folder in sorted(folders):
        try:
            found[folder.resolve()] = exercises.load_exercise(folder)
        except ContentError:
            continue
    shipped_root = exercises_dir().resolve()
    for path in files:
        if not exercise_packs.is_pack_file(path):
            continue
        try:
            pack = exercise_packs.load_pack(path)
        except ContentError:
            continue
        for exercise in pack.exercises:
            where = exercise.folder.resolve()
            if where.parent != shipped_root:
                found.setdefault(where, exercise)
    return list(found.values())


def validate(paths: list[Path] | None = None) -> list[Problem]:
    """Return every problem found; an empty list means the content is valid."""
    if not paths:
        problems: list[Problem] = []
        for kind in KINDS:
            shipped = kind.shipped()
            if shipped:
                problems.extend(kind.validate(shipped))
        return problems
    files, problems = _expand(paths)
    for kind in KINDS:
        claimed = [f for f in files if kind.claims(f)]
        if claimed:
            problems.extend(kind.validate(claimed))
    problems.extend(_encoding_problems(files, problems))
    named = {problem.file for problem in problems}
    explicit_files = [p for p in paths if p.is_file()]
    for path in explicit_files:
        if str(path) not in named and not any(kind.claims(path) for kind in KINDS):
            problems.append(
                Problem(
                    file=str(path),
                    field="(file)",
                    expected="a lesson (.md with front matter) or another known content file",
                )
            )
    return problems
