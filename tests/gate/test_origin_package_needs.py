"""Waiving an origin package's own evidence does not accept what it needs, read together.

``app`` requires ``lib``, which Citrix's ``cx`` and the clean ``alt`` provide; ``alt`` requires
``x``, whose one provider ``xprov`` conflicts with ``app``: libsolv cannot install app without
cx. A clean ``app`` is `depends` on cx ("no clean way"). A Citrix ``app`` (its Vendor) was only
`may-depend` on cx: the clean-way check (`auditor.deps.cleanway`) asks no package tainted
already, and an origin package is. So a release whose waivers accept both packages' evidence
(``status = "origin"``), as the README's "each consequence is accepted on its own" invites,
passed with exit 0 while every installation of app holds cx; and a baseline entry of app's
`depends` (written while app was clean) was "fixed since the baseline" the day app became
Citrix's. Each origin package is now asked too, itself allowed (`auditor.deps.originneeds`).
libsolv, set up as dnf sets it, is the authority. Real packages: rpmbuild builds them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, Installs, build_repository

BASE: list[dict[str, Any]] = [
    {"name": "cx", "provides": ["lib"], **CITRIX},
    {"name": "alt", "provides": ["lib"], "requires": ["x"]},
    {"name": "xprov", "provides": ["x"], "conflicts": ["app"]},
]
WAIVERS = """
[[waiver]]
package = "{name}"
status = "origin"
reason = "accepted until the rewrite"
owner = "release team"
expires = 2099-12-31
"""


@pytest.fixture(scope="module")
def citrix_app(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Path]:
    top = tmp_path_factory.mktemp("origin-needs")
    repo = build_repository([*BASE, {"name": "app", "requires": ["lib"], **CITRIX}], top / "repo")
    solver = Installs(repo)
    # The authority: app can be installed, and not without cx.
    assert solver.installs((), package="app")
    assert not solver.installs(("cx",), package="app")
    return [str(repo), str(repo.parent / "SRPMS")], top


def test_an_origin_package_that_cannot_do_without_another_depends_on_it(
    citrix_app: tuple[list[str], Path],
) -> None:
    targets, top = citrix_app
    out = top / "scan.json"
    main(["scan", *targets, "--no-cache", "--format", "json", "-o", str(out)])
    document = json.loads(out.read_text())
    facts = {
        (fact["kind"], fact["capability"])
        for package in document["packages"]
        if package["nevra"] == "app-1.0-1.noarch"
        for fact in package["facts"]
    }
    assert ("depends", "citrix:cx") in facts
    # Its own evidence waived, and cx's, app's need of cx still blocks.
    waivers = top / "waivers.toml"
    waivers.write_text(WAIVERS.format(name="app") + WAIVERS.format(name="cx"))
    assert (
        main(["scan", *targets, "--no-cache", "--waivers", str(waivers), "-o", str(top / "waived.txt")]) == 1
    )
