"""Two inputs that each hold a source package of one file name: which one a binary came from.

A binary names its source package by file name (SOURCERPM), and a vendor's build and a rebuild
of the same N-V-R share it. Real packages, built by rpmbuild (with an empty Source0 tarball)
and indexed by createrepo_c: ``bar-1.0-1`` once from a clean forge and once from a Citrix
host, identical but for that Source0 URL, so only the source package carries the evidence.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.rpmbuild import binary_of

SPEC = """Name: bar
Version: 1.0
Release: 1
Summary: s
License: MIT
Source0: {source}
BuildArch: noarch
%description
d
%prep
%files
"""
SOURCES = {
    "clean": "https://github.com/xcp-ng/bar/archive/bar-1.0.tar.gz",
    "citrix": "https://www.citrix.com/downloads/bar-1.0.tar.gz",
}


def build(top: Path, source: str) -> tuple[Path, Path]:
    """bar-1.0-1's binary and source package, built by rpmbuild from a spec whose Source0 is ``source``."""
    (top / "SOURCES").mkdir(parents=True)
    (top / "SOURCES" / "bar-1.0.tar.gz").write_bytes(b"")
    spec = top / "bar.spec"
    spec.write_text(SPEC.format(source=source))
    subprocess.run(
        ["rpmbuild", "-ba", "--quiet", "--define", f"_topdir {top}", str(spec)],
        check=True,
        capture_output=True,
    )
    return top / "RPMS" / "noarch" / "bar-1.0-1.noarch.rpm", top / "SRPMS" / "bar-1.0-1.src.rpm"


def repository(path: Path, *files: Path) -> Path:
    path.mkdir(parents=True)
    for file in files:
        shutil.copy(file, path / file.name)
    subprocess.run(["createrepo_c", "--quiet", str(path)], check=True, capture_output=True)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("bar")
    return {origin: build(root / origin, source) for origin, source in SOURCES.items()}


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *args, "--format", "json", "--no-cache"])
    return code, json.loads(capsys.readouterr().out)


def statuses(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(package["input"], package["nevra"], package["status"]) for package in document["packages"]}


@pytest.mark.parametrize("citrix_first", [False, True], ids=["clean first", "citrix first"])
def test_each_binary_is_judged_by_the_source_package_of_its_own_repository(
    tmp_path: Path,
    built: dict[str, tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    citrix_first: bool,
) -> None:
    clean = repository(tmp_path / "clean", *built["clean"])
    citrix = repository(tmp_path / "citrix", *built["citrix"])
    inputs = [str(citrix), str(clean)] if citrix_first else [str(clean), str(citrix)]
    code, document = scan(inputs, capsys)
    assert code == 1
    assert statuses(document) == {
        (str(clean), "bar-1.0-1.noarch", "clean"),
        (str(clean), "bar-1.0-1.src", "clean"),
        (str(citrix), "bar-1.0-1.noarch", "origin"),
        (str(citrix), "bar-1.0-1.src", "origin"),
    }


@pytest.mark.parametrize("citrix_first", [False, True], ids=["clean first", "citrix first"])
def test_the_source_repository_beside_a_binary_one_is_read_though_another_input_holds_the_name(
    tmp_path: Path,
    built: dict[str, tuple[Path, Path]],
    capsys: pytest.CaptureFixture[str],
    citrix_first: bool,
) -> None:
    """The vendor's binaries in ``x86_64/``, their source packages in ``SRPMS/`` beside it: the
    clean input's source package of the same file name must not stand in for theirs, whose
    Source0 is on a Citrix host (it was never read, and the whole run passed)."""
    clean = repository(tmp_path / "clean", *built["clean"])
    binaries = repository(tmp_path / "citrix" / "x86_64", built["citrix"][0])
    sources = repository(tmp_path / "citrix" / "SRPMS", built["citrix"][1])
    inputs = [str(binaries), str(clean)] if citrix_first else [str(clean), str(binaries)]
    code, document = scan(inputs, capsys)
    assert code == 1
    assert statuses(document) == {
        (str(clean), "bar-1.0-1.noarch", "clean"),
        (str(clean), "bar-1.0-1.src", "clean"),
        (str(binaries), "bar-1.0-1.noarch", "origin"),
        (str(sources), "bar-1.0-1.src", "origin"),
    }


def test_an_audited_source_package_stands_for_a_context_one_of_the_same_name(
    tmp_path: Path, built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    """The audited binary's source package is in another audited input (its source repository):
    the context's copy of that name (the vendor's, read to resolve) is not judged its source."""
    binaries = repository(tmp_path / "xcp-ng" / "x86_64", built["clean"][0])
    sources = repository(tmp_path / "xcp-ng" / "SRPMS", built["clean"][1])
    vendor = repository(tmp_path / "vendor", built["citrix"][1])
    code, document = scan([str(binaries), "--with", str(vendor)], capsys)
    assert code == 0
    assert statuses(document) == {
        (str(binaries), "bar-1.0-1.noarch", "clean"),
        (str(sources), "bar-1.0-1.src", "clean"),
    }


def test_a_binary_whose_source_package_two_other_inputs_hold_differently_is_judged_by_both(
    tmp_path: Path, built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    """Neither copy is in the binary's own input, so the run cannot tell which it was built
    from: each is judged its source, and a clean verdict never rests on the guess."""
    binaries = repository(tmp_path / "binaries", built["clean"][0])
    first = repository(tmp_path / "first", built["clean"][1])
    second = repository(tmp_path / "second", built["citrix"][1])
    for inputs in ([binaries, first, second], [binaries, second, first]):
        code, document = scan([str(path) for path in inputs], capsys)
        assert code == 1
        assert (str(binaries), "bar-1.0-1.noarch", "origin") in statuses(document)


def test_the_sboms_name_every_copy_a_binary_may_be_built_from(
    tmp_path: Path, built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    """The SBOMs say what the verdict rests on: both copies are the binary's ancestors."""
    binaries = repository(tmp_path / "binaries", built["clean"][0])
    first = repository(tmp_path / "first", built["clean"][1])
    second = repository(tmp_path / "second", built["citrix"][1])
    args = [str(binaries), str(first), str(second), "--no-cache", "--fail-on", "none"]
    main(["scan", *args, "--format", "cyclonedx"])
    bom = json.loads(capsys.readouterr().out)
    [binary] = [c for c in bom["components"] if c["name"] == "bar" and "arch=noarch" in c["purl"]]
    ancestors = binary["pedigree"]["ancestors"]
    assert len(ancestors) == 2 and len({a["hashes"][0]["content"] for a in ancestors}) == 2
    main(["scan", *args, "--format", "spdx"])
    document = json.loads(capsys.readouterr().out)
    [binary_id] = [p["SPDXID"] for p in document["packages"] if p["SPDXID"].endswith(".noarch")]
    generated = [r for r in document["relationships"] if r["relationshipType"] == "GENERATED_FROM"]
    assert len([r for r in generated if r["spdxElementId"] == binary_id]) == 2


def test_a_context_binary_is_judged_by_the_contexts_source_package(
    tmp_path: Path, built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    """The vendor's binary, read to resolve an audited requirement, was built from the vendor's
    source package, not from the audited rebuild of the same N-V-R (once the audited inputs'
    copy stood for it, and the requirement on the vendor's build passed)."""
    app = tmp_path / "app"
    (app / "SOURCES").mkdir(parents=True)
    spec = app / "app.spec"
    spec.write_text(SPEC.replace("Name: bar", "Name: app").replace("Source0: {source}", "Requires: bar"))
    subprocess.run(["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {app}", str(spec)], check=True)
    audited = repository(tmp_path / "xcp-ng" / "RPMS", app / "RPMS" / "noarch" / "app-1.0-1.noarch.rpm")
    repository(tmp_path / "xcp-ng" / "SRPMS", built["clean"][1])  # a rebuild of bar, not shipped
    vendor = repository(tmp_path / "vendor" / "RPMS", built["citrix"][0])
    repository(tmp_path / "vendor" / "SRPMS", built["citrix"][1])
    code, document = scan([str(audited), "--with", str(vendor)], capsys)
    assert code == 1
    assert (str(audited), "app-1.0-1.noarch", "depends") in statuses(document)


def test_the_source_repository_beside_one_inside_a_walked_directory_is_read(
    tmp_path: Path, built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    """A directory input's walk stops at a repository: ``top/dist`` is one whose metadata lists
    neither ``RPMS/`` nor ``SRPMS/``, so naming ``top`` beside ``top/dist/RPMS`` reads nothing of
    ``SRPMS/``, which must still be read as the source repository beside ``RPMS/``."""
    dist = tmp_path / "top" / "dist"
    binaries = repository(dist / "RPMS", built["citrix"][0])
    repository(dist / "SRPMS", built["citrix"][1])
    subprocess.run(
        ["createrepo_c", "--quiet", "--excludes", "RPMS/*", "--excludes", "SRPMS/*", str(dist)], check=True
    )
    for inputs in ([binaries], [binaries, tmp_path / "top"]):
        code, document = scan([str(path) for path in inputs], capsys)
        assert code == 1
        assert (str(binaries), "bar-1.0-1.noarch", "origin") in statuses(document)


def test_rows_of_one_nevra_from_two_inputs_say_which_input(
    tmp_path: Path, built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    """A clean row and an origin row of one NEVRA: each names its input, in every text format
    and in ``why``, so the clean one never reads as the verdict on the vendor's copy."""
    clean = repository(tmp_path / "clean", *built["clean"])
    citrix = repository(tmp_path / "citrix", *built["citrix"])
    for fmt in ("table", "markdown"):
        main(["scan", str(clean), str(citrix), "--no-cache", "--format", fmt])
        out = capsys.readouterr().out
        assert f"bar-1.0-1.noarch ({citrix})" in out, fmt
    # A CI system takes two test cases of one name for one, and may show the clean one's pass.
    main(["scan", str(clean), str(citrix), "--no-cache", "--format", "junit"])
    cases = ET.fromstring(capsys.readouterr().out).iter("testcase")
    assert sorted((case.get("name"), case.find("failure") is not None) for case in cases) == [
        (f"bar-1.0-1.{arch} ({where})", where == citrix)
        for arch in ("noarch", "src")
        for where in sorted([citrix, clean])
    ]
    main(["why", "bar", str(clean), str(citrix), "--no-cache"])
    heads = [line for line in capsys.readouterr().out.splitlines() if line.startswith("bar-1.0-1.noarch")]
    # In the run's order, which is not the arguments' (`auditor.audit.pipeline`): by input.
    assert sorted(heads) == [
        f"bar-1.0-1.noarch ({citrix}): origin (blocking)",
        f"bar-1.0-1.noarch ({clean}): clean",
    ]
    # A row's label, as a report prints it, names that copy alone.
    main(["why", f"bar-1.0-1.noarch ({clean})", str(clean), str(citrix), "--no-cache"])
    heads = [line for line in capsys.readouterr().out.splitlines() if line.startswith("bar-1.0-1")]
    assert heads == [f"bar-1.0-1.noarch ({clean}): clean"]


def test_check_and_diff_read_the_source_packages_sources_names(
    tmp_path: Path, built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    """``--sources`` names where a binary's source package is, for ``check`` and ``diff`` as for
    ``scan``: they once accepted it and never read it, and a binary whose only evidence is its
    source package's Citrix Source0 passed the contributor check (red team 11, #01)."""
    base = repository(tmp_path / "base", *built["clean"])
    binary = built["citrix"][0]
    sources = repository(tmp_path / "change-sources", built["citrix"][1])
    assert main(["scan", str(binary), "--sources", str(sources), "--no-cache", "-q"]) == 1
    capsys.readouterr()
    check = ["check", str(binary), "--sources", str(sources), "--against", str(base), "--no-cache", "-q"]
    assert main(check) == 1
    capsys.readouterr()
    main(["diff", str(base), str(binary), "--sources", str(sources), "--no-cache", "--format", "json"])
    assert json.loads(capsys.readouterr().out)["blocking"]["new"] == 2


@pytest.mark.parametrize("layout", ["repositories", "walked trees"])
def test_each_binary_is_judged_by_the_source_package_beside_it(
    tmp_path: Path, built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str], layout: str
) -> None:
    """Two releases laid out as distributions lay them out, binaries and source packages side by
    side (``x86_64/`` and ``SRPMS/`` repositories, or an rpmbuild tree walked as one input): each
    binary is judged by the copy beside it, not by both (review 12, #2 and #3)."""
    inputs = []
    for origin in ("clean", "citrix"):
        binary, source = built[origin]
        if layout == "repositories":
            inputs.append(repository(tmp_path / origin / "x86_64", binary))
            repository(tmp_path / origin / "SRPMS", source)
        else:
            for sub, file in (("RPMS/noarch", binary), ("SRPMS", source)):
                (tmp_path / origin / sub).mkdir(parents=True)
                shutil.copy(file, tmp_path / origin / sub / file.name)
            inputs.append(tmp_path / origin)
    for order in (inputs, inputs[::-1]):
        code, document = scan([str(path) for path in order], capsys)
        assert code == 1
        found = {(p["input"], p["status"]) for p in document["packages"] if p["nevra"] == "bar-1.0-1.noarch"}
        clean, citrix = (str(next((tmp_path / o).rglob("bar-1.0-1.noarch.rpm"))) for o in ("clean", "citrix"))
        if layout == "repositories":
            clean, citrix = str(inputs[0]), str(inputs[1])
        assert found == {(clean, "clean"), (citrix, "origin")}


def test_check_takes_from_sources_only_what_each_side_was_built_from(
    tmp_path: Path, built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    """--sources holding the base's source packages too (a distribution's source repository)
    makes them no packages of the change, and an empty change stays a check of nothing
    (review 12, #1 and #4)."""
    base = repository(tmp_path / "base", built["citrix"][0])
    sources = repository(tmp_path / "sources", built["citrix"][1])
    app = tmp_path / "app"
    (app / "SOURCES").mkdir(parents=True)
    spec = app / "app.spec"
    spec.write_text(SPEC.replace("Name: bar", "Name: app").replace("Source0: {source}", ""))
    subprocess.run(["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {app}", str(spec)], check=True)
    change = str(app / "RPMS" / "noarch" / "app-1.0-1.noarch.rpm")
    args = ["--against", str(base), "--sources", str(sources), "--no-cache", "--format", "json"]
    assert main(["check", change, *args]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [item["nevra"] for item in document["new"]] == ["app-1.0-1.noarch"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["check", str(empty), *args]) == 3
    assert json.loads(capsys.readouterr().out)["headline"].startswith("failed: the change holds no package")


def _rpm_query(path: Path, tag: str) -> str:
    return subprocess.run(
        ["rpm", "-qp", "--qf", f"%{{{tag}}}", str(path)], capture_output=True, text=True
    ).stdout


def test_a_binary_is_judged_by_the_copy_its_sourcepkgid_names(
    tmp_path: Path, built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    """rpmbuild -ba records the MD5 of the source package it wrote in each binary (SOURCEPKGID):
    the Citrix build's binary beside a clean rebuild of its N-V-R was built from neither that
    rebuild nor anything else in its repository, whatever lies nearest."""
    binary, citrix_source = built["citrix"]
    clean_source = built["clean"][1]
    # rpm: the binary names the Citrix copy, not the clean one
    assert _rpm_query(binary, "SOURCEPKGID") == _rpm_query(citrix_source, "SIGMD5")
    assert _rpm_query(binary, "SOURCEPKGID") != _rpm_query(clean_source, "SIGMD5")
    beside = repository(tmp_path / "beside", binary, clean_source)
    code, document = scan([str(beside), "--strict"], capsys)
    [row] = [p for p in document["packages"] if p["nevra"] == "bar-1.0-1.noarch"]
    assert code == 3 and [gap["kind"] for gap in row["gaps"]] == ["source-not-audited"]
    assert "another build" in row["gaps"][0]["detail"]
    # ... and with the Citrix copy in the run, farther away, it is judged by it
    elsewhere = repository(tmp_path / "elsewhere", citrix_source)
    code, document = scan([str(beside), str(elsewhere)], capsys)
    assert code == 1 and (str(beside), "bar-1.0-1.noarch", "origin") in statuses(document)


def test_rows_of_one_nevra_in_one_repository_say_which_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two files of one NEVRA in one repository (a vendor's build beside a rebuild): named by
    their input alone, both rows read ``dup-1.0-1.noarch (repo)``, the origin one and the clean
    one, in the page's table and in ``why``: each names its file."""
    repo = tmp_path / "repo"
    for where, url in (("citrix", "https://www.citrix.com/dup"), ("clean", "https://example.org/dup")):
        spec = SPEC.replace("Name: bar", "Name: dup").replace("Source0: {source}", f"URL: {url}")
        (tmp_path / where).mkdir()
        rpm = binary_of(spec.replace("%prep\n", ""), tmp_path / where)
        (repo / where).mkdir(parents=True)
        shutil.copy(rpm, repo / where / rpm.name)
    subprocess.run(["createrepo_c", "--quiet", str(repo)], check=True, capture_output=True)
    citrix, clean = (
        f"dup-1.0-1.noarch ({repo}/{where}/dup-1.0-1.noarch.rpm)" for where in ("citrix", "clean")
    )
    main(["scan", str(repo), "--no-cache", "--format", "html"])
    page = capsys.readouterr().out
    data = json.loads(page.split('id="auditor-data">')[1].split("</script>")[0])
    assert sorted((package["nevra"], package["status"]) for package in data["packages"]) == [
        (citrix, "origin"),
        (clean, "clean"),
    ]
    # The origin copy's article, where the page explains it, names its file too.
    assert re.search(rf"<h3>[^\n]* {re.escape(html.escape(citrix))}</h3>", page)
    main(["scan", str(repo), "--no-cache", "--format", "markdown"])
    assert f"| `{citrix}` | **origin** (blocking) |" in capsys.readouterr().out
    main(["why", "dup", str(repo), "--no-cache"])
    heads = [line for line in capsys.readouterr().out.splitlines() if line.startswith("dup-1.0-1.noarch")]
    assert sorted(heads) == [f"{citrix}: origin (blocking)", f"{clean}: clean"]
