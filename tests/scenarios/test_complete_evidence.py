"""Complete evidence: a repository scan sees every Source URL, and an incomplete audit says so.

Each scenario builds a repository layout from the real fixtures (RPMs built by rpmbuild,
repodata by createrepo_c), runs ``auditor scan`` as a release manager would, and checks
the JSON report and the exit code, with and without ``--strict``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.conftest import DATA, RPMS
from tests.httpserver import LocalServer
from tests.unprivileged import auditor_without_override

XS_SOURCE0 = "https://code.citrite.net/rest/archive/latest/projects/XSU/repos/xs-sources/archive?at=v1.0&format=tar.gz&prefix=xs-sources-1.0#/xs-sources-1.0.tar.gz"


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["scan", *args, "--format", "json", "-q"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def reasons(document: dict[str, Any]) -> dict[str, int]:
    return {item["reason"]: item["count"] for item in document["completeness"]["reasons"]}


def package(document: dict[str, Any], nevra: str) -> dict[str, Any]:
    return next(p for p in document["packages"] if p["nevra"] == nevra)


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    """``dist/x86_64`` (the binary repository) beside ``dist/SRPMS`` (its sources)."""
    shutil.copytree(DATA / "repo", tmp_path / "dist" / "x86_64")
    shutil.copytree(DATA / "srpm-repo", tmp_path / "dist" / "SRPMS")
    return tmp_path / "dist"


def test_a_repository_scan_reads_the_source_packages_found_beside_it(
    layout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, document, _ = scan([str(layout / "x86_64")], capsys)
    source = package(document, "xs-sources-1.0-1.src")
    assert XS_SOURCE0 in [s["value"] for s in source["sources"]]
    assert "source0" in {f["field"] for f in source["findings"]}
    # Its binaries inherit that evidence: the sources were seen, nothing is missing.
    binary = package(document, "xs-sources-1.0-1.noarch")
    assert {"citrix-internal-host"} <= {f["rule"] for f in binary["findings"]}
    assert "source-not-audited" not in reasons(document)
    assert {item["kind"] for item in document["inputs"]} == {"repository", "source-repository"}
    found = next(item for item in document["inputs"] if item["kind"] == "source-repository")
    assert found["path"].endswith("SRPMS")
    # The header-read Sources equal what reading the SRPM files alone gives.
    _, files, _ = scan([str(RPMS / "xs-sources-1.0-1.src.rpm")], capsys)
    assert source["sources"] == package(files, "xs-sources-1.0-1.src")["sources"]


def test_without_its_sources_a_repository_scan_is_incomplete(
    layout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, document, err = scan([str(layout / "x86_64"), "--no-source-discovery"], capsys)
    binaries = [p for p in document["packages"] if p["kind"] == "binary"]
    assert reasons(document)["source-not-audited"] == len(binaries)
    assert all(any(g["kind"] == "source-not-audited" for g in p["gaps"]) for p in binaries)
    assert document["completeness"]["complete"] is False and "source-not-audited" in err
    assert code == 1  # it blocks on what it saw...
    strict, _, _ = scan([str(layout / "x86_64"), "--no-source-discovery", "--strict"], capsys)
    assert strict == 3  # ... and --strict fails on what it did not see
    # Naming the source repository explicitly completes it.
    code, document, _ = scan(
        [str(layout / "x86_64"), "--no-source-discovery", "--sources", str(layout / "SRPMS")], capsys
    )
    assert "source-not-audited" not in reasons(document) and code == 1


def test_metadata_only_is_fast_and_says_what_it_did_not_see(
    layout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, document, _ = scan([str(layout / "x86_64"), "--metadata-only"], capsys)
    assert package(document, "xs-sources-1.0-1.src")["sources"] == []
    assert reasons(document)["metadata-only"] == len(document["packages"])
    assert scan([str(layout / "x86_64"), "--metadata-only", "--strict"], capsys)[0] == 3


def test_files_outside_the_metadata_and_entries_without_a_file_are_gaps(
    layout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = layout / "x86_64"
    shutil.copy(RPMS / "xs-sources-1.0-1.src.rpm", repo / "Packages" / "copied-in-later.src.rpm")
    (repo / "Packages" / "weakdeps-1.0-1.noarch.rpm").unlink()
    code, document, err = scan([str(repo)], capsys)
    assert reasons(document)["file-outside-metadata"] == 1
    assert reasons(document)["file-missing"] == 1
    [outside] = [g for g in document["completeness"]["gaps"] if g["rule"] == "gap:file-outside-metadata"]
    assert "copied-in-later.src.rpm" in outside["text"]
    # Still audited from repodata, and the gap is its own: every format shows it on the package.
    [gap] = package(document, "weakdeps-1.0-1.noarch")["gaps"]
    assert gap["kind"] == "file-missing" and "Packages/weakdeps-1.0-1.noarch.rpm" in gap["detail"]
    assert "file-outside-metadata" in err and code == 1
    assert scan([str(repo), "--strict"], capsys)[0] == 3
    assert main(["scan", str(repo), "--format", "cyclonedx", "-q"]) == 1
    bom = json.loads(capsys.readouterr().out)
    [component] = [c for c in bom["components"] if c["bom-ref"] == "pkg:rpm/weakdeps@1.0-1?arch=noarch"]
    gaps = [p["value"] for p in component["properties"] if p["name"] == "auditor:gap"]
    assert len(gaps) == 1 and "file-missing" in gaps[0]


def test_metadata_only_still_names_the_rpm_files_its_metadata_does_not_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No header is read, but the files are looked at: an unlisted RPM file and a repository of
    its own inside this one are unseen whatever the mode, and the Citrix package there must be
    named, not hidden behind the one `metadata-only` gap (it was: only the mode was said)."""
    repo = tmp_path / "repo"
    (repo / "extra").mkdir(parents=True)
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", repo / "epochs-1.2-4.noarch.rpm")
    for name in ("xs-sources-1.0-1.noarch.rpm", "xs-sources-1.0-1.src.rpm"):
        shutil.copy(RPMS / name, repo / "extra" / name)
    subprocess.run(["createrepo_c", "-q", "--excludes", "extra/*", str(repo)], check=True)
    subprocess.run(["createrepo_c", "-q", str(repo / "extra")], check=True)
    shutil.copy(RPMS / "xs-sources-1.0-1.noarch.rpm", repo / "copied-in-later.noarch.rpm")
    _, document, _ = scan([str(repo), "--metadata-only", "--no-cache"], capsys)
    texts = [g["text"] for g in document["completeness"]["gaps"] if g["rule"] == "gap:file-outside-metadata"]
    assert len(texts) == 2 and reasons(document)["file-outside-metadata"] == 3
    assert any("copied-in-later.noarch.rpm" in text and "not listed" in text for text in texts)
    assert any("extra/" in text and "xs-sources-1.0-1.noarch.rpm" in text for text in texts)
    assert reasons(document)["metadata-only"] == 1  # epochs, the one package it lists
    # Given as an input, the repository inside is read (from its metadata) and no longer a gap.
    code, document, _ = scan([str(repo), str(repo / "extra"), "--metadata-only", "--no-cache"], capsys)
    texts = [g["text"] for g in document["completeness"]["gaps"] if g["rule"] == "gap:file-outside-metadata"]
    assert len(texts) == 1 and "copied-in-later" in texts[0]
    assert code == 1 and package(document, "xs-sources-1.0-1.src")["status"] == "origin"


def test_an_unlisted_rpm_file_named_in_upper_case_is_a_gap_as_a_directory_walk_reads_it(
    layout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One rule says what an RPM file is: the repository's look for files outside its metadata
    and a directory walk (which reads ``*.RPM`` too) must not disagree on a Citrix package."""
    repo = layout / "x86_64"
    assert "file-outside-metadata" not in reasons(scan([str(repo)], capsys)[1])
    shutil.copy(RPMS / "xs-sources-1.0-1.noarch.rpm", repo / "Packages" / "XS-UNLISTED.RPM")
    code, document, err = scan([str(repo)], capsys)
    assert code == 1 and reasons(document)["file-outside-metadata"] == 1 and "file-outside-metadata" in err
    [outside] = [g for g in document["completeness"]["gaps"] if g["rule"] == "gap:file-outside-metadata"]
    assert "Packages/XS-UNLISTED.RPM" in outside["text"]
    assert scan([str(repo), "--strict"], capsys)[0] == 3
    _, walked, _ = scan([str(repo / "Packages" / "XS-UNLISTED.RPM")], capsys)
    assert [p["nevra"] for p in walked["packages"]] == ["xs-sources-1.0-1.noarch"]


def test_packages_the_metadata_places_on_a_policy_host_are_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``createrepo_c --baseurl`` writes an ``xml:base`` on every location: dnf downloads each
    package from there. On a Citrix host, that is where the packages come from, whatever the
    files in the directory say."""
    repo = tmp_path / "repo"
    (repo / "Packages").mkdir(parents=True)
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", repo / "Packages")
    base = "https://repo.citrite.net/xs/x86_64/"
    subprocess.run(["createrepo_c", "--quiet", "--baseurl", base, str(repo)], check=True)
    code, document, _ = scan([str(repo), "--fail-on", "origin"], capsys)
    epochs = package(document, "epochs-3:1.2-4.noarch")
    [finding] = [f for f in epochs["findings"] if f["field"] == "location"]
    assert finding["rule"] == "citrix-internal-host" and finding["value"].startswith(base)
    assert epochs["status"] == "origin" and code == 1
    # A location on the repository's own host names no other host: no finding.
    subprocess.run(["createrepo_c", "--quiet", "--update", str(repo)], check=True)
    code, document, _ = scan([str(repo), "--fail-on", "origin"], capsys)
    assert not [f for f in package(document, "epochs-3:1.2-4.noarch")["findings"] if f["field"] == "location"]


@pytest.mark.parametrize("remote", [False, True], ids=["local", "remote"])
def test_an_xml_base_with_one_slash_is_on_its_host(
    remote: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """librepo joins ``xml:base`` and href as text and hands them to curl, which reads
    ``http:/host/x`` as ``http://host/x`` (one to three slashes): dnf downloads the package from
    ``host`` (checked with dnf 4). Read only as ``scheme://``, such a location was a file of the
    repository: locally a missing file, clean with a gap; remotely ``urljoin`` put it on the
    repository's own server, where a clean copy was read with no gap at all, ``--strict`` passing."""
    root = tmp_path / "www"
    repo = root / "repo"
    (repo / "Packages").mkdir(parents=True)
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", repo / "Packages")
    base = "http:/repo.citrite.net/xs/"
    subprocess.run(["createrepo_c", "--quiet", "--baseurl", base, str(repo)], check=True)
    # Where urljoin took the location: the repository's server, serving a copy there.
    (root / "repo.citrite.net" / "xs" / "Packages").mkdir(parents=True)
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", root / "repo.citrite.net" / "xs" / "Packages")
    with LocalServer(root) as server:
        target = server.url("/repo/") if remote else str(repo)
        code, document, _ = scan([target, "--fail-on", "origin", "--no-cache"], capsys)
    epochs = package(document, "epochs-3:1.2-4.noarch")
    [finding] = [f for f in epochs["findings"] if f["field"] == "location"]
    assert finding["rule"] == "citrix-internal-host" and finding["value"].startswith(base)
    assert epochs["status"] == "origin" and code == 1


def test_a_package_the_metadata_places_on_another_host_is_a_gap_of_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With an ``xml:base`` (``createrepo_c --baseurl``), dnf installs the file found there,
    which a local repository's reading never fetches: nospec's Source1 on code.citrite.net,
    in its header alone, is unseen, and a pass under ``--strict`` would be a false clean."""
    repo = tmp_path / "repo"
    (repo / "Packages").mkdir(parents=True)
    shutil.copy(RPMS / "nospec-1.0-1.src.rpm", repo / "Packages")
    base = "https://mirror.example.org/xcp/"
    subprocess.run(["createrepo_c", "--quiet", "--baseurl", base, str(repo)], check=True)
    (repo / "Packages" / "nospec-1.0-1.src.rpm").unlink()  # the files are on the mirror
    code, document, _ = scan([str(repo), "--fail-on", "origin", "--strict"], capsys)
    [gap] = package(document, "nospec-1.0-1.src")["gaps"]
    assert gap["kind"] == "file-missing" and f"{base}Packages/nospec-1.0-1.src.rpm" in gap["detail"]
    assert reasons(document)["file-missing"] == 1 and code == 3


def test_a_file_the_metadata_lists_twice_is_read_for_each_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``createrepo_c -i`` given a list that repeats a line lists the file twice in primary.xml
    (as createrepo_c's own repo_with_duplicate_packages). Each entry is a package of the audit:
    the one whose file was not read was judged by its metadata alone, without a gap, and the
    binary took its source package's evidence from it, so it passed ``--fail-on origin``."""
    repo = tmp_path / "repo"
    (repo / "Packages").mkdir(parents=True)
    for name in ("nospec-1.0-1.src.rpm", "nospec-1.0-1.noarch.rpm"):
        shutil.copy(RPMS / name, repo / "Packages")
    listing = tmp_path / "pkglist"
    listing.write_text(
        "Packages/nospec-1.0-1.src.rpm\nPackages/nospec-1.0-1.src.rpm\nPackages/nospec-1.0-1.noarch.rpm\n"
    )
    subprocess.run(["createrepo_c", "--quiet", "-i", str(listing), str(repo)], check=True)
    code, document, _ = scan([str(repo), "--fail-on", "origin"], capsys)
    rows = {p["nevra"]: p for p in document["packages"]}
    sources = [p for p in document["packages"] if p["nevra"] == "nospec-1.0-1.src"]
    assert len(sources) == 2
    for row in [*sources, rows["nospec-1.0-1.noarch"]]:
        assert [f["field"] for f in row["findings"] if f["rule"] == "citrix-internal-host"] == ["source1"]
        assert row["status"] == "origin"
    assert code == 1


def test_a_file_that_is_not_its_metadata_entry_is_an_input_error(
    layout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = layout / "SRPMS"
    target = repo / "Packages" / "weakdeps-1.0-1.src.rpm"
    shutil.copy(RPMS / "xs-sources-1.0-1.src.rpm", target)  # same file name, another package
    code, document, _ = scan([str(repo)], capsys)
    [error] = document["errors"]
    assert error["input"].endswith("weakdeps-1.0-1.src.rpm") and "xs-sources-1.0-1.src" in error["message"]
    assert code == 3


def test_a_repo_file_names_its_source_section_and_it_is_read(
    layout: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "mirror" / "pool" / "sources"  # where no directory layout would find it
    elsewhere.parent.mkdir(parents=True)
    (layout / "SRPMS").rename(elsewhere)
    config = tmp_path / "dist.repo"
    config.write_text(
        f"[dist]\nbaseurl=file://{layout / 'x86_64'}\nenabled=1\n\n"
        f"[dist-source]\nbaseurl=file://{elsewhere}\nenabled=0\n"
    )
    _, document, _ = scan([str(config)], capsys)
    assert XS_SOURCE0 in [s["value"] for s in package(document, "xs-sources-1.0-1.src")["sources"]]
    assert "source-not-audited" not in reasons(document)
    _, document, _ = scan([str(config), "--no-source-discovery"], capsys)  # it is discovery too
    assert "source-not-audited" in reasons(document)


def test_spec_gaps_and_an_empty_audit_are_incomplete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "gappy.spec"
    spec.write_text(
        "Name: gappy\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n"
        "%if 0%{?rhel} >= 8\nSource0: https://example.org/a.tar.gz\n%else\nSource0: https://example.org/b.tar.gz\n%endif\n"
        "Source1: https://example.org/%(echo generated).tar.gz\n"
        "BuildArch: noarch\n%description\nd\n%files\n/usr/share/gappy\n"
    )
    code, document, _ = scan([str(spec)], capsys)
    found = reasons(document)
    # Source1 is unseen for the source package and for the binary whose findings include its Sources
    assert found["undecided-conditional"] >= 1 and found["unexpanded-source"] == 2
    assert code == 0 and document["summary"]["headline"] == "incomplete"
    assert scan([str(spec), "--strict"], capsys)[0] == 3
    assert scan([str(spec), "--define", "rhel 8", "--strict"], capsys)[0] == 3  # Source1 still unexpanded
    empty = tmp_path / "empty"
    empty.mkdir()
    code, document, _ = scan([str(empty)], capsys)
    # An audit of nothing, and the input that held nothing, named.
    assert code == 3 and reasons(document) == {"nothing-audited": 1, "empty-input": 1}
    assert document["summary"]["headline"] == "failed"


def test_a_directory_of_spec_files_audits_them_as_if_each_were_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A packaging tree (SPECS/, a package's own repository) is what a contributor checks
    before building: its spec files are read, and a bad one hides nothing of the others."""
    tree = tmp_path / "packaging"
    for name in ("nospec.spec", "bcond-citrix.spec", "xs-sources.spec"):
        (tree / name.removesuffix(".spec") / "SPECS").mkdir(parents=True)
        shutil.copy(DATA / "specs" / name, tree / name.removesuffix(".spec") / "SPECS" / name)
    (tree / "broken.spec").write_text("%description\nno preamble at all\n")
    code, document, _ = scan([str(tree)], capsys)
    one_by_one = [
        scan([str(path)], capsys)[1] for path in sorted(tree.rglob("*.spec")) if path.name != "broken.spec"
    ]
    expected = {(p["nevra"], p["status"]) for d in one_by_one for p in d["packages"]}
    assert {(p["nevra"], p["status"]) for p in document["packages"]} == expected
    assert any(status == "origin" for _, status in expected)
    assert [error["input"] for error in document["errors"]] == [str(tree / "broken.spec")]
    assert code == 3  # an input error, with the findings of the good specs reported


@pytest.mark.parametrize("name", ["x86_64", "x86_64/", "x86_64/repodata", "x86_64/repodata/repomd.xml"])
def test_every_name_of_a_repository_is_the_same_audit(
    name: str, layout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its directory, its repodata/ or its repomd.xml: the same packages, the same sources
    found beside it (a repodata/ directory once audited nothing)."""
    reference_code, reference, _ = scan([str(layout / "x86_64")], capsys)
    code, document, _ = scan([str(layout) + "/" + name], capsys)
    assert code == reference_code
    assert [(p["nevra"], p["status"]) for p in document["packages"]] == [
        (p["nevra"], p["status"]) for p in reference["packages"]
    ]
    assert "source-not-audited" not in reasons(document) and document["errors"] == []


def test_files_the_metadata_lists_in_a_nested_repository_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The metadata lists ``SRPMS/*.src.rpm``, and ``SRPMS/`` has a ``repodata/`` of its own: the
    walk leaves that directory out (its files are not this repository's unlisted ones), but the
    files this metadata lists there are this repository's, and their Sources are evidence."""
    repo = tmp_path / "repo"
    (repo / "Packages").mkdir(parents=True)
    (repo / "SRPMS").mkdir()
    for name in ("xs-sources-1.0-1.noarch.rpm", "xs-sources-devel-1.0-1.noarch.rpm"):
        shutil.copy(RPMS / name, repo / "Packages" / name)
    shutil.copy(RPMS / "xs-sources-1.0-1.src.rpm", repo / "SRPMS" / "xs-sources-1.0-1.src.rpm")
    subprocess.run(["createrepo_c", "-q", str(repo)], check=True)
    subprocess.run(["createrepo_c", "-q", str(repo / "SRPMS")], check=True)
    code, document, _ = scan([str(repo)], capsys)
    assert "file-missing" not in reasons(document)
    source = package(document, "xs-sources-1.0-1.src")
    assert XS_SOURCE0 in [s["value"] for s in source["sources"]] and code == 1


@pytest.mark.parametrize("state", ["a repository", "repodata/ being written"])
def test_a_repository_of_its_own_inside_a_repository_is_a_gap_until_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], state: str
) -> None:
    """``extra/`` has a ``repodata/`` of its own (or an empty one, createrepo_c at work) and the
    outer metadata does not list its files: dnf reading the outer repository never sees them,
    and neither does its audit. They are said to be unseen until ``extra/`` is an input too."""
    repo = tmp_path / "repo"
    (repo / "extra").mkdir(parents=True)
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", repo / "epochs-1.2-4.noarch.rpm")
    for name in ("xs-sources-1.0-1.noarch.rpm", "xs-sources-1.0-1.src.rpm"):
        shutil.copy(RPMS / name, repo / "extra" / name)
    subprocess.run(["createrepo_c", "-q", "--excludes", "extra/*", str(repo)], check=True)
    if state == "a repository":
        subprocess.run(["createrepo_c", "-q", str(repo / "extra")], check=True)
    else:
        (repo / "extra" / "repodata").mkdir()
    code, document, err = scan([str(repo), "--strict"], capsys)
    assert code == 3 and reasons(document)["file-outside-metadata"] == 2 and "file-outside-metadata" in err
    [gap] = [g for g in document["completeness"]["gaps"] if g["rule"] == "gap:file-outside-metadata"]
    assert "extra/" in gap["text"] and "xs-sources-1.0-1.src.rpm" in gap["text"]
    if state == "a repository":
        code, document, _ = scan([str(repo), str(repo / "extra")], capsys)
        assert "file-outside-metadata" not in reasons(document)
        assert code == 1 and package(document, "xs-sources-1.0-1.src")["status"] == "origin"


def test_a_source_repository_that_cannot_be_looked_into_is_an_input_error(layout: Path) -> None:
    """``SRPMS/`` beside the repository with no search permission: whether it is the source
    repository cannot be told, and the audit must not go on as if there were none."""
    (layout / "SRPMS").chmod(0o000)
    try:
        run = auditor_without_override("scan", str(layout / "x86_64"), "--format", "json", "-q")
    finally:
        (layout / "SRPMS").chmod(0o755)
    assert run.returncode == 3, run.stderr
    assert f"{layout / 'SRPMS'}" in run.stderr and "permission denied" in run.stderr


def test_a_source_repository_below_a_repository_input_is_still_found_beside_its_binaries(
    layout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``dist/`` is a repository too (of other files), given with ``dist/x86_64``: a repository
    input reads no repository inside it, so the ``SRPMS/`` beside ``x86_64/`` must still be
    read as its source repository (the reviewer's case: one more input lost the evidence)."""
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", layout / "epochs-1.2-4.noarch.rpm")
    subprocess.run(
        ["createrepo_c", "-q", "--excludes", "x86_64/*", "--excludes", "SRPMS/*", str(layout)], check=True
    )
    _, alone, _ = scan([str(layout / "x86_64")], capsys)
    _, both, _ = scan([str(layout), str(layout / "x86_64")], capsys)
    for document in (alone, both):
        assert "citrix-internal-host" in {
            f["rule"] for f in package(document, "xs-sources-1.0-1.noarch")["findings"]
        }
    assert "file-outside-metadata" not in reasons(both)


def test_another_version_of_a_source_package_does_not_stand_in_for_the_one_beside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Source repositories were looked for by source package name: any ``xs-sources`` in the
    run, of another version, kept ``SRPMS/`` beside the repository from being read, and the
    Citrix finding became a gap (review 8, finding 8). They are looked for by the file name
    each binary records."""
    dist = tmp_path / "only"
    for directory, files in (
        ("x86_64", ["xs-sources-1.0-1.noarch.rpm"]),
        ("SRPMS", ["xs-sources-1.0-1.src.rpm"]),
    ):
        (dist / directory).mkdir(parents=True)
        for name in files:
            shutil.copy(RPMS / name, dist / directory)
        subprocess.run(["createrepo_c", "--quiet", str(dist / directory)], check=True)
    other = tmp_path / "other"
    top = tmp_path / "rpmbuild"
    spec = tmp_path / "xs-sources.spec"
    spec.write_text(
        "Name: xs-sources\nVersion: 2.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        "%description\nd\n%files\n"
    )
    subprocess.run(["rpmbuild", "-bs", "--quiet", "--define", f"_topdir {top}", str(spec)], check=True)
    other.mkdir()
    for built in (top / "SRPMS").glob("*.src.rpm"):
        shutil.copy(built, other)
    _, document, _ = scan([str(dist / "x86_64"), str(other)], capsys)
    binary = package(document, "xs-sources-1.0-1.noarch")
    assert {"citrix-internal-host"} <= {f["rule"] for f in binary["findings"]}
    assert "source-not-audited" not in reasons(document)


def test_a_directory_inside_a_repository_that_cannot_be_looked_into_is_a_gap(layout: Path) -> None:
    """An RPM file the metadata does not list is a gap; in a directory of the repository the
    auditor may not read, whether there is one is unseen (review 8: it passed silently)."""
    hidden = layout / "x86_64" / "Packages" / "extra"
    hidden.mkdir()
    shutil.copy(RPMS / "xs-sources-1.0-1.noarch.rpm", hidden / "unlisted-1.0-1.noarch.rpm")
    hidden.chmod(0)
    try:
        run = auditor_without_override("scan", str(layout / "x86_64"), "--format", "json", "-q", "--no-cache")
    finally:
        hidden.chmod(0o755)
    document = json.loads(run.stdout)
    [gap] = [g for g in document["completeness"]["gaps"] if g["rule"] == "gap:file-outside-metadata"]
    assert "1 directory could not be looked into" in gap["text"] and "Packages/extra" in gap["text"]
    assert reasons(document)["file-outside-metadata"] == 1
    assert run.returncode in (0, 1)


def test_the_human_formats_name_what_was_not_seen_a_few_of_each_kind(
    layout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CI log that only counts "1 file-missing" sends the release manager to another format to
    learn which file: the table and the Markdown summary name a few gaps of each kind, the
    inputs' before the packages', and count the rest."""
    repo = layout / "x86_64"
    (repo / "Packages" / "weakdeps-1.0-1.noarch.rpm").unlink()
    for output in ("table", "markdown"):
        main(["scan", str(repo), "--no-source-discovery", "--format", output, "-q"])
        text = capsys.readouterr().out
        assert "not seen: weakdeps-1.0-1.noarch: file-missing: " in text
        assert "Packages/weakdeps-1.0-1.noarch.rpm" in text
        _, document, _ = scan([str(repo), "--no-source-discovery"], capsys)
        unseen = reasons(document)["source-not-audited"]
        named = len(re.findall(r"not seen: \S+: source-not-audited: ", text))
        assert named == min(3, unseen)
        if unseen > 3:
            assert f"... and {unseen - 3} more source-not-audited (the JSON report lists them all)" in text
    main(["scan", str(repo), "--metadata-only", "--format", "table", "-q"])
    text = capsys.readouterr().out
    assert f"not seen: metadata-only: {repo}: read from its metadata alone" in text
