"""A repository's package file named too, alone or in a directory, is read once (rt21, rt22).

`scan REPO REPO/Packages/x.rpm` read the file twice: as the repository's entry and as a file
of its own. The package, its findings and every total were counted twice in every format,
whichever came first, and so was a source package found in the source repository beside a
binary one. The entry stands, as dnf installs it; where the repository did not judge the entry
by its file's header (``--metadata-only``), the file's own read is evidence the entry lacks and
both stay, said. Fixture RPMs built by rpmbuild (tests/data/rpms), repositories by createrepo_c.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.conftest import RPMS, rewrite_primary
from tests.rpmbuild import build_noarch
from tests.sources.test_files_named_twice import totals

CITRIX = "bcond-citrix-1.0-1.src.rpm"
CLEAN = "epochs-1.2-4.src.rpm"


def createrepo(directory: Path) -> None:
    subprocess.run(
        ["createrepo_c", "--quiet", "--no-database", str(directory)], check=True, capture_output=True
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    directory = tmp_path / "repo"
    (directory / "Packages").mkdir(parents=True)
    for name in (CITRIX, CLEAN):
        shutil.copy(RPMS / name, directory / "Packages" / name)
    createrepo(directory)
    return directory


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object], list[str]]:
    code = main(["scan", *args, "--no-cache", "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    warnings = [line for line in captured.err.splitlines() if "listed by the repository" in line]
    return code, json.loads(captured.out), warnings


@pytest.mark.parametrize("file_first", [False, True])
def test_a_repository_file_named_too_counts_once_in_every_format(
    repo: Path, capsys: pytest.CaptureFixture[str], file_first: bool
) -> None:
    alone = totals([str(repo)], capsys)
    assert alone["json"][0] == ["bcond-citrix-1.0-1.src", "epochs-3:1.2-4.src"]
    inputs = [str(repo), str(repo / "Packages" / CITRIX)]
    assert totals(inputs[::-1] if file_first else inputs, capsys) == alone
    code, document, warnings = scan(inputs, capsys)
    assert code == 1
    assert warnings == [
        f"auditor: warning: {repo / 'Packages' / CITRIX}: listed by the repository {repo}; "
        "read once, as that repository's"
    ]
    assert document["warnings"] == [warning.removeprefix("auditor: warning: ") for warning in warnings]
    counts = {item["path"]: item["packages"] for item in document["inputs"]}  # type: ignore[attr-defined]
    assert counts == {str(repo): 2, str(repo / "Packages" / CITRIX): 0}


def test_a_directory_of_the_repository_and_a_hard_link_elsewhere_count_once(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hard link is read first; the walk then reads only the other file (rt21's rule for
    one file under two names), and the repository takes both from them."""
    alone = totals([str(repo)], capsys)
    hard = tmp_path / "elsewhere.src.rpm"
    os.link(repo / "Packages" / CLEAN, hard)
    inputs = [str(hard), str(repo / "Packages"), str(repo)]
    assert totals(inputs, capsys) == alone
    _, document, warnings = scan(inputs, capsys)
    assert warnings == [
        f"auditor: warning: {hard}: listed by the repository {repo}; read once, as that repository's",
        f"auditor: warning: {repo / 'Packages'}: {repo / 'Packages' / CITRIX}, met in its walk, "
        f"listed by the repository {repo}; read once, as that repository's",
    ]
    counts = {item["path"]: item["packages"] for item in document["inputs"]}  # type: ignore[attr-defined]
    assert counts == {str(hard): 0, str(repo / "Packages"): 0, str(repo): 2}


def test_another_file_of_the_same_package_is_not_the_repository_s(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A copy is another file (a rebuild of the same NEVRA would be one too): both are read."""
    copy = tmp_path / CITRIX
    shutil.copy(repo / "Packages" / CITRIX, copy)
    _, document, warnings = scan([str(repo), str(copy)], capsys)
    assert warnings == []
    assert [package["nevra"] for package in document["packages"]].count("bcond-citrix-1.0-1.src") == 2  # type: ignore[attr-defined]


def test_under_metadata_only_the_file_s_own_read_is_kept_with_its_finding(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The metadata of a source package carries no Source URL: the Citrix one is in the header
    of the file named, and dropping that read would pass the package on its metadata alone."""
    code, document, warnings = scan(["--metadata-only", str(repo / "Packages")], capsys)
    assert code == 1  # the file named alone, as a check of it
    code, document, warnings = scan(["--metadata-only", str(repo), str(repo / "Packages" / CITRIX)], capsys)
    assert code == 1
    read = [package for package in document["packages"] if package["nevra"] == "bcond-citrix-1.0-1.src"]  # type: ignore[attr-defined]
    assert sorted(package["status"] for package in read) == ["clean", "origin"]
    assert warnings == [
        f"auditor: warning: {repo / 'Packages' / CITRIX}: listed by the repository {repo}: audited twice, "
        "as the file and as its entry, for that repository did not judge them by their headers (--metadata-only)"
    ]


def test_a_source_package_named_and_found_in_the_source_repository_beside_counts_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binaries, sources = tmp_path / "x86_64", tmp_path / "SRPMS"
    binaries.mkdir()
    sources.mkdir()
    for name in ("xs-sources-1.0-1.noarch.rpm", "epochs-1.2-4.noarch.rpm"):
        shutil.copy(RPMS / name, binaries / name)
    for name in ("xs-sources-1.0-1.src.rpm", CLEAN):
        shutil.copy(RPMS / name, sources / name)
    createrepo(binaries)
    createrepo(sources)
    alone = totals([str(binaries)], capsys)
    assert "xs-sources-1.0-1.src" in alone["json"][0]
    named = str(sources / "xs-sources-1.0-1.src.rpm")
    for inputs in ([str(binaries), named], [named, str(binaries)]):
        assert totals(inputs, capsys) == alone


def test_a_repository_named_by_its_repomd_xml_takes_the_file_named_too(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Named by its repomd.xml, a repository's packages name its root as their input, not the
    input as given: the file named too was kept beside its entry, counted twice (rt24)."""
    alone = totals([str(repo)], capsys)
    repomd = str(repo / "repodata" / "repomd.xml")
    named = str(repo / "Packages" / CITRIX)
    for inputs in ([repomd, named], [named, repomd]):
        assert totals(inputs, capsys) == alone
        _, document, warnings = scan(inputs, capsys)
        assert warnings == [
            f"auditor: warning: {named}: listed by the repository {repomd}; read once, as that repository's"
        ]
        counts = {item["path"]: item["packages"] for item in document["inputs"]}  # type: ignore[attr-defined]
        assert counts == {repomd: 2, named: 0}


def test_a_file_named_then_met_in_a_directory_s_walk_is_the_named_input_s(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The walk leaves a file named before it: dropping it takes nothing from the directory's
    count, which went to -1 (rt24), and its warning names it as named, not as walked."""
    named, packages = str(repo / "Packages" / CITRIX), str(repo / "Packages")
    _, document, warnings = scan([named, packages, str(repo)], capsys)
    counts = {item["path"]: item["packages"] for item in document["inputs"]}  # type: ignore[attr-defined]
    assert counts == {named: 0, packages: 0, str(repo): 2}
    assert warnings == [
        f"auditor: warning: {named}: listed by the repository {repo}; read once, as that repository's",
        f"auditor: warning: {packages}: {repo / 'Packages' / CLEAN}, met in its walk, "
        f"listed by the repository {repo}; read once, as that repository's",
    ]


def test_a_file_whose_header_says_otherwise_than_its_entry_on_a_judged_field_is_kept(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The entry is held to its file's header on some fields only: a Summary edited in primary.xml
    stays the metadata's, and a policy's field rule may judge the Summary. Dropping the file's
    own read lost the header's, which the rule matches (rt24): both stay, and the warning says why."""
    rewrite_primary(
        repo, lambda text: text.replace("<summary>Fixture: a package", "<summary>Rebrand: a package")
    )
    policy = tmp_path / "summary.toml"
    policy.write_text(
        '[[rule]]\nid = "fixture-summary"\nkind = "field"\nseverity = "high"\nfields = ["summary"]\n'
        "pattern = '(?i)fixture'\nmessage = \"the Summary names a fixture\"\n"
    )
    named = str(repo / "Packages" / CLEAN)
    code, document, _ = scan(["--policy", str(policy), named], capsys)
    assert code == 1
    sources = [package for package in document["packages"] if package["arch"] == "src"]  # type: ignore[attr-defined]
    assert [package["status"] for package in sources] == ["origin"]
    code, document, warnings = scan(["--policy", str(policy), str(repo), named], capsys)
    assert code == 1
    read = [package for package in document["packages"] if package["nevra"] == "epochs-3:1.2-4.src"]  # type: ignore[attr-defined]
    assert sorted(package["status"] for package in read) == ["clean", "origin"]
    assert warnings == [
        f"auditor: warning: {named}: listed by the repository {repo}: audited twice, as the file and as its "
        "entry, for that repository did not judge them by their headers (its file's header says otherwise on summary)"
    ]


def test_under_verify_checksums_a_file_read_as_its_entry_is_not_said_unverified(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file named was verified as its repository's entry: the run said it was outside a
    repository and read unverified too, beside the warning that it was read as the entry (rt24).
    A file of no repository is still said, and so is a directory's walk of one."""
    loose = tmp_path / "loose"
    loose.mkdir()
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", loose)
    named = str(repo / "Packages" / CITRIX)
    main(
        ["scan", "--verify-checksums", named, str(repo), str(loose), "--no-cache", "-q", "--fail-on", "none"]
    )
    said = [line for line in capsys.readouterr().err.splitlines() if "--verify-checksums:" in line]
    assert said == [
        f"auditor: warning: {loose}: --verify-checksums: 1 RPM file(s) outside a repository have no checksum "
        "to be verified against; read unverified"
    ]


WEAK_URL_SPEC = """Name: weak-url
Version: 1.0
Release: 1
Summary: a package recommending a capability named by a Citrix URL
License: MIT
BuildArch: noarch
Recommends: gitsha(https://code.citrite.net/XS/weak-url.git)

%description
x

%files
"""


@pytest.mark.parametrize("weak", ["Recommends", "Suggests"])
def test_a_file_whose_weak_dependency_its_entry_lacks_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], weak: str
) -> None:
    """A weak dependency naming a Citrix URL edited out of primary.xml. Dropping the file's own
    read lost the host rule's evidence it has (rt24). A weak dependency the repository's reading
    now holds the entry to (`tests/sources/test_recommends_edited_out.py`; a Suggests too since
    the policy judges it, rt37): the entry takes the header's, and the file is read once. The
    RPM is built by rpmbuild."""
    spec = tmp_path / "weak-url.spec"
    spec.write_text(WEAK_URL_SPEC.replace("Recommends:", f"{weak}:"))
    _, binary = build_noarch(spec, tmp_path / "top", [])
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(binary, repo / binary.name)
    createrepo(repo)
    tag = f"rpm:{weak.lower()}"
    rewrite_primary(repo, lambda text: re.sub(rf"\s*<{tag}>.*?</{tag}>", "", text, flags=re.S))
    named = str(repo / binary.name)

    def hosts(document: dict[str, object]) -> list[list[str]]:
        return [
            sorted(f["field"] for f in package["findings"] if f["rule"] == "citrix-internal-host")
            for package in document["packages"]  # type: ignore[attr-defined]
        ]

    _, alone, _ = scan([named], capsys)
    assert hosts(alone) == [[weak.lower()]]
    _, document, warnings = scan([str(repo), named], capsys)
    assert hosts(document) == [[weak.lower()]]
    assert warnings == [
        f"auditor: warning: {named}: listed by the repository {repo}; read once, as that repository's"
    ]
