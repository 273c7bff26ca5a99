"""A backslash in a URL's path is read as requests reads it too (urlfuzz59).

requests (urllib3), which spectool and dnf plugins fetch with, ends the host at a backslash as a
browser does, but keeps the backslash inside the path's segment where a browser reads a slash:
``https://github.com\\x\\y/../xenserver/x.tgz`` is ``/xenserver/x.tgz`` to it (``..`` removes the
one segment ``\\x\\y``), ``/x/xenserver/x.tgz`` to a browser, and curl refuses it. Read the
browser's way and curl's only, such a Source was clean.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from tests.httpserver import LocalServer
from tests.origin.scanned import scan_report, write_spec

HIDDEN = "https://github.com\\x\\y/../xenserver/x/archive/v1.tar.gz"


def test_requests_removes_the_segment_holding_the_backslashes(tmp_path: Path) -> None:
    """The authority: requests asks for ``/f`` where a browser asks for ``/x/f``; curl refuses."""
    assert shutil.which("curl"), "scripts/test installs curl"
    (tmp_path / "f").write_text("served\n")
    with LocalServer(tmp_path) as server:
        url = f"http://127.0.0.1:{server.port}\\x\\y/../f"
        with requests.Session() as session:
            session.trust_env = False  # no proxy from the environment
            assert session.get(url, timeout=20).text == "served\n"
        refused = subprocess.run(["curl", "-sS", "--max-time", "20", url], capture_output=True, check=False)
        assert server.paths() == ["/f"]
    assert refused.returncode == 3  # CURLE_URL_MALFORMAT: curl fetches nothing


@pytest.mark.parametrize("tag", ["Source0", "URL"])
def test_a_url_requests_fetches_from_citrix_is_a_finding(
    tag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, "hidden", f"{tag}: {HIDDEN}")
    code, report, err = scan_report(capsys, spec)
    found = {(p["kind"], f["rule"]) for p in report["packages"] for f in p["findings"]}
    assert ("source", "citrix-public-organisation") in found, err
    assert code == 1
