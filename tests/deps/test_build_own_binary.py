"""An origin source package whose buildroot may hold only its own binary may need no other.

An origin package's taints are the *other* origin packages it needs: Citrix's ``cx`` requiring
``tool``, which it provides itself and ``clean-tool`` does too, needs nothing at run time. Its
source BuildRequires ``tool``: ``dnf builddep`` may install ``cx``'s own binary, and nothing else
of Citrix's, yet the source showed `may-depend` on Citrix with a chain ending at its own binary
(red team 47): the build side stopped only a chain back at the source package itself, which a
binary with its own evidence (a Vendor tag is in both headers) never is. Now neither counts. The same through a
run-time requirement (``cx-via``: ``tool`` Requires ``lib``, which ``cx-via`` or ``lib-clean``
provides). Beside them, ``app`` BuildRequires ``tool2``, which another Citrix package provides
too: that one may be in its buildroot, and ``app`` stays `may-depend`. libsolv decides what
a buildroot can hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.deps.built import CITRIX, build_repository, libsolv_buildroot
from tests.deps.test_category_clean_way_random import scan_facts

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx", "provides": ["tool"], "buildrequires": ["tool"], **CITRIX},
    {"name": "clean-tool", "provides": ["tool"]},
    {"name": "cx-via", "provides": ["lib"], "buildrequires": ["needs-lib"], **CITRIX},
    {"name": "needs-lib", "requires": ["lib"]},
    {"name": "lib-clean", "provides": ["lib"]},
    {"name": "cx-tool2", "provides": ["tool2"], **CITRIX},
    {"name": "clean-tool2", "provides": ["tool2"]},
    {"name": "app", "buildrequires": ["tool2"], **CITRIX},
]
CITRIX_NAMES = ("cx", "cx-via", "cx-tool2", "app")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, set[tuple[str, str | None]]]]:
    where = tmp_path_factory.mktemp("own-binary")
    repository = build_repository(PACKAGES, where)
    return repository, scan_facts(repository, where / "report.json")


def _citrix_held(repository: Path, name: str, clean: str) -> set[str]:
    """The Citrix packages other than ``name`` of ``name``'s buildroot with its clean way
    (``clean``) locked out: what a buildroot that does not take the clean way holds."""
    held = libsolv_buildroot(repository, PACKAGES, name, locked=[clean])
    assert held is not None, name
    return {one for one in CITRIX_NAMES if one != name and any(p.startswith(f"{one}-1.0") for p in held)}


def test_a_buildroot_may_hold_another_citrix_package(built: tuple[Path, dict[str, Any]]) -> None:
    repository, facts = built
    assert libsolv_buildroot(repository, PACKAGES, "app", locked=["cx-tool2"]) is not None
    assert _citrix_held(repository, "app", "clean-tool2") == {"cx-tool2"}
    assert facts["app-1.0-1.src"] == {("origin", "citrix"), ("may-depend", "citrix")}


@pytest.mark.parametrize(("name", "clean"), [("cx", "clean-tool"), ("cx-via", "lib-clean")])
def test_a_buildroot_holding_only_its_own_binary_needs_nothing(
    built: tuple[Path, dict[str, Any]], name: str, clean: str
) -> None:
    repository, facts = built
    others = [one for one in CITRIX_NAMES if one != name]
    # Every other Citrix package locked out, a buildroot is found; one without the clean way
    # holds the source's own binary, and no other Citrix package.
    assert libsolv_buildroot(repository, PACKAGES, name, locked=others) is not None
    assert _citrix_held(repository, name, clean) == set()
    for arch in ("src", "noarch"):
        assert facts[f"{name}-1.0-1.{arch}"] == {("origin", "citrix")}
