"""A condition the package provides itself holds on every host it is installed on (rt-rich,
conflicts universe 194 reduced).

``top`` Requires ``mid`` and Conflicts with ``e`` and ``clean-a``; ``mid`` provides ``b`` and
Requires ``(d if e else (liba if b))``; ``liba`` is ``prop``'s (proprietary) or ``clean-a``'s.
Without ``e`` (``top`` rules it out), ``mid`` needs ``liba`` when ``b`` is installed, and ``mid``
itself provides ``b``: libsolv cannot install ``top`` without ``prop``. The auditor read
``mid``'s requirement on hosts without ``b`` too, where it needs nothing, so no clause bound
``mid`` and the clean-way search held ``mid`` alone: ``top`` was ``may-depend``. At 278e365 too.
A condition the owner provides is now one of those its requirements are read with
(`auditor.deps.resolve.Resolver._with_held_conditions`), as one its other requirements hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deps.built import PROPRIETARY, verdict_libsolv_needs
from tests.deps.screen import screen_only

PACKAGES: list[dict[str, Any]] = [
    {"name": "prop", "provides": ["liba"], **PROPRIETARY},
    {"name": "clean-a", "provides": ["liba"], "conflicts": ["top"]},
    {"name": "d"},
    {"name": "e", "conflicts": ["top"]},
    {"name": "mid", "provides": ["b"], "requires": ["(d if e else (liba if b))"]},
    {"name": "top", "requires": ["mid"]},
]


@pytest.mark.parametrize("screen", [pytest.param(False, id="every"), pytest.param(True, id="screen")])
def test_a_condition_the_package_provides_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, screen: bool
) -> None:
    screen_only(monkeypatch, screen)
    assert verdict_libsolv_needs(PACKAGES, tmp_path, "top-1.0-1.noarch", ["prop"]) == "depends"
