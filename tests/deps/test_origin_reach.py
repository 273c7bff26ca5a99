"""What a taint reaches (`auditor.audit.reach`), read from strongly connected components, is
what the closure of the package's requirements holds: the definition, computed the slow way,
on real packages (rpmbuild, createrepo_c) with cycles, alternatives and build requirements."""

from __future__ import annotations

from pathlib import Path

from auditor.audit.facts import Fact, FactKind
from auditor.audit.reach import OriginReach
from auditor.audit.result import AuditResult
from auditor.gate.audit_side import side_of_audit
from auditor.gate.decision import decide
from auditor.gate.options import GateOptions
from tests.deps.built import CITRIX, audit, build_repository

TAINTS = (FactKind.DEPENDS, FactKind.MAY_DEPEND, FactKind.BUILD_DEPENDS)


def by_closure(result: AuditResult, fact: Fact) -> frozenset[str]:
    """The origin packages of the fact's category in the closure of its roots, one BFS each: for
    a build taint, the run-time closure of its source's build requirements, and of the build
    requirements of the source packages those were built from, and so on (a build chain)."""
    graph = result.graph
    assert fact.package is not None and fact.category is not None
    if fact.kind is FactKind.BUILD_DEPENDS:
        package = fact.package
        pending = list((package,) if graph.packages[package].is_source else graph.sources_of(package))
        seen, roots = set(pending), set()
        while pending:
            members = {m for group in graph.build.get(pending.pop(), []) for m in group.members}
            roots |= members
            for source in {one for member in members for one in graph.sources_of(member)} - seen:
                seen.add(source)
                pending.append(source)
    else:
        roots = {fact.package}
    categories = OriginReach(graph, result.findings).categories
    return frozenset(
        graph.packages[index].name
        for index in graph.runtime_closure(roots)
        if index != fact.package and fact.category in categories.get(index, ())
    )


def test_reach_is_the_closure_of_the_requirements_through_cycles_and_alternatives(tmp_path: Path) -> None:
    chain = [{"name": f"hop{n}", "requires": [f"hop{n + 1}"]} for n in range(30)]
    repo = build_repository(
        [
            {"name": "app", "requires": ["ring-a", "either"], "buildrequires": ["tool"]},
            # A cycle whose members reach two Citrix packages, one of them inside it.
            {"name": "ring-a", "requires": ["ring-b"]},
            {"name": "ring-b", "requires": ["ring-c", "xlib"]},
            {"name": "ring-c", "requires": ["ring-a", "zlib"], **CITRIX},
            {"name": "xlib", **CITRIX},
            {"name": "zlib", "requires": ["ring-b"], **CITRIX},
            # Two providers of one capability: both are counted.
            {"name": "either-one", "provides": ["either"], "requires": ["hop0"]},
            {"name": "either-two", "provides": ["either"]},
            *chain,
            {"name": "hop30", "requires": ["deep"]},
            {"name": "deep", **CITRIX},
            {"name": "tool", "requires": ["tlib"]},
            {"name": "tlib", **CITRIX},
        ],
        tmp_path,
    )
    result = audit(repo)
    reach = result.origin_reach
    taints = [fact for fact in result.facts if fact.kind in TAINTS and fact.package is not None]
    assert len(taints) > 30
    for fact in taints:
        assert reach.names(fact) == by_closure(result, fact), fact.text
    app = next(
        f for f in taints if f.kind is FactKind.DEPENDS and result.packages[f.package or 0].name == "app"
    )
    assert reach.names(app) == frozenset({"ring-c", "xlib", "zlib", "deep"})
    built = next(f for f in taints if f.kind is FactKind.BUILD_DEPENDS and f.subject == "app")
    assert reach.names(built) == frozenset({"tlib"})
    # Asked again, in another order: the components recorded on the way answer the same.
    again = result.origin_reach.__class__(result.graph, result.findings)
    for fact in reversed(taints):
        assert again.names(fact) == reach.names(fact)


def test_packages_reaching_the_same_origin_packages_share_one_set_of_names(tmp_path: Path) -> None:
    """n packages needing one that needs k Citrix packages: each taint reaches the same k names,
    and one set of them is made, not n (2,000 x 2,000: 800 MB in `auditor diff`'s two audits).
    A Citrix package in a cycle, inside what it reaches, still leaves itself out."""
    repo = build_repository(
        [
            *({"name": f"ctx{n}", **CITRIX} for n in range(3)),
            {"name": "ctx-loop", "requires": ["hub"], **CITRIX},
            {"name": "hub", "requires": ["ctx0", "ctx1", "ctx2", "ctx-loop"]},
            *({"name": f"user{n}", "requires": ["hub"]} for n in range(4)),
        ],
        tmp_path,
    )
    result = audit(repo)
    reach = result.origin_reach
    taints = {
        result.packages[fact.package].name: fact
        for fact in result.facts
        if fact.kind is FactKind.DEPENDS and fact.package is not None
    }
    names = [reach.names(taints[f"user{n}"]) for n in range(4)]
    assert names[0] == frozenset({"ctx0", "ctx1", "ctx2", "ctx-loop"})
    assert all(found is names[0] for found in names), "one set of names per distinct answer"
    assert reach.names(taints["hub"]) is names[0]
    assert reach.names(taints["ctx-loop"]) == frozenset({"ctx0", "ctx1", "ctx2"})
    for fact in taints.values():
        assert reach.names(fact) == by_closure(result, fact)
    # A side of a comparison (`auditor diff`, `check`) keeps that one set too, not a copy per taint.
    side = side_of_audit(result, decide(result, GateOptions()))
    assert all(side.reach(taints[f"user{n}"].fingerprint) is names[0] for n in range(4))


def test_a_build_taint_reaches_what_building_its_build_requirements_needs(tmp_path: Path) -> None:
    """A build chain runs through a build requirement's own source package (`held`, clean to
    install, built with Citrix ``zlib``): what app's build reaches includes ``zlib``, or a baseline
    entry accepting app's build on ``xlib`` accepted it coming to need ``held`` (red team 36), and
    `check` and `diff` said nothing got worse. Cycles of build requirements end."""
    repo = build_repository(
        [
            {"name": "app", "buildrequires": ["xlib", "held"]},
            {"name": "held", "buildrequires": ["zlib", "ring"]},
            {"name": "ring", "buildrequires": ["held"]},  # held and ring are built with each other
            {"name": "other", "buildrequires": ["app"]},
            {"name": "xlib", **CITRIX},
            {"name": "zlib", **CITRIX},
        ],
        tmp_path,
    )
    result = audit(repo)
    reach = result.origin_reach
    build = {
        (result.packages[fact.package].name, result.packages[fact.package].is_source): fact
        for fact in result.facts
        if fact.kind is FactKind.BUILD_DEPENDS and fact.package is not None
    }
    assert build[("app", True)].ends_at == "xlib", "the nearest origin package names the fact"
    for name in ("app", "other"):
        for is_source in (True, False):
            assert reach.names(build[(name, is_source)]) == frozenset({"xlib", "zlib"})
    assert reach.names(build[("ring", True)]) == frozenset({"zlib"})
    for fact in build.values():
        assert reach.names(fact) == by_closure(result, fact), fact.text
