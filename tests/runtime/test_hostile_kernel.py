"""Every kernel resource fenced: limits on other processes, SysV IPC, memfd, /tmp's
total size, the number of threads, CPU while idle, and an isolation report that
names each layer. Each case asserts the specific errno or limit it meets."""

from __future__ import annotations

import os
import resource
import time

import pytest

from serverless_tutor.limits import MAX_THREADS_PER_ENVIRONMENT
from serverless_tutor.runtime import LambdaRuntime
from serverless_tutor.runtime.confine import ALL_LAYERS

from .conftest import make_function, settle

HEALTHY = "def handler(e, c):\n    return 'still fine'\n"

ERRNO_OF = """
import errno
def errno_of(call, *args):
    try:
        call(*args)
        return "ok"
    except OSError as exc:
        return errno.errorcode.get(exc.errno, exc.errno)
"""

SYSV = """
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
IPC_CREAT, IPC_EXCL = 0o1000, 0o2000
attached = []

def shmget(key, size, flags):
    result = libc.shmget(key, ctypes.c_size_t(size), flags)
    return result if result >= 0 else errno.errorcode[ctypes.get_errno()]
"""


@pytest.fixture(scope="module")
def runtime():
    with LambdaRuntime(backend="sandbox") as runtime:
        yield runtime


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    return make_function(tmp_path_factory.mktemp("healthy"), HEALTHY)


@pytest.fixture
def run(runtime, tmp_path, healthy):
    def go(source: str, event=None, **config):
        fn = make_function(tmp_path, source, **config)
        result = runtime.invoke(fn, event or {})
        assert runtime.invoke(healthy, {}).response == "still fine"
        return fn, result

    return go


# ---------------------------------------------------------------- other processes
def test_prlimit_on_the_parent_is_refused_and_its_limit_unchanged(run):
    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    _fn, result = run(
        ERRNO_OF
        + "import resource\n"
        + "def handler(e, c):\n"
        + "    return errno_of(resource.prlimit, e['pid'], resource.RLIMIT_NOFILE, (3, 3))\n",
        {"pid": os.getpid()},
    )
    assert result.response == "EPERM"
    assert resource.getrlimit(resource.RLIMIT_NOFILE) == before


def test_prlimit_on_the_namespaces_init_is_refused(run):
    _fn, result = run(
        ERRNO_OF
        + "import resource\n"
        + "def handler(e, c):\n"
        + "    return errno_of(resource.prlimit, 1, resource.RLIMIT_NOFILE, (3, 3))\n"
    )
    assert result.response == "EPERM"


def test_prlimit_and_setrlimit_on_itself_still_work(run):
    _fn, result = run(
        ERRNO_OF
        + "import os, resource\n"
        + "def handler(e, c):\n"
        + "    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
        + "    return [errno_of(resource.prlimit, 0, resource.RLIMIT_NOFILE, (soft - 1, hard)),\n"
        + "            errno_of(resource.prlimit, os.getpid(), resource.RLIMIT_NOFILE, (soft - 2, hard)),\n"
        + "            errno_of(resource.setrlimit, resource.RLIMIT_NOFILE, (soft - 3, hard))]\n"
    )
    assert result.response == ["ok", "ok", "ok"]


def test_renicing_every_process_of_the_user_is_refused(run):
    own_nice = os.getpriority(os.PRIO_PROCESS, 0)
    _fn, result = run(
        ERRNO_OF
        + "import os\n"
        + "def handler(e, c):\n"
        + "    return [errno_of(os.setpriority, os.PRIO_USER, 0, 19),\n"
        + "            errno_of(os.setpriority, os.PRIO_PROCESS, e['pid'], 19),\n"
        + "            errno_of(os.setpriority, os.PRIO_PROCESS, 0, 5)]\n",
        {"pid": os.getpid()},
    )
    assert result.response == ["EPERM", "EPERM", "ok"]
    assert os.getpriority(os.PRIO_PROCESS, 0) == own_nice


def test_pinning_the_parent_to_a_cpu_is_refused(run):
    _fn, result = run(
        ERRNO_OF
        + "import os\n"
        + "def handler(e, c):\n"
        + "    return errno_of(os.sched_setaffinity, e['pid'], {0})\n",
        {"pid": os.getpid()},
    )
    assert result.response == "EPERM"


def test_the_worker_is_pid_2_of_its_own_namespace_and_cannot_kill_everything(run):
    _fn, result = run(
        ERRNO_OF
        + "import os, signal\n"
        + "def handler(e, c):\n"
        + "    return [os.getpid(), os.getppid(), errno_of(os.kill, -1, signal.SIGKILL),\n"
        + "            errno_of(os.kill, 1, signal.SIGKILL)]\n"
    )
    assert result.response == [2, 0, "EPERM", "EPERM"]  # its parent is outside the namespace


# ---------------------------------------------------------------- memory outside the heap
def test_memfd_create_is_refused(run):
    _fn, result = run(
        ERRNO_OF + "import os\ndef handler(e, c):\n    return errno_of(os.memfd_create, 'hoard')\n"
    )
    assert result.response == "EPERM"


def test_a_shared_memory_segment_is_not_visible_from_another_environment(runtime, tmp_path):
    key = 0x5EC2E7
    writer = make_function(
        tmp_path,
        SYSV
        + """
def handler(e, c):
    shmid = shmget(e["key"], 4096, IPC_CREAT | 0o600)
    address = libc.shmat(shmid, None, 0)
    attached.append(address)  # stays attached while the environment lives
    ctypes.memmove(address, b"answers", 7)
    return shmid
""",
    )
    reader = make_function(
        tmp_path, SYSV + "def handler(e, c):\n    return shmget(e['key'], 0, 0)\n"
    )
    assert isinstance(runtime.invoke(writer, {"key": key}).response, int)
    assert runtime.invoke(reader, {"key": key}).response == "ENOENT"
    assert runtime.invoke(writer, {"key": key}).response != "ENOENT"  # still there in its own


def test_a_detached_segment_is_removed_so_none_can_hide_memory(run):
    _fn, result = run(
        SYSV
        + """
def handler(e, c):
    shmid = shmget(0xD7AC, 1 << 20, IPC_CREAT | 0o600)
    libc.shmdt(ctypes.c_void_p(libc.shmat(shmid, None, 0)))
    return shmget(0xD7AC, 0, 0)
"""
    )
    assert result.response == "ENOENT"


def test_a_segment_larger_than_the_functions_memory_is_refused(run):
    _fn, result = run(
        SYSV + "def handler(e, c):\n    return shmget(0xB16, 200 << 20, IPC_CREAT | 0o600)\n"
    )
    assert result.response == "EINVAL"


def test_message_queues_are_capped_at_16(run):
    _fn, result = run(
        """
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
def handler(e, c):
    made = 0
    while made < 100:
        if libc.msgget(0x100 + made, 0o1000 | 0o600) < 0:
            return [made, errno.errorcode[ctypes.get_errno()]]
        made += 1
    return [made, None]
"""
    )
    assert result.response == [16, "ENOSPC"]


# ---------------------------------------------------------------- /tmp
def test_tmp_is_a_512_mb_filesystem_whose_total_is_capped(run):
    _fn, result = run(
        """
import errno, os
def handler(e, c):
    stats = os.statvfs("/tmp")
    outcomes = []
    for name in ("a", "b"):
        fd = os.open(f"/tmp/{name}", os.O_CREAT | os.O_WRONLY, 0o600)
        try:
            os.posix_fallocate(fd, 0, 300 * 1024 * 1024)  # each file is under the 512 MB cap
            outcomes.append("ok")
        except OSError as exc:
            outcomes.append(errno.errorcode[exc.errno])
        finally:
            os.close(fd)
    return [stats.f_blocks * stats.f_frsize, outcomes]
"""
    )
    size, outcomes = result.response
    assert size == 512 * 1024 * 1024
    assert outcomes == ["ok", "ENOSPC"]


def test_tmp_follows_the_configured_ephemeral_storage(run):
    _fn, result = run(
        "import os\ndef handler(e, c):\n    s = os.statvfs('/tmp')\n    return s.f_blocks * s.f_frsize\n",
        ephemeral_storage_mb=1024,
    )
    assert result.response == 1024 * 1024 * 1024


# ---------------------------------------------------------------- threads
THREADS = """
import threading
threading.stack_size(64 * 1024)
def handler(e, c):
    stop = threading.Event()
    started = []
    failure = None
    try:
        while len(started) < 5000:
            thread = threading.Thread(target=stop.wait)
            thread.start()
            started.append(thread)
    except RuntimeError as exc:
        failure = str(exc)
    stop.set()
    for thread in started:
        thread.join()
    return [len(started), failure]
"""


def test_thread_creation_fails_at_1024_tasks_and_again_after_they_end(runtime, tmp_path):
    fn = make_function(tmp_path, THREADS, memory_mb=512)
    first = runtime.invoke(fn, {})
    again = runtime.invoke(fn, {})  # pids were used and freed: the cap is the same
    expected = [MAX_THREADS_PER_ENVIRONMENT - 1, "can't start new thread"]  # + the main thread
    assert first.response == expected and again.response == expected and not again.cold
    assert runtime.destroy_environments(fn.name) == 1


# ---------------------------------------------------------------- frozen while idle
TICKER = """
import threading, time
ticks = []
def tick():
    while True:
        ticks.append(time.time())
        del ticks[:-2000]
        time.sleep(0.002)
def handler(e, c):
    if e.get("start"):
        threading.Thread(target=tick, daemon=True).start()
        while len(ticks) < 3:
            time.sleep(0.001)
        return len(ticks)
    deadline = time.time() + 10
    seen = len(ticks)
    while len(ticks) < seen + 3 and time.time() < deadline:  # it runs again once thawed
        time.sleep(0.001)
    return ticks
"""


def _all_tasks_stopped(pid: int) -> bool:
    states = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/stat") as stat:
            states.append(stat.read().rsplit(")", 1)[1].split()[0])
    return bool(states) and all(state in ("T", "t") for state in states)


def _idle_window(runtime, fn, wait_stopped: bool) -> tuple[float, float]:
    """Start the ticker, then wait while the environment is idle; returns the window."""
    assert runtime.invoke(fn, {"start": True}).response >= 3
    (env,) = runtime.environments(fn.name)
    if wait_stopped:
        deadline = time.monotonic() + 10
        while not _all_tasks_stopped(env.pid):
            assert time.monotonic() < deadline, "the environment was never stopped"
            time.sleep(0.005)
    start = time.time()
    time.sleep(0.3)  # idle: a thread that is not frozen ticks about 150 times here
    return start, time.time()


def test_a_background_thread_does_not_run_while_the_environment_is_idle(runtime, tmp_path):
    fn = make_function(tmp_path, TICKER)
    start, end = _idle_window(runtime, fn, wait_stopped=True)
    ticks = runtime.invoke(fn, {}).response
    assert [t for t in ticks if start < t < end] == []
    assert ticks[-1] > end  # and it runs again during the next invoke
    assert runtime.destroy_environments(fn.name) == 1


def test_without_the_freeze_the_same_thread_runs_while_idle(tmp_path):
    """The control for the test above: it can fail."""
    fn = make_function(tmp_path, TICKER)
    with LambdaRuntime(disable_isolation=["frozen-when-idle"]) as runtime:
        start, end = _idle_window(runtime, fn, wait_stopped=False)
        ticks = runtime.invoke(fn, {}).response
        assert len([t for t in ticks if start < t < end]) > 10
        assert "frozen-when-idle" not in runtime.invoke(fn, {}).isolation


# ---------------------------------------------------------------- the report
def test_every_layer_is_named_in_the_report_in_order(runtime, tmp_path):
    result = runtime.invoke(make_function(tmp_path, HEALTHY), {})
    assert result.isolation == list(ALL_LAYERS)


def test_a_disabled_layer_is_reported_missing_and_degrades_cleanly(tmp_path):
    fn = make_function(
        tmp_path,
        "import os\ndef handler(e, c):\n    s = os.statvfs('/tmp')\n"
        "    return [os.getpid(), s.f_blocks * s.f_frsize == 512 << 20]\n",
    )
    with LambdaRuntime(disable_isolation=["pid-namespace", "tmp-size-cap"]) as runtime:
        result = runtime.invoke(fn, {})
        (env,) = runtime._slots[fn.name]
        detail = env.env.isolation_detail
    assert "pid-namespace" not in result.isolation and "tmp-size-cap" not in result.isolation
    assert "thread-cap" not in result.isolation  # it needs the PID namespace
    assert "thread-cap: needs the pid-namespace layer" in detail
    pid, capped = result.response
    assert pid != 2 and capped is False


@pytest.mark.parametrize(
    "required,disabled",
    [
        (["frozen-when-idle"], ["frozen-when-idle"]),
        (["thread-cap"], ["pid-namespace"]),
        (["shared-memory"], ["ipc-namespace"]),
    ],
    ids=["parent-layer", "thread-cap-without-pid-namespace", "shared-memory-without-ipc"],
)
def test_a_required_layer_that_cannot_be_had_fails_closed(tmp_path, required, disabled):
    fn = make_function(tmp_path, "print('INIT CODE RAN')\ndef handler(e, c):\n    return 'ran'\n")
    with LambdaRuntime(require_isolation=required, disable_isolation=disabled) as runtime:
        result = runtime.invoke(fn, {})
        assert result.error.error_type == "Sandbox.IsolationUnavailable"
        assert required[0] in result.error.error_message
        assert result.response is None and "INIT CODE RAN" not in result.logs
        assert settle(runtime) == set()


def test_a_frozen_environment_takes_small_and_large_events(runtime, tmp_path):
    fn = make_function(tmp_path, "def handler(e, c):\n    return len(e['data'])\n")
    sizes = [10, 5 * 1024 * 1024, 10, 100 * 1024]  # larger ones than a socket buffer holds
    results = [runtime.invoke(fn, {"data": "x" * size}) for size in sizes]
    assert [r.response for r in results] == sizes
    assert [r.cold for r in results] == [True, False, False, False]
