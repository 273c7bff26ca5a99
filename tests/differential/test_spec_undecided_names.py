"""A package name read through a macro set in a conditional the build host decides, against rpmspec.

zfs's spec (xcp-ng-rpms) names a subpackage ``python%{__python_pkg_version}-pyzfs``, the macro
defined in both branches of ``%if %{undefined __use_python}``: rpmspec, on a host that does not
define ``__use_python``, builds ``python3-pyzfs``; the auditor, which cannot decide the test,
read the name of the ``%else`` branch alone, ``python%{__use_python_pkg_version}-pyzfs``, with a
gap. A name the policy judges (a known proprietary XenServer component, by the name of a package
the spec builds) in the branch the reader did not keep was never judged: the spec of a
``v6d-citrix`` package, rpmspec's reading, passed the gate with ``clean``. Every value such a
name may have is judged, as a Vendor's is (``Package.alternatives``), and the gap stays. So is
each name the spec in a source RPM's payload gives a rebuild where the builder's ``--define``
took the other branch: such an SRPM passed clean with no gap at all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.differential.test_spec_reading import rpmspec

BRANCHES = "%if %{{undefined use_{macro}}}\n%define {macro} v6d-citrix\n%else\n%define {macro} %{{use_{macro}}}\n%endif\n"
PREAMBLE = "Version: 1\nRelease: 1\nSummary: s\nLicense: MIT\n"
CASES = {
    "name": BRANCHES.format(macro="n") + "Name: %{n}\n" + PREAMBLE + "%description\nd\n%files\n",
    "package -n": "Name: app\n"
    + PREAMBLE
    + BRANCHES.format(macro="sub")
    + "%description\nd\n%package -n %{sub}\nSummary: s\n%description -n %{sub}\nd\n%files\n%files -n %{sub}\n",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_name_an_undecided_macro_may_give_is_judged(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = CASES[case]
    built = rpmspec(tmp_path, text, "-q", "--builtrpms", "--qf", "%{NAME}\n").split()
    assert "v6d-citrix" in built
    code = main(["scan", str(tmp_path / "case.spec"), "--no-cache", "-q", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    (source,) = [package for package in report["packages"] if package["kind"] == "source"]
    assert source["status"] == "origin"
    assert {finding["rule"] for finding in source["findings"]} == {"xenserver-proprietary-component"}
    assert {"undecided-conditional", "unexpanded-tag"} <= {gap["kind"] for gap in source["gaps"]}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_name_a_rebuild_of_the_source_rpm_may_give_is_judged(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Built with ``--define 'use_NAME other'``, the SRPM's header and SPEC tag name ``other``;
    its payload's spec, which ``rpmbuild --rebuild`` and mock read again on a host without that
    define, builds ``v6d-citrix``: the SRPM passed clean, with no gap."""
    tool = shutil.which("rpmbuild")
    assert tool, "rpmbuild is the authority here: scripts/test installs rpm"
    spec = tmp_path / "case.spec"
    spec.write_text(CASES[case])
    top = tmp_path / "top"
    (top / "SOURCES").mkdir(parents=True)
    macro = "use_n" if case == "name" else "use_sub"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LC_ALL": "C"}
    command = [tool, "-bs", "--quiet", "--define", f"_topdir {top}", "--define", f"{macro} other", str(spec)]
    subprocess.run(command, capture_output=True, check=True, env=env, timeout=120)
    (srpm,) = (top / "SRPMS").glob("*.src.rpm")
    stored = subprocess.run(
        ["rpm", "-qp", "--qf", "%{SPEC}", str(srpm)], capture_output=True, text=True
    ).stdout
    assert "other" in stored
    rebuilt = rpmspec(tmp_path, CASES[case], "-q", "--builtrpms", "--qf", "%{NAME}\n").split()
    assert "v6d-citrix" in rebuilt
    code = main(["scan", str(srpm), "--no-cache", "-q", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    (source,) = [row for row in report["packages"] if row["kind"] == "source"]
    assert source["status"] == "origin"
    assert {finding["rule"] for finding in source["findings"]} == {"xenserver-proprietary-component"}
