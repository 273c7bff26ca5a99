"""filelists.xml is read when a file requirement needs it, and only then (auditor/sources/filelists.py).

primary.xml lists every package's files under /etc/ and with bin/ in their path; a
requirement on one of those is answered without filelists.xml, which is as large again. A
requirement on any other path has the repository's filelists.xml read before the audit, and
one that cannot be read then is an input error like any other. Whatever asks for a
package's whole file list (the inventory, the model) gets it whole.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.rpm.filelist import PendingFileList
from auditor.sources.filedigest import in_primary
from auditor.sources.interface import ReadOptions
from auditor.sources.load import load_inputs
from tests.conftest import DATA, errors_of, replace_metadata, rewrite_primary
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini" / "repo"
BROKEN = '<?xml version="1.0" encoding="UTF-8"?>\n<filelists packages="1"><package pkgid="x">'


def rewrite_filelists(repo: Path, text: str) -> Path:
    """Replace filelists.xml by ``text``: the file passes every check but the parse."""
    return replace_metadata(repo, "filelists", text.encode())


def scan(where: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``auditor scan`` run from ``where`` (so reports name the inputs alike wherever they are)."""
    here = os.getcwd()
    os.chdir(where)
    try:
        code = main(["scan", *args, "-q", "--no-cache"])
    finally:
        os.chdir(here)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def copy(source: Path, parent: Path) -> Path:
    parent.mkdir()
    shutil.copytree(source, parent / "repo")
    return parent


def test_the_primary_paths_are_createrepo_c_s() -> None:
    assert in_primary("/etc/x.conf") and in_primary("/usr/bin/sm-cli") and in_primary("/sbin/ldconfig")
    assert in_primary("/usr/lib/sendmail")
    assert not in_primary("/usr/share/filedeps/data.txt") and not in_primary("/etc")


def test_requirements_primary_answers_leave_filelists_unread(tmp_path: Path) -> None:
    loaded = load_inputs([str(EXAMPLE)], ReadOptions(metadata_only=True))
    source = loaded.file_lists[0]
    wanted = frozenset({"/usr/bin/sm-cli"})  # what the example's packages require
    loaded.complete_files(wanted)
    assert not source.read and not loaded.errors
    lists = [p.files for p in loaded.packages if isinstance(p.files, PendingFileList)]
    assert lists and all(files.pending for files in lists)
    assert any(files.among(wanted) == {"/usr/bin/sm-cli"} for files in lists) and not source.read
    assert sum(len(files) for files in lists) > len(lists)  # asked whole, a list is read whole
    assert source.read


def test_reading_the_headers_leaves_filelists_unread() -> None:
    # The default scan lays each file's header over its metadata entry and looks for the
    # requirements the metadata hides (`auditor.sources.overlay`): when it hides none, no
    # package's file list is asked for, and filelists.xml stays unread.
    loaded = load_inputs([str(EXAMPLE)], ReadOptions())
    loaded.complete_files(frozenset({"/usr/bin/sm-cli"}))
    assert not loaded.errors and not loaded.file_lists[0].read
    lists = [p.files for p in loaded.packages if isinstance(p.files, PendingFileList)]
    assert lists and all(files.pending for files in lists)


def test_an_unneeded_filelists_is_not_parsed_and_a_needed_one_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pristine, broken = copy(EXAMPLE, tmp_path / "pristine"), copy(EXAMPLE, tmp_path / "broken")
    shown = rewrite_filelists(broken / "repo", BROKEN).relative_to(broken)
    args = ("repo", "--metadata-only", "--format", "json", "--fail-on", "none")
    expected = scan(pristine, *args, capsys=capsys)
    # The audit needs no file primary.xml does not list: the broken filelists.xml is never
    # parsed, and the report is the one of the intact repository.
    assert scan(broken, *args, capsys=capsys) == expected
    # The inventory counts every package's files: it needs filelists.xml, and says it is broken.
    code, _, err = scan(broken, "repo", "--metadata-only", "--format", "inventory", capsys=capsys)
    assert code == 3
    assert errors_of(err) == [f"auditor: error: {shown}: not well-formed XML: no element found at line 2"]


def test_a_requirement_only_filelists_answers_reads_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parent = copy(DATA / "repo", tmp_path / "fixtures")
    repo = parent / "repo"
    owned, nobody = "/usr/share/filedeps/data.txt", "/usr/share/nobody/owns.this"
    assert not in_primary(owned)

    def require(text: str) -> str:
        entries = f'<rpm:entry name="{owned}"/>\n      <rpm:entry name="{nobody}"/>\n      '
        head = text.index("<name>filedeps</name>")
        at = text.index('<rpm:entry name="/bin/sh"/>', head)
        return text[:at] + entries + text[at:]

    rewrite_primary(repo, require)
    args = ("repo", "--metadata-only", "--format", "json", "--fail-on", "none")
    code, out, _ = scan(parent, *args, capsys=capsys)
    report = json.loads(out)
    filedeps = next(p for p in report["packages"] if p["name"] == "filedeps")
    unresolved = {entry["requirement"] for entry in filedeps["unresolved"]}
    assert nobody in unresolved and owned not in unresolved  # filelists.xml says filedeps owns it
    assert report["inputs"][0]["filelists"] is True

    shown = rewrite_filelists(repo, BROKEN).relative_to(parent)
    code, out, err = scan(parent, *args, capsys=capsys)
    report = json.loads(out)
    assert code == 3
    assert errors_of(err) == [f"auditor: error: {shown}: not well-formed XML: no element found at line 2"]
    assert report["inputs"][0]["filelists"] is False
    filedeps = next(p for p in report["packages"] if p["name"] == "filedeps")
    assert owned in {entry["requirement"] for entry in filedeps["unresolved"]}  # primary alone: unseen
