"""GraphML reads back each value as the package gives it.

networkx's ``generate_graphml`` yields the document cut by ``str.splitlines``, which reads a
carriage return inside a value as a line break: the evidence ``vendor: Citrix\\rSystems`` of a
package built by rpmbuild read back (``nx.read_graphml``) as ``vendor: Citrix\\nSystems``.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from auditor.cli.main import main
from tests.rpmbuild import binary_of

SPEC = """\
Name: carriage
Version: 1.0
Release: 1
Summary: a vendor with a carriage return in it
License: MIT
Vendor: Citrix\rSystems
BuildArch: noarch
%description
A package whose vendor holds a carriage return, as rpmbuild keeps it.
%files
"""


def test_graphml_reads_back_a_carriage_return_as_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = binary_of(SPEC, tmp_path)
    main(["scan", "--no-cache", "--format", "json", str(binary)])
    (package,) = json.loads(capsys.readouterr().out)["packages"]
    assert package["vendor"] == "Citrix\rSystems"
    main(["scan", "--no-cache", "--format", "graphml", "-o", str(tmp_path / "graph.graphml"), str(binary)])
    graph = nx.read_graphml(tmp_path / "graph.graphml")
    assert graph.nodes[package["nevra"]]["reason"] == package["why"]
    assert "\r" in package["why"]
