"""A condition what a package surely needs installs holds on every host it is installed on
(rt-rich, rich universe 233 reduced).

``app`` Requires ``mid`` and ``((four if one else gone) if four)``, nothing providing ``gone``;
``mid`` Requires ``four``: Citrix's ``cx-four`` or ``clean-four``, which ``one-p``, the one
provider of ``one``, conflicts with. Every installation of ``app`` holds ``mid`` and so a provider of
``four``; then ``app`` needs ``one`` (``gone`` is nowhere), and ``one-p`` rules ``clean-four`` out:
libsolv cannot install ``app`` without ``cx-four``. The auditor read ``app``'s requirement on
hosts without ``four`` too, where it needs nothing, since only ``app``'s own requirements were
asked whether they hold the condition, not ``mid``'s: ``app`` was ``may-depend``, at 278e365
too. What a package surely needs, however deep, is now asked as well (`auditor.deps.heldconds`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.deps import heldconds
from auditor.deps.resolution import Resolution, Status
from auditor.rpm.model import Dependency
from auditor.rpm.package_fields import DependencyKind
from tests.deps.built import CITRIX, verdict_libsolv_needs
from tests.deps.screen import screen_only

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-four", "provides": ["four"], **CITRIX},
    {"name": "clean-four", "provides": ["four"]},
    {"name": "one-p", "provides": ["one"], "conflicts": ["clean-four"]},
    {"name": "mid", "requires": ["four"]},
    {"name": "app", "requires": ["mid", "((four if one else gone) if four)"]},
]


@pytest.mark.parametrize("screen", [pytest.param(False, id="every"), pytest.param(True, id="screen")])
def test_a_condition_a_sure_need_holds_decides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, screen: bool
) -> None:
    screen_only(monkeypatch, screen)
    assert verdict_libsolv_needs(PACKAGES, tmp_path, "app-1.0-1.noarch", ["cx-four"]) == "depends"


def test_past_the_bound_what_is_not_walked_holds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """`heldconds.MAX_WALKED`: package 0 surely needs 1, which surely needs 2, whose one
    requirement only 9 (a provider of the condition) meets; with one package walked (0 alone),
    1's requirements are never read: fewer conditions held, so no package reads cleaner."""

    def needing(member: int) -> Resolution:
        return Resolution(DependencyKind.REQUIRES, Dependency(f"c{member}"), Status.SATISFIED, ((member,),))

    chain = {1: [needing(2)], 2: [needing(9)]}
    assert heldconds.installs(0, [needing(1)], -1, frozenset({9}), chain.__getitem__)
    monkeypatch.setattr(heldconds, "MAX_WALKED", 1)
    assert not heldconds.installs(0, [needing(1)], -1, frozenset({9}), chain.__getitem__)
