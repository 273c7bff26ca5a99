"""Graphviz draws each value of the DOT report as the package gives it.

Graphviz reads character entities in the attributes it draws (labels, tooltips): the
evidence ``vendor: Citrix &amp; Co &#35;1`` was drawn ``vendor: Citrix & Co #1``. The package is built by rpmbuild and the picture drawn by Graphviz itself (``dot -Tsvg``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.rpmbuild import binary_of

SPEC = """\
Name: entities
Version: 1.0
Release: 1
Summary: values that spell character entities
License: MIT
Vendor: Citrix &amp; Co &#35;1 &lt;b&gt;
BuildArch: noarch
%description
A package whose vendor spells entities Graphviz would read.
%files
"""

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


def test_graphviz_draws_the_vendor_as_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert shutil.which("dot"), "Graphviz's dot is the authority on what a DOT file draws: install graphviz"
    binary = binary_of(SPEC, tmp_path)
    main(["scan", "--no-cache", "--format", "json", str(binary)])
    (package,) = json.loads(capsys.readouterr().out)["packages"]
    assert package["vendor"] == "Citrix &amp; Co &#35;1 &lt;b&gt;"
    main(["scan", "--no-cache", "--format", "dot", str(binary)])
    (tmp_path / "graph.dot").write_text(capsys.readouterr().out)
    drawn = subprocess.run(
        ["dot", "-Tsvg", str(tmp_path / "graph.dot")], capture_output=True, text=True, timeout=60, check=True
    )
    svg = ET.fromstring(drawn.stdout)
    titles = {link.get(f"{XLINK}title") for link in svg.iter(f"{SVG}a")}
    assert package["why"] in titles, titles
