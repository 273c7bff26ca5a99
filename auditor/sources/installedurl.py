"""One URL of a repository configuration a package installs, as dnf fetches it, and whether the
policy can judge it: a variable no file of the package gives, where it may decide what the
policy's host rules match, leaves it unjudged (a `payload-unread` gap)."""

from __future__ import annotations

import enum
import re

from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.installed import Installed, InstalledKind

VARSDIRS = ("/etc/yum/vars", "/etc/dnf/vars")
"""dnf's default ``varsdir``, in the order it reads them (libdnf's ``VARS_DIRS``: a later one's
value wins). yum 3 reads the first alone: where the two give a variable different values, each
is judged (`auditor.audit.sharedvars`)."""
HOST_VARIABLES = frozenset({"releasever", "basearch", "arch"})
"""Variables every host gives (its release, its architecture): one in a URL's path, where every
distribution's ``.repo`` files have them, cannot take the URL to another host, and is no gap."""


def record_url(
    kind: InstalledKind,
    where: str,
    raw: str,
    variables: dict[str, str],
    installs: list[Installed],
    gaps: list[Gap],
) -> str:
    """One URL as dnf fetches it (``variables`` substituted, read as curl reads it, without
    credentials), kept as `Installed`; a gap for a variable left that may decide its host."""
    # Imported here: only the few packages that install a configuration need them.
    from auditor.net.http import strip_userinfo
    from auditor.net.urlpolicy import as_curl_reads
    from auditor.sources.configvars import VARIABLE, expand

    expanded, left = expand(raw, variables)
    url = strip_userinfo(as_curl_reads(expanded))
    installs.append(Installed(kind, where, url))
    if VARIABLE.search(raw) is not None:  # another package's variables may give it another value
        installs.append(Installed(InstalledKind.URL_TEMPLATE, where, raw))
    # ${name:+word} and ${name:-word}: dnf 4.14 leaves them as written, later ones substitute
    # them (a host's $basearch is always set: ${basearch:+xenserver} is "xenserver" there).
    forms = {found.group("braced") for found in VARIABLE.finditer(raw) if found.group("braced")}
    formed = {name for name in forms if f"${{{name}}}" not in raw}
    # In the host as written or as expanded (a value given may end it sooner), as `url_part` reads it.
    unjudged = [
        name
        for name in left
        if name.lower() not in HOST_VARIABLES
        or name in formed
        or _in_host(raw, name)
        or _in_host(expanded, name)
    ]
    if unjudged:
        why = (
            f"${{{unjudged[0]}...}} reads otherwise in each dnf version"
            if unjudged[0] in formed
            else f"${unjudged[0]} is given by no file the package installs in {' or '.join(VARSDIRS)}"
        )
        gaps.append(Gap(GapKind.PAYLOAD_UNREAD, f"{where}: {url}: {why}: where it leads is unjudged"))
    return url


class UrlPart(enum.Enum):
    HOST = "host"
    """Its scheme, user or host: what a variable there gives decides where the URL leads."""
    PATH = "path"
    QUERY = "query"
    """Its query or fragment, which decide neither its host nor its path."""


_AUTHORITY_END = re.compile(r"[/?#]")


def url_part(url: str, position: int) -> UrlPart:
    """The part of ``url``, as curl reads it (`auditor.net.urlpolicy.as_curl_reads` done), the
    text at ``position`` stands in: its authority ends at the first ``/``, ``?`` or ``#`` after
    ``://`` (``https://citrix.com?x/$v`` has no path, ``$v`` is in its query), and a URL without
    ``://`` has no host but what a variable may give. A WHATWG reader ends the authority at a
    backslash too, within curl's: what is in its host is in curl's. The one reading of the
    reader's gaps (`record_url`) and the policy's (`auditor.audit.urlvariables`)."""
    scheme = url.find("://")
    if scheme < 0:
        return UrlPart.HOST
    end = _AUTHORITY_END.search(url, scheme + 3)
    if end is None or position < end.start():
        return UrlPart.HOST
    query = url.find("?", end.start())
    fragment = url.find("#", end.start())
    after = min(found for found in (query, fragment, len(url)) if found >= 0)
    return UrlPart.PATH if position < after else UrlPart.QUERY


def _in_host(url: str, name: str) -> bool:
    """Whether ``$name`` (or ``${name...}``) stands in the scheme, user or host of ``url``."""
    from auditor.net.urlpolicy import as_curl_reads
    from auditor.sources.configvars import VARIABLE

    read = as_curl_reads(url)
    return any(
        (found.group("braced") or found.group("bare")) == name
        and url_part(read, found.start()) is UrlPart.HOST
        for found in VARIABLE.finditer(read)
    )
