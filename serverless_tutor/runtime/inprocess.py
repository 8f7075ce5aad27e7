"""The in-process backend, for trusted bundled demo code only: same semantics as the
sandbox (an environment has its own module objects, for the handler's module, its
packages and the code-folder modules they import: see CodeFolderModules; so module state
lives across warm invokes and is lost on a cold start; context, logs, REPORT, timeouts),
no isolation.

Output capture and AWS call forwarding are routed per thread, so invokes on several
threads do not mix their logs. A handler that overruns its timeout is abandoned (a
thread cannot be killed) and its environment is discarded.

Environment variables: os.environ belongs to the whole process, so a function's
Lambda variables (AWS_LAMBDA_FUNCTION_NAME, AWS_REGION, ..., plus its own
`environment`) are set only while its INIT or invoke runs, and put back afterwards.
Runs whose variables are identical (environments of one function) share them and
run together; a run of a function with other variables waits until they finish.
Limits, acceptable for trusted demos only: other threads of the tutor see the
variables while a function runs; AWS_LAMBDA_LOG_STREAM_NAME is not set (it differs
per environment; the context carries it); a handler abandoned at its timeout keeps
running without them; a handler that waits for another in-process function with
different variables would wait forever.

Max Memory Used is an estimate (memory_estimate.py): the process is shared, so the REPORT
line says "(estimate)".
"""

from __future__ import annotations

import builtins
import importlib
import importlib.machinery
import importlib.util
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any, TextIO

from serverless_tutor.runtime import bootstrap
from serverless_tutor.runtime.backend import InitOutcome, Outcome
from serverless_tutor.runtime.config import FunctionConfig, lambda_variables
from serverless_tutor.runtime.context import LambdaContext
from serverless_tutor.runtime.forwarding import ForwardedRequest, ForwardedResponse, RequestHandler
from serverless_tutor.runtime.logs import LogCapture
from serverless_tutor.runtime.memory_estimate import EnvironmentMemory

if TYPE_CHECKING:
    from _typeshed.importlib import PathEntryFinderProtocol

_local = threading.local()  # .capture (LogCapture), .request_id, .forward (callable)
_install_lock = threading.Lock()
_active = 0
_saved: dict[str, Any] = {}


class _ThreadRouter:
    """Stands in for sys.stdout/sys.stderr while in-process invokes run: writes from a
    handler thread go to that invoke's log; everything else goes where it went before."""

    def __init__(self, original: TextIO):
        self._original = original

    def write(self, text: str) -> int:
        capture = getattr(_local, "capture", None)
        if capture is None:
            written: int = self._original.write(text)
            return written
        capture.add(text.encode("utf-8", errors="backslashreplace"))
        return len(text)

    def flush(self) -> None:
        if getattr(_local, "capture", None) is None:
            self._original.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class _CaptureLogHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        capture = getattr(_local, "capture", None)
        if capture is not None:
            capture.add(self.format(record).encode("utf-8", errors="backslashreplace"))


def _begin_capture() -> None:
    global _active
    with _install_lock:
        if _active == 0:
            _saved["stdout"], _saved["stderr"] = sys.stdout, sys.stderr
            sys.stdout, sys.stderr = _ThreadRouter(sys.stdout), _ThreadRouter(sys.stderr)
            handler = _CaptureLogHandler()
            handler.setFormatter(bootstrap.lambda_formatter())
            handler.addFilter(bootstrap.RequestIdFilter(lambda: getattr(_local, "request_id", "")))
            logging.getLogger().addHandler(handler)
            _saved["handler"] = handler
            _install_forwarding()
        _active += 1


def _end_capture() -> None:
    global _active
    with _install_lock:
        _active -= 1
        if _active == 0:
            sys.stdout, sys.stderr = _saved.pop("stdout"), _saved.pop("stderr")
            logging.getLogger().removeHandler(_saved.pop("handler"))


_forwarding_installed = False


def _install_forwarding() -> None:
    """Route botocore sends made on a handler thread to that invoke's RequestHandler."""
    global _forwarding_installed
    if _forwarding_installed:
        return
    import botocore.awsrequest
    import botocore.httpsession

    original_send = botocore.httpsession.URLLib3Session.send

    def send(self: Any, request: Any) -> botocore.awsrequest.AWSResponse:
        forward = getattr(_local, "forward", None)
        if forward is None:
            return original_send(self, request)
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        body = (
            b"" if body is None else body.encode("utf-8") if isinstance(body, str) else bytes(body)
        )
        headers = {
            k: v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
            for k, v in request.headers.items()
        }
        response = forward(request.method, request.url, headers, body)
        return botocore.awsrequest.AWSResponse(
            request.url, response.status_code, dict(response.headers), _RawBody(response.body)
        )

    botocore.httpsession.URLLib3Session.send = send
    for key, value in (
        ("AWS_ACCESS_KEY_ID", "ASIAQTUTORLOCALFAKE01"),
        ("AWS_SECRET_ACCESS_KEY", "local-fake-secret"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required"),
        ("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required"),
    ):
        os.environ.setdefault(key, value)
    _forwarding_installed = True


class EnvironmentCrashed(BaseException):
    """Raised in a handler's thread when a fault plan crashes its environment mid-call.

    A BaseException, so handler code's `except Exception` does not swallow it.
    """


class _RawBody:
    def __init__(self, data: bytes):
        import io

        self._buffer = io.BytesIO(data)
        self._data = data

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        yield self._data

    def read(self, *args: Any) -> bytes:
        return self._buffer.read(*args)


class _SharedEnviron:
    """Sets a run's variables in os.environ and restores them after the last run using them."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._variables: dict[str, str] | None = None
        self._users = 0
        self._saved: dict[str, str | None] = {}

    @contextmanager
    def applied(self, variables: dict[str, str]) -> Iterator[None]:
        with self._changed:
            while self._users and self._variables != variables:
                self._changed.wait()
            if self._users == 0:
                self._saved = {key: os.environ.get(key) for key in variables}
                os.environ.update(variables)
                self._variables = dict(variables)
            self._users += 1
        try:
            yield
        finally:
            with self._changed:
                self._users -= 1
                if self._users == 0:
                    for key, value in self._saved.items():
                        if value is None:
                            os.environ.pop(key, None)
                        else:
                            os.environ[key] = value
                    self._variables = None
                    self._changed.notify_all()


_shared_environ = _SharedEnviron()


class CodeFolderModules:
    """One environment's modules from its code folder: its own sys.modules, so to speak.

    `import_module(name)` imports as `importlib.import_module` would with the code folder
    first on sys.path, but a module the code folder holds, and each parent package it
    holds (its `__init__` run first, as the import system does), is executed into a new
    module object kept here, never in sys.modules. So environments share no module
    state and the app's sys.modules gains nothing. Those modules' own `import`
    statements (absolute or relative) resolve through here too: they run with an
    `__import__` of this environment in their `__builtins__`.

    A name whose top-level module the code folder does not hold, or that is a standard
    library module this process has already imported (as Lambda's runtime has imported
    json before it loads a handler), is imported as usual: shared library code.
    """

    def __init__(self, code_dir: str):
        self.code_dir = code_dir
        self.modules: dict[str, ModuleType] = {}
        self._owned: dict[str, bool] = {}  # top-level name -> found in the code folder
        self._builtins = dict(builtins.__dict__, __import__=self.import_statement)

    def import_module(self, name: str) -> ModuleType:
        """Raises what `importlib.import_module` raises for the same name."""
        if not name or name.startswith("."):
            # No search happens for these: the import system refuses the name itself
            # (ValueError "Empty module name", TypeError for a relative name).
            return importlib.import_module(name)
        parts = name.split(".")
        if not self._owns(parts[0]):
            return importlib.import_module(name)
        module: ModuleType | None = None
        for index in range(len(parts)):
            prefix = ".".join(parts[: index + 1])
            if prefix in self.modules:
                module = self.modules[prefix]
                continue
            if module is None:
                search = [self.code_dir, *(entry for entry in sys.path if entry)]
            else:
                locations = getattr(module, "__path__", None)
                if locations is None:
                    raise ModuleNotFoundError(
                        f"No module named '{prefix}'; '{module.__name__}' is not a package",
                        name=prefix,
                    )
                search = list(locations)
            spec = _find_spec(prefix, search)
            if spec is None:
                raise ModuleNotFoundError(f"No module named '{prefix}'", name=prefix)
            child = self._execute(spec)
            if module is not None:
                setattr(module, parts[index], child)  # as the import system binds a submodule
            module = child
        assert module is not None  # name has at least one part
        return module

    def import_statement(
        self,
        name: str,
        globals: dict[str, Any] | None = None,
        locals: Any = None,
        fromlist: Any = (),
        level: int = 0,
    ) -> ModuleType:
        """`__import__` for code-folder modules, with builtins.__import__'s semantics."""
        if level > 0:
            name = _absolute_name(name, (globals or {}).get("__package__"), level)
        if not self._owns(name.partition(".")[0]):
            return builtins.__import__(name, globals, locals, fromlist, 0)
        module = self.import_module(name)
        if not fromlist:
            return self.modules[name.partition(".")[0]]
        if hasattr(module, "__path__"):  # `from package import submodule`
            wanted = list(getattr(module, "__all__", [])) if "*" in fromlist else fromlist
            for item in wanted:
                if isinstance(item, str) and not hasattr(module, item):
                    try:
                        self.import_module(f"{name}.{item}")
                    except ModuleNotFoundError as exc:
                        if exc.name != f"{name}.{item}":
                            raise
        return module

    def _owns(self, top: str) -> bool:
        if top not in self._owned:
            if top in sys.modules and top in sys.stdlib_module_names:
                self._owned[top] = False
            else:
                spec = _find_spec(top, [self.code_dir, *(entry for entry in sys.path if entry)])
                self._owned[top] = spec is not None and _in_folder(spec, self.code_dir)
        return self._owned[top]

    def _execute(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.util.module_from_spec(spec)
        module.__dict__["__builtins__"] = self._builtins
        self.modules[spec.name] = module  # before it runs, as in sys.modules: cycles see it
        try:
            # (module_from_spec gave a namespace package a loader that runs nothing)
            if spec.loader is not None:
                spec.loader.exec_module(module)
        except BaseException:
            del self.modules[spec.name]
            raise
        return module


def _absolute_name(name: str, package: str | None, level: int) -> str:
    """The module a relative import names, with the import system's messages."""
    if not package:
        raise ImportError("attempted relative import with no known parent package")
    bits = package.rsplit(".", level - 1)
    if len(bits) < level:
        raise ImportError("attempted relative import beyond top-level package")
    return f"{bits[0]}.{name}" if name else bits[0]


def _find_spec(name: str, search: list[str]) -> importlib.machinery.ModuleSpec | None:
    """What `PathFinder.find_spec(name, search)` finds, asking each entry's finder itself:
    PathFinder wraps a namespace package's portions in a `_NamespacePath`, which looks the
    parent package up in sys.modules (a KeyError for this environment's parents)."""
    portions: list[str] = []
    for entry in search:
        finder = _path_entry_finder(entry)
        spec = finder.find_spec(name) if finder is not None else None
        if spec is None:
            continue
        if spec.loader is not None:  # a module or regular package wins over namespace portions
            return spec
        portions.extend(spec.submodule_search_locations or [])
    if not portions:
        return None
    namespace = importlib.machinery.ModuleSpec(name, None, is_package=True)
    namespace.submodule_search_locations = portions
    return namespace


def _path_entry_finder(entry: str) -> PathEntryFinderProtocol | None:
    """The finder the import system uses for a sys.path entry (not cached for new ones:
    the code folder's contents change between deploys)."""
    if entry in sys.path_importer_cache:
        return sys.path_importer_cache[entry]
    for hook in sys.path_hooks:
        try:
            return hook(entry)
        except ImportError:
            continue
    return None


def _in_folder(spec: importlib.machinery.ModuleSpec, code_dir: str) -> bool:
    if spec.loader is not None:
        location = spec.origin
    else:  # a namespace package: where its first portion is
        location = spec.submodule_search_locations[0] if spec.submodule_search_locations else None
    if location is None:
        return False
    return os.path.abspath(location).startswith(os.path.join(os.path.abspath(code_dir), ""))


class InProcessEnvironment:
    memory_estimated = True  # its Max Memory Used is memory_estimate.py's estimate

    def __init__(self, config: FunctionConfig, request_handler: RequestHandler):
        self.id = uuid.uuid4().hex[:12]
        self.config = config
        self.isolation: list[str] = []
        self._request_handler = request_handler
        self._handler = None
        self._modules = CodeFolderModules(str(config.code_dir))
        self._variables = lambda_variables(config)
        self._memory = EnvironmentMemory()
        self.log_stream_name = (
            datetime.now(UTC).strftime("%Y/%m/%d/") + "[$LATEST]" + uuid.uuid4().hex
        )

    def initialize(self) -> InitOutcome:
        capture = LogCapture()
        result: dict[str, Any] = {}

        def run() -> None:
            result["started"] = (
                time.monotonic()
            )  # not before: waiting for os.environ is not INIT time
            try:
                result["handler"] = bootstrap.load_handler(
                    self.config.handler,
                    str(self.config.code_dir),
                    import_fresh=self._modules.import_module,
                )
            except bootstrap.Fault as fault:
                result["error"] = fault.as_dict()
            except Exception as exc:  # top-level code raised: reported with its own type
                result["error"] = bootstrap.error_from_exception(exc, "")
            if "error" in result:
                logging.getLogger().warning(bootstrap.UNHANDLED_EXCEPTION_WARNING)
                capture.add(bootstrap.error_log_text(result["error"]).encode())

        started = time.monotonic()
        finished = self._run_captured(run, capture, "", timeout=10.0)
        init_ms = (time.monotonic() - result.get("started", started)) * 1000
        if not finished:
            error = {
                "errorType": "Sandbox.Timedout",
                "errorMessage": "INIT phase did not finish within 10.00 seconds",
                "stackTrace": [],
            }
            return InitOutcome(
                isolation=[], init_ms=init_ms, status="timeout", error=error, logs=capture.text()
            )
        if "error" in result:
            return InitOutcome(
                isolation=[],
                init_ms=init_ms,
                status="error",
                error=result["error"],
                logs=capture.text(),
                max_memory_mb=self._memory.max_used_mb(self.config.memory_mb),
            )
        self._handler = result["handler"]
        return InitOutcome(
            isolation=[],
            init_ms=init_ms,
            logs=capture.text(),
            max_memory_mb=self._memory.max_used_mb(self.config.memory_mb),
        )

    def invoke(self, request_id: str, event_json: str, client_context: dict | None) -> Outcome:
        import json

        capture = LogCapture()
        timeout = self.config.timeout_s
        result: dict[str, Any] = {}

        def run() -> None:
            context = (
                LambdaContext(  # made here: waiting for os.environ must not use up the deadline
                    aws_request_id=request_id,
                    function_name=self.config.name,
                    memory_limit_in_mb=str(self.config.memory_mb),
                    invoked_function_arn=self.config.arn,
                    log_group_name=f"/aws/lambda/{self.config.name}",
                    log_stream_name=self.log_stream_name,
                    deadline_epoch_ms=int((time.time() + timeout) * 1000),
                    client_context=client_context,
                )
            )
            result["started"] = time.monotonic()
            started = time.perf_counter()
            handler = self._handler
            try:
                if handler is None:
                    raise RuntimeError("the environment was destroyed")
                result["payload"] = bootstrap.marshal_response(
                    handler(json.loads(event_json), context)
                )
            except bootstrap.Fault as fault:
                result["error"] = fault.as_dict(request_id)
            except Exception as exc:
                result["error"] = bootstrap.error_from_exception(exc, request_id)
            except BaseException as exc:  # SystemExit etc.: the in-process runtime cannot exit; report it as Lambda would
                result["exit"] = exc
            result["duration_ms"] = (time.perf_counter() - started) * 1000
            if "error" in result:
                capture.add(bootstrap.error_log_text(result["error"]).encode())

        started = time.monotonic()
        finished = self._run_captured(run, capture, request_id, timeout)
        memory = self._memory.max_used_mb(self.config.memory_mb)
        if not finished:
            message = f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"
            ran_ms = (time.monotonic() - result.get("started", started)) * 1000
            return Outcome(
                status="timeout",
                duration_ms=ran_ms,
                max_memory_mb=memory,
                error={"errorType": "Sandbox.Timedout", "errorMessage": message, "stackTrace": []},
                logs=capture.text(),
                destroyed=True,
                extra_log_lines=[f"{request_id} Task timed out after {timeout:.2f} seconds"],
            )
        duration = result.get("duration_ms", 0.0)
        if "exit" in result:
            exit_reason = (
                f"Runtime exited: {result['exit']}"
                if isinstance(result["exit"], EnvironmentCrashed)
                else f"Runtime exited with error: {type(result['exit']).__name__}"
            )
            message = f"RequestId: {request_id} Error: {exit_reason}"
            return Outcome(
                status="crash",
                duration_ms=duration,
                max_memory_mb=memory,
                error={"errorType": "Runtime.ExitError", "errorMessage": message, "stackTrace": []},
                logs=capture.text(),
                destroyed=True,
                extra_log_lines=[message, "Runtime.ExitError"],
            )
        if "error" in result:
            error = dict(result["error"])
            error.pop("requestId", None)
            return Outcome(
                status="error",
                duration_ms=duration,
                max_memory_mb=memory,
                error=error,
                logs=capture.text(),
                logs_truncated=capture.truncated,
            )
        return Outcome(
            status="success",
            duration_ms=duration,
            max_memory_mb=memory,
            payload=result["payload"],
            logs=capture.text(),
            logs_truncated=capture.truncated,
        )

    def destroy(self) -> None:
        self._handler = None
        self._modules.modules.clear()

    def _run_captured(
        self, target: Callable[[], None], capture: LogCapture, request_id: str, timeout: float
    ) -> bool:
        def body() -> None:
            _local.capture = capture
            _local.request_id = request_id
            _local.forward = lambda method, url, headers, data: self._forward(
                ForwardedRequest(
                    method=method,
                    url=url,
                    headers=headers,
                    body=data,
                    function_name=self.config.name,
                    request_id=request_id,
                ),
                timeout,
            )
            try:
                target()
            finally:
                _local.capture = None
                _local.forward = None

        _begin_capture()
        try:
            with _shared_environ.applied(self._variables):
                thread = threading.Thread(
                    target=body, name=f"lambda-{self.config.name}-{self.id}", daemon=True
                )
                with self._memory.measuring():
                    thread.start()
                    thread.join(timeout)
                return not thread.is_alive()
        finally:
            _end_capture()

    def _forward(self, request: ForwardedRequest, timeout: float) -> ForwardedResponse:
        """Serve a call; a fault plan's `after` crashes the environment or never answers."""
        response = self._request_handler(request)
        if response.after == "crash":
            raise EnvironmentCrashed("the environment crashed after its AWS call took effect")
        if response.after == "timeout":
            # The call never answers: this thread waits past the invocation's deadline (which
            # reports the timeout), then unwinds without touching anything.
            threading.Event().wait(timeout + 1)
            raise EnvironmentCrashed("the call never answered")
        return response
