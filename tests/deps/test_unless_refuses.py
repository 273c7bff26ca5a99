"""``Requires: (A unless B)`` keeps every provider of B away from its package, as a Conflicts does.

libsolv reads ``(A unless B)`` as "A, and not B". ``app`` requires ``engine`` and ``(ui unless
legacy)``: ``engine``'s clean provider ``both`` also provides ``legacy``, so it can never be
installed with ``app``, and its other provider needs Citrix's ``cx``. libsolv cannot install
``app`` without ``cx``; the auditor said `may-depend` (found by a differential hunt on random
universes written as rpm-md, 11 of 300 universes with rich requirements). The same holds below an
``and``, and in a source package's BuildRequires (``dnf builddep`` never puts B in the
buildroot). Below an ``or`` the refusal is one choice among others, and ``app-or`` stays
`may-depend`: libsolv installs it with ``both``. A package refusing what it provides itself
(``self-refusing``) can never be installed: it spares ``app2`` no Citrix provider either; nor
can a package whose requirement only such packages meet, however deep (``mid3``; ``mid4``, whose
other provider refuses ``mid4`` itself): ``app3`` and ``app4`` were `may-depend` (the hunt's
``mix`` 329 and ``richv`` 127, `auditor.deps.sureneeds.needing_any`).

rpmbuild refuses ``unless`` where a Requires needs it whatever ("Illegal context for 'unless',
please use 'or' instead") and accepts it below an ``or``: the packages are built with
``((A unless B) or NEVER)`` and primary.xml (its checksums in repomd.xml fixed) loses the ``or NEVER``, as
another tool's or a hostile repository may write it. dnf reads primary.xml, and so do the
auditor (`--metadata-only`) and libsolv here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from auditor.audit.options import AuditOptions
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from tests.conftest import rewrite_primary
from tests.deps.built import CITRIX, build_repository, libsolv_installs, verdicts
from tests.deps.rich_universe import RichInstalls

NEVER = " or never-provided)"
"""What makes rpmbuild accept an ``unless`` a Requires needs whatever (after ``((A unless B)``);
primary.xml loses it."""
PACKAGES: list[dict[str, Any]] = [
    {"name": "cx", "provides": ["gpu"], **CITRIX},
    {"name": "both", "provides": ["engine", "legacy"]},
    {"name": "tool", "provides": ["engine"], "requires": ["gpu"]},
    {"name": "ui-lib", "provides": ["ui", "extra"]},
    {"name": "app", "requires": ["engine", f"((ui unless legacy){NEVER}"]},
    {"name": "app-and", "requires": ["engine", f"(((ui unless legacy){NEVER} and extra)"]},
    {"name": "app-or", "requires": ["engine", "((ui unless legacy) or extra)"]},
    {"name": "builder", "buildrequires": ["engine", f"((ui unless legacy){NEVER}"]},
    {
        "name": "self-refusing",
        "provides": ["engine2", "legacy2"],
        "requires": [f"((ui unless legacy2){NEVER}"],
    },
    {"name": "tool2", "provides": ["engine2"], "requires": ["gpu"]},
    {"name": "app2", "requires": ["engine2"]},
    # One requirement away: ``mid3`` needs the self-refusing ``lib3-only``; ``mid4``'s ``lib4``
    # has another provider, which refuses ``mid4`` itself.
    {"name": "lib3-only", "provides": ["lib3", "legacy3"], "requires": [f"((ui unless legacy3){NEVER}"]},
    {"name": "mid3", "provides": ["engine3"], "requires": ["lib3"]},
    {"name": "tool3", "provides": ["engine3"], "requires": ["gpu"]},
    {"name": "app3", "requires": ["engine3"]},
    {"name": "lib4-self", "provides": ["lib4", "legacy4"], "requires": [f"((ui unless legacy4){NEVER}"]},
    {"name": "lib4-picky", "provides": ["lib4"], "requires": [f"((ui unless engine4){NEVER}"]},
    {"name": "mid4", "provides": ["engine4"], "requires": ["lib4"]},
    {"name": "tool4", "provides": ["engine4"], "requires": ["gpu"]},
    {"name": "app4", "requires": ["engine4"]},
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    repository = build_repository(PACKAGES, tmp_path_factory.mktemp("unless"))
    for made in (repository, repository.parent / "SRPMS"):
        rewrite_primary(made, lambda text: re.sub(r"\((\([^()]*\)) or never-provided\)", r"\1", text))
    options = AuditOptions(
        targets=(str(repository), str(repository.parent / "SRPMS")),
        cache=False,
        discover_sources=False,
        metadata_only=True,
    )
    return repository, verdicts(run_audit(options, load_policy()))


@pytest.mark.parametrize("name", ["app", "app-and", "app2", "app3", "app4"])
def test_a_provider_of_what_unless_refuses_is_no_way_around(
    built: tuple[Path, dict[str, str]], name: str
) -> None:
    repository, found = built
    nevra = f"{name}-1.0-1.noarch"
    assert libsolv_installs(repository, nevra) is not None
    assert libsolv_installs(repository, nevra, locked=["cx"]) is None
    assert found[nevra] == "depends"


def test_a_refusal_below_an_or_is_one_choice(built: tuple[Path, dict[str, str]]) -> None:
    repository, found = built
    assert libsolv_installs(repository, "app-or-1.0-1.noarch", locked=["cx"]) is not None
    assert found["app-or-1.0-1.noarch"] == "may-depend"


def test_a_buildroot_never_holds_what_unless_refuses(built: tuple[Path, dict[str, str]]) -> None:
    repository, found = built
    solver = RichInstalls(repository)  # the BuildRequires as primary.xml now reads them
    assert solver.installs((), capabilities=["engine", "(ui unless legacy)"])
    assert not solver.installs(["cx"], capabilities=["engine", "(ui unless legacy)"])
    assert found["builder-1.0-1.src"] == "build-depends"
    assert found["builder-1.0-1.noarch"] == "build-depends"
