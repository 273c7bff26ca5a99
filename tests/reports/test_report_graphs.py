"""The DOT and GraphML reports: the flagged subgraph, read back by a strict parser, Graphviz and networkx."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from auditor.audit.options import AuditOptions
from auditor.audit.result import AuditResult
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from auditor.reports import dot
from auditor.reports.render import FORMATS
from tests.conftest import RPMS
from tests.report_cases import CITRIX, HOSTILE_NAME, audit_of, gate_view, scan, view_of


@pytest.fixture(scope="module")
def fixture_audit() -> AuditResult:
    return run_audit(AuditOptions(targets=(str(RPMS),)), load_policy())


QUOTED = r'"(?:[^"\\]|\\.)*"'
ATTRIBUTES = rf"\[(?:[a-z]+={QUOTED}, )*[a-z]+={QUOTED}\]"
STATEMENT = re.compile(
    rf"^  (?:(?:graph|node|edge) {ATTRIBUTES}|(?:n\d+|verdict) {ATTRIBUTES}|n\d+ -> n\d+ {ATTRIBUTES});$"
)


def unquote(quoted: str) -> str:
    return re.sub(r"\\(.)", lambda match: "\n" if match.group(1) == "n" else match.group(1), quoted[1:-1])


def check_dot(text: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    """A strict reading of the DOT the reporter writes: every statement well formed, every edge's ends declared."""
    lines = text.splitlines()
    assert lines[0] == "digraph auditor {" and lines[-1] == "}"
    nodes: dict[str, dict[str, str]] = {}
    edges = []
    for line in lines[1:-1]:
        assert STATEMENT.match(line), line
        head, _, attributes = line.strip().partition(" [")
        values = {key: unquote(value) for key, value in re.findall(rf"([a-z]+)=({QUOTED})", attributes)}
        if " -> " in head:
            source, target = head.split(" -> ")
            edges.append((source, target, values))
        elif head not in ("graph", "node", "edge", "verdict"):
            nodes[head] = values
    for source, target, _ in edges:
        assert source in nodes and target in nodes
    return nodes, edges


def expected_flagged_nevras() -> set[str]:
    return {
        "xenlicense-1.0-1.noarch",
        "xapi-1.0-1.noarch",
        "xapi-tools-1.0-1.noarch",
        "chooser-1.0-1.noarch",
        "builder-1.0-1.src",
        "builder-bin-1.0-1.noarch",
        "lonely-1.0-1.noarch",
        f"{HOSTILE_NAME}-1.0-1.noarch",
    }


def test_dot_is_well_formed_and_coloured_by_status(tmp_path: Path) -> None:
    text = FORMATS["dot"](gate_view(hostile=True))
    nodes, edges = check_dot(text)
    by_nevra_attr = {attributes["nevra"]: attributes for attributes in nodes.values()}
    assert set(by_nevra_attr) == expected_flagged_nevras()
    assert by_nevra_attr["xapi-tools-1.0-1.noarch"]["gate"] == "waived"
    assert by_nevra_attr["xenlicense-1.0-1.noarch"]["status"] == "origin"
    assert by_nevra_attr["xenlicense-1.0-1.noarch"]["color"] == "#b31d28"
    assert {attributes["kind"] for _, _, attributes in edges} == {"requires", "buildrequires", "built-from"}
    assert dot.quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'
    assert shutil.which("dot"), "Graphviz's dot is the authority on what a DOT file draws: install graphviz"
    (tmp_path / "graph.dot").write_text(text)
    svg = subprocess.run(
        ["dot", "-Tsvg", str(tmp_path / "graph.dot")], capture_output=True, text=True, timeout=60, check=True
    )
    assert "<svg" in svg.stdout and ">xapi&#45;1.0&#45;1.noarch</text>" in svg.stdout
    # Quotes, backslashes and markup in a package name come out as the name, not as DOT syntax.
    assert ">evil&quot;\\pkg&lt;b&gt;&amp;&#45;1.0&#45;1.noarch</text>" in svg.stdout
    assert "Warning" not in svg.stderr and "Error" not in svg.stderr


def test_graphml_parses_back_with_networkx() -> None:
    graph = nx.parse_graphml(FORMATS["graphml"](gate_view(hostile=True)))
    assert set(graph.nodes) == expected_flagged_nevras()
    assert graph.nodes["xapi-1.0-1.noarch"] == {
        "nevra": "xapi-1.0-1.noarch",
        "name": "xapi",
        "kind": "binary",
        "status": "depends",
        "gate": "blocking",
        "reason": "needs xenlicense-1.0-1.noarch (for xenlicense >= 1.0); 1 hop(s) to xenlicense-1.0-1.noarch",
    }
    assert graph.nodes["xapi-tools-1.0-1.noarch"]["gate"] == "waived"
    assert graph.nodes[f"{HOSTILE_NAME}-1.0-1.noarch"]["name"] == HOSTILE_NAME
    assert graph.edges["xapi-1.0-1.noarch", "xenlicense-1.0-1.noarch"] == {
        "kind": "requires",
        "requirement": "xenlicense >= 1.0",
        "on_chain": 1,
    }
    assert graph.edges["builder-bin-1.0-1.noarch", "builder-1.0-1.src"]["kind"] == "built-from"
    assert graph.edges["builder-1.0-1.src", "xapi-tools-1.0-1.noarch"]["kind"] == "buildrequires"
    for _, data in graph.nodes(data=True):
        assert all(isinstance(value, str | int) for value in data.values())


def test_graph_formats_show_unaudited_packages_on_chains() -> None:
    audit = audit_of(
        [{"name": "app", "requires": ["base"]}],
        context=[{"name": "base", "requires": ["vendorlib"]}, {"name": "vendorlib", **CITRIX}],
    )
    graph = nx.parse_graphml(FORMATS["graphml"](view_of(audit)))
    assert {node: data["status"] for node, data in graph.nodes(data=True)} == {
        "app-1.0-1.noarch": "depends",
        "base-1.0-1.noarch": "unaudited",
        "vendorlib-1.0-1.noarch": "unaudited",
    }
    nodes, edges = check_dot(FORMATS["dot"](view_of(audit)))
    assert len(nodes) == 3 and len(edges) == 2


def test_graph_formats_from_the_fixtures(
    capsys: pytest.CaptureFixture[str], fixture_audit: AuditResult
) -> None:
    _, out = scan([str(RPMS), "--format", "graphml"], capsys)
    graph = nx.parse_graphml(out)
    flagged = {r.package.nevra for r in fixture_audit.results if r.verdict.value != "clean"}
    assert set(graph.nodes) == flagged
    assert graph.edges["nospec-1.0-1.noarch", "nospec-1.0-1.src"]["kind"] == "built-from"
    _, out = scan([str(RPMS), "--format", "dot"], capsys)
    nodes, _ = check_dot(out)
    assert {attributes["nevra"] for attributes in nodes.values()} == flagged


@pytest.mark.parametrize("case", ["nothing", "unreadable"])
def test_a_graph_of_a_failed_run_says_so(tmp_path: Path, case: str) -> None:
    """An audit of nothing drew an empty graph, and one with an unreadable input a graph of what
    it read, both exactly as a clean run's: no word that the run failed (exit 3) or what it did
    not see. The DOT draws a note and both formats carry the verdict as graph attributes."""
    broken = tmp_path / "broken.rpm"
    broken.write_bytes(b"junk")
    empty = tmp_path / "empty"
    empty.mkdir()
    targets = {
        "nothing": [str(empty)],
        "unreadable": [str(RPMS / "single-deps-1.0-1.noarch.rpm"), str(broken)],
    }
    view = view_of(run_audit(AuditOptions(targets=tuple(targets[case])), load_policy()))
    text = FORMATS["dot"](view)
    check_dot(text)
    note = re.search(r"^  verdict \[.*label=(" + QUOTED + r")\];$", text, re.M)
    assert note is not None, text
    assert unquote(note.group(1)).startswith("failed: ")
    assert 'exitcode="3"' in text and 'complete="false"' in text
    graph = nx.parse_graphml(FORMATS["graphml"](view))
    assert graph.graph["exitcode"] == "3" and graph.graph["complete"] == "false"
    assert graph.graph["verdict"].startswith("failed: ")
    if case == "unreadable":
        assert f"could not read: {broken}: " in graph.graph["verdict"]


def test_a_graph_of_a_complete_run_has_no_note() -> None:
    pair = ("conflicts-obsoletes-2.0-1.noarch.rpm", "conflicts-obsoletes-2.0-1.src.rpm")
    view = view_of(run_audit(AuditOptions(targets=tuple(str(RPMS / name) for name in pair)), load_policy()))
    text = FORMATS["dot"](view)
    check_dot(text)
    assert "\n  verdict [" not in text and 'exitcode="0"' in text and 'complete="true"' in text
