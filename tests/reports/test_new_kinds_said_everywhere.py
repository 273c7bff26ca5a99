"""The finding kinds of the later rounds, said by every format that carries the reason (red team 40).

- A build taint whose fingerprint the baseline lists blocks once it reaches one more origin
  package (``app`` BuildRequires Citrix ``xlib``, then also ``held``, built with Citrix
  ``cx-zlib``): its chain still ends at ``xlib``, which the baseline accepted. SARIF, JSON,
  JUnit, Markdown, HTML and ``why`` said why it blocks; the table's and the SBOMs' one line
  (``auditor:why``) showed the accepted chain alone, a blocking package with no reason to block;
  the page's progress since the baseline counted it nowhere (accepted, fixed and gone only).
- A ``.repo`` section URL its server redirects to a policy host (config key ``redirect``): the
  SBOMs named the rule and the URL but not the configuration, which every other format names.

Real packages (rpmbuild, createrepo_c) and a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from auditor.cli.main import main
from tests.conftest import RPMS
from tests.deps.built import CITRIX, build_repository
from tests.httpserver import LocalServer, redirect
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves

LIBS: list[dict[str, Any]] = [
    {"name": "xlib", **CITRIX},
    {"name": "cx-zlib", **CITRIX},
    {"name": "held", "buildrequires": ["cx-zlib"]},
]
REASON = "blocks: it now also reaches cx-zlib, which its baseline entry did not accept"


def _sides(repo: Path) -> list[str]:
    return [str(repo), str(repo.parent / "SRPMS")]


def _sbom_values(cyclonedx: dict[str, Any], spdx: dict[str, Any], name: str) -> tuple[list[str], list[str]]:
    """The values of property ``name`` (``auditor:NAME``) of the run, in each SBOM."""
    cdx = [item["value"] for item in cyclonedx["metadata"]["properties"] if item["name"] == f"auditor:{name}"]
    prefix = f"auditor:{name}="
    spdx_values = [
        a["comment"][len(prefix) :] for a in spdx["annotations"] if a["comment"].startswith(prefix)
    ]
    return cdx, spdx_values


def test_a_build_taint_reaching_further_than_its_baseline_entry_says_why_on_its_line(tmp_path: Path) -> None:
    old = build_repository([*LIBS, {"name": "app", "buildrequires": ["xlib"]}], tmp_path / "old")
    new = build_repository([*LIBS, {"name": "app", "buildrequires": ["xlib", "held"]}], tmp_path / "new")
    baseline = str(tmp_path / "baseline.json")
    assert main(["baseline", *_sides(old), "--baseline", baseline, "--no-cache", "-q"]) == 0
    out = {ext: tmp_path / f"r.{ext}" for ext in ("txt", "cdx.json", "spdx.json", "json", "html")}
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
    # The page's progress since the baseline counts them, as the gate's line does ("2 new").
    assert "baseline: 6 accepted, 2 new, 0 fixed" in table
    assert re.search(
        r'<p id="baseline-counts" data-new="2"[^>]*>6 facts still accepted by the baseline, 2 new',
        out["html"].read_text(),
    )
    # The packages the baseline accepts whole say nothing of it.
    assert REASON not in "".join(line for line in table.splitlines() if line.startswith("held-"))


def test_a_taint_reaching_further_of_another_status_than_the_line_is_named_after_also_blocks(
    tmp_path: Path,
) -> None:
    """``app`` comes to have its own Citrix evidence (status origin) as its build taint reaches
    ``cx-zlib``: the reason follows "also blocks: build-depends", not the origin evidence."""
    old = build_repository([*LIBS, {"name": "app", "buildrequires": ["xlib"]}], tmp_path / "old")
    app = {"name": "app", "buildrequires": ["xlib", "held"], **CITRIX}
    new = build_repository([*LIBS, app], tmp_path / "new")
    baseline = str(tmp_path / "baseline.json")
    assert main(["baseline", *_sides(old), "--baseline", baseline, "--no-cache", "-q"]) == 0
    table = tmp_path / "r.txt"
    assert main(["scan", *_sides(new), "--baseline", baseline, "--no-cache", "-q", "-o", str(table)]) == 1
    [line] = [line for line in table.read_text().splitlines() if line.startswith("app-1.0-1.src ")]
    assert line.endswith(
        f"[citrix-vendor] vendor: Citrix Systems, Inc.; also blocks: build-depends (build-depends: {REASON})"
    )


@pytest.fixture
def www(tmp_path: Path) -> Path:
    """``/clean/``: a repository of a clean package and its source."""
    root = tmp_path / "www"
    packages = root / "clean" / "Packages"
    packages.mkdir(parents=True)
    for name in ("conflicts-obsoletes-2.0-1.noarch.rpm", "conflicts-obsoletes-2.0-1.src.rpm"):
        shutil.copy(RPMS / name, packages)
    subprocess.run(["createrepo_c", "-q", str(root / "clean")], check=True)
    return root


def test_the_sboms_name_the_configuration_a_redirect_to_a_policy_host_is_in(
    server: LocalServer, tmp_path: Path
) -> None:
    target = "https://code.citrite.net/xs/repodata/repomd.xml"
    server.routes["/moved/repodata/repomd.xml"] = redirect(target)
    config = tmp_path / "base.repo"
    config.write_text(f"[base]\nbaseurl={server.url('/moved/')}\n  {server.url('/clean/')}\n")
    cdx, spdx = tmp_path / "r.cdx.json", tmp_path / "r.spdx.json"
    args = ["scan", str(config), "--no-cache", "-q", "-o", str(cdx), "-o", str(spdx)]
    assert main(args) == 1
    said = _sbom_values(json.loads(cdx.read_text()), json.loads(spdx.read_text()), "config-blocking")
    expected = f"{config} [base]: [citrix-internal-host] redirect: {target}"
    assert said == ([expected], [expected])


def test_a_redirect_the_baseline_accepts_says_so_in_every_format(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON, SARIF and JUnit said "accepted by the baseline"; the table, Markdown, HTML and the
    SBOMs listed the redirect to Citrix with no mark at all, in a run that passed."""
    target = "https://code.citrite.net/xs/repodata/repomd.xml"
    server.routes["/moved/repodata/repomd.xml"] = redirect(target)
    monkeypatch.chdir(tmp_path)
    Path("base.repo").write_text(f"[base]\nbaseurl={server.url('/moved/')}\n  {server.url('/clean/')}\n")
    assert main(["baseline", "base.repo", "--no-cache", "-q", "--baseline", "b.json"]) == 0
    files = ["r.txt", "r.md", "r.html", "r.cdx.json", "r.spdx.json"]
    args = ["scan", "base.repo", "--no-cache", "-q", "--baseline", "b.json"]
    assert main([*args, *(item for name in files for item in ("-o", name))]) == 0
    said = "[citrix-internal-host] redirect: " + target
    assert re.search(r"^base\.repo \[base\]\s+redirect \(baselined\)\s", Path("r.txt").read_text(), re.M)
    assert f"`{said}` (`accepted by the baseline`)" in Path("r.md").read_text()
    assert f'{said} <span class="ruling">[accepted by the baseline]</span>' in Path("r.html").read_text()
    sboms = json.loads(Path("r.cdx.json").read_text()), json.loads(Path("r.spdx.json").read_text())
    expected = [f"base.repo [base]: {said} (accepted by the baseline)"]
    assert _sbom_values(*sboms, "config") == (expected, expected)


def test_the_graphs_of_a_run_a_redirect_blocks_say_what_blocks(server: LocalServer, tmp_path: Path) -> None:
    """No package is flagged: the DOT and GraphML graphs were empty, exit code 1, with no word of
    the configured URL that blocks."""
    target = "https://code.citrite.net/xs/repodata/repomd.xml"
    server.routes["/moved/repodata/repomd.xml"] = redirect(target)
    config = tmp_path / "base.repo"
    config.write_text(f"[base]\nbaseurl={server.url('/moved/')}\n  {server.url('/clean/')}\n")
    dot, graphml = tmp_path / "r.dot", tmp_path / "r.graphml"
    assert main(["scan", str(config), "--no-cache", "-q", "-o", str(dot), "-o", str(graphml)]) == 1
    said = f"blocks: {config} [base]: [citrix-internal-host] redirect: {target}"
    assert said in nx.parse_graphml(graphml.read_text()).graph["verdict"].splitlines()
    assert re.search(
        r'^  verdict \[shape="note".*' + re.escape(said.replace("\n", "")), dot.read_text(), re.M
    )
