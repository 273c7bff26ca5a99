"""A rich Conflicts keeps a provider out as a plain one does, when libsolv says it does.

Each ``app-N`` requires ``foo-N``, which the Citrix ``cx`` and a clean ``clean-N`` provide;
``clean-N`` conflicts with a rich expression naming ``app-N``. Where libsolv cannot install
``app-N`` with ``cx`` locked out, the clean provider is no alternative (``depends``); where it
can, it is one (``may-depend``). The packages are built by rpmbuild, and libsolv reads the
same repository (tests/deps/built.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit.result import AuditResult
from auditor.deps.provides import ProvidesIndex
from auditor.deps.rich import Evaluation
from auditor.rpm.deps import parse
from tests.deps.built import CITRIX, audit, build_repository, libsolv_installs, verdicts
from tests.universe import universe

# conflict of clean-N (APP stands for app-N), what clean-N provides besides foo-N, app-N's verdict
CONFLICTS: list[tuple[str, list[str], str]] = [
    ("(APP or zz-none)", [], "depends"),
    ("(APP with APP < 2)", [], "depends"),
    ("(APP with APP > 2)", [], "may-depend"),
    ("(APP and zz-none)", [], "may-depend"),
    ("(APP and cap)", ["cap"], "depends"),  # clean-N itself makes the other operand true
    ("(APP without zz-none)", [], "depends"),
    ("(APP without APP)", [], "may-depend"),
    ("(APP unless zz-none)", [], "depends"),  # nothing can make zz-none true
    ("(APP unless cap)", ["cap"], "may-depend"),
    ("(APP unless zz-none else zz-none)", [], "depends"),
    ("(zz-none unless zz-none else APP)", [], "may-depend"),
    ("APP", [], "depends"),  # the plain Conflicts, as before
]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    packages = [{"name": "cx", **CITRIX, "provides": [f"foo-{n}" for n in range(len(CONFLICTS))] + ["foo-s"]}]
    for number, (conflict, provides, _) in enumerate(CONFLICTS):
        app = f"app-{number}"
        packages.append({"name": app, "requires": [f"foo-{number}"]})
        packages.append(
            {"name": f"clean-{number}", "provides": [f"foo-{number}", *provides],
             "conflicts": [conflict.replace("APP", app)]}
        )  # fmt: skip
    # BuildConflicts go the same way: a source package's buildroot never holds clean-s.
    packages += [
        {"name": "clean-s", "provides": ["foo-s"]},
        {"name": "bld", "buildrequires": ["foo-s"], "buildconflicts": ["(clean-s or zz-none)"]},
        {"name": "bld-plain", "buildrequires": ["foo-s"], "buildconflicts": ["clean-s"]},
        {"name": "bld-none", "buildrequires": ["foo-s"], "buildconflicts": ["(clean-s and zz-none)"]},
    ]
    return build_repository(packages, tmp_path_factory.mktemp("rich-conflicts"))


@pytest.fixture(scope="module")
def result(repository: Path) -> AuditResult:
    return audit(repository)


@pytest.mark.parametrize("number", range(len(CONFLICTS)), ids=[conflict for conflict, _, _ in CONFLICTS])
def test_a_rich_conflict_excludes_the_provider_as_libsolv_does(
    repository: Path, result: AuditResult, number: int
) -> None:
    verdict = CONFLICTS[number][2]
    app = f"app-{number}-1.0-1.noarch"
    assert verdicts(result)[app] == verdict
    assert libsolv_installs(repository, app) is not None
    assert (libsolv_installs(repository, app, locked=["cx"]) is None) == (verdict == "depends")


def test_rich_build_conflicts_keep_a_provider_out_of_the_buildroot(result: AuditResult) -> None:
    found = verdicts(result)
    assert found["bld-1.0-1.src"] == found["bld-plain-1.0-1.src"] == "build-depends"
    # The conflict does not hold: clean-s may be taken, and so may cx (BuildRequires: foo-s).
    assert found["bld-none-1.0-1.src"] == "may-depend"


def test_if_in_a_conflict_excludes_only_what_both_readings_exclude() -> None:
    """rpmbuild refuses ``if`` in a Conflicts: only hand-made metadata has one. libsolv reads
    ``(A if B)`` as "B implies A", rpm's message calls for "A and B"; a provider is left out
    only where both agree (libsolv: ``(app if cap)`` with cap provided by the conflicting
    package itself keeps app out, ``(zz if app)`` does not)."""
    packages = universe(
        [
            {"name": "app"},
            {"name": "clean", "provides": ["cap"]},
        ]
    )
    evaluation = Evaluation(ProvidesIndex(packages))
    assert evaluation.conflicting(parse("(app if cap)"), 1) == (0,)
    assert evaluation.conflicting(parse("(app if app)"), 1) == (0,)
    assert evaluation.conflicting(parse("(zz if app)"), 1) == ()
    # libsolv: B is absent, so C decides, and C holds; rpm's reading needs B: not left out.
    assert evaluation.conflicting(parse("(zz if zz else app)"), 1) == ()
