"""A waiver's ``reaches``: it accepts a taint only while every origin package the taint reaches
matches one of its globs.

A taint's capability names only its nearest origin package, so ``package = "app"``, ``status =
"depends"`` accepted app's Citrix taint however many Citrix packages app came to need; the
baseline's entries record what each taint reaches, and a waiver had no such scope. Here app
needs ``lib``, built on Citrix ``cx-a``; later it also needs ``lib2``, which needs Citrix
``cx-b`` by a longer way (app's taint still ends at cx-a). Real packages: rpmbuild builds them,
createrepo_c indexes them.
"""

from __future__ import annotations

import datetime
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.audit.facts import Fact
from auditor.audit.result import AuditResult, PackageResult
from auditor.cli.main import main
from auditor.core.errors import InputError, PolicyError
from auditor.gate.decision import Disposition, decide
from auditor.gate.options import GateOptions
from auditor.gate.waivers import load_waivers, read_waiver_file
from auditor.origin.findings import Finding
from auditor.rpm.model import Package
from tests.deps.built import CITRIX, audit
from tests.gate.sides import FAIL_ON, Sides, build_sides
from tests.paths import ROOT

BEFORE: list[dict[str, Any]] = [
    {"name": "cx-a", **CITRIX},
    {"name": "lib", "requires": ["cx-a"]},
    {"name": "app", "requires": ["lib"]},
]
AFTER: list[dict[str, Any]] = [
    {"name": "cx-a", **CITRIX},
    {"name": "cx-b", **CITRIX},
    {"name": "lib", "requires": ["cx-a"]},
    {"name": "mid2", "requires": ["cx-b"]},
    {"name": "lib2", "requires": ["mid2"]},
    {"name": "app", "requires": ["lib", "lib2"]},
]
REST = """
[[waiver]]
id = "rest"
package = "[!a]*"
reason = "every other package: not what this test gates"
owner = "release team"
expires = 2099-01-01
"""
SCHEMA = json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text())
BEYOND = "blocks: it now also reaches cx-b, which waiver app-cx's reaches does not name"


def waivers(top: Path, name: str, extra: str) -> str:
    """A waiver file: app's depends taint, scoped by ``extra``, then every other package's facts."""
    path = top / f"{name}.toml"
    path.write_text(
        f'[[waiver]]\nid = "app-cx"\npackage = "app"\nstatus = "depends"\n{extra}\n'
        'reason = "app is rewritten next release"\nowner = "app team"\nexpires = 2099-01-01\n' + REST
    )
    return str(path)


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> Sides:
    return build_sides(BEFORE, AFTER, tmp_path_factory.mktemp("waiver-reaches"))


def scan(targets: list[str], waiver_file: str, out: Path, *extra: str) -> int:
    return main(["scan", *targets, "--no-cache", "--no-baseline", *FAIL_ON, "--waivers", waiver_file,
                 "-o", str(out), *extra])  # fmt: skip


def app_fact(report: Path) -> dict[str, Any]:
    """The JSON report's depends fact of the binary app."""
    document: dict[str, Any] = json.loads(report.read_text())
    found: dict[str, Any]
    (found,) = (
        fact
        for package in document["packages"]
        if package["name"] == "app" and package["arch"] != "src"
        for fact in package["facts"]
        if fact["kind"] == "depends"
    )
    return found


def test_a_waiver_accepts_a_taint_reaching_only_what_it_names(sides: Sides) -> None:
    before, _after, top = sides
    report = top / "before-named.json"
    assert scan(before, waivers(top, "named", 'reaches = ["cx-a"]'), report, "--format", "json") == 0
    fact = app_fact(report)
    assert (fact["disposition"], fact["waiver"], fact["capability"]) == ("waived", "app-cx", "citrix:cx-a")
    # Accepted as it then reached: a later comparison needs that (`records_reach`).
    assert fact["reaches"] == ["cx-a"]
    jsonschema.validate(json.loads(report.read_text()), SCHEMA)
    for form in ("table", "markdown", "sarif", "junit", "html"):
        out = top / f"before-named.{form}"
        assert scan(before, str(top / "named.toml"), out, "--format", form) == 0, form
        text = out.read_text()
        assert "app-cx" in text and "does not name" not in text, form


def test_a_taint_reaching_an_origin_package_it_does_not_name_blocks_in_every_format(sides: Sides) -> None:
    _before, after, top = sides
    named = waivers(top, "named-after", 'reaches = ["cx-a"]')
    report = top / "after-named.json"
    assert scan(after, named, report, "--format", "json") == 1
    fact = app_fact(report)
    assert fact["capability"] == "citrix:cx-a"  # its nearest origin package is still cx-a
    assert (fact["disposition"], fact["reason"]) == ("blocks", BEYOND)
    assert "waiver" not in fact and fact["reaches"] == ["cx-a", "cx-b"]
    gate = json.loads(report.read_text())["gate"]
    assert [item["package"] for item in gate["blocking"]] == ["app"]
    assert [item["id"] for item in gate["stale_waivers"]] == ["app-cx"]
    for form in ("table", "markdown", "sarif", "junit", "html"):
        out = top / f"after-named.{form}"
        assert scan(after, named, out, "--format", form) == 1, form
        text = out.read_text()
        text = html.unescape(text) if form in ("html", "junit") else text
        assert BEYOND.removeprefix("blocks: ") in text, form
    # Stale, and said why: not "the facts it matches need no waiver".
    table = (top / "after-named.table").read_text()
    assert "stale waiver app-cx (app): accepts nothing: the taints it matches reach origin packages" in table
    [stale] = gate["stale_waivers"]
    assert stale["why"].startswith("accepts nothing: the taints it matches reach origin packages")


def test_a_glob_naming_both_and_a_waiver_without_reaches_accept_it(sides: Sides) -> None:
    before, after, top = sides
    for name, extra in (("glob", 'reaches = ["cx-*"]'), ("unscoped", "")):
        for side, targets in (("before", before), ("after", after)):
            report = top / f"{side}-{name}.json"
            assert scan(targets, waivers(top, name, extra), report, "--format", "json") == 0, (name, side)
            fact = app_fact(report)
            assert fact["disposition"] == "waived"
            # Only a waiver with reaches makes the report record what its taint reached.
            assert ("reaches" in fact) == bool(extra)


def test_diff_of_the_reports_reads_the_same_decision(sides: Sides) -> None:
    before, after, top = sides
    named = waivers(top, "diffed", 'reaches = ["cx-a"]')
    old, new = top / "diff-old.json", top / "diff-new.json"
    assert scan(before, named, old, "--format", "json") == 0
    assert scan(after, named, new, "--format", "json") == 1
    out = top / "diff.json"
    assert main(["diff", str(old), str(new), *FAIL_ON, "--waivers", named, "--format", "json",
                 "-o", str(out)]) == 0  # fmt: skip
    diffed = json.loads(out.read_text())
    assert diffed["blocking"] == {"old": 0, "new": 1}
    changes = {(fact["package"], fact["rule"]): fact for fact in diffed["facts"]}
    app = changes[("app", "status:depends")]
    assert (app["change"], app["reaches_more"]) == ("new", ["cx-b"])
    # The releases audited, not read back: the same comparison (`records_reach` on both paths).
    audited = top / "diff-audited.json"
    assert main(["diff", before[0], after[0], "--sources", before[1], "--sources", after[1], "--no-cache",
                 *FAIL_ON, "--waivers", named, "--format", "json", "-o", str(audited)]) == 0  # fmt: skip
    document = json.loads(audited.read_text())
    assert (document["blocking"], document["facts"]) == (diffed["blocking"], diffed["facts"])


def test_check_of_the_change_decides_alike(sides: Sides) -> None:
    """The change that brings lib2, mid2 and cx-b, checked against the earlier release: app's
    taint, waived there, now reaches cx-b."""
    before, after, top = sides
    brought = [str(path) for name in ("app", "lib2", "mid2", "cx-b")
               for path in (Path(after[0]) / "noarch").glob(f"{name}-1*.rpm")]  # fmt: skip
    for name, extra, expected in (
        ("checked", 'reaches = ["cx-a"]', 1),
        ("checked-glob", 'reaches = ["cx-*"]', 0),
    ):
        out = top / f"{name}.md"
        code = main(["check", *brought, "--against", *before, "--no-cache", *FAIL_ON,
                     "--waivers", waivers(top, name, extra), "--format", "markdown", "-o", str(out)])  # fmt: skip
        assert code == expected, name
        assert (BEYOND.removeprefix("blocks: ") in out.read_text()) == bool(expected), name


@dataclass(frozen=True)
class NoGraph:
    """An audit read back with no dependency graph: what a taint reaches is not known."""

    inner: AuditResult

    @property
    def facts(self) -> list[Fact]:
        return self.inner.facts

    @property
    def packages(self) -> Sequence[Package]:
        return self.inner.packages

    @property
    def results(self) -> Sequence[PackageResult]:
        return self.inner.results

    @property
    def errors(self) -> Sequence[InputError]:
        return self.inner.errors

    @property
    def findings(self) -> Mapping[int, Sequence[Finding]]:
        return self.inner.findings


def test_a_reach_not_known_is_not_accepted(sides: Sides) -> None:
    before, _after, _top = sides
    result = audit(Path(before[0]))
    fields = {
        "reason": "r",
        "owner": "o",
        "expires": datetime.date(2099, 1, 1),
        "package": "app",
        "status": "depends",
    }
    items = load_waivers([{**fields, "id": "app-cx", "reaches": ["cx-*"]}], "test")
    gate = GateOptions()
    with_graph = decide(result, gate, items)
    (ruling,) = (r for r in with_graph.rulings if r.fact.subject == "app" and r.fact.rule == "status:depends")
    assert ruling.disposition is Disposition.WAIVED
    without = decide(NoGraph(result), gate, items)
    (ruling,) = (r for r in without.rulings if r.fact.subject == "app" and r.fact.rule == "status:depends")
    assert ruling.blocks
    assert (
        ruling.reason
        == "blocks: waiver app-cx accepts it only within its reaches, and what it reaches is not known"
    )
    assert [w.id for w in without.stale_reaching] == ["app-cx"]


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ("reaches = []", "reaches = [] accepts nothing"),
        ('reaches = [" "]', "reaches[0]"),
        ('reaches = ["cx-a", "\u200b"]', "reaches[1]"),
        ('reaches = ["cx-a"]\nstatus = "origin"', "status 'origin' is no taint"),
        ('reaches = ["cx-a"]\nstatus = "unresolved"', "status 'unresolved' is no taint"),
        ('reaches = ["cx-a"]\nrule = "gap:*"', "rule 'gap:*' matches no taint's rule"),
        ('reaches = ["cx-a"]\nrule = "citrix-vendor"', "rule 'citrix-vendor' matches no taint's rule"),
    ],
)
def test_a_reaches_that_cannot_scope_a_taint_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str, said: str
) -> None:
    path = tmp_path / "w.toml"
    path.write_text(
        f'[[waiver]]\nid = "bad"\npackage = "app"\n{extra}\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n'
    )
    with pytest.raises(PolicyError) as raised:
        read_waiver_file(str(path))
    assert said in str(raised.value) and str(path) in str(raised.value)
    assert main(["scan", str(tmp_path), "--no-cache", "--no-baseline", "--waivers", str(path)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and said in lines[0], lines


def test_a_waiver_that_does_not_accept_leaves_the_fact_to_the_next_one(sides: Sides) -> None:
    """As a waiver that does not match: the next matching waiver in file order decides, and the
    scoped one, accepting nothing, is stale for what its taints reach."""
    _before, after, _top = sides
    result = audit(Path(after[0]))
    fields = {"reason": "r", "owner": "o", "expires": datetime.date(2099, 1, 1), "status": "depends"}
    items = load_waivers(
        [
            {**fields, "id": "app-cx", "package": "app", "reaches": ["cx-a"]},
            {**fields, "id": "app-all", "package": "a*"},
        ],
        "test",
    )
    decision = decide(result, GateOptions(), items)
    (ruling,) = (r for r in decision.rulings if r.fact.subject == "app" and r.fact.rule == "status:depends")
    assert ruling.disposition is Disposition.WAIVED and ruling.waiver is not None
    assert ruling.waiver.id == "app-all" and ruling.beyond_waiver is None
    assert [w.id for w in decision.stale] == [w.id for w in decision.stale_reaching] == ["app-cx"]
    # It matches only taints: app's source package's facts, or cx-a's evidence, are not its.
    origin = load_waivers(
        [{**fields, "id": "cx", "package": "cx-a", "reaches": ["*"], "status": None}], "test"
    )
    assert origin[0].status is None
    decision = decide(result, GateOptions(), origin)
    assert all(r.waiver is None for r in decision.rulings) and [w.id for w in decision.stale] == ["cx"]
    assert decision.stale_matching == () and decision.stale_reaching == ()


def test_the_baseline_rules_what_a_scoped_waiver_does_not_accept(sides: Sides) -> None:
    before, after, top = sides
    baseline = top / "baseline.json"
    assert main(["baseline", *before, "--no-cache", *FAIL_ON, "--baseline", str(baseline)]) == 0
    named = waivers(top, "with-baseline", 'reaches = ["cx-a"]')
    report = top / "with-baseline.json"
    code = main(["scan", *after, "--no-cache", *FAIL_ON, "--baseline", str(baseline), "--waivers", named,
                 "--format", "json", "-o", str(report)])  # fmt: skip
    assert code == 1
    fact = app_fact(report)
    # Said once: "it now also reaches cx-b" was written for the baseline and for the waiver.
    assert fact["reason"] == (
        "blocks: it now also reaches cx-b, which its baseline entry did not accept "
        "and waiver app-cx's reaches does not name"
    )
    # Where the two leave out different origin packages, each says its own, the news once.
    other = waivers(top, "with-baseline-other", 'reaches = ["cx-b"]')
    code = main(["scan", *after, "--no-cache", *FAIL_ON, "--baseline", str(baseline), "--waivers", other,
                 "--format", "json", "-o", str(report)])  # fmt: skip
    assert code == 1
    assert app_fact(report)["reason"] == (
        "blocks: it now also reaches cx-b, which its baseline entry did not accept; "
        "waiver app-cx's reaches does not name cx-a"
    )
    # Reaching only what both accept: the waiver, first, accepts it.
    report = top / "with-baseline-before.json"
    code = main(["scan", *before, "--no-cache", *FAIL_ON, "--baseline", str(baseline), "--waivers", named,
                 "--format", "json", "-o", str(report)])  # fmt: skip
    assert code == 0 and app_fact(report)["disposition"] == "waived"


def test_a_reaches_in_the_configuration_is_checked_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "auditor.toml"
    config.write_text(
        '[[waiver]]\npackage = "app"\nrule = "gap:*"\nreaches = ["cx-a"]\nreason = "r"\nowner = "o"\n'
        "expires = 2099-01-01\n"
    )
    assert main(["scan", str(tmp_path), "--no-cache", "--no-baseline", "--config", str(config)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"auditor: error: {config}: waiver app#0 at waiver[0]: reaches scopes a taint"), (
        line
    )
