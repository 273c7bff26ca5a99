"""Red team: a chain that ends at a context package (``--with``) says why that package is origin.

``tool`` Requires ``libdl``, which only the context provides, and the context's ``libdl`` is
Citrix's (its Vendor). ``tool`` was `depends` with its chain in every format, but no format said
what made ``libdl`` origin: the package has no row, so `why`, Markdown, HTML, JUnit and SARIF,
which end an audited origin package's chain with "which is origin: ...", ended this one at a
name that reads clean; the SBOMs listed ``libdl`` with ``auditor:audited = false`` alone. Real
RPMs (rpmbuild).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from auditor.cli.main import main
from tests.paths import ROOT
from tests.rpmbuild import build_noarch

SPEC = """Name: {name}
Version: 1.0
Release: 1
Summary: {name}
License: MIT
{extra}
BuildArch: noarch
%description
{name}
%files
"""

EVIDENCE = "which is origin: [citrix-vendor] vendor: Citrix Systems, Inc."


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    top = tmp_path_factory.mktemp("built")
    made = {}
    for name, extra in (("libdl", "Vendor: Citrix Systems, Inc."), ("tool", "Requires: libdl")):
        spec = top / f"{name}.spec"
        spec.write_text(SPEC.format(name=name, extra=extra))
        made[name] = build_noarch(spec, top / name, [])
    return made


def test_a_chain_ending_at_a_context_package_ends_with_its_evidence_in_every_format(
    built: dict[str, tuple[Path, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = [str(path) for path in built["tool"]]
    context = ["--with", str(built["libdl"][1]), "--no-cache"]
    out = {
        fmt: tmp_path / f"r.{fmt}" for fmt in ("md", "html", "xml", "sarif", "json", "cdx.json", "spdx.json")
    }
    written = [item for path in out.values() for item in ("-o", str(path))]
    assert main(["scan", *inputs, *context, *written]) == 1
    assert main(["why", "tool", *inputs, *context]) == 1
    why = capsys.readouterr().out
    assert EVIDENCE in why
    assert f"- {EVIDENCE.replace(': ', ': `', 1)}`" in out["md"].read_text()
    drawing = re.search(r'<svg class="chain"[^>]*aria-label="chain of tool-1\.0-1\.noarch".*?</svg>',
                        out["html"].read_text(), re.S)  # fmt: skip
    assert drawing is not None and "[citrix-vendor] vendor: Citrix Systems, Inc." in drawing.group(0)
    suite = ET.fromstring(out["xml"].read_text()).find("testsuite")
    assert suite is not None
    [case] = [case for case in suite.iter("testcase") if case.get("name") == "tool-1.0-1.noarch"]
    failure = case.find("failure")
    assert failure is not None and EVIDENCE in (failure.text or "")
    [alert] = [
        result
        for result in json.loads(out["sarif"].read_text())["runs"][0]["results"]
        if result["ruleId"] == "status/depends"
    ]
    assert EVIDENCE in alert["message"]["text"]
    [row] = [
        row for row in json.loads(out["json"].read_text())["packages"] if row["nevra"] == "tool-1.0-1.noarch"
    ]
    assert row["status"] == "depends"
    document = json.loads(out["json"].read_text())
    jsonschema.validate(document, json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text()))
    [fact] = [fact for fact in row["facts"] if fact["kind"] == "depends"]
    [origin] = [item for item in document["unaudited_origins"] if item["nevra"] == "libdl-1.0-1.noarch"]
    assert fact["ends_at"] == "libdl"
    assert [(f["rule"], f["value"], f["disposition"]) for f in origin["findings"]] == [
        ("citrix-vendor", "Citrix Systems, Inc.", "not-gated")
    ]
    # The SBOMs list the context package a component depends on, and now what makes it origin.
    said = "[citrix-vendor] vendor: Citrix Systems, Inc."
    [component] = [c for c in json.loads(out["cdx.json"].read_text())["components"] if c["name"] == "libdl"]
    assert {"name": "auditor:origin", "value": said} in component["properties"]
    [package] = [p for p in json.loads(out["spdx.json"].read_text())["packages"] if p["name"] == "libdl"]
    assert f"auditor:origin={said}" in [note["comment"] for note in package["annotations"]]
