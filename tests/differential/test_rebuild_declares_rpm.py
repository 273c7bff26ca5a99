"""What `auditor.sources.rebuildspec` reads of a source RPM's rebuild, held to rpm's build.

The example repository's binaries were built by rpmbuild from the very specs its source RPMs
carry (``examples/xcp-ng-mini/build.py``), so they are what a rebuild makes. For each source
RPM: the binaries read from its spec are those rpm built from it (name, epoch, version, release,
architecture, SOURCERPM), and every dependency the reading gives is one ``rpm -qp`` lists on
the built package (rpm adds what its generators and rpmlib find, which the reading leaves to the
`automatic-requires` gap). A source RPM carrying a dist tag in its release, rebuilt by
``rpmbuild --rebuild`` with that dist, is held to the same.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.rpm.model import Dependency, Package
from auditor.sources.rebuildspec import rebuild_of
from auditor.sources.rpmpackage import read_rpm_file
from tests.paths import ROOT
from tests.sources.test_rpm_reading import DEPENDENCY_TAGS

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"
SOURCE_RPMS = sorted((EXAMPLE / "srpms" / "Packages").rglob("*.src.rpm"))


def _rpm(*arguments: str) -> str:
    assert shutil.which("rpm"), "rpm is the authority here: install rpm (Debian package rpm)"
    done = subprocess.run(["rpm", *arguments], capture_output=True, text=True, check=True)
    return done.stdout


def built_by(source_rpm: str, directory: Path) -> dict[str, Path]:
    """The binary RPMs under ``directory`` that rpm built from ``source_rpm``, by name."""
    found = {}
    for path in sorted(directory.rglob("*.rpm")):
        if path.name.endswith(".src.rpm"):
            continue
        name, source = _rpm("-qp", "--qf", "%{NAME} %{SOURCERPM}", str(path)).split()
        if source == source_rpm:
            found[name] = path
    return found


def identity(path: Path) -> tuple[str, str, str, str, str]:
    query = "%{EPOCH} %{VERSION} %{RELEASE} %{ARCH} %{SOURCERPM}"
    epoch, version, release, arch, source = _rpm("-qp", "--qf", query, str(path)).split()
    return ("" if epoch == "(none)" else epoch, version, release, arch, source)


def listed(path: Path, tag: str) -> set[str]:
    """``rpm -qp``'s entries of one dependency kind, as ``NAME OP EVR`` text."""
    query = f"[%{{{tag}NAME}} %{{{tag}FLAGS:depflags}} %{{{tag}VERSION}}\\n]"
    return {" ".join(line.split()) for line in _rpm("-qp", "--qf", query, str(path)).splitlines() if line}


def as_text(dependency: Dependency) -> str:
    if dependency.op is None or dependency.evr is None:
        return dependency.name
    return f"{dependency.name} {dependency.op.value} {dependency.evr}"


def held_to_rpm(made: list[Package], built: dict[str, Path]) -> None:
    assert {binary.name for binary in made} == set(built)
    for binary in made:
        path = built[binary.name]
        epoch = "" if binary.epoch is None else str(binary.epoch)
        assert (epoch, binary.version, binary.release, binary.arch, binary.sourcerpm) == identity(path)
        for field, tag in DEPENDENCY_TAGS.items():
            read = {as_text(dependency) for dependency in getattr(binary, field)}
            missing = read - listed(path, tag)
            assert not missing, f"{binary.name}: {field} rpm did not build: {sorted(missing)}"


@pytest.mark.parametrize("srpm", SOURCE_RPMS, ids=[path.name for path in SOURCE_RPMS])
def test_the_binaries_read_from_an_example_spec_are_those_rpm_built(srpm: Path) -> None:
    source = read_rpm_file(str(srpm))
    made = rebuild_of(source)
    assert made.gap is None
    held_to_rpm(list(made.binaries), built_by(srpm.name, EXAMPLE / "repo"))


SPEC = """\
Name: dist-rebuilt
Epoch: 2
Version: 3.1
Release: 4%{?dist}
Summary: s
License: MIT
BuildArch: noarch
%description
d
%package libs
Summary: l
Provides: dist-rebuilt-compat = %{epoch}:%{version}-%{release}
Obsoletes: dist-old < %{version}-%{release}
%description libs
l
%package tools
Summary: t
Requires: %{name}-libs = %{epoch}:%{version}-%{release}
Requires: (dist-rebuilt-libs >= %{version} with dist-rebuilt-libs < 4)
Recommends: dist-rebuilt-doc
%description tools
t
%files
%files libs
%files tools
"""


def test_a_rebuild_with_the_builders_dist_tag(tmp_path: Path) -> None:
    """``rpmbuild -bs`` and ``rpmbuild --rebuild`` with ``dist`` defined, as a build system does:
    the spec's reading does not know the dist, and each release (and each dependency written
    with it) is the source RPM's."""
    spec = tmp_path / "dist-rebuilt.spec"
    spec.write_text(SPEC)
    top = tmp_path / "top"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LC_ALL": "C"}
    macros = ["--define", f"_topdir {top}", "--define", "dist .xcpng8.3"]
    for command in (["-bs", str(spec)], ["--rebuild", "--nodeps"]):
        if command[0] == "--rebuild":
            (srpm,) = (top / "SRPMS").glob("*.src.rpm")
            command.append(str(srpm))
        done = subprocess.run(
            ["rpmbuild", "--quiet", *macros, *command], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
    source = read_rpm_file(str(srpm))
    made = rebuild_of(source)
    assert made.gap is None
    held_to_rpm(list(made.binaries), built_by(srpm.name, top / "RPMS"))
