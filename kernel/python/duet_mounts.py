"""bwrap mode: the jail's writable binds made stricter before the kernel drops its
last capability.

bubblewrap can neither remount a bind read-only once the sandbox has started nor
mark one noexec, so the launcher is started with CAP_SYS_ADMIN in the sandbox's
own user namespace for this alone. It remounts the runtime directory read-only
(after binding its sockets there: see duet_sockets) and every writable bind
noexec, so nothing notebook code writes can be mapped as code, not even a shared
object loaded around the Python guard; then every capability is dropped, before
any other thread or any notebook code exists.
"""

import ctypes
import os

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_RELATIME = 1 << 21
MS_STRICTATIME = 1 << 24

# statvfs flag → mount flag, for the flags a remount must repeat: a bind from a more
# privileged mount namespace has them locked, and dropping one fails with EPERM.
# (Looked up by name: only Linux has them all, and only Linux has bwrap.)
_KEPT = tuple(
    (getattr(os, st_name), ms_flag)
    for st_name, ms_flag in (
        ("ST_RDONLY", MS_RDONLY), ("ST_NOSUID", MS_NOSUID), ("ST_NODEV", MS_NODEV), ("ST_NOEXEC", MS_NOEXEC),
        ("ST_NOATIME", MS_NOATIME), ("ST_NODIRATIME", MS_NODIRATIME), ("ST_RELATIME", MS_RELATIME),
    )
    if hasattr(os, st_name)
)


def _current_flags(path):
    present = os.statvfs(path).f_flag
    flags = 0
    for st_flag, ms_flag in _KEPT:
        if present & st_flag:
            flags |= ms_flag
    if not flags & (MS_NOATIME | MS_RELATIME):
        flags |= MS_STRICTATIME
    return flags


def remount(path, add):
    """Remounts the bind mounted at `path` with its present flags and `add`."""
    libc = ctypes.CDLL(None, use_errno=True)
    flags = MS_REMOUNT | MS_BIND | _current_flags(path) | add
    if libc.mount(None, os.fsencode(path), None, ctypes.c_ulong(flags), None) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"could not remount {path}: {os.strerror(err)}")


def seal(read_only, no_exec):
    """Read-only and noexec for `read_only`, noexec for `no_exec` (all bind mount points)."""
    for path in read_only:
        remount(path, MS_RDONLY | MS_NOEXEC | MS_NOSUID | MS_NODEV)
    for path in no_exec:
        remount(path, MS_NOEXEC | MS_NOSUID | MS_NODEV)
