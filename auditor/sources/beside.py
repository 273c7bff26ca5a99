"""The source repository beside a binary one: read with it, found as distributions lay it out.

A local binary repository's source repository (``SRPMS/``, ``Source/``... beside
``x86_64/``), or one probed over HTTP beside a remote one, is read when the binaries' source
packages are not in their own input (another input's copy may be another build): the Source
and Patch URLs of its packages are the evidence that decides whether they come from Citrix.
`auditor.sources.load` calls it once every input is read.
"""

from __future__ import annotations

import os
from dataclasses import replace

from auditor.core.errors import InputError
from auditor.net.remote import Remote
from auditor.runtime.store import Store
from auditor.sources.inputpaths import (
    find_repomd,
    is_url,
    local_path,
    repository_input,
    repository_root,
    source_repositories,
    unsearchable,
)
from auditor.sources.interface import InputKind, LoadResult, ReadOptions
from auditor.sources.localrepo import read_local_repository
from auditor.sources.remote import (
    read_source_repository_beside,
    repository_base,
    source_repository_candidates,
)
from auditor.sources.repodata import RepositoryRead, add_repository


def load_source_repositories(
    result: LoadResult, options: ReadOptions, remote: Remote | None, store: Store | None, loaded: set[str]
) -> Remote | None:
    """Read the source repository beside each repository that holds binary packages whose
    source packages are not in their own input: on the disk, or probed over HTTP beside a
    remote one (the only requests the auditor makes that the user did not spell out: the
    sources of what they named are part of what they asked to audit). The run's `Remote`,
    made if a remote repository needed one."""
    # Keyed as binaries find their source package (`Package.built_from_key`): another version of
    # the same name, or a spec of the same N-V-R, is not the one a built binary came from. And
    # in the binaries' own input: one of the same file name from another input may be another
    # build (a rebuild of a vendor's N-V-R), while the one beside their repository is theirs.
    have = {(package.input, package.source_key) for package in result.packages if package.is_source}
    wanted = any(
        not package.is_source
        and (key := package.built_from_key) is not None
        and (package.input, key) not in have
        for package in result.packages
    )
    if not wanted:
        return remote
    repositories = [item.path for item in result.inputs if item.kind is InputKind.REPOSITORY]
    remote_bases = {
        repository_base(item.path)
        for item in result.inputs
        if item.kind in (InputKind.REPOSITORY, InputKind.SOURCE_REPOSITORY) and is_url(item.path)
    }
    read_already = _local_repositories(result)  # those found below are in ``loaded`` too
    for repository in repositories:
        if is_url(repository):
            if options.context:
                continue
            remote = remote or Remote()
            for candidate in source_repository_candidates(repository):
                if candidate not in remote_bases:
                    remote_bases.add(candidate)
                    _probe_remote_sources(candidate, repository, result, options, remote, store)
            result.warnings.extend(remote.take_warnings())
            continue
        path = local_path(repository)
        if path is None or find_repomd(path) is None:  # named as its directory, repodata/ or repomd.xml
            continue
        try:
            candidates = source_repositories(path)
        except InputError:
            continue
        walked = [done for done in loaded if repository_input(done, read_rpms=options.read_rpms) is None]
        for candidate in candidates:
            real = os.path.realpath(candidate)
            # Read already if an input named it or a directory input's walk met it. A walk stops
            # at a repository, so one below a directory input is not read because it is there
            # (inside a repository the walk read, it is only that one's gap); one that cannot be
            # looked into is, as the walk said (its input error).
            if real in loaded or real in read_already:
                continue
            if unsearchable(candidate) and any(real.startswith(done + os.sep) for done in walked):
                continue
            loaded.add(real)
            try:
                read = read_local_repository(candidate, options, store)
            except InputError as exc:
                result.errors.append(exc)
                continue
            _add_found_beside(read, candidate, path, result)
    return remote


def _local_repositories(result: LoadResult) -> set[str]:
    """The real paths of the local repositories the run has read (named, walked into, found)."""
    found = set()
    for item in result.inputs:
        if item.kind in (InputKind.REPOSITORY, InputKind.SOURCE_REPOSITORY):
            path = local_path(item.path)
            if path is not None and find_repomd(path) is not None:
                found.add(os.path.realpath(repository_root(path)))
    return found


def _probe_remote_sources(
    candidate: str,
    repository: str,
    result: LoadResult,
    options: ReadOptions,
    remote: Remote,
    store: Store | None,
) -> None:
    """The source repository at ``candidate``, if there is one: absent is quiet, a failure a warning."""
    try:
        read = read_source_repository_beside(candidate, repository, remote, options, store)
    except InputError as exc:
        result.warnings.append(
            f"{candidate}: not read as the source repository beside {repository}: {exc.reason}"
        )
        return
    if read is not None:
        _add_found_beside(read, candidate, repository, result)


def _add_found_beside(read: RepositoryRead, location: str, beside: str, result: LoadResult) -> None:
    found = LoadResult()
    add_repository(read, location, found, named=False)
    kind = InputKind.SOURCE_REPOSITORY
    found.inputs = [replace(item, kind=kind, found_beside=beside) for item in found.inputs]
    result.extend(found)
