"""The variables one package's files give the repository URLs another package installs.

dnf reads every file of its varsdir (``/etc/yum/vars``, then ``/etc/dnf/vars``: libdnf's
``VARS_DIRS``, a later one's value winning) on the host, whichever package put it there, and a
file there overrides even ``$releasever`` on yum 3 (and on dnf 4.14 where no release package
gives it: checked with dnf in an installroot). Package A ships ``/etc/yum/vars/releasever`` with
``../xenserver``; package B's ``.repo`` has ``baseurl=https://github.com/xcp-ng/$releasever/``:
a host installing both fetches from ``github.com/xenserver/``, and each package read clean, its
URL expanded with its own variables alone. yum 3 reads ``/etc/yum/vars`` alone, so one package
giving a variable two values (one in each directory) points dnf's hosts one way and yum's the
other.

Each package's reading kept its variables' files and the URLs as written that hold a variable
(`auditor.sources.payloadconfig`); once every package of the run is read, each such URL is
expanded again with every value some package of the run gives each of its variables, and
judged on the package installing the URL, the finding naming whose file gives the value. Which
of the values a host ends with depends on what it installs: each is judged. A package without
such URLs costs a look at its empty ``installs``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from auditor.audit.reposdirs import Named, named_reposdirs, read_through
from auditor.origin.classify import ExtraFindings
from auditor.origin.findings import Finding
from auditor.origin.policy import Policy
from auditor.origin.rules import HostRule
from auditor.origin.urls import UrlEvidence, url_readings
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.installed import Installed, InstalledKind
from auditor.rpm.model import Package

MAX_READINGS = 64
"""Readings of one URL judged: the product of its variables' numbers of values. Real runs give a
variable one value, two where the varsdirs disagree; past it, the URL is a gap."""

Giver = tuple[str, str]
"""The package giving a value, and its file's path."""


def through_shared_variables(
    packages: Sequence[Package], policy: Policy, extra: ExtraFindings | None, gaps: dict[int, list[Gap]]
) -> ExtraFindings | None:
    """``extra`` with the findings of each repository URL a package installs as another value
    of one of its variables (some package's of the run, itself included) makes it; a URL with
    too many readings is a gap into ``gaps`` (by package id)."""
    values: dict[str, dict[str, Giver]] = {}  # name, as looked up: value -> who gives it first
    for package in packages:
        for item in package.installs:  # empty for nearly every package
            if item.kind is InstalledKind.VARIABLE:
                name = item.where.rpartition("/")[2].lower()  # looked up lower-cased (`expand`)
                values.setdefault(name, {}).setdefault(item.value, (package.name, item.where))
    if not values:
        return extra
    hosts = [rule for rule in policy.rules if isinstance(rule, HostRule)]
    found: dict[int, list[Finding]] = {index: list(items) for index, items in (extra or {}).items()}
    named = named_reposdirs(packages)
    for index, package in enumerate(packages):
        evidence: list[UrlEvidence] = []
        for url, template in _templates(package.installs, named):
            evidence += _readings(url, template.value, values, index, gaps)
        findings = [finding for rule in hosts for finding in rule.match_urls(evidence)]
        if findings:
            found.setdefault(index, []).extend(findings)
    return found


def _templates(installs: Sequence[Installed], named: Named) -> list[tuple[Installed, Installed]]:
    """Each URL a package installs and the template it was made of (the item after it), with
    those of its ``.repo`` files set aside in a directory some package's reposdir names
    (`auditor.audit.reposdirs`): dnf reads them there with every package's variables too."""
    found: list[tuple[Installed, Installed]] = []
    for url, template in itertools.pairwise(installs):
        if template.kind is not InstalledKind.URL_TEMPLATE:
            continue
        if url.kind.is_url:
            found.append((url, template))
        elif url.kind in _ASIDE_URLS and (read := read_through(url.where, named)) is not None:
            found.append((Installed(_ASIDE_URLS[url.kind], "".join(read), url.value), template))
    return found


_ASIDE_URLS = {
    InstalledKind.UNNAMED_REPOSITORY_URL: InstalledKind.REPOSITORY_URL,
    InstalledKind.UNNAMED_DISABLED_REPOSITORY_URL: InstalledKind.DISABLED_REPOSITORY_URL,
}


def _readings(
    url: Installed, raw: str, values: dict[str, dict[str, Giver]], index: int, gaps: dict[int, list[Gap]]
) -> list[UrlEvidence]:
    """The evidence of each reading of ``raw`` the run's ``values`` make, beside ``url``'s own."""
    # Imported here: only the few packages that install a configuration need them.
    from auditor.net.http import strip_userinfo
    from auditor.net.urlpolicy import as_curl_reads
    from auditor.sources.configvars import VARIABLE, expand

    names = sorted(
        {(found.group("braced") or found.group("bare")).lower() for found in VARIABLE.finditer(raw)}
    )
    given = [(name, values[name]) for name in names if name in values]
    count = 1
    for _name, choices in given:
        count *= len(choices)
    if count > MAX_READINGS:
        detail = (
            f"{url.where}: {raw}: its variables take {count} values in the packages of the run, more than "
            f"{MAX_READINGS} readings: where it leads is unjudged"
        )
        gaps.setdefault(index, []).append(Gap(GapKind.PAYLOAD_UNREAD, detail))
        return []
    disabled = url.kind is InstalledKind.DISABLED_REPOSITORY_URL
    evidence: list[UrlEvidence] = []
    seen = {url.value}
    for chosen in itertools.product(*(choices.items() for _name, choices in given)):
        variables = {name: value for (name, _choices), (value, _giver) in zip(given, chosen, strict=True)}
        reading = strip_userinfo(as_curl_reads(expand(raw, variables)[0]))
        if reading in seen:
            continue
        seen.add(reading)
        said = ", ".join(
            f"${name} as {giver[0]}'s {giver[1]} gives it"
            for (name, _choices), (_value, giver) in zip(given, chosen, strict=True)
        )
        field = f"{url.where} ({said})"
        evidence += [UrlEvidence(field, parsed, disabled, True) for parsed in url_readings(reading)]
    return evidence
