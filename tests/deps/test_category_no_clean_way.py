"""A package whose installation (or buildroot) needs one category's origin packages because one
of the other category rules their clean way out: each category's fact is found, as libsolv says.

``blob`` is proprietary, Requires ``liba`` (``cx-a``, Citrix's, or ``clean-a``) and Conflicts
with ``clean-a``: no installation of it does without ``cx-a``. The clean-way check
(`auditor.deps.cleanway`) asked only the packages outside every taint, so ``blob`` (origin) and
``app-pair`` (whose ``libp`` only the proprietary ``prop-p`` meets, which Conflicts with
``clean-a``) were found proprietary alone, and a waiver of the proprietary category passed
them; so did ``app-pair``'s build. Each category is now asked with the other's packages
allowed (`auditor.deps.propagation`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, PROPRIETARY, build_repository, libsolv_buildroot, libsolv_installs

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-a", "provides": ["liba"], **CITRIX},
    {"name": "clean-a", "provides": ["liba"]},
    {"name": "mid", "requires": ["liba"]},
    {"name": "prop-p", "provides": ["libp"], **PROPRIETARY},
    # Proprietary at once (libp), and Citrix through what it rules out below mid (seed 3).
    {"name": "app", "requires": ["libp", "mid"], "conflicts": ["clean-a"]},
    {"name": "app-user", "requires": ["app"]},
    # A proprietary package that rules out mid's clean way (seed 55), and its build.
    {"name": "blob", "requires": ["mid"], "conflicts": ["clean-a"], "buildrequires": ["mid", "a-hater"],
     **PROPRIETARY},
    # A buildroot that needs prop-p, and cx-a as a-hater rules out clean-a below mid.
    {"name": "a-hater", "conflicts": ["clean-a"]},
    {"name": "tool", "buildrequires": ["libp", "mid", "a-hater"]},
    # No clean way below either of two requirements, one of each category: both are needed.
    {"name": "prop-p2", "provides": ["libp2"], **PROPRIETARY},
    {"name": "clean-p2", "provides": ["libp2"]},
    {"name": "p-mid", "requires": ["libp2"]},
    {"name": "p2-hater", "conflicts": ["clean-p2"]},
    {"name": "app-two", "requires": ["p-mid", "mid"], "conflicts": ["clean-p2", "clean-a"]},
    {"name": "tool-two", "buildrequires": ["p-mid", "mid", "a-hater", "p2-hater"]},
    # The other way round: a Citrix package that needs a proprietary one.
    {"name": "prop-q", "provides": ["libq"], **PROPRIETARY},
    {"name": "clean-q", "provides": ["libq"]},
    {"name": "q-mid", "requires": ["libq"]},
    {"name": "cx-q", "requires": ["q-mid"], "conflicts": ["clean-q"], **CITRIX},
    # Twins with another clean way: libsolv installs them, and builds blob-ok, without Citrix.
    {"name": "cx-z", "provides": ["libz"], **CITRIX},
    {"name": "clean-z", "provides": ["libz"]},
    {"name": "clean-z2", "provides": ["libz"]},
    {"name": "z-mid", "requires": ["libz"]},
    {"name": "blob-ok", "requires": ["z-mid"], "conflicts": ["clean-z"], "buildrequires": ["libp", "z-mid", "z-hater"],
     **PROPRIETARY},
    {"name": "z-hater", "conflicts": ["clean-z"]},
]  # fmt: skip

CITRIX_NAMES = ["cx-a", "cx-q", "cx-z"]
PROPRIETARY_NAMES = ["blob", "prop-p", "prop-p2", "prop-q", "blob-ok"]

NEEDS = {
    "app": {("depends", "proprietary"), ("depends", "citrix")},
    "app-user": {("depends", "proprietary"), ("depends", "citrix")},
    "blob": {("origin", "proprietary"), ("depends", "citrix")},
    "app-two": {("depends", "proprietary"), ("depends", "citrix")},
    "cx-q": {("origin", "citrix"), ("depends", "proprietary")},
}
"""What each package's facts (kind, category) hold, beyond others."""

BUILDS = {
    "tool": {"proprietary", "citrix"},
    "tool-two": {"proprietary", "citrix"},
    "blob": {"citrix"},
}
"""The categories of each build, its source's and its binary's ``build-depends`` facts."""

WAIVER = """[[waiver]]
package = "*"
category = "proprietary"
reason = "we accept proprietary packages"
owner = "legal <legal@example.org>"
expires = 2099-01-01
"""


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("category"))


def _report(repository: Path, out: Path, *more: str) -> dict[str, dict[str, Any]]:
    args = [str(repository), str(repository.parent / "SRPMS"), "--no-source-discovery", "--no-cache", "-q"]
    code = main(["scan", *args, *more, "--format", "json", "-o", str(out)])
    assert code in (0, 1), code
    return {package["nevra"]: package for package in json.loads(out.read_text())["packages"]}


def test_libsolv_needs_what_the_cases_say(repository: Path) -> None:
    lock = {"citrix": CITRIX_NAMES, "proprietary": PROPRIETARY_NAMES}
    for name, needs in NEEDS.items():
        nevra = f"{name}-1.0-1.noarch"
        assert libsolv_installs(repository, nevra) is not None, name
        for kind, category in needs:
            if kind == "depends":
                assert libsolv_installs(repository, nevra, locked=lock[category]) is None, (name, category)
    for name, categories in BUILDS.items():
        assert libsolv_buildroot(repository, PACKAGES, name, locked=()) is not None, name
        for category in categories:
            assert libsolv_buildroot(repository, PACKAGES, name, locked=lock[category]) is None, (
                name,
                category,
            )
    assert libsolv_installs(repository, "blob-ok-1.0-1.noarch", locked=CITRIX_NAMES) is not None
    assert libsolv_buildroot(repository, PACKAGES, "blob-ok", locked=CITRIX_NAMES) is not None


def test_each_category_the_installation_needs_is_a_fact(repository: Path, tmp_path: Path) -> None:
    packages = _report(repository, tmp_path / "report.json")

    def facts(nevra: str) -> set[tuple[str, str | None]]:
        return {(fact["kind"], fact.get("category")) for fact in packages[nevra]["facts"]}

    for name, needs in NEEDS.items():
        assert needs <= facts(f"{name}-1.0-1.noarch"), name
    for name, categories in BUILDS.items():
        for nevra in (f"{name}-1.0-1.src", f"{name}-1.0-1.noarch"):
            assert {("build-depends", category) for category in categories} <= facts(nevra), nevra
    # With another clean way, none: blob-ok may take clean-z2.
    for nevra in ("blob-ok-1.0-1.noarch", "blob-ok-1.0-1.src"):
        assert not {("depends", "citrix"), ("build-depends", "citrix")} & facts(nevra), nevra


def test_a_waiver_of_the_other_category_does_not_pass_them(repository: Path, tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(WAIVER)
    packages = _report(repository, tmp_path / "report.json", "--waivers", str(waivers))
    for name in ("app", "app-user", "blob", "tool"):
        assert packages[f"{name}-1.0-1.noarch"]["blocking"], name
    assert packages["tool-1.0-1.src"]["blocking"]
    for name in ("prop-p", "prop-q", "blob-ok", "mid"):
        assert not packages[f"{name}-1.0-1.noarch"]["blocking"], name
