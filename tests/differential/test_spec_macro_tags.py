"""Vendor, Packager, Distribution and BugURL set by macros, as rpmbuild sets them, against rpmspec.

When the main package's preamble ends without one of these tags, rpmbuild takes the macro of
its name (``%global vendor Citrix Systems``), and subpackages inherit it: a spec can make a
Citrix package without a Vendor line. A macro defined after the preamble is too late.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from auditor.sources.specs import read_spec_file

FIELDS = ("vendor", "packager", "distribution", "bugurl")
PREAMBLE = "Name: m\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
SUBPACKAGE = "%package sub\nSummary: t\n{sub_tags}%description sub\nt\n"
BODY = "%description\nd\n{after}" + SUBPACKAGE + "%files\n%files sub\n"

CASES: dict[str, tuple[str, str, str, str]] = {
    "macros before the preamble": (
        "%global vendor Citrix Systems\n%global packager a@citrix.com\n",
        "",
        "",
        "",
    ),
    "a macro inside the preamble": ("", "%global bugurl https://bugs.xenserver.com/\n", "", ""),
    "the tag wins over the macro": ("%global vendor Citrix Systems\n", "Vendor: Example\n", "", ""),
    "a macro after the preamble is too late": ("", "", "%global distribution XenServer\n", ""),
    "a subpackage's own tag": ("%global vendor Citrix Systems\n", "", "", "Vendor: Own\n"),
}


def rpmspec(spec: Path, *options: str) -> dict[str, tuple[str | None, ...]]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(spec.parent), "LC_ALL": "C"}
    fmt = "%{NAME}\t" + "\t".join(f"%{{{field.upper()}}}" for field in FIELDS) + "\n"
    out = subprocess.run(
        ["rpmspec", "-q", *options, "--qf", fmt, str(spec)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    rows = (line.split("\t") for line in out.splitlines())
    return {name: tuple(None if value == "(none)" else value for value in values) for name, *values in rows}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_tags_macros_set_are_the_ones_rpmspec_reads(case: str, tmp_path: Path) -> None:
    before, inside, after, sub_tags = CASES[case]
    text = before + PREAMBLE + inside + BODY.format(after=after, sub_tags=sub_tags)
    spec = tmp_path / "m.spec"
    spec.write_text(text)
    read = read_spec_file(str(spec))
    binaries = {p.name: tuple(getattr(p, field) for field in FIELDS) for p in read if not p.is_source}
    sources = {p.name: tuple(getattr(p, field) for field in FIELDS) for p in read if p.is_source}
    assert binaries == rpmspec(spec, "--builtrpms")
    assert sources == rpmspec(spec, "--srpm")
