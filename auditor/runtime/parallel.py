"""Work handed to forked processes while this one goes on: the one place that hands work to a
fork (`auditor.runtime.forked` forks), and the one place that says from what size the fork is
worth its cost.

The auditor overlaps work in four places: reading RPM files (`auditor.sources.rpmbatch`, through
`SharedBatches`), reading the specs of source RPMs given alone for their rebuilds
(`auditor.audit.rebuilds`, likewise), parsing a large primary.xml in two halves
(`auditor.sources.split`), and classifying while resolving (`auditor.audit.pipeline`). Each asks
`worth_forking` with its own amount and threshold below, and forks through `Background` or
`SharedBatches`. Below a threshold a fork costs more than the work it moves (measured with
``benchmarks/run.py``); with one CPU it never pays. A large JSON report was encoded in two
processes too, until measured: on distro-60k the child spent 0.92 s of CPU to save this process
0.18 s. Compressing the report for the store in zstd's own threads was measured too: this
thread's 0.16 s less CPU did not show in the run's wall time, and the threads' buffers added
9-12 MB to a peak RSS near its 300 MB target.

A `Background` child is forked at the moment the work is started and inherits everything in
memory, so the work is a zero-argument callable that is never pickled: a package list of a
whole distribution costs nothing to hand over. Only the answer crosses back.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
import zlib
from collections.abc import Callable, Iterator, MutableSequence
from typing import IO, Any, Generic, TypeVar, cast

from auditor.runtime.forked import RECORD, Child, ChildDied

T = TypeVar("T")
A = TypeVar("A")

_started: Callable[[], object] | None = None
"""The work of the child being forked: set around the fork, read by the child only."""


WORKERS = min(2, os.cpu_count() or 1)
"""Processes that work at once, this one included. Two: the overlapped streams are two (a
reader and a decoder, a resolver and a classifier), and the machines gating releases in CI
often have two cores."""

READ_RPMS_FROM = 200
"""RPM files: fewer are read in this process, starting a pool would cost more, unless they are
large (`READ_RPM_BYTES_FROM`)."""
READ_RPM_BYTES_FROM = 32 * 1024 * 1024
"""Bytes of RPM files: from this much, fewer than `READ_RPMS_FROM` files are read on both cores
too. Each is hashed whole, its payload digests computed, and a source RPM's payload decompressed
for its spec: 87 of XCP-ng's SRPMs (246 MB) took 1.5 s in this process alone."""
REBUILD_SPECS_FROM = 16
"""Source RPMs given alone whose spec is read for what a rebuild makes (`auditor.audit.rebuilds`):
from this many, on both cores. A rebuild reads the spec in the payload, maybe twice, and the
builder's parse: 3 to 6 ms for one of rpms-2k's small SRPMs, 30 ms for one of XCP-ng's."""
SPLIT_PRIMARY_FROM = 8 * 1024 * 1024
"""Bytes of decompressed primary.xml (repomd's open-size): from this much, parsed in two halves."""
CLASSIFY_FROM = 5000
"""Packages: from this many, classification runs in a child during resolution."""
READ_DATABASE_FROM = 1024 * 1024
"""Bytes of decompressed primary_db (repomd's open-size): from this much, read in a child while
primary.xml is parsed (`auditor.sources.primary_db`), unless a worker reads headers (`read_here`)."""
DATABASE_PER_HEADER = 2 * 1024
"""Bytes of primary_db that this process reads, with the primary.xml beside it parsed, in less
time than a worker takes for one RPM file's header: on rpms-2k's repository, 4.2 MB of database
in 0.25 s and primary.xml in 0.17 s, against 1.1 s for the 4,000 headers (2.8 kB a header; the
margin keeps the worker busy until this process joins it)."""


def can_fork() -> bool:
    import multiprocessing  # on first use, above

    return "fork" in multiprocessing.get_all_start_methods()


def worth_forking(amount: int, threshold: int) -> bool:
    """Whether work of ``amount`` (in the unit of ``threshold``, one of the constants above) is
    worth a forked process here: large enough, more than one CPU, and a platform that forks."""
    return amount >= threshold and WORKERS >= 2 and can_fork()


def read_here(open_size: int, headers: int) -> bool:
    """Whether a primary_db of ``open_size`` bytes is read in this process, not in a child, while
    a worker reads the headers of ``headers`` RPM files (`SharedBatches`): when they keep it busy
    for longer than this process takes to read the database and parse primary.xml, this process
    then taking the batches left. The two CPUs are busy without a third process, which would
    only share them, and whose answer costs CPU to hand back: 0.07 s to pickle and 0.08 s to
    unpickle rpms-2k's 4,000 packages, beside 0.25 s to read them (``benchmarks/profile.py
    rpms-2k-repository --stages``: the inputs read in 1.0 s instead of 1.2 to 1.5)."""
    return headers > 0 and headers * DATABASE_PER_HEADER >= open_size


class Background(Generic[T]):
    """``work()`` running in a forked child (when ``fork`` is true and the platform forks).

    `result` returns its answer or raises what it raised. Where no child could run it (no
    fork on this platform, no process, thread or memory left, or the child died, say killed
    for memory) the work is done here when its result is asked for: the answer never
    depends on the child."""

    def __init__(self, work: Callable[[], T], *, fork: bool = True) -> None:
        self._work = work
        self._child: Child[T] | None = None
        if fork and can_fork():
            self._child = _fork(work)

    def result(self) -> T:
        if self._child is not None:
            child, self._child = self._child, None
            with contextlib.suppress(ChildDied):
                return child.result()
        return self._work()


_CANNOT_FORK = (OSError, ImportError, RuntimeError)
"""What starting a child raises where it cannot run: no process, memory or file left to
fork with, no working semaphores (a sandbox), no shared memory (no /dev/shm, no usable
temporary directory). The work is then done in this process."""


def _fork(work: Callable[[], T]) -> Child[T] | None:
    """``work()`` in a forked child; None when no child could be started."""
    global _started
    _started = work
    try:
        return Child(work)
    except _CANNOT_FORK:
        return None
    finally:
        _started = None


class SharedBatches(Generic[A, T]):
    """``work`` over every batch: by a forked child from the first batch on, from the moment
    this is made, and by this process from the last batch back once it asks for the answers
    (`results`), until the two meet.

    Which batch goes to whom is decided by bounds both processes share, under their lock,
    so no batch is done twice or skipped. The child appends each answer, pickled, to a file
    both processes hold (unlinked: only they can reach it), and this process reads them
    between its own batches, whenever it is ready to. A pool's answers are received by a
    thread of this process as they come, and that thread took the interpreter lock from
    whatever this process did meanwhile: on rpms-2k's repository, parsing the metadata while
    the headers were read took 0.24 s instead of 0.18. Handed over whole at the end instead,
    they took 0.04 s more after the last batch.

    The answers never depend on the child. Where it cannot run (no fork, no temporary file,
    shared memory or semaphores), or dies (killed for memory, say, even while it holds the
    lock), this process does every batch whose answer it has not read.
    """

    def __init__(self, batches: list[A], work: Callable[[A], T], *, fork: bool = True) -> None:
        self._batches = batches
        self._work = work
        # [the child's next batch, one past this process's next batch (taken from the end),
        #  bytes of answers the child has written whole]: shared only with a child
        self._bounds: MutableSequence[int] = [0, len(batches), 0]
        self._lock: Any = None
        self._answers: IO[bytes] | None = None
        self._child: Child[None] | None = None
        self._parent = os.getpid()
        if fork and can_fork() and batches:
            self._start_child()

    @property
    def forked(self) -> bool:
        """A child was started: it takes batches from the first on, from now."""
        return self._child is not None

    def _start_child(self) -> None:
        import multiprocessing  # on first use, above

        try:
            answers = tempfile.TemporaryFile()  # closed by `results` or `stop`  # noqa: SIM115
        except OSError:
            return
        try:
            context = multiprocessing.get_context("fork")
            # Raw memory and a lock of its own: a synchronized Array takes its lock, without a
            # timeout, on every read of an item, where a dead child may have left it taken.
            self._lock = context.Lock()
            self._bounds = cast("MutableSequence[int]", context.RawArray("q", self._bounds))
            self._answers = answers
            self._child = _fork(self._child_part)
        except _CANNOT_FORK:
            pass
        if self._child is None:
            answers.close()
            self._bounds, self._lock, self._answers = [0, len(self._batches), 0], None, None

    @contextlib.contextmanager
    def _claim(self) -> Iterator[None]:
        """The lock on the bounds, while the other process lives: one that died holding it
        (killed) must not hang the survivor. This process goes on alone once the child has
        ended; the child gives up when this process has (its parent is then another)."""
        lock, locked = self._lock, False
        if lock is not None and not self._alone():
            while not (locked := lock.acquire(timeout=_LOCK_PATIENCE)):
                if os.getpid() != self._parent and os.getppid() != self._parent:
                    raise _Orphaned
                if self._alone():
                    break  # the child ended, maybe killed holding the lock
        try:
            yield
        finally:
            if locked:
                lock.release()

    def _alone(self) -> bool:
        """This process has no child left to change the bounds (in the child, never true:
        it was forked before its future was set)."""
        return self._child is not None and self._child.done()

    def _child_part(self) -> None:
        assert self._answers is not None
        descriptor, bounds = self._answers.fileno(), self._bounds
        try:
            while (index := self._take(front=True)) is not None:
                record = pickle.dumps((index, self._work(self._batches[index])), pickle.HIGHEST_PROTOCOL)
                data = memoryview(RECORD.pack(len(record), zlib.crc32(record)) + record)
                try:
                    while data:
                        data = data[os.write(descriptor, data) :]
                except OSError:
                    return  # no space left: this process does what was not written whole
                with self._claim():
                    bounds[2] += RECORD.size + len(record)
        except _Orphaned:
            return

    def _take(self, *, front: bool) -> int | None:
        bounds = self._bounds
        with self._claim():
            first, stop = bounds[0], bounds[1]
            if first >= stop:
                return None
            if front:
                bounds[0] = first + 1
                return int(first)
            bounds[1] = stop - 1
            return int(stop - 1)

    def stop(self) -> None:
        """Leave the batches not started to nobody: the child ends after the one it is doing."""
        with self._claim():
            self._bounds[1] = self._bounds[0]
        if self._answers is not None:
            self._answers.close()

    def results(
        self, done: Callable[[A], None] | None = None, answered: Callable[[A, T], None] | None = None
    ) -> list[T]:
        """Every batch's answer, in the order of the batches. ``done(batch)`` hears of each
        batch as its answer reaches this process (for progress), ``answered(batch, answer)``
        of the answer itself: work on it there is done while the child still reads, instead
        of after the last batch."""
        answers: dict[int, T] = {}

        def heard(index: int, answer: T) -> None:
            answers[index] = answer
            if done is not None:
                done(self._batches[index])
            if answered is not None:
                answered(self._batches[index], answer)

        try:
            read = 0
            while (index := self._take(front=False)) is not None:
                heard(index, self._work(self._batches[index]))
                read = self._read_answers(read, answers, heard)
            if self._child is not None:
                # A child that died (killed for memory, say) leaves what it did not write to
                # the loop below.
                with contextlib.suppress(ChildDied):
                    self._child.result()
                self._read_answers(read, answers, heard)
        finally:
            if self._answers is not None:
                self._answers.close()
        for index in range(len(self._batches)):
            if index not in answers:
                heard(index, self._work(self._batches[index]))
        return [answers[index] for index in range(len(self._batches))]

    def _read_answers(self, start: int, answers: dict[int, T], heard: Callable[[int, T], None]) -> int:
        """The answers the child has written whole since ``start``; where the next one starts.
        A record whose checksum does not hold is not taken (nor any after it): its batch is
        done here at the end, if the child's own word on it never comes."""
        if self._answers is None or self._answers.closed:
            return start
        with self._claim():
            end = int(self._bounds[2])
        data = bytearray()
        while len(data) < end - start:  # a read may return less than asked
            piece = os.pread(self._answers.fileno(), end - start - len(data), start + len(data))
            if not piece:
                break
            data += piece
        position = 0
        while position + RECORD.size <= len(data):
            size, checksum = RECORD.unpack_from(data, position)
            record = bytes(data[position + RECORD.size : position + RECORD.size + size])
            if len(record) < size or zlib.crc32(record) != checksum:
                break
            index, answer = pickle.loads(record)
            if index not in answers:
                heard(index, answer)
            position += RECORD.size + size
        return start + position


class _Orphaned(Exception):
    """The child's parent is gone: nobody will read its answers."""


_LOCK_PATIENCE = 0.2
"""Seconds between two looks at whether the other process still lives, while waiting for the lock."""
