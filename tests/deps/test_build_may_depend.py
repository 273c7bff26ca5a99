"""A BuildRequires that a tainted package may meet, beside a clean one, is `may-depend`.

At run time a requirement with a Citrix and a clean provider is `may-depend`: dnf may take
either. ``dnf builddep`` and mock choose the same way for a buildroot, so ``alt``, whose
``BuildRequires: tool`` Citrix's ``cx-tool`` or the clean ``own-tool`` meets, may be built
with Citrix's package in its buildroot; it said `clean`, and ``--fail-on may-depend`` passed
it. Its binary, built from it, is `may-depend` as a binary of a `build-depends` source is
`build-depends`. So is a source whose BuildRequires a package that may need Citrix at run
time meets (``via-mid``), or a blocked binary (``via-held``: ``held`` cannot be rebuilt
without ``cx-zz``). A BuildRequires only tainted packages meet stays `build-depends`, and one
only clean packages meet, `clean`. Each is held to libsolv, set up as ``dnf builddep``
installs a buildroot: a buildroot holding the tainted package exists, and one without it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, audit, build_repository, libsolv_installs, verdicts

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-tool", "provides": ["tool"], **CITRIX},
    {"name": "own-tool", "provides": ["tool"]},
    {"name": "alt", "buildrequires": ["tool"]},
    {"name": "mid", "requires": ["tool"]},
    {"name": "via-mid", "buildrequires": ["mid"]},
    {"name": "cx-zz", **CITRIX},
    {"name": "held", "provides": ["libh"], "buildrequires": ["cx-zz"]},
    {"name": "other-h", "provides": ["libh"]},
    {"name": "via-held", "buildrequires": ["libh"]},
    {"name": "only-cx", "buildrequires": ["cx-tool"]},
    {"name": "only-own", "buildrequires": ["own-tool"]},
]
# (source, its status, the tainted package a buildroot may hold, the first hop's target)
SOURCES = [
    ("alt", "may-depend", "cx-tool", "cx-tool"),
    ("via-mid", "may-depend", "cx-tool", "mid"),
    ("via-held", "may-depend", "held", "held"),
    ("only-cx", "build-depends", "cx-tool", "cx-tool"),
    ("only-own", "clean", None, None),
]
LOCKED = ["cx-tool", "cx-zz", "held"]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_repository(PACKAGES, tmp_path_factory.mktemp("buildmay"))


@pytest.fixture(scope="module")
def report(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("buildmay-report") / "report.json"
    targets = [str(repository), str(repository.parent / "SRPMS")]
    code = main(["scan", *targets, "--no-cache", "--fail-on", "none", "--format", "json", "-o", str(out)])
    assert code == 0
    document: dict[str, Any] = json.loads(out.read_text())
    return document


@pytest.mark.parametrize(("name", "status", "tainted", "first"), SOURCES)
def test_a_buildroot_that_may_hold_a_tainted_package(
    repository: Path, report: dict[str, Any], name: str, status: str, tainted: str | None, first: str | None
) -> None:
    buildrequires = next(one for one in PACKAGES if one["name"] == name)["buildrequires"]
    clean_way = libsolv_installs(repository, "", also=buildrequires, locked=LOCKED)
    assert (clean_way is not None) == (status != "build-depends")
    if tainted is not None:
        assert libsolv_installs(repository, "", also=[*buildrequires, tainted]) is not None
    found = verdicts(audit(repository))
    assert found[f"{name}-1.0-1.src"] == status
    assert found[f"{name}-1.0-1.noarch"] == status
    (source,) = (p for p in report["packages"] if p["nevra"] == f"{name}-1.0-1.src")
    assert source["status"] == status
    if first is not None:
        hop = source["chain"][0]
        assert (hop["kind"], hop["to"].split("-1.0-1")[0]) == ("buildrequires", first)
