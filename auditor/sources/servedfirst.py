"""Where dnf downloads a section's packages from when a policy host comes before the URL read.

A section's ``baseurl`` (or the mirrors its metalink or mirrorlist lists) in order: librepo
fetches the metadata, and then each package, from the first of them that answers. The auditor
never contacts a policy host, so it reads the next URL; the packages it reads there are the
ones dnf downloads from the policy host wherever that host answers. Each carries that download
URL as another value of its ``location``, judged as an ``xml:base`` or a download redirect there
is (`auditor.origin.urls.package_urls`): origin, and what needs it ``depends``. Without it, a
baseline accepting the section's config finding let every new package of the repository pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from urllib.parse import urlsplit

from auditor.net.urlpaths import under
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Package, with_fields
from auditor.rpm.package_fields import location_is_url
from auditor.sources.configscope import ReadOnce
from auditor.sources.remote import repository_base
from auditor.sources.repodata import RepositoryRead
from auditor.sources.repofile import RepoSection


class SectionReader(Protocol):
    """What of `auditor.sources.configsection.SectionReader` this reads."""

    where: str
    section: RepoSection
    earlier: ReadOnce | None
    tried_policy: list[tuple[str, str]]


def policy_urls_ahead(tried: Sequence[tuple[str, str]], used: str, one_list: bool) -> list[str]:
    """The policy-host URLs of ``tried`` (key, URL, in the order they were tried) that dnf
    tries before the repository read: those of the list dnf reads (``used``), which the reader
    tried before the URL it read or, when it read another key's, all of them; every one when
    yum 3 reads base URLs and mirrors as one list (``one_list``)."""
    if one_list:
        return [url for _key, url in tried]
    return [url for listed, url in tried if listed == used]


def served_first(packages: Sequence[Package], read_from: str, ahead: Sequence[str]) -> list[Package]:
    """``packages``, read from the repository at ``read_from``, each with the URL it has under
    each repository of ``ahead`` as another ``location``. A package whose location is a URL
    elsewhere (an ``xml:base``, a whole URL) is downloaded from there whatever the base: it is
    left as it is."""
    if not ahead:
        return list(packages)
    bases = [repository_base(url, configured=True) for url in dict.fromkeys(ahead)]
    found = []
    for package in packages:
        relative = _relative(package.location, read_from)
        if relative is None:
            found.append(package)
            continue
        moved = tuple(("location", under(base, relative)) for base in bases)
        found.append(with_fields(package, alternatives=(*package.alternatives, *moved)))
    return found


def _relative(location: str, base: str) -> str | None:
    """``location``'s path inside the repository at ``base``; None when it is elsewhere."""
    if not location_is_url(location):
        return location  # a local repository's href
    # The prefix as `under` wrote the location: a baseurl .../app/../lib/ puts it under /lib/.
    parts, root = urlsplit(location), urlsplit(under(base, ""))
    prefix = root.path.rstrip("/") + "/"
    same = (parts.scheme.lower(), parts.netloc.lower()) == (root.scheme.lower(), root.netloc.lower())
    if not same or not parts.path.startswith(prefix):
        return None
    return parts.path[len(prefix) :]


def carry_served_first(reader: SectionReader, read: RepositoryRead, used: str) -> list[Gap]:
    """``read``'s packages, read by the section of ``reader`` (dnf reads its ``used`` list),
    with where dnf downloads them from first (`served_first`); or, when they are
    the packages an earlier section read and gave already, clean there, the gap of the evidence
    they cannot carry any more."""
    ahead = policy_urls_ahead(reader.tried_policy, used, reader.section.baseurl_first)
    if not ahead:
        return []
    if reader.earlier is None:
        read.packages = served_first(read.packages, read.location, ahead)
        return []
    said = (
        f"{reader.where}: dnf downloads its packages from {ahead[0]} first, unjudged on the "
        f"packages {reader.earlier.where} gave"
    )
    return [Gap(GapKind.REPOSITORY_NOT_READ, said)]
