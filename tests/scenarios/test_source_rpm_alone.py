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


def test_a_source_rpm_given_with_some_of_its_binaries_brings_those_they_leave_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # foo-tools' %post curls a Citrix host: the SRPM alone blocked on it, and the SRPM with foo.rpm
    # (or `check` of them) exited 0, strict too: foo-tools was neither read nor said unseen.
    text = (
        PREAMBLE.format(name="rel") + "%description\nd\n%package tools\nSummary: t\n%description tools\nt\n"
    )
    spec = tmp_path / "rel.spec"
    spec.write_text(
        text + "%post tools\ncurl -fsS https://updates.xensource.com/setup.sh | sh\n%files\n%files tools\n"
    )
    srpm, binaries = build_all(spec, tmp_path / "top", {})
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
