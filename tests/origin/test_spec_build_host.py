"""The build host a spec names, ``%{_buildhost}``, is its packages' BuildHost (rt-origin).

rpmbuild writes ``%{_buildhost}`` as the BuildHost of every package it makes of the spec, the
source package too, from the macro as the whole parse leaves it: a ``%global`` after the
preamble counts. A spec scanned as a file read Vendor, Packager... from their macros but never
this one, and read clean what every build of it says was built on a Citrix host.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.origin.scanned import scan_report

SPEC = """Name: bhost
Version: 1.0
Release: 1
Summary: s
License: MIT
BuildArch: noarch
%description
d
%package sub
Summary: t
%description sub
t
%files
%files sub
{late}
"""


def _built_hosts(spec: Path, directory: Path, *defines: str) -> set[str]:
    """The BuildHost of each package rpmbuild makes of ``spec`` (the authority)."""
    top = directory / "rpmbuild"
    subprocess.run(
        ["rpmbuild", "-ba", "--quiet", "--define", f"_topdir {top}", *defines, str(spec)], check=True
    )
    built = [*top.glob("SRPMS/*.rpm"), *top.glob("RPMS/*/*.rpm")]
    query = ["rpm", "-qp", "--qf", "%{BUILDHOST}\n", *map(str, built)]
    return set(subprocess.run(query, capture_output=True, text=True, check=True).stdout.split())


def _statuses(capsys: pytest.CaptureFixture[str], spec: Path) -> dict[str, tuple[str, bool]]:
    _, report, _ = scan_report(capsys, spec)
    return {
        package["name"] + ("/src" if package["kind"] == "source" else ""): (
            package["status"],
            "citrix-build-host" in {finding["rule"] for finding in package["findings"]},
        )
        for package in report["packages"]
    }


def test_a_build_host_defined_after_the_preamble_is_every_package_s(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "bhost.spec"
    spec.write_text(SPEC.format(late="%global _buildhost xs-build02.xs.citrite.net"))
    assert _built_hosts(spec, tmp_path) == {"xs-build02.xs.citrite.net"}
    found = _statuses(capsys, spec)
    assert found == dict.fromkeys(("bhost/src", "bhost", "bhost-sub"), ("origin", True))


def test_a_build_host_in_a_branch_not_decided_is_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    late = "%if 0%{?xenserver}\n%global _buildhost xs-build02.xs.citrite.net\n%endif"
    spec = tmp_path / "bhost.spec"
    spec.write_text(SPEC.format(late=late))
    assert _built_hosts(spec, tmp_path, "--define", "xenserver 1") == {"xs-build02.xs.citrite.net"}
    assert all(citrix for _, citrix in _statuses(capsys, spec).values())


def test_a_build_host_of_no_policy_domain_stays_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "bhost.spec"
    spec.write_text(SPEC.format(late="%global _buildhost koji.xcp-ng.org"))
    assert _built_hosts(spec, tmp_path) == {"koji.xcp-ng.org"}
    assert set(_statuses(capsys, spec).values()) == {("clean", False)}
