"""An unresolved requirement still needs what it names that the run provides.

``zz-base`` comes from a base distribution the run leaves out (``base-zz``, clean). A package
requiring ``(c1 and zz-base)`` needs the Citrix ``c1`` whoever provides ``zz-base``: it is
*depends* and *unresolved*, two facts, so a waiver of the unresolved one (or a ``--fail-on``
without ``unresolved``) does not accept the Citrix dependency, and ``--roots`` audits ``c1``.
libsolv, given the base distribution, agrees: it installs each of them, never without ``c1``.
The packages are built by rpmbuild (tests/deps/built.py).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.result import AuditResult, PackageResult
from auditor.engine import run_audit
from auditor.gate.decision import decide
from auditor.gate.options import GateOptions
from auditor.origin.findings import Verdict
from auditor.origin.policy import load_policy
from auditor.reports.render import FORMATS
from auditor.reports.view import build_view
from tests.deps.built import CITRIX, audit, build_repository, libsolv_installs

NEEDS = {
    "needs-and": "(c1 and zz-base)",
    "needs-ifelse": "(zz-base if q1 else c1)",  # a host with q1 needs zz-base, one without c1
    "needs-either": "((c1 and zz-base) or (k1 and zz-base))",  # whoever provides zz-base, c1 or k1
}


@pytest.fixture(scope="module")
def repositories(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the run's repository, the same with the base distribution's package)."""
    top = tmp_path_factory.mktemp("unresolved-groups")
    packages: list[dict[str, Any]] = [
        {"name": "c1", **CITRIX},
        {"name": "k1"},
        {"name": "q1"},
        {"name": "base-zz", "provides": ["zz-base"]},
        {"name": "bar-aarch64", "arch": "aarch64"},
        # a group no x86_64 host can meet makes the requirement unresolved: the other one stays
        {"name": "needs-foreign", "arch": "x86_64", "requires": ["(c1 and bar-aarch64)"]},
        {"name": "needs-k1", "requires": ["(k1 and zz-base)"]},  # unresolved, and nothing else
    ]
    packages += [{"name": name, "requires": [text]} for name, text in NEEDS.items()]
    full = build_repository(packages, top / "full")
    run = top / "run" / "repo"
    run.mkdir(parents=True)
    for rpm in full.rglob("*.rpm"):
        if not rpm.name.startswith("base-zz-"):
            shutil.copy(rpm, run / rpm.name)
    shutil.copytree(full.parent / "SRPMS", run.parent / "SRPMS")
    subprocess.run(["createrepo_c", "--quiet", str(run)], check=True)
    return run, full


@pytest.fixture(scope="module")
def result(repositories: tuple[Path, Path]) -> AuditResult:
    return audit(repositories[0])


def _row(result: AuditResult, name: str) -> PackageResult:
    (row,) = (row for row in result.results if row.package.name == name and not row.package.is_source)
    return row


@pytest.mark.parametrize("name", NEEDS)
def test_an_unresolved_requirement_still_depends_on_what_it_needs_anyway(
    repositories: tuple[Path, Path], result: AuditResult, name: str
) -> None:
    row = _row(result, name)
    assert [str(found.dependency) for found in row.unresolved] == [NEEDS[name]]
    depends = Verdict.DEPENDS in row.statuses
    assert depends == (name != "needs-either")
    # libsolv with the base distribution, on a host without q1: installable, never without c1
    nevra, full = row.package.nevra, repositories[1]
    assert libsolv_installs(full, nevra, locked=["q1"]) is not None
    assert (libsolv_installs(full, nevra, locked=["q1", "c1"]) is None) == depends


def test_a_group_left_without_a_provider_of_the_host_keeps_the_others(result: AuditResult) -> None:
    row = _row(result, "needs-foreign")
    assert [str(found.dependency) for found in row.unresolved] == ["(c1 and bar-aarch64)"]
    assert row.verdict is Verdict.DEPENDS and Verdict.UNRESOLVED in row.statuses


def test_the_fact_names_what_nothing_provides(result: AuditResult) -> None:
    texts = [fact.text for fact in _row(result, "needs-and").facts if fact.resolution is not None]
    assert texts == ["nothing provides zz-base (in (c1 and zz-base))"]


def test_every_format_names_what_nothing_provides_as_the_fact_does(result: AuditResult) -> None:
    """The table's why line and the HTML page said the whole expression where the fact names
    the unmet part."""
    view = build_view(result, decide(result, GateOptions()))
    (row,) = [row for row in view.by_name("needs-k1") if not row.package.is_source]
    assert row.status is Verdict.UNRESOLVED
    assert row.why == "nothing provides zz-base (in (k1 and zz-base))"
    page = FORMATS["html"](view)
    assert "nothing provides <code>zz-base (in (c1 and zz-base))</code>" in page


def test_roots_audit_what_an_unresolved_requirement_needs(repositories: tuple[Path, Path]) -> None:
    run = repositories[0]
    options = AuditOptions(
        targets=(str(run), str(run.parent / "SRPMS")),
        roots=("needs-and",),
        cache=False,
        discover_sources=False,
    )
    audited = {row.package.name: row.verdict for row in run_audit(options, load_policy()).results}
    assert audited.get("c1") is Verdict.ORIGIN and audited.get("needs-and") is Verdict.DEPENDS
