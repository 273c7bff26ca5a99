"""Find the URLs a package carries and parse them into what policy rules match on.

Rules match the parsed URL (host, port, path), never a substring of the text: the text
``https://mirror.example/?from=code.citrite.net`` is not on a Citrix host, and
``https://code.citrite.net:443/x`` is.

A URL is read as the programs that fetch it read it (curl for rpmbuild and spectool, the
WHATWG parser of browsers), and where they differ every reading counts: ``%63itrix.com``,
``citrix.com`` in fullwidth letters and ``repo.citrite.net`` with an ideographic full stop
are Citrix hosts, ``https:/host/x`` is on ``host``, ``/a/../xenserver`` is ``/xenserver``,
and a port no fetcher accepts still leaves the host read: the text names that host either way.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from urllib.parse import unquote

from auditor.origin.urlhosts import fold, normalise_host
from auditor.origin.urlpaths import path_matches, remove_dot_segments, without_parameters
from auditor.rpm.installed import InstalledKind
from auditor.rpm.model import Package, PackageKind
from auditor.rpm.package_fields import WEAK_DEPENDENCY_KINDS, location_is_url, may_name_a_place

_SCHEME_URL = re.compile(
    r"""[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+|(?<![A-Za-z0-9+.-])(?i:https?|ftp|wss?):[/\\][^\s"'<>]+"""
)
_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[A-Za-z0-9.-]+\.[A-Za-z]{2,}):(?!//)(?P<path>[^\s]*)$")
_BARE_HOST = re.compile(
    r"^(?P<host>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})(?::(?P<port>\d+))?(?P<path>/\S*)?$"
)
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_SPECIAL_SCHEMES = frozenset({"http", "https", "ftp", "ws", "wss"})
"""WHATWG's special schemes that curl fetches too: after the colon, any number of slashes or
backslashes (none included) leads to the host, and a backslash separates path segments."""
_SPECIAL_START = re.compile(r"\s*(?:https?|ftp|wss?):", re.IGNORECASE)
PLAIN_HOST = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9][A-Za-z0-9.-]*(?:[/?#]|$)")
"""A URL whose host is certainly read (letters, digits, dots and hyphens, then the path): most
of them, told without parsing (`hostless_url`)."""
_NOT_IN_A_NAME = re.compile(r"[^a-z0-9._\-\u0080-\U0010ffff]")
"""What no host name holds (an IDN's letters are its own): ``downloads.citrix.com;x`` is no
host any fetcher reaches, and read as one it matched no rule, a clean Source that names a
Citrix host. No host: the URL is a gap. A host holding ``%`` holds an rpm macro left (or a
bad escape), which has its own gap (`auditor.origin.urlgaps.macro_left`, the spec reader's).
(`normalise_host` has folded the case.)"""
_AUTHORITY_END = re.compile(r"[/?#]")
_SPECIAL_AUTHORITY_END = re.compile(r"[/\\?#]")
_PATH_END = re.compile(r"[?#]")
_PORT = re.compile(r"[0-9]+")
_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")
"""WHATWG drops ASCII tabs and newlines anywhere in a URL before reading it."""


@dataclass(frozen=True, slots=True)
class ParsedUrl:
    text: str
    """The URL as written."""
    scheme: str
    host: str
    """As a fetcher looks it up (`normalise_host`): ``%63itrix.com``, and ``CITRIX.com`` in
    fullwidth letters, are ``citrix.com``. Lower case, no trailing dot."""
    port: int | None
    """None when the URL names none, or one no fetcher accepts (``:99999``, ``:abc``)."""
    path: str
    """Percent-decoded (``%2F`` and ``%2b`` read as ``/`` and ``+``), then dot segments
    removed (RFC 3986 §5.2.4): ``/a/../b`` and ``/a/%2e%2e/b`` are ``/b``."""
    other_paths: tuple[str, ...] = ()
    """Other paths a fetcher or server may take the URL to name. Where dot segments go
    depends on who decodes first: ``/x/%2e%2e/y`` is ``/y`` to a browser but reaches the
    server as ``/x/%2e%2e/y`` from curl, which removes only literal dots."""

    @property
    def paths(self) -> tuple[str, ...]:
        """Every reading of the path, ``path`` first."""
        return (self.path, *self.other_paths)

    def path_under(self, prefix: str) -> bool:
        """Whether some reading of the path is ``prefix`` or below it (`path_matches`)."""
        return any(path_matches(path, prefix) for path in self.paths)


@dataclass(frozen=True, slots=True)
class UrlEvidence:
    field: str
    """Where the URL was found: ``url``, ``source0``, ``patch1``, ``provides``, ``requires``..., or
    the file, section and key of a repository the package installs (`auditor.rpm.installed`)."""
    url: ParsedUrl
    disabled: bool = False
    """Of a repository section the package installs disabled: evidence that does not block."""
    installed: bool = False
    """A URL of a repository the package installs (`auditor.rpm.installed`), not one it was built from."""
    scriptlet: bool = False
    """A URL or host word of one of the package's scriptlets (``field`` names it: ``%post``)."""


def parse_url(text: str) -> ParsedUrl | None:
    """Parse a URL, an ``scp``-style git address (``git@host:org/repo``) or a bare ``host/path``.

    None when no host can be read from it.
    """
    text = text.strip()
    cleaned = text.translate(_TAB_NEWLINE)
    scheme_match = SCHEME.match(cleaned)
    if scheme_match is not None:
        scheme = scheme_match.group(1).lower()
        rest = cleaned[scheme_match.end() :]
        if scheme in _SPECIAL_SCHEMES:
            return _hierarchical(text, scheme, rest.lstrip("/\\"), special=True)
        if rest.startswith("//"):
            return _hierarchical(text, scheme, rest[2:], special=False)
    if "://" in text:
        return None
    if cleaned.startswith("//") and not cleaned.startswith("///"):
        # A network-path reference (RFC 3986 §4.2, ``//host/path``): a URL without its scheme,
        # naming its host as ``host/path`` does.
        return _hierarchical(text, "", cleaned[2:], special=False)
    scp = _SCP_LIKE.match(text)
    if scp:
        return _parsed(text, "ssh", scp.group("host"), None, "/" + scp.group("path"))
    bare = _BARE_HOST.match(text)
    if bare:
        port = _port(bare.group("port") or "")
        return _parsed(text, "", bare.group("host"), port, bare.group("path") or "")
    return None


def url_readings(text: str) -> tuple[ParsedUrl, ...]:
    """Every host and path a fetcher may take ``text`` to name: `parse_url`'s (the WHATWG
    reading), and curl's where it differs. rpmbuild and spectool fetch with curl, for which a
    backslash is no separator: ``https://example.org\\@citrix.com/x`` is on ``citrix.com``
    (``example.org\\`` its user name), where a browser goes to ``example.org``."""
    first = parse_url(text)
    readings = [] if first is None else [first]
    cleaned = text.strip().translate(_TAB_NEWLINE)
    scheme_match = SCHEME.match(cleaned)
    if scheme_match is None:
        return tuple(readings)
    scheme, rest = scheme_match.group(1).lower(), cleaned[scheme_match.end() :]
    slashes = len(rest) - len(rest.lstrip("/"))
    curl = None
    if scheme in _SPECIAL_SCHEMES and "\\" in cleaned:
        curl = _hierarchical(text.strip(), scheme, rest.lstrip("/\\"), special=False)
    elif scheme not in _SPECIAL_SCHEMES and scheme != "file" and slashes in (1, 3):
        # curl takes one to three slashes after any scheme: ``ftps:/host/x`` is on host (urlfuzz59).
        curl = _hierarchical(text.strip(), scheme, rest[slashes:], special=False)
    if curl is not None and (first is None or (curl.host, curl.path) != (first.host, first.path)):
        readings.append(curl)
    return tuple(readings)


def _hierarchical(text: str, scheme: str, rest: str, *, special: bool) -> ParsedUrl | None:
    """``rest``, what follows the scheme and its slashes, read as authority then path."""
    found = (_SPECIAL_AUTHORITY_END if special else _AUTHORITY_END).search(rest)
    authority, after = (rest[: found.start()], rest[found.start() :]) if found else (rest, "")
    hostport = authority.rpartition("@")[2]  # the last @ ends the user name, as WHATWG reads it
    if hostport.startswith("["):
        # An IP literal. A bracket left open, or a name in brackets, is refused by fetchers,
        # but the host is still read: the text names it either way.
        close = hostport.find("]")
        host, tail = (hostport[1:close], hostport[close + 1 :]) if close >= 0 else (hostport[1:], "")
        port = tail[1:] if tail.startswith(":") else ""
        if ":" in host and not _ipv6_literal(host):
            # Neither an address nor a name (``[::ffff:citrix.com]``, ``[citrix.com:443]``): no
            # fetcher reads a host from it, and read as one whole it would match no rule, a clean
            # verdict on a URL that names a policy host. No host: the URL is a gap.
            return None
    else:
        host, _colon, port = hostport.partition(":")
    path = _PATH_END.split(after, 1)[0]
    parsed = _parsed(text, scheme, host, _port(port), path.replace("\\", "/") if special else path)
    if parsed is None or not special or "\\" not in path:
        return parsed
    # requests (urllib3) ends the host at a backslash too, but keeps it in the path's segment:
    # ``https://github.com\\x\\y/../xenserver/x`` is /xenserver/x to it, /x/xenserver/x to a browser.
    kept = unquote(remove_dot_segments(path if path.startswith("/") else "/" + path))
    return parsed if kept in parsed.paths else replace(parsed, other_paths=(*parsed.other_paths, kept))


def _parsed(text: str, scheme: str, host: str, port: int | None, path: str) -> ParsedUrl | None:
    """The parsed URL from its parts as written, or None without a host."""
    host = normalise_host(host)
    if not host or ("%" not in host and _NOT_IN_A_NAME.search(host) and not _ipv6_literal(host)):
        return None
    decoded = remove_dot_segments(unquote(path))
    # Tomcat, Jetty and Spring end a segment's name at ";": "/xenserver/..;/foo" is /foo there,
    # and "/foo/..;/xenserver" is xenserver's (`without_parameters`).
    bare = without_parameters(path)
    if "%" not in path and bare is None:
        return ParsedUrl(text, scheme, host, port, decoded)
    readings = (
        unquote(remove_dot_segments(path, encoded_dots=True)),  # WHATWG: %2e is a dot
        unquote(remove_dot_segments(path)),  # curl removes literal dots only
        *(() if bare is None else (unquote(remove_dot_segments(bare, encoded_dots=True)),)),
    )
    others = tuple(reading for reading in dict.fromkeys(readings) if reading != decoded)
    return ParsedUrl(text, scheme, host, port, decoded, others)


def _ipv6_literal(text: str) -> bool:
    """Whether ``text``, written between brackets, is an IPv6 address (with a zone, ``%25eth0``)."""
    try:
        ipaddress.IPv6Address(unquote(text))
    except ValueError:
        return False
    return True


def _port(text: str) -> int | None:
    """The port ``text`` names, or None: none written, or not a port (``99999``, ``abc``, ``-1``)."""
    if not _PORT.fullmatch(text):
        return None
    digits = text.lstrip("0") or "0"
    # int() of thousands of digits raises; a port has five at most.
    return int(digits) if len(digits) <= 5 and int(digits) <= 65535 else None


_CAPABILITY_ARGUMENT = re.compile(r"\(([^\s()]+)\)")
"""What a capability names in parentheses, innermost: a module by its host and path (Go's
``golang(github.com/xenserver/x)``, ``bundled(golang(...))``, the code a binary carries), or
the Source a ``gitsha(...)`` was made from, written as a Source is (``git@host:org/x.git``,
``//host/x``, ``host:7999/x``). Read as a Source written so (`_word_readings`)."""


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


def _searchable(text: str) -> str:
    """``text`` as the prefilter looks for host names in it: as is when plain ASCII, else
    percent-decoded and mapped as hosts are (`normalise_host`), so that ``%63itrix.com``, and
    ``CITRIX.com`` in fullwidth letters, still contain ``citrix.com``. Each step maps a host inside the text
    as it maps the host alone, so a host the parse reads is still found."""
    if text.isascii() and text.isprintable() and "%" not in text:
        return text
    return fold(unquote(text.translate(_TAB_NEWLINE)))


def may_be_url(value: str) -> bool:
    """Whether a Source or Patch value is read as a URL: ``scheme://``, or a scheme curl
    fetches with fewer slashes (``https:/host/x``)."""
    return "://" in value or _SPECIAL_START.match(value) is not None


def _source_readings(value: str) -> tuple[ParsedUrl, ...]:
    """Where a Source or Patch value says its file comes from. A URL is read as fetchers read
    it. rpm takes any other value for a local file name, but one written as a host and a path
    (``github.com/xenserver/x/archive/1.tar.gz``, ``git@github.com:xenserver/x.git``) still
    says where the file was taken from, and is read so. A bare file name (``foo-1.0.tar.gz``
    also looks like a host) is not."""
    words = value.split()
    if len(words) > 1:
        # rpmbuild fetches a Source by running its URL helper on ``helper TARGET VALUE`` split
        # at spaces (urlGetFile's argvSplit): ``https://a.example/x https://citrix.com/y.tgz``
        # has curl download both URLs, and rpm records ``y.tgz``. Each word is read too, and as
        # curl reads a word with no scheme (`_CURL_SCHEME`).
        every = (item for word in words for item in _word_readings(word, fetched=True))
        readings = (*_word_readings(value), *every)
        return tuple(dict.fromkeys(readings))
    return _word_readings(value)


_CURL_SCHEME = re.compile(r"[A-Za-z0-9+.-]{1,39}:/")
"""What curl 7.88 takes for a scheme (``Curl_is_absolute_url``, guessing): up to 39 of a scheme's
characters, a colon and a slash. Handed any other text, curl fetches ``http://`` and the text."""


def _field_readings(value: str) -> tuple[ParsedUrl, ...]:
    """Where a URL tag's value says the package comes from. rpmbuild takes a single token for
    URL, BugURL and VCS tags, but not for TranslationURL and UpstreamReleases, nor for BugURL
    and DistURL filled from their macros: ``https://a.example/ https://code.citrite.net/x``
    names both hosts, and each word is read too, as a Source's are, and as curl reads it."""
    return _source_readings(value) if len(value.split()) > 1 else _word_readings(value, fetched=True)


def _word_readings(value: str, *, fetched: bool = False) -> tuple[ParsedUrl, ...]:
    """``value`` read as a URL, or as a host and a path; and as curl fetches a text with no scheme
    it knows (`_CURL_SCHEME`), ``http://`` and the text: ``user@code.citrite.net/y.tgz`` is on
    code.citrite.net. ``fetched``: a text curl may be handed whatever it holds (``code.citrite.net``
    too): a word of a Source rpmbuild's URL helper hands it, a URL tag. Each keeps the text."""
    if _CURL_SCHEME.match(value):
        return url_readings(value)
    if may_be_url(value):  # ``https:host/x``, or ``file:x;@host/y?u=http://z``: no scheme to curl
        read = url_readings(value)
    elif fetched or "/" in value or "@" in value:
        read = () if (parsed := parse_url(value)) is None else (parsed,)
    else:
        return ()
    # curl's authority starts at the text's first character (``///host/x`` has none: refused).
    guessed = _hierarchical(value, "http", value, special=False)
    return (*read, *(() if guessed is None else (guessed,)))


def url_fields(package: Package) -> tuple[tuple[str, str | None], ...]:
    """The header fields that hold one URL each, by the field names findings carry: `URL_TAGS`,
    written out as a tuple because it is asked twice of every package (zipped with an
    attrgetter, it took twice as long)."""
    return (
        ("url", package.url),
        ("bugurl", package.bugurl),
        ("vcs", package.vcs),
        ("disturl", package.disturl),
        ("translationurl", package.translationurl),
        ("upstreamreleases", package.upstreamreleases),
    )


def package_urls(
    package: Package, needles: tuple[str, ...] | Callable[[str], bool] | None = None
) -> Iterator[UrlEvidence]:
    """Every URL a package carries: the URL and BugURL tags, where it is downloaded from, Source
    and Patch lines, the repositories it installs, the URLs and hosts of its scriptlets, and URLs
    in capabilities of every kind (a Suggests' ``gitsha(URL)`` too).

    With ``needles`` (lower-case host names, or whether a text contains one of them), a
    text that contains none of them is not parsed at all: a URL can only be on a host whose
    name it contains (once decoded and mapped, `_searchable`), so this skips the work for
    most packages without changing an answer.
    """

    def wanted(text: str) -> bool:
        if needles is None:
            return True
        text = _searchable(text)
        if callable(needles):
            return needles(text)
        lowered = text.lower()
        return any(needle in lowered for needle in needles)

    for field, value in url_fields(package):
        if value and wanted(value):
            for parsed in _field_readings(value):
                yield UrlEvidence(field, parsed)
    location = package.location
    if location_is_url(location) and wanted(location):
        # A location the metadata puts on another host (createrepo_c --baseurl, xml:base) is
        # where dnf downloads the package from.
        for parsed in url_readings(location):
            yield UrlEvidence("location", parsed)
    if package.kind is PackageKind.SOURCE:
        for source in package.sources:
            if not wanted(source.value):
                continue
            number = "" if source.number is None else str(source.number)
            for parsed in _source_readings(source.value):
                yield UrlEvidence(f"{source.kind.value}{number}", parsed)
    for item in package.installs:
        # dnf fetches with librepo, through curl: its reading counts, as for a configuration given.
        if item.kind.is_url and wanted(item.value):
            disabled = item.kind is InstalledKind.DISABLED_REPOSITORY_URL
            yield from (
                UrlEvidence(item.where, parsed, disabled, True) for parsed in url_readings(item.value)
            )
    for where, word in package.scriptlets:
        # rpm runs them as root on every host that installs the package: a host word read as a URL
        # tag is (``updates.xensource.com/x`` is on that host), and as curl reads it.
        if wanted(word):
            yield from (
                UrlEvidence(where, parsed, scriptlet=True) for parsed in _word_readings(word, fetched=True)
            )
    for kind in ("provides", "requires", "recommends", "obsoletes", "conflicts", *WEAK_DEPENDENCY_KINDS[1:]):
        for dep in getattr(package, kind):
            name = dep.name
            if not may_name_a_place(name) or not wanted(name):
                continue
            texts = urls_in_text(name) if ":/" in name or ":\\" in name else []
            for text in texts:
                for parsed in url_readings(text):
                    yield UrlEvidence(kind, parsed)
            for argument in _CAPABILITY_ARGUMENT.finditer(name):
                # A URL read whole above (parentheses of its own included) is not read twice; one it
                # missed (``https:@host/x``, no slash) is read as a Source (urlfuzz59).
                if not any(argument.group(1).startswith(text) for text in texts):
                    yield from (UrlEvidence(kind, parsed) for parsed in _word_readings(argument.group(1)))


def host_matches(host: str, domain: str) -> bool:
    """``host`` is ``domain`` or one of its subdomains."""
    domain = domain.lower().rstrip(".")
    return host == domain or host.endswith("." + domain)
