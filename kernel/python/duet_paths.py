"""Where a path leads, found the way the operating system finds it.

The guard judges paths before the OS acts on them, so it must resolve them as the
OS will: relative to the directory descriptor a call names (not the current
directory), each symlink followed before the ``..`` after it, the last component
followed or not as the call does. Where it cannot tell, it says so (``Unsure``)
and the guard refuses.

Every function takes the stat and readlink it should use: the guard wraps
``os.lstat`` and ``os.readlink`` for notebook code, and must not go through its
own wrappers here.
"""

import os
import stat as _stat
import sys

MAX_LINKS = 40  # Linux's own limit on symlinks followed in one lookup


class Unsure(Exception):
    """The path cannot be resolved the way the OS would: refuse the call."""


def base_dir(dir_fd, readlink, getcwd):
    """The directory a relative path is looked up in: `dir_fd`'s, or the current one."""
    # None from the wrappers; -1 in audit events for "no dir_fd"; AT_FDCWD (-100) from C callers.
    if dir_fd is None or (isinstance(dir_fd, int) and dir_fd in (-1, -100)):
        return getcwd()
    if not isinstance(dir_fd, int) or dir_fd < 0:
        raise Unsure(f"directory descriptor {dir_fd!r}")
    try:
        target = _descriptor_path(dir_fd, readlink)
    except OSError as err:
        raise Unsure(f"directory descriptor {dir_fd}: {err.strerror}") from None
    # Not a path ("socket:[…]", "anon_inode:…") or a directory since removed ("… (deleted)").
    if not target.startswith("/") or target.endswith(" (deleted)"):
        raise Unsure(f"directory descriptor {dir_fd} ({target})")
    return target


def _descriptor_path(fd, readlink):
    if sys.platform == "darwin":
        import fcntl

        F_GETPATH = 50
        return os.fsdecode(fcntl.fcntl(fd, F_GETPATH, b"\0" * 1024).split(b"\0", 1)[0])
    return readlink(f"/proc/self/fd/{fd}")


def resolve(path, lstat, readlink, follow_last=True, through=None):
    """The real absolute path the OS reaches through absolute `path`.

    Components that do not exist yet are taken as they are (a call may create the
    last one; for any other it fails in the OS too). With `follow_last` false the
    last component is not followed, as for remove, rename, symlink and lstat;
    a last component of ``..`` or ``.``, or one before a trailing slash, is
    followed all the same, as the OS does.

    `through`, when given, is called as ``through(directory, entry)`` for every
    lookup, links' targets included: the caller may raise Unsure for an entry
    that could change between this look and the OS's own.
    """
    parts = [p for p in path.split("/") if p]
    # A trailing slash makes the OS look through a last symlink.
    if not follow_last and parts and parts[-1] not in (".", "..") and not path.endswith("/"):
        last = parts.pop()
        directory = _walk(parts, lstat, readlink, through)
        if through is not None:
            through(directory, _join(directory, last))
        return _join(directory, last)
    return _walk(parts, lstat, readlink, through)


def _join(directory, name):
    return "/" + name if directory == "/" else f"{directory}/{name}"


def _walk(parts, lstat, readlink, through=None):
    resolved = "/"
    todo = list(parts)
    links = 0
    missing = False
    while todo:
        name = todo.pop(0)
        if name == ".":
            continue
        if name == "..":
            if missing:
                # Past a missing component the OS fails; what ".." would mean is moot, and unclear.
                raise Unsure("'..' after a path that does not exist")
            resolved = os.path.dirname(resolved)
            continue
        candidate = _join(resolved, name)
        if through is not None:
            through(resolved, candidate)
        if missing:
            resolved = candidate
            continue
        try:
            st = lstat(candidate)
        except FileNotFoundError:
            missing = True
            resolved = candidate
            continue
        except OSError as err:
            raise Unsure(f"{candidate}: {err.strerror}") from None
        if not _stat.S_ISLNK(st.st_mode):
            resolved = candidate
            continue
        links += 1
        if links > MAX_LINKS:
            raise Unsure(f"{candidate}: too many levels of symbolic links")
        target = readlink(candidate)
        todo = [p for p in target.split("/") if p] + todo
        if target.startswith("/"):
            resolved = "/"
    return resolved
