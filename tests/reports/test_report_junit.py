"""The JUnit report: parses, counts right, fails what blocks and skips what is waived."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.result import AuditResult
from auditor.engine import run_audit
from auditor.gate.decision import decide
from auditor.origin.policy import load_policy
from auditor.reports.render import FORMATS
from tests.conftest import RPMS
from tests.report_cases import HOSTILE_NAME, WAIVER, audit_of, gate_view, scan, view_of


@pytest.fixture(scope="module")
def fixture_audit() -> AuditResult:
    return run_audit(AuditOptions(targets=(str(RPMS),)), load_policy())


def junit_cases(text: str) -> tuple[ET.Element, dict[str, ET.Element]]:
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "auditor"
    return suite, {case.get("name", ""): case for case in suite.findall("testcase")}


def test_junit_counts_and_failures(capsys: pytest.CaptureFixture[str], fixture_audit: AuditResult) -> None:
    code, out = scan([str(RPMS), "--format", "junit"], capsys)
    suite, cases = junit_cases(out)
    assert code == 1
    assert len(cases) == len(fixture_audit.results) == int(suite.get("tests", ""))
    failures = [case for case in cases.values() if case.find("failure") is not None]
    blocking = {ruling.fact.package for ruling in decide(fixture_audit).blocking}
    assert len(failures) == int(suite.get("failures", "")) == len(blocking) == 19
    assert suite.get("errors") == "0" and suite.get("skipped") == "0"
    epochs = cases["epochs-3:1.2-4.noarch"]
    assert epochs.get("classname") == "unresolved"
    failure = epochs.find("failure")
    assert failure is not None
    assert failure.get("message") == "nothing provides epochdep >= 2:1.0-1, epochless-dep >= 1.0"
    assert "nothing provides epochless-dep >= 1.0" in (failure.text or "")
    nospec = cases["nospec-1.0-1.noarch"].find("failure")
    assert nospec is not None and "built from nospec-1.0-1.src" in (nospec.text or "")
    assert cases["conflicts-obsoletes-2.0-1.noarch"].get("classname") == "clean"
    assert len(cases["conflicts-obsoletes-2.0-1.noarch"]) == 0


def test_junit_waived_packages_are_skipped_and_hostile_text_still_parses() -> None:
    suite, cases = junit_cases(FORMATS["junit"](gate_view(hostile=True)))
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped"), suite.get("errors")) == (
        "11",
        "6",
        "1",
        "0",
    )
    skipped = cases["xapi-tools-1.0-1.noarch"].find("skipped")
    assert skipped is not None and f"waived by {WAIVER}" in skipped.get("message", "")
    failure = cases["xapi-1.0-1.noarch"].find("failure")
    assert failure is not None and failure.get("type") == "depends"
    assert "chain:" in (failure.text or "") and "which is origin: [citrix-vendor]" in (failure.text or "")
    chooser = cases["chooser-1.0-1.noarch"]
    assert chooser.find("failure") is None and "1 of 2 providers tainted" in (
        chooser.findtext("system-out") or ""
    )
    assert f"{HOSTILE_NAME}-1.0-1.noarch" in cases
    origin = cases["xenlicense-1.0-1.noarch"].find("failure")
    assert origin is not None and "<script>alert(1)</script>" in origin.get("message", "")


def test_junit_unreadable_input_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.rpm"
    broken.write_bytes(b"not an rpm")
    code, out = scan([str(broken), str(RPMS / "weakdeps-1.0-1.noarch.rpm"), "--format", "junit"], capsys)
    capsys.readouterr()
    suite, cases = junit_cases(out)
    assert code == 3 and suite.get("errors") == "1" and suite.get("tests") == "2"
    error = cases[str(broken)].find("error")
    assert error is not None and cases[str(broken)].get("classname") == "input"


STALE = '[[waiver]]\nid = "gone"\npackage = "removed-pkg"\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n'


@pytest.mark.parametrize("block", [True, False])
def test_junit_fails_a_stale_waiver_that_blocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], block: bool
) -> None:
    # A clean package and a waiver that matches nothing: only the stale waiver can fail the run.
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(STALE)
    target = str(RPMS / "conflicts-obsoletes-2.0-1.noarch.rpm")
    stale = ["--stale-waivers", "block" if block else "warn"]
    code, out = scan([target, "--format", "junit", "--waivers", str(waivers), *stale], capsys)
    suite, cases = junit_cases(out)
    assert code == (1 if block else 0)
    assert (suite.get("failures"), suite.get("errors")) == ("1" if block else "0", "0")
    case = cases.get("waiver gone")
    if not block:
        assert case is None
        return
    assert case is not None and case.get("classname") == "stale-waiver"
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "stale-waiver"
    assert "stale waiver gone (removed-pkg, " in failure.get("message", "")


def test_junit_errs_when_nothing_was_audited(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = scan([str(tmp_path), "--format", "junit"], capsys)
    suite, cases = junit_cases(out)
    # The run's failure, and the empty directory's gap (a test case that does not block).
    assert code == 3 and (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "0", "1")
    error = cases["inputs"].find("error")
    assert cases["inputs"].get("classname") == "nothing-audited"
    assert (
        error is not None
        and error.get("message") == "no package was audited: an audit of nothing never passes"
    )


def test_junit_says_a_waiver_expired(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An expired waiver no longer waives: its facts fail, and the suite says why they are no
    longer skipped, as the text formats do (the JUnit report said nothing of it)."""
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nid = "old"\npackage = "*"\nreason = "r"\nowner = "o"\nexpires = 2020-01-01\n'
    )
    code, out = scan([str(RPMS), "--format", "junit", "--waivers", str(waivers)], capsys)
    suite, _cases = junit_cases(out)
    assert code == 1
    notes = [item.get("value", "") for item in suite.iter("property") if item.get("name") == "gate"]
    assert notes == ["expired waiver old (*, expired 2020-01-01): no longer waives"]


def _whole_tree(text: str) -> str:
    """``text`` read back and written whole, indented by `ET.indent` as one tree."""
    root = ET.fromstring(text)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


@pytest.mark.parametrize(("piece", "at_once"), [(1, 1), (1, 2), (1 << 20, 256)])
@pytest.mark.parametrize("which", ["fixtures", "gate", "hostile"])
def test_junit_written_a_case_at_a_time_is_the_whole_tree(
    which: str, piece: int, at_once: int, fixture_audit: AuditResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.reports import junit

    monkeypatch.setattr(junit, "SPOOL_PIECE", piece)
    monkeypatch.setattr(junit, "_INDENTED_AT_ONCE", at_once)
    view = view_of(fixture_audit) if which == "fixtures" else gate_view(hostile=which == "hostile")
    pieces = list(junit.render_chunks(view))
    text = "".join(pieces)
    assert text == _whole_tree(text)
    cases = len(view.rows) + len(view.config) + len(view.run_gaps) + len(view.errors) + len(view.run_failures)
    assert len(junit_cases(text)[0].findall("testcase")) == cases
    assert len(pieces) == (1 + -(-cases // at_once) if piece == 1 else 1)  # the head, then a batch each


CI_TEXT = "Citrix Systems, Inc.\n::error::forged\r\n  ::warning::x ##vso[task.complete] ##[group]"
"""A vendor value that would run CI commands: each written piece is made inert alone."""


@pytest.mark.parametrize("at_once", [1, 2, 256])
def test_junit_written_in_pieces_is_as_inert_as_written_whole(
    at_once: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`render_pieces` makes each piece inert on its own (`markup_inert`: a line's start is the
    piece's start too). The pieces start where a test case does, so each is made inert as the
    whole document is: a piece starting inside a line (``  ::error``) would be rewritten where
    the whole text is not, and a ``##vso[`` cut between two pieces would run."""
    from auditor.reports import junit
    from auditor.reports.inert import markup_inert
    from auditor.reports.render import render_pieces

    monkeypatch.setattr(junit, "SPOOL_PIECE", 1)
    monkeypatch.setattr(junit, "_INDENTED_AT_ONCE", at_once)
    specs = [{"name": f"p{i}", "vendor": CI_TEXT, "requires": [f"p{i - 1}"] if i else []} for i in range(5)]
    view = view_of(audit_of(specs))
    pieces = [piece for piece in render_pieces("junit", view) if isinstance(piece, str)]
    assert "".join(pieces) == markup_inert(junit.render(view))
    assert len(pieces) == 1 + -(-len(view.rows) // at_once)  # the head, then a batch each
    text = "".join(pieces)
    assert "##vso[" not in text and "\r" not in text
    assert [line for line in text.split("\n") if line.strip().startswith("::")] == []
