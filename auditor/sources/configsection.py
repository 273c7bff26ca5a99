"""One enabled section of a repository configuration, read as dnf reads it: the mirrors of its
metalink, else those of its mirrorlist, else its base URLs in order, every URL decided by the
URL policy before it is used (`auditor.sources.repoconfig` reads the file and its sections).

What a section's reading leaves (the repository, or why none could be read, as errors,
warnings and gaps) goes into the configuration's `ConfigRead`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from auditor.core.errors import InputError, ServedElsewhere
from auditor.net.http import strip_userinfo
from auditor.net.remote import Remote
from auditor.net.urlpaths import under
from auditor.net.urlpolicy import UrlDecision, UrlOrigin, as_curl_reads, curl_refuses
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Package
from auditor.runtime.store import Store
from auditor.sources.configscope import ConfigScope, ReadOnce, location_of
from auditor.sources.configvars import expand, substitution_growth, variable_hint
from auditor.sources.interface import ConfigUrl, ReadOptions
from auditor.sources.localrepo import read_local_repository
from auditor.sources.mirrorlists import Listing, metalink, mirrorlist
from auditor.sources.remote import read_remote_repository, repository_base
from auditor.sources.repodata import RepositoryRead
from auditor.sources.repofile import DNF_ORDER, MainReadings, RepoSection
from auditor.sources.servedfirst import carry_served_first


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
    unpaired: list[str] = field(default_factory=list)
    """Disabled source sections not read: no enabled section read is theirs (`sources_of_any`)."""
    shared: list[str] = field(default_factory=list)
    """Sections whose repository an earlier section or input read (`ReadOnce.give_again`):
    read, once, though they gave no package of their own."""
    main: dict[str, str] = field(default_factory=dict)
    """Its own ``[main]`` options (`ParsedConfig.main`)."""
    main_readings: MainReadings = field(default_factory=dict)
    """Those as each reader reads them (`ParsedConfig.main_readings`)."""


class SectionReader:
    """Reads one enabled section: the mirrors of its metalink, else those of its mirrorlist,
    else its base URLs in order, as dnf does; every URL decided by the URL policy before it is used."""

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
        variables: dict[str, str] | None = None,
    ):
        self.options = options
        self.variables = variables or {}
        """The section's variables: librepo substitutes them in each mirror a list names too."""
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
        self.trying, self.tried_policy = "baseurl", list[tuple[str, str]]()  # `servedfirst`
        self.unusable: list[str] = []
        """Mirrorlists and metalinks read that listed no mirror the auditor can use, and why."""
        self.unexpanded: list[tuple[str, str]] = []
        """Each mirror listed that a variable not given is left in, and the variable's name."""
        written = [*section.baseurls, section.mirrorlist or "", section.metalink or ""]
        self.credentialed = [f"its {key}" for key in section.credentials] + [
            f"the user name and password in {strip_userinfo(url)}"
            for url in written
            if strip_userinfo(url) != url
        ]
        """What dnf authenticates with to this section's servers (never sent by the auditor)."""
        self.failed_copies: list[tuple[str, str]] = []
        """The URL and cache kind of each remote file whose reading failed (`_done` forgets them)."""

    def read(self, urls: dict[str, list[str]], origin: UrlOrigin) -> RepositoryRead | None:
        """dnf's order (libdnf's ``lrHandleInitRemote``): the mirrors of the metalink, else of
        the mirrorlist, else the base URLs. dnf uses only the first of them a section sets;
        the others are read here only when it gave nothing (said by `_done`), and are held to
        the metalink's checksums too: a repomd.xml the metalink does not vouch for is never
        what dnf installs from. A section as yum 3 alone reads it is read in yum's order
        (`_read_as_yum`)."""
        if self.section.baseurl_first:
            return self._read_as_yum(urls, origin)
        vouched: Callable[[str, str], None] | None = None
        used = next(key for key in DNF_ORDER if urls.get(key))
        for key in ("metalink", "mirrorlist"):
            listing = next(iter(urls.get(key, ())), None)
            listed = None if listing is None else self._listed(listing, key, origin)
            if listed is None:
                if self.unexpanded:
                    return None
                continue
            mirrors, mirror_origin, checks = listed
            vouched = vouched or checks
            self.trying = key
            for mirror in mirrors:
                read = self._attempt(mirror, mirror_origin, vouched)
                if read is not None:
                    return self._done(read, key, used)
        self.trying = "baseurl"
        for url in urls.get("baseurl", []):
            read = self._attempt(url, origin, vouched)
            if read is not None:
                return self._done(read, "baseurl", used)
        self._give_up()
        return None

    def _read_as_yum(self, urls: dict[str, list[str]], origin: UrlOrigin) -> RepositoryRead | None:
        """yum 3's order (``YumRepository._baseurlSetup``: ``_urls = baseurl + mirrorurls``): its
        base URLs, then the mirrors of its metalink, else of its mirrorlist, one list it fails
        over along (no other reading when a mirror is read after a baseurl), each held to the
        metalink's checksums, as yum checks a repomd.xml against its metalink."""
        key = next((key for key in ("metalink", "mirrorlist") if urls.get(key)), None)
        listed = None if key is None else self._listed(urls[key][0], key, origin)
        if self.unexpanded:
            return None
        mirrors, mirror_origin, vouched = listed or ([], origin, None)
        for url in urls.get("baseurl", []):
            read = self._attempt(url, origin, vouched)
            if read is not None:
                return self._done(read, "baseurl", "baseurl")
        for mirror in mirrors:
            read = self._attempt(mirror, mirror_origin, vouched)
            if read is not None:
                return self._done(read, key or "baseurl", key or "baseurl")
        self._give_up()
        return None

    def _listed(
        self, listing: str, key: str, origin: UrlOrigin
    ) -> tuple[list[str], UrlOrigin, Callable[[str, str], None] | None] | None:
        """The mirrors the ``key`` at ``listing`` names, the origin they come by and its checks
        (`_mirrors`), every URL it names recorded for the policy; None, with the section's input
        error, when a variable not given is left in one of them."""
        # dnf reads a mirrorlist whose URL says "metalink" as a metalink (yum's guess).
        parse = metalink if key == "metalink" or "metalink" in listing else mirrorlist
        mirrors, ignored, mirror_origin, checks = self._mirrors(listing, key, parse, origin)
        # Every URL the list names is configuration the policy judges, one the auditor
        # cannot read (an ftp:// mirror on a Citrix host) included.
        for mirror in (*mirrors, *ignored):
            self.result.config_urls.append(
                ConfigUrl(self.shown, self.section.id, "mirror", mirror, self.section.enabled)
            )
        if self.unexpanded:
            # The host substitutes its own value (librepo, in every mirror listed) and reads
            # that mirror; requested as written, it fails and the next mirror is audited in
            # its place: the same input error as a variable left in the section's own URL.
            mirror, name = self.unexpanded[0]
            said = f"${name} left unexpanded in {mirror}, a mirror its {key} lists"
            self.result.errors.append(InputError(self.where, f"{said} (give {variable_hint(name)})"))
            return None
        return mirrors, mirror_origin, checks

    def _attempt(
        self, url: str, origin: UrlOrigin, vouched: Callable[[str, str], None] | None = None
    ) -> RepositoryRead | None:
        """The repository at ``url``, or None (why is kept); ``vouched`` (a metalink's check of
        its ``repomd.xml``, given the file's path and name) must pass before it is read."""
        refused_by_curl = curl_refuses(url)
        if refused_by_curl is not None:
            self.failures.append(InputError(url, refused_by_curl))
            return None
        decision = self.remote.decide(url, origin)
        if decision.policy_host:
            self.policy_hosts.append(f"{decision.url} ({decision.reason})")
            self.policy_urls.append(decision.url)
            self.tried_policy.append((self.trying, decision.url))
            return None
        if not decision.allowed:
            self.refused.append(InputError(decision.url, decision.reason))
            return None
        if len(self.failures) >= self.remote.options.max_mirrors:
            self.untried.append(decision.url)
            return None
        if decision.local_path is None and "#" in decision.url:
            # librepo appends repodata/repomd.xml after the fragment, which curl never sends:
            # dnf asks for the base itself, gets no repomd.xml, and goes on to the next URL.
            reason = "a fragment (#) in a repository URL: dnf's request for its repomd.xml loses the path"
            self.failures.append(InputError(decision.url, reason))
            return None
        self.location = location_of(decision, configured=True)
        earlier = self.scope.locations.get(self.location)
        try:
            if earlier is not None:
                # Read for another section: the metalink still decides whether this one may use it.
                if vouched is not None:
                    vouched(*self._repomd_read(decision, earlier.repomd_file))
                self.earlier = earlier
                return RepositoryRead(decision.url, None, list(earlier.every))
            if decision.local_path is not None:
                if vouched is not None:
                    vouched(*self._repomd_read(decision, None))
                return read_local_repository(
                    decision.local_path, self.options, self.store, shown=decision.url
                )
            return read_remote_repository(
                decision.url, self.remote, self.options, self.store, vouched, configured=True
            )
        except InputError as exc:
            self._redirected(exc)
            if earlier is None and decision.local_path is None:
                repomd = under(repository_base(decision.url, configured=True), "repodata/repomd.xml")
                self.failed_copies.append((repomd, "repomd"))
            self.failures.append(exc)
            return None

    def _redirected(self, failure: InputError) -> None:
        """A URL of the section whose server redirected it to a policy host is configuration the
        policy judges, as a ``baseurl`` written there is: dnf follows the redirect, and reads the
        repository from that host wherever it can reach it (not only another URL after it)."""
        if isinstance(failure, ServedElsewhere):  # an xml:base placing its metadata there too
            self.result.config_urls.append(
                ConfigUrl(self.shown, self.section.id, failure.key, failure.target, self.section.enabled)
            )

    def _repomd_read(self, decision: UrlDecision, read: str | None) -> tuple[str, str]:
        """Where the ``repomd.xml`` of the repository ``decision`` allows is (on the disk, or the
        copy this run fetched into the cache: ``read``, the one a shared reading read), and its name."""
        if decision.local_path is not None:
            return os.path.join(
                decision.local_path, "repodata", "repomd.xml"
            ), decision.url + "repodata/repomd.xml"
        url = under(repository_base(decision.url, configured=True), "repodata/repomd.xml")
        if read is not None:
            # The copy the shared reading read, whatever the mirror serves now (a sync since):
            # the metalink vouches for the packages audited or for none.
            return read, url
        path = self.remote.cache.by_url("repomd", url)
        if not os.path.isfile(path):
            # The reading shared spelt the URL otherwise (``%70`` for ``p``, ``:80``: one
            # `location_of`), and fetched the file under its own spelling: fetched as spelt here.
            path = self.remote.fetch_by_url(url, "repomd")
        return path, url

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
            substitution_growth([*listing.mirrors, *listing.ignored], self.variables, decision.url)
        except InputError as exc:
            self._redirected(exc)
            if decision.local_path is None:
                self.failed_copies.append((decision.url, key))
            self.failures.append(exc)
            return [], [], origin, None
        if not listing.mirrors:
            self.unusable.append(f"its {key} {decision.url} {listing.why_none()}")
        # librepo substitutes the variables in every URL a mirrorlist or metalink lists
        # (lr_lrmirror_new), as in the .repo file's own: "http://mirror/$basearch/" is a mirror.
        mirrors = []
        for listed in listing.mirrors:
            mirror, left = expand(listed, self.variables)
            mirrors.append(strip_userinfo(as_curl_reads(mirror)))
            if mirrors[-1] != as_curl_reads(mirror):
                self.credentialed.append(f"the user name and password in {mirrors[-1]}, listed by its {key}")
            self.unexpanded.extend((mirrors[-1], name) for name in left)
        ignored = [
            strip_userinfo(as_curl_reads(expand(other, self.variables)[0])) for other in listing.ignored
        ]
        vouched = listing.check_repomd if listing.vouched else None
        return mirrors, ignored, UrlOrigin.listing(decision.url, origin), vouched

    def _done(self, read: RepositoryRead, key: str, used: str) -> RepositoryRead:
        """The repository read (by the section's ``key``), with a warning for each URL refused or
        failed before it; when ``key`` is not the one dnf reads (``used``), a gap too."""
        if key != used:
            # dnf reads only the metalink (else the mirrorlist) a section sets, and fails when it
            # cannot be read: what was audited here is not what dnf installs from once it can.
            self.result.gaps.append(
                Gap(
                    GapKind.REPOSITORY_NOT_READ,
                    f"{self.where}: its {used}, the one dnf reads, could not be read; its {key} "
                    f"{read.location} was audited instead",
                )
            )
        self.result.gaps.extend(carry_served_first(self, read, used))
        for refusal in self.refused:  # a working mirror does not hide what was refused, and why
            self.result.warnings.append(f"{self.where}: {refusal.source} not used: {refusal.reason}")
        if self.credentialed:
            # Not sending them stays right (README "No credentials, ever"), but a server may
            # answer an account with another repository than anyone: what dnf reads was not.
            self.result.gaps.append(
                Gap(
                    GapKind.REPOSITORY_NOT_READ,
                    f"{self.where}: dnf authenticates with {', '.join(self.credentialed)}, never sent "
                    f"here: {read.location} was read anonymously, and may not be what dnf reads",
                )
            )
        if self.refused:
            # dnf reads a URL the auditor refuses (an ftp:// baseurl, one it cannot parse as
            # curl does) ahead of the one read here: the repository it installs from is unseen.
            first = self.refused[0]
            self.result.gaps.append(
                Gap(
                    GapKind.REPOSITORY_NOT_READ,
                    f"{self.where}: {first.source}, which dnf tries before {read.location}, was not "
                    f"read ({first.reason}); {read.location} was audited instead",
                )
            )
        # Nor what failed before it: a mirror may hold other packages than the baseurl, and a
        # verdict that changed because the baseurl was down this time must say so.
        for failure in self.failures:
            said = f"{failure.source} could not be read ({failure.reason})"
            self.result.warnings.append(f"{self.where}: {said}; {read.location} was read instead")
        # The cache's copies of what failed are an earlier run's: --offline would read them
        # (stale, a mirror down since) and audit what this run did not, clean where it blocked.
        # Forgotten, --offline falls through to what this run read, as it did.
        # Never a copy this run read (a URL spelt two ways that failed once, then answered).
        if not self.remote.options.offline:
            read_copies = {read.repomd_file, *(once.repomd_file for once in self.scope.locations.values())}
            for url, kind in self.failed_copies:
                if self.remote.cache.by_url(kind, url) not in read_copies:
                    self.remote.forget(url, kind)
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
            self.result.gaps.append(not_read_gap(self.where, self.policy_urls))
        else:
            # Nothing was even tried: the mirrorlist or metalink listed no mirror to read. dnf
            # refuses such a repository ("Cannot find a valid baseurl"); the user enabled it,
            # so not reading it is as much an input error as a mirror that failed.
            said = "; ".join(self.unusable) or "nothing in it lists a repository URL"
            self.result.errors.append(
                InputError(self.where, f"enabled, but no repository could be read: {said}")
            )


def not_read_gap(where: str, urls: list[str]) -> Gap:
    """An enabled repository that was never contacted: the configuration that names it is a
    finding, but the packages it would install are unseen, and a clean verdict must not
    cover them (``--strict`` fails on it)."""
    return Gap(GapKind.REPOSITORY_NOT_READ, f"{where}: enabled, on a policy host only ({urls[0]})")
