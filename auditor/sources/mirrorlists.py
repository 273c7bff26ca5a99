"""Mirrorlists and metalinks: the repository URLs a ``.repo`` section's list names, in order,
and the checksums a metalink vouches for the ``repomd.xml`` its mirrors must serve."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from auditor.core.errors import InputError
from auditor.core.files import open_regular, os_reason, read_regular
from auditor.formats.xmlstream import HTML_PAGE, decompressed_chunks, is_html_page, parse_xml
from auditor.net.http import strip_userinfo
from auditor.net.remote import SMALL_FILE_CEILING
from auditor.net.urlpolicy import curl_refuses

_LISTED_SCHEMES = ("http", "https", "file")
"""Mirrors kept from a mirrorlist or metalink (rsync and ftp ones are not transports here)."""


@dataclass(frozen=True)
class Listing:
    """What a mirrorlist or metalink lists: the mirrors kept, and the URLs it lists that are not."""

    mirrors: tuple[str, ...]
    ignored: tuple[str, ...]
    what: str
    """What a kept URL must be, for the error when none is."""
    vouched: tuple[tuple[str, str], ...] = ()
    """The (algorithm, hex digest) pairs a mirror's ``repomd.xml`` must match one of (a
    metalink's checksum and its alternates'); empty when the list vouches for nothing."""

    def check_repomd(self, path: str, shown: str) -> None:
        """Refuse a mirror's ``repomd.xml`` that matches none of the checksums the metalink
        gives, as librepo refuses it (and tries the next mirror): a stale or hostile mirror's
        metadata is not the repository's."""
        if not self.vouched or _matches(path, self.vouched, shown):
            return
        algorithm, digest = self.vouched[0]
        raise InputError(
            shown,
            f"does not match the {algorithm} checksum its metalink gives ({digest[:16]}…"
            f"{f' or {len(self.vouched) - 1} alternate(s)' if len(self.vouched) > 1 else ''}); a stale"
            " or altered mirror, not used",
        )

    def why_none(self) -> str:
        """Why the list gave no mirror, for the section's input error: it names none, or only
        URLs the auditor does not fetch (the first of them shown)."""
        if not self.ignored:
            return "lists no URL"
        more = f" and {len(self.ignored) - 1} more" if len(self.ignored) > 1 else ""
        return f"lists no {self.what}: {strip_userinfo(self.ignored[0])}{more}"


def _usable(url: str) -> bool:
    """Whether a listed URL can be a mirror: one of the schemes the auditor fetches (http,
    https, file); another is still configuration the policy judges (`configsection.SectionReader.read`)."""
    # The scheme is read from what precedes "//": urlsplit raises ValueError for a host it
    # cannot read (`http://[::1`: exit 4), which the mirror's reading refuses as a baseurl's.
    return urlsplit(url.partition("//")[0]).scheme.lower() in _LISTED_SCHEMES


LIBREPO_LINE = 4095
"""Bytes librepo reads of a mirrorlist at a time (``fgets`` into its 4096-byte ``BUF_LEN``):
the rest of a longer line is read as a line of its own."""

_YUM_MIRROR = re.compile(rb"\w+://\S+\s*$")
"""A line yum 3 takes for a mirror (yum 3.4.3's ``_readMirrorList``; Python 2's ``str`` classes,
as a bytes pattern's); any other line it skips."""


def mirrorlist(path: str, url: str) -> Listing:
    """A mirrorlist: one URL a line, ``#`` comments; only http(s) and file mirrors are kept
    (whether a file mirror may be read is the URL policy's decision).

    Lines are read as librepo reads them for dnf (``lr_mirrorlist_parse_file``): split at new
    lines only, in pieces of `LIBREPO_LINE` bytes, spaces and tabs around a line dropped and
    nothing else, and a line is a URL only when it holds ``://`` (or starts with ``/``, which dnf
    cannot use either). Read with Python's ``splitlines`` and ``strip``, a ``#`` comment holding
    a U+001C or U+2028 hid a clean mirror for the auditor alone, a no-break space before one, or
    a ``file:`` URL without ``//``, made it one dnf skips: that clean mirror was audited, the one
    dnf reads after it not. yum 3 reads the lines whole, and only those that are a URL from
    their first byte: a mirrorlist it reads otherwise than dnf (a line librepo cuts, a URL after
    a space, a CR LF line end) is refused, as one of them would go unaudited."""
    data = read_regular(path, url, "a mirrorlist", SMALL_FILE_CEILING)
    if is_html_page(data[:4096]):
        raise InputError(url, HTML_PAGE)
    listed: list[str] = []
    for raw in data.split(b"\n"):
        whole = raw + b"\n"
        for start in range(0, len(whole), LIBREPO_LINE):
            line = whole[start : start + LIBREPO_LINE].lstrip(b" \t")
            if line and not line.startswith(b"#") and line.rstrip(b" \t\n"):
                listed.append(line.rstrip(b" \t\n").decode("utf-8", "replace"))
    urls = [line for line in listed if "://" in line or line.startswith("/")]
    by_yum = [
        line.rstrip().replace(b"$ARCH", b"$BASEARCH").decode("utf-8", "replace")
        for line in data.split(b"\n")
        if _YUM_MIRROR.match(line)
    ]
    # What each reads from, in order: a URL curl refuses (a space, a CR) is none to dnf.
    dnf = [mirror for mirror in urls if _usable(mirror) and curl_refuses(mirror) is None]
    yum = [mirror for mirror in by_yum if _usable(mirror)]
    if dnf != yum:
        at = next(
            n for n, (one, other) in enumerate(zip([*dnf, ""], [*yum, ""], strict=False)) if one != other
        )
        raise InputError(
            url, f"dnf and yum 3 read its mirrors otherwise (mirror {at + 1}: {_shown(dnf, at)} to dnf,"
            f" {_shown(yum, at)} to yum 3): a mirror one of them reads would go unaudited; refused",
        )  # fmt: skip
    kept = tuple(mirror for mirror in urls if _usable(mirror))
    # A set: looking each line up in the list took hours for a mirrorlist of 600,000 lines.
    ignored = frozenset(listed).difference(kept)
    return Listing(
        kept, tuple(mirror for mirror in listed if mirror in ignored), "http, https or file mirror"
    )


def _shown(mirrors: list[str], index: int) -> str:
    return repr(strip_userinfo(mirrors[index])) if index < len(mirrors) else "none"


_STRENGTH = ("sha512", "sha384", "sha256", "sha224", "sha1", "md5")
"""Checksum types by strength: of each set a metalink gives, librepo checks the strongest it
knows (``lr_best_checksum``). librepo reads the type case-insensitively and ``sha`` as SHA-1:
a metalink giving only ``sha`` vouches for a repomd.xml all the same."""


def _best(hashes: dict[str, str]) -> tuple[str, str] | None:
    for algorithm in _STRENGTH:
        digest = hashes.get(algorithm, "").strip().lower()
        if digest:
            return algorithm, digest
    return None


def _matches(path: str, vouched: tuple[tuple[str, str], ...], shown: str) -> bool:
    try:
        with open_regular(path, shown, "a repomd.xml") as stream:
            data = stream.read(SMALL_FILE_CEILING + 1)
    except OSError as exc:
        raise InputError(shown, os_reason(exc)) from None
    return any(
        hashlib.new(algorithm, data, usedforsecurity=False).hexdigest() == digest
        for algorithm, digest in vouched
    )


_FILE = ("metalink", "files", "file")
_ALTERNATE = (*_FILE, "mm0:alternates", "mm0:alternate")
_READ_IN_FILE = frozenset(
    {
        (*_FILE, "verification"),
        (*_FILE, "verification", "hash"),
        (*_FILE, "mm0:alternates"),
        _ALTERNATE,
        (*_ALTERNATE, "verification"),
        (*_ALTERNATE, "verification", "hash"),
        (*_FILE, "resources"),
        (*_FILE, "resources", "url"),
    }
)
"""The elements of a metalink's ``<file>`` that librepo reads (``metalink.c``: a state table of
the children each element may have, names as written; any other element is skipped with all it
holds), by their path from the root."""
_DEEPEST = max(len(element) for element in _READ_IN_FILE)
"""Elements deeper are none librepo reads: their path is never built (building it at each element
took hours for a metalink nesting 2 million elements)."""


def metalink(path: str, url: str) -> Listing:
    """A metalink's ``<url>`` elements for ``repomd.xml``, as repository URLs, in order, and
    the checksums of ``repomd.xml`` it vouches for: the file's own and each alternate's (an
    older ``repomd.xml`` a mirror not yet synced may still serve), the strongest of each.

    Only what librepo reads counts: the first ``<file name="repomd.xml">`` of ``<files>``, and
    in it the ``<url>`` of its ``<resources>`` and the ``<hash>`` of its ``<verification>`` and
    of its alternates'. A URL or hash anywhere else (another file's, an unknown element's) was
    read too, and a mirror dnf never uses, first in the list, was the one audited."""
    found: list[str] = []
    ignored: list[str] = []
    text: list[str] = []
    open_elements: list[str] = []
    """The elements the parser is inside, outermost first (unknown ones included)."""
    reading = [False]
    """Whether the parser is inside the `<file>` librepo reads."""
    file_seen = [False]
    hash_type = [""]
    hashes: dict[str, str] = {}
    vouched: list[tuple[str, str]] = []
    vouched_once: set[tuple[str, str]] = set()  # looked up in the list: minutes for 100,000 alternates

    def read_here(element: tuple[str, ...] | None) -> bool:
        return reading[0] and element in _READ_IN_FILE

    def element_path() -> tuple[str, ...] | None:
        return tuple(open_elements) if len(open_elements) <= _DEEPEST else None

    def start(name: str, attrs: dict[str, str]) -> None:
        if name.rsplit(":", 1)[-1].lower() == "html":
            raise InputError(url, HTML_PAGE)
        open_elements.append(name)
        element = element_path()
        if element == _FILE:
            # librepo reads the first file named exactly repomd.xml, and skips every other.
            reading[0] = not file_seen[0] and attrs.get("name") == "repomd.xml"
            file_seen[0] = file_seen[0] or reading[0]
        elif not read_here(element):
            return
        text.clear()
        if name == "verification":
            hashes.clear()
        elif name == "hash":
            algorithm = attrs.get("type", "").lower()
            hash_type[0] = "sha1" if algorithm == "sha" else algorithm  # librepo reads "sha" as SHA-1

    def end(name: str) -> None:
        element = element_path()
        open_elements.pop()
        if element == _FILE:
            reading[0] = False
        if not read_here(element):
            return
        if name == "hash":
            hashes[hash_type[0]] = "".join(text)
        elif name == "verification":
            best = _best(hashes)
            if best is not None and best not in vouched_once:
                vouched.append(best)
                vouched_once.add(best)
        elif name == "url":
            value = "".join(text)  # as librepo takes it: white space around it is the URL's too
            if value.endswith("/repodata/repomd.xml") and _usable(value):
                found.append(value[: -len("repodata/repomd.xml")])
            elif value:
                ignored.append(value)

    try:
        with open_regular(path, url, "a metalink") as stream:
            parse_xml(decompressed_chunks(stream, url, SMALL_FILE_CEILING), url, start, end, text.append)
    except OSError as exc:
        raise InputError(url, os_reason(exc)) from None
    return Listing(
        tuple(found), tuple(ignored), "http, https or file URL of a repodata/repomd.xml", tuple(vouched)
    )
