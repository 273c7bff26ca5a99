"""Find the URLs a package carries and parse them into what policy rules match on.

Rules match the parsed URL (host, port, path), never a substring of the text: the text
``https://mirror.example/?from=code.citrite.net`` is not on a Citrix host, and
``https://code.citrite.net:443/x`` is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from auditor.rpm.model import Package, PackageKind

_SCHEME_URL = re.compile(r"""[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+""")
_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[A-Za-z0-9.-]+\.[A-Za-z]{2,}):(?!//)(?P<path>[^\s]*)$")
_BARE_HOST = re.compile(
    r"^(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})(?::(?P<port>\d+))?(?P<path>/\S*)?$"
)


@dataclass(frozen=True, slots=True)
class ParsedUrl:
    text: str
    """The URL as written."""
    scheme: str
    host: str
    """Lower case, no trailing dot."""
    port: int | None
    path: str
    """Percent-decoded path (``%2F`` and ``%2b`` read as ``/`` and ``+``)."""


@dataclass(frozen=True, slots=True)
class UrlEvidence:
    field: str
    """Where the URL was found: ``url``, ``source0``, ``patch1``, ``provides``, ``requires``..."""
    url: ParsedUrl


def parse_url(text: str) -> ParsedUrl | None:
    """Parse a URL, an ``scp``-style git address (``git@host:org/repo``) or a bare ``host/path``."""
    text = text.strip()
    if "://" in text:
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:
            return None
        host = (parts.hostname or "").rstrip(".").lower()
        if not host:
            return None
        return ParsedUrl(text, parts.scheme.lower(), host, port, unquote(parts.path))
    scp = _SCP_LIKE.match(text)
    if scp:
        return ParsedUrl(text, "ssh", scp.group("host").lower(), None, "/" + unquote(scp.group("path")))
    bare = _BARE_HOST.match(text)
    if bare:
        port = int(bare.group("port")) if bare.group("port") else None
        return ParsedUrl(text, "", bare.group("host").lower(), port, unquote(bare.group("path") or ""))
    return None


def urls_in_text(text: str) -> list[str]:
    """URLs written inside a longer text, such as a ``gitsha(https://…) = sha`` capability."""
    found = []
    for match in _SCHEME_URL.finditer(text):
        url = match.group()
        # A capability wraps the URL in parentheses: drop the closing ones that are not its own.
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1]
        found.append(url.rstrip(".,;"))
    return found


def package_urls(
    package: Package, needles: tuple[str, ...] | re.Pattern[str] | None = None
) -> Iterator[UrlEvidence]:
    """Every URL a package carries: the URL tag, Source and Patch lines, and URLs in capabilities.

    With ``needles`` (lower-case host names, or one case-insensitive pattern of them), a
    text that contains none of them is not parsed at all: a URL can only be on a host whose
    name it contains, so this skips the work for most packages without changing an answer.
    """

    def wanted(text: str) -> bool:
        if needles is None:
            return True
        if isinstance(needles, re.Pattern):
            return needles.search(text) is not None
        lowered = text.lower()
        return any(needle in lowered for needle in needles)

    if package.url and wanted(package.url):
        parsed = parse_url(package.url)
        if parsed is not None:
            yield UrlEvidence("url", parsed)
    if package.kind is PackageKind.SOURCE:
        for source in package.sources:
            if not wanted(source.value):
                continue
            number = "" if source.number is None else str(source.number)
            parsed = parse_url(source.value) if source.is_url or "://" in source.value else None
            if parsed is not None:
                yield UrlEvidence(f"{source.kind.value}{number}", parsed)
    for kind in ("provides", "requires", "recommends", "obsoletes", "conflicts"):
        for dep in getattr(package, kind):
            name = dep.name
            if "://" not in name or not wanted(name):
                continue
            for text in urls_in_text(name):
                parsed = parse_url(text)
                if parsed is not None:
                    yield UrlEvidence(kind, parsed)


def host_matches(host: str, domain: str) -> bool:
    """``host`` is ``domain`` or one of its subdomains."""
    domain = domain.lower().rstrip(".")
    return host == domain or host.endswith("." + domain)


def path_matches(path: str, prefix: str) -> bool:
    """``path`` starts with ``prefix`` at a segment boundary, ignoring case (``/XenServer/x``)."""
    path = "/" + path.lstrip("/").lower()
    prefix = "/" + prefix.strip("/").lower()
    return path == prefix or path.startswith(prefix + "/")
