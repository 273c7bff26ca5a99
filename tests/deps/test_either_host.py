"""What an installation needs whichever host it is on, when no one condition decides it
(rt-rich, conflicts universe 181 reduced).

``app`` Requires ``(a if b else (c if d else e))`` and Conflicts with ``a`` and ``c``; ``e`` is
``prop``'s (proprietary) or ``clean-e``'s, which Requires ``x``, which Conflicts with ``app``.
With ``b`` installed ``app`` needs ``a``; without, with ``d``, ``c``; without either, ``e``:
libsolv cannot install ``app`` without ``prop``. The auditor read one clause per condition
(``b`` or what every host without ``b`` needs: nothing, as those need ``c`` or ``e``), so
nothing bound ``app``, and the clean-way search found ``app`` alone clean: ``may-depend``. At
278e365 too. Every installation is on one of the hosts, so it needs one clause, or one
condition, of each: ``a or c or e`` among them, and ``a`` and ``c`` are ruled out
(`auditor.deps.richhosts.held`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.deps import richhosts
from tests.deps.built import PROPRIETARY, verdict_libsolv_needs
from tests.deps.screen import both_ways, screen_only


def universe(requirement: str) -> list[dict[str, Any]]:
    return [
        *({"name": name} for name in "abcd"),
        {"name": "prop", "provides": ["e"], **PROPRIETARY},
        {"name": "clean-e", "provides": ["e"], "requires": ["x"]},
        {"name": "x", "conflicts": ["app"]},
        {"name": "app", "requires": [requirement], "conflicts": ["a", "c"]},
    ]


REQUIREMENTS = {
    "nested-if": "(a if b else (c if d else e))",
    "unless-in-or": "((e unless b else a) or (e unless d else c))",
}


@pytest.mark.parametrize(("shape", "screen"), both_ways(REQUIREMENTS))
def test_a_clause_of_each_host_binds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str, screen: bool
) -> None:
    screen_only(monkeypatch, screen)
    packages = universe(REQUIREMENTS[shape])
    assert verdict_libsolv_needs(packages, tmp_path, "app-1.0-1.noarch", ["prop"]) == "depends"


def test_past_the_bound_each_condition_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """`richhosts.MAX_HELD`: ``(a if b else c)`` (packages 1, 2, 3) crossed needs ``a or c``
    beside ``b or c``; with no crossed clause allowed, only ``b or c``: fewer clauses bind, so
    no package reads cleaner than the crossed reading makes it."""
    a, b, c = (frozenset[richhosts.Atom]({one}) for one in (1, 2, 3))
    hosts: list[richhosts.Host] = [({"b": True}, [a]), ({"b": False}, [c])]
    assert richhosts.held(hosts, {"b": b}) == [b | c, a | c]
    monkeypatch.setattr(richhosts, "MAX_HELD", 0)
    assert richhosts.held(hosts, {"b": b}) == [b | c]
