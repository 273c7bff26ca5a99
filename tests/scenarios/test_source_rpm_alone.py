"""A source RPM scanned alone is audited with what its spec builds, as the spec itself is.

A contributor checks a package before submitting it, as a spec or as the SRPM rpmbuild made of
it. Its header holds the source package's tags alone: a spec whose binary installs a ``.repo``
pointing at XenServer's updates, or whose ``%post`` fetches from a Citrix host, exited 1 scanned
as a spec and 0 scanned as its SRPM (``1 package audited: 1 clean``). The binaries rpmbuild makes
of it (held to here: built with ``rpmbuild -ba`` and scanned) are now read from the spec the SRPM
carries, as ``auditor check`` reads them. A tree holding binaries is audited as it ships, as its
repository would be.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.rpmbuild import build_all, build_noarch

REPO = "[xs]\nname=xs\nbaseurl=https://updates.xensource.com/XenServer/8/\ngpgcheck=0\n"
PREAMBLE = "Name: {name}\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
INSTALLS_REPO = (
    PREAMBLE
    + "Source1: xs.repo\n%description\nd\n%install\nmkdir -p %{{buildroot}}/etc/yum.repos.d\n"
    + "install -m644 %{{SOURCE1}} %{{buildroot}}/etc/yum.repos.d/xs.repo\n"
    + "%files\n/etc/yum.repos.d/xs.repo\n"
)
CURLS = PREAMBLE + "%description\nd\n%post\ncurl -fsS https://updates.xensource.com/setup.sh | sh\n%files\n"
CLEAN = PREAMBLE + "%description\nd\n%files\n"


def built(tmp_path: Path, text: str, name: str, *, repo_source: bool = False) -> tuple[Path, Path]:
    """The SRPM and binary RPM rpmbuild makes of ``text`` (``xs.repo`` its Source1 when asked)."""
    directory = tmp_path / name
    directory.mkdir()
    spec = directory / f"{name}.spec"
    spec.write_text(text.format(name=name))
    return build_noarch(spec, directory / "top", ["xs.repo"] if repo_source else [], source_text=REPO)


def built_with_tools(tmp_path: Path) -> tuple[Path, list[Path]]:
    """The SRPM and binaries of ``rel`` and ``rel-tools``, whose ``%post`` curls a Citrix host."""
    spec = tmp_path / "rel.spec"
    spec.write_text(
        PREAMBLE.format(name="rel")
        + "%description\nd\n%package tools\nSummary: t\n%description tools\nt\n"
        + "%post tools\ncurl -fsS https://updates.xensource.com/setup.sh | sh\n%files\n%files tools\n"
    )
    return build_all(spec, tmp_path / "top", {})


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["scan", *args, "--format", "json", "-q", "--no-cache"])
    return code, json.loads(capsys.readouterr().out)


def rows(document: dict[str, Any]) -> dict[str, str]:
    return {row["nevra"]: row["status"] for row in document["packages"]}


def values(document: dict[str, Any], nevra: str) -> set[tuple[str, str]]:
    (row,) = [row for row in document["packages"] if row["nevra"] == nevra]
    return {(finding["field"], finding["value"]) for finding in row["findings"]}


@pytest.mark.parametrize(
    ("text", "repo_source", "field"),
    [(INSTALLS_REPO, True, "/etc/yum.repos.d/xs.repo"), (CURLS, False, "%post")],
    ids=["installs-a-citrix-repo", "post-curls-a-citrix-host"],
)
def test_what_the_spec_builds_blocks_the_source_rpm_scanned_alone(
    text: str, repo_source: bool, field: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    srpm, rpm = built(tmp_path, text, "rel", repo_source=repo_source)
    # The authority: the binary rpmbuild made is origin, read from its own header and payload.
    code, binary = scan([str(rpm)], capsys)
    assert (code, rows(binary)) == (1, {"rel-1-1.noarch": "origin"})
    seen = values(binary, "rel-1-1.noarch")
    assert seen and all(found.startswith(field) for found, _ in seen)
    # The spec and its SRPM, scanned alone, block on what that binary holds.
    spec = next((tmp_path / "rel").glob("*.spec"))
    if repo_source:  # a spec's Sources are the files beside it
        shutil.copy(tmp_path / "rel" / "top" / "SOURCES" / "xs.repo", spec.parent)
    for given in (spec, srpm):
        code, document = scan([str(given)], capsys)
        assert code == 1, given
        assert document["packages"][0]["nevra"] == "rel-1-1.noarch"
        assert document["packages"][0]["status"] == "origin", given
        # The same value, in the field the spec names it by (a Source's file: which Source it is).
        said = values(document, "rel-1-1.noarch")
        assert {value for _, value in said} == {value for _, value in seen}, given
        assert all(found.startswith(field.split(" ")[0]) for found, _ in said), given
    # The table says the binary is what the spec declares, not a package that was built.
    main(["scan", str(srpm), "--no-cache"])
    assert "rel-1-1.noarch (spec)  origin" in capsys.readouterr().out


def test_a_directory_of_sources_is_rebuilt_and_a_tree_with_binaries_is_audited_as_it_ships(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    srpm, _ = built(tmp_path, CURLS, "rel")
    other_srpm, other_rpm = built(tmp_path, CLEAN, "other")
    sources = tmp_path / "SRPMS"
    sources.mkdir()
    shutil.copy(srpm, sources)
    code, document = scan([str(sources)], capsys)
    assert (code, rows(document)) == (1, {"rel-1-1.noarch": "origin", "rel-1-1.src": "clean"})
    # The input counts the rows it brings, as a spec's counts its binaries.
    assert [(item["kind"], item["packages"]) for item in document["inputs"]] == [("directory", 2)]
    code, document = scan([str(sources / srpm.name)], capsys)
    assert [(item["kind"], item["packages"]) for item in document["inputs"]] == [("rpm", 2)]
    # Beside another package's binary, it is a distribution's tree: what it ships is audited,
    # as the repository made of it is (the rebuild of a source whose binaries it lacks ships nowhere).
    tree = tmp_path / "tree"
    tree.mkdir()
    for path in (srpm, other_srpm, other_rpm):
        shutil.copy(path, tree)
    expected = {"other-1-1.noarch": "clean", "other-1-1.src": "clean", "rel-1-1.src": "clean"}
    code, document = scan([str(tree)], capsys)
    assert (code, rows(document)) == (0, expected)
    # Named as a file too, it is the contributor's: rebuilt, in either order of the arguments.
    for given in ([str(tree), str(tree / srpm.name)], [str(tree / srpm.name), str(tree)]):
        code, document = scan(given, capsys)
        assert code == 1 and rows(document)["rel-1-1.noarch"] == "origin", given
    # A repository is audited as dnf is served it: a file it lists named too is its entry.
    assert shutil.which("createrepo_c"), "createrepo_c makes the repository: install createrepo-c"
    subprocess.run(["createrepo_c", "--quiet", str(tree)], check=True)
    for given in ([str(tree)], [str(tree), str(tree / srpm.name)], [str(tree / srpm.name), str(tree)]):
        code, document = scan(given, capsys)
        assert (code, rows(document)) == (0, expected), given


def test_a_source_rpm_given_with_its_binary_is_not_rebuilt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    srpm, rpm = built(tmp_path, CURLS, "rel")
    capsys.readouterr()
    main(["scan", str(srpm), str(rpm), "--no-cache"])
    out = capsys.readouterr().out
    assert "rel-1-1.noarch  origin" in out and "(spec)" not in out


BUILDS_ITS_OWN_BUILDREQUIRES = (
    "Name: {name}\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
    "BuildRequires: {name}-devel\n%description\nd\n%package devel\nSummary: d\n"
    "%description devel\nd\n%files\n%files devel\n"
)
CITRIX_PROVIDES_DEVEL = (
    "Name: xs-{name}\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
    "Vendor: Citrix Systems, Inc.\nProvides: self-devel\n%description\nd\n%files\n"
)


def test_the_binaries_a_rebuild_makes_do_not_provide_its_own_buildrequires(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rebuild's binaries do not exist when the SRPM is rebuilt, as a spec's do not when it is
    built: ``dnf builddep`` installs the Citrix package that provides self-devel. The spec exited
    1 (build-depends) and its SRPM scanned alone 0 (may-depend): its own rebuilt subpackage was
    taken for another provider of its BuildRequires."""
    _, citrix = built(tmp_path, CITRIX_PROVIDES_DEVEL, "self-provider")
    spec = tmp_path / "self.spec"
    spec.write_text(BUILDS_ITS_OWN_BUILDREQUIRES.format(name="self"))
    top = ["--define", f"_topdir {tmp_path / 'top'}", str(spec)]
    # The authority: rpmbuild refuses to build it without a provider installed; its own
    # subpackage is none.
    refused = subprocess.run(["rpmbuild", "-ba", *top], capture_output=True, text=True, check=False)
    assert refused.returncode != 0 and "self-devel is needed by self-1-1" in refused.stderr
    subprocess.run(["rpmbuild", "-bs", "--quiet", *top], check=True)
    (srpm,) = (tmp_path / "top" / "SRPMS").glob("*.src.rpm")
    expected = {
        "self-1-1.src": "build-depends",
        "self-1-1.noarch": "build-depends",
        "self-devel-1-1.noarch": "build-depends",
    }
    for given in (spec, srpm):
        code, document = scan([str(given), "--with", str(citrix)], capsys)
        assert (code, rows(document)) == (1, expected), given
    # check rebuilt it so before a scan did, and said may-depend, exit 0, where the spec exits 1.
    base = tmp_path / "base"
    base.mkdir()
    shutil.copy(citrix, base)
    for given in (spec, srpm):
        capsys.readouterr()
        code = main(["check", str(given), "--against", str(base), "--format", "json", "-q", "--no-cache"])
        assert code == 1 and '"build-depends"' in capsys.readouterr().out, given


def test_a_scan_whose_rebuild_is_unseen_says_so_without_a_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scan has no BASE: its spec-unreadable gap said "BASE's binaries of its name stand in for
    them", which a scan has none of; `check` (whose BASE stands in) still says so."""
    srpm, _ = built(tmp_path, CURLS, "rel")
    truncated = tmp_path / srpm.name
    truncated.write_bytes(srpm.read_bytes()[:-40])  # its payload cut: the spec it carries unread
    code, document = scan([str(truncated)], capsys)
    ((row, gap),) = [(row, gap) for row in document["packages"] for gap in row["gaps"]]
    assert code == 3 and (row["nevra"], gap["kind"]) == ("rel-1-1.src", "spec-unreadable")
    assert "unseen" in gap["detail"] and "BASE" not in gap["detail"]
    base = tmp_path / "base"
    base.mkdir()
    capsys.readouterr()
    main(["check", str(truncated), "--against", str(base), "--format", "json", "-q", "--no-cache"])
    assert "BASE's binaries of its name stand in for them" in capsys.readouterr().out


def test_the_sbom_names_no_file_for_a_binary_that_was_never_built(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rebuild's binary is a component, marked as a spec's (its verdict is the document's), but
    it has no file: SPDX named it by the source RPM's, ``packageFileName`` ``rel-1-1.src.rpm`` for
    an INSTALL package and for the SOURCE one it is built from, as a spec's binary by the spec's.
    The binary rpmbuild makes is named by its own file."""
    srpm, rpm = built(tmp_path, CURLS, "rel")
    spec = next((tmp_path / "rel").glob("*.spec"))
    for given, source_file, binary_file in (
        ([srpm], srpm.name, None),
        ([spec], spec.name, None),
        ([srpm, rpm], srpm.name, rpm.name),
    ):
        capsys.readouterr()
        code = main(["scan", *map(str, given), "--format", "spdx", "-q", "--no-cache"])
        packages = {row["SPDXID"]: row for row in json.loads(capsys.readouterr().out)["packages"]}
        binary, source = packages["SPDXRef-rel-1-1.noarch"], packages["SPDXRef-rel-1-1.src"]
        assert code == 1 and source["packageFileName"] == source_file, given
        assert binary.get("packageFileName") == binary_file, given
        labels = [note["comment"] for note in binary["annotations"] if "label" in note["comment"]]
        assert labels == ([] if binary_file else ["auditor:label=rel-1-1.noarch (spec)"]), given


def _without_payload_spec(srpm: Path) -> None:
    """``srpm`` with its spec taken out of its (gzip) payload, the header left as rpmbuild wrote
    it: ``rpm -qpl`` still lists the spec, and ``rpmbuild --rebuild`` fails."""
    from tests.data.build_fixtures import _main_start, _parse_header, replace_payload

    blob = srpm.read_bytes()
    archive = gzip.decompress(blob[_parse_header(blob, _main_start(blob))[2] :])
    kept, at = bytearray(), 0
    while True:  # newc members: a 110-byte header, the name and the data, each padded to 4
        size, name_size = int(archive[at + 54 : at + 62], 16), int(archive[at + 94 : at + 102], 16)
        name_end = at + 110 + name_size
        end = name_end + (-name_end % 4) + size + (-size % 4)
        name = archive[at + 110 : name_end - 1].decode()
        if not name.endswith(".spec"):
            kept += archive[at:end]
        if name == "TRAILER!!!":
            break
        at = end
    replace_payload(srpm, gzip.compress(bytes(kept), mtime=0))


def test_a_source_rpm_whose_payload_lacks_its_spec_says_its_rebuild_is_unseen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its rebuild was read from the builder's parse (the SPEC tag) alone, with no word that the
    spec a rebuild reads is missing: rpmbuild --rebuild of it fails, and the branches a rebuild
    host may take otherwise are unseen. What the SPEC tag shows stays audited."""
    srpm, _ = built(tmp_path, CURLS, "rel")
    _without_payload_spec(srpm)
    listed = subprocess.run(["rpm", "-qpl", str(srpm)], capture_output=True, text=True, check=True)
    assert "rel.spec" in listed.stdout.split()
    code, document = scan([str(srpm)], capsys)
    assert rows(document) == {"rel-1-1.noarch": "origin", "rel-1-1.src": "clean"}
    # The source package's gap, which the binary built from it carries too.
    gaps = {
        row["nevra"]: [(gap["kind"], gap["detail"]) for gap in row["gaps"]] for row in document["packages"]
    }
    ((kind, detail),) = gaps["rel-1-1.src"]
    assert kind == "spec-unreadable" and "payload holds no spec" in detail and "BASE" not in detail
    assert gaps["rel-1-1.noarch"] == [(kind, f"{detail} (of rel-1-1.src, which it was built from)")]
    assert code == 1
    assert scan([str(srpm), "--strict"], capsys)[0] == 3


def test_a_check_against_a_directory_of_sources_audits_it_as_a_scan_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """BASE, a directory of source RPMs alone, was audited without their rebuilds on check's side
    and with them by ``scan BASE``: the same %post curling a Citrix host, kept by the change, was
    news (exit 1) against a BASE whose scan already blocks on it."""
    base = tmp_path / "base"
    base.mkdir()
    shutil.copy(built(tmp_path, CURLS, "rel")[0], base)
    code, document = scan([str(base)], capsys)
    assert (code, rows(document)) == (1, {"rel-1-1.noarch": "origin", "rel-1-1.src": "clean"})
    (tmp_path / "v2").mkdir()
    newer = built(tmp_path / "v2", CURLS.replace("Release: 1", "Release: 2"), "rel")[0]
    assert newer.name == "rel-1-2.src.rpm"
    capsys.readouterr()
    code = main(["check", str(newer), "--against", str(base), "--format", "json", "-q", "--no-cache"])
    report = json.loads(capsys.readouterr().out)
    assert (code, report["regressions"]) == (0, [])
    # And a change that brings it is news against a BASE of sources without it.
    clean = tmp_path / "clean"
    clean.mkdir()
    (tmp_path / "v0").mkdir()
    shutil.copy(built(tmp_path / "v0", CLEAN, "rel")[0], clean)
    capsys.readouterr()
    assert main(["check", str(newer), "--against", str(clean), "--format", "json", "-q", "--no-cache"]) == 1


def test_a_source_rpm_given_with_some_of_its_binaries_brings_those_they_leave_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # foo-tools' %post curls a Citrix host: the SRPM alone blocked on it, and the SRPM with foo.rpm
    # (or `check` of them) exited 0, strict too: foo-tools was neither read nor said unseen.
    srpm, binaries = built_with_tools(tmp_path)
    (main_rpm,) = [path for path in binaries if path.name.startswith("rel-1-1.")]
    code, document = scan([str(srpm), str(main_rpm), "--fail-on", "origin"], capsys)
    assert (code, rows(document)) == (
        1,
        {"rel-1-1.noarch": "clean", "rel-1-1.src": "clean", "rel-tools-1-1.noarch": "origin"},
    )
    assert {value for _, value in values(document, "rel-tools-1-1.noarch")} == {
        "https://updates.xensource.com/setup.sh"
    }
    base = tmp_path / "base"
    base.mkdir()
    for path in built(tmp_path, CLEAN, "other"):
        shutil.copy(path, base)
    assert shutil.which("createrepo_c"), "createrepo_c makes the repository: install createrepo-c"
    subprocess.run(["createrepo_c", "--quiet", str(base)], check=True)
    capsys.readouterr()
    code = main(
        ["check", str(srpm), str(main_rpm), "--against", str(base), "--fail-on", "origin", "--no-cache"]
    )
    assert code == 1 and "rel-tools" in capsys.readouterr().out


ARCH_POST = (
    "Name: {name}\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n%global debug_package %{{nil}}\n"
    "%description\nd\n%ifarch x86_64\n%post\ncurl -fsS https://updates.xensource.com/setup.sh | sh\n"
    "%endif\n%files\n"
)


def test_a_binary_given_of_another_architecture_leaves_the_rebuild_on_this_one_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpmbuild on x86_64 makes of this SRPM an arc.x86_64 whose %post curls a Citrix host; the
    SRPM scanned alone blocked on it, and given with the arc.aarch64 an aarch64 builder made it
    exited 0, --strict too: a binary given stood in for every one of its name the rebuild makes."""
    spec = tmp_path / "arc.spec"
    spec.write_text(ARCH_POST.format(name="arc"))
    top = ["--define", f"_topdir {tmp_path / 'top'}", str(spec)]
    subprocess.run(["rpmbuild", "-ba", "--quiet", "--target", "aarch64", *top], check=True)
    (srpm,) = (tmp_path / "top" / "SRPMS").glob("*.src.rpm")
    (rpm,) = (tmp_path / "top" / "RPMS").glob("*/*.rpm")
    assert rpm.name == "arc-1-1.aarch64.rpm"
    for given in ([srpm], [srpm, rpm]):
        code, document = scan([*map(str, given), "--arch", "x86_64", "--strict"], capsys)
        assert code == 1 and rows(document)["arc-1-1.x86_64"] == "origin", given
    # On aarch64 neither the rebuild nor the binary given curls anything.
    assert scan([str(srpm), str(rpm), "--arch", "aarch64", "--strict"], capsys)[0] == 0


def test_a_source_rpm_named_through_a_hard_link_is_rebuilt_whatever_the_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file named and met walking a directory is read once, as the first input that reached
    it; named through a hard link after the tree holding it and its main binary, it was read as
    the tree's, not rebuilt, and rel-tools' %post was neither read nor said unseen: exit 0,
    --strict too, where the other order blocked."""
    srpm, binaries = built_with_tools(tmp_path)
    tree, other = tmp_path / "tree", tmp_path / "other"
    tree.mkdir()
    other.mkdir()
    (main_rpm,) = [path for path in binaries if path.name.startswith("rel-1-1.")]
    shutil.copy(main_rpm, tree)
    shutil.copy(srpm, tree)
    (other / "given.src.rpm").hardlink_to(tree / srpm.name)
    for given in ([other / "given.src.rpm", tree], [tree, other / "given.src.rpm"]):
        code, document = scan([*map(str, given), "--strict"], capsys)
        assert code == 1 and rows(document)["rel-tools-1-1.noarch"] == "origin", given


def test_a_binary_of_another_build_of_the_same_release_leaves_the_rebuild_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rel-1-1.noarch.rpm built from a clean rel-1-1 spec, given beside the rel-1-1.src.rpm of a
    spec edited since (its %post curls a Citrix host, the release not bumped): its SOURCEPKGID
    names another build, yet it stood in for the rel a rebuild of the SRPM makes, and scan and
    check exited 0 where the SRPM alone blocks."""
    srpm, _ = built(tmp_path, CURLS, "rel")
    (tmp_path / "v0").mkdir()
    _, other_build = built(tmp_path / "v0", CLEAN, "rel")
    assert other_build.name == f"{srpm.name[: -len('.src.rpm')]}.noarch.rpm"
    code, document = scan([str(srpm), str(other_build)], capsys)
    # The build given, audited as built (clean), and the rebuild's rel beside it.
    statuses = sorted(row["status"] for row in document["packages"] if row["nevra"] == "rel-1-1.noarch")
    assert (code, statuses) == (1, ["clean", "origin"])
    base = tmp_path / "base"
    base.mkdir()
    shutil.copy(built(tmp_path, CLEAN, "other")[1], base)
    capsys.readouterr()
    assert main(["check", str(srpm), str(other_build), "--against", str(base), "-q", "--no-cache"]) == 1


def test_a_directory_of_sources_given_inside_a_tree_given_too_is_rebuilt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """tree/SRPMS holds source RPMs alone: `scan tree/SRPMS` rebuilds them (exit 1 on rel's
    %post); `scan tree/SRPMS tree` exited 0, --strict too: each file was in a tree holding
    binaries, which was taken to decide for the directory of sources named with it."""
    srpm, _ = built(tmp_path, CURLS, "rel")
    tree = tmp_path / "tree"
    (tree / "SRPMS").mkdir(parents=True)
    shutil.copy(srpm, tree / "SRPMS")
    for path in built(tmp_path, CLEAN, "other"):
        shutil.copy(path, tree)
    code, document = scan([str(tree), "--strict"], capsys)
    expected = {"other-1-1.noarch": "clean", "other-1-1.src": "clean", "rel-1-1.src": "clean"}
    assert (code, rows(document)) == (0, expected)
    for given in ([tree / "SRPMS"], [tree / "SRPMS", tree], [tree, tree / "SRPMS"]):
        code, document = scan([*map(str, given), "--strict"], capsys)
        assert code == 1 and rows(document)["rel-1-1.noarch"] == "origin", given
        # Its rebuild's row counted once, by the input that read the source RPM.
        assert sum(item["packages"] for item in document["inputs"]) == len(document["packages"]), given


def test_a_spec_beside_the_source_rpm_is_no_binary_that_spares_its_rebuild(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dist-git directory holds the spec and the SRPM made of it: the README's "directory
    holding source RPMs and no binary", whose SRPM is audited with what its spec builds, and
    "a spec beside the source RPM built from it is audited too". The spec's declared packages
    were taken for binaries built, the directory for a distribution's tree: an SRPM whose
    rel-tools %post curls a Citrix host, beside the spec edited clean since, made `scan dir`
    exit 0 where `scan dir/rel-1-1.src.rpm`, and both files named, exit 1."""
    srpm, _ = built_with_tools(tmp_path)
    directory = tmp_path / "dist-git"
    directory.mkdir()
    shutil.copy(srpm, directory)
    edited = (
        (tmp_path / "rel.spec")
        .read_text()
        .replace("curl -fsS https://updates.xensource.com/setup.sh | sh", "true")
    )
    (directory / "rel.spec").write_text(edited)
    named = [str(directory / srpm.name), str(directory / "rel.spec")]
    for given in ([str(directory / srpm.name)], named, [str(directory)]):
        code, document = scan(given, capsys)
        tools = [row for row in document["packages"] if row["nevra"] == "rel-tools-1-1.noarch"]
        assert code == 1, given
        # Read from the SRPM: origin by its %post; from the spec beside it: clean, as it reads now.
        assert {(row["input"].endswith(".src.rpm"), row["status"]) for row in tools} >= {(True, "origin")}, (
            given
        )
        assert sum(item["packages"] for item in document["inputs"]) == len(document["packages"]), given


def test_a_source_rpm_given_with_every_binary_its_spec_builds_is_not_read_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its rebuild would bring nothing: reading the spec of each of a directory's 2,000 SRPMs
    given beside their binaries doubled rpms-2k's scan. One binary left out, it is read."""
    from auditor.audit.rebuilds import given_sources, with_rebuilds
    from auditor.sources.interface import ReadOptions
    from auditor.sources.load import load_inputs

    spec = tmp_path / "rel.spec"
    spec.write_text(
        PREAMBLE.format(name="rel")
        + "%description\nd\n%package tools\nSummary: t\n%description tools\nt\n%files\n%files tools\n"
    )
    srpm, binaries = build_all(spec, tmp_path / "top", {})
    asked: list[str] = []

    def rebuild(source: Any, hosts: tuple[str, ...]) -> Any:
        from auditor.sources.rebuildspec import rebuild_of

        asked.append(source.name)
        return rebuild_of(source, hosts)

    for given, read in (([srpm, *binaries], []), ([srpm, binaries[0]], ["rel"])):
        asked.clear()
        targets = [str(path) for path in given]
        loaded = load_inputs(targets, ReadOptions())
        result = with_rebuilds(loaded, given_sources(loaded, set(targets)), rebuild, unread_is_error=False)
        assert asked == read
        assert sorted(package.nevra for package in result.packages) == [
            "rel-1-1.noarch",
            "rel-1-1.src",
            "rel-tools-1-1.noarch",
        ]


def test_a_spec_s_row_is_marked_in_json_and_diff_compares_it_with_its_spec_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row read from a spec (never built) carried no mark in JSON unless its NEVRA was shared,
    and `diff REPORT dirty.spec` compared the spec's lone row with the built RPM of its NEVRA in
    the report: "got better: rel-1-1.noarch: clean -> origin" of a package whose only origin
    copy, the spec's, had been origin all along (redteam61)."""
    dirty = tmp_path / "dirty"
    dirty.mkdir()
    spec = dirty / "rel.spec"
    spec.write_text(CURLS.format(name="rel"))
    _, clean_rpm = built(tmp_path, CLEAN, "rel")
    code, alone = scan([str(spec)], capsys)
    assert code == 1
    assert {row["nevra"]: row.get("label") for row in alone["packages"]} == {
        "rel-1-1.noarch": "rel-1-1.noarch (spec)",
        "rel-1-1.src": "rel-1-1.src (spec)",
    }
    report = tmp_path / "report.json"
    capsys.readouterr()
    main(["scan", str(spec), str(clean_rpm), "--format", "json", "-o", str(report), "-q", "--no-cache"])
    capsys.readouterr()
    main(["diff", str(report), str(spec), "--no-cache", "-q"])
    out = capsys.readouterr().out
    assert "got better" not in out and "clean -> origin" not in out
