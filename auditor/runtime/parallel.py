"""Work handed to forked processes while this one goes on: the one place that forks, and the
one place that says from what size the fork is worth its cost.

The auditor overlaps work in four places: reading RPM files (`auditor.sources.rpmbatch`),
parsing a large primary.xml in two halves (`auditor.sources.split`), classifying while
resolving (`auditor.audit.pipeline`) and encoding a large JSON report
(`auditor.reports.json_report`). Each asks `worth_forking` with its own amount and
threshold below, and forks through `Background` or `process_pool`. Below a threshold a fork
costs more than the work it moves (measured with ``benchmarks/run.py``); with one CPU it
never pays.

A `Background` child is forked at the moment the work is started and inherits everything in
memory, so the work is a zero-argument callable that is never pickled: a package list of a
whole distribution costs nothing to hand over. Only the answer crosses back.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Generic, TypeVar, cast

T = TypeVar("T")

_started: Callable[[], object] | None = None
"""The work of the child being forked: set around the fork, read by the child only."""


WORKERS = min(2, os.cpu_count() or 1)
"""Processes that work at once, this one included. Two: the overlapped streams are two (a
reader and a decoder, a resolver and a classifier), and the machines gating releases in CI
often have two cores."""

READ_RPMS_FROM = 200
"""RPM files: fewer are read in this process, starting a pool would cost more."""
SPLIT_PRIMARY_FROM = 8 * 1024 * 1024
"""Bytes of decompressed primary.xml (repomd's open-size): from this much, parsed in two halves."""
CLASSIFY_FROM = 5000
"""Packages: from this many, classification runs in a child during resolution."""
ENCODE_JSON_FROM = 5000
"""Packages: from this many, a child encodes part of the JSON report while this process writes."""


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def worth_forking(amount: int, threshold: int) -> bool:
    """Whether work of ``amount`` (in the unit of ``threshold``, one of the constants above) is
    worth a forked process here: large enough, more than one CPU, and a platform that forks."""
    return amount >= threshold and WORKERS >= 2 and can_fork()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of forked workers (the caller checked `worth_forking`): they inherit the
    interpreter as it is, with nothing re-imported."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))


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
    executor = process_pool(1)
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
