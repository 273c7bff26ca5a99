"""The clean-way check against libsolv on random universes built by rpmbuild.

Each universe is 22 packages over 7 capabilities, a quarter of them Citrix's, each with up to
three requirements and up to two Conflicts, every capability with a provider (a requirement
nothing meets is counted as a way around on purpose, see the README). For each package that is
not Citrix's and that libsolv, set up as dnf sets it, installs, the auditor says ``depends``
exactly when libsolv cannot install it with the Citrix packages locked out.

Seeds 0-19 hold packages that only a search through choices between clean providers shows to
need Citrix (seed 10: ``p12`` needs ``c6``, whose one clean provider ``p5`` conflicts with the
only clean provider of what ``c3``'s one clean provider needs), and an installation whose only
tainted way is another group's. The screen of `auditor.deps.cleanscreen` still leaves out a
package that reaches a mixed group only through a choice, each of whose options leads to it
(none of seeds 0-149 here; 3 of 100 universes with one Conflicts at most): those stay
``may-depend``, never the other way round.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deps.built import audit, build_repository, libsolv_installs, verdicts
from tests.deps.random_universe import universe


@pytest.mark.parametrize("seed", range(20))
def test_depends_exactly_when_libsolv_needs_citrix(tmp_path: Path, seed: int) -> None:
    packages, citrix = universe(seed, citrix_share=0.25, requires=[0, 1, 1, 2, 2, 3])
    repository = build_repository(packages, tmp_path)
    found = verdicts(audit(repository))
    wrong = []
    for package in packages:
        nevra = f"{package['name']}-1.0-1.noarch"
        if package["name"] in citrix or libsolv_installs(repository, nevra) is None:
            continue
        needs = libsolv_installs(repository, nevra, locked=citrix) is None
        if needs != (found[nevra] == "depends"):
            wrong.append(
                f"{nevra}: libsolv {'needs' if needs else 'does not need'} Citrix, auditor {found[nevra]}"
            )
    assert not wrong, wrong
