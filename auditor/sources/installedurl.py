"""One URL of a repository configuration a package installs, as dnf fetches it, and whether the
policy can judge it: a variable no file of the package gives, where it may decide what the
policy's host rules match, leaves it unjudged (a `payload-unread` gap)."""

from __future__ import annotations

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
    unjudged = [
        name for name in left if name.lower() not in HOST_VARIABLES or name in formed or _in_host(raw, name)
    ]
    if unjudged:
        why = (
            f"${{{unjudged[0]}...}} reads otherwise in each dnf version"
            if unjudged[0] in formed
            else f"${unjudged[0]} is given by no file the package installs in {' or '.join(VARSDIRS)}"
        )
        gaps.append(Gap(GapKind.PAYLOAD_UNREAD, f"{where}: {url}: {why}: where it leads is unjudged"))
    return url


def _in_host(url: str, name: str) -> bool:
    """Whether ``$name`` stands before the URL's path: in its scheme, user or host."""
    after_scheme = url.partition("://")[2] or url
    authority = re.split(r"[/?#]", after_scheme, maxsplit=1)[0]
    return f"${name}" in authority or f"${{{name}" in authority or "://" not in url
