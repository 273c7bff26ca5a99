"""A child forked now, its answer pickled back through a pipe: the mechanism under
`auditor.runtime.parallel`, which decides when a fork is worth it.

No thread is started in this process: a process pool started two (its manager, its queue's
feeder), and where one could not start (RLIMIT_NPROC counts threads, on a CI runner's limit)
the answer never came and the run hung, a traceback of each thread on standard error. The child
watches its parent with a thread of its own, and ends at once where it cannot start one: the
work is then done by the parent, never by an orphan left running after a killed run.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import struct
import zlib
from collections.abc import Callable
from typing import Generic, NoReturn, TypeVar, cast

T = TypeVar("T")

RECORD = struct.Struct("<QI")
"""A record's length and CRC-32, before its pickled answer (a child's, or a batch's)."""

SIGNAL_LOOK = 0.25
"""Seconds a wait for a child's answer blocks at most before this process looks for signals again."""

PARENT_WATCH = 0.5
"""Seconds between a child's looks at whether the process that forked it is still there."""


def end_with(parent: int) -> bool:
    """Make a forked child end when ``parent`` does; False when it cannot be watched. A run
    ended by SIGTERM or SIGKILL (a cancelled CI job) left its workers waiting for ever, each
    with its copy of the run's memory. The parent is watched by a thread, not by
    ``PR_SET_PDEATHSIG``, which fires when the forking *thread* ends."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_WATCH)
        os._exit(1)

    try:
        threading.Thread(target=watch, name="auditor-parent-watch", daemon=True).start()
    except RuntimeError:  # no thread left to this user (RLIMIT_NPROC) or no memory for its stack
        return False
    return True


class ChildDied(Exception):
    """A forked child ended without its whole answer (killed, or it could not run or send it)."""


class Child(Generic[T]):
    """``work()`` in a process forked now, its answer pickled back through a pipe; nothing here
    waits on it but `result`."""

    def __init__(self, work: Callable[[], T]) -> None:
        parent = os.getpid()
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            raise
        if pid == 0:
            os.close(read)
            _child_main(work, write, parent)  # never returns
        os.close(write)
        self._pid, self._pipe = pid, read
        self._ended = False

    def done(self) -> bool:
        """The child has ended (its answer, if any, is in the pipe)."""
        if not self._ended:
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(self._pid, os.WNOHANG)[0] == 0:
                    return False
            self._ended = True
        return True

    def result(self) -> T:
        """The child's answer, or what its work raised; `ChildDied` when it gave neither whole."""
        data = bytearray()
        try:
            while True:
                # Waited for in slices: a Ctrl-C that lands after Python last looked for signals
                # and before a blocking read begins is not acted on until the read returns, when
                # the child writes; each slice's end looks again.
                if not select.select([self._pipe], [], [], SIGNAL_LOOK)[0]:
                    continue
                piece = os.read(self._pipe, 1 << 20)
                if not piece:
                    break
                data += piece
        except BaseException:  # interrupted (Ctrl-C): the child is not waited for to the end
            with contextlib.suppress(OSError):
                os.kill(self._pid, 9)  # SIGKILL
            raise
        finally:
            os.close(self._pipe)
            self._pipe = -1
            if not self._ended:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(self._pid, 0)
                self._ended = True
        if len(data) < RECORD.size:
            raise ChildDied
        size, checksum = RECORD.unpack_from(data)
        record = memoryview(data)[RECORD.size :]
        if len(record) != size or zlib.crc32(record) != checksum:
            raise ChildDied
        try:
            answered, value = pickle.loads(record)
        except Exception:  # an exception whose class cannot be made again from what it pickled
            raise ChildDied from None
        if answered:
            return cast("T", value)
        raise value


def _child_main(work: Callable[[], object], pipe: int, parent: int) -> NoReturn:
    """In the forked child: run ``work`` and write its answer (or the exception it raised) to
    ``pipe``; never returns. A child that cannot watch its parent ends at once: its work is
    then done by the parent, rather than by an orphan left running after a killed run."""
    try:
        if not end_with(parent):
            os._exit(1)
        try:
            outcome: tuple[bool, object] = (True, work())
        except Exception as exc:  # the caller's to raise, as it would have been raised there
            outcome = (False, exc)
        try:
            record = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
        except Exception:  # an answer that cannot cross: the parent does the work
            os._exit(1)
        data = memoryview(RECORD.pack(len(record), zlib.crc32(record)) + record)
        while data:
            data = data[os.write(pipe, data) :]
        os._exit(0)
    finally:
        os._exit(1)
