"""A fact is named by its fingerprint, which names the package but not its architecture
(`auditor.gate.progress`): a waiver scoped to one arch leaves the fact of the others blocking.
One arch's fact that blocks now, and that a waiver accepted for that arch before, blocks anew,
however the others of its name blocked: ``check`` called it unchanged, since the x86_64 fact
counted as blocking before because the aarch64 one of the same name did, and passed a change
that made foo-2.0.x86_64 block."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.deps.built import build_repository

VENDOR = "Citrix Systems, Inc."

WAIVERS = """\
[[waiver]]
id = "foo-x86-1"
package = "foo"
arch = "x86_64"
versions = "< 2"
reason = "the x86_64 build of 1.x is replaced next release"
owner = "release team"
expires = 2099-01-01
[[waiver]]
id = "foo-src"
package = "foo"
arch = "src"
reason = "its source package is not shipped"
owner = "release team"
expires = 2099-01-01
"""


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[str], Path]:
    """BASE: foo-1.0 for x86_64 (waived there) and aarch64 (blocking); the change: foo-2.0.x86_64,
    out of the waiver's range."""
    top = tmp_path_factory.mktemp("arch-scoped")
    base = build_repository(
        [{"name": "foo", "arch": arch, "vendor": VENDOR} for arch in ("x86_64", "aarch64")], top / "base"
    )
    change = build_repository(
        [{"name": "foo", "arch": "x86_64", "vendor": VENDOR, "evr": "2.0-1"}], top / "change"
    )
    waivers = top / "waivers.toml"
    waivers.write_text(WAIVERS)
    new = [
        str(next(change.rglob("foo-2.0-1.x86_64.rpm"))),
        str(next((change.parent / "SRPMS").glob("*.rpm"))),
    ]
    return new, [str(base), str(base.parent / "SRPMS"), "--waivers", str(waivers)], top


@pytest.mark.parametrize("fmt", ["json", "table", "markdown"])
def test_a_fact_waived_for_its_arch_before_blocks_anew_beside_another_arch_that_blocked(
    fmt: str, sides: tuple[list[str], list[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    new, against, _top = sides
    code = main(["check", *new, "--against", *against, "--no-cache", "--format", fmt])
    out = capsys.readouterr().out
    assert code == 1, out
    if fmt == "json":
        document = json.loads(out)
        assert document["exit_code"] == 1
        assert document["headline"] == "this change makes things worse: 1 new blocking fact(s)"
        assert [(item["package"], item["kind"]) for item in document["regressions"]] == [("foo", "origin")]
    else:
        assert "this change makes things worse: 1 new blocking fact(s)" in out
        assert (
            "Facts that now block" in out
            and "vendor: Citrix Systems, Inc." in out.split("Facts that now block")[1]
        )


def test_diff_says_the_fact_blocks_now(
    sides: tuple[list[str], list[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The same comparison, of two reports: ``diff`` lists it among the facts that block now."""
    new, against, top = sides
    base, sources, _option, waivers = against
    reports = []
    for name, targets in (("old", [base, sources]), ("new", [base, sources, *new])):
        report = top / f"{name}.json"
        main(["scan", *targets, "--waivers", waivers, "--no-cache", "--format", "json", "-o", str(report)])
        reports.append(str(report))
    capsys.readouterr()
    main(["diff", *reports, "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert [
        (item["package"], item["kind"], item["change"], item["blocked_before"], item["blocks_after"])
        for item in document["facts"]
    ] == [("foo", "origin", "unchanged", False, True)]
