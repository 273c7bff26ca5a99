"""A buildroot that can do without one category's origin packages only by taking a binary whose
own build the auditor says needs that category: it needs that category too, as libsolv says
once that binary is locked out with them (`tests.deps.built.blocked_builds`).

``tool``'s buildroot cannot be installed at all (``x-hater`` Conflicts with each provider of
``libx``, a Citrix and a proprietary one), so the auditor's own answer stands for it:
``build-depends`` both categories (``libx`` has no clean provider). ``app`` BuildRequires
``libt``: ``tool``, or ``alt``, which no installation holds (it Conflicts with each provider of
its ``libv``, ``v`` or the proprietary ``prop-v``). The check with every origin package tainted
finds no clean buildroot for ``app`` and names ``alt``'s ``libv``: proprietary only. Asked with
Citrix's packages alone (`auditor.deps.propagation._alone`), ``tool``'s build was no longer
blocked (its buildroot takes ``prop-x``, and there is still none at all), so ``tool`` was a clean
way and ``app`` only ``may-depend`` Citrix, which blocks nothing, though its only buildroot holds
a binary that cannot be rebuilt without Citrix (the red team's rich universes: chain seed 59,
and plain seed 74 the other way round). What the first pass found blocked for a category now
stays blocked when that category is asked alone (`auditor.deps.spread.spread`'s
``blocked_before``), its chain kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deps.built import CITRIX, PROPRIETARY, build_repository, libsolv_buildroot
from tests.deps.test_category_clean_way_random import scan_facts

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-x", "provides": ["libx"], **CITRIX},
    {"name": "prop-x", "provides": ["libx"], **PROPRIETARY},
    {"name": "x-hater", "conflicts": ["libx"]},
    {"name": "tool", "provides": ["libt"], "buildrequires": ["libx", "x-hater"]},
    {"name": "alt", "provides": ["libt"], "requires": ["libv"], "conflicts": ["libv"]},
    {"name": "v", "provides": ["libv"]},
    {"name": "prop-v", "provides": ["libv"], **PROPRIETARY},
    {"name": "app", "buildrequires": ["libt"]},
]
CITRIX_NAMES = ["cx-x"]
PROPRIETARY_NAMES = ["prop-x", "prop-v"]
Facts = dict[str, set[tuple[str, str | None]]]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("build-category"))


@pytest.fixture(scope="module")
def facts(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Facts:
    return scan_facts(repository, tmp_path_factory.mktemp("report") / "report.json")


def test_libsolv_builds_app_only_with_tool(repository: Path) -> None:
    assert libsolv_buildroot(repository, PACKAGES, "tool", locked=()) is None
    assert libsolv_buildroot(repository, PACKAGES, "app", locked=()) is not None
    for origin in (CITRIX_NAMES, PROPRIETARY_NAMES):
        assert libsolv_buildroot(repository, PACKAGES, "app", locked=[*origin, "tool"]) is None


def test_tool_build_is_said_to_need_both(facts: Facts) -> None:
    for nevra in ("tool-1.0-1.src", "tool-1.0-1.noarch"):
        assert {("build-depends", "citrix"), ("build-depends", "proprietary")} <= facts[nevra], nevra


def test_a_buildroot_that_needs_a_blocked_binary_of_a_category_needs_it(facts: Facts) -> None:
    for nevra in ("app-1.0-1.src", "app-1.0-1.noarch"):
        assert {("build-depends", "citrix"), ("build-depends", "proprietary")} <= facts[nevra], nevra
