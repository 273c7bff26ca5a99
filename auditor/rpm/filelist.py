"""A package's file list: the paths it owns, kept in one string, and read late from repodata."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Set
from functools import lru_cache
from typing import Any, Protocol, overload

FEW_PATHS = 4
"""Up to this many paths, `FileList.among` looks for each in the joined string instead of
splitting it: a distribution's file requirements often name a handful of paths, and splitting
every package's list into strings to intersect with them took a third of indexing the
provides of distro-60k (3 paths); from about 8 paths, splitting is faster."""


@lru_cache(maxsize=16)
def _needles(paths: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """Each of ``paths`` and what it is within a joined list; none for a path holding a NUL,
    which no list holds (its paths are split at them)."""
    return tuple((path, f"\0{path}\0") for path in paths if "\0" not in path)


class FileList(Sequence[str]):
    """The paths a package owns, kept as one NUL-separated string.

    A distribution's packages own hundreds of thousands of paths; one string per package
    instead of one object per path halves what they cost in memory. It behaves as the
    tuple of paths it stands for: it iterates, indexes, compares and hashes like one.
    """

    __slots__ = ("_joined", "_length")

    def __init__(self, paths: Iterable[str] = ()) -> None:
        items = paths if isinstance(paths, (list, tuple)) else tuple(paths)
        self._joined = "\0" + "\0".join(items) + "\0" if items else ""
        self._length = len(items)

    @classmethod
    def from_joined(cls, joined: str, length: int) -> FileList:
        """From ``"\\0".join(paths)`` and the number of paths, without splitting them."""
        self = cls.__new__(cls)
        self._joined = "\0" + joined + "\0" if length else ""
        self._length = length
        return self

    def _paths(self) -> list[str]:
        return self._joined[1:-1].split("\0") if self._length else []

    def known(self) -> tuple[str, ...]:
        """The paths held now, reading nothing more: of a `PendingFileList` not yet completed,
        those primary.xml lists (`auditor.sources.primary_db` compares them with yum's copy)."""
        return tuple(self._paths())

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths())

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        if isinstance(index, slice):
            return tuple(self._paths()[index])
        return self._paths()[index]

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and "\0" not in path and f"\0{path}\0" in self._joined

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FileList):
            return self._joined == other._joined
        if isinstance(other, (tuple, list)):
            return tuple(self._paths()) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self._paths()))

    def __repr__(self) -> str:
        return f"FileList({tuple(self._paths())!r})"

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return (FileList.from_joined, (self._joined[1:-1], self._length))

    def among(self, paths: Set[str]) -> set[str]:
        """Which of ``paths`` the package owns."""
        if not self._length:
            return set()
        if isinstance(paths, frozenset) and len(paths) <= FEW_PATHS:
            joined = self._joined  # each path looked for in the one string, none split out
            return {path for path, needle in _needles(paths) if needle in joined}
        return set(paths).intersection(self._paths())


class FileSource(Protocol):
    """Where the complete file lists of a repository's packages are, read on first need."""

    def files(self, key: str) -> tuple[str, int] | None:
        """The complete list of the package ``key`` (NUL-joined, and how many), or None."""
        ...

    def answers(self, paths: frozenset[str]) -> bool:
        """Whether the partial lists already hold every package's share of ``paths``."""
        ...

    def expect(self, key: str, digest: str, where: str) -> None:
        """That the complete list of ``key``, once read, is the one its file's header gives
        (``digest``, `auditor.sources.filedigest.file_digests`); ``where`` names the file."""
        ...


class PendingFileList(FileList):
    """A package's files as far as they are known before its complete list is read.

    Repository metadata lists a package's configuration files and executables in primary.xml
    and all of its files in filelists.xml, which is as large again. The complete list is
    read on first use of any kind (iterating, counting, comparing, pickling); until then,
    the resolver asks only for the paths that requirements name (`among`), and the partial
    list answers those when its source says it can.
    """

    __slots__ = ("_key", "_source")

    def __init__(self, partial: Iterable[str], source: FileSource, key: str) -> None:
        super().__init__(partial)
        self._source: FileSource | None = source
        self._key = key

    def _complete(self) -> None:
        source = self._source
        if source is None:
            return
        found = source.files(self._key)
        self._source = None
        if found is not None:
            joined, length = found
            self._joined = "\0" + joined + "\0" if length else ""
            self._length = length

    @property
    def pending(self) -> bool:
        return self._source is not None

    def expect(self, digest: str, where: str) -> None:
        """`FileSource.expect` of this package's list, when it is still to be read."""
        if self._source is not None:
            self._source.expect(self._key, digest, where)

    def among(self, paths: Set[str]) -> set[str]:
        source = self._source
        if source is not None and isinstance(paths, frozenset) and source.answers(paths):
            return super().among(paths)  # the partial list: nothing more to read
        self._complete()
        return super().among(paths)

    def __len__(self) -> int:
        self._complete()
        return self._length

    def __bool__(self) -> bool:
        return self._source is not None or self._length > 0  # unread: it may hold files

    def __iter__(self) -> Iterator[str]:
        self._complete()
        return super().__iter__()

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        self._complete()
        return super().__getitem__(index)

    def __contains__(self, path: object) -> bool:
        self._complete()
        return super().__contains__(path)

    def __eq__(self, other: object) -> bool:
        self._complete()
        if isinstance(other, PendingFileList):
            other._complete()
        return super().__eq__(other)

    def __hash__(self) -> int:
        self._complete()
        return super().__hash__()

    def __repr__(self) -> str:
        self._complete()
        return super().__repr__()

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        self._complete()
        return super().__reduce__()
