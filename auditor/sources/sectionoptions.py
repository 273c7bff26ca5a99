"""Options of a repository section that say how its repository is read: its ``priority``, and
the credentials dnf (and yum) would authenticate with."""

from __future__ import annotations

import re

from auditor.sources.dnfini import dnf_trimmed

DEFAULT_PRIORITY = 99
"""dnf's ``priority`` of a repository that sets none."""
CREDENTIAL_KEYS = ("username", "password", "sslclientcert", "sslclientkey")
"""The options librepo authenticates to a repository's server with (HTTP authentication, a TLS
client certificate): a server may answer an account otherwise than anyone (a subscription, an
Artifactory, a vendor's customer repository)."""


def priority_of(values: dict[str, str]) -> int:
    """A reading's ``priority`` as libdnf's ``OptionNumber<int>`` reads it (``istringstream >>
    int``): the number the value starts with, past white space, whatever follows (``1.0``,
    ``1 # best``, ``0000000001`` are 1 to dnf, which then installs from the repository before
    any of priority 99); dnf's default when there is none or it overflows an int."""
    text = dnf_trimmed(values.get("priority", ""))
    start = _LEADING_NUMBER.match(text)
    number = int(start.group(1)) if start else DEFAULT_PRIORITY
    return number if -(2**31) <= number < 2**31 else DEFAULT_PRIORITY


_LEADING_NUMBER = re.compile(r"[ \t\n\v\f\r]*([+-]?[0-9]+)", re.ASCII)


def credentials_in(values: dict[str, str]) -> list[str]:
    """The `CREDENTIAL_KEYS` a reading of a section sets to something (an empty one sends
    nothing). The auditor never sends them (README "No credentials, ever"); they only say the
    repository the host reads may not be the one read without them."""
    return [key for key in CREDENTIAL_KEYS if dnf_trimmed(values.get(key, "")).strip()]
