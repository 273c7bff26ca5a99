"""Each category's taints against libsolv on random universes of real packages.

Each universe is `tests.deps.random_universe`'s (22 packages over 7 capabilities, with
Requires, BuildRequires and Conflicts, built by rpmbuild), whose origin packages are of two
categories: Citrix's (their Vendor) and proprietary ones (a ``Proprietary`` License, which the
shipped policy's ``proprietary-license`` rule flags), some of both. The auditor's JSON report
(``auditor scan --format json``) gives each fact its category; libsolv, set up as dnf sets it,
is the oracle. For each category C, with ``O(C)`` its origin packages (those of both included):

- run time: a binary package X that libsolv installs with nothing locked, and not with
  ``O(C)`` locked, carries a ``depends`` fact of category C, or an ``origin`` one when X is
  itself of C (``may-depend`` is not enough: every installation of X holds a package of C);
- build time: ``B(C)`` is the least set of source packages whose buildroot (a provider of each
  BuildRequires) libsolv installs with nothing locked, and not with ``O(C)`` and the binaries
  built from ``B(C)`` locked out of the whole installation; a source package whose buildroot
  libsolv cannot install at all is in ``B(C)`` when the auditor says it build-depends on C (no
  libsolv answer; taken for what it blocks in turn, not compared). Each source package of
  ``B(C)`` and its binary carry a ``build-depends`` fact of category C, or an ``origin`` one of C.

The check goes one way: the auditor may report more categories than libsolv needs (a
requirement that takes a Citrix or a proprietary package needs neither alone, and is reported
with both); a category missing is a false clean, as a waiver or a baseline entry that accepts
the fact of the other category then passes the package.

The premise is that X (a buildroot) can be installed at all, not that it can be installed with
the other category's packages locked: a package whose every installation holds a Citrix and a
proprietary package (one of both, say) needs each, and that premise would leave it unasked for
both. Nor are the other category's origin packages, nor the binaries blocked only by it, locked
for C: they are what a waiver of that category accepts, and ``app.src`` that BuildRequires a
binary whose own build needs a proprietary package needs no Citrix one.

The false cleans this found (rt-category) were all one shape: the clean-way check
(`auditor.deps.cleanway`) asked only packages outside every taint, and named one group with no
clean way. A package tainted in one category (its own evidence, or a requirement only it meets)
whose installation needs the other only because a Conflicts rules that one's clean way out, or
a package whose named group held one category while another group needed the other, lacked a
category: seed 3, ``p5`` Requires ``c1`` (only the proprietary ``p8``) and ``c0`` (only
``p9``, which Requires ``c3``: ``p3`` or the Citrix ``p11``), and Conflicts with ``p3``;
seed 57, the Citrix ``p0.src``'s buildroot cannot hold ``p17`` beside ``p8`` without the
proprietary ``p12``. Of seeds 0-199, 11 were such (kept below, with 21 and 166 of 23 with more
Conflicts, ``SHAPES["conflicts"]``; 16 of 200 with more origin packages), none since: seeds
0-299 of the default shape and of more origin packages (0.15, 0.15, 0.1), 0-199 with more
Conflicts and of 28 packages over 9 capabilities. Each category is now asked alone
(`auditor.deps.propagation`, tests/deps/test_category_no_clean_way.py).

What stays is the clean-way screen's own miss (`auditor.deps.cleanscreen`), with one category
as with two, and kept as it is: a package that reaches a mixed group only through a choice
between clean providers is not asked (seed 133: ``p0`` Requires ``c4``, ``p5`` or ``p8``; ``p5``
needs ``p12``, which Conflicts with ``p0``, and ``p8`` Requires ``c0``, the Citrix ``p2`` or
``p9``, which needs ``p12`` too: ``p0`` stays ``may-depend``). Seeds 107, 114 and 133 of 0-199
(203 and 269 of 200-299) are such, and 11 of 200 with more Conflicts: each agrees with libsolv
once every package is asked. Seed 159 did not: the search took a proprietary-or-clean group's
clean provider, which ruled out an option below, and blamed no choice for the dead end that
followed (`p12`, kept; tests/deps/test_clean_way_blame.py).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import Installs, build_repository, category_disagreements, draw_categories
from tests.deps.random_universe import universe
from tests.deps.screen import both_ways, screen_only

SHAPE: dict[str, Any] = {"requires": [0, 1, 1, 2, 2, 3], "buildrequires": [0, 1, 1, 2, 3]}


def category_universe(
    seed: int, *, citrix: float = 0.1, proprietary: float = 0.1, both: float = 0.05, **shape: Any
) -> tuple[list[dict[str, Any]], dict[str, set[str]]]:
    """`universe`'s packages for ``seed`` (of ``SHAPE``, updated with ``shape``) with no Citrix
    share, then (a draw of their own, so the universe stays the seed's) each one Citrix's,
    proprietary or both at those shares; and the categories of each origin package by name."""
    packages, _none = universe(seed, citrix_share=0.0, **{**SHAPE, **shape})
    rng = random.Random(f"categories {seed}")
    return packages, draw_categories(packages, rng, citrix=citrix, proprietary=proprietary, both=both)


def scan_facts(repository: Path, out: Path) -> dict[str, set[tuple[str, str | None]]]:
    """``auditor scan --format json`` of the repository and its source packages: NEVRA -> the
    (kind, category) of each of its facts."""
    args = [str(repository), str(repository.parent / "SRPMS"), "--no-source-discovery", "--no-cache", "-q"]
    code = main(["scan", *args, "--format", "json", "-o", str(out)])
    assert code in (0, 1), code
    report = json.loads(out.read_text())
    return {
        package["nevra"]: {(fact["kind"], fact.get("category")) for fact in package["facts"]}
        for package in report["packages"]
    }


def disagreements(
    packages: list[dict[str, Any]], of: dict[str, set[str]], repository: Path, out: Path
) -> list[str]:
    """Each category libsolv finds a package needs and the auditor's report does not give it."""
    return category_disagreements(packages, of, scan_facts(repository, out), Installs(repository))


SHAPES: dict[str, dict[str, Any]] = {"default": {}, "conflicts": {"conflicts": [1, 2, 2, 3]}}


@pytest.mark.parametrize(
    ("shape", "seed", "screen"),
    both_ways(
        [
            *(("default", seed) for seed in (3, 11, 55, 57, 58, 90, 98, 112, 126, 148, 165, 159, 0, 1, 133)),
            ("conflicts", 21),
            ("conflicts", 166),
        ],
        missed=[("default", 133)],
    ),
)
def test_each_category_libsolv_needs_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str, seed: int, screen: bool
) -> None:
    screen_only(monkeypatch, screen)
    packages, of = category_universe(seed, **SHAPES[shape])
    repository = build_repository(packages, tmp_path)
    assert not disagreements(packages, of, repository, tmp_path / "report.json")
