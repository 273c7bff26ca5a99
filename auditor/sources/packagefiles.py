"""The package files of a local repository on disk, beside what its metadata lists.

A repository's metadata and the files beside it must agree: an RPM file on disk that the
metadata does not list (createrepo_c was not run again), a repository of its own inside it,
or a directory that could not be looked into is a gap of the input, never silently skipped
(`report_files_around`); and a file the metadata lists is the repository's only where it
lands inside it (`ListedFiles`). `auditor.sources.localrepo` reads the repository with them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.package_fields import location_is_url
from auditor.runtime.snapshot import FileSnapshot
from auditor.sources.inputpaths import is_rpm_name, lands_inside, repository_in_walk
from auditor.sources.interface import ReadOptions
from auditor.sources.repodata import RepositoryRead
from auditor.sources.walk import LOOP, walk_files

LEADS_OUT = "a symbolic link out of the repository, not walked"
"""Why a directory of the repository is not looked into: it lands outside the repository."""

MAX_EXAMPLES = 5
"""File names a gap of many files names (the count says how many there are)."""


def report_files_around(
    read: RepositoryRead,
    root: str,
    on_disk: Sequence[str],
    nested: Sequence[str],
    corners: Sequence[str],
    options: ReadOptions,
) -> None:
    """The gaps of what lies in the repository beside what its metadata lists: RPM files it does
    not list, repositories of their own inside it, and directories that could not be read."""
    listed = {os.path.normpath(p.location) for p in read.packages if not location_is_url(p.location)}
    outside = sorted(set(on_disk) - listed)
    if outside:
        read.gaps.append(
            _files_gap(GapKind.FILE_OUTSIDE_METADATA, read.location, "not listed in its metadata", outside)
        )
    _report_nested(read, root, nested, listed, options)
    if corners:
        # What the metadata lists there is reported missing; what it does not list is unseen.
        what = "could not be looked into for files the metadata does not list"
        read.gaps.append(
            _files_gap(GapKind.FILE_OUTSIDE_METADATA, read.location, what, corners, noun="directory")
        )


def _report_nested(
    read: RepositoryRead, root: str, nested: Sequence[str], listed: set[str], options: ReadOptions
) -> None:
    """The RPM files of repositories of their own inside this one that its metadata does not
    list: not this repository's packages (dnf reading it never sees them), and not audited
    unless given as inputs too (`auditor.sources.load` keeps the gap of each one that is not).
    A Citrix package there must not pass unseen."""
    for directory in nested:
        inside, _, _ = package_files(os.path.join(root, directory), options, stop_at_repositories=False)
        files = [href for href in (os.path.join(directory, name) for name in inside) if href not in listed]
        if files:
            what = f"in {directory}/, a repository of its own, not audited with it (give it as an input)"
            gap = _files_gap(GapKind.FILE_OUTSIDE_METADATA, read.location, what, files)
            read.nested[os.path.realpath(os.path.join(root, directory))] = gap


def package_files(
    root: str, options: ReadOptions, *, stop_at_repositories: bool = True
) -> tuple[list[str], list[str], list[str]]:
    """The RPM files below ``root`` (paths relative to it), in repodata/ too; the directories
    that are repositories of their own (by the loaders' rule, `repository_in_walk`), whose
    files are not listed (``stop_at_repositories`` false walks into them too, and lists no
    directory); and the directories that could not be read, each with the reason."""
    repositories: list[str] = []
    corners: list[str] = []
    real_root = os.path.realpath(root)

    def enter(directory: str) -> bool:
        # A repodata/ is walked too: createrepo_c lists the RPM files it holds (run again, it
        # publishes one dropped there), so one the metadata does not list is a gap as anywhere.
        # A symbolic link to a directory out of the repository (to /, to a mirror beside it):
        # what lies there is not this repository's, as a listed file there is not
        # (`ListedFiles`), and walking it would count a whole machine's RPM files.
        # Not walked, and said so. Only a link can lead out: its parent was entered, so was
        # inside (one lstat, not a realpath of each of a large repository's directories).
        if os.path.islink(directory) and not lands_inside(real_root, directory):
            corners.append(f"{relative(directory)} ({LEADS_OUT})")
            return False
        if stop_at_repositories and directory != root and repository_in_walk(directory, read_rpms=False):
            repositories.append(directory)
            return False
        return True

    def unreadable(path: str, reason: str) -> None:
        """A corner of the repository that cannot be read: the files its metadata lists there
        are reported missing, and an RPM file it does not list there is unseen (a gap); a
        loop's directory was walked already."""
        if reason != LOOP:
            corners.append(f"{relative(path)} ({reason})")

    files = walk_files(
        root, enter=enter, problem=unreadable, alias=lambda _path, _first: None, snapshot=options.snapshot
    )
    # The walk joins names to ``root``: cutting it off gives what relpath does, a hundred times
    # cheaper (relpath makes both paths absolute, for every one of a repository's files).
    prefix = os.path.join(root, "")

    def relative(path: str) -> str:
        return path[len(prefix) :] if path.startswith(prefix) else os.path.relpath(path, root)

    rpms = [relative(entry.path) for entry in files if _is_rpm_file(entry)]
    return rpms, sorted(map(relative, repositories)), corners


class ListedFiles:
    """Whether each of the metadata's hrefs is a regular file inside ``root`` (a symbolic link
    on the way may not lead out of it: judged where it lands, as repomd.xml's files are), as
    the run's first look saw it: a file that appeared since is not in the replay key's look.

    Asked of every listed file the walk did not find (all of them, for a repository whose
    metadata is there without its files): each directory is followed to where it lands once,
    and a file only when it is a link, where a `os.path.realpath` of each took 200 µs, two
    seconds for 10,000 entries."""

    def __init__(self, root: str, snapshot: FileSnapshot) -> None:
        self.root = root
        self.real_root = os.path.realpath(root)
        self.snapshot = snapshot
        self._inside: dict[str, bool] = {}
        """By directory as the path spells it: whether it lands inside the root."""

    def is_there(self, href: str) -> bool:
        path = os.path.join(self.root, href)
        directory = os.path.dirname(path)
        inside = self._inside.get(directory)
        if inside is None:
            inside = self._inside[directory] = lands_inside(self.real_root, directory)
        if not inside:
            return False
        try:
            entry = self.snapshot.entry(path)
            if entry is None or not entry.is_file():
                return False
        except OSError:
            return False
        # A name in a directory inside, not a link: where it is. A link may lead anywhere.
        return not entry.is_symlink() or lands_inside(self.real_root, path)


def _is_rpm_file(entry: os.DirEntry[str]) -> bool:
    """An RPM file by the directory walk's rule (`is_rpm_name`, any case): a file the walk
    would read as an RPM and the metadata does not list must be a gap, ``XS-FOO.RPM`` too."""
    try:
        return is_rpm_name(entry.name) and entry.is_file()
    except OSError:
        return False


def _files_gap(
    kind: GapKind, repository: str, what: str, files: Sequence[str], noun: str = "RPM file"
) -> Gap:
    examples = ", ".join(files[:MAX_EXAMPLES]) + (
        f" and {len(files) - MAX_EXAMPLES} more" if len(files) > MAX_EXAMPLES else ""
    )
    if len(files) != 1:
        noun = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return Gap(kind, f"{repository}: {len(files)} {noun} {what}: {examples}", len(files))
