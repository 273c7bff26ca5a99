"""Red team (rt-origin): packages with Citrix/XenServer origin evidence that the auditor reads
clean without a word. Each test builds its input with rpmbuild (the authority on what a spec
makes), checks with ``rpm -qp`` that the evidence is really in the header it built, and asserts
what a clean verdict owes: the evidence found (each fails today)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.origin.scanned import scan_report, sources


def _rpmbuild(
    directory: Path, spec_text: str, *, mode: str = "-bs", sources: tuple[str, ...] = ()
) -> tuple[Path, Path, list[Path]]:
    """The spec written in ``directory``, the source RPM ``rpmbuild mode`` made of it, and the
    binary RPMs (none for ``-bs``); ``sources``, files of its SOURCES."""
    directory.mkdir(parents=True, exist_ok=True)
    spec = directory / "package.spec"
    spec.write_text(spec_text)
    top = directory / "rpmbuild"
    (top / "SOURCES").mkdir(parents=True)
    for name in sources:
        (top / "SOURCES" / name).write_text("x\n")
    done = subprocess.run(
        ["rpmbuild", mode, "--quiet", "--define", f"_topdir {top}", str(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (srpm,) = (top / "SRPMS").glob("*.src.rpm")
    return spec, srpm, sorted((top / "RPMS").glob("*/*.rpm"))


def _query(path: Path, fmt: str) -> str:
    return subprocess.run(
        ["rpm", "-qp", "--qf", fmt, str(path)], capture_output=True, text=True, check=True
    ).stdout


def _rules(package: dict[str, Any]) -> set[str]:
    return {finding["rule"] for finding in package["findings"]}


# --- 1. SourceLicense hides the spec's License from the source package ------------------------

SOURCE_LICENSE_SPEC = """Name: xslic
Version: 1.0
Release: 1
Summary: s
License: LicenseRef-Citrix-EULA
SourceLicense: MIT
BuildArch: noarch
%description
d
%files
"""


def test_a_source_rpm_whose_spec_licenses_its_package_citrix_is_not_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm >= 4.18 records ``SourceLicense`` as the source package's License; the License of the
    package it builds (here Citrix's own EULA, `citrix-license` and `proprietary-license`) is in
    the SRPM only in its SPEC tag. The auditor judges subpackages' License from that spec
    (`source_alternatives`, red team rt5) but never the main package's, so a vendor's SRPM
    audited alone reads clean, complete, exit 0 under --strict, though every build of it is
    Citrix-licensed. The same spec scanned as a file shows its binary origin (the source row is
    clean there too). Fix: `auditor/rpm/spec/result.py` `source_alternatives` (or its callers
    `auditor/sources/srpmspec.py` and `auditor/sources/specs.py`): keep the main package's
    License as an alternative when a SourceLicense replaces it."""
    _spec, srpm, _ = _rpmbuild(tmp_path, SOURCE_LICENSE_SPEC)
    assert _query(srpm, "%{LICENSE}") == "MIT"  # the header holds the SourceLicense only
    assert "License: LicenseRef-Citrix-EULA" in _query(srpm, "%{SPEC}")
    code, report, _ = scan_report(capsys, srpm, "--strict")
    (package,) = sources(report)
    assert package["status"] == "origin"
    assert {"citrix-license", "proprietary-license"} <= _rules(package)
    assert code == 1


# --- 2. what an SRPM's spec provides --------------------------------------------------------

GITSHA = (
    "gitsha(https://code.citrite.net/rest/archive/latest/projects/XS/repos/xenserver-release/archive"
    "?at=v8.0.0-2&format=tar.gz&prefix=xenserver-release-8.0.0#/xenserver-release.tar.gz)"
)
GITSHA_SPEC = f"""Name: relx
Version: 8.0.0
Release: 4
Summary: s
License: GPLv2
BuildArch: noarch
Provides: {GITSHA} = 63ae7f04d1fa2f89d65262ad1826301c9b4b2e1c
%description
d
%files
"""


def test_a_source_rpm_whose_package_provides_a_citrite_gitsha_is_not_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """data/SOURCES.md section 2: XCP-ng's own xcp-ng-release 8.0.0-4 spec declares ``Provides:
    gitsha(https://code.citrite.net/...)``, the mark of a XenServer source; the README's host
    rule reads "URLs in capabilities of every kind". rpmbuild puts that Provides in every
    binary (the binary is origin, citrix-internal-host), but an SRPM header holds no binary
    Provides: the spec in its SPEC tag is the only place it is. Audited alone (a vendor's
    source RPMs) the SRPM is clean and complete, exit 0 under --strict. Fix: where the source
    package takes what its spec builds (`auditor/sources/srpmspec.py`, the `SpecReading`), judge
    the capabilities of the spec's packages too, as its subpackages' tags already are."""
    _spec, srpm, binaries = _rpmbuild(tmp_path, GITSHA_SPEC, mode="-ba")
    (binary,) = binaries
    assert GITSHA in _query(binary, "[%{PROVIDES}\n]")  # rpmbuild's binary carries it
    assert GITSHA not in _query(srpm, "[%{PROVIDES}\n][%{REQUIRES}\n]")
    _, from_binary, _ = scan_report(capsys, binary)
    assert "citrix-internal-host" in _rules(from_binary["packages"][0])
    code, report, _ = scan_report(capsys, srpm, "--strict")
    (package,) = sources(report)
    assert package["status"] == "origin"
    assert "citrix-internal-host" in _rules(package)
    assert code == 1


# --- 3. a proprietary component an SRPM builds under another source name -----------------------

COMPONENT_SPEC = """Name: openssl-fips
Version: 1.0.2n
Release: 11
Summary: s
License: OpenSSL
BuildArch: noarch
%description
d
%package -n citrix-crypto-module
Summary: Citrix FIPS cryptomodule including modified OpenSSL
%description -n citrix-crypto-module
t
%files
%files -n citrix-crypto-module
"""


def test_a_source_rpm_that_builds_a_proprietary_xenserver_component_is_not_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The component rule matches "by exact binary or source package name" (policy.toml);
    citrix-crypto-module is licensed OpenSSL with an empty Vendor (data/SOURCES.md section 1),
    so its name is its only evidence. Built by a source package of another name, its binary is
    origin (xenserver-proprietary-component) but the SRPM audited alone is clean and complete,
    exit 0 under --strict, though the auditor knows what it builds (`SpecReading.builds`, the
    names `rpmspec -q --builtrpms` gives). Fix: `auditor/origin/rules.py` `ComponentRule.match`
    (or the source package's model) should also match the names a source package builds."""
    _spec, srpm, binaries = _rpmbuild(tmp_path, COMPONENT_SPEC, mode="-ba")
    assert "citrix-crypto-module" in {_query(path, "%{NAME}") for path in binaries}
    code, report, _ = scan_report(capsys, srpm, "--strict")
    (package,) = sources(report)
    assert package["status"] == "origin"
    assert "xenserver-proprietary-component" in _rules(package)
    assert code == 1


# --- 4. a build host the spec pins ------------------------------------------------------------

BUILDHOST_SPEC = """%global _buildhost xs-build01.xs.citrite.net
Name: bh
Version: 1.0
Release: 1
Summary: s
License: MIT
BuildArch: noarch
%description
d
%files
"""


def test_a_spec_that_pins_a_citrix_build_host_is_not_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpmbuild takes BuildHost from ``%{_buildhost}`` when it is defined, the spec's own
    ``%global`` included: every package built from this spec, source and binary, says it was
    built on a Citrix host (citrix-build-host, severity high), and each is origin when scanned.
    The spec scanned as a file (a pull request's spec, the README's first use) is clean and
    complete, exit 0 under --strict: the reader fills Vendor, Packager, Distribution... from
    their macros as rpm's fillOutMainPackage does (`MACRO_FILLED_TAGS`) but never reads
    ``%_buildhost``. Fix: `auditor/rpm/spec/result.py` (`PackageDraft.fill_from_macros` /
    `SpecPackage`) and `auditor/sources/specs.py`: give the spec's packages the build host
    ``%{_buildhost}`` names."""
    spec, srpm, binaries = _rpmbuild(tmp_path, BUILDHOST_SPEC, mode="-ba")
    for built in (srpm, *binaries):
        assert _query(built, "%{BUILDHOST}") == "xs-build01.xs.citrite.net"
    _, from_srpm, _ = scan_report(capsys, srpm)
    assert "citrix-build-host" in _rules(from_srpm["packages"][0])
    code, report, _ = scan_report(capsys, spec, "--strict")
    assert {package["status"] for package in report["packages"]} == {"origin"}
    assert all("citrix-build-host" in _rules(package) for package in report["packages"])
    assert code == 1


# --- 5. a licence Citrix wrote, offered beside a free one -------------------------------------

DUAL_SPEC = """Name: dual
Version: 1.0
Release: 1
Summary: s
License: GPL-2.0-only OR LicenseRef-Citrix-Commercial
BuildArch: noarch
%description
d
%files
"""


@pytest.mark.xfail(
    strict=True,
    reason=(
        "by design: the README reads a licence expression as not free only when every choice its "
        "`or` offers is not (`GPL-2.0-only OR LicenseRef-Qt-Commercial` is free), and the licence "
        "rules, citrix-license included, share that reading: a package anyone may take under the "
        "GPL is not Citrix's licence to its users"
    ),
)
def test_a_licence_citrix_wrote_is_citrix_evidence_even_as_one_choice_of_an_or(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """policy.toml's citrix-license rule (category "citrix", not "proprietary"): "A licence
    Citrix wrote is Citrix's evidence as well as a licence that is not free". Whether a free
    choice exists decides freeness (the README's ``GPL-2.0-only OR LicenseRef-Qt-Commercial``
    is free), not authorship: a package Citrix dual-licenses under its own licence text still
    names Citrix as its licensor. The license rules share `not_free`'s "every choice of an or"
    reading, so the citrix-license rule says nothing here and the package is clean and
    complete. Fix: `auditor/origin/rules.py` `LicenseRule._decide`: a rule of category citrix
    should find its terms in any choice (or the citrix-license rule needs its own kind)."""
    _, _, binaries = _rpmbuild(tmp_path, DUAL_SPEC, mode="-ba")
    (binary,) = binaries
    assert _query(binary, "%{LICENSE}") == "GPL-2.0-only OR LicenseRef-Citrix-Commercial"
    _, report, _ = scan_report(capsys, binary)
    (package,) = sources(report)
    assert "citrix-license" in _rules(package)
    assert package["status"] == "origin"


# --- 6. a git address in a capability --------------------------------------------------------

SCP_SPEC = """Name: scp
Version: 1.0
Release: 1
Summary: s
License: MIT
BuildArch: noarch
Provides: gitsha(git@code.citrite.net:XS/scp.git) = 1f71b34f53bc8af8dcdcfdc24680fb8c7c4ac20c
%description
d
%files
"""


def test_a_git_address_in_a_capability_is_on_its_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README reads a Source written ``git@github.com:xenserver/x.git`` as that host and
    path, and reads "URLs in capabilities of every kind and the modules they name by host and
    path". A gitsha provide records the Source it was made from; written as the same git
    address, ``gitsha(git@code.citrite.net:XS/scp.git)``, it is neither a scheme URL nor a
    ``(host/path)`` module, so `package_urls` skips it: the binary is clean and complete (no
    finding, no url-without-host gap). Fix: `auditor/origin/urls.py` `package_urls` (the
    capability branch): read a parenthesised scp-like address as `_source_readings` does."""
    _, _, binaries = _rpmbuild(tmp_path, SCP_SPEC, mode="-ba")
    (binary,) = binaries
    assert "gitsha(git@code.citrite.net:XS/scp.git)" in _query(binary, "[%{PROVIDES}\n]")
    _, report, _ = scan_report(capsys, binary)
    (package,) = report["packages"]
    assert "citrix-internal-host" in _rules(package)


# --- 7. a LicenseRef naming Citrix's products -------------------------------------------------

FIRMWARE_WAIVER = """[[waiver]]
package = "*"
category = "proprietary"
reason = "we accept redistributable firmware"
owner = "firmware <firmware@example.org>"
expires = 2099-01-01
"""


@pytest.mark.parametrize(
    "license_",
    [
        "LicenseRef-XenServer-EULA",  # XenServer: "Citrix's product name" (policy.toml, citrix-vendor)
        "LicenseRef-CitrixHypervisor-EULA",  # the camel-cased product the vendor rule reads as Citrix
        "LicenseRef-CitrixEULA",  # glued: no rule at all matches, the package is clean
    ],
)
def test_a_licence_ref_naming_citrix_s_product_is_citrix_s_licence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], license_: str
) -> None:
    """policy.toml: "A LicenseRef naming Citrix is Citrix's own licence text", kept in a rule of
    its own (category citrix) so that "a project that waives proprietary firmware by category
    must not waive it with them" (tests/origin/test_proprietary_components.py holds this for
    ``LicenseRef-Citrix-EULA``). The vendor rule reads XenServer and a camel-cased
    ``CitrixHypervisor`` as Citrix's names; the licence term is the literal
    ``LicenseRef-Citrix`` that no letter carries on. So ``LicenseRef-XenServer-EULA`` and
    ``LicenseRef-CitrixHypervisor-EULA`` are only "proprietary", and the firmware waiver the
    policy recommends accepts them (gate "waived", exit 0 under --strict); and
    ``LicenseRef-CitrixEULA`` matches no rule at all (the EULA term is carried on by the x):
    clean and complete. Fix: policy.toml's citrix-license `terms` and
    `auditor/origin/licenses.py` `license_term_pattern` (a name term read as the vendor
    pattern reads the name: XenServer, a camel-cased continuation)."""
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(FIRMWARE_WAIVER)
    _, _, binaries = _rpmbuild(
        tmp_path, DUAL_SPEC.replace("GPL-2.0-only OR LicenseRef-Citrix-Commercial", license_), mode="-ba"
    )
    (binary,) = binaries
    assert _query(binary, "%{LICENSE}") == license_
    _code, report, _ = scan_report(capsys, binary, "--waivers", waivers, "--strict")
    (package,) = report["packages"]
    assert "citrix-license" in _rules(package)
    assert package["gate"] == "blocking"


# --- 8. the host GitHub serves a pull request's patch from ----------------------------------

PATCH_SPEC = """Name: pd
Version: 1.0
Release: 1
Summary: s
License: MIT
BuildArch: noarch
Patch0: {patch}
%description
d
%files
"""


@pytest.mark.parametrize(
    "patch",
    [
        "https://patch-diff.githubusercontent.com/raw/xenserver/xen-api-libs/pull/42.patch",
        "https://patch-diff.githubusercontent.com/raw/citrix/sm/pull/7.patch#/sm-pr7.patch",
    ],
)
def test_a_patch_from_a_citrix_organisation_s_pull_request_is_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], patch: str
) -> None:
    """``https://github.com/xenserver/x/pull/42.patch`` is a public-organisation finding; GitHub
    serves it from ``https://patch-diff.githubusercontent.com/raw/xenserver/x/pull/42.patch``
    (it redirects there), and packagers write that URL in Patch lines as often as the other
    (Fedora's brubeck, guake, nut, php-openid, nginx-mod-echo specs, among others). The policy
    lists each of GitHub's content hosts with the organisation's path
    (raw.githubusercontent.com, codeload.github.com, media.githubusercontent.com/media...), but
    not this one: the SRPM is clean and complete. Fix: data/policy.toml,
    citrix-public-organisation ``urls``: ``patch-diff.githubusercontent.com/raw/xenserver`` and
    ``.../raw/citrix``."""
    name = patch.rsplit("/", 1)[1]
    _, srpm, _ = _rpmbuild(tmp_path, PATCH_SPEC.format(patch=patch), sources=(name,))
    assert patch in _query(srpm, "%{SPEC}")
    redirecting = patch.replace("patch-diff.githubusercontent.com/raw", "github.com").split("#")[0]
    github = _rpmbuild(
        tmp_path / "gh", PATCH_SPEC.format(patch=redirecting), sources=(redirecting.rsplit("/", 1)[1],)
    )
    _, before, _ = scan_report(capsys, github[1])
    assert "citrix-public-organisation" in _rules(before["packages"][0])  # the URL GitHub redirects from
    code, report, _ = scan_report(capsys, srpm, "--strict")
    (package,) = sources(report)
    assert "citrix-public-organisation" in _rules(package)
    assert code == 1
