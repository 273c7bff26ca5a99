"""A provider the package cannot be installed with is no alternative for it.

dnf never installs a package with one it conflicts with or obsoletes, whichever of the two
declares it (libsolv makes each a "not both" rule), so a clean provider in that position
cannot spare the package the tainted one: ``depends``, not ``may-depend``.
"""

from __future__ import annotations

from typing import Any

from auditor.audit.facttext import hop_text
from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.audit.result import AuditResult
from auditor.origin.policy import load_policy
from auditor.sources.interface import LoadResult
from tests.universe import universe

CITRIX = {"vendor": "Citrix Systems, Inc."}

PROVIDERS: list[dict[str, Any]] = [
    {"name": "taint", **CITRIX, "evr": "1:2.0-1", "provides": ["virt-multi", "virt-only"]},
    {"name": "cleanalt", "evr": "1.0-1", "provides": ["virt-multi"]},
]


def audit(specs: list[dict[str, Any]]) -> AuditResult:
    return audit_packages(
        AuditOptions(targets=("universe",)), load_policy(), LoadResult(packages=universe(specs)), LoadResult()
    )


def verdicts(result: AuditResult) -> dict[str, str]:
    return {r.package.name + ("/src" if r.package.is_source else ""): r.verdict.value for r in result.results}


def unresolved(result: AuditResult) -> list[tuple[str, str]]:
    return [(r.package.name, str(dep.dependency)) for r in result.results for dep in r.unresolved]


def requirer(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "requires": ["virt-multi"], **fields}


def test_conflicts_with_the_clean_provider_depends() -> None:
    result = audit([*PROVIDERS, requirer("app", conflicts=["cleanalt"])])
    assert verdicts(result)["app"] == "depends"
    (row,) = (r for r in result.results if r.package.name == "app")
    (hop,) = row.chain
    assert (hop.requirement, hop.alternatives, hop.tainted, hop.excluded) == ("virt-multi", 1, 1, 1)
    # The words agree with the verdict: the clean provider is said to be left out, not counted.
    assert hop_text(hop, result.packages) == (
        "needs taint-1:2.0-1.noarch (for virt-multi, 1 of 1 installable providers tainted,"
        " 1 excluded (dnf would not install them with it))"
    )


def test_obsoleting_the_clean_provider_depends() -> None:
    result = audit([*PROVIDERS, requirer("app", obsoletes=["cleanalt"])])
    assert verdicts(result)["app"] == "depends"


def test_a_clean_provider_that_conflicts_with_or_obsoletes_the_package_is_no_alternative() -> None:
    result = audit(
        [
            PROVIDERS[0],
            {"name": "cleanalt", "provides": ["virt-multi"], "conflicts": ["app-a"], "obsoletes": ["app-b"]},
            requirer("app-a"),
            requirer("app-b"),
        ]
    )
    assert verdicts(result) == {
        "taint": "origin",
        "cleanalt": "clean",
        "app-a": "depends",
        "app-b": "depends",
    }


def test_versions_decide_whether_a_conflict_or_obsolete_applies() -> None:
    result = audit(
        [
            *PROVIDERS,  # cleanalt is 1.0-1
            requirer("conflicts-older", conflicts=["cleanalt < 1.0"]),
            requirer("conflicts-it", conflicts=["cleanalt < 2.0"]),
            requirer("obsoletes-newer", obsoletes=["cleanalt > 1.0-1"]),
            requirer("obsoletes-it", obsoletes=["cleanalt <= 1.0-1"]),
            # Conflicts match provides (versioned ones by their version), Obsoletes only names.
            requirer("conflicts-provide", conflicts=["virt-multi = 5"]),
            requirer("obsoletes-provide", obsoletes=["virt-multi"]),
        ]
    )
    assert verdicts(result) == {
        "taint": "origin",
        "cleanalt": "clean",
        "conflicts-older": "may-depend",
        "conflicts-it": "depends",
        "obsoletes-newer": "may-depend",
        "obsoletes-it": "depends",
        "conflicts-provide": "may-depend",
        "obsoletes-provide": "may-depend",
    }


def test_another_clean_provider_still_leaves_a_choice() -> None:
    result = audit(
        [
            *PROVIDERS,
            {"name": "cleanother", "provides": ["virt-multi"]},
            requirer("app", conflicts=["cleanalt"]),
        ]
    )
    assert verdicts(result)["app"] == "may-depend"
    (row,) = (r for r in result.results if r.package.name == "app")
    (hop,) = row.chain
    assert (hop.alternatives, hop.tainted, hop.excluded) == (2, 1, 1)
    assert (
        "1 of 2 installable providers tainted, 1 excluded (dnf would not install them with it)"
        in hop_text(hop, result.packages)
    )


def test_a_tainted_provider_the_package_cannot_have_does_not_taint_it() -> None:
    result = audit([*PROVIDERS, requirer("app", conflicts=["taint"])])
    assert verdicts(result)["app"] == "clean"


def test_a_package_still_satisfies_itself() -> None:
    # The exclusive-alternative idiom: provide a capability and conflict with every other provider.
    result = audit([*PROVIDERS, requirer("self", provides=["virt-multi"], conflicts=["virt-multi"])])
    assert verdicts(result)["self"] == "clean"
    graph = result.graph
    (index,) = (r.index for r in result.results if r.package.name == "self")
    assert index not in graph.runtime  # a requirement it meets itself needs no other package


def test_build_conflicts_keep_a_provider_out_of_the_buildroot() -> None:
    result = audit(
        [
            *PROVIDERS,
            {"name": "app", "arch": "src", "requires": ["virt-multi"], "conflicts": ["cleanalt"]},
            {"name": "other", "arch": "src", "requires": ["virt-multi"]},
        ]
    )
    assert verdicts(result) == {
        "taint": "origin",
        "cleanalt": "clean",
        "app/src": "build-depends",
        "other/src": "may-depend",  # its buildroot may take either provider
    }


def test_unresolved_requirements_do_not_change() -> None:
    specs: list[dict[str, Any]] = [
        *PROVIDERS,
        {"name": "solo", "provides": ["virt-solo"]},
        requirer("app", conflicts=["cleanalt"]),
        # Every provider excluded: the graph keeps the group whole, as before, rather than
        # making a requirement the resolver satisfies look unresolved.
        {"name": "only-clean", "requires": ["virt-solo"], "conflicts": ["solo"]},
        {"name": "only-tainted", "requires": ["virt-only"], "obsoletes": ["taint"]},
        {"name": "missing", "requires": ["virt-missing", "virt-multi"], "conflicts": ["cleanalt"]},
    ]
    result = audit(specs)
    assert verdicts(result) == {
        "taint": "origin",
        "cleanalt": "clean",
        "solo": "clean",
        "app": "depends",
        "only-clean": "clean",
        "only-tainted": "depends",
        "missing": "depends",
    }
    assert unresolved(result) == [("missing", "virt-missing")]
    # The same as with no Conflicts or Obsoletes at all: the resolver's answer, which the
    # differential tests compare with libsolv's and dnf repoclosure's.
    plain = audit([{k: v for k, v in spec.items() if k not in ("conflicts", "obsoletes")} for spec in specs])
    assert unresolved(plain) == unresolved(result)
    assert result.graph.unresolved == plain.graph.unresolved


def test_the_json_report_says_how_many_providers_a_hop_left_out() -> None:
    """Every output says it as the text does, and the report stays valid for its schema."""
    import json

    import jsonschema

    from auditor.gate.decision import decide
    from auditor.reports.json_report import render
    from auditor.reports.view import build_view
    from tests.paths import ROOT

    result = audit([*PROVIDERS, requirer("app", conflicts=["cleanalt"]), requirer("other")])
    document = json.loads(render(build_view(result, decide(result))))
    jsonschema.validate(document, json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text()))
    chains = {p["name"]: p["chain"] for p in document["packages"]}
    assert [(hop["alternatives"], hop["tainted"], hop.get("excluded")) for hop in chains["app"]] == [
        (1, 1, 1)
    ]
    assert [(hop["alternatives"], hop["tainted"], hop.get("excluded")) for hop in chains["other"]] == [
        (2, 1, None)
    ]


def test_the_plans_chains_say_how_many_providers_a_hop_left_out() -> None:
    """`auditor plan` and the HTML page follow the same hops as the verdict, with the same note."""
    from auditor.audit.plan import DependentsFinder

    result = audit([*PROVIDERS, requirer("app", conflicts=["cleanalt"])])
    index = {r.package.name: r.index for r in result.results}
    dependents = DependentsFinder(result).of([index["taint"]])
    (hop,) = dependents.chain(index["app"])
    assert (hop.alternatives, hop.tainted, hop.excluded) == (1, 1, 1)
    assert hop == next(r for r in result.results if r.package.name == "app").chain[0]
