"""Red team 49 of one verdict: outputs of one run that disagreed, read back with real parsers
from runs of the CLI on real inputs (spec files the auditor reads without running them)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.reports.test_verdict_redteam import _scan, _spec_of


def test_a_skipped_junit_case_says_what_the_waiver_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A package whose one fact is evidence not seen, accepted by a waiver: the table, the
    Markdown and the JSON name the gap the waiver accepted, but its JUnit case was skipped with
    the message ``clean, waived by gaps: `` and nothing else (a failing case holds its facts, a
    passing one its output): the CI page did not say what was waived."""
    _spec_of(tmp_path / "in", "fine")
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nid = "gaps"\npackage = "*"\nrule = "gap:*"\nreason = "r"\nowner = "o"\n'
        "expires = 2999-01-01\n"
    )
    code, junit = _scan(
        [str(tmp_path / "in"), "--strict", "--waivers", str(waivers), "--format", "junit"], capsys
    )
    assert code == 0
    cases = {case.get("name"): case for case in ET.fromstring(junit).iter("testcase")}
    skipped = cases["fine-1.0-1.noarch (spec)"].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "clean, waived by gaps"
    assert (
        skipped.text is not None
        and skipped.text.startswith("not seen: ")
        and "[waived by gaps" in skipped.text
    )
