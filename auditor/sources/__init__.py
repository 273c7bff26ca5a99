"""Sources: everything the auditor can read packages from, behind one function.

`load_inputs` takes the paths a user gave and returns every package they hold, plus one
`InputError` per input (or part of an input) that could not be read. A bad input never
stops the others from being read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from auditor.errors import InputError
from auditor.model import Package
from auditor.sources.repodata import find_repomd, read_repository
from auditor.sources.rpmpackage import read_rpm_file

__all__ = ["InputSummary", "LoadResult", "load_inputs"]


@dataclass(frozen=True, slots=True)
class InputSummary:
    """One input as the user gave it, and what it turned out to be."""

    path: str
    kind: str
    """``rpm``, ``directory`` or ``repository``."""
    packages: int
    revision: str | None = None
    filelists: bool | None = None
    """For a repository: whether filelists.xml was read (file requirements need it)."""


@dataclass
class LoadResult:
    packages: list[Package] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    inputs: list[InputSummary] = field(default_factory=list)

    def extend(self, other: LoadResult) -> None:
        self.packages.extend(other.packages)
        self.errors.extend(other.errors)
        self.inputs.extend(other.inputs)


Progress = Callable[[str], None]


def load_inputs(paths: Iterable[str], progress: Progress | None = None) -> LoadResult:
    result = LoadResult()
    for path in paths:
        result.extend(_load_one(path, progress))
    return result


def _load_one(path: str, progress: Progress | None) -> LoadResult:
    result = LoadResult()
    try:
        if not os.path.lexists(path):
            raise InputError(path, "no such file or directory")
        try:
            os.stat(path)
        except OSError as exc:
            raise InputError(path, _reason(exc)) from None
        if find_repomd(path) is not None:
            _load_repository(path, result)
        elif os.path.isdir(path):
            _load_directory(path, result, progress)
        else:
            package = read_rpm_file(path)
            result.packages.append(package)
            result.inputs.append(InputSummary(path, "rpm", 1))
    except InputError as exc:
        result.errors.append(exc)
    return result


def _load_repository(path: str, result: LoadResult) -> None:
    read = read_repository(path)
    result.packages.extend(read.packages)
    result.errors.extend(read.errors)
    result.inputs.append(
        InputSummary(path, "repository", len(read.packages), read.revision, read.has_filelists)
    )


def _load_directory(root: str, result: LoadResult, progress: Progress | None) -> None:
    rpm_paths: list[str] = []
    seen: set[tuple[int, int]] = set()

    def enter(directory: str) -> Iterator[os.DirEntry[str]] | None:
        """The sorted entries of a directory to walk, or None when it is not walked."""
        try:
            info = os.stat(directory)
        except OSError as exc:
            result.errors.append(InputError(directory, _reason(exc)))
            return None
        identity = (info.st_dev, info.st_ino)
        if identity in seen:
            result.errors.append(InputError(directory, "symlink loop: directory already scanned"))
            return None
        seen.add(identity)
        if directory != root and find_repomd(directory) is not None:
            try:
                _load_repository(directory, result)
            except InputError as exc:
                result.errors.append(exc)
            return None
        try:
            return iter(sorted(os.scandir(directory), key=lambda entry: entry.name))
        except OSError as exc:
            result.errors.append(InputError(directory, _reason(exc)))
            return None

    # Depth first in name order, with a stack of iterators rather than recursion: a tree
    # deeper than Python's recursion limit is just a tree.
    first = enter(root)
    stack = [first] if first is not None else []
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        try:
            is_dir = entry.is_dir()  # follows symlinks; loops are caught by `seen`
        except OSError as exc:
            result.errors.append(InputError(entry.path, _reason(exc)))
            continue
        if is_dir:
            if entry.name != "repodata":
                entries = enter(entry.path)
                if entries is not None:
                    stack.append(entries)
        elif entry.name.lower().endswith(".rpm"):
            rpm_paths.append(entry.path)
        elif entry.is_symlink() and _is_loop(entry.path):
            result.errors.append(InputError(entry.path, "symlink loop"))
    count = 0
    for index, path in enumerate(rpm_paths):
        if progress is not None:
            progress(f"reading {index + 1}/{len(rpm_paths)} {os.path.basename(path)}")
        try:
            result.packages.append(read_rpm_file(path))
            count += 1
        except InputError as exc:
            result.errors.append(exc)
    result.inputs.append(InputSummary(root, "directory", count))


def _is_loop(path: str) -> bool:
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == 40  # ELOOP
    return False


def _reason(exc: OSError) -> str:
    if exc.errno == 40:
        return "symlink loop"
    return (exc.strerror or str(exc)).lower() if exc.strerror else str(exc)
