"""A walk that passed a requirement by is no clean installation for a later check to reuse.

``tool`` BuildRequires ``libp`` and ``(libm if libc)``. ``libp``'s one provider, ``p``,
Requires ``(libc or libx)`` and Conflicts with ``libx``: it takes ``cx-c``, Citrix's, so the
build needs Citrix. That taken, ``(libm if libc)`` needs ``libm``: ``m``, which also provides
``libtrig`` and so triggers ``cx-c``'s ``(libx if libtrig)`` (``x``, which ``p`` Conflicts with),
or the proprietary ``prop-m``. libsolv finds no buildroot without the proprietary package
either.

The run's first clean-way check, with every origin package tainted, asked ``tool``'s buildroot:
``libp``'s providers all tainted, its walk passed that requirement by (the per-requirement
answer, ``build-depends``, holds for it) and found nothing else to meet, which it counted as a
clean installation holding ``tool``. The check of the proprietary package alone took that
answer (`auditor.deps.noclean.CleanInstalls`) and did not ask, so ``tool`` did not
``build-depends`` the proprietary package (seed 88 of the hunt's ``buildmix`` shape,
`tests.deps.rpmmd_hunt`). A walk that passes one of the asked package's own requirements by now
witnesses nothing (`auditor.deps.askorder.witnessed`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.deps.built import CITRIX, PROPRIETARY, build_repository
from tests.deps.rpmmd_hunt import Solver
from tests.deps.test_category_clean_way_random import scan_facts

PACKAGES: list[dict[str, Any]] = [
    {"name": "p", "provides": ["libp"], "requires": ["(libc or libx)"], "conflicts": ["libx"]},
    {"name": "x", "provides": ["libx"]},
    {"name": "m", "provides": ["libtrig", "libm = 3"]},
    {"name": "cx-c", "provides": ["libc"], "requires": ["(libx if libtrig)"], **CITRIX},
    {"name": "prop-m", "provides": ["libm = 3"], **PROPRIETARY},
    {"name": "tool", "buildrequires": ["libp", "(libm if libc)"]},
]


def test_the_build_needs_both_categories_as_libsolv_finds(tmp_path: Path) -> None:
    repository = build_repository(PACKAGES, tmp_path / "build")
    libsolv, buildrequires = Solver(repository), PACKAGES[-1]["buildrequires"]  # as dnf builddep asks
    assert libsolv.installs(set(), capabilities=buildrequires)
    for locked in ("cx-c-1.0-1.noarch", "prop-m-1.0-1.noarch"):
        assert not libsolv.installs({locked}, capabilities=buildrequires), locked
    facts = scan_facts(repository, tmp_path / "report.json")
    for nevra in ("tool-1.0-1.src", "tool-1.0-1.noarch"):
        assert {("build-depends", "citrix"), ("build-depends", "proprietary")} <= facts[nevra], nevra
