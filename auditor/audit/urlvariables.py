"""A variable whose value is unknown, left in the part of a repository URL the policy's host
rules match: the URL cannot be judged, a gap.

dnf substitutes ``$releasever``, ``$basearch`` and ``$arch`` on the host, so a package's ``.repo``
file holding one after the host was no gap (`auditor.sources.installedurl`). A host rule with a
path prefix (``github.com/xenserver``) matches the path too: ``https://github.com/$releasever/x/``
leads into that organisation on a host whose release is ``xenserver`` (a variables file of any
package sets it), and read as written it matched nothing, clean. Where the variable stands
before the end of a prefix of some rule for the URL's host (the literal text before it a start
of that prefix), the URL is now a gap; after it, or on a host no prefix names, the variable
decides nothing a rule looks at, and stays no gap. A configuration's ``gpgkey`` (never read,
so no input error as an unexpanded ``baseurl`` is) is held to the same, its host included.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote

from auditor.net.urlpolicy import as_curl_reads
from auditor.origin.policy import Policy
from auditor.origin.rules import HostRule
from auditor.origin.urls import host_matches, parse_url
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Package
from auditor.sources.configvars import VARIABLE
from auditor.sources.installedurl import HOST_VARIABLES, UrlPart, url_part
from auditor.sources.interface import ConfigUrl

Prefixes = Sequence[tuple[str, str]]
"""The (host, path prefix) of every host rule's ``urls``."""


def variable_gaps(
    packages: Sequence[Package], config_urls: Sequence[ConfigUrl], policy: Policy, gaps: dict[int, list[Gap]]
) -> list[Gap]:
    """Into ``gaps`` (by package id), one for each repository URL a package installs whose
    unknown variable may decide what the policy's host rules match; returned, one for each such
    ``gpgkey`` of an enabled section of ``config_urls``."""
    prefixes = [pair for rule in policy.rules if isinstance(rule, HostRule) for pair in rule.urls]
    for index, package in enumerate(packages):
        for item in package.installs:  # empty for nearly every package
            if not item.kind.is_url or "$" not in item.value:
                continue
            # The reader's own gap says those of another name, or in the host (`record_url`).
            said = unjudged(item.value, prefixes, HOST_VARIABLES)
            if said is not None:
                detail = f"{item.where}: {item.value}: {said}"
                gaps.setdefault(index, []).append(Gap(GapKind.PAYLOAD_UNREAD, detail))
    found = []
    for url in config_urls:
        said = unjudged(url.url, prefixes) if url.key == "gpgkey" and url.enabled and "$" in url.url else None
        if said is not None:
            detail = f"{url.file} [{url.section}] gpgkey: {url.url}: {said}"
            found.append(Gap(GapKind.REPOSITORY_NOT_READ, detail))
    return found


def unjudged(url: str, prefixes: Prefixes, names: frozenset[str] | None = None) -> str | None:
    """Why the first variable of ``url`` may decide what a rule of ``prefixes`` matches, or None:
    in its scheme, user or host, or before the end of a path prefix whose start is the literal
    text before it (`url_part` says where it stands: one in its query or fragment decides
    nothing). With ``names``, only a plain ``$name`` or ``${name}`` of those after the host is
    looked at (the reader's gap says the others, `record_url`, reading it with `url_part` too)."""
    url = as_curl_reads(url)
    for match in VARIABLE.finditer(url):
        name = match.group("braced") or match.group("bare")
        before = url[: match.start()]
        part = url_part(url, match.start())
        if part is UrlPart.QUERY:
            continue  # no rule looks at a query or a fragment, nor does a host follow it
        in_host = part is UrlPart.HOST
        plain = match.group(0) in (f"${name}", f"${{{name}}}")
        if names is not None and (name.lower() not in names or not plain or in_host):
            continue
        if in_host:
            return f"${name} stands in its host, whose value is unknown"
        parsed = parse_url(url)
        if parsed is None:
            return None  # a URL without a host: its own gap (`auditor.origin.urlgaps`)
        paths = _literal_paths(before)
        for rule_host, prefix in prefixes:
            wanted = prefix.strip("/").lower()
            if wanted and host_matches(parsed.host, rule_host) and any(map(wanted.startswith, paths)):
                return (
                    f"${name}, whose value is unknown, stands in the part of its path the policy's "
                    f"{rule_host}/{wanted} matches: where it leads is unjudged"
                )
        return None
    return None


_HERE = "\ue000"
"""Where the variable stands, in the text before it: a letter no URL's path holds."""


def _literal_paths(before: str) -> set[str]:
    """The path of the text ``before`` a variable, as the host rules read a URL's path: as
    written, and as `parse_url` reads it (decoded, dot segments removed, the slashes it begins
    with dropped). ``https://github.com//$releasever/`` and ``https://github.com/a/../$releasever/``
    are at the organisation's place, as ``https://github.com/$releasever/`` is: the rule
    matches ``github.com//xenserver`` and ``github.com/a/../xenserver``, and both read clean."""
    found = {unquote(before.partition("://")[2].partition("/")[2]).lower()}
    marked = parse_url(before + _HERE)
    for path in marked.paths if marked is not None else ():
        if path.endswith(_HERE):
            found.add(path[: -len(_HERE)].lstrip("/").lower())
    return found
