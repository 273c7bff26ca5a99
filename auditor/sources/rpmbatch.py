"""Read many RPM files: from the store when unchanged, on both cores when not.

A file's model is looked up in the store by the file's identity (path, size, modification
time, inode); the files not found there are read in batches, when there are enough of them
to pay for a worker process, by that worker from the first batch on and by this process
from the last one back, as soon as it asks for the result (it may parse a repository's
metadata first: `PendingReads`, through `SharedBatches`). The new models go into the store,
encoded by whichever process read them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from auditor.core.errors import InputError, UnreadInput
from auditor.rpm.model import Package
from auditor.rpm.serialize import check_package_json, package_from_json, package_to_json
from auditor.runtime.identity import identity_of
from auditor.runtime.parallel import READ_RPM_BYTES_FROM, READ_RPMS_FROM, SharedBatches, worth_forking
from auditor.runtime.progress import SILENT, Reporter
from auditor.runtime.snapshot import FileSnapshot
from auditor.runtime.store import Store
from auditor.sources.evidence import EVIDENCE_KIND, HeaderEvidence, evidence_from_json, evidence_to_json

BATCH = 16
"""Files a process takes at a time: the two finish within one batch of each other."""

Outcome = list[Package | HeaderEvidence | InputError]
"""What one file gave: its package (`HeaderEvidence` for an evidence read), an error, or (a
payload cut short) both."""

Read = tuple[Outcome, bytes | None, bool]
"""A file's outcome; its package `Store.encode`d for the store (None: not to be stored); and
whether the file read was not the one the store's key names (it changed since the run's
first look at it)."""

Wanted = tuple[str, str | None]
"""A file to read, and its identity at the run's first look when its package is to be stored."""


def file_key(identity: str, path: str, kind: str = "") -> str:
    """The store's key of the model of the RPM file ``path`` whose identity is ``identity``.
    The model holds the path as the run spells it (its location, its input, what its notes
    name): keyed by that spelling too, a run naming the file another way (absolute, from
    another directory) never reports the old one."""
    return Store.package_key(f"{identity}{kind}\0{path}")


def _read_batch(
    files: Sequence[Wanted], checksum: bool = True, evidence_only: bool = False, encode: bool = False
) -> list[Read]:
    # The RPM reader is imported here (4 ms with the header formats): a scan of repository
    # metadata alone never reads an RPM file.
    from auditor.sources.rpmpackage import read_rpm, read_rpm_evidence

    found: list[Read] = []
    for path, identity in files:
        opened: list[os.stat_result] = []
        package: Package | HeaderEvidence
        try:
            if evidence_only:
                package, error = read_rpm_evidence(path, opened=opened.append)
            else:
                package, error = read_rpm(path, checksum=checksum, opened=opened.append)
        except InputError as exc:
            # Kept to the end of the run: a fresh error, without the traceback whose frames
            # hold what the reader had read (up to a 256 MiB header per bad file). A file the
            # first look saw and that could not be opened or read (gone, too many open files,
            # an I/O error) is as one changed: the run's report, saying so, is not stored.
            unread = identity is not None and isinstance(exc, UnreadInput)
            found.append(([InputError(exc.source, exc.reason)], None, unread))
            continue
        # The package is stored under the identity of the file its bytes came from, or not at
        # all: a name pointed elsewhere since the first look must not file one package's model
        # under another file's identity, for every later run to take.
        moved = identity is not None and identity_of(path, opened[0]) != identity
        if error is not None:  # only a file read without error is stored
            found.append(([package, InputError(error.source, error.reason)], None, moved))
        elif not encode or moved:
            found.append(([package], None, moved))
        else:
            found.append(([package], Store.encode(_to_json(package)), False))
    return found


def _to_json(model: Package | HeaderEvidence) -> dict[str, Any]:
    return evidence_to_json(model) if isinstance(model, HeaderEvidence) else package_to_json(model)


def read_rpm_files(
    paths: Sequence[str],
    store: Store | None = None,
    progress: Reporter | None = None,
    snapshot: FileSnapshot | None = None,
) -> list[Package | InputError]:
    """Per path, in the order of ``paths``: its package, or its error, or both (a file whose
    header was read but whose payload is cut short). Only a file read without error is stored."""
    read = [item for outcome in read_rpm_outcomes(paths, store, progress, snapshot) for item in outcome]
    return [item for item in read if not isinstance(item, HeaderEvidence)]  # none: not an evidence read


def read_rpm_outcomes(
    paths: Sequence[str],
    store: Store | None = None,
    progress: Reporter | None = None,
    snapshot: FileSnapshot | None = None,
    *,
    checksum: bool = True,
    evidence_only: bool = False,
) -> list[Outcome]:
    """What each path gave, in the order of ``paths``. Without ``checksum`` the files are not
    hashed whole (a repository's metadata has their digests): their headers, their payloads'
    digests (`auditor.formats.payloaddigests`), and a source package's spec in its payload
    when the header has none, are read. ``evidence_only``
    reads each file's `HeaderEvidence` (implies no ``checksum``).
    ``progress`` counts the files, those found in the store at once. The files' identities,
    which key them in the store, are taken through the run's ``snapshot`` when given."""
    with PendingReads(
        paths, store, progress, snapshot, checksum=checksum, evidence_only=evidence_only
    ) as pending:
        return pending.result()


class PendingReads:
    """The reading of many RPM files, started at once and collected by `result`.

    What the store has is looked up in this process when it starts; the rest is read by a
    worker process from then on, when there are enough files to pay for it, so this process
    can do other work meanwhile (a repository's metadata is parsed while its package files
    are read), then reads the batches the worker has not taken. Use it as a context manager:
    leaving it stops the worker after the batch it is reading.
    """

    def __init__(
        self,
        paths: Sequence[str],
        store: Store | None = None,
        progress: Reporter | None = None,
        snapshot: FileSnapshot | None = None,
        *,
        checksum: bool = True,
        evidence_only: bool = False,
    ) -> None:
        self.paths = list(paths)
        self.store = store
        self.snapshot = snapshot if snapshot is not None else FileSnapshot()
        self.progress = progress or SILENT
        self.checksum = checksum
        self.evidence_only = evidence_only
        self.results: list[Outcome | None] = [None] * len(self.paths)
        self.keys: dict[int, str] = {}
        self.identities: dict[int, str] = {}
        self.misses = self._from_store()
        self.encode = store is not None and store.enabled
        identities = self.identities
        wanted = [(self.paths[position], identities.get(position)) for position in self.misses]
        if wanted:
            # The reader `_read_batch` imports, imported before the worker is forked, so that
            # the two share it instead of each importing it (12 ms).
            import auditor.sources.rpmpackage  # noqa: F401
        fork = worth_forking(len(wanted), READ_RPMS_FROM)
        size = BATCH
        if not fork and len(wanted) > 1 and worth_forking(self._bytes_of(wanted), READ_RPM_BYTES_FROM):
            # Few large files: small batches, for the two processes to end together.
            fork, size = True, max(1, min(BATCH, len(wanted) // 8))
        self._batches = SharedBatches(
            [wanted[start : start + size] for start in range(0, len(wanted), size)],
            partial(_read_batch, checksum=checksum, evidence_only=evidence_only, encode=self.encode),
            fork=fork,
        )

    def _bytes_of(self, wanted: Sequence[Wanted]) -> int:
        """The size of the files ``wanted`` as the run first saw them, as far as they can be looked
        at (the reader says what is wrong with one that cannot)."""
        total = 0
        for path, _ in wanted:
            with contextlib.suppress(OSError, ValueError):
                total += self.snapshot.size(path)
        return total

    @property
    def forked_reads(self) -> int:
        """The files read by a worker process from now on (this process takes the batches it
        has not taken once it asks for the `result`); none where no worker was started."""
        return len(self.misses) if self._batches.forked else 0

    def __enter__(self) -> PendingReads:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._batches.stop()

    def _from_store(self) -> list[int]:
        """Fill in what the store has; the positions left to read."""
        # An evidence model names what it holds: one stored before it held the origin fields
        # would read as a file without them, at odds with its metadata entry.
        kind = ("" if self.checksum else "\0headers") + (EVIDENCE_KIND if self.evidence_only else "")
        store = self.store
        if store is not None and store.enabled:
            identity = self.snapshot.identity
            for position, path in enumerate(self.paths):
                with contextlib.suppress(OSError):  # the reader will say what is wrong with the file
                    self.identities[position] = identity(path)
                    self.keys[position] = file_key(self.identities[position], path, kind)
        stored = store.get_packages(list(self.keys.values())) if store is not None and self.keys else {}
        damaged: list[str] = []
        misses: list[int] = []
        for position in range(len(self.paths)):
            cached = stored.get(self.keys.get(position, ""))
            if cached is not None:
                try:
                    self.results[position] = [self._from_json(cached, self.paths[position])]
                    continue
                except (KeyError, TypeError, ValueError, AttributeError):
                    damaged.append(self.keys[position])  # another shape: set aside, read the file again
            misses.append(position)
        if store is not None and damaged:
            store.drop_packages(damaged)
        return misses

    def _from_json(self, data: dict[str, Any], path: str) -> Package | HeaderEvidence:
        """The model stored for the file ``path``: one that describes another file (its
        location is the path it was read from) is damaged, a row moved under this key."""
        if self.evidence_only:
            model: Package | HeaderEvidence = evidence_from_json(data)
        else:
            check_package_json(data)
            model = package_from_json(data)
        if (model.package if isinstance(model, HeaderEvidence) else model).location != path:
            raise ValueError(f"a stored model of another file than {path}")
        return model

    def result(self, heard: Callable[[str, Outcome], None] | None = None) -> list[Outcome]:
        """What each path gave, in the order of the paths; the new ones put in the store.
        ``heard(path, outcome)`` hears of each file read as its outcome reaches this process
        (not of those found in the store): what is done there overlaps the reading."""
        if len(self.paths) > 1:
            self.progress.phase("reading RPM files", len(self.paths))
            self.progress.advance(len(self.paths) - len(self.misses))
        answered = None if heard is None else partial(_tell, heard)
        read = [item for batch in self._batches.results(self._advance, answered) for item in batch]
        for position, (outcome, _, moved) in zip(self.misses, read, strict=True):
            self.results[position] = outcome
            if moved:
                self.snapshot.changed.append(self.paths[position])
        if self.encode and self.store is not None:
            keys = self.keys
            self.store.put_encoded_packages(
                (keys[position], data)
                for position, (_, data, _) in zip(self.misses, read, strict=True)
                if data is not None and position in keys
            )
        return [outcome if outcome is not None else [] for outcome in self.results]

    def _advance(self, batch: list[Wanted]) -> None:
        self.progress.advance(len(batch))


def _tell(heard: Callable[[str, Outcome], None], batch: list[Wanted], answer: list[Read]) -> None:
    """``heard`` each file of a batch read, with its outcome."""
    for (path, _), (outcome, _, _) in zip(batch, answer, strict=True):
        heard(path, outcome)
