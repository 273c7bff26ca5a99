"""A file's URL under a repository's base URL, as librepo and curl make it.

Python's ``urljoin`` is not what dnf does: it drops empty path segments (``/a//b/`` and
``/a/b/`` alike), and a base's query. librepo appends the path to the base's (every
trailing ``/`` of the base taken away: dnf 4.14 asks ``/clean//`` for
``/clean/repodata/repomd.xml``) and keeps the base's query after it; curl then removes dot
segments (RFC 3986 5.2.4), no more: ``a//b`` inside the path stays (dnf asks ``/a//b/``
for ``/a//b/repodata/repomd.xml``), and a server that does not merge slashes (S3, GCS, any
key-value store) serves another file there.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def remove_dot_segments(path: str) -> str:
    """``path`` with its ``.`` and ``..`` segments resolved as RFC 3986 5.2.4 does it, step by
    step; empty segments kept."""
    if "." not in path:
        return path
    output: list[str] = []  # segments, each with the "/" before it
    while path:
        if path.startswith(("../", "./")):
            path = path[path.index("/") + 1 :]
        elif path.startswith("/./") or path == "/.":
            path = "/" + path[3:]
        elif path.startswith("/../") or path == "/..":
            path = "/" + path[4:]
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            end = path.find("/", 1)
            end = len(path) if end < 0 else end
            output.append(path[:end])
            path = path[end:]
    return "".join(output)


def under(base: str, relative: str) -> str:
    """The URL of ``relative`` (a path: ``repodata/repomd.xml``, a package's location) under
    the repository at ``base``: the base's path without its trailing ``/``, one ``/``, then
    ``relative``; dot segments removed; the base's query kept after the path, as librepo
    keeps it."""
    parts = urlsplit(base)
    path = remove_dot_segments(parts.path.rstrip("/") + "/" + relative)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
