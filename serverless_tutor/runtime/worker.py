"""The sandbox worker: a clean template process that forks one worker per execution
environment, and the worker's own loop (confine, INIT, INVOKE...).

Runs in separate processes started by serverless_tutor.runtime.sandbox. Standard
library (plus botocore, pre-imported so handlers do not pay for it, unless the template
was started without its preload) only.

Template protocol (SOCK_SEQPACKET, one JSON object per message):
  parent -> template  {"t": "spawn", "pid_namespace": bool} with two fds attached (protocol socket, log pipe)
  template -> parent  {"t": "ready"} once, {"t": "spawned", "pid": n, "init_pid": m},
                      {"t": "exited", "pid": n, "status": s}
  With a PID namespace, the template forks two children into it: a tiny init (pid 1
  inside, `init_pid` outside) that only holds the namespace, and the worker (pid 2
  inside). The worker is not pid 1, so it can end itself with a signal as any Lambda
  runtime process can; when it has gone, the template kills the init, and the kernel
  everything else left in the namespace.

Worker protocol (frames.py frames on the protocol socket; stdout/stderr are logs only):
  parent -> worker  {"t": "init", ...config}            worker -> parent {"t": "hello", isolation, missing, refused, detail}
                                                          worker -> parent {"t": "init_done", error, init_ms}
  parent -> worker  {"t": "invoke", request_id, event, deadline_ms, client_context, identity}
  worker -> parent  {"t": "call", method, url, headers, body_b64}   (a forwarded AWS request)
  parent -> worker  {"t": "reply", status, headers, body_b64}
  worker -> parent  {"t": "result", request_id, payload, error, duration_ms, out_of_memory}
"""

from __future__ import annotations

import array
import base64
import contextlib
import gc
import importlib.abc
import importlib.machinery
import importlib.util
import io
import json
import logging
import os
import select
import signal
import socket
import sys
import sysconfig
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

from serverless_tutor.limits import MAX_THREADS_PER_ENVIRONMENT
from serverless_tutor.runtime import bootstrap, confine
from serverless_tutor.runtime.after_import import AfterImport
from serverless_tutor.runtime.context import LambdaContext
from serverless_tutor.runtime.frames import FrameError, recv_frame, send_frame
from serverless_tutor.runtime.processes import processes

RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(os.path.dirname(RUNTIME_DIR))
PRELOADED_SERVICES = ("dynamodb", "s3", "sqs", "sns", "events", "lambda", "sts")
# boto3's resource API, as in `boto3.resource("dynamodb").Table(...)`: its own models.
PRELOADED_RESOURCES = ("dynamodb", "s3", "sqs", "sns")


# ====================================================================== template
def template_main(control_fd: int, work_dir: str | None = None, preload: bool = True) -> None:
    """Serve spawn requests until the parent closes the control socket (or dies, which
    closes it too); then kill every worker and wipe the work dir with their scratch dirs.

    Without `preload`, boto3 is not imported here: a worker's handler that imports it
    pays for it in its own INIT, and its calls are still forwarded (_install_forwarder)."""
    control = socket.socket(fileno=control_fd)
    if preload:
        _preload()
    confine.prctl(confine.PR_SET_CHILD_SUBREAPER, 1)  # orphans of workers come back to us
    wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    workers: dict[int, int | None] = {}  # worker pid -> its PID namespace's init, if any
    own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    gc.freeze()  # keep the pre-imported objects out of the collector: fewer copied pages per fork
    control.send(json.dumps({"t": "ready", "pid": os.getpid()}).encode())
    while True:
        readable, _, _ = select.select([control.fileno(), wake_r], [], [])
        if wake_r in readable:
            _drain(wake_r)
            _reap(control, workers)
        if control.fileno() in readable:
            message, fds = _recv_with_fds(control)
            if message is None:  # the parent has gone: take every worker with us
                for worker, init in workers.items():
                    _kill_group(worker)
                    if init is not None:
                        _kill(init)
                if work_dir:
                    import shutil

                    shutil.rmtree(work_dir, ignore_errors=True)
                os._exit(0)
            if message.get("t") == "spawn" and len(fds) == 2:

                def leave_template() -> None:
                    os.close(wake_r)
                    os.close(wake_w)
                    os.close(own_pid_namespace)
                    control.detach()
                    os.close(control_fd)

                worker, init = _spawn(
                    fds, bool(message.get("pid_namespace")), own_pid_namespace, leave_template
                )
                if worker > 0:
                    workers[worker] = init
                reply = {"t": "spawned", "pid": worker, "init_pid": init or worker}
                control.send(json.dumps(reply).encode())
            for fd in fds:
                os.close(fd)


def _spawn(
    fds: list[int],
    pid_namespace: bool,
    own_pid_namespace: int,
    leave_template: Callable[[], None],
) -> tuple[int, int | None]:
    """Fork a worker, in a new PID namespace when asked and possible. Returns the
    worker's pid (-1 when the start failed) and the namespace init's pid, if any."""
    if pid_namespace:
        try:
            confine.unshare(confine.CLONE_NEWPID)  # for our next children only
        except OSError:
            pid_namespace = False  # the worker reports the layer missing
    if not pid_namespace:
        worker = os.fork()
        if worker == 0:
            leave_template()
            _worker_main(fds[0], fds[1])
            os._exit(0)
        return worker, None
    init = worker = -1
    try:
        init = os.fork()
        if init == 0:
            leave_template()
            _namespace_init()
        worker = os.fork()  # pid 2 of the same namespace, while its init lives
        if worker == 0:
            leave_template()
            _worker_main(fds[0], fds[1])
            os._exit(0)
    except OSError:
        if init > 0:
            _kill(init)
        return -1, None
    finally:
        if init != 0 and worker != 0:
            confine.setns(own_pid_namespace, confine.CLONE_NEWPID)  # later children stay with us
    return worker, init


def _namespace_init() -> None:
    """Pid 1 of an environment's PID namespace: it only holds the namespace open. The
    template kills it once the worker has ended; the kernel then kills whatever else
    is left in the namespace. Orphans re-parented to it are reaped automatically."""
    confine.prctl(confine.PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    os.closerange(0, 65536)
    while True:
        signal.pause()


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _preload() -> None:
    """Import what every worker needs once, here, so a fork inherits it warm."""
    import decimal  # noqa: F401

    import boto3
    import botocore.awsrequest
    import botocore.httpsession  # noqa: F401

    # No region_name: a session given one keeps it, whatever AWS_REGION says. Without it
    # the region is read from the environment at each client's creation, so a worker's
    # clients follow its function's AWS_DEFAULT_REGION (the template's own is us-east-1).
    boto3.setup_default_session()
    for service in PRELOADED_SERVICES:  # loads and caches the service models
        boto3.client(service)
    for service in PRELOADED_RESOURCES:
        boto3.resource(service)


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def _reap(control: socket.socket, workers: dict[int, int | None]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in workers:
            init = workers.pop(pid)
            if init is not None:
                _kill(init)  # ends the namespace, and anything the worker left in it
            control.send(json.dumps({"t": "exited", "pid": pid, "status": status}).encode())
        inits = {init for init in workers.values() if init is not None}
        _kill_orphans(set(workers) | inits)


def _kill_orphans(workers: set[int]) -> None:
    """A process that escaped its worker's group (possible only without seccomp) is
    re-parented to us as subreaper: anything of ours that is not a worker is killed."""
    me = os.getpid()
    for pid, _state, parent in processes():
        if parent == me and pid not in workers:
            _kill_group(pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _recv_with_fds(control: socket.socket) -> tuple[dict | None, list[int]]:
    fds = array.array("i")
    data, ancdata, _, _ = control.recvmsg(65536, socket.CMSG_SPACE(4 * fds.itemsize))
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
    if not data:
        return None, list(fds)
    return json.loads(data), list(fds)


# ====================================================================== worker
class _Channel:
    """The protocol socket, shared by the invoke loop and handler threads making AWS calls."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.lock = threading.Lock()

    def call(self, message: dict) -> dict:
        with self.lock:
            send_frame(self.sock, message)
            return recv_frame(self.sock)


def _worker_main(proto_fd: int, log_fd: int) -> None:
    os.setsid()
    confine.prctl(confine.PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(
        signal.SIGXFSZ, signal.SIG_IGN
    )  # a too-large file raises EFBIG instead of killing us
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    keep = sorted({0, 1, 2, proto_fd})
    for low, high in zip(keep, [*keep[1:], 65536], strict=False):
        os.closerange(low + 1, high)
    sys.stdout = _unbuffered(1)
    sys.stderr = _unbuffered(2)
    channel = _Channel(socket.socket(fileno=proto_fd))
    try:
        init = recv_frame(channel.sock)
    except (FrameError, OSError):
        os._exit(0)
    layers, missing, detail = _confine(init)
    required = [layer for layer in init.get("require", []) if layer not in layers]
    send_frame(
        channel.sock,
        {
            "t": "hello",
            "isolation": layers,
            "missing": missing,
            "refused": bool(required),
            "detail": detail,
        },
    )
    if required:
        os._exit(0)  # fail closed: no learner code is read
    _run(init, channel)


def _unbuffered(fd: int) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        io.FileIO(fd, "w", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
        write_through=True,
    )


def _confine(init: dict) -> tuple[list[str], list[str], str]:
    layers = ["session"]
    missing: list[str] = []
    notes: list[str] = []
    disabled = set(init.get("disable", []))
    scratch = init["scratch_dir"]
    code_dir = init["code_dir"]

    def attempt(name: str, action: Callable[[], object]) -> bool:
        if name in disabled:
            missing.append(name)
            notes.append(f"{name}: disabled by the caller")
            return False
        try:
            action()
        except (OSError, confine.ConfinementError) as exc:
            missing.append(name)
            notes.append(f"{name}: {exc}")
            return False
        layers.append(name)
        return True

    def report(name: str, present: bool, why: str) -> None:
        if present:
            layers.append(name)
        else:
            missing.append(name)
            notes.append(f"{name}: {why}")

    if "pid-namespace" in disabled:
        report("pid-namespace", False, "disabled by the caller")
    else:
        report(
            "pid-namespace",
            confine.in_child_pid_namespace(),
            "the kernel refused a new PID namespace",
        )
    readable = _readable_paths(code_dir)
    in_namespace = attempt("namespaces", confine.enter_namespaces)
    tmp = scratch
    if in_namespace:
        cap_tmp = "tmp-size-cap" not in disabled
        hide = "hidden-tutor-files" not in disabled
        try:
            layout_notes = confine.lay_out_files(
                init["ephemeral_storage_mb"] if cap_tmp else None,
                scratch,
                readable,
                init.get("hidden", []) if hide else [],
            )
            tmp = "/tmp"
            notes.extend(layout_notes)
            tmp_capped = cap_tmp and not layout_notes
            report("tmp-size-cap", tmp_capped, "disabled by the caller" if not cap_tmp else "")
            report("hidden-tutor-files", hide, "disabled by the caller")
        except OSError as exc:
            report("tmp-size-cap", False, f"the file layout failed: {exc}")
            report("hidden-tutor-files", False, f"the file layout failed: {exc}")
    else:
        report("tmp-size-cap", False, "needs the namespaces layer")
        report("hidden-tutor-files", False, "needs the namespaces layer")
    ipc_private = attempt("ipc-namespace", lambda: confine.unshare(confine.CLONE_NEWIPC))
    ipc_capped = False
    if ipc_private and "shared-memory" not in disabled:
        try:
            confine.cap_ipc(init["memory_mb"])
            ipc_capped = True
        except (OSError, confine.ConfinementError) as exc:
            notes.append(f"shared-memory: {exc}")
    attempt("thread-cap", lambda: confine.cap_threads(MAX_THREADS_PER_ENVIRONMENT))
    attempt(
        "rlimits", lambda: confine.apply_rlimits(init["memory_mb"], init["ephemeral_storage_mb"])
    )

    def scrub_env() -> None:
        os.environ.clear()
        os.environ.update(init["env"])
        os.environ["TMPDIR"] = tmp

    attempt("scrubbed-env", scrub_env)

    def scratch_tmp() -> None:
        tempfile.tempdir = tmp
        os.chdir(code_dir)

    attempt("scratch-tmp", scratch_tmp)
    sys.path[:] = [code_dir] + [p for p in sys.path if p and os.path.abspath(p) != PACKAGE_ROOT]
    attempt("no-capabilities", confine.drop_capabilities)
    attempt("landlock", lambda: _apply_landlock(readable, tmp))
    deny_memfd = "shared-memory" not in disabled
    sealed = attempt("seccomp", lambda: confine.apply_seccomp(deny_memfd=deny_memfd))
    if "shared-memory" in disabled:
        report("shared-memory", False, "disabled by the caller")
    elif not ipc_capped or not sealed:
        report("shared-memory", False, "needs the ipc-namespace and seccomp layers")
    else:
        report("shared-memory", True, "")
    return layers, missing, "; ".join(notes)


def _apply_landlock(readable: list[str], tmp: str) -> None:
    confine.apply_landlock(readable, [tmp, os.devnull], list_only=_site_packages_dirs())


# What a Lambda Python runtime has besides the standard library (import names).
LAMBDA_RUNTIME_PACKAGES = (
    "boto3",
    "botocore",
    "jmespath",
    "dateutil",
    "s3transfer",
    "six",
    "urllib3",
    # botocore.httpsession imports it when installed. A preloaded template has it in
    # memory already; a worker that imports botocore itself must be able to read it.
    "certifi",
)


def _readable_paths(code_dir: str) -> list[str]:
    """The read allow-list: the code, the standard library, Lambda's own packages, the
    system's shared libraries and time zones. Not site-packages as a whole, and not the
    tutor (its folders are also hidden by mounts: see confine.lay_out_files)."""
    paths = {code_dir, "/dev/null", "/dev/urandom", "/dev/zero", "/usr/share/zoneinfo"}
    # The standard library where it really is: in a virtualenv, sysconfig's "platstdlib"
    # is the venv's lib/pythonX.Y, which holds its whole site-packages.
    paths.add(os.path.dirname(os.__file__))
    paths.update(p for p in sys.path if p.endswith("lib-dynload"))
    for name in LAMBDA_RUNTIME_PACKAGES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None:
            continue
        if spec.submodule_search_locations:
            paths.update(spec.submodule_search_locations)
        elif spec.origin:
            paths.add(spec.origin)
    paths.update({"/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib"})
    return sorted(p for p in paths if os.path.exists(p))


def _site_packages_dirs() -> list[str]:
    """Listing (not reading) site-packages keeps the import system's directory cache
    working; the files in it stay unreadable unless allowed above."""
    return sorted(
        {p for p in sys.path if p and p.endswith(("site-packages", "dist-packages"))}
        | {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    )


class _State:
    request_id = ""


def _run(init: dict, channel: _Channel) -> None:
    state = _State()
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    log_handler = _StdoutLogHandler()
    log_handler.setFormatter(bootstrap.lambda_formatter())
    log_handler.addFilter(bootstrap.RequestIdFilter(lambda: state.request_id))
    root.addHandler(log_handler)
    _install_forwarder(channel, state)

    started = time.perf_counter()
    init_error = None
    try:
        handler = bootstrap.load_handler(init["handler"], init["code_dir"])
    except bootstrap.Fault as fault:
        init_error = fault.as_dict()
    except MemoryError:
        init_error = bootstrap.Fault(
            "Runtime.OutOfMemory", "Runtime exited with error: out of memory during INIT"
        ).as_dict()
    except Exception as exc:  # top-level code raised: reported with its own type, as Lambda does
        init_error = bootstrap.error_from_exception(exc, "")
    except (
        BaseException
    ) as exc:  # sys.exit() or KeyboardInterrupt in top-level code ends the runtime
        _die_like_python(exc)
    init_ms = (time.perf_counter() - started) * 1000
    if init_error:
        if init_error["errorType"] != "Runtime.OutOfMemory":
            logging.getLogger().warning(bootstrap.UNHANDLED_EXCEPTION_WARNING)
        sys.stdout.write(bootstrap.error_log_text(init_error))
    sys.stdout.flush()
    send_frame(channel.sock, {"t": "init_done", "error": init_error, "init_ms": init_ms})
    if init_error:
        # Wait for the parent to end the environment: it reads this process's peak memory
        # first (Lambda reports the runtime's memory for a failed INIT too), and a process
        # that had already exited has none to read.
        with contextlib.suppress(FrameError, OSError):
            recv_frame(channel.sock)
        os._exit(0)

    meta = init["context"]
    result: dict | None = None
    while True:
        # The channel stays locked from sending a result until the next invoke arrives: a
        # background thread's AWS call waits for that invoke, as it would in a frozen
        # Lambda environment, and never lands between two invokes.
        with channel.lock:
            try:
                if result is not None:
                    send_frame(channel.sock, result)
                    if result["out_of_memory"]:
                        os._exit(0)
                message = recv_frame(channel.sock)
            except (FrameError, OSError):
                os._exit(0)
        if message.get("t") != "invoke":
            os._exit(0)
        result = _invoke(handler, message, meta, init, state)
        sys.stdout.flush()
        sys.stderr.flush()


def _invoke(
    handler: Callable[[Any, LambdaContext], Any],
    message: dict,
    meta: dict,
    init: dict,
    state: _State,
) -> dict:
    request_id = message["request_id"]
    state.request_id = request_id
    os.environ["_X_AMZN_TRACE_ID"] = message.get("trace_id", "")
    with contextlib.suppress(OSError, ValueError):  # the parent's wall-clock deadline still applies
        confine.set_cpu_budget(init["timeout_s"])
    context = LambdaContext(
        aws_request_id=request_id,
        function_name=meta["function_name"],
        memory_limit_in_mb=meta["memory_limit_in_mb"],
        invoked_function_arn=meta["invoked_function_arn"],
        log_group_name=meta["log_group_name"],
        log_stream_name=meta["log_stream_name"],
        deadline_epoch_ms=message["deadline_ms"],
        client_context=message.get("client_context"),
        identity=message.get("identity"),
    )
    payload = error = None
    out_of_memory = False
    started = time.perf_counter()
    try:
        event = json.loads(message["event"])
        payload = bootstrap.marshal_response(handler(event, context))
    except bootstrap.Fault as fault:
        error = fault.as_dict(request_id)
    except MemoryError:
        out_of_memory = True
        error = {
            "errorType": "Runtime.OutOfMemory",
            "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
            "requestId": request_id,
            "stackTrace": [],
        }
    except Exception as exc:
        error = bootstrap.error_from_exception(exc, request_id)
    except (
        BaseException
    ) as exc:  # SystemExit, KeyboardInterrupt: the runtime process ends, as in Lambda
        _die_like_python(exc)
    duration_ms = (time.perf_counter() - started) * 1000
    if error and not out_of_memory:
        sys.stdout.write(bootstrap.error_log_text(error))
    return {
        "t": "result",
        "request_id": request_id,
        "payload": payload,
        "error": error,
        "duration_ms": duration_ms,
        "out_of_memory": out_of_memory,
    }


def _die_like_python(exc: BaseException) -> None:
    sys.stdout.flush()
    if isinstance(exc, SystemExit):
        code = exc.code
        if code is None:
            code = 0
        elif not isinstance(code, int):
            sys.stderr.write(f"{code}\n")
            code = 1
        sys.stderr.flush()
        os._exit(code & 0xFF)
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    sys.stderr.flush()
    if isinstance(exc, KeyboardInterrupt):  # CPython ends by re-raising SIGINT
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    os._exit(1)


class _StdoutLogHandler(logging.Handler):
    """The runtime's log handler: formatted records go to stdout, the function's log stream."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record))
        except (OSError, ValueError):
            self.handleError(record)


# ---------------------------------------------------------------- AWS call forwarding
class _RawBody(io.BytesIO):
    def stream(self, **_kwargs: object) -> Iterator[bytes]:
        yield self.getvalue()


def _install_forwarder(channel: _Channel, state: _State) -> None:
    """Every botocore HTTP send, from any session or client, goes to the parent instead
    of the network (which the sandbox does not have anyway).

    When the template preloaded botocore, the send is replaced now. Otherwise botocore
    is not imported here (a handler that never uses it would pay for it): the send is
    replaced as botocore.httpsession is first imported, before that import returns to
    whatever code asked for it, so no client can send through the original."""

    def forwarding_send(self: object, request: Any) -> Any:
        import botocore.awsrequest  # already loaded: this runs only from a botocore client

        body = request.body
        if hasattr(body, "read"):
            position = body.tell() if hasattr(body, "tell") else None
            data = body.read()
            if position is not None:
                body.seek(position)
            body = data
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode("utf-8")
        headers = {
            k: v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
            for k, v in request.headers.items()
        }
        reply = channel.call(
            {
                "t": "call",
                "method": request.method,
                "url": request.url,
                "headers": headers,
                "body_b64": base64.b64encode(bytes(body)).decode("ascii"),
            }
        )
        content = base64.b64decode(reply.get("body_b64", ""))
        return botocore.awsrequest.AWSResponse(
            request.url, int(reply["status"]), reply.get("headers", {}), _RawBody(content)
        )

    def replace_send(httpsession: Any) -> None:
        httpsession.URLLib3Session.send = forwarding_send

    loaded = sys.modules.get(_HTTP_SESSION_MODULE)
    if loaded is not None:
        replace_send(loaded)
    else:
        sys.meta_path.insert(0, AfterImport(_HTTP_SESSION_MODULE, replace_send))


_HTTP_SESSION_MODULE = "botocore.httpsession"
