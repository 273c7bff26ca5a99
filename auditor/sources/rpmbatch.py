"""Read many RPM files: from the store when unchanged, on both cores when not.

A file's model is looked up in the store by the file's identity (path, size, modification
time, inode); the files not found there are read, by two worker processes when there are
enough of them to pay for starting those, and the new models go into the store.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial

from auditor.core.errors import InputError
from auditor.rpm.model import Package
from auditor.rpm.serialize import check_package_json, package_from_json, package_to_json
from auditor.runtime.progress import SILENT, Reporter
from auditor.runtime.store import Store, file_identity
from auditor.sources.rpmpackage import read_rpm

PARALLEL_FROM = 200
"""Fewer files than this are read in this process: starting workers would cost more."""
WORKERS = min(2, os.cpu_count() or 1)
BATCH = 64

Outcome = list[Package | InputError]
"""What one file gave: a package, an error, or (a payload cut short) both."""


def _read_batch(paths: Sequence[str], checksum: bool = True) -> list[Outcome]:
    found: list[Outcome] = []
    for path in paths:
        try:
            package, error = read_rpm(path, checksum=checksum)
        except InputError as exc:
            # Kept to the end of the run: a fresh error, without the traceback whose frames
            # hold what the reader had read (up to a 256 MiB header per bad file).
            found.append([InputError(exc.source, exc.reason)])
            continue
        found.append([package] if error is None else [package, InputError(error.source, error.reason)])
    return found


def read_rpm_files(
    paths: Sequence[str], store: Store | None = None, progress: Reporter | None = None
) -> list[Package | InputError]:
    """Per path, in the order of ``paths``: its package, or its error, or both (a file whose
    header was read but whose payload is cut short). Only a file read without error is stored."""
    return [item for outcome in read_rpm_outcomes(paths, store, progress) for item in outcome]


def read_rpm_outcomes(
    paths: Sequence[str],
    store: Store | None = None,
    progress: Reporter | None = None,
    *,
    checksum: bool = True,
) -> list[Outcome]:
    """What each path gave, in the order of ``paths``. Without ``checksum`` the files are not
    hashed (a repository's metadata has their digests): only their headers, and a source
    package's spec in its payload when the header has none, are read. ``progress`` counts
    the files, those found in the store at once."""
    progress = progress or SILENT
    kind = "" if checksum else "\0headers"
    results: list[Outcome | None] = [None] * len(paths)
    keys: dict[int, str] = {}
    misses: list[int] = []
    use_store = store is not None and store.enabled
    for position, path in enumerate(paths):
        if use_store:
            with contextlib.suppress(OSError):  # the reader will say what is wrong with the file
                keys[position] = Store.package_key(file_identity(path) + kind)
    stored = store.get_packages(list(keys.values())) if store is not None and keys else {}
    damaged: list[str] = []
    for position in range(len(paths)):
        cached = stored.get(keys.get(position, ""))
        if cached is not None:
            try:
                check_package_json(cached)
                results[position] = [package_from_json(cached)]
                continue
            except (KeyError, TypeError, ValueError, AttributeError):
                damaged.append(keys[position])  # an entry of another shape: set aside, read the file again
        misses.append(position)
    if store is not None and damaged:
        store.drop_packages(damaged)
    if len(paths) > 1:
        progress.phase("reading RPM files", len(paths))
        progress.advance(len(paths) - len(misses))
    for position, item in zip(misses, _read(paths, misses, progress, checksum), strict=True):
        results[position] = item
    if store is not None and store.enabled:
        fresh = [(keys[position], results[position]) for position in misses if position in keys]
        store.put_packages(
            (key, package_to_json(outcome[0]))
            for key, outcome in fresh
            if outcome is not None and len(outcome) == 1 and isinstance(outcome[0], Package)
        )
    return [outcome if outcome is not None else [] for outcome in results]


def _read(paths: Sequence[str], positions: list[int], progress: Reporter, checksum: bool) -> list[Outcome]:
    wanted = [paths[position] for position in positions]
    if len(wanted) < PARALLEL_FROM or WORKERS < 2 or "fork" not in multiprocessing.get_all_start_methods():
        found: list[Outcome] = []
        for path in wanted:
            found.extend(_read_batch([path], checksum))
            progress.advance()
        return found
    batches = [wanted[start : start + BATCH] for start in range(0, len(wanted), BATCH)]
    found = []
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=WORKERS, mp_context=context) as pool:
        for batch in pool.map(partial(_read_batch, checksum=checksum), batches):
            found.extend(batch)
            progress.advance(len(batch))
    return found
