"""The finding kinds of the later rounds, said by every format that carries the reason (red team 40).

- A build taint whose fingerprint the baseline lists blocks once it reaches one more origin
  package (``app`` BuildRequires Citrix ``xlib``, then also ``held``, built with Citrix
  ``cx-zlib``): its chain still ends at ``xlib``, which the baseline accepted. SARIF, JSON,
  JUnit, Markdown, HTML and ``why`` said why it blocks; the table's and the SBOMs' one line
  (``auditor:why``) showed the accepted chain alone, a blocking package with no reason to block.

Real packages (rpmbuild, createrepo_c).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository

LIBS: list[dict[str, Any]] = [
    {"name": "xlib", **CITRIX},
    {"name": "cx-zlib", **CITRIX},
    {"name": "held", "buildrequires": ["cx-zlib"]},
]
REASON = "blocks: it now also reaches cx-zlib, which its baseline entry did not accept"


def _sides(repo: Path) -> list[str]:
    return [str(repo), str(repo.parent / "SRPMS")]


def test_a_build_taint_reaching_further_than_its_baseline_entry_says_why_on_its_line(tmp_path: Path) -> None:
    old = build_repository([*LIBS, {"name": "app", "buildrequires": ["xlib"]}], tmp_path / "old")
    new = build_repository([*LIBS, {"name": "app", "buildrequires": ["xlib", "held"]}], tmp_path / "new")
    baseline = str(tmp_path / "baseline.json")
    assert main(["baseline", *_sides(old), "--baseline", baseline, "--no-cache", "-q"]) == 0
    out = {ext: tmp_path / f"r.{ext}" for ext in ("txt", "cdx.json", "spdx.json", "json")}
    args = ["scan", *_sides(new), "--baseline", baseline, "--no-cache", "-q"]
    assert main([*args, *(item for path in out.values() for item in ("-o", str(path)))]) == 1
    table = out["txt"].read_text()
    for nevra in ("app-1.0-1.src", "app-1.0-1.noarch"):
        [line] = [line for line in table.splitlines() if line.startswith(nevra + " ")]
        assert re.match(rf"{re.escape(nevra)}\s+build-depends \*", line) and f"({REASON})" in line, line
    cyclonedx = json.loads(out["cdx.json"].read_text())
    whys = {
        component["bom-ref"]: [p["value"] for p in component["properties"] if p["name"] == "auditor:why"]
        for component in cyclonedx["components"]
        if component["name"] == "app"
    }
    assert len(whys) == 2 and all(len(why) == 1 and f"({REASON})" in why[0] for why in whys.values()), whys
    spdx = json.loads(out["spdx.json"].read_text())
    spdx_whys = [
        a["comment"]
        for package in spdx["packages"]
        if package["name"] == "app"
        for a in package["annotations"]
        if a["comment"].startswith("auditor:why=")
    ]
    assert len(spdx_whys) == 2 and all(f"({REASON})" in why for why in spdx_whys)
    # The JSON report's one line is the same line.
    document = json.loads(out["json"].read_text())
    assert all(f"({REASON})" in p["why"] for p in document["packages"] if p["name"] == "app")
    # The packages the baseline accepts whole say nothing of it.
    assert REASON not in "".join(line for line in table.splitlines() if line.startswith("held-"))
