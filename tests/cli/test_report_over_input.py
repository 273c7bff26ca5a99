"""A report is never written over what the run reads.

``-o repo/repodata/repomd.xml`` is a JUnit report by its extension, and replaced the index of
the repository it audited; ``-o report.json``, a symlink to an RPM the run audits, replaced
that RPM (found by rt30). Both are usage errors before the audit, and the file is left as it
was. The repository is the shipped example: RPMs built by rpmbuild, repodata by createrepo_c.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(EXAMPLE / "repo", copy)
    return copy


@pytest.mark.parametrize(
    ("target", "output", "said"),
    [
        ("repo", "repo/repodata/repomd.xml", "a repository's metadata (repodata/) is read, never written"),
        ("repo", "repo/repodata/report.json", "a repository's metadata (repodata/) is read, never written"),
        (
            "repo/repodata/repomd.xml",
            "repo/repodata/repomd.xml",
            "a repository's metadata (repodata/) is read, never written",
        ),
        ("repo/Packages/sm-2.30.8-1.xcpng.noarch.rpm", "link.json", "it is an input of this run"),
    ],
)
def test_a_report_over_what_the_run_reads_is_refused(
    target: str,
    output: str,
    said: str,
    repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link.json").symlink_to(tmp_path / "repo" / "Packages" / "sm-2.30.8-1.xcpng.noarch.rpm")
    before = {path: path.read_bytes() for path in repo.rglob("*") if path.is_file()}
    assert main(["scan", target, "--no-cache", "-o", output]) == 2
    assert f"-o {output}: {said}" in capsys.readouterr().err
    assert {path: path.read_bytes() for path in repo.rglob("*") if path.is_file()} == before


@pytest.mark.parametrize(
    ("read", "output", "more"),
    [
        ("kept.json", "kept.json", ["--baseline", "kept.json"]),
        (".auditor-baseline.json", ".auditor-baseline.json", []),
        ("waivers.toml", "waivers.toml", ["--format", "json", "--waivers", "waivers.toml"]),
        ("extra.toml", "extra.toml", ["--format", "json", "--policy", "extra.toml"]),
        ("auditor.toml", "auditor.toml", ["--format", "json"]),
        ("project.toml", "project.toml", ["--format", "json", "--config", "project.toml"]),
        ("provenance.csv", "provenance.csv", ["--format", "json", "--provenance", "provenance.csv"]),
    ],
)
def test_a_report_over_a_file_the_run_is_configured_by_is_refused(
    read: str,
    output: str,
    more: list[str],
    repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``scan --baseline kept.json -o kept.json`` replaced the baseline with a scan report: the
    findings it accepted were gone, and the next run failed on "not an auditor baseline". A
    waiver, policy, project or provenance file given with ``--format`` was replaced the same way."""
    monkeypatch.chdir(tmp_path)
    contents = {
        ".json": b'{"entries": [], "tool": "auditor", "version": 1}\n',
        ".toml": b"# kept on purpose\n",
        ".csv": b"SRPM_name;added_by\n",
    }
    (tmp_path / read).write_bytes(contents[Path(read).suffix])
    before = (tmp_path / read).read_bytes()
    assert main(["scan", "repo", "--no-cache", "-o", output, *more]) == 2
    assert f"-o {output}: the run reads it, and the report would replace it" in capsys.readouterr().err
    assert (tmp_path / read).read_bytes() == before


@pytest.mark.parametrize(
    ("target", "output"),
    [
        ("repo", "repo/Packages/sm-2.30.8-1.xcpng.noarch.rpm"),  # a repository's package
        ("walked", "walked/sm-2.30.8-1.xcpng.noarch.rpm"),  # a file a directory's walk reads
        ("walked", "walked/SM.RPM"),  # any case, and one the run will not find there yet
        ("walked", "walked/sub/new.spec"),
        ("walked", "walked/xs.repo"),
        ("walked", "walked/renamed.json"),  # an RPM file under another name, read by its first bytes
        ("walked", "link.json"),  # a link into the directory, to an RPM file there
    ],
)
def test_a_report_over_a_file_an_input_directory_holds_is_refused(
    target: str,
    output: str,
    repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``scan dir -o dir/x.rpm --format json`` replaced an RPM the run had just audited with the
    report (readme66): the next run read it as a broken RPM file."""
    monkeypatch.chdir(tmp_path)
    walked = tmp_path / "walked"
    (walked / "sub").mkdir(parents=True)
    shutil.copy(repo / "Packages" / "sm-2.30.8-1.xcpng.noarch.rpm", walked)
    shutil.copy(repo / "Packages" / "sm-2.30.8-1.xcpng.noarch.rpm", walked / "renamed.json")
    (tmp_path / "link.json").symlink_to(walked / "sm-2.30.8-1.xcpng.noarch.rpm")
    trees = (repo, walked)
    before = {path: path.read_bytes() for tree in trees for path in tree.rglob("*") if path.is_file()}
    assert main(["scan", target, "--no-cache", "--format", "json", "-o", output]) == 2
    assert (
        f"-o {output}: the input {target} holds it and the run reads such a file" in capsys.readouterr().err
    )
    assert {path: path.read_bytes() for tree in trees for path in tree.rglob("*") if path.is_file()} == before


def test_a_report_of_a_new_name_inside_an_input_directory_is_written(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's CI jobs write their report inside the tree they audit: a name no reader takes."""
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "repo", "--no-cache", "-o", "repo/report.json"]) == 1  # the example's Citrix origins
    assert (repo / "report.json").read_bytes().startswith(b"{")
