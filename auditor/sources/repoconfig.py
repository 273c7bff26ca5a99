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

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from auditor.core.errors import InputError
from auditor.net.http import strip_userinfo
from auditor.net.remote import Remote
from auditor.net.urlpolicy import UrlDecision, UrlOrigin
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Package
from auditor.runtime.store import Store
from auditor.sources.configscope import ConfigScope, ReadOnce
from auditor.sources.configvars import variable_hint
from auditor.sources.interface import ConfigUrl, ReadOptions
from auditor.sources.localrepo import read_local_repository
from auditor.sources.mirrorlists import Listing, metalink, mirrorlist
from auditor.sources.remote import read_remote_repository, repository_base
from auditor.sources.repodata import RepositoryRead
from auditor.sources.repofile import (
    REPOSITORY_KEYS,
    MainReadings,
    RepoSection,
    expand,
    is_source_section,
    parse_repo_config,
)
from auditor.sources.repofilter import HostsSee, names, package_forms, read_as_hosts_see


@dataclass
class ConfigRead:
    """What one configuration file gave."""

    packages: list[Package]
    errors: list[InputError]
    config_urls: list[ConfigUrl]
    repositories: list[RepositoryRead]
    warnings: list[str]
    gaps: list[Gap] = field(default_factory=list)
    """Enabled repositories not read because every URL of theirs is on a policy host."""
    duplicates: list[str] = field(default_factory=list)
    """Context sections not read because an earlier configuration has their id, as dnf does."""
    main: dict[str, str] = field(default_factory=dict)
    """Its own ``[main]`` options (`ParsedConfig.main`)."""
    main_readings: MainReadings = field(default_factory=dict)
    """Those as each reader reads them (`ParsedConfig.main_readings`)."""


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
    '*-source'`` would: their packages' Source URLs are the evidence of where the binaries
    come from.

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
    variables = config_variables(remote)
    parsed = parse_repo_config(
        text, shown, scope.main, dnf_text=dnf_text, inherited_readings=scope.main_readings
    )
    result.main, result.main_readings = parsed.main, parsed.main_readings
    for section in parsed.sections:
        written_in = (section_files or {}).get(section.id, shown)
        where = f"{written_in} [{section.id}]"
        urls, unexpanded = _record_urls(section, where, written_in, variables, result)
        if _ignored_by_dnf(section.id, where, scope.ids, options, result.warnings):
            result.duplicates.append(where)
            continue
        if not section.enabled and not (options.discover_sources and is_source_section(section.id)):
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
            result.gaps.append(_not_read(where, [item.url for item in candidates]))
            continue
        if unexpanded:
            key, name = unexpanded[0]
            result.errors.append(
                InputError(where, f"${name} left unexpanded in {key} (give {variable_hint(name)})")
            )
            continue
        reader = _SectionReader(section, where, shown, remote, result, options, store, scope)
        read = reader.read(urls, origin)
        if read is not None:
            _keep(read, reader, options, result)
    return result


def config_variables(remote: Remote) -> dict[str, str]:
    """The variables the auditor expands in a configuration: the user's (``--vars-dir``,
    ``--var``), then ``$basearch`` (and ``$arch``) and ``$releasever``, when given."""
    variables = dict(remote.options.variables)
    if remote.options.basearch is not None:
        variables["basearch"] = remote.options.basearch
        variables.setdefault("arch", remote.options.basearch)
    if remote.options.releasever is not None:
        variables["releasever"] = remote.options.releasever
    return variables


def _keep(read: RepositoryRead, reader: _SectionReader, options: ReadOptions, result: ConfigRead) -> None:
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
    every = list(read.packages)
    earlier = reader.earlier  # its `every`, in order, is ``read.packages`` (`_SectionReader`)
    forms = earlier.forms if earlier is not None else None
    if any(one and not one.everything for one in hides.values()) and forms is None:
        forms = package_forms(every)
    shown = earlier.shown_everywhere() if earlier is not None else frozenset()
    seen = read_as_hosts_see(read, hides, reader.where, context=options.context, forms=forms, shown=shown)
    result.warnings.extend(seen.said)
    if earlier is not None:
        earlier.forms = forms
        _give_again(earlier, read, seen, reader.where, result)
        return
    given = {id(p) for p in read.packages}
    modules = next((gap for gap in read.gaps if gap.kind is GapKind.MODULES_NOT_FILTERED), None)
    reader.scope.locations[reader.location] = ReadOnce(
        reader.where, every, given, seen.hidden, modules, forms
    )
    result.repositories.append(read)
    result.packages.extend(read.packages)
    result.errors.extend(read.errors)


def _give_again(
    earlier: ReadOnce, read: RepositoryRead, seen: HostsSee, where: str, result: ConfigRead
) -> None:
    """A section whose repository an earlier section read: the packages it shows that no
    section showed yet (its exclude may hide fewer), from the one reading. A package a reader
    hides is hidden from its hosts only when every section hides it there: the hosts see what
    any section shows. An audited one's hidden packages were all given."""
    fresh = [package for package in read.packages if id(package) not in earlier.given]
    earlier.given.update(id(package) for package in fresh)
    fresh_ids = {id(package) for package in fresh}
    hidden = {}
    for key, (package, readers) in seen.hidden.items():
        if key in fresh_ids:  # no earlier section showed it to any host
            still = readers
        elif key in earlier.hidden:
            still = readers & earlier.hidden[key][1]
        else:  # an earlier section showed it to every host
            continue
        if still:
            hidden[key] = (package, still)
    # What earlier sections left hidden on some hosts and this one shows every host: said, as
    # their warnings said it hidden.
    unhidden = [p for key, (p, readers) in earlier.hidden.items() if len(readers) == 1 and key not in hidden]
    if unhidden:
        result.warnings.append(
            f"{where}: shows to every host {len(unhidden)} package(s) an earlier section naming the "
            f"repository left hidden on some hosts: {names(unhidden)}"
        )
    earlier.hidden = hidden
    result.packages.extend(fresh)
    result.warnings.append(f"{where}: the same repository as {earlier.where} ({read.location}); read once")


def _location(decision: UrlDecision) -> str:
    """Where a URL reads a repository from, whatever its spelling (``a//b/``, ``a/./b``)."""
    if decision.local_path is not None:
        return "file:" + os.path.realpath(decision.local_path)
    parts = urlsplit(decision.url)
    path = posixpath.normpath(parts.path or "/").rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


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
        url = strip_userinfo(expanded)
        if url != expanded:
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


class _SectionReader:
    """Reads one enabled section: its base URLs in order, else the mirrors of its mirrorlist,
    else those of its metalink; every URL decided by the URL policy before it is used."""

    def __init__(
        self,
        section: RepoSection,
        where: str,
        shown: str,
        remote: Remote,
        result: ConfigRead,
        options: ReadOptions,
        store: Store | None,
        scope: ConfigScope,
    ):
        self.options = options
        self.scope = scope
        self.location = ""
        self.earlier: ReadOnce | None = None
        """The reading of an earlier section this one's repository is (`ReadOnce`)."""
        self.store = store
        self.section = section
        self.where = where
        self.shown = shown
        self.remote = remote
        self.result = result
        self.failures: list[InputError] = []
        self.untried: list[str] = []
        """URLs past `RemoteOptions.max_mirrors`: never contacted."""
        self.refused: list[InputError] = []
        """URLs the URL policy refuses (a file: URL from the network...): failures of their own."""
        self.policy_hosts: list[str] = []
        self.policy_urls: list[str] = []
        self.unusable: list[str] = []
        """Mirrorlists and metalinks read that listed no mirror the auditor can use, and why."""

    def read(self, urls: dict[str, list[str]], origin: UrlOrigin) -> RepositoryRead | None:
        for url in urls.get("baseurl", []):
            read = self._attempt(url, origin)
            if read is not None:
                return self._done(read)
        for key, parse in (("mirrorlist", mirrorlist), ("metalink", metalink)):
            listing = next(iter(urls.get(key, ())), None)
            if listing is None:
                continue
            mirrors, ignored, mirror_origin, vouched = self._mirrors(listing, key, parse, origin)
            # Every URL the list names is configuration the policy judges, one the auditor
            # cannot read (an ftp:// mirror on a Citrix host) included.
            for mirror in (*mirrors, *ignored):
                self.result.config_urls.append(
                    ConfigUrl(self.shown, self.section.id, "mirror", mirror, self.section.enabled)
                )
            for mirror in mirrors:
                read = self._attempt(mirror, mirror_origin, vouched)
                if read is not None:
                    return self._done(read)
        self._give_up()
        return None

    def _attempt(
        self, url: str, origin: UrlOrigin, vouched: Callable[[str, str], None] | None = None
    ) -> RepositoryRead | None:
        """The repository at ``url``, or None (why is kept); ``vouched`` (a metalink's check of
        its ``repomd.xml``, given the file's path and name) must pass before it is read."""
        decision = self.remote.decide(url, origin)
        if decision.policy_host:
            self.policy_hosts.append(f"{decision.url} ({decision.reason})")
            self.policy_urls.append(decision.url)
            return None
        if not decision.allowed:
            self.refused.append(InputError(decision.url, decision.reason))
            return None
        if len(self.failures) >= self.remote.options.max_mirrors:
            self.untried.append(decision.url)
            return None
        self.location = _location(decision)
        earlier = self.scope.locations.get(self.location)
        try:
            if earlier is not None:
                # Read for another section: the metalink still decides whether this one may use it.
                if vouched is not None:
                    vouched(*self._repomd_read(decision))
                self.earlier = earlier
                return RepositoryRead(decision.url, None, list(earlier.every))
            if decision.local_path is not None:
                if vouched is not None:
                    vouched(*self._repomd_read(decision))
                return read_local_repository(
                    decision.local_path, self.options, self.store, shown=decision.url
                )
            return read_remote_repository(decision.url, self.remote, self.options, self.store, vouched)
        except InputError as exc:
            self.failures.append(exc)
            return None

    def _repomd_read(self, decision: UrlDecision) -> tuple[str, str]:
        """Where the ``repomd.xml`` of the repository ``decision`` allows is (on the disk, or the
        copy this run fetched into the cache), and its name."""
        if decision.local_path is not None:
            return os.path.join(
                decision.local_path, "repodata", "repomd.xml"
            ), decision.url + "repodata/repomd.xml"
        url = urljoin(repository_base(decision.url), "repodata/repomd.xml")
        return self.remote.cache.by_url("repomd", url), url

    def _mirrors(
        self, url: str, key: str, parse: Callable[[str, str], Listing], origin: UrlOrigin
    ) -> tuple[list[str], list[str], UrlOrigin, Callable[[str, str], None] | None]:
        """The mirrors a mirrorlist or metalink lists, the URLs it lists that cannot be used
        as one, the origin they come by, and the check of a mirror's ``repomd.xml`` against
        the checksums a metalink vouches for (None when it vouches for none)."""
        decision = self.remote.decide(url, origin)
        if decision.policy_host:
            self.policy_hosts.append(f"{decision.url} ({decision.reason})")
            self.policy_urls.append(decision.url)
            return [], [], origin, None
        if not decision.allowed:
            self.refused.append(InputError(decision.url, decision.reason))
            return [], [], origin, None
        try:
            path = decision.local_path or self.remote.fetch_by_url(decision.url, key)
            listing = parse(path, decision.url)
        except InputError as exc:
            self.failures.append(exc)
            return [], [], origin, None
        if not listing.mirrors:
            self.unusable.append(f"its {key} {decision.url} {listing.why_none()}")
        mirrors = [strip_userinfo(mirror) for mirror in listing.mirrors]
        ignored = [strip_userinfo(other) for other in listing.ignored]
        vouched = listing.check_repomd if listing.vouched else None
        return mirrors, ignored, UrlOrigin.listing(decision.url, origin), vouched

    def _done(self, read: RepositoryRead) -> RepositoryRead:
        """The repository read, with a warning for each URL refused or failed before it."""
        for refusal in self.refused:  # a working mirror does not hide what was refused, and why
            self.result.warnings.append(f"{self.where}: {refusal.source} not used: {refusal.reason}")
        # Nor what failed before it: a mirror may hold other packages than the baseurl, and a
        # verdict that changed because the baseurl was down this time must say so.
        for failure in self.failures:
            said = f"{failure.source} could not be read ({failure.reason})"
            self.result.warnings.append(f"{self.where}: {said}; {read.location} was read instead")
        return read

    def _give_up(self) -> None:
        """No URL of the section could be read: an input error naming the last failure; a
        `repository-not-read` gap when every URL was on a policy host (its finding is the
        configuration's); and an input error when its list named no usable mirror at all, as
        dnf refuses such a repository."""
        failures = self.failures + self.refused
        if failures:
            last = failures[-1]
            tried = len(failures) + len(self.policy_hosts)
            more = f" ({tried} URLs tried)" if tried > 1 else ""
            if self.untried:
                more = (
                    f" ({tried} URLs tried; {len(self.untried)} more not tried, from {self.untried[0]}: "
                    f"at most {self.remote.options.max_mirrors} are tried per repository)"
                )
            self.result.errors.append(
                InputError(self.where, f"no repository could be read{more}; last: {last}")
            )
        elif self.policy_hosts:
            self.result.warnings.append(f"{self.where}: not read: {'; '.join(self.policy_hosts)}")
            self.result.gaps.append(_not_read(self.where, self.policy_urls))
        else:
            # Nothing was even tried: the mirrorlist or metalink listed no mirror to read. dnf
            # refuses such a repository ("Cannot find a valid baseurl"); the user enabled it,
            # so not reading it is as much an input error as a mirror that failed.
            said = "; ".join(self.unusable) or "nothing in it lists a repository URL"
            self.result.errors.append(
                InputError(self.where, f"enabled, but no repository could be read: {said}")
            )


def _not_read(where: str, urls: list[str]) -> Gap:
    """An enabled repository that was never contacted: the configuration that names it is a
    finding, but the packages it would install are unseen, and a clean verdict must not
    cover them (``--strict`` fails on it)."""
    return Gap(GapKind.REPOSITORY_NOT_READ, f"{where}: enabled, on a policy host only ({urls[0]})")
