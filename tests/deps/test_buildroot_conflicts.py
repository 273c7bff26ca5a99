"""A provider that conflicts with a package a source package's build surely needs is no way
around a Citrix one (red team rt6).

``dnf builddep`` installs every BuildRequires into one buildroot. ``app-x`` BuildRequires ``b``
(the Citrix ``cx-b`` or a clean provider) and ``pal`` (one provider): when the clean provider of
``b`` conflicts with ``pal`` (either way round), only ``cx-b`` can share the buildroot, so the
build needs Citrix: ``build-depends``, as libsolv (the ``solv`` wheel, as dnf sets it up) finds
with ``cx-b`` locked out. Where ``pal`` has two providers, or nothing conflicts, the clean
provider stays a way around: the source package is ``may-depend`` (its buildroot may take
either), as for a binary's Requires (tests/deps/test_needed_conflicts.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deps.built import CITRIX, audit, build_repository, libsolv_installs, verdicts

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-b", "provides": ["b"], **CITRIX},
    {"name": "clean-b", "provides": ["b"], "conflicts": ["pal"]},
    {"name": "pal"},
    {"name": "app-one", "buildrequires": ["b", "pal"]},  # clean-b conflicts with pal
    {"name": "cx-c", "provides": ["c"], **CITRIX},
    {"name": "clean-c", "provides": ["c"]},
    {"name": "pal-c", "conflicts": ["clean-c"]},
    {"name": "app-other", "buildrequires": ["c", "pal-c"]},  # pal-c conflicts with clean-c
    {"name": "pal-two", "provides": ["pal-d"], "conflicts": ["clean-b"]},
    {"name": "pal-too", "provides": ["pal-d"]},
    {"name": "app-either", "buildrequires": ["b", "pal-d"]},  # pal-too leaves clean-b a way
    {"name": "app-plain", "buildrequires": ["c"]},
]
BUILDS = {package["name"]: package["buildrequires"] for package in PACKAGES if "buildrequires" in package}


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("buildroot"))


@pytest.mark.parametrize(
    ("source", "verdict"),
    [("app-one", "build-depends"), ("app-other", "build-depends"), ("app-either", "may-depend"),
     ("app-plain", "may-depend")],
)  # fmt: skip
def test_a_provider_apart_from_what_the_build_surely_needs_is_no_way_around(
    repository: Path, source: str, verdict: str
) -> None:
    assert verdicts(audit(repository))[f"{source}-1.0-1.src"] == verdict
    assert libsolv_installs(repository, "", also=BUILDS[source]) is not None
    locked = libsolv_installs(repository, "", also=BUILDS[source], locked=["cx-b", "cx-c"])
    assert (locked is None) == (verdict == "build-depends")
