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
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from auditor.core.errors import InputError
from auditor.core.files import os_reason
from auditor.net.failures import RedirectedToPolicyHost
from auditor.net.http import strip_userinfo
from auditor.net.remote import SMALL_FILE_CEILING, Remote
from auditor.net.urlpolicy import UrlOrigin
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Package
from auditor.runtime.snapshot import FileSnapshot
from auditor.runtime.store import Store
from auditor.sources.beside import load_source_repositories
from auditor.sources.configscope import ConfigScope, local_location, location_of, unreached
from auditor.sources.dnfini import dnf_repo_file_order
from auditor.sources.filesread import FilesRead
from auditor.sources.inputpaths import (
    find_repomd,
    is_repo_config,
    is_repo_config_name,
    is_rpm_name,
    is_spec_file,
    is_url,
    repository_in_walk,
    repository_input,
    repository_root,
)
from auditor.sources.interface import ConfigUrl, InputKind, InputSummary, LoadResult, ReadOptions
from auditor.sources.localrepo import read_local_repository
from auditor.sources.remote import read_remote_repository, repository_base
from auditor.sources.repodata import RepositoryRead, add_repository
from auditor.sources.rpmbatch import read_rpm_files
from auditor.sources.walk import walk_files
from auditor.sources.walkedfile import Kind, dangling_link, look_at

__all__ = ["load_inputs"]


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
    of its packages are the evidence that decides whether they come from Citrix
    (`auditor.sources.beside`).
    """
    options = options or ReadOptions()
    result = LoadResult()
    loaded: set[str] = set()
    files = FilesRead(options.snapshot or FileSnapshot())
    named = files.inputs
    scope = ConfigScope()  # one namespace of repository ids for every configuration, as dnf has
    files.read_ahead(ordered := _in_dnf_order(list(paths)), options, store)  # one batch of RPM files
    for path in ordered:
        if is_url(path):
            remote = remote or Remote()
            result.extend(_load_url(path, remote, options, store, scope))
        else:
            # One repository named twice (``repo`` and ``repo/repodata/repomd.xml``, or through a
            # link) is read once, as dnf reads a repository once: its packages are not two copies.
            same = _same_input(path, options)
            if same in named:
                result.warnings.append(f"{path}: the same input as {named[same]}; read once")
                continue
            named[same] = path
            # Only one read as a repository is the one a section read: a directory walked for
            # its RPM files (--read-rpms) reads those outside the metadata too.
            if _as_repository(path, options) and _read_already(
                local_location(same), path, same, scope, result
            ):
                loaded.add(os.path.realpath(path))  # read, once: a repository nested in another read
                continue
            result.extend(_load_one(path, options, remote, store, scope, files))
            loaded.add(os.path.realpath(path))
        if remote is not None:
            result.warnings.extend(remote.take_warnings())
    # Once every configuration is read: a later section naming the same repository may show
    # what an earlier one hid (which the modules gap counts too).
    result.hidden_from_dnf.update(scope.hidden_from_dnf())
    result.hidden_on_some_hosts.update(scope.hidden_on_some_hosts())
    result.gaps = scope.recounted(result.gaps)
    result.priorities.update(scope.priorities)
    if not scope.binaries:  # no configuration had an enabled section: what was each one for?
        result.gaps.extend(scope.all_disabled)
    result.gaps.extend(scope.unseen_default_reposdirs(paths, result.warnings))
    if options.discover_sources and not options.read_rpms:
        remote = load_source_repositories(result, options, remote, store, loaded)
        if remote is not None:
            result.warnings.extend(remote.take_warnings())
    if result.nested:
        # A repository nested in an input one is a gap unless an input read it too.
        read = loaded | {os.path.realpath(repository_root(path)) for path in loaded if find_repomd(path)}
        result.gaps.extend(gap for real, gap in result.nested.items() if real not in read)
        result.nested.clear()
    files.drop_repository_files(result, options)
    files.say_unverified(result)
    return result


def _in_dnf_order(paths: list[str]) -> list[str]:
    """``paths`` with the local ``.repo`` files among them in the order dnf reads the files of its
    reposdirs (`dnf_repo_file_order`), each in a slot one of them had: of two naming one
    repository id, the first is the one dnf reads. ``--with /etc/yum.repos.d/*.repo`` gives
    ``a-b.repo`` before ``a.repo``, which dnf reads first: reading them as given, the clean
    repository dnf ignores was a way around the Citrix one it installs. A main configuration
    comes first: a ``.repo`` file of its ``reposdir`` is read under its ``[main]``, not alone."""
    slots = [
        index
        for index, path in enumerate(paths)
        if not is_url(path) and is_repo_config_name(os.path.basename(path))
    ]
    ordered = sorted((paths[index] for index in slots), key=_main_first)
    placed = list(paths)
    for index, path in zip(slots, ordered, strict=True):
        placed[index] = path
    return placed


def _main_first(path: str) -> tuple[bool, list[str]]:
    """A main configuration before any ``.repo`` file, these in dnf's order."""
    return os.path.basename(path).lower().endswith(".repo"), dnf_repo_file_order(path)


def _read_already(location: str, where: str, shown: str, scope: ConfigScope, result: LoadResult) -> bool:
    """Whether the repository input ``where`` (at ``location``, `location_of`; ``shown`` in the
    warning) was read already, for a section of a configuration naming it or as another input:
    then it is not read again, as dnf reads a repository once, and what the sections hid is
    shown (an input shows every package), and what is nested in it is a gap unless read, as for
    an input that read it."""
    again = scope.read_again(location, where, shown)
    if again is None:
        return False
    fresh, said, nested = again
    result.packages.extend(fresh)
    result.warnings.extend(said)
    result.nested.update(nested)
    return True


def _as_repository(path: str, options: ReadOptions) -> bool:
    """Whether the input ``path`` is read as a repository (`repository_input`)."""
    try:
        return repository_input(path, read_rpms=options.read_rpms) is not None
    except OSError:
        return False


def _same_input(path: str, options: ReadOptions) -> str:
    """What ``path`` reads, whatever names it: a repository's real root, else its real path."""
    if unreached(path):  # its reading fails: the same input as nothing else
        return path
    if _as_repository(path, options):
        return os.path.realpath(repository_root(path))
    return os.path.realpath(path)


def _load_url(
    url: str, remote: Remote, options: ReadOptions, store: Store | None, scope: ConfigScope
) -> LoadResult:
    result = LoadResult()
    shown = strip_userinfo(url)
    if shown != url:
        result.warnings.append(f"{shown}: the user name and password written in the URL are never sent")
    result.config_urls.append(ConfigUrl(shown, "", "url", shown))
    decision = remote.decide(shown, UrlOrigin.command_line())
    if decision.policy_host:
        # Never contacted: a finding, and what it would install unseen, as for a configured
        # repository there (`auditor.sources.repoconfig`), even where the finding does not block.
        result.warnings.append(f"{shown}: not read: {decision.reason}")
        said = f"{shown}: named on the command line, on a policy host"
        result.gaps.append(Gap(GapKind.REPOSITORY_NOT_READ, said))
        return result
    try:
        if not decision.allowed:
            raise InputError(shown, decision.reason)
        if shown.lower().rstrip("/").endswith((".repo", ".conf")):
            from auditor.sources.configinput import load_config  # as in `_load_one`

            path = remote.fetch_by_url(shown, "config", SMALL_FILE_CEILING)
            load_config(path, shown, remote, result, UrlOrigin.remote_config(shown), options, store, scope)
        elif not _read_already(location_of(decision), shown, decision.url, scope, result):
            read = _remote_repository(shown, remote, options, store)
            scope.read_directly(location_of(decision), shown, read)
            add_repository(read, repository_base(shown), result)
    except InputError as exc:
        if isinstance(exc, RedirectedToPolicyHost) and not exc.metadata:  # a section's is a finding too
            result.config_urls.append(ConfigUrl(shown, "", "redirect", exc.target))
        result.errors.append(exc)
    return result


def _remote_repository(
    shown: str, remote: Remote, options: ReadOptions, store: Store | None
) -> RepositoryRead:
    """The repository at URL ``shown``. A URL naming one RPM file fails as a repository would (a
    directory ``x.rpm`` may hold one), saying why: a 404 on ``x.rpm/repodata/repomd.xml`` would not."""
    try:
        return read_remote_repository(shown, remote, options, store)
    except InputError as exc:
        if not urlsplit(shown).path.lower().endswith(".rpm"):
            raise
        raise InputError(
            shown,
            f"not read: a URL is read as a repository, never as one RPM file ({exc}); "
            "download the file and give its path",
        ) from None


def _load_one(
    path: str,
    options: ReadOptions,
    remote: Remote | None,
    store: Store | None,
    scope: ConfigScope,
    files: FilesRead,
) -> LoadResult:
    result = LoadResult()
    try:
        if not os.path.lexists(path):
            raise InputError(path, _missing(path))
        try:
            os.stat(path)
        except OSError as exc:
            raise InputError(path, os_reason(exc)) from None
        if repository_input(path, read_rpms=options.read_rpms) is not None:
            if options.progress is not None:
                options.progress.phase(f"reading the metadata of {path}")
            repository = read_local_repository(path, options, store)
            scope.read_directly(local_location(os.path.realpath(repository_root(path))), path, repository)
            add_repository(repository, path, result)
        elif os.path.isdir(path):
            _load_directory(path, result, options, store, files, scope)
        elif not files.new([path], result, named=True):
            pass  # read already, under another name
        elif is_spec_file(path):
            packages = _read_spec(path, options)
            result.packages.extend(packages)
            result.inputs.append(InputSummary(path, InputKind.SPEC, len(packages)))
        elif is_repo_config(path):
            # The configuration reader is imported here (10 ms: configparser, mirror lists,
            # includes): most runs read no .repo file.
            from auditor.sources.configinput import load_config

            load_config(path, path, remote, result, UrlOrigin.local_config(path), options, store, scope)
        else:
            # a package, an error, or both (payload cut short)
            read = files.rpm_file(path, store, options)
            packages = [item for item in read if not isinstance(item, InputError)]
            result.errors.extend(item for item in read if isinstance(item, InputError))
            result.packages.extend(packages)
            if packages:
                result.inputs.append(InputSummary(path, InputKind.RPM, len(packages)))
            files.unverified(path, len(packages), options)
    except InputError as exc:
        result.errors.append(exc)
    return result


def _missing(path: str) -> str:
    """Why ``path`` is not read: it does not exist, and where it is a URL of another scheme than
    http(s) (``file:///srv/repo``, as a ``baseurl`` is written), what to give instead: "no such
    file" named a directory that is there."""
    scheme, _, rest = path.partition("://")
    if not rest or not scheme.isascii() or not scheme.replace("+", "").isalpha():
        return "no such file or directory"
    if scheme.lower() == "file":
        return f"not read: a file: URL is no input; give the path it names ({unquote(urlsplit(path).path)})"
    return f"not read: only http and https URLs are read, and paths ({scheme}: is neither)"


def _load_directory(
    root: str,
    result: LoadResult,
    options: ReadOptions,
    store: Store | None,
    files: FilesRead,
    scope: ConfigScope,
) -> None:
    repositories: list[str] = []

    def enter(directory: str) -> bool:
        """Walk a directory, unless it is repodata/ or a repository: that is read as one.
        With --read-rpms a repodata/ is walked too: createrepo_c lists the RPM files it
        holds, and no RPM file below the directory given may go unread."""
        if os.path.basename(directory) == "repodata":
            return options.read_rpms
        if not repository_in_walk(directory, read_rpms=options.read_rpms):
            return True
        repositories.append(directory)
        real = os.path.realpath(directory)
        if real in files.inputs:
            result.warnings.append(f"{directory}: the same repository as {files.inputs[real]}; read once")
            return False
        files.inputs[real] = f"{directory} (in {root})"
        if _read_already(local_location(real), directory, real, scope, result):
            return False
        try:
            read = read_local_repository(directory, options, store)
            scope.read_directly(local_location(real), files.inputs[real], read)
            add_repository(read, directory, result)
        except InputError as exc:
            result.errors.append(exc)
        return False

    def problem(path: str, reason: str) -> None:
        result.errors.append(InputError(path, reason))

    def alias(path: str, first: str) -> None:
        # A second name for a directory read in full (`latest -> 8.2`): nothing unseen.
        result.warnings.append(f"{path}: already scanned as {first}; not read twice")

    rpm_paths: list[str] = []
    spec_paths: list[str] = []
    errors_before = len(result.errors)
    for entry in walk_files(root, enter=enter, problem=problem, alias=alias, snapshot=options.snapshot):
        if is_rpm_name(entry.name) and (gone := dangling_link(entry)) is not None:
            result.errors.append(gone)  # read without a look but for this: a link to nothing
        elif is_rpm_name(entry.name):
            rpm_paths.append(entry.path)
        else:
            look = look_at(entry)  # an RPM file under another name is read too, as rpm reads it
            if look.kind is Kind.RPM:
                rpm_paths.append(entry.path)
            elif is_spec_file(entry.name):
                spec_paths.append(entry.path)  # its reader says what is wrong with one it cannot read
            elif is_repo_config_name(entry.name):
                _say_config_not_read(entry.path, result)
            elif look.error is not None:
                result.errors.append(look.error)
    count = 0
    for item in read_rpm_files(files.new(rpm_paths, result), store, options.progress, options.snapshot):
        if isinstance(item, InputError):
            result.errors.append(item)
        else:
            result.packages.append(item)
            count += 1
    files.unverified(root, count, options)
    # A packaging tree (SPECS/, a package's git repository) is checked before anything is
    # built: its spec files are what a contributor submits, read as if named one by one.
    for path in sorted(files.new(spec_paths, result)):
        try:
            packages = _read_spec(path, options)
        except InputError as exc:
            result.errors.append(exc)
            continue
        result.packages.extend(packages)
        count += len(packages)
    result.inputs.append(InputSummary(root, InputKind.DIRECTORY, count))
    if not (rpm_paths or spec_paths or repositories) and len(result.errors) == errors_before:
        _say_nothing_read(root, result, options)


def _say_nothing_read(root: str, result: LoadResult, options: ReadOptions) -> None:
    """A directory input that held nothing to read (and met no error, which says so itself):
    most likely a wrong path (an SRPMS tree named one level off). What it was meant to hold is
    unseen, so the audit is incomplete and --strict fails, though other inputs held packages
    (alone, it is an audit of nothing, which always fails)."""
    what = "no RPM or spec file (--read-rpms)" if options.read_rpms else "no RPM, spec file or repository"
    result.warnings.append(f"{root}: holds {what}: nothing was read from it")
    result.gaps.append(Gap(GapKind.EMPTY_INPUT, f"{root}: holds {what}"))


def _say_config_not_read(path: str, result: LoadResult) -> None:
    """A repository configuration met in a walk (a build environment's ``.repo``, an image's
    ``/etc/yum.repos.d``, a mirror's own ``.repo`` beside its packages) is not read: its
    repositories would be fetched unasked. It is said, and it is no gap: the directory was read
    whole, and a repository its files name is no part of it (`_say_nothing_read` says a
    directory of nothing else read nothing)."""
    what = "a repository configuration in a directory walked, not read"
    result.warnings.append(f"{path}: {what}: name it as an input to read the repositories it configures")


def _read_spec(path: str, options: ReadOptions) -> list[Package]:
    # The spec reader is imported here: its modules (the macro engine, rpm's macro names) take
    # about 20 ms to import, and most runs read no spec file.
    from auditor.sources.specs import read_spec_file

    return read_spec_file(path, defines=dict(options.defines), arches=options.spec_arches or ("x86_64",))
