"""A section header written after white space is a section, as dnf and yum read it.

``[a]`` configures a repository with a Citrix package; the next line, ``  [b]``, starts a
section configuring a clean one. Python's configparser took the indented header for a
continuation of ``[a]``'s ``baseurl``, and ``[b]``'s ``baseurl`` then overwrote ``[a]``'s: the
Citrix repository was never read, and the audit was clean, exit 0. dnf (the authority, ``dnf
repoquery`` with the same file; libdnf's ``IniParser::next`` takes a line whose first non-blank
character is ``[`` for a section) lists both repositories, and yum 3 strips the white space
(``ConfigPreProcessor.readline``). Packages built by rpmbuild, repositories by createrepo_c.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.scenarios.test_repo_excludes import CITRIX, CLEAN, build
from tests.scenarios.test_reposdir import dnf_packages, scan


@pytest.mark.parametrize("indent", ["  ", "\t"])
def test_an_indented_section_header_starts_a_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], indent: str
) -> None:
    top = tmp_path / "top"
    top.mkdir()
    build(tmp_path / "xs", "foo-citrix", CITRIX, top)
    build(tmp_path / "os", "base", CLEAN, top)
    for name in ("xs", "os"):
        subprocess.run(["createrepo_c", "-q", str(tmp_path / name)], check=True)
    (tmp_path / "repos.d").mkdir()
    repo = tmp_path / "repos.d" / "xcp.repo"
    repo.write_text(
        f"[a]\nname=a\nbaseurl=file://{tmp_path / 'xs'}\ngpgcheck=0\n"
        f"{indent}[b]\nname=b\nbaseurl=file://{tmp_path / 'os'}\ngpgcheck=0\n"
    )
    config = tmp_path / "dnf.conf"
    config.write_text(f"[main]\ngpgcheck=0\nreposdir={tmp_path / 'repos.d'}\n")
    assert dnf_packages(config, tmp_path) == {"base.noarch", "foo-citrix.noarch"}
    code, document = scan([str(repo)], capsys)
    statuses = {(row["name"], row["status"]) for row in document["packages"] if row["arch"] != "src"}
    assert statuses == {("base", "clean"), ("foo-citrix", "origin")} and code == 1
