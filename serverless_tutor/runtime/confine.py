"""How a sandbox worker confines itself before it reads learner code.

Layers, applied in this order by the worker (see worker._confine); each is named in
the environment's `isolation` report, or listed as missing with the reason:
  session             own session and process group (done at fork), so the parent kills all of it
  pid-namespace       the worker runs in its own PID namespace (done by the template at fork):
                      no other process is visible or addressable by pid, and everything
                      in it dies with the environment
  namespaces          private mount namespace, empty network namespace
  tmp-size-cap        /tmp is a tmpfs of the function's ephemeral storage size (total, not per file)
  hidden-tutor-files  the tutor's package and content, the checkout and the learner's data
                      directory are covered by empty read-only mounts (ENOENT)
  ipc-namespace       own SysV IPC namespace: shm, message queues and semaphores are private
  thread-cap          at most limits.MAX_THREADS_PER_ENVIRONMENT tasks (pid_max of its own
                      PID namespace, Linux >= 6.14)
  rlimits             CPU, address space, file size, open files, no core dumps
  scrubbed-env        only the variables a Lambda function sees
  scratch-tmp         TMPDIR and tempfile.tempdir point at the environment's /tmp
  no-capabilities     every capability dropped (matters when the tutor runs as root)
  landlock            read: code, standard library, Lambda's packages only; write: /tmp only;
                      no TCP, no signals out
  seccomp             no exec, no new processes (threads allowed), no sockets, no ptrace,
                      no signals, prlimit or scheduling changes aimed at other processes,
                      no memfd_create, no namespace/mount/bpf/io_uring tricks
  shared-memory       memory the address-space limit would not see is refused or counted:
                      memfd_create refused, SysV segments removed once detached (so every
                      page is mapped, hence counted), message queues capped
  frozen-when-idle    applied by the parent: the worker's process group is stopped (SIGSTOP)
                      between invocations, as Lambda freezes an idle environment

Everything here uses raw syscalls through ctypes: no extra dependency, and the
filters can check arguments precisely (clone flags, kill's target pid). Linux only;
on other systems the kernel-dependent layers report themselves missing.
Standard library only.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import struct
import sys

ALL_LAYERS = (
    "session",
    "pid-namespace",
    "namespaces",
    "tmp-size-cap",
    "hidden-tutor-files",
    "ipc-namespace",
    "thread-cap",
    "rlimits",
    "scrubbed-env",
    "scratch-tmp",
    "no-capabilities",
    "landlock",
    "seccomp",
    "shared-memory",
    "frozen-when-idle",
)
PARENT_LAYERS = ("frozen-when-idle",)  # applied by the parent, not by the worker itself

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.prctl.argtypes = [
    ctypes.c_int,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
    ctypes.c_ulong,
]

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
PR_SET_CHILD_SUBREAPER = 36


class ConfinementError(Exception):
    pass


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    result = int(_libc.prctl(option, arg2, arg3, arg4, arg5))
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


def _syscall(number: int, *args: object) -> int:
    result = int(_libc.syscall(number, *args))
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


# ---------------------------------------------------------------- rlimits
def memory_status() -> dict[str, int]:
    """VmSize, VmRSS, VmHWM of this process in kB."""
    values = {}
    with open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith((b"VmSize:", b"VmRSS:", b"VmHWM:")):
                key, value = line.split(b":", 1)
                values[key.decode()] = int(value.split()[0])
    return values


def apply_rlimits(memory_mb: int, ephemeral_mb: int, address_space_headroom_mb: int = 256) -> None:
    """Address space: what the runtime has mapped now, plus the function's memory,
    plus headroom for thread stacks and allocator arenas. The environment's memory
    use (Max Memory Used) is watched separately as resident memory."""
    vm_kb = memory_status()["VmSize"]
    address_space = vm_kb * 1024 + (memory_mb + address_space_headroom_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    file_size = ephemeral_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))
    # CPU: the soft limit is moved before each invoke (see set_cpu_budget).
    resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def set_cpu_budget(seconds: float) -> None:
    """A CPU-time backstop for one invoke; the parent's wall-clock deadline comes first."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    soft = int(used + seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))


# ---------------------------------------------------------------- namespaces
CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
RESERVED_PIDS = 300  # the kernel hands out pids below this only until the counter first passes it


def _mount(
    source: str | None,
    target: str,
    flags: int,
    fstype: str | None = None,
    data: str | None = None,
) -> None:
    _libc.mount.argtypes = [
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_ulong,
        ctypes.c_char_p,
    ]
    result = _libc.mount(
        source.encode() if source else None,
        target.encode(),
        fstype.encode() if fstype else None,
        flags,
        data.encode() if data else None,
    )
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    _libc.unshare.argtypes = [ctypes.c_int]
    if _libc.unshare(flags) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare: {os.strerror(err)}")


def setns(fd: int, nstype: int) -> None:
    _libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]
    if _libc.setns(fd, nstype) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


def enter_namespaces() -> None:
    """New mount and network namespaces. Unprivileged users first enter a user
    namespace that maps them to themselves."""
    flags = CLONE_NEWNS | CLONE_NEWNET
    uid, gid = os.geteuid(), os.getegid()
    if uid != 0:
        flags |= CLONE_NEWUSER
    unshare(flags)
    if uid != 0:
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"{gid} {gid} 1")
    _mount(None, "/", MS_REC | MS_PRIVATE)  # nothing we mount leaks back to the host


def lay_out_files(
    tmp_mb: int | None, scratch_dir: str, visible: list[str], hidden: list[str]
) -> list[str]:
    """Arrange what the handler sees, inside the new mount namespace:

    - /tmp becomes a fresh tmpfs of `tmp_mb` MB (the cap is on the total, as Lambda's
      ephemeral storage is), or the scratch dir bound there when `tmp_mb` is None or
      tmpfs cannot be mounted;
    - every directory in `hidden` is covered by an empty read-only tmpfs;
    - every path in `visible` that a cover hid (a code dir or a virtualenv under /tmp,
      a code dir inside the learner's data dir) is bound back at its own path, read-only.

    Operations go from the shallowest path to the deepest, so a deeper rule wins: a
    package hidden inside a site-packages that was bound back is hidden again, a code
    dir inside a hidden folder is visible again. Returns notes on what degraded."""
    notes: list[str] = []
    visible_paths = sorted({os.path.realpath(p) for p in visible if os.path.exists(p)})
    hidden_paths = sorted({os.path.realpath(p) for p in hidden if os.path.isdir(p)})
    # Opened before anything is covered: the only way to reach them afterwards.
    handles = {path: os.open(path, os.O_PATH | os.O_CLOEXEC) for path in visible_paths}
    is_dir = {path: os.path.isdir(path) for path in visible_paths}
    operations = (
        [("/tmp", "tmp")]
        + [(path, "hide") for path in hidden_paths]
        + [(path, "show") for path in visible_paths]
    )
    operations.sort(key=lambda op: (len(_parts(op[0])), op[1] == "show"))
    applied: list[tuple[str, str]] = []
    try:
        for path, kind in operations:
            owner = _deepest_covering(applied, path)
            if kind == "show":
                if owner is None or owner == "show":
                    continue  # still visible where it is
                if is_dir[path]:
                    os.makedirs(path, exist_ok=True)
                elif not os.path.exists(path):
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
                _mount(f"/proc/self/fd/{handles[path]}", path, MS_BIND | MS_REC)
                _mount(None, path, MS_REMOUNT | MS_BIND | MS_RDONLY)
            elif kind == "hide":
                if not os.path.isdir(path):
                    continue  # already out of view under a cover
                _mount("hidden", path, MS_NOSUID | MS_NODEV, "tmpfs", "size=64k,mode=755")
            else:
                _mount_tmp(tmp_mb, scratch_dir, notes)
            applied.append((path, kind))
        for path, kind in applied:
            if kind == "hide":  # read-only only now: deeper binds needed mount points in it
                _mount(None, path, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "tmpfs")
    except OSError:
        _libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
        for path, _kind in reversed(applied):  # back to a consistent view before reporting
            _libc.umount2(path.encode(), MNT_DETACH)
        raise
    finally:
        for fd in handles.values():
            os.close(fd)
    return notes


def _mount_tmp(tmp_mb: int | None, scratch_dir: str, notes: list[str]) -> None:
    if tmp_mb is not None:
        inodes = max(4096, tmp_mb * 64)  # about what a 512 MB ext4 /tmp has
        try:
            _mount(
                "lambda-tmp",
                "/tmp",
                MS_NOSUID | MS_NODEV,
                "tmpfs",
                f"size={tmp_mb}m,nr_inodes={inodes},mode=1777",
            )
            return
        except OSError as exc:
            notes.append(f"tmp-size-cap: {exc}")
    _mount(scratch_dir, "/tmp", MS_BIND)


def _parts(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.split("/") if part)


def _deepest_covering(applied: list[tuple[str, str]], path: str) -> str | None:
    """The kind of the deepest applied operation at `path` or above it."""
    best: tuple[int, str] | None = None
    for other, kind in applied:
        if os.path.commonpath([other, path]) == other:
            depth = len(_parts(other))
            if best is None or depth >= best[0]:
                best = (depth, kind)
    return best[1] if best else None


def _write_proc(name: str, value: str) -> None:
    with open(f"/proc/sys/kernel/{name}", "w") as f:
        f.write(value)
    with open(f"/proc/sys/kernel/{name}") as f:
        if f.read().strip() != value:
            raise ConfinementError(f"kernel.{name} did not take the value {value}")


def cap_ipc(memory_mb: int) -> None:
    """In the environment's own IPC namespace (entered just before): a SysV segment that
    no process has attached is removed, so every shared page is mapped in the worker and
    counted by the address-space limit and Max Memory Used; at most the function's memory
    in segments; few message queues."""
    _write_proc("shm_rmid_forced", "1")
    _write_proc("shmmax", str(memory_mb * 1024 * 1024))
    _write_proc("shmall", str(memory_mb * 256))  # in 4 KiB pages
    _write_proc("shmmni", "64")
    _write_proc("msgmni", "16")  # x 16 KiB per queue


def pid_namespace_is_per_namespace_pid_max() -> bool:
    """Linux 6.14 made pid_max a property of each PID namespace. On older kernels the
    file is global: writing it would change the whole machine, so it is never touched."""
    try:
        major, minor = (int(x) for x in platform.release().split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (6, 14)


def in_child_pid_namespace() -> bool:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("NSpid:"):
                return len(line.split()) > 2
    return False


def cap_threads(max_tasks: int) -> None:
    """At most `max_tasks` threads and processes for this worker, counting its main thread.

    In its own PID namespace the worker is pid 2 (pid 1 is the namespace's init). Moving
    the namespace's pid counter past RESERVED_PIDS makes the kernel allocate every later
    pid from [RESERVED_PIDS, pid_max), so pid_max = RESERVED_PIDS + max_tasks - 1 leaves
    room for exactly max_tasks - 1 more tasks, however many have come and gone."""
    if not in_child_pid_namespace():
        raise ConfinementError("needs the pid-namespace layer")
    if not pid_namespace_is_per_namespace_pid_max():
        raise ConfinementError(f"pid_max is not per PID namespace on Linux {platform.release()}")
    _write_proc("ns_last_pid", str(RESERVED_PIDS))
    _write_proc("pid_max", str(RESERVED_PIDS + max_tasks - 1))


# ---------------------------------------------------------------- capabilities
class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def drop_capabilities() -> None:
    for cap in range(64):
        try:
            prctl(PR_CAPBSET_DROP, cap)
        except OSError as exc:
            if exc.errno != errno.EINVAL:  # EINVAL: no such capability on this kernel
                raise
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    if _libc.capset(ctypes.byref(header), data) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capset: {os.strerror(err)}")


# ---------------------------------------------------------------- landlock
_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_TRUNCATE = 1 << 14
FS_IOCTL_DEV = 1 << 15
_FILE_ONLY_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1


def landlock_abi() -> int:
    """The Landlock ABI version this kernel offers, 0 when it has none."""
    if sys.platform != "linux":
        return 0
    result = _libc.syscall(
        _LANDLOCK_CREATE_RULESET,
        None,
        ctypes.c_size_t(0),
        ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION),
    )
    return result if result > 0 else 0


def _all_fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1  # ABI 1: execute .. make_sym
    if abi >= 2:
        rights |= 1 << 13  # refer
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def apply_landlock(
    read_paths: list[str], write_paths: list[str], list_only: list[str] | None = None
) -> int:
    """Restrict this process to reading `read_paths`, listing (not reading) the
    directories in `list_only`, and writing `write_paths`. Returns the ABI used. With ABI >= 4 TCP bind/connect are denied; with ABI >= 6
    signals and abstract sockets cannot reach outside the sandbox."""
    abi = landlock_abi()
    if abi < 1:
        raise ConfinementError("Landlock is not available on this kernel")
    handled_fs = _all_fs_rights(abi)
    handled_net = NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    if abi >= 6:
        attr = struct.pack("=QQQ", handled_fs, handled_net, scoped)
    elif abi >= 4:
        attr = struct.pack("=QQ", handled_fs, handled_net)
    else:
        attr = struct.pack("=Q", handled_fs)
    buffer = ctypes.create_string_buffer(attr, len(attr))
    ruleset_fd = _syscall(
        _LANDLOCK_CREATE_RULESET, buffer, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0)
    )
    try:
        read_rights = FS_READ_FILE | FS_READ_DIR
        for path in read_paths:
            _add_path_rule(ruleset_fd, path, read_rights)
        for path in list_only or []:
            if os.path.isdir(path):
                _add_path_rule(ruleset_fd, path, FS_READ_DIR)
        for path in write_paths:
            _add_path_rule(ruleset_fd, path, handled_fs & ~FS_EXECUTE)
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        _syscall(_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset_fd), ctypes.c_uint32(0))
    finally:
        os.close(ruleset_fd)
    return abi


def _add_path_rule(ruleset_fd: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if not os.path.isdir(path):
            rights &= _FILE_ONLY_RIGHTS
        rule = ctypes.create_string_buffer(struct.pack("=Qi", rights, fd), 12)
        _syscall(
            _LANDLOCK_ADD_RULE,
            ctypes.c_int(ruleset_fd),
            ctypes.c_int(_LANDLOCK_RULE_PATH_BENEATH),
            rule,
            ctypes.c_uint32(0),
        )
    finally:
        os.close(fd)


# ---------------------------------------------------------------- seccomp
_AUDIT_ARCH_X86_64 = 0xC000003E
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_SECCOMP_RET_KILL_PROCESS = 0x80000000
_SECCOMP_SET_MODE_FILTER = 1
_LD_W_ABS = 0x20
_JEQ = 0x15
_JGE = 0x35
_JSET = 0x45
_RET = 0x06
_CLONE_THREAD = 0x00010000

# x86_64 syscall numbers refused with EPERM.
_DENIED_X86_64 = {
    "execve": 59,
    "execveat": 322,
    "fork": 57,
    "vfork": 58,
    "socket": 41,
    "socketpair": 53,
    "connect": 42,
    "bind": 49,
    "listen": 50,
    "ptrace": 101,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "kcmp": 312,
    "process_madvise": 440,
    "tkill": 200,
    "pidfd_open": 434,
    "pidfd_send_signal": 424,
    "pidfd_getfd": 438,
    "unshare": 272,
    "setns": 308,
    "mount": 165,
    "umount2": 166,
    "pivot_root": 155,
    "chroot": 161,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "mount_setattr": 442,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "bpf": 321,
    "perf_event_open": 298,
    "userfaultfd": 323,
    "keyctl": 250,
    "add_key": 248,
    "request_key": 249,
    "kexec_load": 246,
    "kexec_file_load": 320,
    "init_module": 175,
    "finit_module": 313,
    "delete_module": 176,
    "reboot": 169,
    "swapon": 167,
    "swapoff": 168,
    "syslog": 103,
    "acct": 163,
    "settimeofday": 164,
    "clock_settime": 227,
    "adjtimex": 159,
    "personality": 135,
}
_CLONE_X86_64, _CLONE3_X86_64, _KILL_X86_64, _TGKILL_X86_64 = 56, 435, 62, 234
_MEMFD_CREATE_X86_64 = 319
_SETPRIORITY_X86_64 = 141
# Calls whose first argument is a target pid: allowed on 0 (the caller) or our own pid only.
# prlimit64 is the one that matters most: it could lower the parent's open-file limit.
_SELF_ONLY_X86_64 = {
    "prlimit64": 302,
    "sched_setparam": 142,
    "sched_setscheduler": 144,
    "sched_setaffinity": 203,
    "sched_setattr": 314,
    "migrate_pages": 256,
    "move_pages": 279,
}


def seccomp_supported() -> bool:
    """Whether we have a filter for this machine; the kernel itself is asked when applying."""
    return sys.platform == "linux" and platform.machine() == "x86_64"


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k & 0xFFFFFFFF)


def seccomp_program(own_pid: int, *, deny_memfd: bool = True) -> bytes:
    """A classic-BPF filter for x86_64 (see the module docstring for what it refuses)."""
    eperm = _SECCOMP_RET_ERRNO | errno.EPERM
    arg0 = 16  # offsetof(struct seccomp_data, args[0]); low 32 bits on little-endian
    arg1 = 24
    prog = [
        _insn(_LD_W_ABS, 4),  # arch
        _insn(_JEQ, _AUDIT_ARCH_X86_64, 1, 0),
        _insn(_RET, _SECCOMP_RET_KILL_PROCESS),
        _insn(_LD_W_ABS, 0),  # syscall number
        _insn(_JGE, 0x40000000, 0, 1),  # x32 ABI: refuse everything
        _insn(_RET, eperm),
    ]
    for number in sorted(_DENIED_X86_64.values()):
        prog += [_insn(_JEQ, number, 0, 1), _insn(_RET, eperm)]
    if deny_memfd:  # memfd pages that are written but never mapped escape every limit
        prog += [_insn(_JEQ, _MEMFD_CREATE_X86_64, 0, 1), _insn(_RET, eperm)]
    # pid_t arguments are 32 bits: the kernel ignores the high half, and so may we.
    for number in sorted(_SELF_ONLY_X86_64.values()):
        prog += [
            _insn(_JEQ, number, 0, 5),
            _insn(_LD_W_ABS, arg0),
            _insn(_JEQ, 0, 2, 0),
            _insn(_JEQ, own_pid, 1, 0),
            _insn(_RET, eperm),
            _insn(_RET, _SECCOMP_RET_ALLOW),
        ]
    # setpriority(which, who, prio): only PRIO_PROCESS on ourselves (PRIO_USER would
    # renice every process of our uid, the tutor included).
    prog += [
        _insn(_JEQ, _SETPRIORITY_X86_64, 0, 7),
        _insn(_LD_W_ABS, arg0),
        _insn(_JEQ, 0, 0, 3),
        _insn(_LD_W_ABS, arg1),
        _insn(_JEQ, 0, 2, 0),
        _insn(_JEQ, own_pid, 1, 0),
        _insn(_RET, eperm),
        _insn(_RET, _SECCOMP_RET_ALLOW),
    ]
    # clone3 hides its flags in memory: ENOSYS makes glibc fall back to clone().
    prog += [_insn(_JEQ, _CLONE3_X86_64, 0, 1), _insn(_RET, _SECCOMP_RET_ERRNO | errno.ENOSYS)]
    # clone: threads only.
    prog += [
        _insn(_JEQ, _CLONE_X86_64, 0, 4),
        _insn(_LD_W_ABS, arg0),
        _insn(_JSET, _CLONE_THREAD, 0, 1),
        _insn(_RET, _SECCOMP_RET_ALLOW),
        _insn(_RET, eperm),
    ]
    # kill: only ourselves (pid, 0 = our own group, -pid).
    prog += [
        _insn(_JEQ, _KILL_X86_64, 0, 6),
        _insn(_LD_W_ABS, arg0),
        _insn(_JEQ, own_pid, 3, 0),
        _insn(_JEQ, 0, 2, 0),
        _insn(_JEQ, -own_pid, 1, 0),
        _insn(_RET, eperm),
        _insn(_RET, _SECCOMP_RET_ALLOW),
    ]
    # tgkill: only threads of our own process.
    prog += [
        _insn(_JEQ, _TGKILL_X86_64, 0, 4),
        _insn(_LD_W_ABS, arg0),
        _insn(_JEQ, own_pid, 1, 0),
        _insn(_RET, eperm),
        _insn(_RET, _SECCOMP_RET_ALLOW),
    ]
    prog.append(_insn(_RET, _SECCOMP_RET_ALLOW))
    return b"".join(prog)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def apply_seccomp(*, deny_memfd: bool = True) -> None:
    if not seccomp_supported():
        raise ConfinementError("seccomp filters are only built for x86_64 Linux")
    program = seccomp_program(os.getpid(), deny_memfd=deny_memfd)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    _syscall(
        317, ctypes.c_uint(_SECCOMP_SET_MODE_FILTER), ctypes.c_uint(0), ctypes.byref(fprog)
    )  # seccomp(2)
