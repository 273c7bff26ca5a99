"""A multilib package comes with its x86_64 twin on a dnf host: what the twin needs, it needs.

libsolv, set up as dnf sets it (multilib colours), installs an i686 package as a dependency on
an x86_64 host only beside the x86_64 package of the same name and EVR, when the repository
has one (its infarch rules, "lock-step"; a package named on the command line is spared it).
The auditor took ``lib.i686`` for a way around whatever ``lib.x86_64`` needs: a false clean
that the random multilib universes of tests/deps/test_arch_random.py found on 11 seeds of
130 (seed 21: ``p19.i686`` Requires ``c0``, which the proprietary-bound ``p2`` or ``p9.i686``
provides; ``p9`` needs ``p6.i686``, whose twin ``p6.x86_64`` needs ``p17``, which Conflicts
with ``p19``). The shapes, smallest:

- ``twin-needs``: ``app.i686`` Requires ``lib%{?_isa}``; ``lib`` (i686 and x86_64, one spec)
  Requires ``libc%{?_isa}``, which only the Citrix ``cx.x86_64`` meets for the x86_64 build and
  a clean ``cl.i686`` for the i686 one. libsolv on x86_64 installs ``app`` only with ``cx``
  (``lib.x86_64`` comes with ``lib.i686``): ``depends``, where the auditor said ``clean``. On an
  i686 host nothing of x86_64 is there: clean.
- ``twin-only``: ``app.x86_64`` Requires ``c``, which the Citrix ``cx`` and the multilib ``lib``
  provide; ``lib.x86_64`` alone (an ``%ifarch``) Requires ``helper``, which only the Citrix ``hx``
  provides. ``lib.i686`` is no way around (it brings ``lib.x86_64``): ``depends``, where the
  auditor said ``may-depend``, with ``--arch x86_64`` and without (``app`` is on x86_64 hosts only).
- ``other-version``: as ``twin-only``, ``lib.x86_64`` of another version: libsolv never installs
  ``lib.i686`` as a dependency here (no twin of its version, and its search reaches
  ``lib.x86_64``, a provider of ``c``), so it is no way around ``cx`` either (``depends``). Where
  the search does not reach the x86_64 package, libsolv installs the i686 one alone. Reading the
  ban wherever the i686 package was taken made a package whose one way ran through it one that
  "cannot be installed at all", left ``may-depend`` (a false clean, arch_universe's ``stale``
  variant, seed 58); the ban is now the asking package's, where its reach holds both
  (`auditor.deps.infarch`, tests/deps/test_infarch.py).
- ``root-spared`` (seed 199, minimised): ``p8.i686``, named on the command line, needs no
  twin (libsolv lifts the rule for the name it is asked to install), and its own needs leave no
  clean way (``p3`` Conflicts with ``p2``, the clean ``c5`` way; ``p0`` needs ``p6``, which
  Conflicts with ``p17``): ``depends``. Asked with its twin ``p8.x86_64``, whose one ``c2``
  provider ``p13`` Conflicts with ``p1``, the search took ``p8.i686`` for one that cannot be
  installed at all and left it ``may-depend``: the clean-way search asks a package without its
  own twins (`auditor.deps.hops.without_lock_step`).

The packages are built by rpmbuild (tests/deps/built.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.audit.options import AuditOptions
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from tests.deps.built import CITRIX, PROPRIETARY, build_repository, libsolv_installs, verdicts

SHAPES: dict[str, tuple[list[dict[str, Any]], str, list[str]]] = {
    "twin-needs": (
        [
            {"name": "app", "arch": "i686", "requires": ["lib%{?_isa}"]},
            {"name": "lib", "arch": "i686", "requires": ["libc%{?_isa}"]},
            {"name": "lib", "arch": "x86_64", "requires": ["libc%{?_isa}"]},
            {"name": "cx", "arch": "x86_64", "provides": ["libc%{?_isa}"], **CITRIX},
            {"name": "cl", "arch": "i686", "provides": ["libc%{?_isa}"]},
        ],
        "app-1.0-1.i686",
        ["cx"],
    ),
    "twin-only": (
        [
            {"name": "app", "arch": "x86_64", "requires": ["c"]},
            {"name": "cx", "provides": ["c"], **CITRIX},
            {"name": "lib", "arch": "i686", "provides": ["c"]},
            {"name": "lib", "arch": "x86_64", "provides": ["c"], "requires": ["helper"]},
            {"name": "hx", "provides": ["helper"], **CITRIX},
        ],
        "app-1.0-1.x86_64",
        ["cx", "hx"],
    ),
    "other-version": (
        [
            {"name": "app", "arch": "x86_64", "requires": ["c"]},
            {"name": "cx", "provides": ["c"], **CITRIX},
            {"name": "lib", "arch": "i686", "provides": ["c"]},
            {"name": "lib", "arch": "x86_64", "evr": "2.0-1", "provides": ["c"], "requires": ["helper"]},
            {"name": "hx", "provides": ["helper"], **CITRIX},
        ],
        "app-1.0-1.x86_64",
        ["cx", "hx"],
    ),
    "root-spared": (
        [
            {"name": "p0", "arch": "i686", "provides": ["c5%{?_isa}"], "requires": ["c3%{?_isa}", "p6"]},
            {"name": "p1", "provides": ["c0"]},
            {"name": "p2", "arch": "i686", "provides": ["c5%{?_isa}"], "requires": ["c0"]},
            {"name": "p3", "arch": "i686", "provides": ["c2%{?_isa}"], "conflicts": ["p2"]},
            {"name": "p6", "arch": "i686", **PROPRIETARY, "conflicts": ["p17"]},
            {"name": "p8", "arch": "x86_64", "requires": ["c2%{?_isa}"]},
            {"name": "p8", "arch": "i686", "requires": ["c2%{?_isa}", "c5%{?_isa}"]},
            {"name": "p9", "arch": "i686", **CITRIX, **PROPRIETARY},
            {"name": "p11", "arch": "i686", "provides": ["c2%{?_isa}"], "requires": ["p9%{?_isa}"]},
            {"name": "p13", "arch": "x86_64", "provides": ["c2%{?_isa}"], "conflicts": ["p1"]},
            {"name": "p17", "arch": "i686", "provides": ["c3%{?_isa}"]},
        ],
        "p8-1.0-1.i686",
        ["p9"],
    ),
}

EXPECTED = {
    ("twin-needs", ()): "depends",
    ("twin-needs", ("x86_64",)): "depends",
    ("twin-needs", ("i686",)): "clean",
    ("twin-only", ()): "depends",
    ("twin-only", ("x86_64",)): "depends",
    ("other-version", ()): "depends",
    ("other-version", ("x86_64",)): "depends",
    ("root-spared", ()): "depends",
    ("root-spared", ("x86_64",)): "depends",
    ("root-spared", ("i686",)): "depends",
}


@pytest.mark.parametrize(("shape", "arches"), list(EXPECTED))
def test_an_i686_dependency_brings_its_x86_64_twin_as_libsolv_does(
    tmp_path: Path, shape: str, arches: tuple[str, ...]
) -> None:
    packages, nevra, citrix = SHAPES[shape]
    repository = build_repository(packages, tmp_path)
    host = arches[0] if arches else "x86_64"
    assert libsolv_installs(repository, nevra, arch=host) is not None
    needs = libsolv_installs(repository, nevra, locked=citrix, arch=host) is None
    verdict = EXPECTED[shape, arches]
    assert needs == (verdict == "depends")
    options = AuditOptions(targets=(str(repository),), cache=False, discover_sources=False, arches=arches)
    assert verdicts(run_audit(options, load_policy()))[nevra] == verdict
