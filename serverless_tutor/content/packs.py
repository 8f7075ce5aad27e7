"""Exercise packs: what an instructor assigns, as one YAML file.

    id: intro                         # slug
    title: Serverless basics, week 1
    due: 2026-03-06T23:59:00+01:00    # optional; a date alone means the end of that day, UTC
    exercise_folders: [my-exercises]  # optional; relative to this file
    exercises:
      - hello-handler                 # a shipped exercise, worth its own points
      - {id: create-order, points: 10}   # scaled to 10 points in this pack
      - {id: sqs-batch, weight: 2}       # its points doubled
      - my-first-exercise             # from my-exercises/my-first-exercise/

An `exercise_folders` entry is either one exercise folder (it holds exercise.yaml)
or a folder of them, in exactly the layout of the shipped exercises/<id>/. So an
instructor adds exercises without touching the package, and `serverless-tutor
validate pack.yaml` checks the pack and those exercises together, reporting each
problem with its file and field.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from serverless_tutor.content.exercises import (
    SPEC_FILE,
    Exercise,
    load_exercise,
    load_exercises,
    shipped_exercises,
)
from serverless_tutor.problems import ContentError, Problem, problems_from_validation
from serverless_tutor.yaml_files import load_yaml_mapping

PACKS_FOLDER = "packs"  # shipped packs live in exercises/packs/ (inside the wheel as _content/exercises/packs/)
_EXERCISES_KEY = re.compile(rb"^exercises\s*:", re.MULTILINE)
_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class PackEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID_PATTERN, description="an exercise id")
    points: float | None = Field(
        default=None, gt=0, description="what the exercise is worth in this pack (scaled)"
    )
    weight: float | None = Field(
        default=None, gt=0, description="multiplies the exercise's own points"
    )

    @model_validator(mode="after")
    def _one_override(self) -> PackEntry:
        if self.points is not None and self.weight is not None:
            raise ValueError("give 'points' or 'weight', not both")
        return self


class PackSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID_PATTERN)
    title: str = Field(min_length=1)
    description: str | None = None
    due: datetime | date | None = Field(
        default=None, description="ISO 8601; without a zone it is UTC"
    )
    exercise_folders: list[str] = Field(
        default_factory=list, description="folders of extra exercises, relative to the pack file"
    )
    exercises: list[PackEntry] = Field(min_length=1)

    @field_validator("exercises", mode="before")
    @classmethod
    def _plain_ids(cls, entries: Any) -> Any:
        if isinstance(entries, list):
            return [{"id": entry} if isinstance(entry, str) else entry for entry in entries]
        return entries

    @field_validator("exercises")
    @classmethod
    def _unique(cls, entries: list[PackEntry]) -> list[PackEntry]:
        ids = [entry.id for entry in entries]
        repeated = sorted({exercise_id for exercise_id in ids if ids.count(exercise_id) > 1})
        if repeated:
            raise ValueError(f"each exercise once; repeated: {', '.join(repeated)}")
        return entries

    @property
    def due_at(self) -> datetime | None:
        """The due date as an aware datetime (a bare date is the last second of that day, UTC)."""
        if self.due is None:
            return None
        if not isinstance(self.due, datetime):
            return datetime.combine(self.due, time(23, 59, 59), tzinfo=UTC)
        return self.due if self.due.tzinfo is not None else self.due.replace(tzinfo=UTC)


class Pack(BaseModel):
    """A loaded pack: the spec, where it came from, and its exercises in pack order."""

    model_config = ConfigDict(frozen=True)

    spec: PackSpec
    path: Path
    exercises: list[Exercise]

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def title(self) -> str:
        return self.spec.title

    def entry(self, exercise_id: str) -> PackEntry:
        return next(entry for entry in self.spec.exercises if entry.id == exercise_id)

    def exercise(self, exercise_id: str) -> Exercise:
        return next(exercise for exercise in self.exercises if exercise.id == exercise_id)

    def max_points(self, exercise_id: str) -> float:
        return self.scale(exercise_id, self.exercise(exercise_id).spec.points)

    def scale(self, exercise_id: str, raw_points: float) -> float:
        """Points in this pack for `raw_points` of the exercise's own points."""
        entry = self.entry(exercise_id)
        raw_max = self.exercise(exercise_id).spec.points
        if entry.points is not None:
            scaled = raw_points / raw_max * entry.points
        elif entry.weight is not None:
            scaled = raw_points * entry.weight
        else:
            scaled = raw_points
        return round(scaled, 2)

    @property
    def total_points(self) -> float:
        return round(sum(self.max_points(exercise.id) for exercise in self.exercises), 2)


# --- loading ----------------------------------------------------------------------


def _read(path: Path) -> dict:
    return load_yaml_mapping(path, expected="a YAML mapping with id, title and exercises")


def _extra_exercises(path: Path, spec: PackSpec) -> tuple[list[Exercise], list[Problem]]:
    found: list[Exercise] = []
    problems: list[Problem] = []
    for index, folder_name in enumerate(spec.exercise_folders):
        folder = (path.parent / folder_name).resolve()
        field = f"exercise_folders.{index}"
        if not folder.is_dir():
            problems.append(
                Problem(
                    file=str(path),
                    field=field,
                    expected=f"a folder relative to the pack file; {folder} does not exist",
                )
            )
            continue
        try:
            if (folder / SPEC_FILE).is_file():
                loaded = [load_exercise(folder)]
            else:
                loaded = load_exercises(folder)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        if not loaded:
            problems.append(
                Problem(
                    file=str(path),
                    field=field,
                    expected=f"an exercise folder (with {SPEC_FILE}) or a folder of them; {folder} has none",
                )
            )
        found.extend(loaded)
    return found, problems


def load_pack(path: Path, shipped: list[Exercise] | None = None) -> Pack:
    """Load and check a pack and its extra exercises; raise ContentError listing every problem."""
    path = Path(path)
    raw = _read(path)
    try:
        spec = PackSpec.model_validate(raw)
    except ValidationError as exc:
        raise ContentError(problems_from_validation(path, exc)) from None
    shipped = shipped_exercises() if shipped is None else shipped
    extra, problems = _extra_exercises(path, spec)

    available: dict[str, Exercise] = {exercise.id: exercise for exercise in shipped}
    shipped_ids = set(available)
    for exercise in extra:
        clash = available.get(exercise.id)
        if clash is not None:
            where = (
                "a shipped exercise" if exercise.id in shipped_ids else f"also in {clash.folder}"
            )
            problems.append(
                Problem(
                    file=str(exercise.folder / SPEC_FILE),
                    field="id",
                    expected=f"an id of its own: {exercise.id!r} is {where}",
                )
            )
            continue
        available[exercise.id] = exercise

    chosen: list[Exercise] = []
    for index, entry in enumerate(spec.exercises):
        found = available.get(entry.id)
        if found is None:
            problems.append(
                Problem(
                    file=str(path),
                    field=f"exercises.{index}.id",
                    expected=f"a shipped exercise or one in exercise_folders; {entry.id!r} is neither "
                    f"(known: {', '.join(sorted(available))})",
                )
            )
        else:
            chosen.append(found)
    if problems:
        raise ContentError(problems)
    return Pack(spec=spec, path=path, exercises=chosen)


def shipped_packs_dir() -> Path:
    from serverless_tutor.paths import exercises_dir

    return exercises_dir() / PACKS_FOLDER


def shipped_pack_files() -> list[Path]:
    folder = shipped_packs_dir()
    return sorted(p for p in folder.glob("*.y*ml") if is_pack_file(p)) if folder.is_dir() else []


def find_pack(name_or_path: str) -> Path | None:
    """A pack file by path, or a shipped pack by id (e.g. "intro")."""
    candidate = Path(name_or_path)
    if candidate.is_file():
        return candidate
    for path in shipped_pack_files():
        if path.stem == name_or_path:
            return path
        try:
            if _read(path).get("id") == name_or_path:
                return path
        except ContentError:
            continue
    return None


# --- `serverless-tutor validate` (registered in content/validate.py KINDS) ----------


def is_pack_file(path: Path) -> bool:
    """A .yaml/.yml file (not an exercise.yaml) with a top-level `exercises:` key, checked on the text so broken YAML is still claimed."""
    if path.suffix not in {".yaml", ".yml"} or path.name == SPEC_FILE:
        return False
    try:
        return bool(_EXERCISES_KEY.search(path.read_bytes()))
    except OSError:
        return False


def validate_pack_files(paths: list[Path]) -> list[Problem]:
    problems: list[Problem] = []
    shipped = _loadable_shipped_exercises()
    for path in paths:
        try:
            load_pack(path, shipped)
        except ContentError as exc:
            problems.extend(exc.problems)
    return problems


def _loadable_shipped_exercises() -> list[Exercise]:
    """The shipped exercises that load; a broken one is the exercise kind's to report, not the pack's."""
    try:
        return shipped_exercises()
    except ContentError:
        from serverless_tutor.paths import exercises_dir

        loadable = []
        for spec_path in sorted(exercises_dir().glob(f"*/{SPEC_FILE}")):
            try:
                loadable.append(load_exercise(spec_path.parent))
            except ContentError:
                continue
        return loadable
