"""Every process-level trick of the command, in one place, each with its reason.

- The cyclic garbage collector is paused while a command runs (`collector_paused`).
- What a run built is kept alive to the end (`keep`), and the process ends with
  ``os._exit`` once everything is flushed (`exit_now`), so it is never torn down object by
  object.
- Memory the audit freed is given back to the system before the report is built
  (`return_freed_memory`), so the report's own memory does not come on top of it.
- Standard error outlives its reader, and a standard stream closed before the run is the null
  device (`streams_outlive_their_readers`): ``auditor scan 2>&1 | head`` and ``auditor scan
  2>&-`` must end with the run's exit code, not with a broken pipe or a lost one.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from typing import NoReturn, TextIO, cast

_kept: list[object] | None = None


def keep_until_exit() -> None:
    """Called by the console entry point: from now on `keep` holds what it is given."""
    global _kept
    _kept = []


def keep(value: object) -> None:
    """Keep ``value`` alive until the process exits (only under the console entry point).

    Freeing a distribution's packages, edges and findings one reference at a time took half
    a second after the report was written; `exit_now` skips it.
    """
    if _kept is not None:
        _kept.append(value)


def return_freed_memory() -> None:
    """Hand the heap memory the run has freed back to the system (glibc's ``malloc_trim``).

    Reading and resolving a distribution frees tens of megabytes in blocks glibc keeps for
    reuse, in the middle of the heap; the report view and the rendering that follow allocate
    on top of them, and the peak resident set (the 300 MB the distro-60k benchmark allows) is
    reached then. Trimming first lowered that peak by 11-12 MiB, in about 2 ms. Elsewhere than
    glibc there is no such call, and nothing is done."""
    import ctypes  # 1.5 ms, paid only by a run that audits

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run without Python's cyclic garbage collector.

    An audit builds millions of objects that live until the end and form no cycles; the
    collector would scan them again and again as they grow (a fifth of a distribution's
    audit time). Reference counting still frees everything else.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def exit_now(code: int) -> NoReturn:
    """End the process without tearing the run down.

    Everything the run writes is flushed and closed by then (a report file is fsync'd and
    renamed, the store closed), so the process ends with ``os._exit``, as mypy's command
    does for the same reason.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # None: closed at start
            stream.flush()
    os._exit(code)


def to_null_device(stream: TextIO) -> None:
    """Point ``stream``'s descriptor at the null device: its reader went away (or it could not
    take the report), and the exit's flush must not fail again with a second message."""
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)


class _OutlivingStream:
    """A text stream whose writes go nowhere once its reader has gone away, instead of raising
    `BrokenPipeError` from whatever warning or progress line the run prints next."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._drop()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._drop()

    def _drop(self) -> None:
        to_null_device(self._stream)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def streams_outlive_their_readers() -> None:
    """Called by the console entry point: standard error survives a reader that went away
    (standard output does in `auditor.cli.output`, which writes every report), and a standard
    stream closed before the run started (``2>&-``, ``>&-``: Python then sets it to None) is
    the null device, so that the run still ends with its own exit code."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives to the exit
    sys.stderr = cast(TextIO, _OutlivingStream(sys.stderr))
