"""The Python-level guard of the Duet kernel: defence in depth, and the friendly error.

The real boundary is the operating system (bubblewrap or Landlock, seccomp,
rlimits). This module turns what those layers would refuse with a bare EPERM
into an error that names what was refused and why, and refuses some things
earlier, before they run:

* an IPython AST transformer that rejects a cell (``InputRejected``) which
  imports an unsafe module, runs shell commands or shell magics, evaluates code
  built at run time, or calls ``breakpoint()``;
* a wrapper on ``builtins.__import__`` that refuses unsafe modules to notebook
  code (library code may still import them: numpy imports ctypes);
* an audit hook, installed only once start-up is over, whose bans hold for every
  caller on every thread: no processes, no network, no files outside the
  workdir, no signals to other processes, no C-level escapes through ctypes, no
  compiled modules from anywhere notebook code can write, no tracing or debugger;
* a finder that applies the same AST checks to modules imported from the workdir;
* wrappers on the os functions whose audit events say too little or nothing
  (duet_policy), and paths resolved the way the OS resolves them (duet_paths).
"""

import ast
import builtins
import importlib.abc
import importlib.machinery
import os
import socket as _socket_mod
import sys
import types
from urllib.parse import unquote

from IPython.core.error import InputRejected

import duet_paths
import duet_policy
from duet_policy import DUET

_PROCESS = "it would start another program, and notebook code may not"
_NATIVE = "it calls C code directly, around every other check"
_NETWORK = "notebook code has no network access"
_DEBUG = "debuggers and tracing are not available in Duet"
_INTERNALS = "it reaches into the interpreter's own internals"

# Modules notebook code may not import, with the reason shown to the user.
BLOCKED_MODULES = {
    "ctypes": _NATIVE, "_ctypes": _NATIVE, "cffi": _NATIVE, "_cffi_backend": _NATIVE,
    "subprocess": _PROCESS, "_posixsubprocess": _PROCESS, "pty": _PROCESS,
    "multiprocessing": _PROCESS, "_multiprocessing": _PROCESS,
    "concurrent.futures.process": _PROCESS, "asyncio.subprocess": _PROCESS,
    "socket": _NETWORK, "_socket": _NETWORK, "ssl": _NETWORK, "_ssl": _NETWORK,
    "socketserver": _NETWORK, "http.client": _NETWORK, "http.server": _NETWORK,
    "urllib.request": _NETWORK, "ftplib": _NETWORK, "smtplib": _NETWORK, "poplib": _NETWORK,
    "imaplib": _NETWORK, "nntplib": _NETWORK, "telnetlib": _NETWORK, "xmlrpc": _NETWORK,
    "webbrowser": _NETWORK, "requests": _NETWORK, "urllib3": _NETWORK, "httpx": _NETWORK,
    "aiohttp": _NETWORK,
    "pdb": _DEBUG, "bdb": _DEBUG, "ipdb": _DEBUG, "debugpy": _DEBUG, "pydevd": _DEBUG,
    "code": "it runs code built from strings at run time",
    "codeop": "it runs code built from strings at run time",
    "_testcapi": _INTERNALS, "_testinternalcapi": _INTERNALS, "_xxsubinterpreters": _INTERNALS,
    "_xxinterpchannels": _INTERNALS, "marshal": _INTERNALS,
}
# Refused to everyone, library code included, when they are not loaded yet.
HARD_BLOCKED_IMPORTS = frozenset({
    "cffi", "_cffi_backend", "_testcapi", "_testinternalcapi", "_xxsubinterpreters",
    "_xxinterpchannels", "debugpy", "pydevd",
})
_OS_PROCESS_FUNCS = frozenset({
    "system", "popen", "fork", "forkpty", "execl", "execle", "execlp", "execlpe", "execv",
    "execve", "execvp", "execvpe", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv",
    "spawnve", "spawnvp", "spawnvpe", "posix_spawn", "posix_spawnp", "startfile",
})
_FORBIDDEN_ATTRS = frozenset({
    "__subclasses__", "__globals__", "__builtins__", "f_globals", "f_locals", "f_builtins",
    "f_back", "tb_frame", "gi_frame", "cr_frame", "ag_frame",
    # The guard's wrappers keep the functions they wrap in closures.
    "__closure__", "cell_contents",
})
# IPython magics that neither start programs, reach the network, nor run code from elsewhere.
ALLOWED_LINE_MAGICS = frozenset({
    "time", "timeit", "matplotlib", "who", "whos", "who_ls", "precision", "pprint", "xmode",
    "reset", "reset_selective", "pinfo", "pinfo2", "psearch", "pdoc", "pdef", "psource",
    "lsmagic", "magic", "colors", "pwd", "doctest_mode", "autoawait", "tb", "env",
    "automagic", "page",
})
ALLOWED_CELL_MAGICS = frozenset({
    "time", "timeit", "capture", "html", "HTML", "markdown", "latex", "svg", "writefile",
})
_SHELL_METHODS = frozenset({"system", "system_raw", "system_piped", "getoutput"})
_CODE_RUNNING_METHODS = frozenset({
    "ex", "ev", "run_cell", "run_cell_async", "run_code", "run_ast_nodes", "safe_execfile",
    "safe_execfile_ipy", "safe_run_module", "runcode",
})


def blocked_module_reason(name):
    """Why notebook code may not import ``name`` (or None when it may)."""
    if name.startswith("duet_"):
        return "it is part of the sandbox"
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        reason = BLOCKED_MODULES.get(".".join(parts[:i]))
        if reason:
            return reason
    return None


# ---------------------------------------------------------------- AST checks

def _literal_str(node):
    return isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))


def _first_arg(call, *names):
    if call.args:
        return call.args[0]
    for kw in call.keywords:
        if kw.arg in names:
            return kw.value
    return None


def _is_get_ipython(node):
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id == "get_ipython"
    return isinstance(node, ast.Name) and node.id in ("get_ipython", "ip", "ipython", "shell")


class _Checker(ast.NodeVisitor):
    def __init__(self):
        self.problems = []

    def refuse(self, node, message):
        line = getattr(node, "lineno", None)
        self.problems.append(f"{message}" + (f" (line {line})" if line else ""))

    def _check_module(self, node, name):
        reason = blocked_module_reason(name)
        if reason:
            self.refuse(node, f"{DUET} importing {name}: {reason}")

    def visit_Import(self, node):
        for alias in node.names:
            self._check_module(node, alias.name)
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        if node.level == 0 and node.module:
            self._check_module(node, node.module)
            for alias in node.names:
                self._check_module(node, f"{node.module}.{alias.name}")
                if node.module in ("os", "posix") and alias.name in _OS_PROCESS_FUNCS:
                    self.refuse(node, f"{DUET} os.{alias.name}: {_PROCESS}")
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id == "__builtins__":
            self.refuse(node, f"{DUET} __builtins__: {_INTERNALS}")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if node.attr in _FORBIDDEN_ATTRS:
            self.refuse(node, f"{DUET} .{node.attr}: {_INTERNALS}")
        self.generic_visit(node)

    def visit_Call(self, node):
        f = node.func
        if isinstance(f, ast.Name):
            if f.id in ("eval", "exec", "compile"):
                src = _first_arg(node, "source", "expression")
                if src is not None and not _literal_str(src):
                    self.refuse(node, f"{DUET} {f.id}() of code built at run time: write the code in the cell itself")
            elif f.id == "__import__":
                self._check_dynamic_import(node, "__import__")
            elif f.id == "breakpoint":
                self.refuse(node, f"{DUET} breakpoint(): {_DEBUG}")
        elif isinstance(f, ast.Attribute):
            if f.attr == "import_module" or (f.attr == "__import__" and isinstance(f.value, ast.Name)):
                self._check_dynamic_import(node, f.attr)
            elif isinstance(f.value, ast.Name) and f.value.id in ("os", "posix") and f.attr in _OS_PROCESS_FUNCS:
                self.refuse(node, f"{DUET} os.{f.attr}(): {_PROCESS}")
            elif _is_get_ipython(f.value):
                self._check_shell_call(node, f.attr)
        self.generic_visit(node)

    def _check_dynamic_import(self, node, what):
        name = _first_arg(node, "name")
        if name is None:
            return
        if not _literal_str(name):
            self.refuse(node, f"{DUET} {what}() of a module name built at run time: import modules by name")
        elif isinstance(name.value, str):
            self._check_module(node, name.value)

    def _check_shell_call(self, node, method):
        if method in _SHELL_METHODS:
            self.refuse(node, f"{DUET} shell commands (!cmd): {_PROCESS}")
        elif method in _CODE_RUNNING_METHODS:
            self.refuse(node, f"{DUET} get_ipython().{method}(): it runs code built at run time")
        elif method in ("run_line_magic", "run_cell_magic", "magic"):
            allowed = ALLOWED_CELL_MAGICS if method == "run_cell_magic" else ALLOWED_LINE_MAGICS
            prefix = "%%" if method == "run_cell_magic" else "%"
            name = _first_arg(node, "magic_name", "arg_s")
            if name is None or not _literal_str(name):
                self.refuse(node, f"{DUET} magics chosen at run time")
                return
            magic = name.value if isinstance(name.value, str) else name.value.decode("utf-8", "replace")
            magic = magic.split()[0] if magic.split() else magic
            if magic not in allowed:
                self.refuse(node, f"{DUET} the {prefix}{magic} magic: it may start programs, reach the network "
                                  "or run code from outside the cell")


def check_source(tree):
    """The problems found in a parsed module, as messages (empty when it is fine)."""
    checker = _Checker()
    checker.visit(tree)
    return checker.problems


class CellGuard(ast.NodeTransformer):
    """Rejects a cell before it runs. ``InputRejected`` is the one exception IPython
    passes through without unregistering the transformer."""

    def visit(self, node):
        if isinstance(node, ast.Module):
            problems = check_source(node)
            if problems:
                raise InputRejected("; ".join(problems))
        return node


# ------------------------------------------------------- paths and policies

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _open_writes(mode, flags):
    if isinstance(mode, str) and mode:
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def _sqlite_path(database):
    """The file sqlite3.connect opens, or None for an in-memory database. URIs
    ("file:…", honoured with uri=True) are read as sqlite reads them."""
    if isinstance(database, (bytes, os.PathLike)):
        database = os.fsdecode(database)
    if not isinstance(database, str) or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        rest = database[5:].split("?", 1)[0].split("#", 1)[0]
        if rest.startswith("//"):
            authority, _, rest = rest[2:].partition("/")
            if authority not in ("", "localhost"):
                return "//" + authority  # a remote authority: sqlite refuses it, and so does the guard
            rest = "/" + rest
        return unquote(rest) or None
    return database


# --------------------------------------------------------------- audit hook

def make_audit_hook(policy, opens):
    """The hook: every decision depends only on the event, its arguments, and the
    dir_fd the os.open wrapper recorded for this thread (`opens`).

    Nothing it reads can be changed from notebook code through a module global:
    it closes over immutable tuples, frozensets and the policy's methods only.
    """
    may_read, may_write, may_load_code = policy.may_read, policy.may_write, policy.may_load_code
    fixed_entry = policy.fixed_entry
    own_pid = os.getpid()
    af_unix = int(_socket_mod.AF_UNIX)
    hard_blocked = HARD_BLOCKED_IMPORTS
    resolve, unsure, open_writes, fmt_addr = duet_policy.resolve, duet_paths.Unsure, _open_writes, _fmt_addr
    sqlite_path = _sqlite_path

    process_events = frozenset({
        "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
        "subprocess.Popen", "os.startfile", "pty.spawn",
    })
    network_events = frozenset({
        "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
        "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo", "socket.sethostname",
        "urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect",
        "imaplib.open", "nntplib.connect", "poplib.connect", "telnetlib.Telnet.open",
        "webbrowser.open",
    })
    native_events = frozenset({
        "ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.call_function",
        "ctypes.cdata", "ctypes.string_at", "ctypes.wstring_at", "ctypes.PyObj_FromPtr",
    })
    internals_events = frozenset({
        "gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys._current_frames",
        "resource.setrlimit", "resource.prlimit",
        "os.killpg", "sys.setprofile", "sys.settrace", "builtins.breakpoint", "builtins.input",
    })
    # (event, index of the path argument, index of dir_fd or None, follow symlinks)
    write_events = {
        "os.mkdir": ((0, 2, False),),
        "os.rmdir": ((0, 1, False),),
        "os.remove": ((0, 1, False),),
        "os.rename": ((0, 2, False), (1, 3, False)),
        "os.symlink": ((1, 2, False),),
        "os.link": ((0, 2, True), (1, 3, False)),
        "os.truncate": ((0, None, True),),
        "os.chmod": ((0, 2, True),),
        "os.lchmod": ((0, None, False),),
        "os.chown": ((0, 3, True),),
        "os.lchown": ((0, None, False),),
        "os.utime": ((0, 3, True),),
        "os.setxattr": ((0, None, True),),
        "os.removexattr": ((0, None, True),),
        "os.chflags": ((0, None, True),),
        "os.lchflags": ((0, None, False),),
        "shutil.rmtree": ((0, 1, False),),
        "shutil.copyfile": ((1, None, True),),
        "shutil.copymode": ((1, None, True),),
        "shutil.copystat": ((1, None, True),),
        "shutil.copytree": ((1, None, True),),
        "shutil.move": ((0, None, False), (1, None, True)),
        "shutil.chown": ((0, None, True),),
    }
    # os.chdir too: whether it succeeds says whether a directory exists.
    read_events = {"os.listdir": 0, "os.scandir": 0, "os.getxattr": 0, "os.listxattr": 0, "os.chdir": 0}

    def refuse(message):
        raise PermissionError(f"{DUET} {message}")

    def target_of(what, path, dir_fd=None, follow=True, through=None):
        try:
            return resolve(path, dir_fd, follow, through)
        except unsure as why:
            refuse(f"{what} {path!r} from notebook code: cannot tell where it leads ({why})")

    def hook(event, args):
        if event in process_events:
            refuse(f"starting programs from notebook code ({event})")
        if event in network_events:
            target = ""
            if event == "socket.connect" or event == "socket.bind":
                target = f" to {fmt_addr(args[1])}" if len(args) > 1 else ""
            elif event == "socket.getaddrinfo" and args:
                target = f" for {args[0]!r}"
            elif event == "urllib.Request" and args:
                target = f" to {args[0]}"
            refuse(f"network access from notebook code ({event}{target})")
        if event == "socket.__new__":
            family = args[1] if len(args) > 1 else -1
            if family != af_unix and family != -1:
                refuse(f"network access from notebook code (socket.socket family {family})")
            return
        if event in native_events:
            refuse(f"calling C code through ctypes from notebook code ({event}): {_NATIVE}")
        if event in internals_events:
            if event == "builtins.input":
                raise RuntimeError("input() is not available in Duet: notebook code cannot ask for keyboard input. "
                                   "Put the value in the code instead.")
            if event in ("sys.settrace", "sys.setprofile", "builtins.breakpoint"):
                refuse(f"{event}: {_DEBUG}")
            if event == "os.killpg":
                refuse("signalling other processes from notebook code (os.killpg)")
            refuse(f"{event} in notebook code: {_INTERNALS}")
        if event == "os.kill":
            if args and args[0] != own_pid:
                refuse(f"signalling other processes from notebook code (os.kill({args[0]}, {args[1] if len(args) > 1 else ''}))")
            return
        if event == "import":
            if args and args[0] in hard_blocked:
                # ModuleNotFoundError: libraries treat the module as not installed.
                raise ModuleNotFoundError(f"{DUET} importing {args[0]}: {_INTERNALS}", name=args[0])
            # A file name here means a compiled extension is being loaded, by whatever route.
            if len(args) > 1 and args[1] is not None:
                target = target_of("loading native code from", args[1])
                if target is None or not may_load_code(target):
                    raise ImportError(f"{DUET} loading compiled module {args[0]} from {target or args[1]!r}: "
                                      f"{_NATIVE}, and notebook code could have written it", name=args[0])
                # The file is fine; the way to it must not be one notebook code can re-point before the load.
                target_of("loading native code from", args[1], through=fixed_entry)
            return
        if event == "open":
            path = args[0] if args else None
            if path is None or isinstance(path, int):
                return
            mode = args[1] if len(args) > 1 else None
            dir_fd = None
            if mode is None:
                # os.open: it may carry a dir_fd, which the event leaves out.
                known, dir_fd = opens.dir_fd_for(path)
                if not known and not os.fsdecode(path).startswith("/"):
                    refuse(f"opening {path!r} relative to a directory Duet cannot see (os.open reached around the guard)")
            target = target_of("opening", path, dir_fd)
            if target is None:
                return
            if open_writes(mode, args[2] if len(args) > 2 else 0):
                if not may_write(target):
                    refuse(f"writing files outside the notebook's workdir ({target})")
            elif not may_read(target):
                refuse(f"reading files outside the notebook's workdir ({target})")
            return
        if event == "sqlite3.connect":
            path = sqlite_path(args[0] if args else None)
            if path is not None:
                target = target_of("opening the database", path)
                if target is not None and not may_write(target):
                    refuse(f"opening databases outside the notebook's workdir ({target})")
            return
        spec = write_events.get(event)
        if spec is not None:
            for index, fd_index, follow in spec:
                if index >= len(args):
                    continue
                dir_fd = args[fd_index] if fd_index is not None and fd_index < len(args) else None
                target = target_of(f"changing ({event})", args[index], dir_fd, follow)
                if target is not None and not may_write(target):
                    refuse(f"changing files outside the notebook's workdir ({event} {target})")
            return
        index = read_events.get(event)
        if index is not None and index < len(args):
            target = target_of(f"looking into ({event})", args[index] if args[index] is not None else ".")
            if target is not None and not may_read(target):
                refuse(f"looking into directories outside the notebook's workdir ({event} {target})")

    return hook


def _fmt_addr(addr):
    if isinstance(addr, tuple) and len(addr) >= 2:
        return f"{addr[0]}:{addr[1]}"
    return repr(addr)


# ------------------------------------------------------------ import guards

def _written_by_kernel(policy, path):
    """True when the file at `path` may have been written by notebook code (or where that cannot be told)."""
    try:
        target = duet_policy.resolve(path)
    except duet_paths.Unsure:
        return True
    return target is None or not policy.may_load_code(target)


def _importer_is_notebook(globals_, policy, user_ns):
    if globals_ is None or globals_ is user_ns:
        return True
    name = globals_.get("__name__")
    if name in (None, "__main__"):
        return True
    f = globals_.get("__file__")
    if isinstance(f, str) and _written_by_kernel(policy, f):
        return True
    mod = sys.modules.get(name)
    return mod is None or getattr(mod, "__dict__", None) is not globals_


def make_import_wrapper(real_import, policy, user_ns):
    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and _importer_is_notebook(globals, policy, user_ns):
            names = [name] + [f"{name}.{n}" for n in (fromlist or ()) if isinstance(n, str) and n != "*"]
            for n in names:
                reason = blocked_module_reason(n)
                if reason:
                    raise ImportError(f"{DUET} importing {n} in notebook code: {reason}", name=n)
        return real_import(name, globals, locals, fromlist, level)

    guarded_import.__doc__ = real_import.__doc__
    return guarded_import


class _CheckedSourceLoader(importlib.machinery.SourceFileLoader):
    """Compiles workdir modules from source, after the same checks as a cell."""

    def get_code(self, fullname):
        path = self.get_filename(fullname)
        source = self.get_data(path)
        tree = ast.parse(source, path)
        problems = check_source(tree)
        if problems:
            raise ImportError(f"{DUET} module {fullname} from the workdir: " + "; ".join(problems), name=fullname)
        return compile(tree, path, "exec", dont_inherit=True)


class WorkdirModuleGuard(importlib.abc.MetaPathFinder):
    """Modules found where notebook code can write (the workdir, the private tmp)
    load through the checked loader; compiled extensions and bytecode-only modules
    there are refused. (Loaded by any other route, an extension is still refused:
    see the `import` event in the audit hook.)"""

    def __init__(self, policy):
        self._policy = policy

    def find_spec(self, fullname, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not spec.origin or not _written_by_kernel(self._policy, spec.origin):
            return None
        if not spec.origin.endswith(".py"):
            raise ImportError(f"{DUET} importing compiled module {fullname} from the workdir: {_NATIVE}", name=fullname)
        spec.loader = _CheckedSourceLoader(fullname, spec.origin)
        return spec


class _BlockedForkExec(types.ModuleType):
    def fork_exec(self, *args, **kwargs):
        raise PermissionError(f"{DUET} starting programs from notebook code (_posixsubprocess.fork_exec)")


# ------------------------------------------------------------------ install

def _blocked_shell_method(what):
    def blocked(*args, **kwargs):
        raise PermissionError(f"{DUET} shell commands ({what}): {_PROCESS}")
    return blocked


def guard_scheduler_calls():
    """The scheduler calls name a process or thread by id and raise no audit event.
    At the OS level seccomp makes them do nothing for anything but the kernel (see
    duet_seccomp); here notebook code is told so instead of being told it worked."""
    own_pid = os.getpid()
    for name in ("sched_setaffinity", "sched_setscheduler", "sched_setparam"):
        real = getattr(os, name, None)
        if real is None:
            continue

        def guarded(pid, *args, _real=real, _name=name):
            if pid not in (0, own_pid):
                raise PermissionError(f"{DUET} changing how another process is scheduled (os.{_name}({pid}, …))")
            return _real(pid, *args)

        guarded.__name__ = guarded.__qualname__ = name
        guarded.__doc__ = real.__doc__
        setattr(os, name, guarded)


def harden_shell(shell):
    """Removes what a shell offers to start programs or run outside code."""
    for method in _SHELL_METHODS:
        setattr(shell, method, _blocked_shell_method(method))
    # An alias runs a program through the shell. Those calls are blocked above, but a guard
    # that cannot do its part stops the kernel rather than start it half-armed.
    try:
        shell.alias_manager.clear_aliases()
    except Exception as err:
        raise RuntimeError(
            f"Duet's guard could not remove the shell's aliases ({type(err).__name__}: {err}), "
            "so the kernel was not started. Check that the kernel's Python has a supported IPython (ipykernel>=6.17,<7)."
        ) from err
    magics = shell.magics_manager.magics
    for kind, allowed in (("line", ALLOWED_LINE_MAGICS), ("cell", ALLOWED_CELL_MAGICS)):
        for name in list(magics.get(kind, {})):
            if name not in allowed:
                del magics[kind][name]
    shell.ast_transformers.insert(0, CellGuard())


def arm(shell, workdir, tmpdir, read_roots, sealed=()):
    """Turns the guard on. Call once, when the kernel has finished starting.
    `sealed`: places inside the writable ones that notebook code may not touch."""
    policy = duet_policy.Policy(workdir, tmpdir, read_roots, sealed)
    harden_shell(shell)

    def no_breakpoint(*args, **kwargs):
        raise PermissionError(f"{DUET} breakpoint(): {_DEBUG}")

    sys.breakpointhook = no_breakpoint
    stub = _BlockedForkExec("_posixsubprocess")
    sys.modules["_posixsubprocess"] = stub
    sub = sys.modules.get("subprocess")
    if sub is not None:
        sub._posixsubprocess = stub
    sys.dont_write_bytecode = True
    sys.meta_path.insert(0, WorkdirModuleGuard(policy))
    # The workdir goes last, so a planted numpy.py cannot shadow the real one.
    sys.path.append(os.path.realpath(workdir))
    builtins.__import__ = make_import_wrapper(builtins.__import__, policy, shell.user_ns)
    opens = duet_policy.OpenContext()
    duet_policy.install_fs_wrappers(policy, opens)
    guard_scheduler_calls()
    sys.addaudithook(make_audit_hook(policy, opens))
    return policy
