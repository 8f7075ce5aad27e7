"""Grade a learner's handler against an exercise's tests.

The tests run here, in the grading process; the handler always runs in the
sandbox backend (one worker process per execution environment). Everything the
verdict rests on is observed from this side: the response the runtime received,
the end state of the local account, the trace of forwarded AWS calls and the
runtime's own record of environments. Nothing the handler prints or writes can
mark a test as passed.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.faults import FaultInjector, FaultPlan
from serverless_tutor.content.exercises import EventSpec, Exercise, TestCase
from serverless_tutor.grading import expectations
from serverless_tutor.grading.gate import ConcurrencyGate
from serverless_tutor.grading.policy import exercise_policy
from serverless_tutor.grading.resources import apply_setup, create_resources
from serverless_tutor.grading.results import CheckResult, Status, TestResult, cap_output
from serverless_tutor.grading.test_run import TestRun
from serverless_tutor.runtime import FunctionConfig, InvocationResult, LambdaRuntime, ManualClock
from serverless_tutor.runtime.forwarding import ForwardedRequest, ForwardedResponse
from serverless_tutor.runtime.template import SandboxUnavailable

KEEP_ALIVE_S = 600.0
# The layers a class's grades rest on: the answers hidden, the file system and the system
# calls fenced, the network and other processes out of reach. Without them `grade` refuses
# to run a submission (it is reported ungraded) rather than run it half-confined.
CLASS_GRADING_LAYERS = ("hidden-tutor-files", "landlock", "seccomp", "namespaces", "session")
MAX_TIMED_OUT_TESTS = 2  # after this many tests time out, the rest are not run
_LOG_MARKERS = (
    "START RequestId:",
    "END RequestId:",
    "REPORT RequestId:",
    "INIT_START",
    "INIT_REPORT",
)

ProgressCallback = Callable[[TestResult], None]


class Grader:
    """A grading session: one sandbox template and one local account, reused across checks.

    Starting the sandbox template (a process that has imported boto3) and loading
    moto's backends take most of a second; a long-lived Grader (the TUI, `watch`)
    pays that once. Every check still runs the learner's code in brand-new
    execution environments (a fresh code folder retires the old ones), and every
    test case starts from an empty account. One check runs at a time.
    """

    def __init__(self, *, require_isolation: tuple[str, ...] = ()) -> None:
        self.gate = ConcurrencyGate()
        self.clock = ManualClock()
        # The sandbox template (a process of its own, importing boto3) starts first, so
        # it boots while this process loads moto and sets up the account and the first
        # test's resources: a one-shot `check` pays the longer of the two, not both.
        self.runtime = LambdaRuntime(
            backend="sandbox",
            request_handler=self.gate.wrap(self._serve),
            keep_alive_s=KEEP_ALIVE_S,
            clock=self.clock,
            require_isolation=require_isolation,
        )
        self.account = LocalAccount()
        # The fault plan of the test in progress, if it has one.
        self.faults: FaultInjector | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.runtime.shutdown()
        self.account.reset()

    def _serve(self, request: ForwardedRequest) -> ForwardedResponse:
        """A handler's forwarded AWS call, served by the account of the check in progress
        (through the test's fault plan, when it has one)."""
        if self.faults is not None:
            return self.account.with_faults(self.faults)(request)
        return self.account.handle(request)

    def warm_up(self) -> None:
        """Start a throwaway environment and touch each service once, so the first real check is quick."""
        with self._lock, tempfile.TemporaryDirectory(prefix="tutor-warm-") as scratch:
            Path(scratch, "warm.py").write_text(
                "def handler(event, context):\n    return None\n", encoding="utf-8"
            )
            config = FunctionConfig(
                name="tutor-warm-up", handler="warm.py:handler", code_dir=Path(scratch)
            )
            self.runtime.invoke(config, {})
            for service, call in WARM_UP_CALLS:
                getattr(self.account.client(service), call)()
            self._retire_environments()
            self.account.reset()

    def grade(
        self,
        exercise: Exercise,
        submission: Path,
        *,
        on_test: ProgressCallback | None = None,
        faults: FaultPlan | None = None,
    ) -> CheckResult:
        """Grade the handler file `submission` (it must exist) against every test of `exercise`.

        `faults`: a fault plan in force for every test that has none of its own (an experiment).
        """
        spec = exercise.spec
        max_points = sum(test.points for test in spec.tests)
        with self._lock, tempfile.TemporaryDirectory(prefix="tutor-check-") as scratch:
            # Every submission gets an account of its own (a new account id): nothing an
            # earlier one left behind, in moto or in the outbox, can reach it.
            self.account = LocalAccount()
            # The function's code folder holds the learner's file and nothing else.
            code_dir = Path(scratch) / "code"
            target = code_dir / spec.function.handler_file
            target.parent.mkdir(parents=True)
            shutil.copyfile(submission, target)
            config = FunctionConfig(
                name=spec.id,
                handler=spec.function.handler,
                code_dir=code_dir,
                memory_mb=spec.function.memory_mb,
                timeout_s=spec.function.timeout_s,
                environment={
                    key: _substitute(value, self.account)
                    for key, value in spec.function.environment.items()
                },
                account_id=self.account.account_id,
            )
            self.account.set_permissions(spec.id, exercise_policy(spec.resources, self.account))
            source = target.read_text(encoding="utf-8", errors="replace")
            session = _Session(
                exercise, config, self.account, self.runtime, self.gate, self.clock, source, self
            )
            session.default_faults = faults
            try:
                results = session.run_all(on_test)
            except SandboxUnavailable as exc:
                return CheckResult(
                    status="error",
                    exercise=spec.id,
                    max_points=max_points,
                    message=f"The sandbox that runs your handler could not start, so nothing was graded: {exc}",
                )
            finally:
                self._retire_environments()
                self.account.reset()
        return summarize(spec.id, results, max_points)

    def _retire_environments(self) -> None:
        """No worker outlives its check: let every environment idle past the keep-alive and reclaim it."""
        self.clock.advance(KEEP_ALIVE_S + 1)
        self.runtime.reclaim_idle()


WARM_UP_CALLS = (
    ("dynamodb", "list_tables"),
    ("s3", "list_buckets"),
    ("sqs", "list_queues"),
    ("sns", "list_topics"),
    ("ses", "list_identities"),
)


def grade(
    exercise: Exercise,
    submission: Path,
    *,
    on_test: ProgressCallback | None = None,
    faults: FaultPlan | None = None,
) -> CheckResult:
    """Grade once, in a Grader of its own (the CLI's `check`)."""
    with _collector_paused(), Grader() as grader:
        return grader.grade(exercise, submission, on_test=on_test, faults=faults)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a one-shot check runs.

    Loading moto and botocore's models makes hundreds of thousands of long-lived
    objects, and every full collection walks them all again (measured: about 4% of
    a one-shot `check`'s CPU time). The few cycles a single check leaves are
    collected when the collector is back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def summarize(exercise_id: str, results: list[TestResult], max_points: int) -> CheckResult:
    points = sum(result.points for result in results)
    errors = [result for result in results if result.status == "error"]
    failed = [result for result in results if result.status == "fail"]
    status: Status
    if errors:
        status, message = "error", errors[0].message
    elif failed:
        status = "fail"
        message = f"{len(failed)} of {len(results)} tests failed ({points}/{max_points} points)."
    else:
        status, message = "pass", f"All {len(results)} tests passed ({points}/{max_points} points)."
    return CheckResult(
        status=status,
        message=message,
        tests=results,
        points=points,
        max_points=max_points,
        exercise=exercise_id,
    )


def _substitute(value: str, account: LocalAccount) -> str:
    return value.replace("${ACCOUNT_ID}", account.account_id).replace("${REGION}", account.region)


class _Session:
    def __init__(
        self,
        exercise: Exercise,
        config: FunctionConfig,
        account: LocalAccount,
        runtime: LambdaRuntime,
        gate: ConcurrencyGate,
        clock: ManualClock,
        source: str,
        grader: Grader,
    ):
        self.grader = grader
        self.default_faults: FaultPlan | None = None
        self.exercise = exercise
        self.source = source
        self.config = config
        self.account = account
        self.runtime = runtime
        self.gate = gate
        self.clock = clock
        self._checks: ModuleType | None = None

    def run_all(self, on_test: ProgressCallback | None) -> list[TestResult]:
        results: list[TestResult] = []
        timed_out = 0
        stop_reason: tuple[Status, str] | None = None
        for test in self.exercise.spec.tests:
            if stop_reason is not None:
                result = self._not_run(test, *stop_reason)
            else:
                result, invocations = self.run_test(test)
                if any(is_init_failure(invocation) for invocation in invocations):
                    stop_reason = (
                        "error",
                        "Not run: the function could not be initialized (see the first test).",
                    )
                if any(invocation.report.status == "timeout" for invocation in invocations):
                    timed_out += 1
                    if timed_out >= MAX_TIMED_OUT_TESTS and stop_reason is None:
                        stop_reason = (
                            "fail",
                            f"Not run: your handler timed out in {timed_out} tests already; fix that first.",
                        )
            results.append(result)
            if on_test is not None:
                on_test(result)
        return results

    def _not_run(self, test: TestCase, status: Status, message: str) -> TestResult:
        return TestResult(
            name=test.name,
            status=status,
            message=message,
            test_code=describe_test(test),
            task_id=test.task_id,
            points=0,
            max_points=test.points,
            visibility=test.visibility,
        )

    def run_test(self, test: TestCase) -> tuple[TestResult, list[InvocationResult]]:
        self.account.reset()
        create_resources(self.account, self.exercise.spec.resources)
        if test.setup is not None:
            apply_setup(self.account, test.setup)
        invocations: list[InvocationResult] = []
        # What the test judges: of an event delivered again after a failure, the last delivery.
        judged: list[InvocationResult] = []
        plan = test.faults or self.default_faults
        injector = FaultInjector(plan) if plan is not None else None
        # Under an experiment's plan a failed invocation is delivered again, as SQS or an
        # async retry would (up to 2 more times); a test with its own plan says how often.
        redeliver = test.redeliver if test.faults is not None or plan is None else 2
        self.grader.faults = injector
        try:
            for step in test.invoke:
                if step.cold_start:
                    self.force_cold_start()
                event_spec = step.event or test.event
                assert event_spec is not None  # TestCase's validator: every step has an event
                for _ in range(step.times):
                    if step.concurrent == 1:
                        deliveries = self._deliver(event_spec.build(), redeliver)
                        invocations.extend(deliveries)
                        judged.append(deliveries[-1])
                    else:
                        together = self._invoke_together(event_spec, step.concurrent)
                        invocations.extend(together)
                        judged.extend(together)
        finally:
            self.grader.faults = None
        run = TestRun(
            test=test,
            function_name=self.config.name,
            memory_mb=self.config.memory_mb,
            timeout_s=self.config.timeout_s,
            architecture=self.config.architecture,
            handler_file=self.exercise.spec.function.handler_file,
            handler_function=self.exercise.spec.function.handler_function,
            source=self.source,
            invocations=judged,
            account=self.account,
            calls=self.account.trace.for_function(self.config.name),
            environments=self.runtime.environments(self.config.name),
        )
        status, message = self._verdict(run)
        if status != "pass" and injector is not None and injector.injected:
            message = _with_faults(message, injector, invocations)
        result = TestResult(
            name=test.name,
            status=status,
            message=message,
            output=cap_output(handler_output(invocations)),
            test_code=describe_test(test),
            task_id=test.task_id,
            points=test.points if status == "pass" else 0,
            max_points=test.points,
            report=[invocation.report.line(invocation.request_id) for invocation in invocations],
            visibility=test.visibility,
        )
        return result, invocations

    def _deliver(self, event: Any, redeliver: int) -> list[InvocationResult]:
        """Invoke once; while an invocation fails, deliver the same event again (up to `redeliver`)."""
        results = [self.runtime.invoke(self.config, event)]
        while results[-1].error is not None and len(results) <= redeliver:
            results.append(self.runtime.invoke(self.config, event))
        return results

    def _verdict(self, run: TestRun) -> tuple[Status, str | None]:
        init_failure = next((i for i in run.invocations if is_init_failure(i)), None)
        if init_failure is not None:
            return "error", expectations.describe_init_failure(
                init_failure, handler_file=run.handler_file
            )
        problems = expectations.failures(run)
        if not problems:
            for name in run.test.expect.python:
                try:
                    outcome = getattr(self.checks(), name)(run)
                except AssertionError as failure:
                    outcome = str(failure) or f"check {name} failed"
                except Exception as crash:
                    return (
                        "error",
                        f"The exercise's own check {name!r} failed ({type(crash).__name__}: {crash}); please report it.",
                    )
                if outcome:
                    problems.append(str(outcome))
                    break
        if not problems:
            return "pass", None
        message = (
            problems[0]
            if len(problems) == 1
            else "\n".join(f"- {problem}" for problem in problems[:4])
        )
        if len(problems) > 4:
            message += f"\n- ... and {len(problems) - 4} more"
        if run.test.tip:
            message += f"\nTip: {run.test.tip}"
        return "fail", message

    def checks(self) -> ModuleType:
        """The exercise's checks.py, imported here in the grading process (never in the sandbox)."""
        if self._checks is None:
            path = self.exercise.checks
            if path is None:
                raise FileNotFoundError(f"{self.exercise.folder}/checks.py")
            name = f"_serverless_tutor_checks_{self.exercise.id.replace('-', '_')}"
            module_spec = importlib.util.spec_from_file_location(name, path)
            if module_spec is None or module_spec.loader is None:
                raise ImportError(f"cannot load {path} as a module")
            module = importlib.util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
            self._checks = module
        return self._checks

    def force_cold_start(self) -> None:
        """Let every environment sit idle past the keep-alive, as after a quiet spell; the next invoke is cold."""
        self.clock.advance(KEEP_ALIVE_S + 1)
        self.runtime.reclaim_idle()

    def _invoke_together(self, event_spec: EventSpec, count: int) -> list[InvocationResult]:
        self.gate.arm(count)
        try:
            with ThreadPoolExecutor(max_workers=count, thread_name_prefix="tutor-check") as pool:
                futures = [
                    pool.submit(self._invoke_then_leave_the_gate, event_spec.build())
                    for _ in range(count)
                ]
                return [future.result() for future in futures]
        finally:
            self.gate.disarm()

    def _invoke_then_leave_the_gate(self, event: Any) -> InvocationResult:
        result = self.runtime.invoke(self.config, event)
        self.gate.leave(result.request_id)
        return result


def _with_faults(
    message: str | None, injector: FaultInjector, invocations: list[InvocationResult]
) -> str:
    """A failure under a fault plan says which fault was injected and how often the event came."""
    injected = "; ".join(injector.describe())
    deliveries = len(invocations)
    delivered = "once" if deliveries == 1 else f"{deliveries} times"
    return (
        f"With an injected fault ({injected}), the event was delivered {delivered}, and then: "
        f"{message or 'the test failed'}"
    )


def is_init_failure(invocation: InvocationResult) -> bool:
    """The handler never ran: its module did not import, the function is missing, or the sandbox refused to start.

    The runtime reports a failed INIT as a cold invocation whose INVOKE phase took
    no time at all (Duration 0, Init Duration set); a top-level exception keeps its
    own error type (KeyError, ...), as in Lambda.
    """
    if invocation.error is None:
        return False
    if invocation.error.error_type in expectations.INIT_ERROR_TYPES:
        return True
    return (
        invocation.cold
        and invocation.report.duration_ms == 0.0
        and invocation.report.init_duration_ms is not None
    )


def handler_output(invocations: list[InvocationResult]) -> str:
    """The handler's own log lines (Lambda's START/END/REPORT lines are reported separately)."""
    lines = []
    for invocation in invocations:
        for line in invocation.logs.splitlines():
            if not line.startswith(_LOG_MARKERS):
                lines.append(line)
    return "\n".join(lines)


def describe_test(test: TestCase) -> str:
    """What the test sends and expects, as YAML, for the learner to read (hidden tests say only that)."""
    if test.visibility == "hidden":
        return "This test is hidden: its name says what it checks."
    described: dict[str, Any] = {}
    if test.event is not None:
        described["event"] = test.event.model_dump(exclude_defaults=True)
    if test.setup is not None:
        described["setup"] = test.setup.model_dump(exclude_defaults=True)
    if len(test.invoke) > 1 or test.invoke[0].model_dump(exclude_defaults=True):
        described["invoke"] = [step.model_dump(exclude_defaults=True) for step in test.invoke]
    described["expect"] = test.expect.model_dump(exclude_defaults=True)
    return yaml.safe_dump(described, sort_keys=False, allow_unicode=True, width=100).strip()
