"""Where notebook code may read, write and load code from, judged on paths
resolved the way the operating system resolves them (duet_paths), and the
wrappers that give the guard the facts the audit events leave out.

Part of the guard (duet_guard): defence in depth over the OS layers.
"""

import errno
import os
import posix
import re
import threading

import duet_paths

DUET = "Duet blocks"

# Captured before any wrapper exists: resolving must never go through the guard's own checks.
_lstat, _readlink, _getcwd = posix.lstat, posix.readlink, posix.getcwd


class Policy:
    """Where notebook code may read and write. Roots nest (bwrap binds a venv
    read-only inside its writable /tmp; Landlock's private tmp is writable inside
    the read-only runtime directory), so the innermost root holding a path decides:
    read, write, or `sealed` (out of bounds altogether)."""

    def __init__(self, workdir, tmpdir, read_roots, sealed=()):
        real = os.path.realpath
        self.write_roots = tuple(sorted({real(workdir), real(tmpdir)}))
        roots = set(self.write_roots)
        roots.update(real(p) for p in read_roots if p)
        roots.add(f"/proc/{os.getpid()}")
        self.read_roots = tuple(sorted(roots))
        self.sealed = tuple(sorted({real(p) for p in sealed if p} - set(roots)))
        kinds = {r: "read" for r in self.read_roots}
        kinds.update({r: "write" for r in self.write_roots})
        kinds.update({r: "sealed" for r in self.sealed})
        self._deepest_first = tuple(sorted(kinds.items(), key=lambda rk: -len(rk[0])))
        self._mount_points = _mount_points()

    def kind(self, target):
        """What the innermost root holding `target` allows: "read", "write", "sealed", or None."""
        for root, kind in self._deepest_first:
            if target == root or target.startswith(root.rstrip("/") + "/"):
                return kind
        return None

    def may_read(self, target):
        return self.kind(target) in ("read", "write")

    def may_write(self, target):
        return self.kind(target) == "write"

    def may_load_code(self, target):
        """Native code only from places the kernel cannot write."""
        return self.kind(target) == "read"

    def fixed_entry(self, directory, entry):
        """For `resolve(through=…)`: refuses an entry of a directory notebook code can
        change, where a link could be swapped between the guard's look and the OS's;
        a mount point stays put (renaming or removing it fails)."""
        if self.kind(directory) == "write" and entry not in self._mount_points:
            raise duet_paths.Unsure(f"it passes through {entry}, which notebook code can change")


def _mount_points():
    """Where something is mounted, as this process sees it (fixed: seccomp denies mount)."""
    points = set()
    try:
        with open("/proc/self/mountinfo", encoding="utf-8") as f:
            for line in f:
                fields = line.split(" ")
                if len(fields) > 4:
                    # Spaces and a few other characters come octal-escaped (\040).
                    points.add(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4]))
    except OSError:
        pass
    return frozenset(points)


def resolve(path, dir_fd=None, follow=True, through=None):
    """The real absolute path a path argument leads to, or None for a descriptor.
    Raises duet_paths.Unsure where that cannot be told (see duet_paths.resolve for `through`)."""
    if path is None or isinstance(path, int):
        return None
    try:
        p = os.fsdecode(path)
    except TypeError:
        raise duet_paths.Unsure(f"path {path!r}") from None
    if "\0" in p:
        return None  # the OS call refuses it itself
    if not p.startswith("/"):
        p = duet_paths.base_dir(dir_fd, _readlink, _getcwd).rstrip("/") + "/" + p
    return duet_paths.resolve(p, _lstat, _readlink, follow_last=follow, through=through)


class OpenContext:
    """What the `open` audit event leaves out: the dir_fd of an os.open call. The
    wrapper records it per thread for the event that call raises."""

    def __init__(self):
        self._local = threading.local()

    def record(self, path, dir_fd):
        self._local.pending = (path, dir_fd)

    def clear(self):
        self._local.pending = None

    def dir_fd_for(self, path):
        """(known, dir_fd): known is False when the event came from an os.open this
        wrapper did not see (the real function, reached some other way)."""
        pending = getattr(self._local, "pending", None)
        if pending is not None and pending[0] is path:
            return True, pending[1]
        return False, None


def _path_and_dir_fd(args, kwargs, path_name="path"):
    path = args[0] if args else kwargs.get(path_name)
    return path, kwargs.get("dir_fd")


def install_fs_wrappers(policy, context):
    """Wraps the os functions whose audit events carry too little (open: no
    dir_fd) or that raise none at all (stat and its kin, mkfifo, mknod), in both
    `os` and `posix`: notebook code reaches either."""

    real_open = os.open

    def guarded_open(path, flags, mode=0o777, *, dir_fd=None):
        context.record(path, dir_fd)
        try:
            return real_open(path, flags, mode, dir_fd=dir_fd)
        finally:
            context.clear()

    guarded_open.__doc__ = real_open.__doc__
    # Not posix.open: a call that reaches the real one raises an `open` event the hook
    # cannot place, and is refused for a relative path (see make_audit_hook).
    os.open = guarded_open

    may_read, kind = policy.may_read, policy.kind

    def settled(path):
        """True for a plain absolute path inside a read-only root: nothing notebook code
        writes lies on the way, so it needs no resolving (the import machinery's
        thousands of stat calls take this way)."""
        return (
            isinstance(path, str) and path.startswith("/") and "/." not in path and "//" not in path
            # /proc/self/root, cwd and fd/N lead anywhere: always resolved.
            and not path.startswith("/proc/") and kind(path) == "read"
        )

    def looking(real, name, follow_default):
        def guarded(*args, **kwargs):
            path, dir_fd = _path_and_dir_fd(args, kwargs)
            if not settled(path):
                follow = kwargs.get("follow_symlinks", follow_default)
                try:
                    target = resolve(path, dir_fd, follow)
                except duet_paths.Unsure as why:
                    raise FileNotFoundError(errno.ENOENT, f"{DUET} looking at {path!r} from notebook code: cannot tell where it leads ({why})") from None
                if target is not None and not may_read(target):
                    # Not found, rather than refused: whether a file exists outside the workdir is itself what is kept back.
                    raise FileNotFoundError(errno.ENOENT, f"{DUET} looking at files outside the notebook's workdir ({target})")
            return real(*args, **kwargs)

        guarded.__name__ = guarded.__qualname__ = name
        guarded.__doc__ = real.__doc__
        return guarded

    def creating(real, name):
        def guarded(*args, **kwargs):
            path, dir_fd = _path_and_dir_fd(args, kwargs)
            try:
                target = resolve(path, dir_fd, False)
            except duet_paths.Unsure as why:
                raise PermissionError(f"{DUET} {name} of {path!r} from notebook code: cannot tell where it leads ({why})") from None
            if target is not None and not policy.may_write(target):
                raise PermissionError(f"{DUET} changing files outside the notebook's workdir (os.{name} {target})")
            return real(*args, **kwargs)

        guarded.__name__ = guarded.__qualname__ = name
        guarded.__doc__ = real.__doc__
        return guarded

    wrappers = {}
    for name, follow in (("stat", True), ("lstat", False), ("access", True), ("readlink", False), ("statvfs", True), ("pathconf", True)):
        real = getattr(posix, name, None)
        if real is not None:
            wrappers[name] = looking(real, name, follow)
    for name in ("mkfifo", "mknod"):
        real = getattr(posix, name, None)
        if real is not None:
            wrappers[name] = creating(real, name)
    for name, wrapper in wrappers.items():
        setattr(os, name, wrapper)
        setattr(posix, name, wrapper)
