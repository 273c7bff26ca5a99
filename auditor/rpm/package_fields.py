"""Which of a `auditor.rpm.model.Package`'s fields hold what, named as rpm names them: the eight
kinds of dependency (`DependencyKind`, each the name of the field that holds it) and the tags that
hold one URL each (`URL_TAGS`).

Code that walks every dependency of a package, or every URL it names, reads these rather than
spelling the fields out. Apart from the model, which defines the fields, so that it stays under
400 lines: nothing here needs a `Package`, and nothing in the model needs these.
"""

from __future__ import annotations

import enum
import posixpath
import re


class DependencyKind(enum.StrEnum):
    """A kind of dependency, named as rpm and the `Package` field that holds it name it (a
    string enum: ``getattr(package, kind)`` reads that field, reports write the value)."""

    REQUIRES = "requires"
    PROVIDES = "provides"
    CONFLICTS = "conflicts"
    OBSOLETES = "obsoletes"
    RECOMMENDS = "recommends"
    SUGGESTS = "suggests"
    SUPPLEMENTS = "supplements"
    ENHANCES = "enhances"


WEAK_DEPENDENCY_KINDS: tuple[DependencyKind, ...] = (
    DependencyKind.RECOMMENDS,
    DependencyKind.SUGGESTS,
    DependencyKind.SUPPLEMENTS,
    DependencyKind.ENHANCES,
)
"""The kinds that never make an installation fail (rpm's weak dependencies)."""
DEPENDENCY_KINDS: tuple[DependencyKind, ...] = tuple(DependencyKind)
"""Every kind of dependency a `Package` has a field for, in rpm's order: the one list of them."""


URL_TAGS = {
    "url": "URL",
    "bugurl": "BugURL",
    "vcs": "VCS",
    "disturl": "DistURL",
    "translationurl": "TranslationURL",
    "upstreamreleases": "UpstreamReleases",
}
"""The header tags that hold one URL each: the `Package` field, and the tag as rpm spells it."""


def may_name_a_place(capability: str) -> bool:
    """Whether a capability may name a URL or a host (`auditor.origin.urls.package_urls` reads
    only these): a scheme (``gitsha(https://...)``), or parentheses around a path or a git
    address (``golang(github.com/x/y)``, ``gitsha(git@host:org/x.git)``)."""
    return (
        ":/" in capability
        or ":\\" in capability
        or ("(" in capability and ("/" in capability or "@" in capability))
    )


_FEW_SLASHES = re.compile(r"(?i:https?|ftp):/")
"""A special scheme and one slash: curl takes one to three slashes after it for ``//``."""


def location_is_url(location: str) -> bool:
    """Whether a package's ``location`` (`Package.location`) is a URL, not a file of its
    repository: an ``xml:base`` (``createrepo_c --baseurl``) placed the file on a host. librepo
    joins base and href as text and hands the result to curl, which reads ``https:/host/x``
    (one slash) as ``https://host/x``: dnf downloads such a package from ``host`` (checked with
    dnf 4 and curl 7.88), and Python's ``urljoin`` would put it on the repository's own host."""
    return "://" in location or _FEW_SLASHES.match(location) is not None


_DOWNLOAD_URL = re.compile(r"(?i:https?|ftp)://[^\x00-\x20\x7f]+")
"""A ``<location href>`` that is a whole URL dnf downloads: no other scheme (``file:`` names this
host's files), no white space or control character (a line of its own in every report)."""


def package_location(href: str, base: str | None) -> str | None:
    """Where a repository's ``<location href>`` under ``xml:base`` ``base`` puts its package, or
    None where it points outside the repository: an absolute path, a climb with ``..``, a URL of
    another scheme or holding white space. A whole http(s) or ftp URL is where dnf downloads the
    package from (librepo hands it to curl as written, an xml:base beside it or not): read as an
    xml:base there is, by its host; refused, the package, its evidence and what it provides were
    dropped."""
    elsewhere = location_is_url(href)
    # normpath is slow and can only climb out of the repository through a "..".
    climbs = ".." in href and posixpath.normpath(href).startswith("..")
    if (elsewhere and _DOWNLOAD_URL.fullmatch(href) is None) or href.startswith("/") or climbs:
        return None
    return href if elsewhere else f"{base.rstrip('/')}/{href}" if base else href
