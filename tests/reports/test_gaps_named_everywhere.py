"""A package's gap that does not block is named by every format that renders the gate's decision.

The HTML page counted it in its banner ("incomplete: 1 unexpanded-source") and named it
nowhere: a clean package's gap, which blocks only under ``--strict``, was in no row, no
flagged section and no list of the page, though the Markdown sends its reader there for "the
whole report" and the table, the Markdown, JSON, SARIF, JUnit and the SBOMs name it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.reports.html_report import UNSEEN_PER_KIND_PAGE

FORMATS = ("txt", "md", "json", "sarif", "xml", "html", "cdx.json", "spdx.json", "dot", "graphml")


def _spec(directory: Path, name: str) -> Path:
    path = directory / f"{name}.spec"
    path.write_text(
        f"Name: {name}\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        f"Source0: %{{unknownhost}}/{name}-src.tar.gz\n%description\nd\n%files\n"
    )
    return path


def _page_text(page: str) -> str:
    """What the page shows without its script: its data block left out."""
    return html.unescape(page.split('id="auditor-data"')[0])


def test_a_clean_package_s_gap_is_named_by_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _spec(tmp_path, "gappy")
    out = {ext: tmp_path / f"r.{ext}" for ext in FORMATS}
    outputs = [item for path in out.values() for item in ("-o", str(path))]
    assert main(["scan", "-q", "--no-cache", str(spec), *outputs]) == 0
    capsys.readouterr()
    for ext, path in out.items():
        text = path.read_text()
        text = _page_text(text) if ext == "html" else text
        assert "gappy-src.tar.gz" in text, ext


def test_the_page_names_many_gaps_and_counts_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = [f"g{index:03d}" for index in range(UNSEEN_PER_KIND_PAGE // 2 + 5)]
    specs = [str(_spec(tmp_path, name)) for name in names]
    page = tmp_path / "r.html"
    assert main(["scan", "-q", "--no-cache", *specs, "--format", "html", "-o", str(page)]) == 0
    capsys.readouterr()
    shown = _page_text(page.read_text())
    named = set(re.findall(r"g\d{3}-src\.tar\.gz", shown))
    # Two gaps a spec (its source and its binary): the page names the first of them, then counts.
    assert len(re.findall(r"<li>not seen: ", shown)) == UNSEEN_PER_KIND_PAGE
    assert f"and {2 * len(names) - UNSEEN_PER_KIND_PAGE} more unexpanded-source" in shown
    assert len(named) >= UNSEEN_PER_KIND_PAGE // 2
