"""An origin package whose clean way is ruled out needs the origin package it is left with.

The clean-way check asks no tainted package, and an origin package is one: ``app``, Citrix's,
requiring ``lib`` (a tainted provider, or ``alt``, which requires what conflicts with ``app``)
showed no need of the tainted provider at all, where libsolv cannot install ``app`` without it
(tests/gate/test_origin_package_needs.py, for the gate). Now each origin package is asked too,
itself allowed (`auditor.deps.originneeds`): the facts say which other origin package it needs,
of which category, and a package that needs only the origin package itself is none.
libsolv, set up as dnf sets it, is the authority.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deps.built import CITRIX, PROPRIETARY, Installs, build_repository
from tests.deps.test_category_clean_way_random import scan_facts

RULED_OUT: list[dict[str, Any]] = [
    {"name": "alt", "provides": ["lib"], "requires": ["x"]},
    {"name": "xprov", "provides": ["x"], "conflicts": ["app"]},
]
CASES: dict[str, tuple[list[dict[str, Any]], set[tuple[str, str | None]], list[str]]] = {
    # Citrix's app needs the proprietary blob: its facts say both.
    "other-category": (
        [
            {"name": "blob", "provides": ["lib"], **PROPRIETARY},
            {"name": "app", "requires": ["lib"], **CITRIX},
        ],
        {("origin", "citrix"), ("depends", "proprietary")},
        ["blob"],
    ),
    # Citrix's app needs Citrix's cx: a need of another package of its own category.
    "same-category": (
        [{"name": "cx", "provides": ["lib"], **CITRIX}, {"name": "app", "requires": ["lib"], **CITRIX}],
        {("origin", "citrix"), ("depends", "citrix")},
        ["cx"],
    ),
    # The tainted provider left needs only app itself: app needs no other origin package.
    "back-to-itself": (
        [
            {"name": "mid", "provides": ["lib"], "requires": ["app"]},
            {"name": "app", "requires": ["lib"], **CITRIX},
        ],
        {("origin", "citrix")},
        [],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_origin_package_left_with_another_needs_it(tmp_path: Path, case: str) -> None:
    packages, expected, needed = CASES[case]
    repository = build_repository([*RULED_OUT, *packages], tmp_path)
    solver = Installs(repository)
    assert solver.installs((), package="app")
    # With every other origin package locked out, libsolv cannot install app only where it needs one.
    assert solver.installs(needed, package="app") is (not needed)
    facts = scan_facts(repository, tmp_path / "report.json")
    assert facts["app-1.0-1.noarch"] == expected
