"""The requirements rpmbuild generates from a package's files, against what rpmbuild builds.

A spec says nothing of them: an executable ``#!/usr/bin/cxsh`` script makes the built package
require /usr/bin/cxsh, which only a Citrix package provides. The spec's packages say so with an
``automatic-requires`` gap, unless rpm would generate nothing (``AutoReq: no``, an empty
``%files``, every requirement excluded); the RPMs built, which carry them, never have it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.rpm.gaps import GapKind
from auditor.sources.rpmpackage import read_rpm_file
from auditor.sources.specs import read_spec_file
from tests.differential.test_spec_reading import _run

SCRIPT = (
    "printf '#!/usr/bin/cxsh\\necho hi\\n' > %{buildroot}/usr/bin/$f; chmod 755 %{buildroot}/usr/bin/$f\n"
)


def _spec(preamble: str, packages: str, files: str, scripts: str) -> str:
    return (
        "Name: gen\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        f"{preamble}%description\nd\n{packages}"
        f"%install\nmkdir -p %{{buildroot}}/usr/bin\nfor f in {scripts}; do {SCRIPT}done\n{files}"
    )


def _build(tmp_path: Path, text: str) -> tuple[Path, dict[str, set[str]]]:
    """The spec's file, and the requirements (rpmlib's aside) of each package rpmbuild makes of it."""
    top = tmp_path / "top"
    spec_file = tmp_path / "gen.spec"
    spec_file.write_text(text)
    tool = shutil.which("rpmbuild")
    assert tool, "rpmbuild is the authority here: install rpm (Debian package rpm)"
    _run(tmp_path, [tool, "-ba", "--quiet", "--define", f"_topdir {top}", str(spec_file)])
    built = {}
    for rpm in (top / "RPMS").glob("*/*.rpm"):
        name = _run(tmp_path, ["rpm", "-qp", "--qf", "%{NAME}", str(rpm)]).stdout
        requires = _run(tmp_path, ["rpm", "-qp", "--requires", str(rpm)]).stdout.splitlines()
        built[name] = {item for item in requires if not item.startswith("rpmlib(")}
    return spec_file, built


def _with_gap(spec_file: Path) -> set[str]:
    return {
        package.name
        for package in read_spec_file(str(spec_file))
        if any(gap.kind is GapKind.AUTOMATIC_REQUIRES for gap in package.gaps)
    }


def test_a_package_rpm_adds_requirements_to_has_the_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``AutoReq`` is each package's own (a subpackage does not inherit the main one's no), read
    as rpm's parseYesNo reads it; an empty ``%files`` packages nothing to generate from."""
    packages = "".join(
        f"%package {sub}\nSummary: {sub}\n{tag}%description {sub}\nd\n"
        for sub, tag in (
            ("sub", ""),
            ("meta", ""),
            ("off", "AutoReqProv: off\n"),
            ("on", "AutoReq: no\nAutoReq: yes\n"),
        )
    )
    files = "%files\n/usr/bin/a\n%files sub\n/usr/bin/b\n%files meta\n%files off\n/usr/bin/c\n%files on\n/usr/bin/d\n"
    spec_file, built = _build(tmp_path, _spec("AutoReq: No\n", packages, files, "a b c d"))
    generated = {name for name, requires in built.items() if "/usr/bin/cxsh" in requires}
    assert generated == {"gen-sub", "gen-on"}
    assert all(not requires for name, requires in built.items() if name not in generated)
    assert _with_gap(spec_file) == generated
    code = main(["scan", str(spec_file), "--strict", "--no-cache", "-q", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 3 and {"reason": "automatic-requires", "count": 2} in document["completeness"]["reasons"]


@pytest.mark.parametrize(
    ("definition", "gap"),
    [
        ("%global __requires_exclude .*\n", False),
        ("%global __requires_exclude ^.*$\n", False),
        ("%global __requires_exclude_from ^.*$\n", False),
        ("%define every .*\n%global __requires_exclude %{every}\n", False),
        ("%global __requires_exclude ^/usr/bin/cx.*$\n", True),  # the others' requirements are still made
        ("%if 0%{?rhel}\n%global __requires_exclude .*\n%endif\n", True),  # the build machine decides
    ],
)
def test_a_spec_that_excludes_every_requirement_has_no_gap(
    tmp_path: Path, definition: str, gap: bool
) -> None:
    spec_file, built = _build(tmp_path, _spec(definition, "", "%files\n/usr/bin/a\n", "a"))
    assert _with_gap(spec_file) == ({"gen"} if gap else set())
    if not gap:
        assert built == {"gen": set()}


def test_what_rpmbuild_builds_has_no_such_gap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The RPMs and the SRPM built from the spec carry their requirements: nothing is unseen."""
    _build(tmp_path, _spec("", "", "%files\n/usr/bin/a\n", "a"))
    rpms = [*(tmp_path / "top" / "RPMS").glob("*/*.rpm"), *(tmp_path / "top" / "SRPMS").glob("*.rpm")]
    assert len(rpms) == 2
    assert all(not read_rpm_file(str(rpm)).gaps for rpm in rpms)
    code = main(["scan", *map(str, rpms), "--strict", "--no-cache", "-q", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert document["completeness"]["complete"] is True and code != 3
    [tool] = [row for row in document["packages"] if row["nevra"] == "gen-1.0-1.noarch"]
    assert "/usr/bin/cxsh" in json.dumps(tool)  # seen: nothing provides it


def test_the_contributor_check_of_a_spec_says_what_it_could_not_see(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``auditor check SPEC``: the gap does not make the change worse (no fact blocks that did
    not), but the check says the audit is incomplete, and --strict fails it."""
    spec_file = tmp_path / "gen.spec"
    spec_file.write_text(_spec("", "", "%files\n/usr/bin/a\n", "a"))
    base = tmp_path / "base.spec"
    base.write_text(
        _spec("AutoReq: no\n", "", "%files\n/usr/bin/a\n", "a").replace("Name: gen", "Name: base")
    )
    code = main(["check", str(spec_file), "--against", str(base), "--no-cache", "-q"])
    err = capsys.readouterr().err
    assert code == 0 and "the audit with the change is incomplete: 1 automatic-requires" in err
    code = main(["check", str(spec_file), "--against", str(base), "--no-cache", "-q", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["completeness"]["summary"] == "incomplete: 1 automatic-requires"
    code = main(["check", str(spec_file), "--against", str(base), "--no-cache", "-q", "--strict"])
    out, err = capsys.readouterr()
    assert code == 3 and "not seen: automatic-requires" in out and "--strict is set" in err
    assert "failed: evidence was not seen and --strict is set" in out
