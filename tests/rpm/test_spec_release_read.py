"""The release a spec's main preamble gives (`release_read`), read without the rest of the spec.

A source RPM given alone is rebuilt from the spec in its payload with the builder's ``%{dist}``,
found as what the header's release adds to the release the spec gives without it
(`auditor.sources.rebuildspec`). That release was a whole reading of the spec, thrown away;
it is now read from the main preamble alone, stopping at its first section outside any
conditional. It must be the whole reading's, every time: held here to `read_spec_text` over
shapes where a reading cut too early or too late would differ, and over every spec file of the
test suite and its examples, and to ``rpmspec -q --srpm`` where rpm reads the spec as the auditor does.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from auditor.core.errors import InputError
from auditor.sources.specs import read_spec_text, release_read

TESTS = Path(__file__).resolve().parent.parent
HEAD = "Name: r\nVersion: 1\nSummary: s\nLicense: MIT\n"
TAIL = "%description\nd\n%files\n"

SHAPES = {
    "plain": HEAD + "Release: 3%{?dist}\n" + TAIL,
    # A section header in a branch rpm skips ends nothing: the Release after it is the main one.
    "section-in-skipped-branch": HEAD
    + "%if 0\n%package x\nSummary: x\n%description x\nx\n%endif\nRelease: 2\n"
    + TAIL,
    # An %if open across the first section: no early end, the whole spec is read.
    "if-open-across-section": HEAD + "%if 1\nRelease: 4\n%description\nd\n%endif\n%files\n",
    # rpm parses again from the top after the main BuildArch, with the macros defined so far.
    "buildarch-restart": "Name: r\nVersion: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
    + "%global rel 7\nRelease: %{rel}\n"
    + TAIL,
    # Read for the first architecture rpmbuild accepts (aarch64), as the whole reading is.
    "exclusive-arch": HEAD
    + "ExclusiveArch: aarch64\n%ifarch aarch64\nRelease: 9\n%else\nRelease: 1\n%endif\n"
    + TAIL,
    # A release computed from a macro a conditional of the preamble defines.
    "conditional-macro": HEAD
    + "%if 0%{?rhel}\n%global base 5\n%else\n%global base 6\n%endif\n"
    + "Release: %{base}%{?dist}\n"
    + TAIL,
    # A section a macro writes ends the preamble as one written out does.
    "section-from-a-macro": HEAD + "Release: 8\n%global desc %%description\n%{desc}\nd\n%files\n",
    # Subpackages' own Release lines are theirs, not the main package's.
    "subpackage-release": HEAD
    + "Release: 1\n%description\nd\n%package sub\nSummary: s\nRelease: 77\n"
    + "%description sub\ns\n%files\n%files sub\n",
    "no-release": HEAD + TAIL,
}


@pytest.mark.parametrize("name", sorted(SHAPES))
@pytest.mark.parametrize("defines", [{}, {"rhel": "7", "dist": ".el7"}])
@pytest.mark.parametrize("arches", [("x86_64",), ("aarch64", "x86_64"), ("noarch",)])
def test_shapes_read_as_the_whole_spec_reads_them(
    name: str, defines: dict[str, str], arches: tuple[str, ...]
) -> None:
    text = SHAPES[name]
    whole = read_spec_text(text, f"{name}.spec", defines=defines, arches=arches)[0].release
    assert release_read(text, f"{name}.spec", defines=defines, arches=arches) == whole


def test_the_suites_spec_files_read_as_the_whole_spec_reads_them() -> None:
    found = [*TESTS.rglob("*.spec"), *(TESTS.parent / "examples").rglob("*.spec")]
    specs = sorted(path for path in found if path.stat().st_size < 1 << 20)
    assert len(specs) >= 20
    for path in specs:
        text = path.read_text(encoding="utf-8", errors="replace")
        for defines in ({}, {"xenserver": "8", "rhel": "7"}):
            try:
                whole: str | None = read_spec_text(text, str(path), defines=defines)[0].release
            except InputError:  # a spec the whole reading refuses says nothing here
                continue
            assert release_read(text, str(path), defines=defines, arches=("x86_64",)) == whole, path


@pytest.mark.parametrize(
    "name",
    ["plain", "section-in-skipped-branch", "if-open-across-section", "buildarch-restart",
     "conditional-macro", "section-from-a-macro", "subpackage-release"],
)  # fmt: skip
def test_shapes_read_as_rpmspec_reads_them(name: str, tmp_path: Path) -> None:
    spec = tmp_path / f"{name}.spec"
    spec.write_text(SHAPES[name])
    rpm = subprocess.run(
        ["rpmspec", "-q", "--srpm", "--undefine", "dist", "--qf", "%{RELEASE}\n", str(spec)],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert release_read(SHAPES[name], str(spec), defines={"dist": None}, arches=("x86_64",)) == rpm
