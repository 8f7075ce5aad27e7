"""How a sandbox worker confines itself before it reads learner code.

Layers, applied in this order by `confine()` in the worker process:
  session          own session and process group (done at fork), so the parent kills all of it
  rlimits          CPU, address space, file size, open files, no core dumps
  scrubbed-env     only the variables a Lambda function sees
  namespaces       private mount namespace with the scratch dir bound on /tmp, empty network namespace
  scratch-tmp      TMPDIR and tempfile.tempdir point at the environment's scratch dir
  no-capabilities  every capability dropped (matters when the tutor runs as root)
  landlock         read-only code and libraries, writable scratch only, no TCP, no signals out
  seccomp          no exec, no new processes (threads allowed), no sockets, no ptrace,
                   no signals to other processes, no namespace/mount/bpf/io_uring tricks

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
    "rlimits",
    "scrubbed-env",
    "namespaces",
    "scratch-tmp",
    "no-capabilities",
    "landlock",
    "seccomp",
)

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
    result = _libc.prctl(option, arg2, arg3, arg4, arg5)
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


def _syscall(number: int, *args) -> int:
    result = _libc.syscall(number, *args)
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
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18


def _mount(source: str | None, target: str, flags: int) -> None:
    _libc.mount.argtypes = [
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_ulong,
        ctypes.c_void_p,
    ]
    result = _libc.mount(source.encode() if source else None, target.encode(), None, flags, None)
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def enter_namespaces(scratch_dir: str, keep_visible: list[str]) -> None:
    """New mount and network namespaces; the scratch dir becomes /tmp.
    Unprivileged users first enter a user namespace that maps them to themselves.
    Paths in `keep_visible` that live under /tmp (the code dir, or a virtualenv
    or source checkout under /tmp, as CI runners often have) would be hidden by
    the new /tmp, so they are bound back at their own paths, read-only."""
    _libc.unshare.argtypes = [ctypes.c_int]
    _libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    flags = CLONE_NEWNS | CLONE_NEWNET
    uid, gid = os.geteuid(), os.getegid()
    if uid != 0:
        flags |= CLONE_NEWUSER
    if _libc.unshare(flags) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare: {os.strerror(err)}")
    if uid != 0:
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"{gid} {gid} 1")
    _mount(None, "/", MS_REC | MS_PRIVATE)  # nothing we mount leaks back to the host
    # Opened in the new namespace, before /tmp is covered.
    under_tmp = {
        path: os.open(path, os.O_PATH | os.O_CLOEXEC) for path in _outermost_under_tmp(keep_visible)
    }
    try:
        _mount(scratch_dir, "/tmp", MS_BIND)
        try:
            for path, fd in under_tmp.items():
                os.makedirs(path, exist_ok=True)
                _mount(f"/proc/self/fd/{fd}", path, MS_BIND | MS_REC)
                _mount(None, path, MS_REMOUNT | MS_BIND | MS_RDONLY)
        except OSError:
            _libc.umount2(
                b"/tmp", 2
            )  # MNT_DETACH: back to a consistent view before reporting the failure
            raise
    finally:
        for fd in under_tmp.values():
            os.close(fd)


def _outermost_under_tmp(paths: list[str]) -> list[str]:
    """The existing directories under /tmp among `paths`, without ones nested in another."""
    candidates = sorted({os.path.realpath(p) for p in paths if os.path.isdir(p)}, key=len)
    chosen: list[str] = []
    for path in candidates:
        if os.path.commonpath([path, "/tmp"]) != "/tmp" or path == "/tmp":
            continue
        if not any(os.path.commonpath([path, outer]) == outer for outer in chosen):
            chosen.append(path)
    return chosen


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


def apply_landlock(read_paths: list[str], write_paths: list[str]) -> int:
    """Restrict this process to reading `read_paths` and writing `write_paths`.
    Returns the ABI used. With ABI >= 4 TCP bind/connect are denied; with ABI >= 6
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


def seccomp_supported() -> bool:
    """Whether we have a filter for this machine; the kernel itself is asked when applying."""
    return sys.platform == "linux" and platform.machine() == "x86_64"


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k & 0xFFFFFFFF)


def seccomp_program(own_pid: int) -> bytes:
    """A classic-BPF filter for x86_64 (see the module docstring for what it refuses)."""
    eperm = _SECCOMP_RET_ERRNO | errno.EPERM
    arg0 = 16  # offsetof(struct seccomp_data, args[0]); low 32 bits on little-endian
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


def apply_seccomp() -> None:
    if not seccomp_supported():
        raise ConfinementError("seccomp filters are only built for x86_64 Linux")
    program = seccomp_program(os.getpid())
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    _syscall(
        317, ctypes.c_uint(_SECCOMP_SET_MODE_FILTER), ctypes.c_uint(0), ctypes.byref(fprog)
    )  # seccomp(2)
