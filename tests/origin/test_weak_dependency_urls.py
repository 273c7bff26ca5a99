"""A URL in any kind of capability names its host (red team rt37).

XenServer's binaries carry ``gitsha(https://code.citrite.net/...)`` capabilities. The host
rules read the URLs of Provides, Requires, Recommends, Obsoletes and Conflicts, and not of
Suggests, Supplements or Enhances: the same capability as a Suggests left the package clean
where as a Recommends it was origin.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.origin.scanned import binaries, scan_report
from tests.rpmbuild import binary_of

GITSHA = "gitsha(https://code.citrite.net/rest/archive/latest/projects/XSC/repos/x/archive?at=v1#/x.tar.gz)"


@pytest.mark.parametrize("kind", ["Suggests", "Supplements", "Enhances"])
def test_a_url_in_a_weak_capability_is_on_its_host(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = (
        "Name: weak\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        f"{kind}: {GITSHA}\n%description\nd\n%files\n"
    )
    code, report, _ = scan_report(capsys, binary_of(spec, tmp_path), "--fail-on", "origin")
    [finding] = binaries(report, "findings")["weak"]
    assert (finding["rule"], finding["field"]) == ("citrix-internal-host", kind.lower())
    assert binaries(report, "status")["weak"] == "origin" and code == 1
