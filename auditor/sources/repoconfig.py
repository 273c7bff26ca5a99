"""Repository configuration: ``.repo`` files and ``yum.conf``, as a host or a build root has them.

Each section with a ``baseurl``, ``mirrorlist`` or ``metalink`` is a repository. Every
URL it names (and ``gpgkey``, and each mirror a mirrorlist or metalink lists) is
recorded as a `ConfigUrl` whether or not the repository can be read, so the policy can
flag a configuration that points at a vendor host even when that host is unreachable.
An enabled section's repository is then read: the first ``baseurl`` that works, else
the mirrors of its ``mirrorlist``, else those of its ``metalink``, in order. URLs on a
policy host are never contacted, and every URL is decided by the URL policy
(`auditor.net.urlpolicy`): ``file:`` URLs are read only from a configuration file on the
local disk (and a mirrorlist or metalink it names as a local file), never from one that
came over the network. ``$releasever``, ``$basearch`` (and ``$arch``) and the user's variables
(``--vars-dir``, ``--var``) are expanded; a variable left in a URL is an input error for that
section.
"""

from __future__ import annotations

from auditor.core.errors import InputError
from auditor.net.http import strip_userinfo
from auditor.net.remote import Remote
from auditor.net.urlpolicy import UrlOrigin, as_curl_reads
from auditor.rpm.gaps import GapKind
from auditor.runtime.store import Store
from auditor.sources.configscope import ConfigScope, ReadOnce
from auditor.sources.configsection import ConfigRead, SectionReader, not_read_gap
from auditor.sources.configvars import config_variables, expand, variable_hint
from auditor.sources.inputpaths import unread_elsewhere
from auditor.sources.interface import ConfigUrl, ReadOptions
from auditor.sources.repodata import RepositoryRead
from auditor.sources.repofile import (
    REPOSITORY_KEYS,
    RepoSection,
    is_source_section,
    parse_repo_config,
    sources_of_any,
)
from auditor.sources.repofilter import package_forms, read_as_hosts_see


def read_repo_config(
    text: str,
    shown: str,
    remote: Remote,
    origin: UrlOrigin,
    options: ReadOptions | None = None,
    store: Store | None = None,
    scope: ConfigScope | None = None,
    section_files: dict[str, str] | None = None,
    dnf_text: str | None = None,
) -> ConfigRead:
    """Record every URL of every repository section of ``text``; read the enabled ones, and
    the source repositories (``*-source`` sections) even when disabled, as dnf's ``--enablerepo
    '*-source'`` would, when an enabled section of this file or of one read before it is
    theirs (`sources_of_any`): their packages' Source URLs are the evidence of where the
    binaries come from.

    ``origin`` says where the file came from: only one read from the local disk may name
    local files (``file:`` base URLs and mirrorlists), see `auditor.net.urlpolicy`. ``scope``
    holds the repository ids of the configurations read before this one. ``section_files``:
    the sections written in a file ``text`` includes, with that file (`Expanded.section_files`).
    ``dnf_text``: the configuration as written, when ``text`` is it with yum's includes expanded
    (dnf ignores ``include=``: what an included file sets is no option of dnf's).
    """
    options = options or ReadOptions()
    scope = scope or ConfigScope()
    result = ConfigRead([], [], [], [], [])
    variables = config_variables(remote.options)
    parsed = parse_repo_config(
        text,
        shown,
        scope.main,
        dnf_text=dnf_text,
        inherited_readings=scope.main_readings,
        variables=variables,
    )
    result.main, result.main_readings = parsed.main, parsed.main_readings
    scope.binaries.update(s.id for s in parsed.sections if s.enabled and not is_source_section(s.id))
    for section in parsed.sections:
        written_in = (section_files or {}).get(section.id, shown)
        where = f"{written_in} [{section.id}]"
        urls, unexpanded = _record_urls(section, where, written_in, variables, result)
        unexpanded += section.unexpanded
        if _ignored_by_dnf(section.id, where, scope.ids, options, result.warnings):
            result.duplicates.append(where)
            continue
        if not section.enabled:
            if not (options.discover_sources and is_source_section(section.id)):
                continue
            # A disabled source section is read for the binaries of an enabled one (CentOS's
            # base-source with base): those of repositories not read (XCP-ng ships CentOS's and
            # EPEL's disabled) are thousands of source packages no binary of the run comes from.
            if not sources_of_any(section.id, scope.binaries):
                result.unpaired.append(section.id)
                continue
        candidates = [remote.decide(url, origin) for key in REPOSITORY_KEYS for url in urls.get(key, [])]
        if not candidates:  # "baseurl=," and the like: enabled, and nothing to read it from
            result.errors.append(InputError(where, "enabled, but no baseurl, mirrorlist or metalink in it"))
            continue
        if all(decision.policy_host for decision in candidates):
            # Nothing here may be contacted: the config finding says it all, and no
            # variable needs expanding for a request that will not be made.
            shown_refusals = "; ".join(f"{item.url} ({item.reason})" for item in candidates)
            result.warnings.append(f"{where}: not read: {shown_refusals}")
            result.gaps.append(not_read_gap(where, [item.url for item in candidates]))
            continue
        if unexpanded:
            key, name = unexpanded[0]
            # ${name:-word} stays as written in dnf 4.14 whatever name holds: giving it is no cure.
            form = next((url for url in urls.get(key, []) if "${" + name + ":" in url), None)
            hint = f"dnf 4.14 leaves this form as written: {form}" if form else f"give {variable_hint(name)}"
            result.errors.append(InputError(where, f"${name} left unexpanded in {key} ({hint})"))
            continue
        reader = SectionReader(section, where, shown, remote, result, options, store, scope, variables)
        read = reader.read(urls, origin)
        if read is not None:
            _keep(read, reader, options, result)
            if section.enabled:
                scope.record_priorities(section.priorities, where)
    return result


def _keep(read: RepositoryRead, reader: SectionReader, options: ReadOptions, result: ConfigRead) -> None:
    """A section's repository, as the hosts of each reader of its configuration see it: its
    exclude and includepkgs applied (a context repository's packages every reader hides
    dropped, an audited one's kept, and those some reader hides marked in ``scope``), its
    packages given once whatever the sections that name it."""
    hides = reader.section.hides
    for one in dict.fromkeys(hides.values()):  # each reader's, once when they read them alike
        refused = one.refused(len(read.packages), spent=reader.scope.filter_work)
        if refused is not None:  # it cannot be read as dnf sees it
            result.errors.append(InputError(reader.where, refused))
            return
        reader.scope.filter_work += one.work(len(read.packages))
    section = reader.section
    elsewhere = unread_elsewhere(read.metadata)
    result.config_urls += [
        ConfigUrl(reader.shown, section.id, "xml:base", url, section.enabled) for url in elsewhere
    ]
    every = list(read.packages)
    earlier = reader.earlier  # its `every`, in order, is ``read.packages`` (`SectionReader`)
    forms = earlier.forms if earlier is not None else None
    if any(one and not one.everything for one in hides.values()) and forms is None:
        forms = package_forms(every)
    shown = earlier.shown_everywhere() if earlier is not None else frozenset()
    seen = read_as_hosts_see(read, hides, reader.where, context=options.context, forms=forms, shown=shown)
    result.warnings.extend(seen.said)
    if earlier is not None:
        earlier.forms = forms
        fresh, said = earlier.give_again(read.packages, seen.hidden, reader.where, read.location)
        result.packages.extend(fresh)
        result.warnings.extend(said)
        result.shared.append(reader.where)
        return
    given = {id(p) for p in read.packages}
    modules = next((gap for gap in read.gaps if gap.kind is GapKind.MODULES_NOT_FILTERED), None)
    reader.scope.locations[reader.location] = ReadOnce(
        reader.where, every, given, seen.hidden, modules, forms, dict(read.nested), read.repomd_file
    )
    result.repositories.append(read)
    result.packages.extend(read.packages)
    result.errors.extend(read.errors)
    result.warnings.extend(read.warnings)


def _record_urls(
    section: RepoSection, where: str, shown: str, variables: dict[str, str], result: ConfigRead
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Every URL of ``section`` recorded in ``result`` for the policy (credentials left out);
    those dnf would read, by key, and the variables left unexpanded in them."""
    urls: dict[str, list[str]] = {}
    unexpanded: list[tuple[str, str]] = []
    named = [("baseurl", raw) for raw in section.baseurls]
    named += [
        (key, raw) for key, raw in (("mirrorlist", section.mirrorlist), ("metalink", section.metalink)) if raw
    ]
    named += [("gpgkey", raw) for raw in section.gpgkeys]
    entries = [(key, raw, True) for key, raw in named] + [(key, raw, False) for key, raw in section.unread]
    for key, raw, read_by_dnf in entries:
        expanded, left = expand(raw, variables)
        url = strip_userinfo(as_curl_reads(expanded))
        if url != as_curl_reads(expanded):
            result.warnings.append(f"{where}: the user name and password in {key} are never sent")
        result.config_urls.append(ConfigUrl(shown, section.id, key, url, section.enabled))
        if not read_by_dnf:
            continue  # judged by the policy, never read: dnf does not read the key
        urls.setdefault(key, []).append(url)
        if key != "gpgkey":
            unexpanded.extend((key, name) for name in left)
    return urls, unexpanded


def _ignored_by_dnf(
    section: str, where: str, seen: dict[str, str], options: ReadOptions, warnings: list[str]
) -> bool:
    """Whether a context section is one dnf ignores: its id is already another configuration's
    ("Repository X is listed more than once"; the first one read counts). Its packages would be
    alternatives dnf never offers. An audited one is read all the same: it is in the release."""
    first = seen.setdefault(section, where)
    if first == where:
        return False
    said = f"{where}: the repository id {section!r} is already {first}'s, and dnf ignores this section"
    warnings.append(f"{said}; {'so does the auditor' if options.context else 'it is audited all the same'}")
    return options.context
