"""Repository configurations as inputs: a ``.repo`` file or ``yum.conf`` read into a load's
result, and the ``.repo`` files of the directories a main configuration's ``reposdir`` names,
which dnf reads with it."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from auditor.core.errors import InputError
from auditor.core.files import os_reason, read_regular
from auditor.net.remote import Remote
from auditor.net.urlpolicy import UrlOrigin
from auditor.rpm.gaps import Gap, GapKind
from auditor.runtime.store import Store
from auditor.sources.configscope import ConfigScope
from auditor.sources.configsection import ConfigRead
from auditor.sources.configvars import config_variables, substitution_growth
from auditor.sources.dnfini import dnf_repo_file_order
from auditor.sources.inputpaths import is_repo_config_name
from auditor.sources.interface import ConfigUrl, InputKind, InputSummary, LoadResult, ReadOptions
from auditor.sources.repoconfig import read_repo_config
from auditor.sources.repodata import say_if_empty
from auditor.sources.repofile import reposdirs
from auditor.sources.repoinclude import MAX_CONFIG_BYTES, Expanded, config_url, expand_includes


def load_config(
    path: str,
    shown: str,
    remote: Remote | None,
    result: LoadResult,
    origin: UrlOrigin,
    options: ReadOptions,
    store: Store | None,
    scope: ConfigScope,
    *,
    named: bool = True,
) -> None:
    """A .repo file or yum.conf; ``origin`` says where its URLs come from (the local disk, or
    the network, whose configuration may name no local file). ``named``: an input, which is a
    gap when nothing is read from it; a ``.repo`` file of a ``reposdir`` whose sections are all
    disabled is a host's usual state (``/etc/yum.repos.d`` holds several), as dnf reads it."""
    identity = os.path.realpath(path) if origin.may_name_local_files else shown
    if identity in scope.files:  # named, and in a reposdir another configuration names
        result.warnings.append(f"{shown}: already read as a repository configuration; read once")
        return
    scope.files.add(identity)
    data = read_regular(path, shown, "a repository configuration", MAX_CONFIG_BYTES)
    remote = remote or Remote()
    written = data.decode("utf-8", "replace")
    expanded = _expand_includes(written, path, shown, remote, origin, result)
    text = expanded.text  # as yum reads it; dnf reads what is written, ignoring include=
    substitution_growth([written, text], config_variables(remote.options), shown)
    read: ConfigRead = read_repo_config(
        text,
        shown,
        remote,
        origin,
        options,
        store,
        scope,
        section_files=expanded.section_files,
        dnf_text=written,
    )
    result.config_urls.extend(read.config_urls)
    result.warnings.extend(read.warnings)
    for repository in read.repositories:
        say_if_empty(repository, repository.location, result)
        result.inputs.append(
            InputSummary(
                repository.location,
                InputKind.REPOSITORY,
                len(repository.packages),
                repository.revision,
                repository.has_filelists,
            )
        )
    result.packages.extend(read.packages)
    result.errors.extend(read.errors)
    result.gaps.extend(gap for repository in read.repositories for gap in repository.gaps)
    result.gaps.extend(read.gaps)
    result.file_lists.extend(r.file_lists for r in read.repositories if r.file_lists is not None)
    result.inputs.append(InputSummary(shown, InputKind.REPO_CONFIG, len(read.packages)))
    main = read.main
    directories = reposdirs(main)
    if named and "reposdir" not in main and _is_main_configuration(shown, read):
        scope.default_reposdirs.append(Gap(GapKind.EMPTY_INPUT, f"{shown} [main]: {NO_REPOSDIR}"))
    said = bool(read.repositories or read.shared or read.errors or read.gaps or read.duplicates)
    if named and not (said or expanded.not_followed or directories):
        _say_config_read_nothing(shown, read, result, scope)

    def load_file(path: str) -> None:  # a .repo file of a reposdir: read as this file, in its scope
        own = UrlOrigin.local_config(path)
        load_config(path, path, remote, result, own, options, store, scope, named=False)

    outer, scope.main = scope.main, main
    outer_readings, scope.main_readings = scope.main_readings, read.main_readings
    try:
        # dnf globs each directory's *.repo and sorts them all together (`dnf_repo_file_order`).
        found = [
            path for directory in directories for path in _reposdir_files(directory, shown, result, origin)
        ]
        for path in sorted(dict.fromkeys(found), key=dnf_repo_file_order):
            try:
                load_file(path)
            except InputError as exc:
                result.errors.append(exc)
    finally:
        scope.main, scope.main_readings = outer, outer_readings


NO_REPOSDIR = (
    "no reposdir=, so dnf and yum also read the .repo files of the host's /etc/yum.repos.d and "
    "/etc/yum/repos.d (dnf: /etc/distro.repos.d too), and no directory of this machine is read: "
    "name the host's .repo files as inputs, or set reposdir="
)


def _is_main_configuration(shown: str, read: ConfigRead) -> bool:
    """A ``yum.conf``/``dnf.conf`` (by its ``[main]``, or its name), not a ``.repo`` file."""
    name = os.path.basename(shown)
    return not name.lower().endswith(".repo") and bool(read.main_readings or is_repo_config_name(name))


def _expand_includes(
    text: str, path: str, shown: str, remote: Remote, origin: UrlOrigin, result: LoadResult
) -> Expanded:
    """The configuration's text with its ``include=`` lines expanded as yum 3 expands them
    (`auditor.sources.repoinclude`). Each include not followed is a gap: the sections it would
    add are unseen; a remote one's URL is configuration the policy judges (a Citrix host)."""
    local = origin.may_name_local_files
    base = config_url(path, shown, local)
    expanded = expand_includes(text, shown, base, config_variables(remote.options), local=local)
    result.warnings.extend(expanded.warnings)
    for item in expanded.not_followed:
        result.warnings.append(str(item))
        result.gaps.append(Gap(GapKind.EMPTY_INPUT, str(item)))
        if _scheme(item.url) not in ("", "file"):
            result.config_urls.append(ConfigUrl(item.file, item.section, "include", item.url))
    return expanded


def _scheme(url: str) -> str:
    """The scheme of an include's URL; one urllib refuses (``http://[::1``) is still judged
    by the policy as written, as a ``baseurl`` of that shape is."""
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return url.partition(":")[0].lower()


def _reposdir_files(directory: str, shown: str, result: LoadResult, origin: UrlOrigin) -> list[str]:
    """The ``.repo`` files of a directory a main configuration names as its ``reposdir``, as
    dnf's ``glob(*.repo)`` finds them: a name starting with ``.`` is none (``.old.repo`` is
    never read by dnf, and a clean repository only the auditor read was a way around a Citrix
    one). One that cannot be listed here (a configuration fetched over the network names its
    host's directories, never this machine's) is a gap: the repositories dnf would read from
    it are unseen."""
    where = f"{shown} [main] reposdir={directory}"
    try:
        if not origin.may_name_local_files:
            raise InputError(where, "a directory of the host the configuration came from")
        if "\0" in directory:  # os.listdir raises ValueError on it, not OSError
            raise InputError(where, "the name holds a NUL character")
        try:
            names = [name for name in os.listdir(directory) if name.endswith(".repo") and name[0] != "."]
        except NotADirectoryError:  # mock's reposdir=/dev/null: dnf's glob finds nothing there
            return []
        except OSError as exc:
            raise InputError(where, os_reason(exc)) from None
        if not names:
            raise InputError(where, "holds no .repo file")
    except InputError as exc:
        result.warnings.append(f"{where}: not read: {exc.reason}")
        result.gaps.append(Gap(GapKind.EMPTY_INPUT, f"{where}: not read ({exc.reason})"))
        return []
    return [os.path.join(directory, name) for name in names]


def _say_config_read_nothing(shown: str, read: ConfigRead, result: LoadResult, scope: ConfigScope) -> None:
    """A configuration input from which no repository was read, and no error or gap says why:
    it names none (only ``[main]``, or a file not meant for this), or every one it names is
    disabled. Whatever it was meant to make the audit read is unseen, as for a directory that
    holds nothing (`_say_nothing_read`): the audit is incomplete and --strict fails. (Disabled
    sections beside one that is read are a configuration's usual state, and no gap: so is a
    file of them beside another configuration whose enabled sections are read, as
    ``scan /etc/yum.repos.d/*.repo`` names the files a reposdir holds; `ConfigScope.all_disabled`.)"""
    if read.config_urls:
        # dnf reads no repository of [main], of [installed] or of an id it refuses ("Bad id for
        # repo"), none of them disabled: the user is not sent looking for an enabled=0.
        what = (
            "names no enabled repository (every section with a URL is disabled, or one dnf never "
            "reads: [main], [installed], an id dnf refuses)"
        )
        if read.unpaired:
            # Why its source sections were not read either, in the words of the rule.
            what += (
                f"; its source sections ({', '.join(read.unpaired)}) are read only with an enabled "
                "section of their binaries, in it or in a configuration read before it"
            )
    else:
        what = "names no repository (no section with a baseurl, mirrorlist or metalink)"
    result.warnings.append(f"{shown}: {what}: nothing was read from it")
    gap = Gap(GapKind.EMPTY_INPUT, f"{shown}: {what}")
    (scope.all_disabled if read.config_urls else result.gaps).append(gap)
