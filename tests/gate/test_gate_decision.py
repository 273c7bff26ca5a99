"""The gate as a pure function, on hand-built facts: no package is read, nothing is resolved."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from auditor.audit.facts import Fact, FactKind, MissingSources, gap_fact, origin_fact, taint_capability
from auditor.audit.result import PackageResult
from auditor.core.errors import ExitCode, InputError
from auditor.gate.baseline import Baseline, BaselineEntry
from auditor.gate.decision import Disposition, decide
from auditor.gate.options import GateOptions
from auditor.gate.progress import compare
from auditor.gate.sides import FactRecord, PackageRecord, Side
from auditor.gate.waivers import load_waivers
from auditor.origin.findings import Category, Finding, Severity, Verdict, fingerprint
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import EVR, Package, PackageKind
from tests.universe import universe

TODAY = datetime.date(2026, 11, 24)


def finding(rule: str, value: str, **fields: Any) -> Finding:
    return Finding(rule, Severity.HIGH, "vendor", value, "m", capability=f"vendor:{value}", **fields)


def taint(index: int, name: str, kind: FactKind, ends_at: str = "vendorpkg") -> Fact:
    return Fact(kind, f"status:{kind.value}", index, name, "", f"{kind.value} on {ends_at}", ends_at=ends_at)


def unresolved(index: int, name: str, capability: str) -> Fact:
    return Fact(
        FactKind.UNRESOLVED, "status:unresolved", index, name, capability, f"nothing provides {capability}"
    )


@dataclass(frozen=True)
class HandBuilt:
    """An audit as the gate sees it (`auditor.gate.decision.Audited`), with no analysis behind it."""

    packages: list[Package]
    results: list[PackageResult]
    errors: list[InputError]
    findings: dict[int, list[Finding]] = field(default_factory=dict)

    @property
    def facts(self) -> list[Fact]:
        return [fact for result in self.results for fact in result.facts]


def audit(facts: dict[str, list[Fact]], *, errors: int = 0) -> HandBuilt:
    """Exactly ``facts`` per package name (the packages made up to match)."""
    packages = universe([{"name": name} for name in facts])
    results = [
        PackageResult(index, package, Verdict.CLEAN, (), (), (), tuple(facts[package.name]))
        for index, package in enumerate(packages)
    ]
    return HandBuilt(packages, results, [InputError("broken.rpm", "bad") for _ in range(errors)])


def waivers(*entries: dict[str, Any]) -> list[Any]:
    base = {"reason": "r", "owner": "o", "expires": datetime.date(2027, 1, 1)}
    return load_waivers([{**base, **entry} for entry in entries], "test")


def rulings(result: HandBuilt, **kwargs: Any) -> dict[tuple[str, str], Disposition]:
    options = kwargs.pop("options", GateOptions(today=TODAY))
    decision = decide(result, options, **kwargs)
    return {(r.fact.subject, r.fact.rule): r.disposition for r in decision.rulings}


def test_each_fact_is_ruled_on_its_own() -> None:
    result = audit(
        {
            "a": [origin_fact(0, "a", finding("citrix-vendor", "Citrix")), unresolved(0, "a", "ghost")],
            "b": [taint(1, "b", FactKind.MAY_DEPEND), taint(1, "b", FactKind.BUILD_DEPENDS)],
            "c": [origin_fact(2, "c", finding("citrix-vendor", "Citrix", allowed_by="reviewed"))],
            "d": [origin_fact(3, "d", finding("noted", "x", taints=False))],
        }
    )
    assert rulings(result) == {
        ("a", "citrix-vendor"): Disposition.BLOCKS,
        ("a", "status:unresolved"): Disposition.BLOCKS,
        ("b", "status:may-depend"): Disposition.NOT_GATED,
        ("b", "status:build-depends"): Disposition.BLOCKS,
        ("c", "citrix-vendor"): Disposition.ALLOWED,
        ("d", "noted"): Disposition.BELOW_THRESHOLD,
    }
    assert decide(result, GateOptions(today=TODAY)).exit_code is ExitCode.FINDINGS


def test_a_waiver_accepts_exactly_the_facts_it_matches() -> None:
    license_ = finding("proprietary-license", "Proprietary", category=Category.PROPRIETARY)
    result = audit(
        {"fw": [origin_fact(0, "fw", license_), origin_fact(0, "fw", finding("citrix-vendor", "Citrix"))]}
    )
    by_rule = rulings(result, waivers=waivers({"package": "fw", "rule": "proprietary-license"}))
    assert by_rule == {
        ("fw", "proprietary-license"): Disposition.WAIVED,
        ("fw", "citrix-vendor"): Disposition.BLOCKS,
    }
    by_category = rulings(result, waivers=waivers({"package": "fw", "category": "proprietary"}))
    assert by_category[("fw", "proprietary-license")] is Disposition.WAIVED
    assert by_category[("fw", "citrix-vendor")] is Disposition.BLOCKS
    by_status = rulings(result, waivers=waivers({"package": "fw", "status": "depends"}))
    assert set(by_status.values()) == {Disposition.BLOCKS}


def test_the_baseline_accepts_fingerprints_and_reports_fixed_and_gone() -> None:
    kept = unresolved(0, "app", "ghost")
    result = audit({"app": [kept, taint(0, "app", FactKind.DEPENDS)], "lib": []})
    baseline = Baseline(
        [
            BaselineEntry(fingerprint=kept.fingerprint, kind=kept.rule, package="app", capability="ghost"),
            BaselineEntry(fingerprint="f1", kind="citrix-vendor", package="lib", capability="vendor:Citrix"),
            BaselineEntry(
                fingerprint="f2", kind="citrix-vendor", package="removed", capability="vendor:Citrix"
            ),
            BaselineEntry(
                fingerprint="f3", kind="status:depends", package="lib", capability="", ends_at="sm"
            ),
        ]
    )
    decision = decide(result, GateOptions(today=TODAY), baseline=baseline)
    assert {(r.fact.rule, r.disposition) for r in decision.rulings} == {
        ("status:unresolved", Disposition.BASELINED),
        ("status:depends", Disposition.BLOCKS),
    }
    assert [entry["fingerprint"] for entry in decision.fixed] == ["f1"]
    # A package that is gone, or a taint whose origin package is gone, is not progress.
    assert [entry["fingerprint"] for entry in decision.gone] == ["f2", "f3"]


def test_gaps_make_the_audit_incomplete_and_fail_only_with_strict() -> None:
    gap = gap_fact(0, "bin", Gap(GapKind.SOURCE_NOT_AUDITED, "bin-1.0-1.src.rpm"))
    result = audit({"bin": [gap]})
    relaxed = decide(result, GateOptions(today=TODAY))
    assert relaxed.exit_code is ExitCode.PASSED and not relaxed.completeness.complete
    assert relaxed.completeness.reasons == (("source-not-audited", 1),)
    strict = decide(result, GateOptions(strict=True, today=TODAY))
    assert strict.exit_code is ExitCode.INPUT and strict.blocking[0].fact is gap
    accepted = decide(
        result, GateOptions(strict=True, today=TODAY), waivers({"package": "bin", "rule": "gap:*"})
    )
    assert accepted.exit_code is ExitCode.PASSED and accepted.completeness.waived == 1


def test_input_errors_and_empty_audits_never_pass() -> None:
    assert decide(audit({"ok": []}, errors=1), GateOptions(today=TODAY)).exit_code is ExitCode.INPUT
    empty = decide(audit({}), GateOptions(today=TODAY))
    assert empty.exit_code is ExitCode.INPUT and empty.nothing_audited
    assert ("nothing-audited", 1) in empty.completeness.reasons


def test_stale_and_expired_waivers() -> None:
    result = audit({"a": [unresolved(0, "a", "ghost")]})
    entries = waivers(
        {"package": "ghost-pkg", "id": "stale"},
        {"package": "a", "id": "old", "expires": datetime.date(2026, 1, 1)},
    )
    decision = decide(result, GateOptions(today=TODAY), entries)
    assert [w.id for w in decision.stale] == ["stale"] and [w.id for w in decision.expired] == ["old"]
    assert decision.exit_code is ExitCode.FINDINGS  # the expired waiver no longer waives
    assert decide(result, GateOptions(stale_waivers_block=True, today=TODAY), entries[:1]).stale_blocks


def test_the_decision_is_pure() -> None:
    result = audit({"a": [unresolved(0, "a", "ghost")], "b": [taint(1, "b", FactKind.DEPENDS)]})
    before = [(r.package.name, r.facts) for r in result.results]
    first = decide(result, GateOptions(today=TODAY), waivers({"package": "b"}))
    second = decide(result, GateOptions(today=TODAY), waivers({"package": "b"}))
    assert [(r.fact, r.disposition) for r in first.rulings] == [
        (r.fact, r.disposition) for r in second.rulings
    ]
    assert [(r.package.name, r.facts) for r in result.results] == before


def test_binaries_of_one_missing_source_each_have_its_gap_as_their_own_fact() -> None:
    """The gap, capability and text are shared by the binaries of one source package; the
    fact, its package and its fingerprint stay each binary's own."""
    made = MissingSources()

    def binary(name: str, sourcerpm: str) -> Package:
        return Package(name, None, "1.0", "1", "x86_64", PackageKind.BINARY, f"{name}.rpm", "in", sourcerpm)

    first = made.fact(0, binary("xapi-core", "xapi-1.0-1.src.rpm"))
    second = made.fact(1, binary("xapi-tests", "xapi-1.0-1.src.rpm"))
    other = made.fact(2, binary("sm", "sm-2.0-1.src.rpm"))
    expected = gap_fact(
        1, "xapi-tests", Gap(GapKind.SOURCE_NOT_AUDITED, "xapi-1.0-1.src.rpm is not among the inputs")
    )
    assert second == expected and second.fingerprint == expected.fingerprint
    assert (first.package, first.subject) == (0, "xapi-core") and first.fingerprint != second.fingerprint
    assert first.gap is second.gap and first.text == second.text == expected.text
    assert other.gap is not None and other.gap.detail == "sm-2.0-1.src.rpm is not among the inputs"


def test_a_taint_entry_from_before_taints_named_their_origin_package_accepts_only_that_one() -> None:
    def ends(name: str, category: Category, ends_at: str) -> Fact:
        capability = taint_capability(category, ends_at)
        return Fact(FactKind.DEPENDS, "status:depends", 0, name, capability, "t", category, ends_at=ends_at)

    same, other = ends("app", Category.CITRIX, "xlib"), ends("app", Category.PROPRIETARY, "blob")
    result = audit({"app": [same, other], "tool": [ends("tool", Category.CITRIX, "xlib")]})
    legacy = BaselineEntry(
        fingerprint=fingerprint("status:depends", "app", ""),
        kind="status:depends",
        package="app",
        capability="",
    )
    unknown = BaselineEntry(
        fingerprint=fingerprint("status:depends", "tool", ""),
        kind="status:depends",
        package="tool",
        capability="",
    )
    decision = decide(
        result, GateOptions(today=TODAY), baseline=Baseline([{**legacy, "ends_at": "xlib"}, unknown])
    )
    assert {(r.fact.subject, r.fact.ends_at, r.disposition) for r in decision.rulings} == {
        ("app", "xlib", Disposition.BASELINED),
        ("app", "blob", Disposition.BLOCKS),
        ("tool", "xlib", Disposition.BLOCKS),  # no ends_at recorded: it accepts nothing
    }
    assert decision.fixed == () and [entry["package"] for entry in decision.gone] == ["tool"]

    # Compared with a report written then, the same taint is unchanged, the other one is new.
    def side(*facts: FactRecord) -> Side:
        record = PackageRecord("app", "noarch", "app-1-1.noarch", EVR(None, "1", "1"), "depends", (), facts)
        return Side({("app", "noarch"): (record,)}, frozenset({"app", "xlib", "blob"}))

    def record(fact: Fact) -> FactRecord:
        return FactRecord(
            fact.fingerprint, "depends", fact.rule, "app", fact.capability, "t", True, fact.ends_at
        )

    before = FactRecord(legacy["fingerprint"], "depends", "status:depends", "app", "", "t", True, "xlib")
    changes = compare(side(before), side(record(same), record(other))).changes
    assert sorted((item.change.value, item.fact.capability) for item in changes) == [
        ("new", "proprietary:blob"),
        ("unchanged", "citrix:xlib"),
    ]


def test_waivers_found_by_name_decide_as_a_scan_in_file_order_does(monkeypatch: Any) -> None:
    """Waivers naming packages exactly are found by name (red team 7: every fact tried every
    waiver, minutes for thousands of waivers); a pattern is still tried in file order, and the
    first waiver that accepts a fact decides it, as a scan of the whole list does."""
    from tests.report_cases import audit_of
    from tests.report_cases import waiver as make_waiver

    specs: list[dict[str, Any]] = [{"name": "xenlicense", "vendor": "Citrix Systems, Inc."}]
    specs += [{"name": f"app{n}", "requires": ["xenlicense"]} for n in range(30)]
    audit = audit_of(specs)
    waivers = [make_waiver(f"unrelated{n}", f"w-unrelated{n}") for n in range(500)]
    waivers += [make_waiver("app1*", "w-pattern"), make_waiver("app12", "w-exact-after-pattern")]
    waivers += [make_waiver("app2", "w-exact"), make_waiver("app2*", "w-pattern-after-exact")]
    waivers += [make_waiver("xenlicense", "w-origin", arch="src")]  # matches no binary fact
    chosen = _decided_as_a_scan(audit, waivers)
    assert (
        chosen["app12"] == "w-pattern"
        and chosen["app2"] == "w-exact"
        and chosen["app20"] == "w-pattern-after-exact"
    )
    # Each fact tries the waivers that can name its package, not the 500 others.
    assert _waivers_tried(monkeypatch, audit, waivers) < 5 * len(audit.facts)


def _decided_as_a_scan(audit: Any, waivers: list[Any]) -> dict[str, str]:
    """The waiver each fact's ruling names (by package), each checked to be the first in file
    order that accepts the fact, as a scan of the whole list finds it."""
    decision = decide(audit, GateOptions(), waivers)
    for ruling in decision.rulings:
        package = audit.packages[ruling.fact.package] if ruling.fact.package is not None else None
        scanned = next((w for w in waivers if package and w.matches(ruling.fact, package, {})), None)
        assert ruling.waiver is scanned, ruling.fact.text
    return {r.fact.subject: r.waiver.id for r in decision.rulings if r.waiver is not None}


def _waivers_tried(monkeypatch: Any, audit: Any, waivers: list[Any]) -> int:
    """How many times a decision of ``audit`` with ``waivers`` tries a waiver against a fact."""
    from auditor.gate.waivers import Waiver

    tried = 0
    matches = Waiver.matches

    def counted(self: Waiver, *args: Any) -> bool:
        nonlocal tried
        tried += 1
        return matches(self, *args)

    monkeypatch.setattr(Waiver, "matches", counted)
    decide(audit, GateOptions(), waivers)
    return tried


def test_pattern_waivers_found_by_prefix_decide_as_a_scan_in_file_order_does(monkeypatch: Any) -> None:
    """Patterns are found by their literal prefix (red team 14: 2,000 ``abcde*`` waivers made each
    fact of a distribution try every pattern), or with none by their literal suffix (``*-devel``);
    a pattern with no prefix, a ``?`` or ``[`` in it,
    or matching only a binary's source package name, decides as a scan of the whole list does."""
    from tests.report_cases import audit_of
    from tests.report_cases import waiver as make_waiver

    specs: list[dict[str, Any]] = [{"name": "xenlicense", "vendor": "Citrix Systems, Inc."}]
    specs += [{"name": f"app{n}", "requires": ["xenlicense"]} for n in range(30)]
    specs += [{"name": "tool-extra", "requires": ["xenlicense"], "sourcerpm": "sm-3.5-1.src.rpm"}]
    audit = audit_of(specs)
    waivers = [make_waiver(f"unrelated{n}*", f"w-unrelated{n}") for n in range(500)]
    waivers += [make_waiver(f"*-unrelated{n}", f"w-unrelated-suffix{n}") for n in range(500)]
    waivers += [make_waiver("app1?", "w-question"), make_waiver("app[2-3]*", "w-class")]
    waivers += [make_waiver("app", "w-exact-prefix-only"), make_waiver("ap*1", "w-inner")]
    waivers += [make_waiver("s*", "w-source"), make_waiver("*9", "w-no-prefix")]
    waivers += [make_waiver("app[", "w-unmatched-bracket"), make_waiver("app0*", "w-late")]
    chosen = _decided_as_a_scan(audit, waivers)
    assert chosen["app12"] == "w-question" and chosen["app1"] == "w-inner"
    assert chosen["app25"] == "w-class" and chosen["app9"] == "w-no-prefix"
    assert chosen["tool-extra"] == "w-source" and chosen["app0"] == "w-late"
    assert _waivers_tried(monkeypatch, audit, waivers) < 5 * len(audit.facts)


def test_the_waiver_index_finds_what_a_scan_of_every_waiver_finds() -> None:
    """Differential, against fnmatch over every waiver in file order: random names (a binary's own
    and its source package's) and random patterns with a literal prefix, a literal suffix, both
    or neither, ``?``, bracket expressions (negated, holding ``]``, unterminated)."""
    import random

    from auditor.audit.facts import Fact, FactKind
    from auditor.gate.waivers import WaiverIndex
    from tests.report_cases import waiver as make_waiver
    from tests.universe import package

    chance = random.Random(14)
    letters = "ab-]["

    def name() -> str:
        return "".join(chance.choice("ab-") for _ in range(chance.randint(1, 6)))

    pieces = ["*", "?", "[ab]", "[!a]", "[]a]", "[", "]", *letters]
    patterns = ["".join(chance.choice(pieces) for _ in range(chance.randint(1, 5))) for _ in range(400)]
    waivers = [make_waiver(pattern, f"w{n}") for n, pattern in enumerate(patterns)]
    index = WaiverIndex(waivers)
    for _ in range(400):
        own, source = name(), name()
        subject = package({"name": own, "sourcerpm": f"{source}-1.0-1.src.rpm"})
        fact = Fact(FactKind.UNRESOLVED, "status:unresolved", 0, own, "cap", "t")
        found = [waiver.id for waiver in index.matching(fact, subject, {})]
        assert found == [waiver.id for waiver in waivers if waiver.matches(fact, subject, {})], (own, source)
