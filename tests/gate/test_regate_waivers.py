"""A JSON report ruled again under a wider --fail-on (`auditor.gate.report_side.Regate`: ``diff``
of a report, ``scan --compare``) asks the run's waivers of the facts the report did not gate.

Written under ``--fail-on origin``, a report's depends taints were not gated, so no waiver was
asked of them. Ruled again under ``origin,depends``, each blocked though the waiver the same run
gives accepts it: ``diff`` said "blocking facts 1 -> 0" of one release, and a fact that blocked
on neither side read as blocking before (a later one's expired waiver was then "unchanged").
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository

WAIVERS = """\
[[waiver]]
id = "cx"
package = "cx"
reason = "cx is replaced next release"
owner = "release team"
expires = 2099-01-01
[[waiver]]
id = "app-cx"
package = "app"
status = "depends"
{extra}reason = "app moves off cx with it"
owner = "release team"
expires = 2099-01-01
"""


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Path]:
    top = tmp_path_factory.mktemp("regate")
    repo = build_repository([{"name": "cx", **CITRIX}, {"name": "app", "requires": ["cx"]}], top)
    return [str(repo), str(repo.parent / "SRPMS")], top


def report_under_origin(targets: list[str], top: Path, waivers: Path) -> Path:
    report = top / "origin-only.json"
    code = main(["scan", *targets, "--no-cache", "--no-baseline", "--fail-on", "origin",
                 "--waivers", str(waivers), "--format", "json", "-o", str(report)])  # fmt: skip
    assert code == 0
    [app] = [p for p in json.loads(report.read_text())["packages"] if p["nevra"] == "app-1.0-1.noarch"]
    assert [(f["kind"], f["disposition"]) for f in app["facts"]] == [("depends", "not-gated")]
    return report


def diff(old: str, new: list[str] | str, waivers: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    news = [new] if isinstance(new, str) else new[:1]
    code = main(["diff", old, *news, "--no-cache", "--fail-on", "origin,depends",
                 "--waivers", str(waivers), "--format", "json"])  # fmt: skip
    assert code == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def test_the_waivers_of_the_run_are_asked_of_the_facts_a_report_did_not_gate(
    release: tuple[list[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    targets, top = release
    waivers = top / "waivers.toml"
    waivers.write_text(WAIVERS.format(extra=""))
    report = report_under_origin(targets, top, waivers)
    capsys.readouterr()
    # The same release, as a report and as an audit: nothing blocks on either side.
    repo = top / "repo"
    document = diff(str(report), str(repo), waivers, capsys)
    assert document["blocking"] == {"old": 0, "new": 0}
    assert document["facts"] == []
    # And the report against itself, ruled again on both sides.
    document = diff(str(report), str(report), waivers, capsys)
    assert document["blocking"] == {"old": 0, "new": 0}
    # scan --compare rules the earlier report as this scan rules its own facts.
    page = top / "compare.html"
    code = main(["scan", str(repo), "--no-cache", "--no-baseline", "--fail-on", "origin,depends",
                 "--waivers", str(waivers), "--compare", str(report), "--format", "html", "-o", str(page)])  # fmt: skip
    assert code == 0
    text = html.unescape(page.read_text())
    assert "0 in the earlier report, 0 now (no change)" in text


def test_a_waiver_with_reaches_the_report_cannot_answer_is_said(
    release: tuple[list[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """What a taint reaches is recorded only where the report gated it: a waiver with ``reaches``
    cannot judge a taint the report did not gate, and accepts it not, as where what a taint
    reaches is not known; the run says so, where it said nothing."""
    targets, top = release
    waivers = top / "scoped.toml"
    waivers.write_text(WAIVERS.format(extra='reaches = ["cx"]\n'))
    report = report_under_origin(targets, top, waivers)
    capsys.readouterr()
    code = main(["diff", str(report), str(top / "repo"), "--no-cache", "--fail-on", "origin,depends",
                 "--waivers", str(waivers), "--format", "json"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["blocking"] == {"old": 1, "new": 0}
    assert (
        f"auditor: warning: {report}: 1 taint(s) the report did not gate, matched by a waiver with reaches "
        "(app-cx), are not accepted: the report records what a taint reaches only where it gated it"
    ) in err, err


def test_scan_compare_writes_what_the_report_could_not_tell_into_every_report(
    release: tuple[list[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Under ``scan --compare`` that warning went to standard error alone: the run's reports,
    the HTML that shows the comparison among them, did not say it."""
    targets, top = release
    waivers = top / "scoped-compare.toml"
    waivers.write_text(WAIVERS.format(extra='reaches = ["cx"]\n'))
    report = report_under_origin(targets, top, waivers)
    capsys.readouterr()
    written = {fmt: top / f"compared.{fmt}" for fmt in ("json", "html")}
    code = main(["scan", *targets, "--no-cache", "--no-baseline", "--fail-on", "origin,depends",
                 "--waivers", str(waivers), "--compare", str(report),
                 *[arg for path in written.values() for arg in ("-o", str(path))]])  # fmt: skip
    err = capsys.readouterr().err
    said = f"{report}: 1 taint(s) the report did not gate, matched by a waiver with reaches (app-cx)"
    assert code == 0 and err.count(said) == 1, err
    assert any(said in warning for warning in json.loads(written["json"].read_text()).get("warnings", []))
    assert said in html.unescape(written["html"].read_text())


def test_a_later_waiver_without_reaches_still_accepts_what_a_scoped_one_could_not(
    release: tuple[list[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """``decide`` passes over a waiver with ``reaches`` that does not accept a taint and asks
    the next: the re-ruling stopped at the first waiver that matched, so a ``reaches`` waiver
    written before an unscoped one left the fact blocking (and warned) where the audit waived it."""
    targets, top = release
    waivers = top / "scoped-then-unscoped.toml"
    later = '[[waiver]]\nid = "app-any"\npackage = "app"\nstatus = "depends"\nreason = "accepted whole"\n'
    later += 'owner = "release team"\nexpires = 2099-01-01\n'
    waivers.write_text(WAIVERS.format(extra='reaches = ["cx"]\n') + later)
    report = report_under_origin(targets, top, waivers)
    capsys.readouterr()
    code = main(["diff", str(report), str(report), "--no-cache", "--fail-on", "origin,depends",
                 "--waivers", str(waivers), "--format", "json"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["blocking"] == {"old": 0, "new": 0}, out
    assert "matched by a waiver with reaches" not in err, err
