"""seccomp filters for the Duet kernel.

Two stages, both applied to every thread of the process (TSYNC):

* stage 1, before the kernel starts: no new programs or processes, no debugging
  or memory access into other processes, no namespace or mount tricks, no
  kernel-attack surface that notebooks never need, no System V or POSIX message
  IPC (outside bwrap those objects live in the host's IPC namespace and outlive
  the kernel), signals only to itself, and every call that changes another
  process (its limits, priority, I/O priority, memory placement) only for itself;
* stage 2, once the kernel has bound its ZeroMQ sockets: no new sockets at all.

``socketpair`` stays, because asyncio needs it for its self-pipe, but only for
connected Unix stream pairs: an unconnected datagram socket could ``sendto()``
any pathname socket on the host. ``sendto`` with a destination address is refused
for the same reason.

Debian's python3-seccomp (``import seccomp``) builds the filter when present;
otherwise the same rules are assembled here as a classic BPF program and loaded
with the seccomp syscall through ctypes, so a pip-only interpreter gets the
same protection. Filters only ever add restrictions: nothing can remove them.
"""

import ctypes
import errno
import os
import platform
import struct

CLONE_THREAD = 0x00010000
PR_SET_PDEATHSIG = 1
TIOCSTI = 0x5412
TIOCLINUX = 0x541C

# Denied outright with EPERM.
DENIED = (
    "execve", "execveat", "fork", "vfork",
    "ptrace", "process_vm_readv", "process_vm_writev",
    "mount", "umount2", "unshare", "setns", "pivot_root", "chroot",
    "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "bpf", "perf_event_open", "userfaultfd",
    "keyctl", "add_key", "request_key",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "memfd_create", "memfd_secret",
    "tkill", "pidfd_send_signal", "pidfd_open", "pidfd_getfd", "kcmp",
    "process_madvise", "process_mrelease",
    "personality",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "open_by_handle_at", "name_to_handle_at",
    "acct", "swapon", "swapoff", "reboot", "syslog", "lookup_dcookie",
    "quotactl", "quotactl_fd", "iopl", "ioperm", "fanotify_init", "uselib", "vhangup",
    "shmget", "shmat", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl",
    "semget", "semop", "semtimedop", "semctl",
    "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr",
)
# Allowed only when the first argument is this process's own pid.
OWN_PID_ONLY = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")
PRIO_PROCESS = 0
IOPRIO_WHO_PROCESS = 1
# Calls that take a pid and act on that process: allowed for 0 (the caller) or the
# kernel's own pid only, so notebook code cannot change the limits, priority or memory
# placement of the server or of any other process of the same user (outside bwrap the
# kernel shares the host's PID namespace). Name → (index of the pid argument, and the
# (index, value) its "which" argument must have: a priority set for a process group or
# for a whole user would reach other processes through pid 0 as well).
OWN_TARGET = {
    "prlimit64": (0, None), "move_pages": (0, None), "migrate_pages": (0, None),
    "get_robust_list": (0, None),
    "setpriority": (1, (0, PRIO_PROCESS)), "ioprio_set": (1, (0, IOPRIO_WHO_PROCESS)),
}
# The scheduler calls, aimed at anything but 0 or the kernel's pid, do nothing and
# report success. They cannot fail instead: every ZeroMQ thread sets its own
# scheduling by thread id as it starts (pthread_setschedparam) and aborts the process
# if that fails, and a filter cannot tell the kernel's thread ids from other
# processes. A ZeroMQ thread asks for the policy it already has, so for it nothing is
# lost; for another process nothing changes. The guard refuses these calls to Python
# code outright.
QUIET_OWN_TARGET = {
    "sched_setaffinity": (0, None), "sched_setscheduler": (0, None), "sched_setparam": (0, None),
    "sched_setattr": (0, None),
}
AF_UNIX = 1
SOCK_STREAM = 1
SOCK_SEQPACKET = 5
SOCK_TYPE_MASK = 0xF
F_SETOWN = 8
F_SETOWN_EX = 15

# Syscall numbers for the BPF fallback (checked against libseccomp by the tests).
_X86_64 = {
    "execve": 59, "execveat": 322, "fork": 57, "vfork": 58, "clone": 56, "clone3": 435,
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
    "mount": 165, "umount2": 166, "unshare": 272, "setns": 308, "pivot_root": 155, "chroot": 161,
    "move_mount": 429, "open_tree": 428, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
    "fspick": 433, "mount_setattr": 442,
    "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
    "keyctl": 250, "add_key": 248, "request_key": 249,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "memfd_create": 319, "memfd_secret": 447,
    "kill": 62, "tgkill": 234, "tkill": 200, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297,
    "pidfd_send_signal": 424, "pidfd_open": 434, "pidfd_getfd": 438, "kcmp": 312,
    "process_madvise": 440, "process_mrelease": 448, "personality": 135,
    "kexec_load": 246, "kexec_file_load": 320, "init_module": 175, "finit_module": 313,
    "delete_module": 176, "open_by_handle_at": 304, "name_to_handle_at": 303,
    "acct": 163, "swapon": 167, "swapoff": 168, "reboot": 169, "syslog": 103,
    "lookup_dcookie": 212, "quotactl": 179, "quotactl_fd": 443, "iopl": 172, "ioperm": 173,
    "fanotify_init": 300, "uselib": 134, "vhangup": 153,
    "socket": 41, "ioctl": 16, "seccomp": 317, "prctl": 157,
    "prlimit64": 302, "sched_setaffinity": 203, "sched_setscheduler": 144, "sched_setparam": 142,
    "sched_setattr": 314, "move_pages": 279, "migrate_pages": 256, "setpriority": 141, "ioprio_set": 251,
    "get_robust_list": 274, "socketpair": 53, "sendto": 44, "fcntl": 72,
    "shmget": 29, "shmat": 30, "shmctl": 31, "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71,
    "semget": 64, "semop": 65, "semtimedop": 220, "semctl": 66,
    "mq_open": 240, "mq_unlink": 241, "mq_timedsend": 242, "mq_timedreceive": 243, "mq_notify": 244,
    "mq_getsetattr": 245,
}
_AARCH64 = {
    "execve": 221, "execveat": 281, "clone": 220, "clone3": 435,
    "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
    "mount": 40, "umount2": 39, "unshare": 97, "setns": 268, "pivot_root": 41, "chroot": 51,
    "move_mount": 429, "open_tree": 428, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
    "fspick": 433, "mount_setattr": 442,
    "bpf": 280, "perf_event_open": 241, "userfaultfd": 282,
    "keyctl": 219, "add_key": 217, "request_key": 218,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "memfd_create": 279, "memfd_secret": 447,
    "kill": 129, "tgkill": 131, "tkill": 130, "rt_sigqueueinfo": 138, "rt_tgsigqueueinfo": 240,
    "pidfd_send_signal": 424, "pidfd_open": 434, "pidfd_getfd": 438, "kcmp": 272,
    "process_madvise": 440, "process_mrelease": 448, "personality": 92,
    "kexec_load": 104, "kexec_file_load": 294, "init_module": 105, "finit_module": 273,
    "delete_module": 106, "open_by_handle_at": 265, "name_to_handle_at": 264,
    "acct": 89, "swapon": 224, "swapoff": 225, "reboot": 142, "syslog": 116,
    "lookup_dcookie": 18, "quotactl": 60, "quotactl_fd": 443,
    "fanotify_init": 262, "vhangup": 58,
    "socket": 198, "ioctl": 29, "seccomp": 277, "prctl": 167,
    "prlimit64": 261, "sched_setaffinity": 122, "sched_setscheduler": 119, "sched_setparam": 118,
    "sched_setattr": 274, "move_pages": 239, "migrate_pages": 238, "setpriority": 140, "ioprio_set": 30,
    "get_robust_list": 100, "socketpair": 199, "sendto": 206, "fcntl": 25,
    "shmget": 194, "shmat": 196, "shmctl": 195, "msgget": 186, "msgsnd": 189, "msgrcv": 188, "msgctl": 187,
    "semget": 190, "semop": 193, "semtimedop": 192, "semctl": 191,
    "mq_open": 180, "mq_unlink": 181, "mq_timedsend": 182, "mq_timedreceive": 183, "mq_notify": 184,
    "mq_getsetattr": 185,
}
# AUDIT_ARCH_* values and whether the x32 ABI must be refused.
_ARCHES = {
    "x86_64": (0xC000003E, _X86_64, True),
    "aarch64": (0xC00000B7, _AARCH64, False),
}

SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
PR_SET_NO_NEW_PRIVS = 38
RET_ALLOW = 0x7FFF0000
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000

_LD_ABS_W = 0x20
_JEQ = 0x15
_JGE = 0x35
_JSET = 0x45
_AND_K = 0x54
_RET = 0x06
_OFF_NR = 0
_OFF_ARCH = 4


def _arg_lo(i):
    return 16 + 8 * i


def _arg_hi(i):
    return 16 + 8 * i + 4


class SeccompUnavailable(RuntimeError):
    """This platform cannot take the filter: the caller decides whether to go on."""


def apply_stage1(backend="auto"):
    """Installs the process filter. Returns the backend used ('libseccomp' or 'bpf')."""
    return _apply(_stage1_rules(os.getpid()), backend)


def apply_stage2(backend="auto"):
    """Denies socket(): call once every socket the kernel needs is bound."""
    return _apply([("socket", "deny", None)], backend)


def _stage1_rules(pid):
    rules = [(name, "deny", None) for name in DENIED]
    rules.append(("clone3", "enosys", None))
    rules.append(("clone", "thread-only", None))
    rules += [(name, "own-pid", pid) for name in OWN_PID_ONLY]
    rules += [(name, "own-target", (index, which, pid)) for name, (index, which) in OWN_TARGET.items()]
    rules += [(name, "quiet-own-target", (index, which, pid)) for name, (index, which) in QUIET_OWN_TARGET.items()]
    rules.append(("ioctl", "no-tty-inject", None))
    # The death signal set at start-up stays: code cannot outlive the server.
    rules.append(("prctl", "arg0-denied", PR_SET_PDEATHSIG))
    rules.append(("socketpair", "connected-unix-pair", None))
    rules.append(("sendto", "no-address", None))
    # SIGIO and friends go to a descriptor's owner: only the kernel itself may own one.
    rules.append(("fcntl", "own-fown", pid))
    return rules


# Rules libseccomp cannot say (it refuses two comparisons of one argument in a rule,
# and has no masks across arguments): a second, small BPF filter stacked on its own.
_COMPOUND = frozenset({"own-target", "quiet-own-target", "connected-unix-pair", "own-fown", "no-address"})


def _apply(rules, backend):
    if backend not in ("auto", "libseccomp", "bpf"):
        raise ValueError(f"unknown seccomp backend {backend!r}")
    if backend in ("auto", "libseccomp"):
        try:
            import seccomp  # noqa: F401  (Debian's python3-seccomp)
        except ImportError:
            if backend == "libseccomp":
                raise SeccompUnavailable("python3-seccomp is not installed")
        else:
            _apply_libseccomp([r for r in rules if r[1] not in _COMPOUND])
            extra = [r for r in rules if r[1] in _COMPOUND]
            if extra:
                try:
                    _apply_bpf(extra)
                except SeccompUnavailable:
                    pass  # no syscall table for this CPU: the Python guard still refuses most of these
            return "libseccomp"
    _apply_bpf(rules)
    return "bpf"


def _apply_libseccomp(rules):
    import seccomp

    eperm = seccomp.ERRNO(errno.EPERM)
    f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    f.set_attr(seccomp.Attr.CTL_TSYNC, 1)
    for name, kind, value in rules:
        try:
            seccomp.resolve_syscall(seccomp.Arch.NATIVE, name)
        except Exception:
            continue  # not a syscall on this architecture (fork on aarch64)
        if kind == "deny":
            f.add_rule(eperm, name)
        elif kind == "enosys":
            f.add_rule(seccomp.ERRNO(errno.ENOSYS), name)
        elif kind == "thread-only":
            f.add_rule(eperm, name, seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
        elif kind == "own-pid":
            f.add_rule(eperm, name, seccomp.Arg(0, seccomp.NE, value))
        elif kind == "no-tty-inject":
            for cmd in (TIOCSTI, TIOCLINUX):
                f.add_rule(eperm, name, seccomp.Arg(1, seccomp.MASKED_EQ, 0xFFFFFFFF, cmd))
        elif kind == "arg0-denied":
            f.add_rule(eperm, name, seccomp.Arg(0, seccomp.MASKED_EQ, 0xFFFFFFFF, value))
        else:
            raise ValueError(kind)
    f.load()


def _native_arch():
    machine = platform.machine().lower()
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    if arch not in _ARCHES:
        raise SeccompUnavailable(
            f"no seccomp syscall table for {machine}; install python3-seccomp to get the filter"
        )
    return _ARCHES[arch]


def _ld(offset):
    return (_LD_ABS_W, 0, 0, offset)


def _jeq(value, jt, jf):
    return (_JEQ, jt, jf, value)


def _pid_is_own(index, pid, otherwise="deny"):
    """Allows when argument `index` is 0 or `pid` (upper half zero); `otherwise` when not."""
    return [
        _ld(_arg_hi(index)), _jeq(0, 0, otherwise),
        _ld(_arg_lo(index)), _jeq(0, "allow", 0), _jeq(pid, "allow", otherwise),
    ]


def _rule_body(kind, value, eperm):
    """The checks of one rule, run once the syscall number matched. Jumps name
    their targets: 'allow', 'deny', or a count of instructions to skip."""
    if kind == "deny":
        return [(_RET, 0, 0, eperm)]
    if kind == "enosys":
        return [(_RET, 0, 0, RET_ERRNO | errno.ENOSYS)]
    if kind == "thread-only":
        return [_ld(_arg_lo(0)), (_JSET, "allow", "deny", CLONE_THREAD)]
    if kind == "own-pid":
        return [_ld(_arg_hi(0)), _jeq(0, 0, "deny"), _ld(_arg_lo(0)), _jeq(value, "allow", "deny")]
    if kind in ("own-target", "quiet-own-target"):
        index, which, pid = value
        otherwise = "deny" if kind == "own-target" else "pretend"
        body = []
        if which is not None:
            w_index, w_value = which
            body += [_ld(_arg_hi(w_index)), _jeq(0, 0, otherwise), _ld(_arg_lo(w_index)), _jeq(w_value, 0, otherwise)]
        return body + _pid_is_own(index, pid, otherwise)
    if kind == "no-tty-inject":
        return [_ld(_arg_lo(1)), _jeq(TIOCSTI, "deny", 0), _jeq(TIOCLINUX, "deny", "allow")]
    if kind == "arg0-denied":
        return [_ld(_arg_lo(0)), _jeq(value, "deny", "allow")]
    if kind == "connected-unix-pair":
        # The kernel reads domain and type as ints: the lower halves are what count.
        return [
            _ld(_arg_lo(0)), _jeq(AF_UNIX, 0, "deny"),
            _ld(_arg_lo(1)), (_AND_K, 0, 0, SOCK_TYPE_MASK),
            _jeq(SOCK_STREAM, "allow", 0), _jeq(SOCK_SEQPACKET, "allow", "deny"),
        ]
    if kind == "no-address":
        # sendto(fd, buf, len, flags, dest_addr, addrlen): send() passes NULL.
        return [_ld(_arg_lo(4)), _jeq(0, 0, "deny"), _ld(_arg_hi(4)), _jeq(0, "allow", "deny")]
    if kind == "own-fown":
        # fcntl's command and owner are ints as well.
        return [
            _ld(_arg_lo(1)), _jeq(F_SETOWN_EX, "deny", 0), _jeq(F_SETOWN, 0, "allow"),
            _ld(_arg_lo(2)), _jeq(0, "allow", 0), _jeq(value, "allow", "deny"),
        ]
    raise ValueError(kind)


def _block(nr, body, eperm):
    """One rule as BPF: skipped unless the syscall number (held in A) is `nr`;
    otherwise it always returns, so A may be reloaded freely inside."""
    prog = [_jeq(nr, 0, "next")] + body
    targets = {}
    # "pretend": the call does nothing and returns 0 (SECCOMP_RET_ERRNO with no errno).
    for label, ret in (("allow", RET_ALLOW), ("deny", eperm), ("pretend", RET_ERRNO)):
        if any(label in (jt, jf) for _code, jt, jf, _k in prog):
            targets[label] = len(prog)
            prog.append((_RET, 0, 0, ret))
    targets["next"] = len(prog)
    out = []
    for i, (code, jt, jf, k) in enumerate(prog):
        jt = targets[jt] - i - 1 if isinstance(jt, str) else jt
        jf = targets[jf] - i - 1 if isinstance(jf, str) else jf
        out.append((code, jt, jf, k))
    return out


def build_bpf(rules, arch=None):
    """The filter as a list of (code, jt, jf, k) instructions."""
    audit_arch, table, refuse_x32 = arch or _native_arch()
    eperm = RET_ERRNO | errno.EPERM
    prog = [
        (_LD_ABS_W, 0, 0, _OFF_ARCH),
        (_JEQ, 1, 0, audit_arch),
        (_RET, 0, 0, RET_KILL_PROCESS),
        (_LD_ABS_W, 0, 0, _OFF_NR),
    ]
    if refuse_x32:
        prog += [(_JGE, 0, 1, 0x40000000), (_RET, 0, 0, eperm)]
    seen = set()
    for name, kind, value in rules:
        nr = table.get(name)
        if nr is None:
            continue
        if nr in seen:
            raise ValueError(f"two rules for {name} in one filter: the first would hide the second")
        seen.add(nr)
        prog += _block(nr, _rule_body(kind, value, eperm), eperm)
    prog.append((_RET, 0, 0, RET_ALLOW))
    return prog


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _apply_bpf(rules):
    arch = _native_arch()
    prog = build_bpf(rules, arch)
    raw = b"".join(struct.pack("=HBBI", *ins) for ins in prog)
    buf = ctypes.create_string_buffer(raw, len(raw))
    fprog = _SockFprog(len(prog), ctypes.cast(buf, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")
    rc = libc.syscall(
        ctypes.c_long(arch[1]["seccomp"]),
        ctypes.c_ulong(SECCOMP_SET_MODE_FILTER),
        ctypes.c_ulong(SECCOMP_FILTER_FLAG_TSYNC),
        ctypes.byref(fprog),
    )
    if rc != 0:
        err = ctypes.get_errno() if rc < 0 else 0
        raise OSError(err, f"seccomp filter not loaded (rc={rc}, thread {rc if rc > 0 else '-'})")
