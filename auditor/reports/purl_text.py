"""The text of a purl, written without packageurl's object (`auditor.reports.sbom`'s purls).

packageurl validates and normalizes every part when a purl is made and again when it is
written: a distribution's 60,000 packages, and the source package each binary names, took a
fifth of the time of writing a CycloneDX document. What packageurl writes before the name and
after the version depends only on the type, namespace and qualifiers, of which a distribution
has a few: it is made once each, and the name and version are put in between as packageurl
would put them, the name's ``/`` percent-encoded (`auditor.reports.sbom.RpmPurl`).
"""

from __future__ import annotations

import functools
import re

import packageurl
from packageurl import PackageURL

_AS_IS = re.compile(r"[A-Za-z0-9_.~/-]+")
"""What packageurl's quote (urllib's, ``/`` safe) writes as it is: most names and versions are
only this, and quoting them took half the time of writing a purl."""


def purl_text(
    type_: str, namespace: str | None, name: str, version: str | None, qualifiers: tuple[tuple[str, str], ...]
) -> str:
    """The text of `auditor.reports.sbom.RpmPurl` of these parts (no subpath), or packageurl's
    ValueError for a purl without a name."""
    if not name:
        raise ValueError("Invalid purl: name is a required argument.")
    head, tail = _purl_frame(type_, namespace, qualifiers)
    if version and type_ == "rpm" and _AS_IS.fullmatch(version):
        written: str | None = version  # what packageurl's quote and strip leave as it is
    else:
        written = packageurl.normalize_version(version, type_, encode=True)
    quoted = (name if _AS_IS.fullmatch(name) else packageurl.quote(name)).replace("/", "%2F")
    return f"{head}{quoted}@{written}{tail}" if written else f"{head}{quoted}{tail}"


@functools.lru_cache(maxsize=1024)
def _purl_frame(
    type_: str, namespace: str | None, qualifiers: tuple[tuple[str, str], ...]
) -> tuple[str, str]:
    """packageurl's text of a purl of ``type_``, ``namespace`` and ``qualifiers`` named ``n``,
    without version or subpath, cut around the name: the name is the last segment before the
    qualifiers, whose mark (``?``) a namespace percent-encodes."""
    bare = PackageURL(type_, namespace, "n", None, dict(qualifiers), None, normalize_purl=False)
    text = PackageURL.to_string(bare)
    end = text.find("?")
    end = len(text) if end < 0 else end
    return text[: end - 1], text[end:]
