"""A long Requires chain: every format shows each package's chain shortened, the same way, and
says so; the JSON report keeps every hop left out once, so a program can rebuild any chain.

Written whole, the chains of n packages in a row are n(n+1)/2 hops: a 4,000-package chain made
a 975 MB JSON report and exhausted memory in the HTML and SARIF writers (red-team round 7, 05).
The bound here is bytes per package, not time.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.reports.chains import HEAD
from auditor.reports.render import FORMATS
from auditor.reports.view import ReportView
from tests.report_cases import CITRIX, audit_of, view_of

N = 400
BYTES_PER_PACKAGE = 16384
"""A package's share of any report (the HTML report draws a box a hop shown: about 8 KB); its
chain written whole is 400 hops (some 40 KB in JSON, 120 KB drawn)."""
SCHEMA = json.loads((Path(__file__).parents[2] / "schemas" / "report-v2.schema.json").read_text())


@pytest.fixture(scope="module")
def view() -> ReportView:
    specs: list[dict[str, Any]] = [{"name": f"p{i:03d}", "requires": [f"p{i + 1:03d}"]} for i in range(N - 1)]
    specs.append({"name": f"p{N - 1:03d}", **CITRIX})
    return view_of(audit_of(specs))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_holds_a_bounded_share_per_package(view: ReportView, fmt: str) -> None:
    size = len(FORMATS[fmt](view).encode())
    assert size < BYTES_PER_PACKAGE * N, f"{fmt}: {size} bytes for {N} packages"


def _left_out(view: ReportView, name: str) -> int:
    [row] = view.by_name(name)
    return len(row.chain) - HEAD - 1


def test_each_format_says_the_chain_was_shortened_and_how_much(view: ReportView) -> None:
    left = _left_out(view, "p000")
    assert left == N - 1 - HEAD - 1
    note = f"\u2026 {left} more hops \u2026"
    # Markdown (the blocking package's details), HTML (its drawing), JUnit (its system-out), SARIF
    # (the result's message and properties): each shows the first hops, the note, the origin end.
    markdown = FORMATS["markdown"](view)
    details = markdown[markdown.index("<summary><code>p000-1.0-1.noarch</code>") :].split("</details>")[0]
    assert note in details and "`needs p001-1.0-1.noarch" in details
    assert f"`needs p{N - 1:03d}-1.0-1.noarch" in details
    assert "p200-1.0-1.noarch" not in details
    html = FORMATS["html"](view)
    article = re.search(r"<h3>[^\n]* p000-1\.0-1\.noarch</h3>.*?</article>", html, re.S)
    assert article is not None and note in article.group(0) and "p200-1.0-1.noarch" not in article.group(0)
    junit = FORMATS["junit"](view)
    case = re.search(r'<testcase [^>]*name="p000-1\.0-1\.noarch".*?</testcase>', junit, re.S)
    assert case is not None and note in case.group(0) and "p200-1.0-1.noarch" not in case.group(0)
    sarif = json.loads(FORMATS["sarif"](view))
    [result] = [
        r
        for r in sarif["runs"][0]["results"]
        if r["properties"].get("nevra") == "p000-1.0-1.noarch" and r["properties"]["kind"] == "depends"
    ]
    assert note in result["message"]["text"]
    assert result["properties"]["chainHops"] == N - 1 and result["properties"]["chainHopsLeftOut"] == left
    assert result["properties"]["chain"][HEAD:] == [note, f"p{N - 1:03d}-1.0-1.noarch"]
    # A chain short enough is shown whole, with nothing said.
    near = f"p{N - 1 - HEAD - 1:03d}-1.0-1.noarch"
    assert _left_out(view, near.split("-")[0]) == 0
    [result] = [
        r
        for r in sarif["runs"][0]["results"]
        if r["properties"].get("nevra") == near and r["properties"]["kind"] == "depends"
    ]
    assert "more hop" not in result["message"]["text"] and "chainHops" not in result["properties"]
    assert len(result["properties"]["chain"]) == HEAD + 1


def test_the_json_report_rebuilds_every_chain(view: ReportView) -> None:
    document = json.loads(FORMATS["json"](view))
    jsonschema.validate(document, SCHEMA)
    rests = document["chain_rests"]
    # Every chain runs through the same packages: each hop left out is listed once.
    assert len(rests) == N - 1 - HEAD
    for package in document["packages"]:
        [row] = view.by_name(package["name"])
        expected = [(hop.source, hop.target) for hop in row.chain]
        names = [(view.packages[a].nevra, view.packages[b].nevra) for a, b in expected]
        hops = package["chain"]
        shortened = package.get("chain_shortened")
        if shortened is None:
            assert [(h["from"], h["to"]) for h in hops] == names
            continue
        assert len(hops) == HEAD + 1 and shortened["hops"] == len(expected)
        assert shortened["left_out"] == len(expected) - HEAD - 1
        rebuilt = [(h["from"], h["to"]) for h in hops[:HEAD]]
        at = shortened["rest"]
        while at is not None:
            rebuilt.append((rests[at]["hop"]["from"], rests[at]["hop"]["to"]))
            at = rests[at]["next"]
        assert rebuilt == names
        assert (hops[-1]["from"], hops[-1]["to"]) == names[-1]


def test_the_json_of_hops_made_once_is_the_json_made_for_each_chain(view: ReportView) -> None:
    """The JSON report makes a hop's JSON once for every chain that shows it (the chains of a
    long Requires chain share their hops, held encoded): each package reads as when each is
    made anew."""
    from auditor.reports.json_report import package_to_json
    from auditor.reports.jsonlines import encode_item

    made: dict[int, Any] = {}
    shared = [package_to_json(row, view, made) for row in view.rows]
    assert [encode_item(item) for item in shared] == [
        encode_item(package_to_json(row, view)) for row in view.rows
    ]
    shown = sum(len(entry.chain) for entry in shared)
    assert len(made) < shown  # hops were shown by more than one chain, and made once
