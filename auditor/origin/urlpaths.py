"""The path of a parsed URL (`auditor.origin.urls.ParsedUrl`): its dot segments removed as
fetchers remove them, and whether it lies under a policy rule's path prefix."""

from __future__ import annotations

import re
from urllib.parse import unquote


def remove_dot_segments(path: str, *, encoded_dots: bool = False) -> str:
    """``path`` without its ``.`` and ``..`` segments (RFC 3986 §5.2.4); with ``encoded_dots``,
    ``%2e`` counts as a dot, as WHATWG reads it."""
    if not path.startswith("/") or ("." not in path and not encoded_dots):
        return path
    kept: list[str] = []
    dot = False
    for segment in path.split("/")[1:]:
        name = segment.lower().replace("%2e", ".") if encoded_dots else segment
        dot = name in (".", "..")
        if name == "..":
            if kept:
                kept.pop()
        elif not dot:
            kept.append(segment)
    # A final dot segment leaves its directory: /a/b/.. is /a/, not /a.
    return "/" + "/".join(kept) + ("/" if dot and kept else "")


def path_matches(path: str, prefix: str) -> bool:
    """``path`` starts with ``prefix`` at a segment boundary, ignoring case (``/XenServer/x``)."""
    path = "/" + path.lstrip("/").lower()
    prefix = "/" + prefix.strip("/").lower()
    # A bare host (``urls = ["example.org"]``) is its root: every path is under it.
    return prefix == "/" or path == prefix or path.startswith(prefix + "/")


_URL_START = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[/\\]*")
"""A URL's scheme and the slashes (or backslashes) before its authority (`fetched_readings`)."""


def fetched_readings(text: str) -> tuple[str, ...]:
    """``text``, a URL, with its path as a fetcher reads it, where that differs from the text:
    dot segments removed (curl removes literal ones before it asks; a browser or server reads
    ``%2e`` as a dot and ``\\`` as a slash, and a server that decodes first ``%2f`` as a slash);
    empty for a URL whose path reads as written.
    ``…/lvm2/../../secret/x.tgz`` is ``…/secret/x.tgz``: a glob naming ``lvm2/*`` names the
    text, not the file fetched."""
    start = _URL_START.match(text)
    if start is None:
        return ()
    ends = [at for mark in "/\\?#" if (at := text.find(mark, start.end())) != -1]
    path_start = min(ends, default=len(text))
    if path_start == len(text) or text[path_start] in "?#":
        return ()
    path_end = min((at for mark in "?#" if (at := text.find(mark, path_start)) != -1), default=len(text))
    as_written = text[path_start:path_end]
    path = as_written.replace("\\", "/")
    readings = {remove_dot_segments(path), remove_dot_segments(path, encoded_dots=True)}
    if "\\" in as_written:
        # curl and requests keep a backslash inside its segment: ``lvm2/x\\y/../..`` leaves lvm2.
        readings.add(remove_dot_segments(as_written if as_written.startswith("/") else "/" + as_written))
    # A server that decodes before it resolves (nginx) reads %2f as a slash too: that reading
    # counts where decoding makes dot segments, not for every escape a glob may spell.
    decoded = unquote(path).replace("\\", "/")
    if (resolved := remove_dot_segments(decoded)) != decoded:
        readings.add(resolved)
    # A server that ends a segment's name at ";" (its parameters: Tomcat, Jetty, Spring) reads
    # "..;x" as "..": that reading counts where a parameter hides a dot segment (redteam58).
    for written in {path, decoded}:
        if (bare := without_parameters(written)) is not None:
            readings.add(remove_dot_segments(bare, encoded_dots=True))
    found = (text[:path_start] + reading + text[path_end:] for reading in sorted(readings))
    return tuple(reading for reading in found if reading != text)


def host_part(url: str) -> str | None:
    """``url``'s scheme, ``://`` and authority, to the first ``/``, ``\\``, ``?`` or ``#`` after
    them (`glob_host_part` of the value); None when it holds no ``://``."""
    start = url.find("://")
    if start < 0:
        return None
    ends = [at for mark in "/\\?#" if (at := url.find(mark, start + 3)) != -1]
    return url[: min(ends, default=len(url))]


def glob_host_part(pattern: str) -> str | None:
    """What a URL glob (an allow's ``values``) names before its path: to its first ``/`` after
    ``://`` (a ``?`` there is the glob's wildcard); None when it has no such ``/``, and so
    marks no end of a host."""
    start = pattern.find("://")
    end = pattern.find("/", start + 3) if start >= 0 else -1
    return pattern[:end] if end >= 0 else None


def without_parameters(path: str) -> str | None:
    """``path`` with each segment's ``;`` parameters cut, where that makes a dot segment of one
    that was none (``..;/``, ``%2e%2e;x/``); None where it makes none."""
    if ";" not in path:
        return None
    segments = path.split("/")
    bare = [segment.split(";", 1)[0] for segment in segments]
    hidden = any(
        cut != segment and cut.lower().replace("%2e", ".") in (".", "..")
        for cut, segment in zip(bare, segments, strict=True)
    )
    return "/".join(bare) if hidden else None
