"""Work handed to a forked process while this one goes on.

The child is forked at the moment the work is started and inherits everything in memory, so
the work is a zero-argument callable that is never pickled: a package list of a whole
distribution costs nothing to hand over. Only the answer crosses back.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Generic, TypeVar, cast

T = TypeVar("T")

_started: Callable[[], object] | None = None
"""The work of the child being forked: set around the fork, read by the child only."""


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class Background(Generic[T]):
    """``work()`` running in a forked child (when ``fork`` is true and the platform forks).

    `result` returns its answer or raises what it raised. Where no child could run it (no
    fork on this platform, or the child died, say killed for memory) the work is done in
    this process when its result is asked for, so the answer never depends on the child.
    """

    def __init__(self, work: Callable[[], T], *, fork: bool = True) -> None:
        self._work = work
        self._future: Future[T] | None = None
        if fork and can_fork():
            self._future = _fork(work)

    def result(self) -> T:
        if self._future is not None:
            try:
                return self._future.result()
            except BrokenProcessPool:
                pass
        return self._work()


def _fork(work: Callable[[], T]) -> Future[T]:
    global _started
    executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    _started = work
    try:
        # ProcessPoolExecutor forks its worker inside submit: the child sees ``_started``.
        future = cast("Future[T]", executor.submit(_run_started))
    finally:
        _started = None
    executor.shutdown(wait=False)
    return future


def _run_started() -> object:
    assert _started is not None, "the work is set before the child is forked"
    return _started()
