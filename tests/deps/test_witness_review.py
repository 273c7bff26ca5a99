"""A clean installation found for one package is a witness for what it holds only when it meets
every requirement of what it holds (rt-review of `auditor.deps.cleanway._Search.installed_cleanly`).

``lib.i686`` Requires ``x``; ``x`` Requires ``libfoo``, which ``lib.i686`` and ``lib.x86_64``
provide; ``lib.x86_64`` Requires ``libm``, Citrix's ``cx-m`` or ``clean-m``, which Conflicts
with ``x``. ``dnf install lib.i686`` installs ``lib.i686`` and ``x`` alone (a package named on
the command line is spared its twin: `auditor.deps.hops.without_lock_step`), so the clean-way
check finds that installation clean. ``x`` is held there, but its own installation takes
``lib.i686`` as a dependency, which libsolv installs only with its twin ``lib.x86_64`` (or takes
``lib.x86_64`` itself): either way ``libm``, and ``clean-m`` conflicts with ``x``. libsolv
cannot install ``x`` without ``cx-m``; taking the first installation as a witness for ``x``
left it ``may-depend``; such an installation now answers for the package asked alone. At 278e365 (before witnesses) ``x`` was ``depends``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deps.arch_universe import arch_universe
from tests.deps.built import CITRIX, audit, build_repository, libsolv_buildroot, libsolv_installs, verdicts
from tests.deps.test_arch_random import RUNS, arch_disagreements

PACKAGES: list[dict[str, Any]] = [
    {"name": "lib", "arch": "i686", "requires": ["x"], "provides": ["libfoo"]},
    {"name": "lib", "arch": "x86_64", "requires": ["libm"], "provides": ["libfoo"]},
    {"name": "x", "requires": ["libfoo"]},
    {"name": "y", "requires": ["x"]},  # so that lib.i686 is asked before x (`askorder.from_the_top`)
    {"name": "cx-m", "provides": ["libm"], **CITRIX},
    {"name": "clean-m", "provides": ["libm"], "conflicts": ["x"]},
]


def test_an_installation_spared_its_twin_is_no_witness_for_what_it_holds(tmp_path: Path) -> None:
    repository = build_repository(PACKAGES, tmp_path)
    assert libsolv_installs(repository, "lib-1.0-1.i686", locked=["cx-m"]) == {
        "lib-1.0-1.i686",
        "x-1.0-1.noarch",
    }
    assert libsolv_installs(repository, "x-1.0-1.noarch", locked=["cx-m"]) is None
    assert libsolv_installs(repository, "x-1.0-1.noarch") is not None
    found = verdicts(audit(repository))
    assert found["x-1.0-1.noarch"] == "depends"
    assert found["y-1.0-1.noarch"] == "depends"


TRIGGERED: list[dict[str, Any]] = [
    {"name": "cx-d", "provides": ["libd"], **CITRIX},
    {"name": "clean-d", "provides": ["libd"], "conflicts": ["z"]},
    {"name": "z"},
    {"name": "q"},
    {"name": "qq", "requires": ["q"]},
    {"name": "l", "requires": ["(libd if q)"]},
    {"name": "app", "requires": ["qq", "l", "z"]},
]


def test_a_condition_an_unwalked_package_holds_is_triggered(tmp_path: Path) -> None:
    """``app`` holds ``qq``, which holds ``q``, which triggers ``l``'s ``(libd if q)``: ``libd``
    is Citrix's ``cx-d`` or ``clean-d``, which conflicts with ``z``, which ``app`` needs too.
    libsolv cannot install ``app`` without ``cx-d``. ``qq`` and ``q`` are apart from nothing
    and hold no mixed group (`UnitWalk.inert`, and `CleanView.loud` since fbabb40): the walk
    takes ``qq`` without walking it, never holds ``q``, and ``l``'s group never fires: ``app``
    stayed ``may-depend``, at 278e365 too (an older miss, through `inert`). A package that triggers
    a group is now neither inert nor quiet, as one apart from some."""
    repository = build_repository(TRIGGERED, tmp_path)
    assert libsolv_installs(repository, "app-1.0-1.noarch", locked=["cx-d"]) is None
    assert libsolv_installs(repository, "app-1.0-1.noarch") is not None
    found = verdicts(audit(repository))
    assert found["app-1.0-1.noarch"] == "depends"


def test_a_condition_a_buildroot_holds_unwalked_is_triggered(tmp_path: Path) -> None:
    """The same through a buildroot: ``app`` BuildRequires ``qq``, ``l`` and ``z``; libsolv
    finds no buildroot without ``cx-d``. At 278e365 ``app`` was ``may-depend``."""
    packages = [*TRIGGERED[:-1], {"name": "app", "buildrequires": ["qq", "l", "z"]}]
    repository = build_repository(packages, tmp_path)
    assert libsolv_buildroot(repository, packages, "app", locked=["cx-d"]) is None
    assert libsolv_buildroot(repository, packages, "app", locked=[]) is not None
    found = verdicts(audit(repository))
    assert found["app-1.0-1.src"] == "build-depends"


CHAIN_SHAPE: dict[str, Any] = {
    "size": 28,
    "capabilities": 10,
    "requires": (1, 1, 2),
    "conflicts": (0, 1, 1, 2),
    "citrix": 0.15,
    "arch_draws": (("noarch",), ("x86_64", "i686"), ("x86_64", "i686"), ("i686",)),
}
"""Multilib universes of long chains (rt-review): seeds 0-199 agree with libsolv; 87 and 112 held
i686 packages that only an installation spared its twin answered for (since 260922b)."""


@pytest.mark.parametrize("seed", [87, 112])
def test_multilib_chains_agree_with_libsolv(tmp_path: Path, seed: int) -> None:
    packages, of = arch_universe(seed, **CHAIN_SHAPE)
    repository = build_repository(packages, tmp_path)
    host, arches = RUNS["default"]
    wrong, _extra = arch_disagreements(of, repository, tmp_path / "out.json", host=host, arches=arches)
    assert not wrong
