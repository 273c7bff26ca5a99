"""A report ruled again (`auditor.gate.report_side`: ``diff`` of a report, ``scan --compare``)
asks the run's waivers of the facts it did not gate, and a waiver's ``versions`` of a subpackage
matched through its source package's name read that source package's version, as `decide` reads
the audit's. The report's source packages were not gathered: ``sm-licensing`` 1.0 of ``sm`` 3.5,
waived by ``package = "sm"``, ``versions = "< 4"`` in the audit, blocked in the report written under
``--fail-on origin``, and ``diff`` of one release read "blocking facts 3 -> 2"."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.origin.scanned import write_spec

SM = """\
Name: sm
Version: 3.5
Release: 1
Summary: s
License: MIT
BuildArch: noarch
%description
d
%package licensing
Version: 1.0
Summary: l
Requires: cx
%description licensing
d
%files
%files licensing
"""

WAIVERS = """\
[[waiver]]
id = "sm-3"
package = "sm"
versions = "< 4"
reason = "sm 3 is replaced next release"
owner = "release team"
expires = 2099-01-01
"""


@pytest.fixture
def release(tmp_path: Path) -> tuple[str, Path, Path]:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "sm.spec").write_text(SM)
    write_spec(specs, "cx", "Vendor: Citrix Systems, Inc.")
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(WAIVERS)
    report = tmp_path / "origin-only.json"
    code = main(["scan", str(specs), "--no-cache", "--no-baseline", "--fail-on", "origin",
                 "--waivers", str(waivers), "-q", "-o", str(report)])  # fmt: skip
    assert code == 1
    [licensing] = [p for p in json.loads(report.read_text())["packages"] if p["name"] == "sm-licensing"]
    assert [(f["kind"], f["disposition"]) for f in licensing["facts"]] == [("depends", "not-gated")]
    return str(specs), waivers, report


def test_a_report_rules_a_subpackage_by_its_source_version_as_the_audit_does(
    release: tuple[str, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    specs, waivers, report = release
    capsys.readouterr()
    code = main(["diff", str(report), specs, "--no-cache", "--waivers", str(waivers), "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["blocking"] == {"old": 2, "new": 2}
    page = report.parent / "compare.html"
    code = main(["scan", specs, "--no-cache", "--no-baseline", "--waivers", str(waivers),
                 "--compare", str(report), "-q", "-o", str(page)])  # fmt: skip
    assert code == 1
    assert "2 in the earlier report, 2 now (no change)" in html.unescape(page.read_text())
