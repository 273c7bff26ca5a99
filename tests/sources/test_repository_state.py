"""A repository whose metadata is broken is bad input (exit 3 naming it), never an empty walk.

A mirror caught mid-sync has a ``repodata/`` whose ``repomd.xml`` is missing, a dangling
symlink or not a file yet; read as a plain directory it held 0 packages and passed the
gate. A ``repomd.xml`` that lists ``primary`` twice hid the packages of one of them.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.conftest import DATA, RPMS, errors_of
from tests.paths import ROOT

GOOD = RPMS / "single-deps-1.0-1.noarch.rpm"
GOOD_NEVRA = "single-deps-1.0-1.noarch"


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], list[str]]:
    code = main(["scan", *args, "--format", "json", "-q", "--no-cache"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, json.loads(captured.out), errors_of(captured.err)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "mirror" / "repo"
    shutil.copytree(DATA / "repo", target)
    return target


def break_repomd(repo: Path, how: str) -> Path:
    repomd = repo / "repodata" / "repomd.xml"
    repomd.unlink()
    if how == "dangling":
        repomd.symlink_to("repomd.xml.new")  # the sync had not renamed it into place yet
    elif how == "directory":
        repomd.mkdir()
    elif how == "missing":
        pass
    return repomd


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("dangling", "no such file or directory"),
        ("missing", "no such file or directory"),
        ("directory", "is a directory, not a metadata file"),
    ],
)
def test_a_repository_without_a_readable_repomd_is_an_input_error(
    repo: Path, how: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    repomd = break_repomd(repo, how)
    code, document, err = scan([str(repo), str(GOOD), "--fail-on", "none"], capsys)
    assert code == 3
    assert err == [f"auditor: error: {repomd}: {reason}"]
    assert [p["nevra"] for p in document["packages"]] == [GOOD_NEVRA]  # the other input still counts
    assert [e["input"] for e in document["errors"]] == [str(repomd)]


def test_a_broken_repository_inside_a_walked_directory_is_an_input_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repomd = break_repomd(repo, "dangling")
    shutil.copy(GOOD, repo.parent / GOOD.name)
    code, document, err = scan([str(repo.parent), "--fail-on", "none"], capsys)
    assert code == 3
    assert err == [f"auditor: error: {repomd}: no such file or directory"]
    assert [p["nevra"] for p in document["packages"]] == [GOOD_NEVRA]


def test_a_repodata_symlink_that_dangles_is_an_input_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(repo / "repodata")
    (repo / "repodata").symlink_to("repodata.tmp")  # mirrors swap repodata by symlink
    code, _document, err = scan([str(repo), "--fail-on", "none"], capsys)
    assert code == 3
    assert err == [f"auditor: error: {repo}/repodata/repomd.xml: no such file or directory"]


def test_a_repomd_that_is_a_named_pipe_is_an_input_error_not_a_hang(repo: Path) -> None:
    repomd = repo / "repodata" / "repomd.xml"
    repomd.unlink()
    os.mkfifo(repomd)
    child = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", str(repo), str(GOOD), "-q", "--fail-on", "none"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a measurement
    )
    assert child.returncode == 3 and GOOD_NEVRA in child.stdout
    assert errors_of(child.stderr) == [f"auditor: error: {repomd}: is a named pipe, not a metadata file"]


def test_two_primary_entries_are_refused_as_corrupt(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A second primary: the source repository's, next to the first. Whichever one a reader
    # keeps, the other's packages go unaudited.
    other = next((DATA / "srpm-repo" / "repodata").glob("*-primary.xml.gz"))
    shutil.copy(other, repo / "repodata" / other.name)
    other_block = re.search(
        r'<data type="primary">.*?</data>', (DATA / "srpm-repo" / "repodata" / "repomd.xml").read_text(), re.S
    )
    assert other_block is not None
    repomd = repo / "repodata" / "repomd.xml"
    xml = repomd.read_text()
    repomd.write_text(xml.replace("</repomd>", other_block.group(0) + "\n</repomd>"))
    code, document, err = scan([str(repo), str(GOOD), "--fail-on", "none"], capsys)
    assert code == 3
    assert err == [
        f"auditor: error: {repomd}: lists primary metadata twice: corrupt, one of them would go unaudited"
    ]
    assert [p["nevra"] for p in document["packages"]] == [GOOD_NEVRA]


def test_a_duplicate_of_a_type_the_audit_does_not_read_changes_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected_code, expected, _ = scan([str(DATA / "repo"), "--fail-on", "none"], capsys)
    repomd = repo / "repodata" / "repomd.xml"
    xml = repomd.read_text()
    block = re.search(r'<data type="other">.*?</data>', xml, re.S)
    assert block is not None
    repomd.write_text(xml.replace("</repomd>", block.group(0) + "\n</repomd>"))
    code, document, err = scan([str(repo), "--fail-on", "none"], capsys)
    assert (code, err) == (expected_code, [])
    assert document["packages"] == [{**p, "input": str(repo)} for p in expected["packages"]]


def test_a_package_file_whose_header_is_another_package_is_an_input_error_on_that_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The metadata names a package, its file holds another: the entry is audited as listed,
    and the file is an input error naming it, never silently taken for what it is not."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "xcp-ng-mini" / "repo", repo)
    listed = repo / "Packages" / "ocaml-4.14.1-1.xcpng.noarch.rpm"
    shutil.copy(GOOD, listed)
    code, report, errors = scan([str(repo)], capsys)
    assert code == 3
    assert errors == [
        f"auditor: error: {listed}: the file's header is {GOOD_NEVRA}, "
        "the repository metadata says ocaml-4.14.1-1.xcpng.noarch"
    ]
    assert "ocaml-4.14.1-1.xcpng.noarch" in {package["nevra"] for package in report["packages"]}


def _whitewash(text: str) -> str:
    """primary.xml with the xs-sources packages' origin fields made innocent, their files untouched."""
    return (
        text.replace("Citrix Systems, Inc.", "Example")
        .replace("builds@citrix.com", "builds@example.org")
        .replace("Proprietary and BSD", "BSD")
    )


def test_metadata_that_whitewashes_a_files_origin_fields_is_an_input_error_and_the_file_is_judged(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The metadata is createrepo_c's copy of each header: where it says another Vendor,
    Packager or License than the file, one of them was changed since. The file is what gets
    installed: the package is judged by its header, and the file is an input error."""
    from tests.conftest import rewrite_primary

    rewrite_primary(repo, _whitewash)
    code, report, errors = scan([str(repo), "--fail-on", "origin"], capsys)
    assert code == 3
    files = [repo / "Packages" / f"{name}-1.0-1.noarch.rpm" for name in ("xs-sources", "xs-sources-devel")]
    assert errors == [
        f"auditor: error: {path}: the file's header and the repository metadata disagree: vendor "
        "'Citrix Systems, Inc.' in the header, 'Example' in the metadata; packager 'Build Team "
        "<builds@citrix.com>' in the header, 'Build Team <builds@example.org>' in the metadata; "
        "license 'Proprietary and BSD' in the header, 'BSD' in the metadata"
        for path in files
    ]
    judged = {p["name"]: (p["status"], p["vendor"], p["license"]) for p in report["packages"]}
    assert judged["xs-sources"] == ("origin", "Citrix Systems, Inc.", "Proprietary and BSD")
    assert judged["xs-sources-devel"] == ("origin", "Citrix Systems, Inc.", "Proprietary and BSD")


def _listed_twice(text: str) -> str:
    """primary.xml, whitewashed, with the xs-sources entry listed twice (``createrepo_c -i``
    given a list that repeats its line)."""
    start = text.index("<package ", text.index("<name>xs-sources</name>") - 200)
    end = text.index("</package>", start) + len("</package>")
    count = int(re.search(r'packages="(\d+)"', text)[1])  # type: ignore[index]
    text = text.replace(f'packages="{count}"', f'packages="{count + 1}"', 1)
    return _whitewash(text[:end] + "\n" + text[start:end] + text[end:])


def test_a_file_listed_twice_that_disagrees_with_its_entries_is_one_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each entry is judged by the file, but the file is one input: its disagreement is said
    once, as its read errors are, not once per entry that lists it."""
    from tests.conftest import rewrite_primary

    rewrite_primary(repo, _listed_twice)
    code, report, errors = scan([str(repo), "--fail-on", "origin"], capsys)
    assert code == 3
    file = repo / "Packages" / "xs-sources-1.0-1.noarch.rpm"
    assert len([error for error in errors if error.startswith(f"auditor: error: {file}:")]) == 1, errors
    judged = [p["status"] for p in report["packages"] if p["name"] == "xs-sources"]
    assert judged == ["origin", "origin"]


def test_metadata_that_agrees_with_its_files_up_to_xml_whitespace_is_no_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An XML writer may re-flow a value's whitespace; an absent field may be an empty element."""
    from tests.conftest import rewrite_primary

    expected_code, expected, _ = scan([str(DATA / "repo"), "--fail-on", "none"], capsys)
    rewrite_primary(repo, lambda text: text.replace("Citrix Systems, Inc.", " Citrix  Systems,\n Inc. "))
    code, report, errors = scan([str(repo), "--fail-on", "none"], capsys)
    assert (code, errors) == (expected_code, [])
    assert [p["status"] for p in report["packages"]] == [p["status"] for p in expected["packages"]]


def test_metadata_that_swaps_in_other_whitespace_is_an_input_error_and_the_file_is_judged(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A no-break space is not XML's whitespace: no writer re-flows a space into one. Metadata
    whose Vendor and License have them where the file has spaces disagrees with the file, and
    the package is judged by the file (a red-team case: the swap hid both from the policy)."""
    from tests.conftest import rewrite_primary

    swapped = {
        "Citrix Systems, Inc.": "Citrix\u00a0Systems,\u00a0Inc.",
        "Proprietary and BSD": "Proprietary\u00a0and\u00a0BSD",
    }

    def swap(text: str) -> str:
        for plain, other in swapped.items():
            text = text.replace(plain, other)
        return text

    rewrite_primary(repo, swap)
    code, report, errors = scan([str(repo), "--fail-on", "origin"], capsys)
    assert code == 3 and len(errors) == 2 and all("disagree: vendor" in error for error in errors)
    judged = {p["name"]: (p["vendor"], p["license"]) for p in report["packages"]}
    assert judged["xs-sources"] == ("Citrix Systems, Inc.", "Proprietary and BSD")


def test_the_file_s_spelling_is_judged_where_the_metadata_re_flowed_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Re-flowed XML whitespace is no disagreement, but the value judged is still the file's."""
    from tests.conftest import rewrite_primary

    rewrite_primary(repo, lambda text: text.replace("Citrix Systems, Inc.", " Citrix  Systems,\n Inc. "))
    code, report, errors = scan([str(repo), "--fail-on", "none"], capsys)
    assert (code, errors) == (0, [])
    assert {p["vendor"] for p in report["packages"] if p["name"] == "xs-sources"} == {"Citrix Systems, Inc."}


def test_metadata_that_empties_a_binary_s_sourcerpm_is_an_input_error_and_the_header_s_is_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An empty ``<rpm:sourcerpm>`` hid the source package a binary inherits its evidence
    from (review 8, finding 1): the Citrix SRPM beside the repository was never paired with
    it, and ``--strict`` passed. The header's SOURCERPM is the file's; the metadata that says
    otherwise is an input error."""
    from tests.conftest import rewrite_primary

    shutil.copytree(DATA / "repo", tmp_path / "dist" / "x86_64")
    shutil.copytree(DATA / "srpm-repo", tmp_path / "dist" / "SRPMS")
    repo = tmp_path / "dist" / "x86_64"
    rewrite_primary(
        repo,
        lambda text: text.replace(
            "<rpm:sourcerpm>xs-sources-1.0-1.src.rpm</rpm:sourcerpm>", "<rpm:sourcerpm/>"
        ),
    )
    code, report, errors = scan([str(repo)], capsys)
    files = [repo / "Packages" / f"{name}-1.0-1.noarch.rpm" for name in ("xs-sources", "xs-sources-devel")]
    assert errors == [
        f"auditor: error: {file}: the file's header and the repository metadata disagree: sourcerpm "
        "'xs-sources-1.0-1.src.rpm' in the header, (none) in the metadata"
        for file in files
    ]
    binary = next(p for p in report["packages"] if p["nevra"] == "xs-sources-1.0-1.noarch")
    assert binary["status"] == "origin"
    assert any(finding.get("inherited_from") == "xs-sources-1.0-1.src" for finding in binary["findings"])
    assert code == 3


def test_a_binary_that_names_no_source_package_is_a_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read from the metadata alone, a binary without SOURCERPM came from a source package
    nobody can name: what it was built from was not seen, and ``--strict`` fails."""
    from tests.conftest import rewrite_primary

    repo = tmp_path / "repo"
    shutil.copytree(DATA / "repo", repo)
    rewrite_primary(repo, lambda text: re.sub(r"<rpm:sourcerpm>[^<]*</rpm:sourcerpm>", "", text))
    code, report, _ = scan([str(repo), "--metadata-only", "--strict"], capsys)
    binary = next(p for p in report["packages"] if p["nevra"] == GOOD_NEVRA)
    assert [gap["detail"] for gap in binary["gaps"] if gap["kind"] == "source-not-audited"] == [
        "its source package is unknown: the package names none (no SOURCERPM)"
    ]
    assert code == 3


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (
            lambda text: text.replace('<rpm:entry name="single-req" flags="GE" epoch="0" ver="1.0"/>', ""),
            "requires 'single-req' in the header, not in the metadata",
        ),
        (
            lambda text: text.replace(
                '<rpm:entry name="single-deps" flags="EQ" epoch="0" ver="1.0" rel="1"/>',
                '<rpm:entry name="single-deps" flags="EQ" epoch="0" ver="1.0" rel="1"/>'
                '<rpm:entry name="citrix-licensing"/>',
            ),
            "provides 'citrix-licensing' in the metadata, not in the header",
        ),
    ],
    ids=["a requirement edited out", "a capability edited in"],
)
def test_metadata_that_hides_a_header_s_dependencies_is_an_input_error_and_the_header_resolved(
    repo: Path, edit: Any, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A requirement on a Citrix package edited out of primary.xml made its dependant clean
    (review 8, finding 2): dnf would not pull it in, but rpm checks the header and refuses the
    package without it. A capability edited in is a way around a Citrix provider that the
    file does not give. The header's dependencies are the package's, and the metadata that
    hides them is an input error, as for its origin fields."""
    from tests.conftest import rewrite_primary

    rewrite_primary(repo, edit)
    code, report, errors = scan([str(repo)], capsys)
    file = repo / "Packages" / f"{GOOD_NEVRA}.rpm"
    assert errors == [
        f"auditor: error: {file}: the file's header and the repository metadata disagree: {said}"
    ]
    assert GOOD_NEVRA in [p["nevra"] for p in report["packages"]]
    assert code == 3


def test_what_createrepo_c_leaves_out_of_the_metadata_is_no_disagreement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """createrepo_c drops requirements on rpmlib(), on the package's own capabilities and
    primary files, and repeats: a repository it wrote agrees with its files."""
    spec = tmp_path / "selfish.spec"
    spec.write_text(
        "Name: selfish\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        "Provides: selfish-api = 1\nRequires: selfish-api, /usr/bin/selfish, other-thing\n"
        "Requires(post): other-thing\n"
        "%description\nd\n%install\nmkdir -p %{buildroot}/usr/bin\ntouch %{buildroot}/usr/bin/selfish\n"
        "%files\n/usr/bin/selfish\n"
    )
    top = tmp_path / "rpmbuild"
    subprocess.run(["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}", str(spec)], check=True)
    repo = tmp_path / "repo"
    repo.mkdir()
    for built in (top / "RPMS").rglob("*.rpm"):
        shutil.copy(built, repo)
    subprocess.run(["createrepo_c", "--quiet", str(repo)], check=True)
    code, _, errors = scan([str(repo)], capsys)
    assert errors == []
    assert code in (0, 1)


def test_metadata_that_drops_a_header_s_conflict_is_an_input_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Conflicts takes a provider out of the ways around one: edited out of the metadata,
    it would make a way around appear that rpm refuses."""
    from tests.conftest import rewrite_primary

    rewrite_primary(
        repo,
        lambda text: text.replace('<rpm:entry name="single-conflict" flags="LT" epoch="0" ver="2.0"/>', ""),
    )
    code, _, errors = scan([str(repo)], capsys)
    file = repo / "Packages" / f"{GOOD_NEVRA}.rpm"
    assert errors == [
        f"auditor: error: {file}: the file's header and the repository metadata disagree: conflicts "
        "'single-conflict' in the header, not in the metadata"
    ]
    assert code == 3


def test_metadata_that_drops_a_header_s_provide_is_an_input_error_and_the_provide_is_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """createrepo_c copies a header's provides whole, and the host rule judges a URL in one
    (XenServer's gitsha(https://code.citrite.net/...)): edited out of primary.xml, the entry
    passed without that evidence, which the file carries and rpm installs (rt24)."""
    from tests.conftest import rewrite_primary

    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(RPMS / "xs-sources-1.0-1.noarch.rpm", repo)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(repo)], check=True, capture_output=True)
    rewrite_primary(repo, lambda text: re.sub(r'\s*<rpm:entry name="gitsha\([^"]*"[^>]*/>', "", text))
    code, document, errors = scan([str(repo)], capsys)
    file = repo / "xs-sources-1.0-1.noarch.rpm"
    assert errors == [
        f"auditor: error: {file}: the file's header and the repository metadata disagree: provides "
        "'gitsha(https://code.citrite.net/rest/archive/latest/projects/XSU/repos/xs-sources/archive?at=v1.0"
        "&format=tar.gz&prefix=xs-sources-1.0#/xs-sources-1.0.tar.gz)', "
        "'gitsha(ssh://git@code.citrite.net/XS/xs-sources.spec.git)' in the header, not in the metadata"
    ]
    (package,) = document["packages"]
    hosts = [f["field"] for f in package["findings"] if f["rule"] == "citrix-internal-host"]
    assert hosts == ["provides", "provides"]
    assert code == 3


def _escaped_twice(text: str) -> str:
    """What ``createrepo_c --update`` before 0.18 writes for a dependency entry it keeps from the
    old metadata: each ``&`` of an attribute escaped a second time (``&amp;#38;``)."""
    return re.sub(
        r'<rpm:entry name="[^"]*"', lambda entry: entry.group(0).replace("&amp;", "&amp;#38;"), text
    )


def test_an_ampersand_createrepo_c_update_escaped_twice_is_no_disagreement(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Red team 14, F5: createrepo_c 0.17 ``--update`` rewrote XenServer's ``gitsha(URL?a&b)``
    provides as ``gitsha(URL?a&#38;b)``, so every such file of a repository kept up to date that
    way disagreed with its entry and the default scan exited 3. The package is resolved by its
    header, as for any difference, and judged as before."""
    from tests.conftest import primary_of, rewrite_primary

    _, clean, _ = scan([str(repo)], capsys)
    rewrite_primary(repo, _escaped_twice)
    assert "&amp;#38;format=tar.gz" in gzip.decompress(primary_of(repo).read_bytes()).decode()
    code, report, errors = scan([str(repo)], capsys)
    assert errors == [] and code == 1

    def verdicts(document: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
        return [
            (p["nevra"], p["status"], [f["capability"] for f in p["facts"]]) for p in document["packages"]
        ]

    assert verdicts(report) == verdicts(clean)
    # The header's names are the package's: what it provides is spelt as rpm installs it.
    model = tmp_path / "model.json"
    assert main(["scan", str(repo), "--format", "model", "-o", str(model), "-q", "--no-cache"]) == 1
    [package] = [
        p
        for p in json.loads(model.read_text())["packages"]
        if p["name"] == "xs-sources" and p["arch"] == "noarch"
    ]
    provides = [d["name"] if isinstance(d, dict) else d for d in package["provides"]]
    assert any("at=v1.0&format=tar.gz" in str(name) for name in provides)
    assert not any("&#38;" in str(name) for name in provides)


def test_the_second_escape_does_not_excuse_a_dependency_edited_out(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the spelling is forgiven: metadata escaped twice that also drops a requirement still
    disagrees with its file."""
    from tests.conftest import rewrite_primary

    rewrite_primary(
        repo,
        lambda text: _escaped_twice(text).replace(
            '<rpm:entry name="single-req" flags="GE" epoch="0" ver="1.0"/>', ""
        ),
    )
    code, _, errors = scan([str(repo)], capsys)
    file = repo / "Packages" / f"{GOOD_NEVRA}.rpm"
    assert errors == [
        f"auditor: error: {file}: the file's header and the repository metadata disagree: "
        "requires 'single-req' in the header, not in the metadata"
    ]
    assert code == 3
