"""Where a package's file is, as the formats that point at it (SARIF, JUnit, HTML) and the
labels of packages that share a NEVRA (`auditor.audit.labels`) show it.

A package read from a repository names its file relative to the repository; the reports
give the path or URL a reader can open.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence

from auditor.rpm.model import Package
from auditor.rpm.package_fields import location_is_url
from auditor.sources.interface import InputKind, InputSummary


def package_path(package: Package, repositories: Collection[str]) -> str:
    """The package file's path or URL: a repository's relative location joined to it."""
    # posixpath's isabs and join spelled out: they are Python functions, called for each of
    # a distribution's packages.
    location = package.location
    if location_is_url(location) or location.startswith("/"):
        return location
    base = package.input
    if base not in repositories:
        return location
    if "://" in base:
        return base.rstrip("/") + "/" + location
    return base + location if not base or base.endswith("/") else f"{base}/{location}"


def repositories_of(inputs: Sequence[InputSummary]) -> set[str]:
    """What repository packages name as their input: the path given, or, for a path to
    ``repodata/repomd.xml``, the repository directory (as an absolute path)."""
    found: set[str] = set()
    for item in inputs:
        if item.kind not in (InputKind.REPOSITORY, InputKind.SOURCE_REPOSITORY):
            continue
        found.add(item.path)
        if os.path.basename(item.path.rstrip("/")) == "repomd.xml":
            found.add(os.path.dirname(os.path.dirname(os.path.abspath(item.path))))
    return found
