"""Entry point of Duet's sandboxed IPython kernel, for every sandbox mode.

    python -I duet_kernel.py --connection-file F --workdir W --mode bwrap|landlock|none
                             [--limits JSON] [--tmpdir T] [--expect-parent PID]
                             [--seccomp auto|libseccomp|bpf|off]

In order, before any notebook code can run:
 1. every inherited descriptor above stderr closed, and PR_SET_PDEATHSIG: the
    kernel dies with whoever started it;
 2. the ipc sockets bound (duet_sockets) while the runtime directory is writable;
 3. bwrap mode: the runtime directory remounted read-only, the writable binds
    noexec (duet_mounts), with the one capability bwrap granted for that;
 4. rlimits: address space, CPU time, file size, open files, no core dumps;
 5. Landlock (landlock mode): read-only system paths and runtime directory,
    read-write workdir and private tmp, no TCP, no signals or abstract sockets outside;
 6. capabilities dropped (Duet may run as root in a container);
 7. seccomp stage 1: no new processes or programs, no kernel-attack surface;
 8. ipykernel starts with no history, no debugger, no extensions or startup files,
    nothing from the workdir on sys.path, and sys.argv of [""] (the command line
    above stays out of notebook code's sight);
 9. once its sockets are bound: seccomp stage 2 (no new sockets) and the Python
    guard (duet_guard), whose bans from then on are unconditional.
"""

import os
import sys


def close_inherited_fds():
    """A server started by a terminal, an IDE, a CI runner or a service manager may
    hold descriptors it never meant to pass on (a host file open for reading, one
    for appending); reads and writes on a descriptor raise no audit event and pass
    every path-based layer. The kernel keeps stdin, stdout and stderr only."""
    try:
        fds = [int(n) for n in os.listdir("/proc/self/fd" if sys.platform.startswith("linux") else "/dev/fd")]
    except OSError:
        fds = range(3, 65536)
    for fd in fds:
        if fd > 2:
            try:
                os.close(fd)
            except OSError:
                pass  # the listing's own descriptor, gone already


close_inherited_fds()

import ctypes  # noqa: E402

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_CAPBSET_DROP = 24
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

LINUX = sys.platform.startswith("linux")
_libc = ctypes.CDLL(None, use_errno=True)
if LINUX:
    # First of all: should the server die from here on, so does the kernel.
    _libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
try:
    import duet_landlock  # noqa: E402
    import duet_mounts  # noqa: E402
    import duet_seccomp  # noqa: E402
    import duet_sockets  # noqa: E402
finally:
    sys.path.remove(HERE)

INPUT_MESSAGE = ("input() is not available in Duet: notebook code cannot ask for keyboard input. "
                 "Put the value in the code instead.")

# The parts of /etc Python, numpy, pandas and matplotlib read; nothing else of /etc is visible.
ETC_READ = (
    "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/timezone",
    "/etc/alternatives", "/etc/matplotlibrc", "/etc/mime.types", "/etc/fonts", "/etc/os-release",
    "/etc/python3", f"/etc/python{sys.version_info[0]}.{sys.version_info[1]}",
)
SYSTEM_READ = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/sys/devices/system/cpu")
# Host-wide counters psutil (imported by ipykernel) reads; they hold no secrets.
PROC_READ = ("/proc/stat", "/proc/meminfo", "/proc/cpuinfo", "/proc/loadavg", "/proc/uptime")
DEVICES_RW = ("/dev/null", "/dev/zero", "/dev/full", "/dev/urandom", "/dev/random")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="duet_kernel", description=__doc__.splitlines()[0])
    p.add_argument("--connection-file", required=True)
    p.add_argument("--workdir", required=True)
    # macos: sandbox-exec confines the process from outside; inside it is like none.
    p.add_argument("--mode", choices=("bwrap", "landlock", "macos", "none"), required=True)
    p.add_argument("--limits", default="{}", help="JSON: memoryBytes, cpuSeconds, fileSizeBytes, openFiles")
    p.add_argument("--tmpdir", default=None, help="private tmp; default $TMPDIR")
    p.add_argument("--expect-parent", type=int, default=None)
    p.add_argument("--seccomp", choices=("auto", "libseccomp", "bpf", "off"), default="auto")
    # Off only to test the operating-system layers on their own.
    p.add_argument("--guard", choices=("on", "off"), default="on")
    return p.parse_args(argv)


def python_read_roots():
    """The interpreter and the packages it can import (workdir and cwd excluded)."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, HERE}
    for entry in sys.path:
        if entry and os.path.isabs(entry):
            roots.add(entry)
    roots.add(os.path.dirname(os.path.realpath(sys.executable)))
    return sorted(r for r in roots if r)


def apply_rlimits(limits):
    pairs = (
        (resource.RLIMIT_AS, limits.get("memoryBytes")),
        (resource.RLIMIT_CPU, limits.get("cpuSeconds")),
        (resource.RLIMIT_FSIZE, limits.get("fileSizeBytes")),
        (resource.RLIMIT_NOFILE, limits.get("openFiles")),
        (resource.RLIMIT_CORE, 0),
    )
    applied = {}
    for which, value in pairs:
        if value is None:
            continue
        value = int(value)
        _soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))
        applied[which] = value
    return applied


def drop_capabilities():
    """Root in a container keeps CAP_DAC_OVERRIDE and friends; the kernel needs none."""
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            err = ctypes.get_errno()
            if err == 22:  # EINVAL: past the last capability
                break
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    header = Header(0x20080522, 0)
    data = (Data * 2)()
    if _libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


def _watch_parent(parent):
    """Where there is no death signal (macOS), a thread that ends the kernel once
    its server is gone: the kernel is then re-parented and getppid() changes."""

    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="duet-parent-watch", daemon=True).start()


def hide_command_line():
    """Notebook code sees the argv of an interactive interpreter, not the kernel's own
    command line: that holds the workdir, sandbox mode and limits, and argv-reading
    code such as unittest.main() would parse it as its own options. ipykernel gets
    its arguments from run_kernel directly, never from sys.argv."""
    sys.argv = [""]
    if hasattr(sys, "orig_argv"):
        sys.orig_argv = [sys.orig_argv[0]] if sys.orig_argv else []


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    hide_command_line()
    if args.expect_parent is not None and os.getppid() != args.expect_parent:
        # The server died before the death signal was armed.
        os._exit(1)
    if not LINUX:
        _watch_parent(os.getppid())
    workdir = os.path.realpath(args.workdir)
    connection_file = os.path.realpath(args.connection_file)
    runtime_dir = os.path.dirname(connection_file)
    tmpdir = os.path.realpath(args.tmpdir or os.environ.get("TMPDIR") or os.path.join(runtime_dir, "tmp"))
    for d in (tmpdir, os.path.join(tmpdir, "ipython", "profile_duet"), os.path.join(tmpdir, "matplotlib")):
        os.makedirs(d, mode=0o700, exist_ok=True)
    os.chdir(workdir)
    limits = json.loads(args.limits)

    report = {"mode": args.mode, "seccomp": None, "landlock": None, "rlimits": True, "guard": args.guard == "on"}
    # Before any confinement: afterwards nothing in the kernel can write the runtime directory.
    prebound = duet_sockets.prebind(connection_file) if LINUX else {}
    if args.mode == "bwrap":
        # Fails closed like Landlock below: a kernel that cannot seal its mounts does not start.
        duet_mounts.seal(read_only=[runtime_dir], no_exec=[workdir, tmpdir])
        report["mounts"] = "runtime directory read-only, writable places noexec"
    if LINUX:
        _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    apply_rlimits(limits)

    read_roots = [*SYSTEM_READ, *ETC_READ, *PROC_READ, *python_read_roots()]
    if args.mode == "landlock":
        # Fails closed: a kernel asked for Landlock never runs without it.
        info = duet_landlock.restrict(
            read_only=read_roots + [f"/proc/{os.getpid()}", runtime_dir],
            read_write=[workdir, tmpdir],
            dev_rw=DEVICES_RW,
        )
        report["landlock"] = {k: v for k, v in info.items() if k != "paths"}
    if LINUX:
        drop_capabilities()

    if args.seccomp != "off" and LINUX:
        try:
            report["seccomp"] = duet_seccomp.apply_stage1(args.seccomp)
        except duet_seccomp.SeccompUnavailable as err:
            if args.mode in ("bwrap", "landlock"):
                raise
            report["seccomp"] = f"unavailable: {err}"

    # Never load the debugger backend: it would listen on TCP and start processes.
    sys.modules["debugpy"] = None
    run_kernel(args, workdir, connection_file, tmpdir, read_roots, report, prebound)


def run_kernel(args, workdir, connection_file, tmpdir, read_roots, report, prebound):
    from IPython.core.error import StdinNotImplementedError
    from ipykernel.heartbeat import Heartbeat
    from ipykernel.iostream import IOPubThread
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelapp import IPKernelApp
    from traitlets.config import Config
    import zmq

    sys.path.insert(0, HERE)
    try:
        import duet_guard
    finally:
        sys.path.remove(HERE)

    class DuetKernel(IPythonKernel):
        @property
        def kernel_info(self):
            info = dict(super().kernel_info)
            info["duet_sandbox"] = report
            return info

        def _no_raw_input(self):
            raise StdinNotImplementedError(INPUT_MESSAGE)

        def raw_input(self, prompt=""):
            raise StdinNotImplementedError(INPUT_MESSAGE)

        def getpass(self, prompt="", stream=None):
            raise StdinNotImplementedError(INPUT_MESSAGE)

        def _process_children(self):
            # The sandbox lets the kernel start no processes, and listing /proc is refused.
            return []

    class BoundHeartbeat(Heartbeat):
        """Says when its socket is bound: stage 2 must not come before."""

        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.bound = threading.Event()
            self.bind_error = None

        def _try_bind_socket(self):
            duet_sockets.use_prebound(self.socket, prebound, self.port)
            return super()._try_bind_socket()

        def _bind_socket(self):
            try:
                super()._bind_socket()
            except BaseException as err:
                self.bind_error = err
                raise
            finally:
                self.bound.set()

    class DuetKernelApp(IPKernelApp):
        def _try_bind_socket(self, s, port):
            duet_sockets.use_prebound(s, prebound, port)
            return super()._try_bind_socket(s, port)

        def write_connection_file(self):
            # The server wrote it, with these very ports; the runtime directory is read-only here.
            pass

        def init_control(self, context):
            # ipykernel's own version also connects a debugger socket to the shell
            # socket; without a debugger that connection has no use, and a
            # connection still pending when socket() is denied would never complete.
            self.control_socket = context.socket(zmq.ROUTER)
            self.control_socket.linger = 1000
            self.control_port = self._bind_socket(self.control_socket, self.control_port)
            self.debugpy_socket = context.socket(zmq.STREAM)
            self.debugpy_socket.linger = 1000
            self.debug_shell_socket = context.socket(zmq.DEALER)
            self.debug_shell_socket.linger = 1000
            if hasattr(zmq, "ROUTER_HANDOVER"):
                self.control_socket.router_handover = 1
            from ipykernel.control import ControlThread
            self.control_thread = ControlThread(daemon=True)

        def init_iopub(self, context):
            # No pipe for forked children (there are none): it would bind TCP.
            self.iopub_socket = context.socket(zmq.PUB)
            self.iopub_socket.linger = 1000
            self.iopub_port = self._bind_socket(self.iopub_socket, self.iopub_port)
            self.configure_tornado_logger()
            self.iopub_thread = IOPubThread(self.iopub_socket, pipe=False)
            self.iopub_thread.start()
            self.iopub_socket = self.iopub_thread.background_socket

        def init_heartbeat(self):
            hb = BoundHeartbeat(zmq.Context(), (self.transport, self.ip, self.hb_port))
            self.heartbeat = hb
            self.hb_port = hb.port
            hb.start()
            if not hb.bound.wait(15):
                raise RuntimeError("the heartbeat socket was not bound within 15 s")
            if hb.bind_error is not None:
                raise hb.bind_error

    c = Config()
    c.IPKernelApp.ignore_cwd = True
    c.IPKernelApp.extensions = []
    c.IPKernelApp.exec_lines = []
    c.IPKernelApp.exec_files = []
    c.IPKernelApp.exec_PYTHONSTARTUP = False
    c.IPKernelApp.code_to_run = ""
    c.IPKernelApp.file_to_run = ""
    c.IPKernelApp.module_to_run = ""
    c.IPKernelApp.copy_config_files = False
    c.IPKernelApp.log_level = "WARN"
    c.HistoryManager.enabled = False
    c.HistoryManager.hist_file = ":memory:"
    c.ProfileDir.location = os.path.join(tmpdir, "ipython", "profile_duet")

    app = DuetKernelApp.instance(config=c, kernel_class=DuetKernel)
    app.initialize(["-f", connection_file])
    if hasattr(app, "heartbeat") and app.heartbeat is not None and not app.heartbeat.bound.is_set():
        raise RuntimeError("heartbeat not bound")

    for fd in prebound.values():
        os.close(fd)  # a channel ZeroMQ did not ask for; nothing should be left here
    prebound.clear()
    if report["seccomp"] in ("libseccomp", "bpf"):
        # Before the guard: the stacked BPF part goes in through ctypes, which the guard refuses.
        duet_seccomp.apply_stage2(report["seccomp"])
        report["sockets"] = "denied after start"
    if args.guard == "on":
        duet_guard.arm(app.shell, workdir, tmpdir, read_roots, sealed=[os.path.dirname(connection_file)])
    app.start()


if __name__ == "__main__":
    main()
