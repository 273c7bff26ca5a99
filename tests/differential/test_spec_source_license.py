"""``SourceLicense`` (rpm >= 4.18), against rpmspec: the source package's License.

rpmbuild records a spec's SourceLicense, when it has one, as the source RPM's License, and the
binaries keep License (rpm's own tests/data/SPECS/hello.spec: ``License: GPL``, ``SourceLicense:
GPL, ASL 1.0``). The spec reader took License for the source package: ``SourceLicense: MIT and
Proprietary`` was a clean spec whose SRPM, once built, was not.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.sources.specs import read_spec_file

PREAMBLE = "Name: s\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n{tags}"
BODY = "%description\nd\n%package sub\nSummary: t\n%description sub\nt\n%files\n%files sub\n"

CASES: dict[str, tuple[str, str | None]] = {
    # case: (preamble lines, what the policy must also see for the source package)
    "a source licence": ("SourceLicense: MIT and Proprietary\n", None),
    "none": ("", None),
    "in an undecided branch": (
        "%if 0%{?xenserver}\nSourceLicense: MIT and Proprietary\n%else\nSourceLicense: MIT\n%endif\n",
        "MIT and Proprietary",
    ),
}


def rpmspec(spec: Path, *options: str) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(spec.parent), "LC_ALL": "C"}
    out = subprocess.run(
        ["rpmspec", "-q", *options, "--qf", "%{NAME}\t%{LICENSE}\n", str(spec)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    return dict(line.split("\t") for line in out.splitlines())


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_source_package_has_the_licence_rpmspec_gives_it(case: str, tmp_path: Path) -> None:
    tags, other = CASES[case]
    spec = tmp_path / "s.spec"
    spec.write_text(PREAMBLE.format(tags=tags) + BODY)
    read = read_spec_file(str(spec))
    source = next(p for p in read if p.is_source)
    assert {p.name: p.license for p in read if not p.is_source} == rpmspec(spec, "--builtrpms")
    assert {source.name: source.license} == rpmspec(spec, "--srpm")
    if other is not None:
        assert ("license", other) in source.alternatives


def test_a_proprietary_source_licence_blocks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "s.spec"
    spec.write_text(PREAMBLE.format(tags="SourceLicense: MIT and Proprietary\n") + BODY)
    assert main(["scan", str(spec), "--no-cache", "-q", "--format", "json"]) == 1
    assert "MIT and Proprietary" in capsys.readouterr().out
