"""A conditional whose every branch names a capability nothing provides needs the rest of its
``or`` on every host (rt-rich, rich universe 442 reduced).

``app`` Requires ``libx``: ``prop`` (proprietary) or ``clean``, which Requires ``libm``; ``m``
provides it and Requires ``(alt or (gone unless libx else gone2))``, nothing providing ``gone``
or ``gone2``; ``app`` Conflicts with ``alt``. Whichever way the condition goes, ``m`` needs
``alt``: libsolv cannot install ``app`` without ``prop``. The auditor read ``m``'s requirement
per host as ``alt or gone2`` and ``alt or gone``, two different clauses, so neither was needed
on every host; what it did keep on every host was the condition's own clause, ``libx or alt``,
and ``clean`` provides ``libx``: the clean-way check found ``clean`` and ``m`` installable
beside ``app`` and left it ``may-depend``. At 278e365 too.

The same where ``m`` meets the other branch itself (it provides ``self``: ``(alt or (self
unless libx else gone))``, universe 442 as it is): ``alt`` is needed on the hosts with ``libx``
only, so ``clean``, which provides it, triggers the group (`auditor.deps.triggers`); but the
triggers were read from the clauses with ``gone`` in them too, so nothing triggered it.

Each host's clauses are now read as the requirement's groups are (`auditor.deps.rich._groups`):
what nothing in the run provides is no way to meet a requirement that is met.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deps.built import PROPRIETARY, verdict_libsolv_needs
from tests.deps.screen import both_ways, screen_only


def universe(requirement: str) -> list[dict[str, Any]]:
    return [
        {"name": "prop", "provides": ["libx"], **PROPRIETARY},
        {"name": "clean", "provides": ["libx"], "requires": ["libm"]},
        {"name": "m", "provides": ["libm", "self"], "requires": [requirement]},
        {"name": "a", "provides": ["alt"]},
        {"name": "app", "requires": ["libx"], "conflicts": ["alt"]},
    ]


REQUIREMENTS = {
    "unless-else": "(alt or (gone unless libx else gone2))",
    "if-else": "((alt or gone) if libx else (alt or gone2))",
    "triggered": "(alt or (self unless libx else gone))",
    "triggered-if-else": "((alt or gone) if libx else (alt or self))",
}


@pytest.mark.parametrize(("shape", "screen"), both_ways(REQUIREMENTS))
def test_branches_nothing_meets_leave_the_rest_needed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str, screen: bool
) -> None:
    screen_only(monkeypatch, screen)
    packages = universe(REQUIREMENTS[shape])
    assert verdict_libsolv_needs(packages, tmp_path, "app-1.0-1.noarch", ["prop"]) == "depends"
