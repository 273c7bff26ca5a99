"""Writing the report to ``-o FILE`` without ever leaving a half report, a stray temporary file
or a destroyed special file behind.

A regular file (or a new one) is written to a temporary file in the same directory and renamed
over it once complete and closed, so CI never reads half a report: a reader opens the old file
or the whole new one. The files of one run are renamed only once every report of the run was
written (`staged_reports`): a report that cannot be written leaves none of them, never an
earlier one saying a verdict the run does not give. It is not synced to the disk first: that
only matters if the machine loses power in the seconds after the run, when the CI job is lost
too, and it cost a third of a warm run (0.11-0.15 s to sync distro-60k's 109 MB report, of a
0.43 s run). rpm (``%_flush_io`` is off by default) and dnf do not sync what they write either.
A full disk still fails the write or the close, and the old report stays. What is not a regular
file is written in place, as the shell's ``>`` would: renaming a file over ``/dev/null`` as root
would replace the device with a regular file, and a FIFO's reader would never see the report. A
symlink is followed to the file it names (the link stays a link); a dangling one is refused
rather than creating a file wherever it points.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from types import FrameType
from typing import NoReturn

from auditor.core.errors import UsageError

CLEANUP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
"""Signals that end a run while it writes: the temporary file is removed first."""


class _Signalled(BaseException):
    """A cleanup signal arrived during the write: unwinds it so the temporary file is removed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class StagedReports:
    """The report files of one run, each written to a temporary file beside it and put in
    place only once every report of the run was written: a run that fails to write one
    (``-o a.json -o /dev/full``) leaves no report of a verdict it does not give, and every
    file at those paths as it was."""

    def __init__(self) -> None:
        self.temporaries: list[str] = []
        self._targets: list[tuple[str, str]] = []
        """Each temporary file's target and the path it was named by (``-o PATH``)."""

    def stage(self, pieces: Iterable[bytes], path: str) -> bool:
        """Write ``pieces`` for the regular (or new) file ``path`` to a temporary file; False,
        with nothing read of ``pieces``, when ``path`` is a device or FIFO, written in place."""
        target = _follow(path)
        try:
            info: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            info = None
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise UsageError(f"cannot write {path}: is a directory")
        if info is not None and not stat.S_ISREG(info.st_mode):
            return False
        directory = os.path.dirname(os.path.abspath(target))
        # mkstemp makes the file 0600: a report is for others to read too. A file being replaced
        # keeps its permissions, a new one gets the user's umask, as the shell's `>` would do.
        mode = stat.S_IMODE(info.st_mode) & 0o777 if info is not None else 0o666 & ~current_umask()
        # A cleanup signal waits until the file is listed: one landing between its creation and
        # the list would leave it beside the target for good.
        with _cleanup_signals_held():
            try:
                handle, temporary = tempfile.mkstemp(dir=directory, prefix=".auditor-", suffix=".tmp")
            except OSError as exc:
                raise UsageError(f"cannot write {path}: {exc.strerror}") from None
            self.temporaries.append(temporary)  # removed from here on whatever ends the run
            self._targets.append((target, path))
        try:
            with os.fdopen(handle, "wb") as stream:
                os.fchmod(stream.fileno(), mode)
                for piece in pieces:
                    stream.write(piece)
        except OSError as exc:  # a full disk is not an internal error
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        return True

    def put_in_place(self) -> None:
        """Rename every staged file over its target. The cleanup signals wait until all are:
        one arriving in between would leave some reports new and the others old."""
        with _cleanup_signals_held():
            while self.temporaries:
                target, path = self._targets[0]
                try:
                    os.replace(self.temporaries[0], target)
                except OSError as exc:  # the file keeps what it held; the others are not put in place
                    raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
                del self.temporaries[0], self._targets[0]

    def discard(self) -> None:
        for temporary in self.temporaries:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        self.temporaries.clear()
        self._targets.clear()


@contextlib.contextmanager
def _cleanup_signals_held() -> Iterator[None]:
    """The cleanup signals wait until the block ends (only the main thread receives them; another
    thread's mask would not hold them)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, CLEANUP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)  # a caller's own mask kept


@contextlib.contextmanager
def staged_reports() -> Iterator[StagedReports]:
    """The run's report files, put in place together when the block ends without an error; on
    an error or a cleanup signal, none is, and the temporary files are removed."""
    staged = StagedReports()
    try:
        with _removed_on_signal(staged.temporaries):
            try:
                yield staged
                staged.put_in_place()
            except BaseException:
                staged.discard()
                raise
    except _Signalled as exc:
        _deliver_again(exc.signum)


def write_in_place(pieces: Iterable[bytes], path: str) -> None:
    """Write a device or FIFO (``/dev/null``, ``/dev/stdout`` to a pipe) as the shell's ``>``
    does, never replacing it with a regular file."""
    _write_in_place(pieces, path, _follow(path))


def check_writable(path: str) -> None:
    """Refuse at once (a usage error) a report file that could not be written: a dangling
    symlink, a directory, a name no file can have (empty, or ending in ``/``), a file in a
    directory that is not there or not writable, or a device or FIFO the user may not write.
    A regular file is replaced by a new one made beside it, so its directory must be writable
    whether the file is there or not. The audit before the writing may take minutes, and a
    run writing several reports would otherwise leave the first ones written and the rest
    not (the rest as an earlier run left them). What only writing can find (a full disk) is
    still said when writing."""
    target = _follow(path)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        if not path or path.endswith(os.sep):
            raise UsageError(f"cannot write {path}: No such file or directory") from None
        _check_directory(path, target)
        return
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"cannot write {path}: is a directory")
    if stat.S_ISREG(info.st_mode):
        _check_directory(path, target)
    elif not os.access(target, os.W_OK):  # a device or FIFO is written in place
        raise UsageError(f"cannot write {path}: Permission denied")


def _check_directory(path: str, target: str) -> None:
    """The directory a new report file for ``path`` is made in is there and writable."""
    directory = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(directory):
        reason = "Not a directory" if os.path.exists(directory) else "No such file or directory"
        raise UsageError(f"cannot write {path}: {reason}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {path}: Permission denied")


def _follow(path: str) -> str:
    """The file ``path`` names: a symlink's target, which must exist."""
    if not os.path.islink(path):
        return path
    try:
        return os.path.realpath(path, strict=True)
    except OSError as exc:
        if _opened_by_the_kernel(path):
            return path
        reason = "a symlink loop" if exc.errno == errno.ELOOP else "a symlink to a file that does not exist"
        raise UsageError(f"cannot write {path}: it is {reason} (write to the file itself)") from None


def _opened_by_the_kernel(path: str) -> bool:
    """``path`` is a link of ``/proc/self/fd`` (``/dev/stdout`` is one) to a pipe or socket:
    its target, ``pipe:[N]``, is no path, so following the link by name finds nothing, but
    opening it reaches the pipe (``-o /dev/stdout | tee``). It is written in place."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _write_in_place(pieces: Iterable[bytes], path: str, target: str) -> None:
    try:
        # No O_CREAT and no O_TRUNC: the file is there and is not ours to replace. A FIFO with
        # no reader waits for one, as the shell's `>` does.
        descriptor = os.open(target, os.O_WRONLY | os.O_CLOEXEC | os.O_NOCTTY)
        with os.fdopen(descriptor, "wb") as stream:
            for piece in pieces:
                stream.write(piece)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _removed_on_signal(temporaries: list[str]) -> Iterator[None]:
    """While ``temporaries`` (a list that grows) exist, a cleanup signal removes them and unwinds
    the writing instead of ending the process on the spot; the previous handlers are restored
    after."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; the default ones then apply
        return

    def unwind(signum: int, _frame: FrameType | None) -> None:
        for temporary in temporaries:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise _Signalled(signum)

    previous = {}
    for signum in CLEANUP_SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:  # nohup's ignored SIGHUP stays ignored
            previous[signum] = signal.signal(signum, unwind)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _deliver_again(signum: int) -> NoReturn:
    """End as the signal would have ended the run: SIGINT as KeyboardInterrupt (Python's own
    handler), the others by their default action, so the parent sees the signal."""
    handler = signal.getsignal(signum)
    if callable(handler):
        handler(signum, None)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    raise SystemExit(128 + signum)  # a signal whose default action is not to end the process


def current_umask() -> int:
    """The process's umask, read without changing it where Linux says it (``/proc/self/status``,
    since Linux 4.7). Elsewhere it can only be read by setting it: set and restored at once,
    a window in which a file another thread creates gets the mode 0o644."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    previous = os.umask(0o022)  # the common umask: the least surprise in that window
    os.umask(previous)
    return previous
