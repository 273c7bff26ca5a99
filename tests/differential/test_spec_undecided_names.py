"""A package name read through a macro set in a conditional the build host decides, against rpmspec.

zfs's spec (xcp-ng-rpms) names a subpackage ``python%{__python_pkg_version}-pyzfs``, the macro
defined in both branches of ``%if %{undefined __use_python}``: rpmspec, on a host that does not
define ``__use_python``, builds ``python3-pyzfs``; the auditor, which cannot decide the test,
read the name of the ``%else`` branch alone, ``python%{__use_python_pkg_version}-pyzfs``, with a
gap. A name the policy judges (a known proprietary XenServer component, by the name of a package
the spec builds) in the branch the reader did not keep was never judged: the spec of a
``v6d-citrix`` package, rpmspec's reading, passed the gate with ``clean``. Every value such a
name may have is judged, as a Vendor's is (``Package.alternatives``), and the gap stays.
"""

from __future__ import annotations

import json
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
