"""An ``[[allow]]`` whose ``values`` glob names a directory of URLs allows what a fetcher takes
from that directory, not a URL that only reads as under it (gate58).

curl (rpmbuild's and spectool's fetcher) removes dot segments before it asks, and a browser or
server reads ``%2e`` and ``\\`` as a dot and a slash: ``…/lvm2/../../secret/evil.tgz`` is
``/secret/evil.tgz``. ``values = ["https://repo.citrite.net/xs-local-contrib/lvm2/*"]``, reviewed
for the tarballs kept under ``lvm2/``, allowed it: the package passed (exit 0) with a Source the
review never saw.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.httpserver import LocalServer
from tests.origin.scanned import scan, write_spec

DIRECTORY = "https://repo.citrite.net/xs-local-contrib/lvm2"

POLICY = """\
[[allow]]
id = "lvm2-tarballs"
packages = ["lvm2"]
rules = ["citrix-internal-host"]
values = ["{glob}"]
reason = "the LVM2 tarballs are kept in xcp-ng-rpms/lvm2"
"""


def disposition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, glob: str
) -> tuple[int, str]:
    """The exit code of a scan of an ``lvm2`` spec whose Source0 is ``source`` under an allow of
    ``glob``, and its one finding's disposition."""
    policy = tmp_path / "ours.toml"
    policy.write_text(POLICY.format(glob=glob))
    spec = write_spec(tmp_path, "lvm2", f"Source0: {source}")
    code, findings, err = scan(capsys, spec, "--policy", policy)
    [(field, found)] = [(f["field"], f["disposition"]) for f in findings["lvm2"]]
    assert field == "source0", err
    return code, found


def test_curl_fetches_a_dot_segment_url_from_where_it_leads(tmp_path: Path) -> None:
    """The authority: what rpmbuild's and spectool's fetcher asks the server for (`scripts/test`
    installs curl)."""
    assert shutil.which("curl"), "curl is the authority here"
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "evil.tgz").write_bytes(b"")
    with LocalServer(tmp_path) as server:
        url = server.url("/xs-local-contrib/lvm2/../../secret/evil.tgz")
        subprocess.run(["curl", "-s", "-o", str(tmp_path / "got"), url], check=True, timeout=60)
        assert server.paths() == ["/secret/evil.tgz"]


def test_curl_keeps_a_backslash_inside_its_segment(tmp_path: Path) -> None:
    """The authority: curl removes ``x\\y`` as one segment (urlfuzz59)."""
    assert shutil.which("curl"), "curl is the authority here"
    (tmp_path / "xs-local-contrib" / "secret").mkdir(parents=True)
    (tmp_path / "xs-local-contrib" / "secret" / "evil.tgz").write_bytes(b"")
    with LocalServer(tmp_path) as server:
        url = server.url("/xs-local-contrib/lvm2/x\\y/../../secret/evil.tgz")
        subprocess.run(["curl", "-s", "-o", str(tmp_path / "got"), url], check=True, timeout=60)
        assert server.paths() == ["/xs-local-contrib/secret/evil.tgz"]


@pytest.mark.parametrize(
    "path",
    [
        "../../secret/evil.tgz",
        "%2e%2e/%2E%2E/secret/evil.tgz",
        "%2e%2e%2f%2e%2e%2fsecret/evil.tgz",
        "..\\..\\secret\\evil.tgz",
        "x/../../other/evil.tgz",
        "..",
        # Tomcat, Jetty and Spring end a segment's name at ";": "..;" is ".." (redteam58).
        "..;/..;/secret/evil.tgz",
        "%2e%2e;x=1/..;/secret/evil.tgz",
        # curl and requests keep a backslash inside its segment: lvm2/x\y/../.. leaves lvm2,
        # where a browser reads lvm2/x/y/../.. (urlfuzz59).
        "x\\y/../../secret/evil.tgz",
    ],
)
def test_a_url_leaving_the_allowed_directory_is_not_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    assert disposition(tmp_path, capsys, f"{DIRECTORY}/{path}", f"{DIRECTORY}/*") == (1, "blocks")


@pytest.mark.parametrize(
    "path",
    [
        "LVM2.2.02.130.tgz",
        "old/LVM2.2.02.98.tgz",
        "./LVM2.tgz",
        "x/../LVM2.tgz",
        "LVM2.tgz?raw=1",
        "x;v=1/LVM2.tgz",
    ],
)
def test_a_url_in_the_allowed_directory_is_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    assert disposition(tmp_path, capsys, f"{DIRECTORY}/{path}", f"{DIRECTORY}/*") == (0, "allowed")


def test_a_value_reviewed_as_written_is_allowed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An allow naming the very URL, dot segments and all, was reviewed for it."""
    value = f"{DIRECTORY}/../lvm2-old/LVM2.tgz"
    assert disposition(tmp_path, capsys, value, value) == (0, "allowed")
