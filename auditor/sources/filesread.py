"""The files and repositories a run has read, so that one named twice is read once."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.runtime.snapshot import FileSnapshot
from auditor.sources.interface import LoadResult


class FilesRead:
    """The RPM and spec files the run has read, by what their names lead to (device and inode,
    as the run's first look saw them): one file named twice, as a directory and a file in it,
    through a symbolic or hard link, or in two directories given, is one package, as dnf and
    createrepo_c read it once. Read twice, its packages, findings and totals counted double."""

    def __init__(self, snapshot: FileSnapshot) -> None:
        self.snapshot = snapshot
        self.first: dict[str, str] = {}
        self.inputs: dict[str, str] = {}
        """The first name of each input and each repository a directory's walk read, by what it
        reads (`auditor.sources.load._same_input`): a repository named and met in a walk is one
        repository too."""

    def new(self, paths: Iterable[str], result: LoadResult) -> list[str]:
        """Those of ``paths`` no earlier name led to; a warning for each of the others."""
        kept = []
        for path in paths:
            try:
                key = self.snapshot.identity(path).split("\0", 1)[1]  # without the path
            except OSError:
                kept.append(path)  # its reader says what is wrong with it
                continue
            first = self.first.setdefault(key, path)
            if first is path:
                kept.append(path)
            else:
                result.warnings.append(f"{path}: the same file as {first}; read once")
        return kept
