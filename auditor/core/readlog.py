"""What a run read, told to the part of it that keys a stored report on it.

A report replayed from the store (`auditor.cli.replay`) must stand for exactly what the run
that made it read. Looking at the files again when the key is made is not that: a policy file
edited between its parsing and the key's second reading stored the old policy's report
under the new content, for every later run to replay. So the readers say what they read at
the moment they read it:

- `config_read`: the bytes of each configuration file (policy, project, waiver, baseline
  file, provenance table, the report ``--compare`` reads), as parsed, to the run's
  `ConfigReads` (`recording_config`);
- `tell_opened`: each file opened (the ``fstat`` of its descriptor), to the run's observer
  (`watching_opens`), which checks it against the run's first look at its inputs
  (`auditor.runtime.snapshot`).

Both are context variables, set for one command: code that runs outside one records nothing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

Opened = Callable[[str, os.stat_result | None], None]
"""Told of each regular file opened: its path, as given, and the ``fstat`` of the descriptor;
None for a file that could not be opened (gone, or a passing failure: too many open files)."""

_OPENED: ContextVar[Opened | None] = ContextVar("auditor_opened", default=None)


@dataclass
class ConfigReads:
    """Each configuration file read, in order: its path and the sha256 of the bytes parsed."""

    files: list[tuple[str, str]] = field(default_factory=list)

    def paths(self) -> set[str]:
        return {path for path, _ in self.files}


_CONFIG: ContextVar[ConfigReads | None] = ContextVar("auditor_config_reads", default=None)


@contextmanager
def recording_config() -> Iterator[ConfigReads]:
    """Record every configuration file read within (`config_read`) in the `ConfigReads` given."""
    reads = ConfigReads()
    token = _CONFIG.set(reads)
    try:
        yield reads
    finally:
        _CONFIG.reset(token)


def config_read(path: str, data: bytes) -> None:
    """``data`` is what was read of the configuration file ``path``, and what will be parsed."""
    reads = _CONFIG.get()
    if reads is not None:
        reads.files.append((path, hashlib.sha256(data).hexdigest()))


@contextmanager
def watching_opens(observer: Opened) -> Iterator[None]:
    """Tell ``observer`` of every file opened within (`auditor.core.files.open_regular`)."""
    token = _OPENED.set(observer)
    try:
        yield
    finally:
        _OPENED.reset(token)


def tell_opened(path: str, info: os.stat_result | None) -> None:
    """``path`` was opened, and its descriptor is ``info`` (None: it could not be opened): say so
    to the observer, if any (a worker process that opened files for this one hands them back
    to be told here)."""
    observer = _OPENED.get()
    if observer is not None:
        observer(path, info)
