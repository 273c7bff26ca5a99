"""A `may-depend` taint that a stronger taint of its category replaced was not fixed.

``alt`` BuildRequires ``tool``, which Citrix's ``cx-tool`` and the clean ``own-tool`` provide,
and ``mid`` Requires it: both `may-depend` on ``cx-tool``. With ``own-tool`` deleted, ``alt``
is `build-depends` and ``mid`` `depends` on the same Citrix package. The baseline's entries for
their `may-depend` taints, and `diff`'s facts, said *fixed* ("something changed that cured it")
beside the new, blocking, stronger taint: a release manager read three fixes where three
packages got worse. Such a fact is *superseded*, as a deleted package's is *gone*: not progress.
A `depends` taint that becomes `may-depend` (a clean provider was added) is still fixed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository

FULL: list[dict[str, Any]] = [
    {"name": "cx-tool", "provides": ["tool"], **CITRIX},
    {"name": "own-tool", "provides": ["tool"]},
    {"name": "alt", "buildrequires": ["tool"]},
    {"name": "mid", "requires": ["tool"]},
    {"name": "plain", "requires": ["cx-tool"]},
]
WITHOUT_OWN_TOOL = [package for package in FULL if package["name"] != "own-tool"]
SUPERSEDED = {("alt", "status:may-depend"), ("mid", "status:may-depend")}


def _scan(repository: Path, out: Path, *extra: str) -> dict[str, Any]:
    targets = [str(repository), str(repository.parent / "SRPMS")]
    code = main(["scan", *targets, "--no-cache", "--format", "json", "-o", str(out), *extra])
    assert code in (0, 1)
    document: dict[str, Any] = json.loads(out.read_text())
    return document


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    top = tmp_path_factory.mktemp("superseded")
    before = build_repository(FULL, top / "before")
    after = build_repository(WITHOUT_OWN_TOOL, top / "after")
    return before, after, top


def test_the_baseline_calls_a_taint_a_stronger_one_replaced_superseded(
    sides: tuple[Path, Path, Path],
) -> None:
    before, after, top = sides
    baseline = top / "baseline.json"
    fail_on = ["--fail-on", "origin,depends,may-depend,build-depends"]
    assert main(["baseline", str(before), str(before.parent / "SRPMS"), "--no-cache", *fail_on,
                 "--baseline", str(baseline)]) == 0  # fmt: skip
    report = _scan(after, top / "after.json", *fail_on, "--baseline", str(baseline))
    gate = report["gate"]
    assert {(entry["package"], entry["kind"]) for entry in gate["superseded"]} == SUPERSEDED
    assert not {(entry["package"], entry["kind"]) for entry in gate["fixed"]} & SUPERSEDED
    stronger = {(fact["package"], fact["kind"]) for fact in gate["blocking"]}
    assert {("alt", "status:build-depends"), ("mid", "status:depends")} <= stronger


def test_diff_calls_a_taint_a_stronger_one_replaced_superseded(sides: tuple[Path, Path, Path]) -> None:
    before, after, top = sides
    old = top / "old.json"
    new = top / "new.json"
    _scan(before, old, "--fail-on", "none")
    _scan(after, new, "--fail-on", "none")
    out = top / "diff.json"
    assert main(["diff", str(old), str(new), "--format", "json", "-o", str(out)]) in (0, 1)
    facts = json.loads(out.read_text())["facts"]
    changed = {(fact["package"], fact["rule"]): fact["change"] for fact in facts}
    for key in SUPERSEDED:
        assert changed[key] == "superseded"
    # And the other way round, a clean provider added: the depends taint was fixed.
    back = top / "back.json"
    assert main(["diff", str(new), str(old), "--format", "json", "-o", str(back)]) in (0, 1)
    changed = {
        (fact["package"], fact["rule"]): fact["change"] for fact in json.loads(back.read_text())["facts"]
    }
    assert changed[("mid", "status:depends")] == "fixed"
    assert changed[("alt", "status:build-depends")] == "fixed"
    # Those packages got better: their new may-depend taint only weakens the stronger one.
    document = json.loads(back.read_text())
    better = {entry["new"]["nevra"] for entry in document["better"]}
    worse = {entry["new"]["nevra"] for entry in document["worse"]}
    assert {"alt-1.0-1.src", "alt-1.0-1.noarch", "mid-1.0-1.noarch"} <= better
    assert not worse


def test_every_format_says_superseded_and_none_fixed(sides: tuple[Path, Path, Path]) -> None:
    before, after, top = sides
    baseline = top / "baseline-formats.json"
    fail_on = ["--fail-on", "origin,depends,may-depend,build-depends"]
    targets = [str(after), str(after.parent / "SRPMS")]
    assert main(["baseline", str(before), str(before.parent / "SRPMS"), "--no-cache", *fail_on,
                 "--baseline", str(baseline)]) == 0  # fmt: skip
    written = {}
    for form in ("table", "markdown", "html", "sarif", "junit"):
        out = top / f"after.{form}"
        code = main(["scan", *targets, "--no-cache", *fail_on, "--baseline", str(baseline),
                     "--format", form, "-o", str(out)])  # fmt: skip
        assert code == 1
        written[form] = out.read_text()
    for form in ("table", "markdown", "sarif", "junit"):  # the baseline's counts
        assert (
            "0 fixed, 0 gone with their package or no longer seen, 2 superseded by a new taint"
            in (written[form])
        ), form
    for form in ("table", "markdown"):  # and its entries, one a line
        text = written[form]
        assert "superseded by a new taint (not a fix) since the baseline: alt: status:may-depend" in text, (
            form
        )
        assert "fixed since the baseline: alt" not in text, form
    assert 'data-superseded="2"' in written["html"]
    assert 'data-fixed="0"' in written["html"]


def test_a_source_package_s_may_depend_is_superseded_when_only_sources_are_audited(
    sides: tuple[Path, Path, Path],
) -> None:
    """Source packages audited alone, the binaries as context: ``alt.src``'s build-side
    `may-depend` entry is held by a source package, not by a binary (as a run-time one is)."""
    before, after, top = sides
    baseline = top / "baseline-sources.json"
    fail_on = ["--fail-on", "origin,depends,may-depend,build-depends"]
    sources = [str(before.parent / "SRPMS"), "--with", str(before)]
    assert main(["baseline", *sources, "--no-cache", *fail_on, "--baseline", str(baseline)]) == 0
    out = top / "after-sources.json"
    targets = [str(after.parent / "SRPMS"), "--with", str(after)]
    code = main(["scan", *targets, "--no-cache", *fail_on, "--baseline", str(baseline), "--format", "json",
                 "-o", str(out)])  # fmt: skip
    assert code == 1
    gate = json.loads(out.read_text())["gate"]
    assert [(entry["package"], entry["kind"]) for entry in gate["superseded"]] == [
        ("alt", "status:may-depend")
    ]
    assert not gate["gone"] and not gate["fixed"]
