"""What an instructor gives `grade` besides the submissions: a roster and submission times.

Roster (`grade --roster roster.csv`): a CSV file with a header row. `folder` is
required (the student's folder name under the submissions folder); the other
columns are optional and copied exactly into the LMS gradebooks:

    folder,id,sis_user_id,sis_login_id,name,first_name,last_name,email,section
    ada-l,1001,S-1001,ada@uni.example,"Lovelace, Ada",Ada,Lovelace,ada@uni.example,Mon lab

`id` is the LMS's own user id (Canvas's "ID" column; nbgrader's student_id).

Submission times (a manifest): when the platform says when each student handed in,
lateness comes from that, never from file modification times (a `cp -r` or an
unzip changes those). Either file, given with `--manifest FILE` or found at the top
of the submissions folder as `submissions.csv` or `manifest.json`:

    submissions.csv:  student,submitted_at          manifest.json: {"ada-l": "2030-01-30T18:00:00Z", ...}
                      ada-l,2030-01-30T18:00:00Z

Times are ISO 8601; one without a zone is UTC. A student the manifest does not
list has no submission time and no lateness (unknown), not a time from the file.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from serverless_tutor.problems import ContentError, Problem

ROSTER_COLUMNS = (
    "folder",
    "id",
    "sis_user_id",
    "sis_login_id",
    "name",
    "first_name",
    "last_name",
    "email",
    "section",
)
MANIFEST_NAMES = ("submissions.csv", "manifest.json")
MANIFEST_COLUMNS = ("student", "submitted_at")


class RosterEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    folder: str
    id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    section: str = ""

    @property
    def sortable_name(self) -> str:
        """ "Last, First" as Canvas shows students; the name as given, else the folder."""
        if self.name:
            return self.name
        if self.last_name and self.first_name:
            return f"{self.last_name}, {self.first_name}"
        return self.last_name or self.first_name or self.folder


class Roster(BaseModel):
    path: str
    entries: dict[str, RosterEntry]  # by folder name, in file order


class SubmissionTimes(BaseModel):
    path: str
    source: Literal["manifest"] = "manifest"
    times: dict[str, datetime]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # a spreadsheet's BOM is not part of a name
    except OSError as exc:
        raise ContentError(
            [Problem(file=str(path), field="(file)", expected=f"a readable file ({exc.strerror})")]
        ) from None
    except UnicodeDecodeError as exc:
        raise ContentError(
            [
                Problem(
                    file=str(path),
                    field="(file)",
                    expected=f"UTF-8 text ({exc.reason} at byte {exc.start})",
                )
            ]
        ) from None


def _csv_rows(
    path: Path, required: tuple[str, ...], allowed: tuple[str, ...]
) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(_text(path), newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    problems = [
        Problem(file=str(path), field="(header)", expected=f"a column named {name!r}")
        for name in required
        if name not in header
    ]
    problems += [
        Problem(
            file=str(path),
            field=f"(header).{name}",
            expected=f"one of the known columns: {', '.join(allowed)}",
        )
        for name in header
        if name not in allowed
    ]
    if problems:
        raise ContentError(problems)
    reader.fieldnames = header
    rows = []
    for row in reader:
        if None in row:  # more cells than header columns
            raise ContentError(
                [
                    Problem(
                        file=str(path),
                        field=f"line {reader.line_num}",
                        expected=f"at most {len(header)} cells, as in the header",
                    )
                ]
            )
        rows.append({key: (value or "") for key, value in row.items()})
    return rows


def load_roster(path: Path) -> Roster:
    """Read a roster CSV; raise ContentError naming the file, line and column of each problem."""
    path = Path(path)
    entries: dict[str, RosterEntry] = {}
    problems: list[Problem] = []
    for line, row in enumerate(_csv_rows(path, ("folder",), ROSTER_COLUMNS), start=2):
        folder = row["folder"]
        if not folder or "/" in folder or "\\" in folder or folder.startswith((".", "_")):
            problems.append(
                Problem(
                    file=str(path),
                    field=f"line {line}.folder",
                    expected="a student's folder name (no slash; not starting with . or _); "
                    f"got {folder!r}",
                )
            )
        elif folder in entries:
            problems.append(
                Problem(
                    file=str(path),
                    field=f"line {line}.folder",
                    expected=f"each folder once; {folder!r} is repeated",
                )
            )
        else:
            entries[folder] = RosterEntry(**row)
    if problems:
        raise ContentError(problems)
    return Roster(path=str(path), entries=entries)


def parse_time(text: str) -> datetime:
    """ISO 8601 (a trailing Z is UTC); a time without a zone is UTC."""
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def load_submission_times(path: Path) -> SubmissionTimes:
    """Read submissions.csv (student,submitted_at) or manifest.json ({student: time})."""
    path = Path(path)
    pairs: list[tuple[str, str, object]] = []  # (field, student, raw time)
    if path.suffix == ".json":
        try:
            data = json.loads(_text(path))
        except json.JSONDecodeError as exc:
            raise ContentError(
                [
                    Problem(
                        file=str(path),
                        field="(file)",
                        expected=f"valid JSON at line {exc.lineno}: {exc.msg}",
                    )
                ]
            ) from None
        if not isinstance(data, dict):
            raise ContentError(
                [
                    Problem(
                        file=str(path),
                        field="(file)",
                        expected='an object {"student": "ISO 8601 time", ...}',
                    )
                ]
            )
        pairs = [(student, student, value) for student, value in data.items()]
    else:
        rows = _csv_rows(path, MANIFEST_COLUMNS, MANIFEST_COLUMNS)
        pairs = [
            (f"line {line}.submitted_at", row["student"], row["submitted_at"])
            for line, row in enumerate(rows, start=2)
        ]
    times: dict[str, datetime] = {}
    problems: list[Problem] = []
    for field, student, raw in pairs:
        try:
            if not isinstance(raw, str) or not student:
                raise ValueError
            times[student] = parse_time(raw)
        except ValueError:
            problems.append(
                Problem(
                    file=str(path),
                    field=field,
                    expected=f"a student and an ISO 8601 time such as 2030-01-31T23:59:00Z; got {raw!r}",
                )
            )
    if problems:
        raise ContentError(problems)
    return SubmissionTimes(path=str(path), times=times)


def find_manifest(submissions: Path) -> Path | None:
    """A manifest the platform left at the top of the submissions folder."""
    return next(
        (submissions / name for name in MANIFEST_NAMES if (submissions / name).is_file()), None
    )
