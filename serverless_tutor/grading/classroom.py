"""Grade a class: every student's submission for every exercise of a pack.

Layout of the submissions folder (never modified; files are only read):

    <submissions>/<student>/<exercise-id>/handler.py     (the exercise's handler file)
    <submissions>/<student>/<exercise-id>.py             (also accepted)

Folders whose names start with "." or "_" (.git, __MACOSX) are not students.

How it runs. Each (student, exercise) pair is one job. Jobs go to a few grading
processes (grading/class_worker.py), one per job slot, each with its own Grader: a
Grader owns a sandbox template, a local account and a clock, and grades one
submission at a time, and moto serializes its calls process-wide, so parallel
grading needs separate processes, not threads. The coordinator (this module) owns
a wall-clock budget per submission: when a pair overruns it, the pair is recorded as
ungraded and the coordinator kills that process's sandboxed handler processes (every
0.2 s) until the grader reports the job over; the process then takes the next job.
Only a process that does not report within CANCEL_GRACE_S is killed and replaced
(starting a new one costs seconds).
The handler's own Lambda timeout normally ends a runaway invocation long before.

Results are written as they arrive, one JSON file per pair under <out>/results/,
each atomically (temporary file, fsync, rename), so an interrupted run loses
nothing. With resume=True a pair is skipped when its record is final (not
"ungraded") and was made from the same submission bytes and the same exercise.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from serverless_tutor.content.exercises import CHECKS_FILE, SPEC_FILE, Exercise
from serverless_tutor.content.packs import Pack
from serverless_tutor.grading.class_roster import SubmissionTimes
from serverless_tutor.grading.results import CheckResult

RecordStatus = Literal["pass", "fail", "error", "missing", "ungraded"]
RESULTS_FOLDER = "results"
LOGS_FOLDER = "logs"
DEFAULT_BUDGET_S = 60.0
STARTUP_LIMIT_S = (
    120.0  # a grading process must be ready (sandbox template up, moto loaded) within this
)
MAX_SUBMISSION_BYTES = 1_000_000
CANCEL_GRACE_S = (
    20.0  # a process stopping an overrun job must report within this, or it is replaced
)
CANCEL_POLL_S = 0.2  # how often its handler processes are killed while it stops
SCRATCH_PREFIX = (
    "serverless-tutor-class-"  # + coordinator pid: temporary folders of the grading processes
)
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent

RecordCallback = Callable[["GradeRecord", int, int], None]  # (record, done, total)


class ClassSetupError(ValueError):
    """The inputs cannot be graded at all (bad folder, no students, output inside the submissions)."""


class GradeRecord(BaseModel):
    """The outcome for one student and one exercise, as written to results/<student>/<exercise>.json.

    points/maxPoints are the exercise's own points; the gradebook applies the
    pack's points or weight.
    """

    model_config = ConfigDict(populate_by_name=True)

    version: Literal[1] = 1
    student: str
    exercise: str
    status: RecordStatus = Field(
        description="pass/fail/error come from the tests; missing: no file; "
        "ungraded: the grader could not finish (re-run with --resume)"
    )
    points: int = 0
    max_points: int = Field(alias="maxPoints")
    message: str | None = None
    submission: str | None = Field(
        default=None, description="path relative to the submissions folder"
    )
    submission_sha256: str | None = None
    exercise_sha256: str
    late: bool | None = Field(
        default=None,
        description="submitted after the pack's due date (None: no due date, or no submission time)",
    )
    submitted_at: datetime | None = Field(
        default=None,
        description="from the platform's manifest when there is one, else the file's modification time",
    )
    submitted_from: Literal["manifest", "file"] | None = None
    seconds: float = 0.0
    graded_at: datetime
    result: CheckResult | None = Field(
        default=None, description="the full Exercism v3 result, when graded"
    )

    @property
    def final(self) -> bool:
        return self.status != "ungraded"


class ClassRun(BaseModel):
    pack: str
    submissions: str
    out: str
    students: list[str]
    records: list[GradeRecord] = Field(description="student by student, exercises in pack order")
    graded: int = Field(description="pairs graded in this run (sandbox runs)")
    reused: int = Field(description="pairs taken from an earlier run (--resume)")
    seconds: float
    jobs: int
    processes_started: int = Field(
        default=0,
        description="grading processes started: the job slots, plus one per process that had to "
        "be replaced (crashed, or did not stop an overrun job)",
    )

    @property
    def ungraded(self) -> list[GradeRecord]:
        return [record for record in self.records if record.status == "ungraded"]


@dataclass
class _Pair:
    student: str
    exercise: Exercise
    path: Path | None
    relative: str | None
    sha256: str | None
    late: bool | None
    problem: str | None  # why it is missing or refused
    submitted_at: datetime | None = None
    submitted_from: Literal["manifest", "file"] | None = None


# --- discovery --------------------------------------------------------------------


def find_students(submissions: Path) -> list[str]:
    return sorted(
        entry.name
        for entry in submissions.iterdir()
        if entry.is_dir() and not entry.name.startswith((".", "_"))
    )


def check_folders(submissions: Path, out: Path) -> None:
    if not submissions.is_dir():
        raise ClassSetupError(f"{submissions}: not a folder of submissions")
    root, target = submissions.resolve(), out.resolve()
    if target == root or target.is_relative_to(root):
        raise ClassSetupError(
            f"--out {out} is inside the submissions folder; put the results somewhere else"
        )
    if not find_students(submissions):
        raise ClassSetupError(
            f"{submissions}: no student folders; expected <student>/<exercise-id>/handler.py "
            "or <student>/<exercise-id>.py"
        )


def exercise_sha256(exercise: Exercise) -> str:
    """What grading depends on: the spec and the exercise's own checks."""
    digest = hashlib.sha256()
    for name in (SPEC_FILE, CHECKS_FILE):
        path = exercise.folder / name
        digest.update(
            name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0"
        )
    return digest.hexdigest()


def _find_pair(
    submissions: Path,
    student: str,
    exercise: Exercise,
    due: datetime | None,
    times: SubmissionTimes | None = None,
) -> _Pair:
    handler_file = exercise.spec.function.handler_file
    candidates = [
        submissions / student / exercise.id / handler_file,
        submissions / student / f"{exercise.id}.py",
    ]
    path = next((candidate for candidate in candidates if candidate.is_file()), None)
    if path is None:
        return _Pair(
            student,
            exercise,
            None,
            None,
            None,
            None,
            f"No submission: expected {student}/{exercise.id}/{handler_file} or {student}/{exercise.id}.py.",
        )
    relative = path.relative_to(submissions).as_posix()
    if not path.resolve().is_relative_to(submissions.resolve()):
        return _Pair(
            student,
            exercise,
            None,
            relative,
            None,
            None,
            f"Not graded: {relative} links to a file outside the submissions folder.",
        )
    try:
        stat = path.stat()
        if stat.st_size > MAX_SUBMISSION_BYTES:
            return _Pair(
                student,
                exercise,
                None,
                relative,
                None,
                None,
                f"Not graded: {relative} is {stat.st_size:,} bytes; a handler file may be at most {MAX_SUBMISSION_BYTES:,}.",
            )
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return _Pair(
            student,
            exercise,
            None,
            relative,
            None,
            None,
            f"Not graded: {relative} cannot be read ({exc.strerror}).",
        )
    # A manifest's time, when the platform gave one: copying or unzipping changes modification times.
    if times is not None:
        submitted_at, source = times.times.get(student), "manifest"
    else:
        submitted_at, source = datetime.fromtimestamp(stat.st_mtime, UTC), "file"
    late = None if due is None or submitted_at is None else submitted_at > due
    return _Pair(
        student,
        exercise,
        path,
        relative,
        sha,
        late,
        None,
        submitted_at,
        "manifest" if source == "manifest" else "file",
    )


# --- records on disk --------------------------------------------------------------


def record_path(out: Path, student: str, exercise_id: str) -> Path:
    return out / RESULTS_FOLDER / student / f"{exercise_id}.json"


def write_atomically(path: Path, text: str) -> None:
    """Write text so that a crash leaves either the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def save_record(out: Path, record: GradeRecord) -> Path:
    path = record_path(out, record.student, record.exercise)
    write_atomically(
        path,
        json.dumps(record.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False)
        + "\n",
    )
    return path


def load_record(out: Path, student: str, exercise_id: str) -> GradeRecord | None:
    """A record written earlier, or None when there is none or it cannot be read (it is then graded again)."""
    try:
        return GradeRecord.model_validate_json(record_path(out, student, exercise_id).read_bytes())
    except (OSError, ValidationError):
        return None


def _reusable(record: GradeRecord | None, pair: _Pair, digest: str) -> bool:
    if record is None or not record.final or record.exercise_sha256 != digest:
        return False
    if pair.path is None:  # still no file (a refused file is never final, so it is looked at again)
        return record.status == "missing" and pair.relative is None
    return record.submission == pair.relative and record.submission_sha256 == pair.sha256


def _now() -> datetime:
    return datetime.now(UTC)


def _record(
    pair: _Pair,
    digest: str,
    status: RecordStatus,
    message: str | None,
    *,
    result: CheckResult | None = None,
    seconds: float = 0.0,
) -> GradeRecord:
    return GradeRecord(
        student=pair.student,
        exercise=pair.exercise.id,
        status=status,
        points=result.points if result is not None else 0,
        max_points=pair.exercise.spec.points,
        message=message,
        submission=pair.relative,
        submission_sha256=pair.sha256,
        exercise_sha256=digest,
        late=pair.late,
        submitted_at=pair.submitted_at,
        submitted_from=pair.submitted_from if pair.submitted_at is not None else None,
        seconds=round(seconds, 3),
        graded_at=_now(),
        result=result,
    )


def _from_result(pair: _Pair, digest: str, result: CheckResult, seconds: float) -> GradeRecord:
    if result.status == "error" and not result.tests:
        # Nothing ran (the sandbox could not start): the grader's failure, not the student's.
        return _record(pair, digest, "ungraded", result.message, result=result, seconds=seconds)
    return _record(pair, digest, result.status, result.message, result=result, seconds=seconds)


# --- the run ----------------------------------------------------------------------


def default_jobs() -> int:
    return max(
        1,
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )


def grade_class(
    pack: Pack,
    submissions: Path,
    out: Path,
    *,
    jobs: int | None = None,
    resume: bool = False,
    budget_s: float = DEFAULT_BUDGET_S,
    on_record: RecordCallback | None = None,
    times: SubmissionTimes | None = None,
) -> ClassRun:
    """Grade every (student, exercise) pair; write each record as it is done; return them all.

    `times`: when each student submitted (a platform's manifest); lateness then comes from
    it instead of the files' modification times."""
    submissions, out = Path(submissions), Path(out)
    check_folders(submissions, out)
    # The grading processes work in folders of their own: every path they get is absolute.
    shown_submissions, submissions = str(submissions), submissions.absolute()
    if not math.isfinite(budget_s) or budget_s <= 0:
        raise ClassSetupError("the per-submission budget must be a number of seconds more than 0")
    started = time.monotonic()
    students = find_students(submissions)
    digests = {exercise.id: exercise_sha256(exercise) for exercise in pack.exercises}
    due = pack.spec.due_at
    pairs = [
        _find_pair(submissions, student, exercise, due, times)
        for student in students
        for exercise in pack.exercises
    ]

    records: dict[tuple[str, str], GradeRecord] = {}
    total = len(pairs)

    def finish(record: GradeRecord, *, write: bool = True) -> None:
        if write:
            save_record(out, record)
        records[(record.student, record.exercise)] = record
        if on_record is not None:
            on_record(record, len(records), total)

    to_grade: list[_Pair] = []
    reused = 0
    for pair in pairs:
        digest = digests[pair.exercise.id]
        earlier = load_record(out, pair.student, pair.exercise.id) if resume else None
        if earlier is not None and _reusable(earlier, pair, digest):
            reused += 1
            when = {
                "late": pair.late,
                "submitted_at": pair.submitted_at,
                "submitted_from": pair.submitted_from if pair.submitted_at is not None else None,
            }
            changed = any(getattr(earlier, key) != value for key, value in when.items())
            finish(earlier.model_copy(update=when), write=changed)
        elif pair.path is None and pair.relative is None:
            finish(_record(pair, digest, "missing", pair.problem))
        elif pair.problem is not None:
            finish(_record(pair, digest, "ungraded", pair.problem))
        else:
            to_grade.append(pair)

    def graded(
        pair: _Pair,
        status: RecordStatus,
        message: str | None,
        result: CheckResult | None,
        seconds: float,
    ) -> None:
        digest = digests[pair.exercise.id]
        if result is not None:
            finish(_from_result(pair, digest, result, seconds))
        else:
            finish(_record(pair, digest, status, message, seconds=seconds))

    slots = max(1, jobs if jobs is not None else default_jobs())
    started_processes = 0
    if to_grade:
        pool = _GradingPool(pack, out, min(slots, len(to_grade)), budget_s)
        pool.run(to_grade, graded)
        started_processes = len(pool.processes)

    ordered = [records[(pair.student, pair.exercise.id)] for pair in pairs]
    return ClassRun(
        pack=pack.id,
        submissions=shown_submissions,
        out=str(out),
        students=students,
        records=ordered,
        graded=len(to_grade),
        reused=reused,
        seconds=round(time.monotonic() - started, 3),
        jobs=slots,
        processes_started=started_processes,
    )


# --- grading processes ------------------------------------------------------------


def _remove_stale_scratch() -> None:
    """Scratch folders left by class runs that were killed outright: their coordinator is gone and no
    grading process of theirs still works in them (an orphan exits within a second of its parent)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SCRATCH_PREFIX}*-*"):
        pid = folder.name.removeprefix(SCRATCH_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)) and not scratch_in_use(folder):
            shutil.rmtree(folder, ignore_errors=True)


def scratch_in_use(folder: Path) -> bool:
    """Whether a process works in the folder (grading processes run with their scratch as cwd). Linux /proc."""
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if Path(os.readlink(entry / "cwd")).is_relative_to(folder):
                return True
        except OSError:
            continue
    return False


def _children_by_parent() -> dict[int, list[int]]:
    """Parent pid -> child pids, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat_line = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'
        fields = stat_line[stat_line.rfind(")") + 2 :].split()
        if len(fields) > 1 and fields[1].isdigit():
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class _GradingProcess:
    """One `class_worker` process and what it is doing."""

    def __init__(
        self,
        number: int,
        exercise_folders: list[str],
        scratch: Path,
        log_path: Path,
        inbox: queue.Queue,
    ):
        self.number = number
        self.log_path = log_path
        self.scratch = scratch / f"worker-{number}"
        self.scratch.mkdir(parents=True)
        env = dict(os.environ)
        env["TMPDIR"] = str(
            self.scratch
        )  # every temporary folder of this process and its sandbox lives here
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(_PACKAGE_ROOT), env.get("PYTHONPATH")])
        )
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "serverless_tutor.grading.class_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                cwd=str(self.scratch),
                start_new_session=True,
                text=True,
                encoding="utf-8",
            )
        self.ready = False
        self.retired = False
        self.pair: _Pair | None = None
        self.job = 0
        # A job stopped for overrunning the budget: its result, when it comes, is dropped.
        self.cancelled_job: int | None = None
        self.cancel_until = 0.0
        self.dispatched = 0.0
        self.deadline = time.monotonic() + STARTUP_LIMIT_S
        threading.Thread(
            target=self._read, args=(inbox,), name=f"class-grader-{number}", daemon=True
        ).start()
        self.send({"t": "setup", "exercises": exercise_folders})

    def _read(self, inbox: queue.Queue) -> None:
        """Forward each reply to the coordinator; None once the process has gone (its end of the pipe closed)."""
        assert self.proc.stdout is not None
        with self.proc.stdout as replies:
            for line in replies:
                try:
                    message = json.loads(line)
                except json.JSONDecodeError:
                    message = {"t": "garbled", "text": line[:200]}
                inbox.put((self, message))
        inbox.put((self, None))

    def send(self, message: dict[str, Any]) -> bool:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
            return True
        except OSError:  # it died; its reader reports the exit
            return False

    def kill(self) -> None:
        """Kill it now. Its sandbox template sees its socket close and kills the workers it forked."""
        self.retired = True
        if (
            self.proc.poll() is None
        ):  # never signal a pid that has been reaped (it may belong to someone else now)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._close_pipes()

    def stop(self) -> None:
        """Ask it to finish: with stdin closed its Grader shuts its sandbox down and it exits (see reap)."""
        self.retired = True
        with contextlib.suppress(OSError, ValueError):
            assert self.proc.stdin is not None
            self.proc.stdin.close()

    def reap(self, timeout: float) -> None:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close_pipes()

    def _close_pipes(self) -> None:
        # stdout is the reader thread's to close: it sees end-of-file as soon as the process is gone.
        with contextlib.suppress(OSError, ValueError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()

    @property
    def waiting_on(self) -> bool:
        """Starting up or grading: something the coordinator has a deadline for."""
        return not self.retired and (
            not self.ready or self.pair is not None or self.cancelled_job is not None
        )

    @property
    def free(self) -> bool:
        return self.ready and self.pair is None and self.cancelled_job is None

    def kill_sandbox_workers(self) -> int:
        """Kill the handler processes under this grading process, not the process or its sandbox
        template: the running test ends as a crash, and the process lives on for the next job.
        Returns how many were signalled."""
        children = _children_by_parent()
        killed = 0
        for template in children.get(self.proc.pid, []):
            stack = list(children.get(template, []))
            while stack:
                pid = stack.pop()
                stack.extend(children.get(pid, []))
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
        return killed


Done = Callable[[_Pair, RecordStatus, str | None, CheckResult | None, float], None]


class _GradingPool:
    def __init__(self, pack: Pack, out: Path, slots: int, budget_s: float):
        self.folders = [str(exercise.folder) for exercise in pack.exercises]
        self.logs = out / LOGS_FOLDER
        self.slots = slots
        self.budget_s = budget_s
        self.inbox: queue.Queue = queue.Queue()
        self.processes: list[_GradingProcess] = []
        self.startup_failure: str | None = None

    def _spawn(self, scratch: Path) -> None:
        number = len(self.processes)
        self.processes.append(
            _GradingProcess(
                number, self.folders, scratch, self.logs / f"worker-{number}.log", self.inbox
            )
        )

    def run(self, pairs: list[_Pair], done: Done) -> None:
        pending = deque(pairs)
        _remove_stale_scratch()
        scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        try:
            for _ in range(self.slots):
                self._spawn(scratch)
            self._loop(pending, done, scratch)
        except BaseException:  # interrupted (Ctrl-C) or failed: the records written so far stay
            for process in self.processes:
                process.kill()
            raise
        finally:
            for process in self.processes:
                process.stop()
                process.reap(timeout=10)
            shutil.rmtree(scratch, ignore_errors=True)
            self._remove_empty_logs()

    def _loop(self, pending: deque[_Pair], done: Done, scratch: Path) -> None:
        job_numbers = iter(range(1, 1 << 62))
        while True:
            live = [process for process in self.processes if not process.retired]
            for process in live:
                if process.free:
                    if pending:
                        process.pair, process.job = pending.popleft(), next(job_numbers)
                        process.dispatched = time.monotonic()
                        process.deadline = process.dispatched + self.budget_s
                        process.send(
                            {
                                "t": "grade",
                                "job": process.job,
                                "exercise": process.pair.exercise.id,
                                "submission": str(process.pair.path),
                            }
                        )
                    else:
                        process.stop()
            busy = [process for process in self.processes if process.waiting_on]
            if not busy:
                if pending:  # every process failed to start: nothing can be graded
                    reason = self.startup_failure or "the grading processes could not start"
                    for pair in pending:
                        done(pair, "ungraded", f"Not graded: {reason}", None, 0.0)
                    pending.clear()
                return
            timeout = max(0.0, min(process.deadline for process in busy) - time.monotonic())
            try:
                process, message = self.inbox.get(timeout=timeout)
            except queue.Empty:
                self._expire(pending, done, scratch)
                continue
            if process.retired:
                continue  # a late message from a process already killed or stopped
            self._handle(process, message, pending, done, scratch)

    def _handle(
        self,
        process: _GradingProcess,
        message: dict | None,
        pending: deque[_Pair],
        done: Done,
        scratch: Path,
    ) -> None:
        kind = None if message is None else message.get("t")
        fields: dict[str, Any] = message or {}
        if (
            kind in ("result", "crashed")
            and process.cancelled_job is not None
            and fields.get("job") == process.cancelled_job
        ):
            process.cancelled_job = None  # the stopped job is over: the process takes the next one
        elif kind == "ready":
            process.ready = True
        elif kind == "failed":
            self.startup_failure = f"the grader could not start: {fields.get('message')}"
            process.stop()
        elif (
            kind in ("result", "crashed")
            and process.pair is not None
            and fields.get("job") == process.job
        ):
            pair, process.pair = process.pair, None
            seconds = time.monotonic() - process.dispatched
            if kind == "crashed":
                done(
                    pair,
                    "ungraded",
                    f"Not graded: the grader failed on this submission ({fields.get('message')}).",
                    None,
                    seconds,
                )
                return
            try:
                result = CheckResult.model_validate(fields["result"])
            except (KeyError, ValidationError) as exc:
                done(
                    pair,
                    "ungraded",
                    f"Not graded: the grading process sent an unreadable result ({exc}).",
                    None,
                    seconds,
                )
                return
            done(pair, result.status, result.message, result, seconds)
        else:  # it exited (message None) or broke the protocol
            lost, was_ready = process.pair, process.ready
            process.kill()
            code = process.proc.returncode
            what = (
                f"exited (exit status {code})"
                if message is None
                else f"broke the protocol ({str(message)[:100]})"
            )
            if lost is not None:
                done(
                    lost,
                    "ungraded",
                    f"Not graded: the grading process {what} while grading this submission "
                    f"(see {self._log_name(process)}).",
                    None,
                    time.monotonic() - process.dispatched,
                )
            if not was_ready:
                self.startup_failure = (
                    f"the grading process exited while starting (see {self._log_name(process)})"
                )
            elif pending:
                self._spawn(scratch)

    def _expire(self, pending: deque[_Pair], done: Done, scratch: Path) -> None:
        now = time.monotonic()
        for process in [p for p in self.processes if p.waiting_on and p.deadline <= now]:
            if process.cancelled_job is not None:
                self._keep_stopping(process, now, pending, scratch)
                continue
            pair = process.pair
            if pair is None:
                process.kill()
                self.startup_failure = (
                    f"the grading process did not start within {STARTUP_LIMIT_S:.0f} s"
                )
                continue
            done(
                pair,
                "ungraded",
                f"Not graded: grading this submission took longer than the {self.budget_s:g} s budget and was stopped. "
                "The handler's Lambda timeout normally ends a runaway invocation well before; "
                "re-run with a larger --budget if this exercise needs more time.",
                None,
                now - process.dispatched,
            )
            # Stop the runaway without losing the process (a new one takes seconds to start):
            # kill its sandboxed handlers until the grader gives up on the job's remaining tests.
            process.pair, process.cancelled_job = None, process.job
            process.cancel_until = now + CANCEL_GRACE_S
            self._keep_stopping(process, now, pending, scratch)

    def _keep_stopping(
        self, process: _GradingProcess, now: float, pending: deque[_Pair], scratch: Path
    ) -> None:
        if now >= process.cancel_until:  # it does not come back: replace it, as before
            process.kill()
            if pending:
                self._spawn(scratch)
            return
        process.kill_sandbox_workers()
        process.deadline = min(process.cancel_until, now + CANCEL_POLL_S)

    def _log_name(self, process: _GradingProcess) -> str:
        return f"{LOGS_FOLDER}/{process.log_path.name}"

    def _remove_empty_logs(self) -> None:
        for process in self.processes:
            with contextlib.suppress(OSError):
                if process.log_path.stat().st_size == 0:
                    process.log_path.unlink()
        with contextlib.suppress(OSError):
            self.logs.rmdir()  # only if empty
