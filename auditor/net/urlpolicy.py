"""Where a URL may lead: one decision for every route by which a URL reaches a request.

URLs reach the auditor from the command line, from ``.repo`` files on the local disk or
fetched over the network, from mirrorlists and metalinks, from ``xml:base`` in repository
metadata, from redirects and from the URL fields of packages. Each route states where its
URL came from (a `UrlOrigin`) and asks `decide`; nothing is opened or requested without
an allowed `UrlDecision`. The rules:

- **Never a policy host.** A URL on a host the policy names is refused whatever brought
  it (the guard), before any DNS lookup; it is reported instead.
- **http and https only, over the network.** ``file:`` is honoured only where the user's
  own disk named it: the command line, a ``.repo`` file read from the local disk, and a
  mirrorlist or metalink that such a file named as a local file. Anything that arrived
  over the network (a fetched ``.repo`` file, a mirrorlist served over HTTP, metadata, a
  redirect) may only lead to http(s): a remote input must never make the auditor read,
  and report, a local file. Every other scheme (``ftp:``, ``data:``...) is refused.
- **xml:base stays home.** A package location that ``xml:base`` moved to another origin
  (scheme, host and port) than its repository's is not requested (``--remote-headers``):
  metadata must not aim the auditor's requests at another host, such as a service on the
  auditor's own network. A source repository probed beside a remote repository
  (``../Source/``) stays on its origin too. Mirrorlists and metalinks name other hosts by design, so their
  mirrors may be anywhere that is http(s) and not a policy host.

User-info (``user:password@``) is stripped from every URL decided: credentials are
never sent, and the decision's ``url`` is what may be used and shown.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

Guard = Callable[[str], "str | None"]
"""Given a URL, why it must not be contacted (``on a policy host (rule)``), or None."""

NETWORK_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


class Route(enum.Enum):
    """How a URL reached the auditor."""

    COMMAND_LINE = "the command line"
    LOCAL_CONFIG = "a repository configuration file on the local disk"
    REMOTE_CONFIG = "a repository configuration file fetched from"
    LISTING = "a mirrorlist or metalink"
    REPODATA_BASE = "xml:base in the metadata of"
    SIBLING = "the source repository probed beside"
    REDIRECT = "a redirect from"
    PACKAGE_URL = "a package's URL field"
    REQUEST = "a request"
    """The last check before any request, whatever route brought the URL there."""


@dataclass(frozen=True)
class UrlOrigin:
    """Where a URL came from: the route, what it came through, and whether that was a local file."""

    route: Route
    via: str = ""
    """The file, URL or repository the URL was read from ("" for the command line)."""
    local: bool = False
    """A mirrorlist or metalink read from the local disk (only those may name local files)."""

    @classmethod
    def command_line(cls) -> UrlOrigin:
        return cls(Route.COMMAND_LINE)

    @classmethod
    def local_config(cls, path: str) -> UrlOrigin:
        return cls(Route.LOCAL_CONFIG, path)

    @classmethod
    def remote_config(cls, url: str) -> UrlOrigin:
        return cls(Route.REMOTE_CONFIG, url)

    @classmethod
    def listing(cls, url: str, parent: UrlOrigin) -> UrlOrigin:
        """The mirrors of the mirrorlist or metalink at ``url``, which ``parent`` named."""
        local = urlsplit(url).scheme.lower() == "file" and parent.may_name_local_files
        return cls(Route.LISTING, url, local)

    @classmethod
    def repodata_base(cls, repository: str) -> UrlOrigin:
        return cls(Route.REPODATA_BASE, repository)

    @classmethod
    def sibling(cls, repository: str) -> UrlOrigin:
        """A source repository looked for beside ``repository`` (``../Source/``...)."""
        return cls(Route.SIBLING, repository)

    @classmethod
    def redirect(cls, url: str) -> UrlOrigin:
        return cls(Route.REDIRECT, url)

    @classmethod
    def package_url(cls, package: str) -> UrlOrigin:
        return cls(Route.PACKAGE_URL, package)

    @classmethod
    def request(cls) -> UrlOrigin:
        return cls(Route.REQUEST)

    @property
    def may_name_local_files(self) -> bool:
        if self.route is Route.LISTING:
            return self.local
        return self.route in (Route.COMMAND_LINE, Route.LOCAL_CONFIG)

    def describe(self) -> str:
        if self.route is Route.LISTING:
            where = "read from the local disk" if self.local else "served from the network"
            return f"a mirrorlist or metalink {where} ({self.via})"
        if self.route in (Route.REMOTE_CONFIG, Route.REPODATA_BASE, Route.SIBLING, Route.REDIRECT):
            return f"{self.route.value} {self.via}"
        return str(self.route.value)


@dataclass(frozen=True)
class UrlDecision:
    """Whether a URL may be used, and how: ``url`` without user-info; ``local_path`` for an
    allowed ``file:`` URL (read from the disk, never requested)."""

    url: str
    allowed: bool
    reason: str = ""
    """Why it is refused (empty when allowed)."""
    policy_host: bool = False
    """Refused because it is on a host the policy names (its configuration is a finding)."""
    local_path: str | None = None


def decide(url: str, origin: UrlOrigin, guard: Guard | None) -> UrlDecision:
    """May ``url``, which came by ``origin``, be read or requested? (See the module docstring.)"""
    url = strip_userinfo(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return UrlDecision(url, False, "not a valid URL")
    scheme = parts.scheme.lower()
    if scheme == "file":
        if not origin.may_name_local_files:
            return UrlDecision(
                url, False, f"a file: URL from {origin.describe()} is never read (only http and https)"
            )
        if parts.netloc not in ("", "localhost"):
            return UrlDecision(url, False, "a file: URL on another host is never read")
        local_path = unquote(parts.path)
        if "\0" in local_path:  # ``%00``: no file has such a name, and os functions raise on it
            return UrlDecision(url, False, "the name holds a NUL character")
        return UrlDecision(url, True, local_path=local_path)
    if scheme not in NETWORK_SCHEMES:
        return UrlDecision(url, False, "only http and https URLs are fetched")
    if not parts.hostname:
        return UrlDecision(url, False, "no host in the URL")
    if not _encodable_host(parts.hostname):
        return UrlDecision(url, False, "the host is not a valid name (a label empty or over 63 characters)")
    refused = guard(url) if guard is not None else None
    if refused:
        return UrlDecision(url, False, refused, policy_host=True)
    if origin.route in _SAME_SITE and _site(scheme, parts.hostname, port) != _site_of(origin.via):
        what = "xml:base leads" if origin.route is Route.REPODATA_BASE else "a source repository probed is"
        return UrlDecision(
            url, False, f"{what} away from the repository's own host ({origin.via}); not requested"
        )
    return UrlDecision(url, True)


def _encodable_host(host: str) -> bool:
    """Whether ``host`` IDNA-encodes, as the connection will encode it: ``a..b`` or a label of
    64 characters does not, and urllib3 raises its own ``LocationParseError`` from inside the
    request, no ``requests`` failure; refused here, it is one line naming the URL."""
    try:
        host.encode("idna")
    except UnicodeError:
        return False
    return True


_SAME_SITE = frozenset({Route.REPODATA_BASE, Route.SIBLING})
"""Routes whose URLs must stay on the scheme, host and port of the repository they came from."""


def _site(scheme: str, host: str, port: int | None) -> tuple[str, str, int | None]:
    return scheme, host.lower(), port if port is not None else _DEFAULT_PORTS.get(scheme)


def _site_of(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(url)
        return _site(parts.scheme.lower(), parts.hostname or "", parts.port)
    except ValueError:
        return None


_CURL_ABSOLUTE = re.compile(r"(?i)(https?):(?:/|///)(?!/)")


def as_curl_reads(url: str) -> str:
    """``url`` as curl reads it (librepo for dnf, rpmbuild, spectool): ``http:/host/x`` and
    ``http:///host/x``, one or three slashes, are on ``host``, where ``urlsplit`` (and
    ``urljoin``, browsers) see no host or keep the current one. A redirect's Location and a
    section's URL are read so: a ``baseurl=http:///mirror/xs/`` is what dnf installs from."""
    curl = _CURL_ABSOLUTE.match(url)
    return url if curl is None else f"{curl.group(1)}://{url[curl.end() :]}"


_CURL_JUNK = re.compile(r"[\x00-\x20\x7f]")


def curl_refuses(url: str) -> str | None:
    """Why curl (librepo's, for dnf) refuses ``url`` before any request, or None: a space or a
    control character anywhere in it (its URL parser's junk scan). ``urlsplit`` and requests
    drop a tab, CR or LF and keep a space, and read a URL dnf never reads: what the audit saw
    was then not the section's next URL, which is what dnf installs from."""
    junk = _CURL_JUNK.search(url)
    if junk is None:
        return None
    return f"holds {junk.group()!r}, which curl refuses in a URL: dnf goes on to the next"


def strip_userinfo(url: str) -> str:
    """``url`` without ``user:password@``: credentials are never sent anywhere."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def is_http(url: str) -> bool:
    return urlsplit(url).scheme.lower() in NETWORK_SCHEMES
