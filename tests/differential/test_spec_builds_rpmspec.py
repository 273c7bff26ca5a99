"""What a spec builds (`auditor.rpm.spec.builds`), against ``rpmspec -q --builtrpms``.

``auditor check`` takes a BASE binary its source RPM's spec does not build for gone after the
rebuild, and what needs it unresolved: a name the reader leaves out that rpm builds is a false
blocking fact. So wherever the reader answers (not None), it must name every package rpm
builds; naming more is allowed (a branch it could not decide, read both ways). Held to rpm over
the repository's specs and the shapes that once parted the two: a Name a build host's macro
decides was read as the other branch's, and its gap went unseen (the test suite's 2,700 specs
held to rpmspec found it).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from auditor.rpm.spec.builds import built_by_spec
from auditor.rpm.spec.parser import parse_spec
from tests.paths import ROOT

PREAMBLE = "Version: 1\nRelease: 1\nSummary: s\nLicense: MIT\n%description\nd\n"
SUB = "%package {0}\nSummary: s\n%description {0}\nd\n%files {0}\n"
SHAPES = {
    "host-macro-name": "Name: %{?_target:xenserver-transfer-vm}%{!?_target:case}\n" + PREAMBLE + "%files\n",
    "dash-n": "Name: case\n" + PREAMBLE + SUB.format("-n xs-tools") + "%files\n",
    "no-main-files": "Name: case\n" + PREAMBLE + SUB.format("core"),
    "ifarch": "Name: case\n" + PREAMBLE + "%ifarch x86_64\n" + SUB.format("x64") + "%endif\n%files\n",
    "ifnarch": "Name: case\n" + PREAMBLE + "%ifnarch x86_64\n" + SUB.format("other") + "%endif\n%files\n",
    "undefined-conditional": "Name: case\n"
    + PREAMBLE
    + "%if 0%{?xenserver}\n"
    + SUB.format("citrix")
    + "%endif\n%files\n",
    "bcond": "%bcond_without extra\nName: case\n"
    + PREAMBLE
    + "%if %{with extra}\n"
    + SUB.format("extra")
    + "%endif\n%files\n",
    "defined-name": "%global pkg tools\nName: case\n" + PREAMBLE + SUB.format("-n case-%{pkg}") + "%files\n",
    "files-list": "Name: case\n" + PREAMBLE + "%package libs\nSummary: s\n%description libs\nd\n"
    "%files -f list.lst libs\n%files\n",
}
SPECS = sorted((ROOT / "tests" / "data" / "specs").glob("*.spec")) + sorted(
    (ROOT / "examples" / "xcp-ng-mini" / "specs").glob("*.spec")
)


def _rpm_builds(spec: Path, home: Path) -> set[str] | None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LC_ALL": "C"}
    done = subprocess.run(
        ["rpmspec", "-q", "--builtrpms", "--target", "x86_64", "--qf", "%{NAME}\n", str(spec)],
        capture_output=True, text=True, errors="replace", env=env, timeout=60, check=False,
    )  # fmt: skip
    return set(done.stdout.split()) if done.returncode == 0 else None


def _held_to_rpm(spec: Path, tmp_path: Path) -> None:
    theirs = _rpm_builds(spec, tmp_path)
    assert theirs is not None, f"rpmspec cannot read {spec.name}: the comparison would prove nothing"
    text = spec.read_text(errors="replace")
    ours = built_by_spec(parse_spec(text, spec.name, arch="x86_64"), text)
    if ours is not None:
        generated = {name for name in theirs if name.endswith(("-debuginfo", "-debugsource"))}
        assert theirs - generated <= set(ours), f"rpm builds {sorted(theirs)}, the reader says {ours}"


@pytest.mark.parametrize("shape", list(SHAPES))
def test_each_shape_names_every_package_rpm_builds_or_none(shape: str, tmp_path: Path) -> None:
    spec = tmp_path / "case.spec"
    spec.write_text(SHAPES[shape])
    _held_to_rpm(spec, tmp_path)


@pytest.mark.parametrize("spec", SPECS, ids=[f"{path.parent.parent.name}/{path.name}" for path in SPECS])
def test_each_spec_of_the_repository_names_every_package_rpm_builds_or_none(
    spec: Path, tmp_path: Path
) -> None:
    _held_to_rpm(spec, tmp_path)


def test_the_shapes_are_answered_where_the_reader_can_be_sure(tmp_path: Path) -> None:
    """The differential above cannot fail by answering None everywhere: the plain shapes are
    answered, exactly as rpm does."""
    for shape in ("dash-n", "no-main-files", "ifarch", "ifnarch", "defined-name", "files-list", "bcond"):
        spec = tmp_path / f"{shape}.spec"
        spec.write_text(SHAPES[shape])
        text = SHAPES[shape]
        ours = built_by_spec(parse_spec(text, spec.name, arch="x86_64"), text)
        assert ours is not None and set(ours) == _rpm_builds(spec, tmp_path), shape
