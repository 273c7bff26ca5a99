"""A spec's ``.repo`` file outside the reposdirs, in a directory another package's ``reposdir=``
names, is judged as the built binary's payload is.

Built binaries had it (tests/sources/test_payload_other_reposdir.py), spec files not: ``confa``'s
spec installs ``/etc/dnf/dnf.conf`` (``reposdir=/opt/r``) from a Source, ``repob``'s installs
``/opt/r/x.repo`` (a Citrix ``baseurl``) from one; read from their specs both were clean, while
their binaries, rpmbuilt from the same specs, block. A ``.repo`` no Source shows, in such a
directory, is the gap it is in the binary's reading.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rpmbuild import build_noarch
from tests.sources.test_payload_config import findings, package, payload_gaps, scan

XS = "[x]\nbaseurl=https://updates.xenserver.com/8/\n"
THROUGH = "/opt/r/x.repo [x] baseurl (dnf reads it through confa's /etc/dnf/dnf.conf reposdir=/opt/r)"


def _spec(directory: Path, name: str, installs: dict[str, str], sources: dict[str, str]) -> Path:
    """A spec installing each path of ``installs`` from the Source it names (written beside it
    when ``sources`` holds its content)."""
    lines = [f"Name: {name}", "Version: 1", "Release: 1", "Summary: s", "License: MIT", "BuildArch: noarch"]
    lines += [f"Source{number}: {source}" for number, source in enumerate(installs.values())]
    lines += ["%description", "d", "%install"]
    for number, path in enumerate(installs):
        lines += [
            f"mkdir -p %{{buildroot}}{Path(path).parent}",
            f"install -m644 %{{SOURCE{number}}} %{{buildroot}}{path}",
        ]
    lines += ["%files", *installs]
    spec = directory / f"{name}.spec"
    spec.write_text("\n".join(lines) + "\n")
    for source, content in sources.items():
        (directory / source).write_text(content)
    return spec


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("spec-other-reposdir")
    _spec(directory, "confa", {"/etc/dnf/dnf.conf": "dnf.conf"}, {"dnf.conf": "[main]\nreposdir=/opt/r/\n"})
    _spec(directory, "repob", {"/opt/r/x.repo": "x.repo"}, {"x.repo": XS})
    _spec(directory, "docs", {"/usr/share/doc/docs/y.repo": "y.repo"}, {"y.repo": XS})
    return directory


def test_the_spec_reading_judges_it_as_the_built_binaries_are_judged(
    specs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = ("confa", "repob", "docs")
    code, document = scan([str(specs / f"{name}.spec") for name in names], capsys)
    assert findings(document, "repob") == {THROUGH: ("https://updates.xenserver.com/8/", "medium", "blocks")}
    assert package(document, "confa")["findings"] == package(document, "docs")["findings"] == []
    assert code == 1
    binaries = [
        str(build_noarch(specs / f"{name}.spec", tmp_path / name, [], defines={"_sourcedir": str(specs)})[1])
        for name in names
    ]
    code, built = scan(binaries, capsys)
    assert findings(built, "repob") == findings(document, "repob")
    assert code == 1


def test_without_the_package_naming_the_directory_the_spec_s_file_is_no_configuration(
    specs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = scan([str(specs / "repob.spec")], capsys)
    assert package(document, "repob")["findings"] == []
    assert payload_gaps(document, "repob") == []
    assert code == 0


def test_a_repo_file_no_source_shows_is_a_gap_once_a_reposdir_names_its_directory(
    specs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _spec(tmp_path, "gone", {"/opt/r/z.repo": "z.repo"}, {})  # z.repo is not here
    code, document = scan([str(specs / "confa.spec"), str(spec), "--strict"], capsys)
    said = payload_gaps(document, "gone")
    assert len(said) == 1 and "/opt/r/z.repo" in said[0] and "through confa's" in said[0], said
    assert code == 3


def test_a_repo_file_a_clean_source_shows_is_a_gap_too_once_a_reposdir_names_its_directory(
    specs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Source shows what it holds, not what the build makes of it (`sed -i` on the copy:
    `tests.sources.test_spec_installs.test_a_repository_file_the_build_makes_of_anything_but_the_source_of_its_name_is_unseen`)."""
    spec = _spec(
        tmp_path,
        "clean",
        {"/opt/r/c.repo": "c.repo"},
        {"c.repo": "[c]\nbaseurl=https://mirrors.xcp-ng.org/8/\n"},
    )
    code, document = scan([str(specs / "confa.spec"), str(spec)], capsys)
    assert findings(document, "clean") == {} and code == 0  # a gap, not a finding
    [said] = payload_gaps(document, "clean")
    assert "/opt/r/c.repo" in said and "through confa's" in said
    assert "what the build makes of it is unseen, Source0: c.repo showing only what it holds" in said
