"""DOT and GraphML stay drawable on large inputs: one node per cause past a few hundred
packages, and ``--focus NAME`` draws one package's chains.

Graphviz did not finish in 300 s on a 60,000-package distribution. The repository here has
5,000 packages (rpm-md written by the benchmark generators' writer): 20 Citrix-vendor origin
packages, 1,500 packages in chains to them, the rest clean. ``dot -Tsvg`` must lay out
what the auditor writes for it (no timing assertion: only that it completes).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
import pytest

from auditor.cli.main import main
from auditor.reports.flagged import MAX_NODES
from benchmarks.generators.rpmmd import Entry, Fragments, write_repository
from tests.conftest import errors_of

ORIGINS = 20
CHAINED = 1500
APPS = 1100
TOTAL = 5000


def _fragments(name: str, requires: list[str], vendor: str) -> Fragments:
    evr = ("0", "1.0", "1")
    pkgid = hashlib.sha256(name.encode()).hexdigest()
    head = f'<package pkgid="{pkgid}" name={quoteattr(name)} arch="noarch">\n  <version epoch="0" ver="1.0" rel="1"/>\n'
    entries = "".join(f"      {Entry(item).xml()}\n" for item in requires)
    primary = (
        f'<package type="rpm">\n  <name>{escape(name)}</name>\n  <arch>noarch</arch>\n'
        f'  <version epoch="0" ver="1.0" rel="1"/>\n'
        f'  <checksum type="sha256" pkgid="YES">{pkgid}</checksum>\n'
        f"  <summary>{escape(name)}</summary>\n  <description>{escape(name)}</description>\n"
        f'  <packager></packager>\n  <url></url>\n  <time file="1" build="1"/>\n'
        f'  <size package="1" installed="1" archive="1"/>\n'
        f'  <location href="Packages/{escape(name)}-1.0-1.noarch.rpm"/>\n  <format>\n'
        f"    <rpm:license>MIT</rpm:license>\n    <rpm:vendor>{escape(vendor)}</rpm:vendor>\n"
        f"    <rpm:sourcerpm>{escape(name)}-1.0-1.src.rpm</rpm:sourcerpm>\n"
        f"    <rpm:provides>\n      {Entry(name, 'EQ', evr).xml()}\n    </rpm:provides>\n"
        + (f"    <rpm:requires>\n{entries}    </rpm:requires>\n" if requires else "")
        + "  </format>\n</package>\n"
    )
    return Fragments(primary, head + "</package>\n", head + "</package>\n")


def app_requirement(i: int) -> str:
    """``app-i`` needs an origin package directly (the first sixty, three per origin) or
    ``app-(i // 3)``: chains of up to five hops."""
    return f"vendor-lib-{i % ORIGINS}" if i < 60 else f"app-{i // 3}"


def _packages() -> list[Fragments]:
    found = [_fragments(f"vendor-lib-{k}", [], "Citrix Systems, Inc.") for k in range(ORIGINS)]
    found += [_fragments(f"app-{i}", [app_requirement(i)], "XCP-ng") for i in range(APPS)]
    # Plugins of the first origin package: one package holding back more than a graph draws.
    found += [_fragments(f"plugin-{i}", ["vendor-lib-0"], "XCP-ng") for i in range(CHAINED - APPS)]
    clean = TOTAL - len(found)
    found += [_fragments(f"clean-{i}", [f"clean-{i // 2}"] if i else [], "XCP-ng") for i in range(clean)]
    return found


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("large") / "repo"
    packages = _packages()
    write_repository(str(root), packages, len(packages))
    return root


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["scan", *args, "-q", "--no-cache"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def graphviz(path: Path) -> str:
    if shutil.which("dot") is None:
        pytest.fail("Graphviz's dot is not installed (apt-get install graphviz): it is the authority here")
    done = subprocess.run(
        ["dot", "-Tsvg", str(path)], capture_output=True, text=True, timeout=600, check=True
    )
    assert "<svg" in done.stdout and "Error" not in done.stderr
    return done.stdout


def test_a_large_flagged_set_is_drawn_as_one_node_per_origin_source(
    repository: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "graph.dot"
    code, _, err = scan([str(repository), "-o", str(out)], capsys)
    # The corpus is metadata without package files: every package is missing, and says so.
    assert code == 1 and errors_of(err) == []
    text = out.read_text()
    assert (
        f"{CHAINED + ORIGINS} flagged packages" in text
        and f"over {MAX_NODES}) drawn as {ORIGINS} groups" in text
    )
    assert text.count('kind="group"') == ORIGINS and "nevra=" not in text
    # Every group counts what reaches its origin package: app-i for i < 100 goes straight
    # there, the others through app-(i // 3); 1,500 packages over 20 groups.
    through = sorted(int(value) for value in re.findall(r'through="(\d+)"', text))
    assert sum(through) == CHAINED and len(through) == ORIGINS
    svg = graphviz(out)
    assert ">vendor&#45;lib&#45;0</text>" in svg


def test_graphml_groups_the_same_way(repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = scan([str(repository), "--format", "graphml"], capsys)
    graph = nx.parse_graphml(out)
    assert graph.number_of_nodes() == ORIGINS and "drawn as 20 groups" in graph.graph["name"]
    assert {data["kind"] for _, data in graph.nodes(data=True)} == {"group"}
    assert sum(data["flagged_through"] for _, data in graph.nodes(data=True)) == CHAINED
    assert sum(data["packages"] for _, data in graph.nodes(data=True)) == CHAINED + ORIGINS


def _focus_expected(report: dict[str, object], name: str) -> set[str]:
    """The chains through ``name``, from the JSON report: its packages and their chains, and
    every package whose chain reaches it, from the start to it."""
    packages = report["packages"]
    assert isinstance(packages, list)
    named = {p["nevra"] for p in packages if p["name"] == name}
    expected = set(named)
    for package in packages:
        chain = package["chain"]
        if package["name"] == name:
            expected.update(hop["to"] for hop in chain)
            continue
        for position, hop in enumerate(chain):
            if hop["to"] in named:
                expected.update(step["from"] for step in chain[: position + 1])
                break
    return expected


def test_focus_draws_only_the_chains_through_one_package(
    repository: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, report, _ = scan([str(repository), "--format", "json"], capsys)
    expected = _focus_expected(json.loads(report), "app-20")
    assert len(expected) == 41  # app-20, vendor-lib-0, and app-60..62, app-180..188, app-540..566
    out = tmp_path / "focus.dot"
    code, _, _ = scan([str(repository), "--focus", "app-20", "-o", str(out)], capsys)
    text = out.read_text()
    assert code == 1 and 'label="auditor: the chains through app-20"' in text
    assert set(re.findall(r'nevra="([^"]+)"', text)) == expected
    graphviz(out)
    _, graphml, _ = scan([str(repository), "--focus", "app-20", "--format", "graphml"], capsys)
    assert set(nx.parse_graphml(graphml).nodes) == expected


def test_focus_on_a_package_holding_back_many_stops_at_the_limit_and_says_so(
    repository: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "focus.graphml"
    scan([str(repository), "--focus", "vendor-lib-0", "-o", str(out)], capsys)
    graph = nx.read_graphml(out)
    assert graph.number_of_nodes() == MAX_NODES
    assert graph.graph["name"].startswith("auditor: the chains through vendor-lib-0 (299 of the ")
    assert graph.graph["name"].endswith(
        " flagged packages whose chains pass through it, nearest first: the graph stops at 300 packages)"
    )
    nearest = {node for node in graph.nodes if node.startswith(("plugin-", "app-0-", "app-20-", "app-40-"))}
    assert len(nearest) == 299  # everything one hop away comes before anything further
    dot_file = tmp_path / "wide.dot"
    scan([str(repository), "--focus", "vendor-lib-0", "-o", str(dot_file)], capsys)
    graphviz(dot_file)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["--focus", "no-such-package", "--format", "dot"],
            "--focus: no package named no-such-package in the run",
        ),
        (
            ["--focus", "app-10", "--format", "json"],
            "--focus app-10: only the graph formats (dot, graphml) draw chains",
        ),
        (
            ["--focus", "", "--format", "json"],
            "--focus '': only the graph formats (dot, graphml) draw chains",
        ),
    ],
)
def test_focus_errors_are_usage_errors(
    args: list[str], says: str, repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = scan([str(repository), *args], capsys)
    assert code == 2 and out == "" and err == f"auditor: error: {says}\n"
