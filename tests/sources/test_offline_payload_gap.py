"""``--offline`` over a remote repository whose binary installs a ``.repo`` file, without a stored
reading of its payload: the download cache keeps its header, not what its payload gave, so the
payload is unread. That is a gap in every format, and ``--strict`` fails on it: never the clean
row of a package whose Citrix repository was not looked at. Real RPMs (rpmbuild), a real
repository (createrepo_c), a real HTTP server on 127.0.0.1 for the online run.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from auditor.cli.main import main
from tests.httpserver import LocalServer
from tests.sources.test_payload_config import FORMATS, Built, built  # noqa: F401 - the fixture
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves

UNREAD = "--offline forbids fetching its payload"


@pytest.fixture(scope="module")
def offline_url(built: dict[str, Built], tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:  # noqa: F811
    """The repository's URL and a cache an online run filled without a store of its readings."""
    top = tmp_path_factory.mktemp("offline")
    packages = top / "www" / "repo" / "Packages"
    packages.mkdir(parents=True)
    for path in (built["xs-release"].srpm, built["xs-release"].rpm):
        shutil.copy(path, packages)
    subprocess.run(["createrepo_c", "-q", str(packages.parent)], check=True)
    cache = str(top / "cache")
    with LocalServer(top / "www") as server:
        url = server.url("/repo/")
        assert main(["scan", url, "--cache-dir", cache, "--no-cache", "-q", "--format", "json"]) == 1
    return url, cache


@pytest.mark.parametrize("form", FORMATS)
def test_offline_without_a_stored_payload_reading_is_a_gap_in_every_format(
    form: str, offline_url: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    url, cache = offline_url
    capsys.readouterr()
    args = [url, "--cache-dir", cache, "--offline", "--no-cache", "-q", "--format", form]
    code = main(["scan", *args])
    out = capsys.readouterr().out
    assert "payload-unread" in out, form  # the run incomplete, by this kind of gap
    # HTML details the gaps of flagged packages only: a run's count of them is its banner.
    assert UNREAD in out or form == "html", form
    assert code == 0  # a gap, not a finding: the run says what it did not see
    assert main(["scan", *args, "--strict"]) == 3
    assert UNREAD in capsys.readouterr().out, form  # blocking, the package and file named
