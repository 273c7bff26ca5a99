"""A module a capability names by host and path is on that host (red team rt37).

Go packages name their modules by import path, a host and a path without a scheme:
``Provides: bundled(golang(github.com/xenserver/go-xenapi))`` says the binary carries that
code, vendored into a tarball whose own URL names another host, and ``golang(...)``
requirements name the module needed. Only capabilities holding ``scheme:/`` were read: such
a package was clean, as a Source written ``github.com/xenserver/x/archive/1.tar.gz`` is not.
A ``gitsha(...)`` names the Source it was made from, written as a Source may be: a git
address, a network-path reference, a host and port without a scheme (rt-origin).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.origin.scanned import binaries, scan_report
from tests.rpmbuild import binary_of

MODULE = "github.com/xenserver/go-xenapi"


@pytest.mark.parametrize(
    ("tag", "field"),
    [
        (f"Provides: bundled(golang({MODULE})) = 1.2", "provides"),
        (f"Requires: golang({MODULE}/pkg)", "requires"),
        ("Recommends: golang-ipath(code.citrite.net/xs/tool)", "recommends"),
        ("Provides: gitsha(git@code.citrite.net:XS/scp.git) = 1f71b34f", "provides"),
        ("Provides: gitsha(//code.citrite.net/x)", "provides"),
        ("Requires: gitsha(code.citrite.net:7999/x)", "requires"),
        ("Provides: gitsha(git@github.com:xenserver/x.git)", "provides"),
    ],
)
def test_a_go_module_of_a_citrix_host_or_organisation_is_evidence(
    tag: str, field: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = (
        "Name: gotool\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        f"{tag}\n%description\nd\n%files\n"
    )
    _, report, _ = scan_report(capsys, binary_of(spec, tmp_path))
    found = [(finding["field"], finding["rule"]) for finding in binaries(report, "findings")["gotool"]]
    rule = "citrix-internal-host" if "citrite" in tag else "citrix-public-organisation"
    assert found == [(field, rule)]
    assert binaries(report, "status")["gotool"] == "origin"


def test_a_path_in_a_capability_that_names_no_host_is_no_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = (
        "Name: plain\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        "Provides: mimehandler(application/x-xenserver)\nProvides: golang(example.org/xenserver/x)\n"
        "Provides: npm(@xenserver/x)\nProvides: gitsha(git@example.org:xenserver/x.git)\n"
        "%description\nd\n%files\n"
    )
    _, report, _ = scan_report(capsys, binary_of(spec, tmp_path))
    assert binaries(report, "findings")["plain"] == []
