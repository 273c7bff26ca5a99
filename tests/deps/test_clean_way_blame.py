"""A clean way ruled out by what a mixed group's clean provider rules out above: ``depends``.

``app-ruled`` Requires ``h-mid``, which Requires ``libh`` (``cx-h``, Citrix's, or ``clean-h``)
and ``libhh`` (``h1`` or ``h2``); ``clean-h`` Conflicts with ``h1``, ``h2`` Requires ``hx``,
and ``app-ruled`` Conflicts with ``hx``. Taking ``clean-h`` leaves ``h2``, which needs ``hx``:
no clean installation, and libsolv installs ``app-ruled`` with ``cx-h``. The search's walk took
``clean-h``, then ``h2`` (its other option ruled out), and met ``hx`` ruled out with no choice
above ``h2`` nor above ``app-ruled`` to blame: it took the package for one that cannot be
installed at all, and left it ``may-depend``. The last mixed group it took is blamed now
(`auditor.deps.cleanway`; seed 159 of tests/deps/test_category_clean_way_random.py, where the
rest of the universe brought the package into the screen). Here the screen leaves it out
(it reaches the mixed group through ``h-mid`` alone, and nothing apart from what that group
leads to), so every package is asked, as the screen would ask it.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from auditor.deps import cleanscreen
from auditor.deps.edges import Edges
from auditor.deps.hops import Group
from tests.deps.built import CITRIX, audit, build_repository, libsolv_installs, verdicts

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-h", "provides": ["libh"], **CITRIX},
    {"name": "clean-h", "provides": ["libh"], "conflicts": ["h1"]},
    {"name": "h1", "provides": ["libhh"]},
    {"name": "h2", "provides": ["libhh"], "requires": ["libhx"]},
    {"name": "hx", "provides": ["libhx"]},
    {"name": "h-mid", "requires": ["libh", "libhh"]},
    {"name": "app-ruled", "requires": ["h-mid"], "conflicts": ["hx"]},
    # The twin: a third libhh nothing rules out.
    {"name": "h3", "provides": ["libhh3"]},
    {"name": "h1-3", "provides": ["libhh3"], "conflicts": ["clean-h"]},
    {"name": "h2-3", "provides": ["libhh3"], "requires": ["libhx"]},
    {"name": "h-mid-ok", "requires": ["libh", "libhh3"]},
    {"name": "app-ruled-ok", "requires": ["h-mid-ok"], "conflicts": ["hx"]},
]


def _ask_all(
    self: cleanscreen.CleanView,
    build: Mapping[int, Sequence[Group]],
    edges: Edges,
    only: Container[int] | None,
) -> dict[int, Sequence[Group]]:
    """Every package outside the tainted ones, as if the screen left each."""
    asked = {
        package: groups
        for package, groups in self.runtime.items()
        if package not in self.tainted and (only is None or package in only)
    }
    asked.update(
        (source, groups)
        for source, groups in build.items()
        if source not in self.build_tainted and (only is None or source in only)
    )
    return asked


@pytest.mark.parametrize(("package", "verdict"), [("app-ruled", "depends"), ("app-ruled-ok", "may-depend")])
def test_a_clean_way_ruled_out_above_depends_as_libsolv_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, package: str, verdict: str
) -> None:
    repository = build_repository(PACKAGES, tmp_path)
    nevra = f"{package}-1.0-1.noarch"
    assert libsolv_installs(repository, nevra) is not None
    assert (libsolv_installs(repository, nevra, locked=["cx-h"]) is None) == (verdict == "depends")
    monkeypatch.setattr(cleanscreen.CleanView, "asked", _ask_all)
    assert verdicts(audit(repository))[nevra] == verdict
