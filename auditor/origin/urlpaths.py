"""The path of a parsed URL (`auditor.origin.urls.ParsedUrl`): its dot segments removed as
fetchers remove them, and whether it lies under a policy rule's path prefix."""

from __future__ import annotations


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
