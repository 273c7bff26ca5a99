"""An origin package that needs what a clean-way round found tainted needs its origin package.

Citrix's ``app`` provides ``api`` and Requires ``core``, which only ``mid`` provides; ``mid``
Requires ``api`` (``app`` or ``api-clean``) and ``gui`` (Citrix's ``cx`` or ``alt``, which
conflicts with ``api``, so with each provider of it). No installation of ``mid`` holds ``alt``:
the clean-way check finds ``mid`` needs ``cx``, and ``app``, which needs ``mid``, needs ``cx``
too: libsolv cannot install it without. ``app`` showed only `may-depend` on Citrix, which does
not block (red team 47, ``orig`` universe 55): the first round found it, but each round's
answer for the origin packages replaced the last one's, and in the next round, ``mid`` tainted
by then, nothing about ``app`` was left to ask. Now every round's answers are kept. libsolv, set up as dnf sets it, is the authority.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.deps.built import CITRIX, Installs, build_repository
from tests.deps.test_category_clean_way_random import scan_facts

PACKAGES: list[dict[str, Any]] = [
    {"name": "app", "provides": ["api"], "requires": ["core"], **CITRIX},
    {"name": "mid", "provides": ["core"], "requires": ["api", "gui"]},
    {"name": "api-clean", "provides": ["api"]},
    {"name": "alt", "provides": ["gui"], "conflicts": ["api"]},
    {"name": "cx", "provides": ["gui"], **CITRIX},
]


def test_an_origin_package_needing_a_ruled_package_needs_its_origin(tmp_path: Path) -> None:
    repository = build_repository(PACKAGES, tmp_path)
    solver = Installs(repository)
    assert solver.installs((), package="app")
    assert not solver.installs(["cx"], package="app")
    assert not solver.installs(["cx"], package="mid")
    facts = scan_facts(repository, tmp_path / "report.json")
    assert facts["mid-1.0-1.noarch"] == {("depends", "citrix")}
    assert facts["app-1.0-1.noarch"] == {("origin", "citrix"), ("depends", "citrix")}
