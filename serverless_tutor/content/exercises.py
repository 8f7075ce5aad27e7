"""Graded exercises: one folder per exercise under exercises/<id>/.

A folder holds:
  exercise.yaml        the spec (ExerciseSpec below): instructions, function config,
                       resources to create before each run, and the test cases
  handler.py           the starter the learner copies into their workspace
  hints.md             hints, separated by lines holding only '---'
  solution/handler.py  the reference solution (must pass every test)
  checks.py            optional: Python checks named by tests; they run in the
                       grading process, never in the sandbox that runs the handler

Everything is validated at load; a bad file fails with its path, the field and what
was expected (ContentError of Problems), like every other content kind.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from serverless_tutor.cloud.faults import FaultPlan
from serverless_tutor.limits import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    MAX_MEMORY_MB,
    MAX_TIMEOUT_S,
    MIN_MEMORY_MB,
)
from serverless_tutor.problems import ContentError, Problem, problems_from_validation
from serverless_tutor.yaml_files import load_yaml_mapping

SPEC_FILE = "exercise.yaml"
STARTER_FILE = "handler.py"
HINTS_FILE = "hints.md"
SOLUTION_FILE = "solution/handler.py"
# Marks a copy of an exercise made for grading only (e.g. in a GitHub Classroom
# template that students can read): its solution was left out on purpose.
GRADING_ONLY_FILE = ".grading-only"
CHECKS_FILE = "checks.py"
SECTIONS = range(1, 12)

# Strings of this form in an expected value match by kind, not by equality.
MATCHERS = {
    "<any>": "any value",
    "<string>": "a string",
    "<number>": "a number",
    "<iso8601>": "an ISO 8601 date-time string such as 2025-01-31T12:00:00Z",
    "<request_id>": "the aws_request_id of the invocation (context.aws_request_id)",
    "<nonempty>": "a non-empty value",
}

_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
_NAME_PATTERN = r"^[A-Za-z0-9._-]{1,63}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- function and resources -------------------------------------------------------


class FunctionSpec(_Strict):
    handler: str = Field(
        default="handler.py:lambda_handler",
        pattern=r"^[A-Za-z0-9_/]+\.py:[A-Za-z_][A-Za-z0-9_]*$",
        description="'file.py:function' inside the learner's code folder",
    )
    memory_mb: int = Field(default=DEFAULT_MEMORY_MB, ge=MIN_MEMORY_MB, le=MAX_MEMORY_MB)
    timeout_s: float = Field(default=DEFAULT_TIMEOUT_S, gt=0, le=MAX_TIMEOUT_S)
    environment: dict[str, str] = Field(
        default_factory=dict, description="values may use ${ACCOUNT_ID} and ${REGION}"
    )

    @property
    def handler_file(self) -> str:
        return self.handler.split(":", 1)[0]

    @property
    def handler_function(self) -> str:
        return self.handler.split(":", 1)[1]


class TableSpec(_Strict):
    name: str = Field(pattern=_NAME_PATTERN)
    key: dict[str, Literal["S", "N", "B"]] = Field(
        min_length=1,
        max_length=2,
        description="hash key first, then an optional range key: {attribute: S|N|B}",
    )
    items: list[dict[str, Any]] = Field(default_factory=list)


class BucketSpec(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    objects: dict[str, str] = Field(default_factory=dict, description="key -> text content")


class QueueSpec(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,80}$")
    messages: list[str] = Field(default_factory=list)


class SubscriptionSpec(_Strict):
    """An SNS topic delivering to an SQS queue (so a test can see what was published)."""

    topic: str
    queue: str
    raw: bool = Field(
        default=True,
        description="RawMessageDelivery: the queue gets the message itself, not the SNS envelope",
    )
    filter_policy: dict[str, Any] | None = None


class Resources(_Strict):
    """Created in a fresh local account before every test case."""

    tables: list[TableSpec] = Field(default_factory=list)
    buckets: list[BucketSpec] = Field(default_factory=list)
    queues: list[QueueSpec] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    subscriptions: list[SubscriptionSpec] = Field(default_factory=list)
    ses_senders: list[str] = Field(
        default_factory=list, description="verified SES email identities"
    )

    @model_validator(mode="after")
    def _subscriptions_name_resources(self) -> Resources:
        queues = {queue.name for queue in self.queues}
        for subscription in self.subscriptions:
            if subscription.topic not in self.topics:
                raise ValueError(
                    f"subscription topic {subscription.topic!r} is not listed under 'topics'"
                )
            if subscription.queue not in queues:
                raise ValueError(
                    f"subscription queue {subscription.queue!r} is not listed under 'queues'"
                )
        return self


class Setup(_Strict):
    """Data added to the resources for one test case only."""

    items: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict, description="table name -> items to put"
    )
    objects: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="bucket -> {key: text}"
    )
    messages: dict[str, list[str]] = Field(
        default_factory=dict, description="queue name -> bodies to send"
    )


# --- events -----------------------------------------------------------------------


class EventSpec(_Strict):
    """An event: `inline`, or a `sample` with dotted-path `overrides`.

    `json_body` sets `body` to the JSON text of the value (API Gateway events).
    `records` builds Records[] from the sample's first record, one per entry, each
    with its own dotted-path overrides (SQS, SNS, S3 batches).
    """

    inline: Any = None
    sample: str | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)
    json_body: Any = None
    records: list[dict[str, Any]] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> EventSpec:
        if (self.inline is None) == (self.sample is None):
            raise ValueError(
                "give exactly one of 'inline' (the event itself) or 'sample' (a sample event name)"
            )
        if self.inline is not None and (
            self.overrides or self.json_body is not None or self.records is not None
        ):
            raise ValueError(
                "'overrides', 'json_body' and 'records' apply to a 'sample' event, not to an 'inline' one"
            )
        return self

    @field_validator("sample")
    @classmethod
    def _known_sample(cls, sample: str | None) -> str | None:
        if sample is None:
            return None
        from serverless_tutor.runtime.events import SAMPLE_SOURCES

        if sample not in SAMPLE_SOURCES:
            raise ValueError(
                f"unknown sample event {sample!r}; known: {', '.join(sorted(SAMPLE_SOURCES))}"
            )
        return sample

    def build(self) -> Any:
        """The event as the handler will receive it (a fresh copy every time)."""
        if self.sample is None:  # then it is inline: the validator allows exactly one
            return copy.deepcopy(self.inline)
        from serverless_tutor.runtime.events import sample_event, set_path

        event = sample_event(self.sample, overrides=dict(self.overrides) or None)
        if self.json_body is not None:
            event["body"] = json.dumps(self.json_body)
        if self.records is not None:
            template = event["Records"][0]
            event["Records"] = []
            for record_overrides in self.records:
                record = copy.deepcopy(template)
                for path, value in record_overrides.items():
                    set_path(record, path, value)
                event["Records"].append(record)
        return event


# --- test cases -------------------------------------------------------------------


class InvokeStep(_Strict):
    event: EventSpec | None = Field(default=None, description="defaults to the test case's event")
    times: int = Field(default=1, ge=1, le=20, description="invocations, one after another")
    concurrent: int = Field(
        default=1,
        ge=1,
        le=5,
        description="invocations in flight together; each is held at its first AWS call until all are",
    )
    cold_start: bool = Field(
        default=False, description="reclaim every environment first, as after a long idle time"
    )


class TableExpectation(_Strict):
    count: int | None = Field(default=None, ge=0)
    items: list[dict[str, Any]] = Field(
        default_factory=list, description="each must match (as a subset) some item"
    )
    key: dict[str, Any] | None = Field(default=None, description="one item by key ...")
    item: dict[str, Any] | None = Field(default=None, description="... must match this subset")

    @model_validator(mode="after")
    def _key_with_item(self) -> TableExpectation:
        if (self.key is None) != (self.item is None):
            raise ValueError("'key' and 'item' go together: the item at that key must match 'item'")
        return self


class BucketExpectation(_Strict):
    objects: dict[str, str] = Field(default_factory=dict, description="key -> exact text content")
    absent: list[str] = Field(default_factory=list, description="keys that must not exist")
    count: int | None = Field(default=None, ge=0, description="number of objects in the bucket")


class QueueExpectation(_Strict):
    count: int | None = Field(default=None, ge=0, description="messages waiting in the queue")
    bodies: list[Any] = Field(
        default_factory=list,
        description="each must match (JSON subset, or exact text) some message body",
    )


class EmailExpectation(_Strict):
    count: int | None = Field(default=None, ge=0, description="emails sent during the test")
    to: list[str] = Field(
        default_factory=list, description="each address must have received an email"
    )
    subject_contains: str | None = None
    body_contains: str | None = None


class LifecycleExpectation(_Strict):
    cold_starts: int | None = Field(default=None, ge=0)
    warm_starts: int | None = Field(default=None, ge=0)
    environments: int | None = Field(
        default=None, ge=0, description="distinct execution environments used"
    )
    init_once_per_environment: bool = Field(
        default=False, description="INIT ran exactly once in every environment used"
    )


class CallsExpectation(_Strict):
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)


class Expectations(_Strict):
    # HTTP-style responses (API Gateway proxy): statusCode, headers, JSON body.
    status: int | None = Field(default=None, ge=100, le=599)
    headers: dict[str, str] = Field(
        default_factory=dict, description="subset; names compare case-insensitively"
    )
    body: Any = Field(default=None, description="JSON subset of the parsed body")
    # Any function: the raw return value, as a JSON subset.
    returns: Any = None
    returns_none: bool = False
    error_type: str | None = Field(
        default=None, description="the invocation must fail with this errorType"
    )
    tables: dict[str, TableExpectation] = Field(default_factory=dict)
    buckets: dict[str, BucketExpectation] = Field(default_factory=dict)
    queues: dict[str, QueueExpectation] = Field(default_factory=dict)
    emails: EmailExpectation | None = None
    calls: dict[str, CallsExpectation] = Field(
        default_factory=dict, description="'service:Operation' -> call count bounds"
    )
    lifecycle: LifecycleExpectation | None = None
    max_billed_ms: int | None = Field(
        default=None, ge=1, description="ceiling for every invocation's billed duration"
    )
    max_cost_usd: float | None = Field(
        default=None, gt=0, description="ceiling for the test's invocations (requests + compute)"
    )
    python: list[str] = Field(default_factory=list, description="names of functions in checks.py")

    @field_validator("calls")
    @classmethod
    def _call_names(cls, calls: dict[str, CallsExpectation]) -> dict[str, CallsExpectation]:
        bad = [name for name in calls if name.count(":") != 1]
        if bad:
            raise ValueError(
                f"call names look like 'dynamodb:PutItem' (or 'dynamodb:*'); got {', '.join(map(repr, bad))}"
            )
        return calls


class TestCase(_Strict):
    __test__ = False  # not a pytest class

    name: str = Field(min_length=1)
    task_id: int | None = Field(default=None, ge=1)
    event: EventSpec | None = None
    setup: Setup | None = None
    invoke: list[InvokeStep] = Field(default_factory=lambda: [InvokeStep()], min_length=1)
    expect: Expectations
    tip: str | None = Field(default=None, description="shown with a failure: what to look at")
    visibility: Literal["public", "hidden"] = "public"
    points: int = Field(default=1, ge=0)
    faults: FaultPlan | None = Field(
        default=None,
        description="a fault plan in force for this test (see cloud/faults.py): calls that fail "
        "halfway, deliveries that repeat",
    )
    redeliver: int = Field(
        default=0,
        ge=0,
        le=5,
        description="an invocation that fails is delivered again, up to this many times, as SQS "
        "or an async retry would",
    )

    @model_validator(mode="after")
    def _every_step_has_an_event(self) -> TestCase:
        if self.event is None and any(step.event is None for step in self.invoke):
            raise ValueError(
                "give the test an 'event', or give every step in 'invoke' its own 'event'"
            )
        return self

    @property
    def invocation_count(self) -> int:
        return sum(step.times * step.concurrent for step in self.invoke)


class ExerciseSpec(_Strict):
    id: str = Field(pattern=_ID_PATTERN)
    title: str = Field(min_length=1)
    section: int = Field(
        ge=SECTIONS.start, le=SECTIONS.stop - 1, description="chapter section 1-11"
    )
    difficulty: Literal["beginner", "intermediate", "advanced"]
    points: int = Field(ge=1, description="the sum of the test cases' points")
    summary: str = Field(min_length=1, description="one line shown in lists")
    instructions: str = Field(min_length=1, description="Markdown")
    function: FunctionSpec = Field(default_factory=FunctionSpec)
    resources: Resources = Field(default_factory=Resources)
    tests: list[TestCase] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ExerciseSpec:
        total = sum(test.points for test in self.tests)
        if total != self.points:
            raise ValueError(f"'points' is {self.points} but the tests' points add up to {total}")
        names = [test.name for test in self.tests]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(
                f"test names must be unique; repeated: {', '.join(map(repr, duplicates))}"
            )
        return self


class Exercise(BaseModel):
    """A loaded exercise: the spec plus where its files are."""

    model_config = ConfigDict(frozen=True)

    spec: ExerciseSpec
    folder: Path
    hints: list[str]

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def starter(self) -> Path:
        return self.folder / STARTER_FILE

    @property
    def solution(self) -> Path:
        return self.folder / SOLUTION_FILE

    @property
    def checks(self) -> Path | None:
        path = self.folder / CHECKS_FILE
        return path if path.is_file() else None


# --- loading ----------------------------------------------------------------------


def parse_hints(text: str) -> list[str]:
    hints: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip() == "---":
            hints.append("\n".join(current).strip())
            current = []
        else:
            current.append(line)
    hints.append("\n".join(current).strip())
    return [hint for hint in hints if hint]


def _defined_functions(path: Path) -> set[str] | None:
    """Top-level function names in a Python file, or None if it does not parse."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError, OSError):
        return None
    return {
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def _not_utf8(path: Path) -> Problem | None:
    """A problem naming the first byte that is not UTF-8, or None when the file reads as text."""
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return Problem(
            file=str(path),
            field="(file)",
            expected=f"UTF-8 text; byte {exc.start} is not ({exc.reason})",
        )
    except OSError as exc:
        return Problem(file=str(path), field="(file)", expected=f"a readable file ({exc.strerror})")
    return None


def load_exercise(folder: Path) -> Exercise:
    """Load and check one exercise folder; raise ContentError listing every problem."""
    spec_path = folder / SPEC_FILE
    raw = load_yaml_mapping(spec_path)
    try:
        spec = ExerciseSpec.model_validate(raw)
    except ValidationError as exc:
        raise ContentError(problems_from_validation(spec_path, exc)) from None

    problems: list[Problem] = []
    if spec.id != folder.name:
        problems.append(
            Problem(
                file=str(spec_path),
                field="id",
                expected=f"the folder name {folder.name!r}; got {spec.id!r}",
            )
        )
    hints: list[str] = []
    hints_path = folder / HINTS_FILE
    if not hints_path.is_file():
        problems.append(
            Problem(
                file=str(hints_path),
                field="(file)",
                expected="a hints file (hints separated by '---' lines)",
            )
        )
    elif (unreadable := _not_utf8(hints_path)) is not None:
        problems.append(unreadable)
    else:
        hints = parse_hints(hints_path.read_text(encoding="utf-8"))
        if not hints:
            problems.append(
                Problem(file=str(hints_path), field="(file)", expected="at least one hint")
            )
    handler_name = spec.function.handler_function
    handlers = [("starter", folder / STARTER_FILE)]
    if not (folder / GRADING_ONLY_FILE).is_file():
        handlers.append(("solution", folder / SOLUTION_FILE))
    for label, path in handlers:
        functions = _defined_functions(path) if path.is_file() else None
        if not path.is_file():
            problems.append(
                Problem(file=str(path), field="(file)", expected=f"the {label} handler")
            )
        elif (unreadable := _not_utf8(path)) is not None:
            problems.append(unreadable)
        elif functions is None:
            problems.append(
                Problem(
                    file=str(path),
                    field="(file)",
                    expected=f"the {label} handler to be valid Python",
                )
            )
        elif handler_name not in functions:
            problems.append(
                Problem(
                    file=str(path),
                    field=handler_name,
                    expected=f"the {label} to define {handler_name}(event, context)",
                )
            )
    problems.extend(_check_python_checks(folder, spec))
    problems.extend(_check_events(spec_path, spec))
    problems.extend(_check_resource_names(spec_path, spec))
    if problems:
        raise ContentError(problems)
    return Exercise(spec=spec, folder=folder, hints=hints)


def _check_python_checks(folder: Path, spec: ExerciseSpec) -> list[Problem]:
    checks_path = folder / CHECKS_FILE
    if checks_path.is_file() and (unreadable := _not_utf8(checks_path)) is not None:
        return [unreadable]
    wanted = {(index, name) for index, test in enumerate(spec.tests) for name in test.expect.python}
    if not wanted:
        return []
    available = _defined_functions(checks_path) if checks_path.is_file() else None
    if available is None:
        return [
            Problem(
                file=str(checks_path),
                field="(file)",
                expected="a valid Python file defining the checks the tests name",
            )
        ]
    return [
        Problem(
            file=str(folder / SPEC_FILE),
            field=f"tests.{index}.expect.python",
            expected=f"a function {name!r} defined in {CHECKS_FILE}",
        )
        for index, name in sorted(wanted)
        if name not in available
    ]


def _check_events(spec_path: Path, spec: ExerciseSpec) -> list[Problem]:
    problems = []
    for index, test in enumerate(spec.tests):
        specs = [("event", test.event)] + [
            (f"invoke.{i}.event", step.event) for i, step in enumerate(test.invoke)
        ]
        for field, event_spec in specs:
            if event_spec is None:
                continue
            try:
                event_spec.build()
            except (KeyError, IndexError, TypeError, ValueError) as exc:
                problems.append(
                    Problem(
                        file=str(spec_path),
                        field=f"tests.{index}.{field}",
                        expected=f"overrides that fit the sample event ({exc})",
                    )
                )
    return problems


def _check_resource_names(spec_path: Path, spec: ExerciseSpec) -> list[Problem]:
    tables = {table.name for table in spec.resources.tables}
    buckets = {bucket.name for bucket in spec.resources.buckets}
    queues = {queue.name for queue in spec.resources.queues}
    problems = []
    for index, test in enumerate(spec.tests):
        references = [("expect.tables", name, tables) for name in test.expect.tables]
        references += [("expect.buckets", name, buckets) for name in test.expect.buckets]
        references += [("expect.queues", name, queues) for name in test.expect.queues]
        if test.setup:
            references += [("setup.items", name, tables) for name in test.setup.items]
            references += [("setup.objects", name, buckets) for name in test.setup.objects]
            references += [("setup.messages", name, queues) for name in test.setup.messages]
        for field, name, known in references:
            if name not in known:
                problems.append(
                    Problem(
                        file=str(spec_path),
                        field=f"tests.{index}.{field}.{name}",
                        expected=f"a name listed under resources ({', '.join(sorted(known)) or 'none listed'})",
                    )
                )
    return problems


def load_exercises(root: Path) -> list[Exercise]:
    """Every exercise folder under root, in section order; all problems collected before failing."""
    exercises: list[Exercise] = []
    problems: list[Problem] = []
    for spec_path in sorted(root.glob(f"*/{SPEC_FILE}")):
        try:
            exercises.append(load_exercise(spec_path.parent))
        except ContentError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ContentError(problems)
    return sorted(exercises, key=lambda exercise: (exercise.spec.section, exercise.id))


def shipped_exercises() -> list[Exercise]:
    from serverless_tutor.paths import exercises_dir

    return load_exercises(exercises_dir())


def shipped_exercise(exercise_id: str) -> Exercise | None:
    """One shipped exercise, loading and checking only its own folder (None: no such exercise).

    A verb that needs one exercise (`check ID`, `hint ID`, ...) need not parse and
    validate all of them, which costs several times more than the one.
    """
    from serverless_tutor.paths import exercises_dir

    if re.fullmatch(_ID_PATTERN, exercise_id) is None:  # never a path: no "..", no "/"
        return None
    folder = exercises_dir() / exercise_id
    if not (folder / SPEC_FILE).is_file():
        return None
    return load_exercise(folder)


def find_exercise(exercises: list[Exercise], exercise_id: str) -> Exercise | None:
    return next((exercise for exercise in exercises if exercise.id == exercise_id), None)


def exercise_folder_of(path: Path) -> Path | None:
    """The exercise folder a file belongs to (it, its parent or grandparent holds exercise.yaml)."""
    for candidate in (path.parent, path.parent.parent):
        if (candidate / SPEC_FILE).is_file():
            return candidate
    return None


# --- `serverless-tutor validate` (registered in content/validate.py KINDS) ----------


def claims_file(path: Path) -> bool:
    return exercise_folder_of(path) is not None


def validate_files(paths: list[Path]) -> list[Problem]:
    problems: list[Problem] = []
    folders = {folder for folder in map(exercise_folder_of, paths) if folder is not None}
    for folder in sorted(folders):
        try:
            load_exercise(folder)
        except ContentError as exc:
            problems.extend(exc.problems)
    return problems


def shipped_files() -> list[Path]:
    from serverless_tutor.paths import exercises_dir

    return sorted(exercises_dir().glob(f"*/{SPEC_FILE}"))
