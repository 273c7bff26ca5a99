"""The ``.repo`` files one package installs in a directory another package's ``reposdir=`` names.

Package A ships ``/etc/dnf/dnf.conf`` with ``reposdir=/opt/r``; package B ships ``/opt/r/x.repo``
with a Citrix ``baseurl``: a host that installs both reads B's file as one of
``/etc/yum.repos.d``, and both read clean, each alone pointing no host anywhere. Each package's
reading kept what its ``.repo`` files outside the default reposdirs would configure aside
(`auditor.sources.payloadconfig.set_aside`), and the directories its main configurations name;
once every package of the run is read, the files in a directory some package names are judged
on the package that installs them, as its own repositories are, the finding saying whose
``reposdir`` makes dnf read the file. A package without such files costs a look at its empty
``installs``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from auditor.origin.classify import ExtraFindings
from auditor.origin.findings import Finding
from auditor.origin.policy import Policy
from auditor.origin.rules import HostRule
from auditor.origin.urls import UrlEvidence, url_readings
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.installed import InstalledKind
from auditor.rpm.model import Package

_ASIDE = frozenset(
    {
        InstalledKind.UNNAMED_REPOSITORY_URL,
        InstalledKind.UNNAMED_DISABLED_REPOSITORY_URL,
        InstalledKind.UNNAMED_GAP,
    }
)


def through_named_reposdirs(
    packages: Sequence[Package], policy: Policy, extra: ExtraFindings | None, gaps: dict[int, list[Gap]]
) -> ExtraFindings | None:
    """``extra`` with the findings of the repositories each package installs in a directory
    another package (or itself) names as a reposdir; the gaps of such files not read or judged
    into ``gaps`` (by package id)."""
    named = named_reposdirs(packages)
    pending = [
        index
        for index, package in enumerate(packages)
        if any(item.kind in _ASIDE for item in package.installs)
    ]
    if not named or not pending:
        return extra
    hosts = [rule for rule in policy.rules if isinstance(rule, HostRule)]
    found: dict[int, list[Finding]] = {index: list(items) for index, items in (extra or {}).items()}
    for index in pending:
        package = packages[index]
        evidence: list[UrlEvidence] = []
        for item in package.installs:
            if item.kind not in _ASIDE:
                continue
            read = read_through(item.where, named)
            if read is None:
                continue  # no reposdir of the run names it: no host reads it as configuration
            path, through = read
            if item.kind is InstalledKind.UNNAMED_GAP:
                gaps.setdefault(index, []).append(Gap(GapKind.PAYLOAD_UNREAD, f"{item.value}{through}"))
                continue
            disabled = item.kind is InstalledKind.UNNAMED_DISABLED_REPOSITORY_URL
            field = f"{path}{through}"
            evidence += [UrlEvidence(field, parsed, disabled, True) for parsed in url_readings(item.value)]
        findings = [finding for rule in hosts for finding in rule.match_urls(evidence)]
        if findings:
            found.setdefault(index, []).extend(findings)
    return found


Named = dict[str, tuple[str, str]]
"""Each directory some package's ``reposdir=`` names: the first package naming it, and where."""


def named_reposdirs(packages: Sequence[Package]) -> Named:
    named: Named = {}
    for package in packages:
        for item in package.installs:  # empty for nearly every package
            if item.kind is InstalledKind.REPOSDIR:
                named.setdefault(item.value, (package.name, item.where))
    return named


def read_through(where: str, named: Named) -> tuple[str, str] | None:
    """Where an item set aside (``where``: the file, a NUL, the rest) is, written out, and the
    words saying whose ``reposdir`` makes dnf read it; None where no reposdir names its
    directory."""
    path, _, rest = where.partition("\0")
    directory = posixpath.dirname(path)
    namer = named.get(directory)
    if namer is None:
        return None
    return f"{path}{rest}", f" (dnf reads it through {namer[0]}'s {namer[1]}={directory})"
