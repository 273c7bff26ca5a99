"""Mirrorlists and metalinks: the repository URLs a ``.repo`` section's list names, in order."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from auditor.core.errors import InputError
from auditor.core.files import open_regular, os_reason, read_regular
from auditor.formats.xmlstream import decompressed_chunks, parse_xml
from auditor.net.http import strip_userinfo
from auditor.net.remote import SMALL_FILE_CEILING

_LISTED_SCHEMES = ("http", "https", "file")
"""Mirrors kept from a mirrorlist or metalink (rsync and ftp ones are not transports here)."""


@dataclass(frozen=True)
class Listing:
    """What a mirrorlist or metalink lists: the mirrors kept, and the URLs it lists that are not."""

    mirrors: tuple[str, ...]
    ignored: tuple[str, ...]
    what: str
    """What a kept URL must be, for the error when none is."""

    def why_none(self) -> str:
        """Why the list gave no mirror, for the section's input error: it names none, or only
        URLs the auditor does not fetch (the first of them shown)."""
        if not self.ignored:
            return "lists no URL"
        more = f" and {len(self.ignored) - 1} more" if len(self.ignored) > 1 else ""
        return f"lists no {self.what}: {strip_userinfo(self.ignored[0])}{more}"


def _usable(url: str) -> bool:
    """Whether a listed URL can be a mirror: one of the schemes the auditor fetches (http,
    https, file); another is still configuration the policy judges (`_SectionReader.read`)."""
    return urlsplit(url).scheme.lower() in _LISTED_SCHEMES


def mirrorlist(path: str, url: str) -> Listing:
    """A mirrorlist: one URL a line, ``#`` comments; only http(s) and file mirrors are kept
    (whether a file mirror may be read is the URL policy's decision)."""
    text = read_regular(path, url, "a mirrorlist", SMALL_FILE_CEILING).decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines() if not line.lstrip().startswith("#")]
    listed = [line for line in lines if line]
    return Listing(
        tuple(mirror for mirror in listed if _usable(mirror)),
        tuple(mirror for mirror in listed if not _usable(mirror)),
        "http, https or file mirror",
    )


def metalink(path: str, url: str) -> Listing:
    """A metalink's ``<url>`` elements for ``repomd.xml``, as repository URLs, in order."""
    found: list[str] = []
    ignored: list[str] = []
    text: list[str] = []

    def start(name: str, _attrs: dict[str, str]) -> None:
        text.clear()

    def end(name: str) -> None:
        if name.rsplit(":", 1)[-1] == "url":
            value = "".join(text).strip()
            if value.endswith("/repodata/repomd.xml") and _usable(value):
                found.append(value[: -len("repodata/repomd.xml")])
            elif value:
                ignored.append(value)

    try:
        with open_regular(path, url, "a metalink") as stream:
            parse_xml(decompressed_chunks(stream, url, SMALL_FILE_CEILING), url, start, end, text.append)
    except OSError as exc:
        raise InputError(url, os_reason(exc)) from None
    return Listing(tuple(found), tuple(ignored), "http, https or file URL of a repodata/repomd.xml")
