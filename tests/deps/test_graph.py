"""Verdict propagation: origin, depends, may-depend, build-depends, unresolved, clean, with chains."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.gate.decision import decide
from auditor.gate.options import GateOptions
from auditor.origin.findings import Verdict
from auditor.origin.policy import load_policy
from auditor.sources.interface import LoadResult
from tests.universe import universe

CITRIX = {"vendor": "Citrix Systems, Inc."}


def run(specs: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    packages = universe(specs)
    audit = audit_packages(
        AuditOptions(targets=("universe",), **options),
        load_policy(),
        LoadResult(packages=packages),
        LoadResult(),
    )
    return {result.package.nevra: result for result in audit.results}


def verdicts(results: dict[str, Any]) -> dict[str, str]:
    return {
        nevra.rsplit("-", 2)[0] + ("/src" if nevra.endswith(".src") else ""): r.verdict.value
        for nevra, r in results.items()
    }


def test_depends_may_depend_and_clean() -> None:
    results = run(
        [
            {"name": "citrix", **CITRIX, "provides": ["licensing"]},
            {"name": "free", "provides": ["licensing"]},
            {"name": "direct", "requires": ["citrix"]},
            {"name": "twohops", "requires": ["direct"]},
            {"name": "choice", "requires": ["licensing"]},
            {"name": "richchoice", "requires": ["(citrix or free)"]},
            {"name": "abovechoice", "requires": ["choice"]},
            {"name": "clean", "requires": ["free"]},
            {"name": "conditional", "requires": ["(citrix if nothing)"]},
        ]
    )
    assert verdicts(results) == {
        "citrix": "origin",
        "free": "clean",
        "direct": "depends",
        "twohops": "depends",
        "choice": "may-depend",
        "richchoice": "may-depend",
        "abovechoice": "may-depend",
        "clean": "clean",
        "conditional": "clean",
    }
    chain = results["twohops-1.0-1.noarch"].chain
    assert [(hop.kind, hop.requirement) for hop in chain] == [("requires", "direct"), ("requires", "citrix")]


def test_cycles_do_not_taint_on_their_own_and_do_propagate() -> None:
    results = run(
        [
            {"name": "a", "requires": ["b"]},
            {"name": "b", "requires": ["a"]},
            {"name": "c", "requires": ["d", "citrix"]},
            {"name": "d", "requires": ["c"]},
            {"name": "e", "requires": ["d"]},
            {"name": "citrix", **CITRIX},
        ]
    )
    assert verdicts(results) == {
        "a": "clean",
        "b": "clean",
        "c": "depends",
        "d": "depends",
        "e": "depends",
        "citrix": "origin",
    }
    assert len(results["e-1.0-1.noarch"].chain) == 3


def test_all_alternatives_tainted_is_depends() -> None:
    results = run(
        [
            {"name": "x", "requires": ["(c1 or c2)"]},
            {"name": "c1", **CITRIX},
            {"name": "c2", "requires": ["c1"]},
        ]
    )
    assert verdicts(results)["x"] == "depends"
    assert results["x-1.0-1.noarch"].chain[0].alternatives == 2


def test_build_depends() -> None:
    results = run(
        [
            {"name": "tool", **CITRIX},
            {"name": "lib", "requires": ["tool"]},
            {"name": "app", "arch": "src", "requires": ["lib", "gcc"]},
            {"name": "app", "sourcerpm": "app-1.0-1.src.rpm"},
            {"name": "gcc"},
            {"name": "other", "arch": "src", "requires": ["gcc"]},
        ]
    )
    assert verdicts(results) == {
        "tool": "origin",
        "lib": "depends",
        "app/src": "build-depends",
        "app": "build-depends",
        "gcc": "clean",
        "other/src": "clean",
    }
    binary_chain = results["app-1.0-1.noarch"].chain
    assert [hop.kind for hop in binary_chain] == ["built-from", "buildrequires", "requires"]


def test_unresolved_and_fail_on() -> None:
    packages = universe([{"name": "lonely", "requires": ["ghost"]}])
    audit = audit_packages(
        AuditOptions(targets=("universe",)), load_policy(), LoadResult(packages=packages), LoadResult()
    )
    (result,) = audit.results
    assert result.verdict is Verdict.UNRESOLVED
    assert not decide(audit, GateOptions(fail_on=frozenset({Verdict.ORIGIN}))).blocks(result.index)
    assert decide(audit).blocks(result.index)
    assert [str(r.dependency) for r in result.unresolved] == ["ghost"]


def test_roots_restrict_the_audit() -> None:
    results = run(
        [
            {"name": "meta", "requires": ["app"]},
            {"name": "app", "requires": ["lib"]},
            {"name": "lib"},
            {"name": "unrelated", **CITRIX},
        ],
        roots=("meta",),
    )
    assert sorted(verdicts(results)) == ["app", "lib", "meta"]


WEAK_UNIVERSE: list[dict[str, Any]] = [
    {"name": "meta", "requires": ["app"], "recommends": ["vendor-agent"]},
    {"name": "app"},
    {"name": "vendor-agent", "requires": ["vendor-lib"], **CITRIX},
    {"name": "vendor-lib"},
    {"name": "app-plugin", "supplements": ["app"]},
    {"name": "pair-plugin", "supplements": ["(app and vendor-lib)"]},
    {"name": "other-plugin", "supplements": ["(app and unrelated)"]},
    {"name": "suggested", "suggests": ["app"]},
    {"name": "unrelated", **CITRIX},
]


def test_roots_pull_in_what_dnf_installs_by_default() -> None:
    """dnf installs a root's Recommends (and what they require), and a package whose
    Supplements the installed ones meet (install_weak_deps=True): a Citrix package that a
    meta-package only recommends is installed with it all the same, and audited."""
    results = run(WEAK_UNIVERSE, roots=("meta",))
    assert verdicts(results) == {
        "app": "clean",
        "app-plugin": "clean",
        "meta": "clean",  # a weak dependency carries no verdict; what it pulls in is audited
        "pair-plugin": "clean",
        "vendor-agent": "origin",
        "vendor-lib": "clean",
    }
    assert all(not r.weak_unresolved for r in results.values())  # reported with --weak only


def test_roots_follow_requires_only_without_weak_dependencies() -> None:
    """As yum installs, and dnf with install_weak_deps=False (--no-install-weak-deps)."""
    results = run(WEAK_UNIVERSE, roots=("meta",), install_weak_deps=False)
    assert sorted(verdicts(results)) == ["app", "meta"]


def test_context_packages_resolve_and_carry_taint_but_are_not_reported() -> None:
    packages = universe([{"name": "app", "requires": ["base"]}])
    context = universe([{"name": "base", "requires": ["vendorlib"]}, {"name": "vendorlib", **CITRIX}])
    audit = audit_packages(
        AuditOptions(targets=("t",)),
        load_policy(),
        LoadResult(packages=packages),
        LoadResult(packages=context),
    )
    assert [(r.package.name, r.verdict.value) for r in audit.results] == [("app", "depends")]


def test_resolutions_are_released_after_the_facts_and_cannot_be_read_as_empty() -> None:
    """The facts hold the unresolved requirements; the audit then lets the resolutions go, and
    a later reader gets an error rather than an empty map that would look like a clean run."""
    packages = universe([{"name": "a", "requires": ["missing"]}])
    audit = audit_packages(
        AuditOptions(targets=("universe",)), load_policy(), LoadResult(packages=packages), LoadResult()
    )
    assert [fact.text for result in audit.results for fact in result.facts if fact.resolution]
    with pytest.raises(RuntimeError, match="released"):
        audit.resolved.requirements  # noqa: B018
    with pytest.raises(RuntimeError, match="released"):
        audit.resolved.unresolved()


def test_a_binary_is_built_from_the_audited_source_package_of_its_name_not_a_contexts() -> None:
    """An audited SRPM and a context SRPM of the same N-V-R (the same file name): the binary's
    built-from edge and the evidence it inherits come from one and the same, the audited one
    (the audited inputs are read first)."""
    packages = universe(
        [
            {"name": "app", "arch": "src", "requires": ["gcc"]},
            {"name": "app", "sourcerpm": "app-1.0-1.src.rpm"},
            {"name": "gcc"},
        ]
    )
    context = universe([{"name": "app", "arch": "src", "requires": ["tool"]}, {"name": "tool", **CITRIX}])
    audit = audit_packages(
        AuditOptions(targets=("t",)),
        load_policy(),
        LoadResult(packages=packages),
        LoadResult(packages=context),
    )
    assert {r.package.nevra: r.verdict.value for r in audit.results} == {
        "app-1.0-1.src": "clean",
        "app-1.0-1.noarch": "clean",
        "gcc-1.0-1.noarch": "clean",
    }
