"""Open the files the auditor reads without trusting what they are.

Any path the auditor reads (an input, a spec, a ``.repo`` file, a policy, project, waiver
or baseline file, a provenance table, a cache entry) can name a named pipe (whose
``open()`` waits forever for a writer), a device, a directory or a symlink loop.
`open_regular` opens without blocking, checks that it got a regular file, and turns every
failure into an `InputError` naming it; callers reading configuration turn that into a
`PolicyError`. It lives in the lowest layer so that every layer reads files the same way.

A file of the kernel's own file systems (``/proc``, ``/sys``) says it is regular, but is
not what it says: ``/proc/kmsg`` is read by root forever (and each read takes the kernel's
messages from the host's log), and others report no size and change as they are read. No
input of the auditor lives there, so they are refused like a device.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import os
import stat

from auditor.core.errors import InputError, UnreadInput
from auditor.core.readlog import tell_opened

_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def open_regular(path: str, shown: str, what: str = "a regular file") -> io.BufferedReader:
    """Open ``path`` for binary reading if it is a regular file; else raise `InputError`."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        tell_opened(path, None)  # what the run could not read, it did not see
        raise UnreadInput(shown, _open_failure(path, exc, what)) from None
    except ValueError:  # a NUL in the path (from a file that names another): no file has that name
        raise InputError(shown, "the name holds a NUL character") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
            raise InputError(shown, f"is {kind}, not {what}")
        if info.st_dev in kernel_devices():
            raise InputError(shown, f"is a file of the kernel's /proc or /sys, not {what}")
        tell_opened(path, info)  # the run checks it is the file its first look saw
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _open_failure(path: str, exc: OSError, what: str) -> str:
    """Why ``path`` could not be opened. A socket's open() fails (ENXIO, "no such device or
    address"): it is named as what it is, as a pipe or a device is."""
    if exc.errno == errno.ENXIO:
        with contextlib.suppress(OSError):
            if stat.S_ISSOCK(os.stat(path).st_mode):
                return f"is a socket, not {what}"
    return os_reason(exc)


@functools.cache
def kernel_devices() -> frozenset[int]:
    """The devices of ``/proc`` and ``/sys`` (a bind mount of either elsewhere has the same),
    looked at once; none where they do not exist."""
    found = set()
    for root in ("/proc", "/sys"):
        with contextlib.suppress(OSError):
            found.add(os.stat(root).st_dev)
    return frozenset(found)


def read_regular(path: str, shown: str, what: str, limit: int) -> bytes:
    """The whole content of a regular file of at most ``limit`` bytes; else `InputError`."""
    try:
        with open_regular(path, shown, what) as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        raise unread(path, shown, exc) from None
    if len(data) > limit:
        raise InputError(shown, f"larger than {limit} bytes; not {what}")
    return data


def unread(path: str, shown: str, exc: OSError) -> UnreadInput:
    """The error of the file ``path``, opened, whose reading failed (``exc``): the run is told,
    as of a file that could not be opened (`auditor.core.readlog.tell_opened`)."""
    tell_opened(path, None)
    return UnreadInput(shown, os_reason(exc))


def os_reason(exc: OSError) -> str:
    """What an OSError says about an input, in the words the auditor uses."""
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.EISDIR:
        return "is a directory"
    return (exc.strerror or str(exc)).lower()
