"""The files and repositories a run has read, so that one named twice is read once."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from auditor.core.errors import InputError
from auditor.rpm.gaps import GapKind
from auditor.rpm.model import Package
from auditor.runtime.snapshot import FileSnapshot
from auditor.runtime.store import Store
from auditor.sources.evidence import HeaderEvidence
from auditor.sources.inputpaths import is_url, local_path, repository_input, repository_root
from auditor.sources.interface import InputKind, InputSummary, LoadResult, ReadOptions
from auditor.sources.overlay import AGREED_FIELDS, HEADER_ONLY_FIELDS, dependency_names
from auditor.sources.rpmbatch import read_rpm_files, read_rpm_outcomes

_REPOSITORIES = (InputKind.REPOSITORY, InputKind.SOURCE_REPOSITORY)
_JUDGED = ("summary", *AGREED_FIELDS, *HEADER_ONLY_FIELDS, "sources", "alternatives", "builds")
"""What a package's file and its entry must agree on for the entry to stand for the file: the
fields the policy judges, and what the header adds to the metadata."""
_COPIED_WHOLE = ("provides", "conflicts", "obsoletes", "recommends", "suggests", "supplements", "enhances")
"""The dependencies createrepo_c copies from a header whole: one of the file's that its entry
lacks was edited out of the metadata (a weak dependency naming a Citrix URL: the host rule
judges it). `auditor.sources.overlay` holds a repository's entry to the header's requirements,
provides, conflicts, obsoletes and recommends, not to its other weak dependencies, which its
reading leaves out."""
_UNREAD_ENTRY = frozenset({GapKind.FILE_MISSING, GapKind.METADATA_ONLY})
"""The gaps of a repository entry judged by its metadata alone: its file's header was not."""


class FilesRead:
    """The RPM and spec files the run has read, by what their names lead to (device and inode,
    as the run's first look saw them): one file named twice, as a directory and a file in it,
    through a symbolic or hard link, or in two directories given, is one package, as dnf and
    createrepo_c read it once. Read twice, its packages, findings and totals counted double."""

    def __init__(self, snapshot: FileSnapshot) -> None:
        self.snapshot = snapshot
        self.first: dict[str, str] = {}
        self._named: set[str] = set()
        """The files (`key`) an input names, not only a directory's walk."""
        self.inputs: dict[str, str] = {}
        """The first name of each input and each repository a directory's walk read, by what it
        reads (`auditor.sources.load._same_input`): a repository named and met in a walk is one
        repository too."""
        self._unverified: dict[str, int] = {}
        """RPM files read on their own under --verify-checksums, by the input that gave them."""
        self._read_ahead: dict[str, list[Package | InputError]] = {}
        """What each RPM file named was read to (`read_ahead`), until its input takes it."""

    def new(self, paths: Iterable[str], result: LoadResult, *, named: bool = False) -> list[str]:
        """Those of ``paths`` (``named``: inputs, not a walk's) no earlier name led to; a warning
        for each of the others."""
        kept = []
        for path in paths:
            key = self.key(path)
            if key is None:
                kept.append(path)  # its reader says what is wrong with it
                continue
            twice_walked = not named and key not in self._named
            if named:
                self._named.add(key)
            # Not by the name's identity (`first is path`): a directory walked again is listed from
            # the run's snapshot, the same string objects, and each file of a directory given
            # inside another given was taken for its first name and read twice.
            first = self.first.get(key)
            if first is None:
                self.first[key] = path
                kept.append(path)
            elif first == path and twice_walked:  # a directory given inside another given
                result.warnings.append(f"{path}: in two directories walked; read once")
            elif first == path:  # named as an input and met again by a directory's walk
                result.warnings.append(f"{path}: named as an input and in a directory walked; read once")
            else:
                result.warnings.append(f"{path}: the same file as {first}; read once")
        return kept

    def read_ahead(self, paths: Sequence[str], options: ReadOptions, store: Store | None) -> None:
        """Read together the RPM files ``paths`` name one by one (a shell's ``*.rpm``): in batches,
        on both cores when there are enough, their stored models looked up at once
        (`auditor.sources.rpmbatch`), as a directory's files are; one at a time, as each input
        came, 2,000 files took a core each. `rpm_file` hands each its outcome; one the loop reads
        otherwise (a `.repo` text named `x.rpm`) costs only its read."""
        wanted = [
            path
            for path in dict.fromkeys(paths)
            if path.lower().endswith(".rpm")
            and not is_url(path)
            and os.path.isfile(path)
            and repository_input(path, read_rpms=options.read_rpms) is None
        ]
        if len(wanted) < 2:
            return
        outcomes = read_rpm_outcomes(wanted, store, options.progress, options.snapshot)
        self._read_ahead = {
            path: [item for item in outcome if not isinstance(item, HeaderEvidence)]
            for path, outcome in zip(wanted, outcomes, strict=True)
        }

    def rpm_file(self, path: str, store: Store | None, options: ReadOptions) -> list[Package | InputError]:
        """What the RPM file ``path`` gives: its package, an error, or both (a payload cut short)."""
        found = self._read_ahead.pop(path, None)
        return found if found is not None else read_rpm_files([path], store, snapshot=options.snapshot)

    def unverified(self, where: str, count: int, options: ReadOptions) -> None:
        """``where`` (an RPM file named, or a directory) gave ``count`` RPM files read on their own:
        under --verify-checksums, those outside a repository have nothing to be held to, which
        `say_unverified` says once the run knows which are a repository's (`drop_repository_files`)."""
        if options.verify_checksums and count:
            self._unverified[where] = self._unverified.get(where, 0) + count

    def say_unverified(self, result: LoadResult) -> None:
        """--verify-checksums holds a repository's files to its metadata: RPM files outside one have
        nothing to be held to, and the run says so rather than pass them as verified. A file a
        repository lists was verified as its entry (`drop_repository_files`), and is not said."""
        for where, count in self._unverified.items():
            if count > 0:
                result.warnings.append(
                    f"{where}: --verify-checksums: {count} RPM file(s) outside a repository have no "
                    "checksum to be verified against; read unverified"
                )
        self._unverified.clear()

    def key(self, path: str) -> str | None:
        """What ``path`` leads to (its identity without the name); None where it cannot be looked at."""
        try:
            return self.snapshot.identity(path).split("\0", 1)[1]
        except OSError:
            return None

    def drop_repository_files(self, result: LoadResult, options: ReadOptions) -> None:
        """Drop each package read from an RPM file (named, or met in a directory's walk) that
        is the file of a local repository's entry, once every input is read: either may come
        first on the command line, and a source repository found beside a binary one is read
        last. The entry stands: it is the file as its repository describes it, held to its
        header (`auditor.sources.overlay`), and the one dnf installs.

        Only an entry judged by its file's header replaces the file's own read. Where the
        repository did not read that header (``--metadata-only``, a binary under a policy
        without rules on what only a header carries) or could not (the file is another build
        than the entry says, or unreadable), the file's read is evidence the entry lacks: both
        stay, and a warning says why the package is there twice."""
        named = [item.path for item in result.inputs if item.kind in _REPOSITORIES]
        every = set(named)
        # Each local repository's root and input, by what its packages name as their input: the
        # input, or its root when it was named by its repomd.xml.
        repositories: dict[str, tuple[str, str]] = {}
        for path in named:
            directory = local_path(path)
            if directory is not None:
                root = repository_root(directory)
                repositories[path] = repositories.setdefault(root, (root, path))
        every |= repositories.keys()
        if not repositories:
            return
        loose = [
            (position, key)
            for position, package in enumerate(result.packages)
            if package.input not in every
            and not is_url(package.location)
            and (key := self.key(package.location)) is not None
        ]
        if not loose:
            return
        wanted = {key for _, key in loose}
        entries: dict[str, tuple[Package, str]] = {}  # by file: its entry and its repository
        for package in result.packages:
            if package.input not in repositories or is_url(package.location):
                continue
            root, shown = repositories[package.input]
            key = self.key(os.path.join(root, package.location))
            if key in wanted:
                entries.setdefault(key, (package, shown))
        drop: dict[int, str] = {}
        said: dict[tuple[str, str, str | None], list[str]] = {}
        for position, key in loose:
            found = entries.get(key)
            if found is None:
                continue
            entry, repository = found
            file = result.packages[position].location
            unread = _why_header_unread(entry, options) or _otherwise(result.packages[position], entry)
            owner = _owner(file, result.inputs)
            if unread is None:
                drop[position] = owner
            said.setdefault((owner, repository, unread), []).append(file)
        for (owner, repository, unread), named in said.items():
            listed = f"listed by the repository {repository}"
            if owner == named[0]:
                what, twice = f"{owner}: {listed}", "as the file and as its entry"
            else:
                walked = f"{len(named)} RPM files met in its walk (first {named[0]})"
                what = f"{owner}: {walked if len(named) > 1 else f'{named[0]}, met in its walk,'} {listed}"
                twice = "as files and as its entries"
            if unread is None:
                result.warnings.append(f"{what}; read once, as that repository's")
            else:
                result.warnings.append(
                    f"{what}: audited twice, {twice}, for that repository did not judge them by their "
                    f"headers ({unread})"
                )
        if drop:
            result.packages[:] = [package for at, package in enumerate(result.packages) if at not in drop]
            gone = Counter(drop.values())
            for owner, count in gone.items():
                if owner in self._unverified:
                    self._unverified[owner] -= count
            result.inputs[:] = [_less(item, gone[item.path]) for item in result.inputs]


def _why_header_unread(entry: Package, options: ReadOptions) -> str | None:
    """Why a local repository's ``entry`` was not judged by its file's header; None if it was."""
    if options.metadata_only:
        return "--metadata-only"
    if not (entry.is_source or options.binary_headers or options.verify_checksums):
        return "the policy reads no binary's header"
    if any(gap.kind in _UNREAD_ENTRY for gap in entry.gaps):
        return "its file was not read as the entry's"
    return None


def _otherwise(file: Package, entry: Package) -> str | None:
    """What the file's own read says otherwise than its entry on what the policy judges, None
    when nothing: the entry is held to its file's header only on some fields (not the Summary a
    field rule may match), and the file's read is evidence the entry lacks where they differ."""
    differing = [field for field in _JUDGED if getattr(file, field) != getattr(entry, field)]
    differing += [
        kind
        for kind in _COPIED_WHOLE
        if dependency_names(getattr(file, kind)) - dependency_names(getattr(entry, kind))
    ]
    return f"its file's header says otherwise on {', '.join(differing)}" if differing else None


def _less(item: InputSummary, gone: int) -> InputSummary:
    """``item`` without the ``gone`` packages of the files it gave that were dropped: an RPM file
    input's own, or those a directory input's walk met below it."""
    if gone and item.kind in (InputKind.RPM, InputKind.DIRECTORY):
        return replace(item, packages=item.packages - gone)
    return item


def _owner(file: str, inputs: Sequence[InputSummary]) -> str:
    """The input that gave ``file``: itself, named, or the first directory whose walk met it. A
    file named, then met again in a directory's walk, was read as named: the walk left it (and
    its count does not hold it)."""
    if any(item.kind is InputKind.RPM and item.path == file for item in inputs):
        return file
    for item in inputs:
        if item.kind is InputKind.DIRECTORY and file.startswith(os.path.join(item.path, "")):
            return item.path
    return file
