"""A macro rpmbuild did not know stays in the header as written (``https://%{xs_mirror}/x``):
where such a URL, Source or Patch leads is a host that defines it to say, and the package
has a gap for it, as the spec read as a file has (red team, hunt55: the source RPM passed
``scan --strict`` clean while its spec had an ``unexpanded-source`` gap)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.origin.scanned import scan_report
from tests.rpmbuild import build_noarch

SPEC = """Name: mirrored
Version: 1
Release: 1
Summary: s
License: MIT
URL: https://%{xs_mirror}/mirrored
BuildArch: noarch
Source0: https://%{xs_mirror}/mirrored.tar.gz
Source1: https://downloads.%{xs_domain}/extra.tar.gz
Source2: https://example.org/a%2Fb/plain.tar.gz
%description
d
%files
"""


def _gaps(report: dict[str, Any], kind: str) -> dict[str, list[str]]:
    return {
        package["nevra"]: sorted(gap["detail"] for gap in package["gaps"] if gap["kind"] == kind)
        for package in report["packages"]
    }


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, Path]:
    spec = tmp_path / "mirrored.spec"
    spec.write_text(SPEC)
    srpm, rpm = build_noarch(spec, tmp_path / "top", ["mirrored.tar.gz", "extra.tar.gz", "plain.tar.gz"])
    return spec, srpm, rpm


def test_rpm_keeps_the_macros_it_does_not_know(built: tuple[Path, Path, Path]) -> None:
    """The control: rpm is the authority on what its header holds."""
    _spec, srpm, rpm = built
    stored = subprocess.run(
        ["rpm", "-qp", "--qf", "%{URL}\n%{SPEC}", str(srpm)], capture_output=True, text=True
    )
    assert stored.stdout.startswith("https://%{xs_mirror}/mirrored\n")
    assert "Source1: https://downloads.%{xs_domain}/extra.tar.gz" in stored.stdout
    url = subprocess.run(["rpm", "-qp", "--qf", "%{URL}", str(rpm)], capture_output=True, text=True)
    assert url.stdout == "https://%{xs_mirror}/mirrored"


def test_a_source_rpm_holding_a_macro_left_in_a_url_is_incomplete(
    built: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _spec, srpm, rpm = built
    code, report, _err = scan_report(capsys, srpm, rpm, "--strict")
    assert code == 3
    assert not report["completeness"]["complete"]
    sources = _gaps(report, "unexpanded-source")
    assert [detail.split(": ", 2)[1] for detail in sources["mirrored-1-1.src"]] == ["Source0", "Source1"]
    assert all("rpmbuild left unexpanded" in detail for detail in sources["mirrored-1-1.src"])
    # Source2's %2F is a percent escape, no macro: no gap of it
    assert not any("plain.tar.gz" in detail for detail in sources["mirrored-1-1.src"])
    tags = _gaps(report, "unexpanded-tag")
    assert tags["mirrored-1-1.src"] == [
        "URL: https://%{xs_mirror}/mirrored (an rpm macro rpmbuild left unexpanded: where it leads is unjudged)"
    ]
    # the binary holds the URL itself, and what its source package could not show
    binary = tags["mirrored-1-1.noarch"]
    assert binary[0] == tags["mirrored-1-1.src"][0]
    assert len(_gaps(report, "unexpanded-source")["mirrored-1-1.noarch"]) == 2


def test_a_binary_alone_with_a_macro_left_in_its_url_has_the_gap(
    built: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _spec, _srpm, rpm = built
    _code, report, _err = scan_report(capsys, rpm)
    assert _gaps(report, "unexpanded-tag")["mirrored-1-1.noarch"] == [
        "URL: https://%{xs_mirror}/mirrored (an rpm macro rpmbuild left unexpanded: where it leads is unjudged)"
    ]


def test_the_spec_read_as_a_file_has_the_readers_gap_once(
    built: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    spec, _srpm, _rpm = built
    _code, report, _err = scan_report(capsys, spec)
    (source,) = (package for package in report["packages"] if package["kind"] == "source")
    kinds = [gap["kind"] for gap in source["gaps"]]
    assert kinds.count("unexpanded-source") == 2
    assert kinds.count("unexpanded-tag") == 1
    assert not any("rpmbuild left" in gap["detail"] for gap in source["gaps"])


def test_a_lone_source_rpms_rebuilt_binary_has_the_readers_gap_not_rpmbuilds(
    built: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """The binary a lone SRPM's rebuild makes is read from its spec: the macro in its URL is the
    reader's gap, as a spec file's package has it; rpmbuild left nothing in a header it never wrote.
    (It said so as well, a second gap of the one line.) The SRPM's own gap is rpmbuild's and is
    inherited, saying whose."""
    _spec, srpm, _rpm = built
    code, report, _err = scan_report(capsys, srpm, "--strict")
    assert code == 3
    tags = _gaps(report, "unexpanded-tag")
    assert tags["mirrored-1-1.src"] == [
        "URL: https://%{xs_mirror}/mirrored (an rpm macro rpmbuild left unexpanded: where it leads is unjudged)"
    ]
    rebuilt = tags["mirrored-1-1.noarch"]
    assert any(detail.endswith("(a macro not expanded exactly)") for detail in rebuilt)
    said = [detail for detail in rebuilt if "rpmbuild left" in detail]
    assert said and all("(of mirrored-1-1.src, which it was built from)" in detail for detail in said)


URL_CODE_SPEC = SPEC.replace(
    "URL: https://%{xs_mirror}/mirrored", "URL: https://example.org/%(echo mirrored)"
)


def test_a_value_only_the_payload_spec_gives_is_not_said_to_be_rpmbuilds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpmbuild ran the ``%(...)`` and stored its answer: the header's URL holds no macro. What
    a rebuild's host may make of the payload's line is a gap, which names the spec as its source."""
    spec = tmp_path / "mirrored.spec"
    spec.write_text(URL_CODE_SPEC)
    srpm, _rpm = build_noarch(spec, tmp_path / "top", ["mirrored.tar.gz", "extra.tar.gz", "plain.tar.gz"])
    stored = subprocess.run(["rpm", "-qp", "--qf", "%{URL}", str(srpm)], capture_output=True, text=True)
    assert stored.stdout == "https://example.org/mirrored"  # the control: rpm ran it
    _code, report, _err = scan_report(capsys, srpm)
    tags = _gaps(report, "unexpanded-tag")["mirrored-1-1.src"]
    assert any("%(echo mirrored)" in detail for detail in tags)
    assert not any("rpmbuild left" in detail for detail in tags)
