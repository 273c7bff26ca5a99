"""The VCS, DistURL, TranslationURL and UpstreamReleases tags are origin evidence (red team rt3).

rpm >= 4.15 has a ``VCS:`` preamble tag (a subpackage inherits it, and it defines ``%{vcs}``)
and fills DISTURL from the ``%{disturl}`` macro; both are in every header built from the
spec, source and binary. Neither was read: a package whose VCS is
``git+https://github.com/xenserver/x.git`` was clean and complete, in a spec and as RPMs.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.origin.scanned import scan_report

SPEC = """%global disturl https://downloads.citrix.com/dist
Name: vd
Version: 1.0
Release: 1
Summary: s
License: MIT
BuildArch: noarch
VCS: git+https://github.com/xenserver/vd.git
Source0: %{vcs}#/vd.tar.gz

%description
d

%package sub
Summary: t
VCS: https://github.com/citrix/sub.git

%description sub
t

%files
%files sub
"""
VCS = "git+https://github.com/xenserver/vd.git"
SUB_VCS = "https://github.com/citrix/sub.git"
DISTURL = "https://downloads.citrix.com/dist"


def _evidence(report: dict[str, Any]) -> dict[str, tuple[str | None, str | None, set[tuple[str, str]]]]:
    return {
        package["nevra"]: (
            package["vcs"],
            package["disturl"],
            {(finding["field"], finding["value"]) for finding in package["findings"]},
        )
        for package in report["packages"]
    }


def _check_binaries(evidence: dict[str, tuple[str | None, str | None, set[tuple[str, str]]]]) -> None:
    """Each binary's own tags are findings (besides those it inherits from its source package)."""
    for nevra, vcs in (("vd-1.0-1.noarch", VCS), ("vd-sub-1.0-1.noarch", SUB_VCS)):
        own_vcs, own_disturl, findings = evidence[nevra]
        assert (own_vcs, own_disturl) == (vcs, DISTURL)
        assert {("vcs", vcs), ("disturl", DISTURL)} <= findings


def _rpm_says(*query: str) -> set[tuple[str, str, str]]:
    done = subprocess.run(query, capture_output=True, text=True, check=True).stdout
    return {tuple(line.split("|")) for line in done.splitlines()}  # type: ignore[misc]


def test_a_spec_s_vcs_and_disturl_are_judged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "vd.spec"
    spec.write_text(SPEC)
    # The authority: what rpm puts in each header built from the spec.
    form = "%{NAME}|%{VCS}|%{DISTURL}\\n"
    binaries = _rpm_says("rpmspec", "-q", "--qf", form, str(spec))
    assert binaries == {("vd", VCS, DISTURL), ("vd-sub", SUB_VCS, DISTURL)}
    assert _rpm_says("rpmspec", "-q", "--srpm", "--qf", form, str(spec)) == {("vd", VCS, DISTURL)}
    code, report, _ = scan_report(capsys, spec)
    evidence = _evidence(report)
    disturl = ("disturl", DISTURL)
    assert evidence["vd-1.0-1.src"] == (
        VCS,
        DISTURL,
        # the subpackage's VCS is the source package's evidence too (red team rt5)
        {("vcs", VCS), ("vcs", SUB_VCS), disturl, ("source0", f"{VCS}#/vd.tar.gz")},
    )
    _check_binaries(evidence)
    assert code == 1


def test_the_built_packages_vcs_and_disturl_are_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "vd.spec"
    spec.write_text(SPEC.replace("Source0: %{vcs}#/vd.tar.gz\n", ""))
    top = tmp_path / "top"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LC_ALL": "C"}
    subprocess.run(
        ["rpmbuild", "-ba", "--quiet", "--define", f"_topdir {top}", str(spec)], check=True, env=env
    )
    built = sorted(top.glob("RPMS/noarch/*.rpm")) + sorted(top.glob("SRPMS/*.rpm"))
    code, report, _ = scan_report(capsys, *built)
    evidence = _evidence(report)
    disturl = ("disturl", DISTURL)
    assert evidence["vd-1.0-1.src"] == (VCS, DISTURL, {("vcs", VCS), ("vcs", SUB_VCS), disturl})
    _check_binaries(evidence)
    assert code == 1


TRANSLATION = "https://translate.citrix.com/x"
RELEASES = "https://downloads.citrix.com/releases"


@pytest.mark.parametrize(
    "preamble",
    [
        # As tags (rpm >= 4.18), which define %{translationurl} and %{upstreamreleases} too...
        f"TranslationURL: {TRANSLATION}\nUpstreamReleases: {RELEASES}\n",
        # ... or from the macros of their name, as rpmbuild fills DistURL.
        f"%global translationurl {TRANSLATION}\n%global upstreamreleases {RELEASES}\n",
    ],
)
def test_translationurl_and_upstreamreleases_are_judged(
    preamble: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "tu.spec"
    main = "Name: tu\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
    spec.write_text(
        main
        + preamble
        + "%description\nd\n%package sub\nSummary: t\n%description sub\nt\n%files\n%files sub\n"
    )
    form = "%{NAME}|%{TRANSLATIONURL}|%{UPSTREAMRELEASES}\\n"
    assert _rpm_says("rpmspec", "-q", "--qf", form, str(spec)) == {
        ("tu", TRANSLATION, RELEASES),
        ("tu-sub", TRANSLATION, RELEASES),
    }
    code, report, _ = scan_report(capsys, spec)
    for package in report["packages"]:
        assert (package["translationurl"], package["upstreamreleases"]) == (TRANSLATION, RELEASES)
        found = {(finding["field"], finding["value"]) for finding in package["findings"]}
        assert {("translationurl", TRANSLATION), ("upstreamreleases", RELEASES)} <= found
    assert len(report["packages"]) == 3 and code == 1


def test_every_url_tag_is_judged_as_one() -> None:
    """`url_fields` writes `URL_TAGS` out for speed: the two name the same fields, in one order."""
    from auditor.origin.urls import url_fields
    from auditor.rpm.model import with_fields
    from auditor.rpm.package_fields import URL_TAGS
    from tests.universe import package

    values = {field: f"https://{field}.example/" for field in URL_TAGS}
    assert list(url_fields(with_fields(package({"name": "p"}), **values))) == list(values.items())


def test_each_url_of_a_url_tag_holding_several_is_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpmbuild takes a single token for the URL, BugURL and VCS tags, but TranslationURL and
    UpstreamReleases as written, and BugURL from its macro: each may hold several URLs. Read as
    one URL, ``https://example.org/ https://code.citrite.net/x`` was on the host
    ``example.org`` alone, and the RPMs built passed ``--strict`` clean (red team rt37)."""
    spec = tmp_path / "tok.spec"
    spec.write_text(
        "%global bugurl https://bugs.example.org/ https://code.citrite.net/bugs\n"
        "Name: tok\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        "TranslationURL: https://example.org/ https://code.citrite.net/x\n"
        "UpstreamReleases: https://example.org/rel https://github.com/xenserver/tok/releases\n"
        "%description\nd\n%files\n"
    )
    top = tmp_path / "top"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LC_ALL": "C"}
    subprocess.run(
        ["rpmbuild", "-ba", "--quiet", "--define", f"_topdir {top}", str(spec)], check=True, env=env
    )
    (binary,) = top.glob("RPMS/noarch/*.rpm")
    form = "%{BUGURL}|%{TRANSLATIONURL}|%{UPSTREAMRELEASES}\\n"
    [(bugurl, translation, releases)] = _rpm_says("rpm", "-qp", "--qf", form, str(binary))
    assert " " in bugurl and " " in translation and " " in releases
    built = [binary, *top.glob("SRPMS/*.rpm")]
    code, report, _ = scan_report(capsys, *built, spec, "--strict")
    expected = {
        ("bugurl", "citrix-internal-host"),
        ("translationurl", "citrix-internal-host"),
        ("upstreamreleases", "citrix-public-organisation"),
    }
    for package in report["packages"]:
        assert {(finding["field"], finding["rule"]) for finding in package["findings"]} == expected
    assert len(report["packages"]) == 4 and code == 1
