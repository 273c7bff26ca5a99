"""Sources: everything the auditor can read packages from, behind one function.

`load_inputs` takes the paths a user gave and returns every package they hold, plus one
`InputError` per input (or part of an input) that could not be read. A bad input never
stops the others from being read.

An input is a local path (RPM, directory, repository, ``.repo`` file or ``yum.conf``) or
an http(s) URL (a repository, or a ``.repo`` file). Only URLs, and the repositories a
configuration file names, use the network, through the one `Remote` of the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from urllib.parse import unquote, urlsplit

from auditor.core.errors import InputError
from auditor.core.files import read_regular
from auditor.net.http import strip_userinfo
from auditor.net.remote import SMALL_FILE_CEILING, Remote
from auditor.net.urlpolicy import UrlOrigin
from auditor.runtime.store import Store
from auditor.sources.interface import ConfigUrl, InputSummary, LoadResult, ReadOptions
from auditor.sources.localrepo import read_local_repository, source_repositories
from auditor.sources.remote import read_remote_repository, repository_base
from auditor.sources.repoconfig import ConfigRead, is_repo_config, read_repo_config
from auditor.sources.repodata import RepositoryRead, find_repomd
from auditor.sources.rpmbatch import read_rpm_files
from auditor.sources.specs import read_spec_file

__all__ = ["load_inputs"]


Progress = Callable[[str], None]


def load_inputs(
    paths: Iterable[str],
    options: ReadOptions | None = None,
    remote: Remote | None = None,
    store: Store | None = None,
) -> LoadResult:
    """Read every input (see `ReadOptions`). ``remote`` is the run's network and cache (a
    default one, which guards no host, is made if a URL needs it); ``store`` keeps the models
    of RPM files already read.

    A local binary repository's source repository, found beside it by the layouts
    distributions use, is read too (unless the options say not to): the Source and Patch URLs
    of its packages are the evidence that decides whether they come from Citrix.
    """
    options = options or ReadOptions()
    result = LoadResult()
    loaded: set[str] = set()
    for path in paths:
        if is_url(path):
            remote = remote or Remote()
            result.extend(_load_url(path, remote, options, store))
        else:
            result.extend(_load_one(path, options, remote, store))
            loaded.add(os.path.realpath(path))
        if remote is not None:
            result.warnings.extend(remote.take_warnings())
    if options.discover_sources and not options.read_rpms:
        _load_source_repositories(result, options, store, loaded)
    return result


def _load_source_repositories(
    result: LoadResult, options: ReadOptions, store: Store | None, loaded: set[str]
) -> None:
    """Read the source repository beside each local repository that holds binary packages."""
    have = {package.name for package in result.packages if package.is_source}
    wanted = {
        package.source_name
        for package in result.packages
        if not package.is_source and package.source_name and package.source_name not in have
    }
    if not wanted:
        return
    repositories = [_local_path(item.path) for item in result.inputs if item.kind == "repository"]
    for repository in (path for path in repositories if path is not None and os.path.isdir(path)):
        try:
            candidates = source_repositories(repository)
        except InputError:
            continue
        for candidate in candidates:
            real = os.path.realpath(candidate)
            if real in loaded or any(real.startswith(done + os.sep) for done in loaded):
                continue
            loaded.add(real)
            try:
                read = read_local_repository(candidate, options, store)
            except InputError as exc:
                result.errors.append(exc)
                continue
            found = LoadResult()
            _add_repository(read, candidate, found)
            found.inputs = [
                replace(item, kind="source-repository", found_beside=repository) for item in found.inputs
            ]
            result.extend(found)


def _local_path(location: str) -> str | None:
    """The directory a repository's location names: a path, or a ``file:`` URL's path."""
    if location.lower().startswith("file:"):
        return unquote(urlsplit(location).path)
    return None if is_url(location) else location


def is_url(path: str) -> bool:
    return path.lower().startswith(("http://", "https://"))


def _load_url(url: str, remote: Remote, options: ReadOptions, store: Store | None) -> LoadResult:
    result = LoadResult()
    shown = strip_userinfo(url)
    if shown != url:
        result.warnings.append(f"{shown}: the user name and password written in the URL are never sent")
    result.config_urls.append(ConfigUrl(shown, "", "url", shown))
    decision = remote.decide(shown, UrlOrigin.command_line())
    if decision.policy_host:
        result.warnings.append(f"{shown}: not read: {decision.reason}")
        return result
    try:
        if not decision.allowed:
            raise InputError(shown, decision.reason)
        if shown.lower().rstrip("/").endswith((".repo", ".conf")):
            path = remote.fetch_by_url(shown, "config", SMALL_FILE_CEILING)
            _load_config(path, shown, remote, result, UrlOrigin.remote_config(shown), options, store)
        else:
            _add_repository(read_remote_repository(shown, remote, options), repository_base(shown), result)
    except InputError as exc:
        result.errors.append(exc)
    return result


def _load_config(
    path: str,
    shown: str,
    remote: Remote | None,
    result: LoadResult,
    origin: UrlOrigin,
    options: ReadOptions,
    store: Store | None,
) -> None:
    """A .repo file or yum.conf; ``origin`` says where its URLs come from (the local disk, or
    the network, whose configuration may name no local file)."""
    data = read_regular(path, shown, "a repository configuration", SMALL_FILE_CEILING)
    text = data.decode("utf-8", "replace")
    read: ConfigRead = read_repo_config(text, shown, remote or Remote(), origin, options, store)
    result.config_urls.extend(read.config_urls)
    result.warnings.extend(read.warnings)
    for repository in read.repositories:
        result.inputs.append(
            InputSummary(
                repository.location,
                "repository",
                len(repository.packages),
                repository.revision,
                repository.has_filelists,
            )
        )
    result.packages.extend(read.packages)
    result.errors.extend(read.errors)
    result.gaps.extend(gap for repository in read.repositories for gap in repository.gaps)
    result.file_lists.extend(r.file_lists for r in read.repositories if r.file_lists is not None)
    result.inputs.append(InputSummary(shown, "repo-config", len(read.packages)))


def _add_repository(read: RepositoryRead, shown: str, result: LoadResult) -> None:
    result.packages.extend(read.packages)
    result.errors.extend(read.errors)
    result.gaps.extend(read.gaps)
    if read.file_lists is not None:
        read.file_lists.input = shown
        result.file_lists.append(read.file_lists)
    result.inputs.append(
        InputSummary(shown, "repository", len(read.packages), read.revision, read.has_filelists)
    )


def _load_one(path: str, options: ReadOptions, remote: Remote | None, store: Store | None) -> LoadResult:
    result = LoadResult()
    try:
        if not os.path.lexists(path):
            raise InputError(path, "no such file or directory")
        try:
            os.stat(path)
        except OSError as exc:
            raise InputError(path, _reason(exc)) from None
        if os.path.isdir(path) and options.read_rpms:
            _load_directory(path, result, options, store)
        elif find_repomd(path) is not None:
            _add_repository(read_local_repository(path, options, store), path, result)
        elif os.path.isdir(path):
            _load_directory(path, result, options, store)
        elif path.endswith(".spec"):
            packages = read_spec_file(path, defines=dict(options.defines))
            result.packages.extend(packages)
            result.inputs.append(InputSummary(path, "spec", len(packages)))
        elif is_repo_config(path):
            _load_config(path, path, remote, result, UrlOrigin.local_config(path), options, store)
        else:
            read = read_rpm_files([path], store)  # a package, an error, or both (payload cut short)
            packages = [item for item in read if not isinstance(item, InputError)]
            result.errors.extend(item for item in read if isinstance(item, InputError))
            result.packages.extend(packages)
            if packages:
                result.inputs.append(InputSummary(path, "rpm", len(packages)))
    except InputError as exc:
        result.errors.append(exc)
    return result


def _load_directory(root: str, result: LoadResult, options: ReadOptions, store: Store | None) -> None:
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
        if directory != root and not options.read_rpms and find_repomd(directory) is not None:
            try:
                _add_repository(read_local_repository(directory, options, store), directory, result)
            except InputError as exc:
                result.errors.append(exc)
            return None
        try:
            with os.scandir(directory) as listing:
                return iter(sorted(listing, key=lambda entry: entry.name))
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
    for item in read_rpm_files(rpm_paths, store, options.progress):
        if isinstance(item, InputError):
            result.errors.append(item)
        else:
            result.packages.append(item)
            count += 1
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
