"""A package with a clean provider for each requirement, and no clean installation as a whole.

Asked one requirement at a time, each of these packages has a clean way, so it only
``may-depend`` (which does not block). libsolv, set up as dnf sets it (the ``solv`` wheel),
cannot install any of them with the Citrix packages locked out: `auditor.deps.cleanway` finds
that, and the package ``depends``. Each case is checked against libsolv, and each has a twin
with one more clean way, which stays ``may-depend`` as libsolv installs it. A source package
with the same BuildRequires is ``build-depends``: ``dnf builddep`` installs them in one
buildroot.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.audit.plan import make_plan
from auditor.cli.main import main
from auditor.deps.hops import Hop
from tests.deps.built import CITRIX, audit, build_repository, libsolv_installs, verdicts

CX = [
    "cx-a",
    "cx-b",
    "cx-d",
    "cx-k",
    "cx-q",
    "cx-r",
    "cx-r2",
    "cx-t",
    "cx-t3",
    "cx-v",
    "cx-one",
    "cx-e",
    "cx-y",
    "cx-m",
    "cx-n",
]

PACKAGES: list[dict[str, Any]] = [
    # Two requirements whose clean providers conflict (rt6's class A).
    {"name": "cx-a", "provides": ["liba"], **CITRIX},
    {"name": "clean-a", "provides": ["liba"], "conflicts": ["clean-b"]},
    {"name": "cx-b", "provides": ["libb"], **CITRIX},
    {"name": "clean-b", "provides": ["libb"]},
    {"name": "app-pair", "requires": ["liba", "libb"], "buildrequires": ["liba", "libb"]},
    {"name": "clean-b2", "provides": ["libb2"]},
    {"name": "cx-b2", "provides": ["libb2"], **CITRIX},
    {"name": "clean-b2-too", "provides": ["libb2"]},  # another clean way: libsolv installs it
    {"name": "app-pair-ok", "requires": ["liba", "libb2"]},
    # The conflict is with what the requirer needs deeper down (class B).
    {"name": "cx-k", "provides": ["libk"], **CITRIX},
    {"name": "clean-k", "provides": ["libk"]},
    {"name": "k-pal", "requires": ["k-deep"]},
    {"name": "k-deep", "conflicts": ["clean-k"]},
    {"name": "app-deep", "requires": ["libk", "k-pal"], "buildrequires": ["libk", "k-pal"]},
    # ... or with both sides of an `or` the requirer needs (class B).
    {"name": "k-or-1", "conflicts": ["clean-k"]},
    {"name": "k-or-2", "obsoletes": ["clean-k < 5"]},
    {"name": "k-or-3"},
    {"name": "app-or", "requires": ["libk", "(k-or-1 or k-or-2)"]},
    {"name": "app-or-ok", "requires": ["libk", "(k-or-1 or k-or-3)"]},
    # Not installable with Citrix either (breaker conflicts with it): not this module's answer.
    {"name": "breaker", "conflicts": ["broken"]},
    {"name": "broken", "requires": ["breaker", "libk", "k-pal"]},
    # ... nor when units alone leave libe with cx-e, which needs ke, which conflicts with it.
    {"name": "cx-e", "provides": ["libe"], "requires": ["libke"], **CITRIX},
    {"name": "ke", "provides": ["libke"], "conflicts": ["broken-too"]},
    {"name": "clean-e", "provides": ["libe"]},
    {"name": "e-mid", "requires": ["e-pal"]},
    {"name": "e-pal", "conflicts": ["clean-e"]},
    {"name": "broken-too", "requires": ["libe", "e-mid"]},
    # Only a buildroot needs both: the pair is found from the build side alone.
    {"name": "cx-m", "provides": ["libm"], **CITRIX},
    {"name": "clean-m", "provides": ["libm"], "conflicts": ["clean-n"]},
    {"name": "cx-n", "provides": ["libn"], **CITRIX},
    {"name": "clean-n", "provides": ["libn"]},
    {"name": "app-build-only", "buildrequires": ["libm", "libn"]},
    # Held back by cx-one alone, as each requirement is asked; by cx-a or cx-b too, as a whole.
    {"name": "cx-one", "provides": ["libone"], **CITRIX},
    {"name": "app-three", "requires": ["libone", "liba", "libb"]},
    # A sibling rules out what a dependency may choose (class C).
    {"name": "cx-d", "provides": ["libd"], **CITRIX},
    {"name": "clean-d", "provides": ["libd"]},
    {"name": "mid", "requires": ["libd"]},
    {"name": "pal", "conflicts": ["clean-d"]},
    {"name": "app-sibling", "requires": ["mid", "pal"]},
    {"name": "top", "requires": ["app-sibling"]},  # needs a package that depends: depends too
    # Two versions of one name are never installed together.
    {"name": "cx-q", "provides": ["libq"], **CITRIX},
    {"name": "clean-q", "evr": "1.0-1", "provides": ["libq"]},
    {"name": "clean-q", "evr": "2.0-1"},
    {"name": "app-name", "requires": ["libq", "clean-q >= 2.0"]},
    # A condition need not hold: libsolv installs app-if without x, so without liba.
    {"name": "x"},
    {"name": "app-if", "requires": ["(liba if x)", "libb"]},
    # Only trying each choice between clean providers shows it.
    {"name": "cx-r", "provides": ["libr"], **CITRIX},
    {"name": "clean-r1", "provides": ["libr"], "conflicts": ["s1", "s2"]},
    {"name": "clean-r2", "provides": ["libr"], "conflicts": ["s1", "s2"]},
    {"name": "s1", "provides": ["libs"]},
    {"name": "s2", "provides": ["libs"]},
    {"name": "app-choice", "requires": ["libr", "libs"]},
    {"name": "clean-r3", "provides": ["libr2"], "conflicts": ["s1"]},
    {"name": "clean-r4", "provides": ["libr2"], "conflicts": ["s1", "s2"]},
    {"name": "cx-r2", "provides": ["libr2"], **CITRIX},
    {"name": "app-choice-ok", "requires": ["libr2", "libs"]},
    # ... two levels down: each clean libt provider needs a libu, and every libu rules out libs.
    {"name": "cx-t", "provides": ["libt"], **CITRIX},
    {"name": "clean-t1", "provides": ["libt"], "requires": ["libu"]},
    {"name": "clean-t2", "provides": ["libt"], "requires": ["libu"]},
    {"name": "u1", "provides": ["libu"], "conflicts": ["s1", "s2"]},
    {"name": "u2", "provides": ["libu"], "obsoletes": ["s1", "s2"]},
    {"name": "app-choice-deep", "requires": ["libt", "libs"]},
    {"name": "u3", "provides": ["libu3"], "conflicts": ["s1", "s2"]},
    {"name": "u4", "provides": ["libu3"], "conflicts": ["s2"]},
    {"name": "clean-t3", "provides": ["libt3"], "requires": ["libu"]},
    {"name": "clean-t4", "provides": ["libt3"], "requires": ["libu3"]},
    {"name": "cx-t3", "provides": ["libt3"], **CITRIX},
    {"name": "app-choice-deep-ok", "requires": ["libt3", "libs"]},
    # ... each clean provider surely needs a package that conflicts with the requirer itself.
    {"name": "cx-v", "provides": ["libv", "libv3"], **CITRIX},
    {"name": "v1", "provides": ["libv"], "requires": ["libw"]},
    {"name": "v2", "provides": ["libv"], "requires": ["libw"]},
    {"name": "w", "provides": ["libw"], "conflicts": ["app-needs", "app-needs-ok"]},
    {"name": "app-needs", "requires": ["libv"]},
    {"name": "v3", "provides": ["libv3"], "requires": ["libw"]},
    {"name": "v4", "provides": ["libv3"]},
    {"name": "app-needs-ok", "requires": ["libv3"]},
    # ... through a package that is apart from nothing and has no mixed group, x-via: each
    # option of its libyz needs a package that conflicts with clean-y. (z, apart from g1, which
    # clean-y may choose, is what puts app-via in the screen's way.)
    {"name": "cx-y", "provides": ["liby"], **CITRIX},
    {"name": "clean-y", "provides": ["liby"], "requires": ["libg"]},
    {"name": "g1", "provides": ["libg"], "conflicts": ["z"]},
    {"name": "g2", "provides": ["libg"]},
    {"name": "z"},
    {"name": "yz1", "provides": ["libyz", "libyz3"], "requires": ["q1"]},
    {"name": "yz2", "provides": ["libyz"], "requires": ["q2"]},
    {"name": "yz3", "provides": ["libyz3"]},
    {"name": "q1", "conflicts": ["clean-y"]},
    {"name": "q2", "conflicts": ["clean-y"]},
    {"name": "x-via", "requires": ["libyz"]},
    {"name": "app-via", "requires": ["liby", "x-via", "z"]},
    {"name": "x-via-ok", "requires": ["libyz3"]},
    {"name": "app-via-ok", "requires": ["liby", "x-via-ok", "z"]},
]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("cleanway"))


@pytest.fixture(scope="module")
def found(repository: Path) -> dict[str, str]:
    return verdicts(audit(repository))


@pytest.mark.parametrize(
    ("package", "verdict"),
    [("app-pair", "depends"), ("app-pair-ok", "may-depend"), ("app-deep", "depends"), ("app-or", "depends"),
     ("app-or-ok", "may-depend"), ("app-sibling", "depends"), ("mid", "may-depend"), ("top", "depends"),
     ("app-name", "depends"), ("app-if", "may-depend")],
)  # fmt: skip
def test_no_clean_installation_depends_as_libsolv_says(
    repository: Path, found: dict[str, str], package: str, verdict: str
) -> None:
    nevra = f"{package}-1.0-1.noarch"
    assert found[nevra] == verdict
    assert libsolv_installs(repository, nevra) is not None
    assert (libsolv_installs(repository, nevra, locked=CX) is None) == (verdict == "depends")


@pytest.mark.parametrize("package", ["broken", "broken-too"])
def test_a_package_not_installable_at_all_is_not_said_to_need_citrix(
    repository: Path, found: dict[str, str], package: str
) -> None:
    """libsolv installs ``broken`` with no provider at all: what rules out its clean way
    (``k-deep``, through ``k-pal``) is beside the point, and it does not depend on Citrix.
    ``broken-too``'s only way left, cx-e, needs ke, which conflicts with it: unit propagation
    found no clean way and no choice, and said ``depends`` without asking whether cx-e could
    be held there at all."""
    nevra = f"{package}-1.0-1.noarch"
    assert libsolv_installs(repository, nevra) is None
    assert found[nevra] != "depends"


@pytest.mark.parametrize(
    ("package", "verdict"),
    [("app-choice", "depends"), ("app-choice-ok", "may-depend"), ("app-choice-deep", "depends"),
     ("app-choice-deep-ok", "may-depend"), ("app-needs", "depends"), ("app-needs-ok", "may-depend"),
     ("app-via", "depends"), ("app-via-ok", "may-depend")],
)  # fmt: skip
def test_what_only_a_search_through_choices_shows(
    repository: Path, found: dict[str, str], package: str, verdict: str
) -> None:
    """``app-choice`` needs libr and libs; each clean libr provider conflicts with both libs
    providers: no requirement is left with one clean provider, so unit propagation alone says
    nothing, and only trying each choice shows that libsolv cannot install it without cx-r.
    ``app-choice-deep``'s choices are two levels down (libt's providers each need a libu, and
    every libu conflicts with every libs: the screen asks it because s1 and s2 are apart from
    app-choice's clean libr providers; alone, it would not, as the README says).
    ``app-needs``'s libv providers each need w, which conflicts with ``app-needs``. ``app-via``
    holds the choice through ``x-via``, which is apart from nothing and was taken without
    walking what it may choose. Their twins have one choice that works."""
    nevra = f"{package}-1.0-1.noarch"
    assert libsolv_installs(repository, nevra) is not None
    assert (libsolv_installs(repository, nevra, locked=CX) is None) == (verdict == "depends")
    assert found[nevra] == verdict


def test_the_chain_names_the_choice_none_of_whose_clean_providers_is_a_way(repository: Path) -> None:
    result = audit(repository)
    by_nevra = {r.package.nevra: r for r in result.results}
    chain: list[Hop] = list(by_nevra["app-choice-1.0-1.noarch"].chain)
    assert [result.packages[hop.target].name for hop in chain] == ["cx-r"]
    assert chain[0].requirement == (
        "libr [no clean way: an installation of app-choice cannot hold clean-r1, clean-r2 with s1, s2]"
    )


def test_the_chain_names_what_rules_the_clean_way_out_in_each_choice(repository: Path) -> None:
    """``app-via``'s clean-y is ruled out by q1 when x-via takes yz1, by q2 when it takes yz2:
    the hop named q1 alone, as if an installation avoiding q1 had a clean way."""
    result = audit(repository)
    by_nevra = {r.package.nevra: r for r in result.results}
    chain: list[Hop] = list(by_nevra["app-via-1.0-1.noarch"].chain)
    assert [result.packages[hop.target].name for hop in chain] == ["cx-y"]
    assert (
        chain[0].requirement
        == "liby [no clean way: an installation of app-via cannot hold clean-y with q1, q2]"
    )


@pytest.mark.parametrize("source", ["app-pair", "app-deep", "app-build-only"])
def test_a_buildroot_with_no_clean_way_build_depends(found: dict[str, str], source: str) -> None:
    assert found[f"{source}-1.0-1.src"] == "build-depends"


def test_the_chain_names_what_rules_the_clean_way_out(repository: Path) -> None:
    result = audit(repository)
    by_nevra = {r.package.nevra: r for r in result.results}
    chain: list[Hop] = list(by_nevra["app-sibling-1.0-1.noarch"].chain)
    names = [result.packages[hop.target].name for hop in chain]
    assert names == ["mid", "cx-d"]
    last = chain[-1]
    assert last.requirement.startswith(
        "libd [no clean way: an installation of app-sibling cannot hold clean-d with pal]"
    )
    assert (last.alternatives, last.tainted) == (2, 1)
    # A package that needs it: its chain runs through it, to the same Citrix package.
    top = [result.packages[hop.target].name for hop in by_nevra["top-1.0-1.noarch"].chain]
    assert top == ["app-sibling", "mid", "cx-d"]


def test_it_blocks_and_every_format_says_why(
    repository: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    code = main(["scan", str(repository), str(repository.parent / "SRPMS"), "--no-cache", "-o", str(report)])
    assert code == 1
    packages = {p["nevra"]: p for p in json.loads(report.read_text())["packages"]}
    pair = packages["app-pair-1.0-1.noarch"]
    assert pair["status"] == "depends" and pair["blocking"]
    assert "no clean way" in json.dumps(pair["chain"])
    assert main(["scan", str(repository), "--no-cache", "--format", "table"]) == 1
    assert "no clean way: an installation of app-pair cannot hold" in capsys.readouterr().out


def test_the_plan_does_not_say_a_replacement_clears_what_still_has_no_clean_way(repository: Path) -> None:
    """Replacing cx-one leaves app-three each requirement a clean provider, and still no clean
    installation (clean-a conflicts with clean-b): it does not clear, and the plan says so."""
    result = audit(repository)
    plan = make_plan(result)
    names = {item.source: {result.packages[index].name for index in item.holds_back} for item in plan.items}
    assert "app-three" not in names["cx-one"]
    assert "app-three-1.0-1.noarch" in {
        r.package.nevra for r in result.results if r.verdict.value == "depends"
    }
