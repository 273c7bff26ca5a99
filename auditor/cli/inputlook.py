"""What a stored report's key sees of a run's inputs, without reading them (`auditor.cli.replay`).

Every file the readers may read is named by its identity (`auditor.runtime.identity`) as the
run's first look saw it: an input file; each file below a directory input or a repository's
root; the ``repodata/`` of each directory the readers take for a repository, and the source
repositories found beside it; and a marker for each place that could not be read. The report
files ``-o`` writes inside an audited tree are left out where no reader takes them for input.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from auditor.core.files import os_reason
from auditor.runtime.snapshot import FileSnapshot
from auditor.sources.inputpaths import (
    is_rpm_name,
    is_spec_file,
    is_url,
    repository_directory,
    repository_in_walk,
    repository_input,
    repository_root,
    source_repositories,
)
from auditor.sources.walk import walk_files


def input_tree(
    path: str, snapshot: FileSnapshot, *, read_rpms: bool, reports: Sequence[ReportFile] = ()
) -> Iterable[str]:
    """The identity of every file the audit of ``path`` may read: for a repository, its
    metadata, its package files (their headers are read, and files outside the metadata are
    reported) and the source repositories found beside it. What is a repository is the
    loaders' own answer (`repository_input`), marked whatever files it holds."""
    repomd = repository_input(path, read_rpms=read_rpms)
    listed: set[str] = set()
    if repomd is None and not os.path.isdir(path):
        yield snapshot.identity(path)
        if is_spec_file(path):
            yield from _spec_sources(path, snapshot, listed)
        return
    root = repository_directory(path) if repomd is not None else path
    repositories: list[str] = [root] if repomd is not None else []
    yield from _files_below(root, repositories, snapshot, listed, read_rpms=read_rpms, reports=reports)
    for repository in repositories:
        yield from _repository(repository, snapshot)
        for sibling in source_repositories(repository):
            inside = [sibling]
            yield from _files_below(sibling, inside, snapshot, listed, read_rpms=read_rpms, reports=reports)
            for each in inside:
                yield from _repository(each, snapshot)


def _files_below(
    root: str,
    repositories: list[str],
    snapshot: FileSnapshot,
    listed: set[str],
    *,
    read_rpms: bool,
    reports: Sequence[ReportFile] = (),
) -> Iterator[str]:
    """Each file's identity, and a marker for each place that could not be read: a change
    there must change the key too. Repositories met on the way are added to ``repositories``.
    ``reports``, the files the run writes its reports to, are left out."""
    markers: list[str] = []

    def enter(directory: str) -> bool:
        if repository_in_walk(directory, read_rpms=read_rpms):
            repositories.append(directory)
        return True

    for entry in walk_files(
        root,
        enter=enter,
        problem=lambda where, reason: markers.append(f"{where}\0{reason}"),
        alias=lambda where, first: markers.append(f"{where}\0alias of {first}"),
        snapshot=snapshot,
    ):
        if any(report.is_entry(entry) for report in reports):
            continue
        try:
            yield snapshot.identity(entry.path)
        except OSError:
            yield f"{entry.path}\0unreadable"
        if is_spec_file(entry.name):
            yield from _spec_sources(entry.path, snapshot, listed)
    yield from markers


def _spec_sources(spec: str, snapshot: FileSnapshot, listed: set[str]) -> Iterator[str]:
    """What the directories the spec's Sources are read from hold (`source_directories`): the
    names in each, so that a Source added or removed changes the key, and each file's identity.
    Each directory once (``listed``): the specs of a SPECS tree share ../SOURCES, and a dist-git
    directory of specs is each one's; listed again for each spec, a thousand specs took 20 s."""
    from auditor.sources.specinstalls import source_directories

    for directory in source_directories(spec, {}):
        if directory in listed:
            continue
        listed.add(directory)
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError as exc:
            yield f"{directory}\0{os_reason(exc)}"
            continue
        yield f"{directory}\0" + "\0".join(entry.name for entry in entries)
        for entry in entries:
            if entry.is_file():
                try:
                    yield snapshot.identity(entry.path)
                except OSError:
                    yield f"{entry.path}\0unreadable"


@dataclass(frozen=True)
class ReportFile:
    """The file ``-o`` writes the report to, by its real path and the names an entry of a walk
    may have to be it (its own, and the ``-o`` link's): only those are resolved."""

    real: str
    names: frozenset[str]

    def is_entry(self, entry: os.DirEntry[str]) -> bool:
        return entry.name in self.names and os.path.realpath(entry.path) == self.real


def report_file(output: str | None, inputs: Sequence[str]) -> ReportFile | None:
    """The report ``-o`` writes, to be left out of the key's walk (each run rewrites it: a
    report written inside the tree it audits was never replayed, and each run stored one more),
    unless a reader may take it for an input: an input itself, a name the walk reads (an RPM or
    spec file) or a file of a ``repodata/`` directory. None for standard output."""
    if not output or output == "-":
        return None
    real = os.path.realpath(output)
    name = os.path.basename(real)
    if is_rpm_name(name) or is_spec_file(name) or os.path.basename(os.path.dirname(real)) == "repodata":
        return None
    if any(not is_url(path) and os.path.realpath(path) == real for path in inputs):
        return None
    return ReportFile(real, frozenset({name, os.path.basename(output)}))


def _repository(directory: str, snapshot: FileSnapshot) -> Iterator[str]:
    """That ``directory`` is read as a repository, whatever its ``repodata/`` holds (an empty
    one makes the loaders read it as one, and adds no file), and the identity of each file of
    its ``repodata/`` by the name its reader opens it by: a ``repodata`` symlink to a directory
    the walk met first under another name is an alias the walk does not enter."""
    if repository_input(directory, read_rpms=False) is None:  # a directory that cannot be looked into
        yield f"{directory}\0not readable as a repository"
        return
    metadata = os.path.join(repository_root(directory), "repodata")
    yield f"repository\0{metadata}"
    try:
        entries = snapshot.listing(metadata)
    except OSError as exc:
        yield f"{metadata}\0{os_reason(exc)}"
        return
    for entry in entries:
        try:
            if not entry.is_dir():
                yield snapshot.identity(entry.path)
        except OSError:
            yield f"{entry.path}\0unreadable"
