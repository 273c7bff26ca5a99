"""A URL is on the host curl reaches, not only the one a browser reaches (red team 32).

For WHATWG (a browser) a backslash in an http(s) or ftp URL ends the host, as a slash does;
for curl, which rpmbuild's and spectool's downloads and dnf's librepo use, it is no
separator: ``https://example.org\\@code.citrite.net/x.tar.gz`` is fetched from
``code.citrite.net``, ``example.org\\`` being a user name. Read only the browser's way, such a
Source, URL or baseurl was clean.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.origin.classify import classify_config
from auditor.origin.policy import load_policy
from auditor.sources.interface import ConfigUrl
from tests.httpserver import LocalServer
from tests.origin.scanned import scan_report, write_spec

HIDDEN = "https://example.org\\@code.citrite.net/x/hidden-1.0.tar.gz"


def test_curl_goes_to_the_host_after_the_backslash(tmp_path: Path) -> None:
    """The authority: curl fetches ``http://decoy.invalid\\@127.0.0.1:PORT/f`` from 127.0.0.1."""
    curl = shutil.which("curl")
    assert curl, "curl is the authority here"
    (tmp_path / "f").write_text("served\n")
    with LocalServer(tmp_path) as server:
        done = subprocess.run(
            [curl, "-sS", "--max-time", "20", f"http://decoy.invalid\\@127.0.0.1:{server.port}/f"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.stdout == "served\n", done.stderr
        assert server.paths() == ["/f"]


@pytest.mark.parametrize("tag", ["Source0", "URL"])
def test_a_spec_tag_curl_fetches_from_citrix_is_a_finding(
    tag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, "hidden", f"{tag}: {HIDDEN}")
    printed = subprocess.run(["rpmspec", "-P", str(spec)], capture_output=True, text=True, check=True).stdout
    assert f"{tag}: {HIDDEN}" in printed  # rpm keeps the URL as written: curl is who reads it
    code, report, _ = scan_report(capsys, spec)
    found = {
        (package["kind"], finding["rule"])
        for package in report["packages"]
        for finding in package["findings"]
    }
    assert code == 1
    # A Source is the source package's evidence; a URL every package's.
    assert ("source", "citrix-internal-host") in found


def test_a_baseurl_curl_fetches_from_citrix_is_a_finding() -> None:
    found = classify_config([ConfigUrl("x.repo", "hidden", "baseurl", HIDDEN)], load_policy())
    assert [item.finding.rule for item in found] == ["citrix-internal-host"]
