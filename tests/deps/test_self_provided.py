"""A requirement a package meets itself needs no other package, whichever way it is read.

rpm installs a package with its own provides, libsolv takes such a requirement as met, and
createrepo_c leaves a plain one out of primary.xml. Another provider of it, a Citrix one, is no
way to taint the package: once the graph kept it, the package's headers (``--read-rpms``) said
``may-depend`` where its repository's metadata said ``clean`` (red team 18, found by a random
search comparing the two readings). The packages are built by rpmbuild, the repository indexed
by createrepo_c, and what dnf installs is what libsolv installs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit.options import AuditOptions
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from tests.deps.built import CITRIX, build_repository, libsolv_installs

PACKAGES = [
    {"name": "plain", "provides": ["cap"], "requires": ["cap"]},
    {"name": "rich", "provides": ["capr"], "requires": ["(capr or cx)"]},
    {"name": "cx", "provides": ["cap", "capr"], **CITRIX},
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("self"))


@pytest.mark.parametrize("read_rpms", [False, True], ids=["metadata", "headers"])
def test_a_requirement_a_package_meets_itself_is_no_way_to_taint_it(repo: Path, read_rpms: bool) -> None:
    options = AuditOptions(
        targets=(str(repo), str(repo.parent / "SRPMS")),
        cache=False,
        discover_sources=False,
        read_rpms=read_rpms,
    )
    result = run_audit(options, load_policy())
    statuses = {r.package.nevra: r.verdict.value for r in result.results if not r.package.is_source}
    assert statuses == {
        "plain-1.0-1.noarch": "clean",
        "rich-1.0-1.noarch": "clean",
        "cx-1.0-1.noarch": "origin",
    }
    for name in ("plain", "rich"):  # what dnf installs for it: the package alone
        assert libsolv_installs(repo, f"{name}-1.0-1.noarch") == {f"{name}-1.0-1.noarch"}


@pytest.mark.parametrize("read_rpms", [False, True], ids=["metadata", "headers"])
def test_a_root_meeting_its_requirement_itself_installs_no_other_provider(
    repo: Path, read_rpms: bool
) -> None:
    """``--roots plain``: dnf installs plain alone, so the Citrix provider of what it meets
    itself is not audited (from the headers the run failed on it, from the metadata it passed)."""
    options = AuditOptions(
        targets=(str(repo),), cache=False, discover_sources=False, read_rpms=read_rpms, roots=("plain",)
    )
    result = run_audit(options, load_policy())
    assert {r.package.nevra for r in result.results} == libsolv_installs(repo, "plain-1.0-1.noarch")
