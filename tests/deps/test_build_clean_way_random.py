"""Buildroots against libsolv on random universes with BuildRequires, built by rpmbuild.

Each universe is 22 packages over 7 capabilities, a fifth of them Citrix's, each with up to
two Requires, up to three BuildRequires and up to two Conflicts. libsolv, set up as dnf sets it,
gives the fixed point the auditor's ``build-depends`` must match: a source package is blocked
when no buildroot holds a provider of each BuildRequires with the Citrix packages and the
blocked binaries (a binary whose own source package is blocked) locked out of the whole
installation: a buildroot may hold none of them, not even for what a BuildRequires provider
Requires (``tool`` Requires a blocked ``heldlib``: ``app2``, which BuildRequires ``tool``, is
blocked). At run time a blocked binary stays a provider any Requires may take. A source
package whose buildroot libsolv cannot install at all has no libsolv answer: the auditor's
(per requirement, tested elsewhere) is taken for what it blocks in turn, and not compared.

Seeds 27 and 62 are the false cleans of rt33 #6: a buildroot whose BuildRequires each had a way
without a blocked binary, and none together (seed 62: ``p7``), showed ``clean``. Over seeds
0-199, those two were the only disagreements, and there are none since. With ``locked`` the
Citrix packages alone, the oracle took a buildroot that held a blocked binary for what a
provider Requires as clean, as the auditor did (the red team's ``app2``): of seeds 0-199, 16
disagree with that auditor under this oracle (54 and 77 are kept), none since.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.deps.built import Installs, audit, blocked_builds, build_repository, verdicts
from tests.deps.random_universe import universe


@pytest.mark.parametrize("seed", [27, 62, 54, 77, 0, 1, 2, 3, 4, 5])
def test_build_depends_exactly_when_libsolv_finds_no_buildroot(tmp_path: Path, seed: int) -> None:
    packages, citrix = universe(seed, citrix_share=0.2, requires=[0, 1, 1, 2], buildrequires=[0, 1, 2, 2, 3])
    repository = build_repository(packages, tmp_path)
    found = verdicts(audit(repository))
    roots = Installs(repository)
    whole = {p["name"]: roots.installs((), capabilities=p["buildrequires"]) for p in packages}
    says = found.__getitem__
    blocked = blocked_builds(
        packages, roots, citrix, whole, lambda name: says(f"{name}-1.0-1.src") == "build-depends", skip=citrix
    )
    wrong = []
    for package in packages:
        name = package["name"]
        if name in citrix or not whole[name]:
            continue
        said = found[f"{name}-1.0-1.src"]
        if (name in blocked) != (said == "build-depends"):
            wrong.append(
                f"{name}.src: libsolv {'finds no' if name in blocked else 'finds a'} buildroot, auditor {said}"
            )
    assert not wrong, wrong
