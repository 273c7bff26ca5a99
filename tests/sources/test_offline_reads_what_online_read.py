"""``--offline`` reads what the last online run read, not an older copy the cache still holds;
and a section URL that failed does not pass for one that was never there.

A section's URLs are tried in order; when the first fails, the next is read, with a warning.
The cache's copy of the first is then an earlier run's: a mirror that has gone down since, or
served a clean repository then. Read under ``--offline``, it made the audit clean where the
online run, reading the mirror that answered, blocked. Over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.net.cache import url_key
from auditor.net.options import RemoteOptions
from auditor.net.remote import Remote
from tests.conftest import RPMS
from tests.httpserver import Handler, LocalServer, redirect, sequence, status
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves

CLEAN = ("conflicts-obsoletes-2.0-1.noarch.rpm", "conflicts-obsoletes-2.0-1.src.rpm")
"""A clean package and its source: a repository of them alone audits clean."""


@pytest.fixture
def www(www: Path) -> Path:
    """``/repo/``, the fixture repository (Citrix packages: blocking), and ``/clean/``."""
    packages = www / "clean" / "Packages"
    packages.mkdir(parents=True)
    for name in CLEAN:
        shutil.copy(RPMS / name, packages)
    subprocess.run(["createrepo_c", "-q", str(www / "clean")], check=True)
    return www


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["scan", *args, "-q", "--format", "json", "-o", "/dev/null"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("listed_by", ["baseurl", "mirrorlist"])
def test_offline_does_not_read_a_url_that_failed_online_when_another_was_read(
    listed_by: str, server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, cache = tmp_path / "base.repo", str(tmp_path / "cache")
    if listed_by == "baseurl":  # the clean repository first, the Citrix one after it
        config.write_text(f"[base]\nbaseurl={server.url('/clean/')}\n  {server.url('/repo/')}\n")
    else:  # a mirrorlist naming the clean one, the Citrix one as the baseurl dnf falls back on
        (www / "mirrors.txt").write_text(f"{server.url('/clean/')}\n")
        config.write_text(
            f"[base]\nmirrorlist={server.url('/mirrors.txt')}\nbaseurl={server.url('/repo/')}\n"
        )
    # A yum 3 host reads the baseurl before the mirrorlist's mirrors (`_urls = baseurl +
    # mirrorurls`): with a mirrorlist, the Citrix baseurl blocks from the first run on.
    assert scan([str(config), "--cache-dir", cache], capsys)[0] == (0 if listed_by == "baseurl" else 1)
    gone = www / "mirrors.txt" if listed_by == "mirrorlist" else www / "clean"
    gone.rename(tmp_path / "gone")  # down since: the next URL is read, and blocks
    code, err = scan([str(config), "--cache-dir", cache], capsys)
    assert code == 1 and "/repo/ was read instead" in err
    server.stop()
    code, err = scan([str(config), "--cache-dir", cache, "--offline"], capsys)
    assert code == 1 and "/repo/ was read instead" in err


def test_offline_does_not_read_a_source_repository_beside_that_is_gone(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for directory, name in (("x86_64", CLEAN[0]), ("Source", CLEAN[1])):
        packages = www / "base" / directory / "Packages"
        packages.mkdir(parents=True)
        shutil.copy(RPMS / name, packages)
        subprocess.run(["createrepo_c", "-q", str(www / "base" / directory)], check=True)
    binary, cache = server.url("/base/x86_64/"), str(tmp_path / "cache")
    assert scan([binary, "--cache-dir", cache, "--strict"], capsys)[0] == 0
    (www / "base" / "Source").rename(tmp_path / "gone")  # 404 now: its binary's source is unseen
    code, err = scan([binary, "--cache-dir", cache, "--strict"], capsys)
    assert code == 3 and "source-not-audited" in err
    server.stop()
    code, err = scan([binary, "--cache-dir", cache, "--strict", "--offline"], capsys)
    assert code == 3 and "source-not-audited" in err


def test_a_section_url_redirected_to_a_policy_host_is_a_finding_though_the_next_is_read(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = "https://code.citrite.net/xs/repodata/repomd.xml"
    server.routes["/moved/repodata/repomd.xml"] = redirect(target)
    config = tmp_path / "base.repo"
    config.write_text(f"[base]\nbaseurl={server.url('/moved/')}\n  {server.url('/clean/')}\n")
    # The cache has the copy an earlier run read, before the server sent it to the policy host.
    cache = tmp_path / "cache"
    Remote(RemoteOptions(cache_dir=str(cache))).fetch_by_url(
        server.url("/clean/repodata/repomd.xml"), "repomd"
    )
    (cache / "urls" / "repomd" / url_key(server.url("/clean/repodata/repomd.xml"))).rename(
        cache / "urls" / "repomd" / url_key(server.url("/moved/repodata/repomd.xml"))
    )
    for offline in ([], ["--offline"]):
        code = main(["scan", str(config), "--cache-dir", str(cache), "--format", "json", "-q", *offline])
        captured = capsys.readouterr()
        assert "/clean/ was read instead" in captured.err
        findings = json.loads(captured.out)["config_findings"]
        assert [(item["key"], item["url"], item["blocking"]) for item in findings] == [
            ("redirect", target, True)
        ]
        # dnf follows it to the Citrix host: the clean one read after it does not hide that.
        assert code == 1
        server.stop()


def test_a_url_that_failed_once_and_then_answered_spelt_otherwise_stays_for_offline(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Both spellings are one repository (`repository_base`): its repomd.xml failed, then answered.
    def served(handler: Handler, method: str) -> None:
        handler.send_file(method, "/clean/repodata/repomd.xml")

    server.routes["/clean/repodata/repomd.xml"] = sequence(status(503), served)
    config, cache = tmp_path / "base.repo", str(tmp_path / "cache")
    config.write_text(f"[base]\nbaseurl={server.url('/clean/')}\n  {server.url('/clean')}\n")
    code, err = scan([str(config), "--cache-dir", cache, "--retries", "0"], capsys)
    assert code == 0 and "was read instead" in err
    server.stop()
    code, err = scan([str(config), "--cache-dir", cache, "--offline"], capsys)
    assert code == 0, err


@pytest.mark.parametrize("answer", [404, 410])
def test_offline_does_not_read_a_repository_the_last_online_run_found_gone(
    answer: int, server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server said the repository is not there: the cache's copy is one withdrawn since,
    which ``--offline`` audited as the repository (its findings, or clean) with no error."""
    url, cache = server.url("/clean/"), str(tmp_path / "cache")
    assert scan([url, "--cache-dir", cache], capsys)[0] == 0
    server.routes["/clean/repodata/repomd.xml"] = status(answer)
    code, err = scan([url, "--cache-dir", cache, "--retries", "0"], capsys)
    assert code == 3 and f"{url}repodata/repomd.xml" in err
    server.stop()
    code, err = scan([url, "--cache-dir", cache, "--offline"], capsys)
    assert code == 3, err
    [line] = [line for line in err.splitlines() if line.startswith("auditor: error:")]
    assert line.startswith(f"auditor: error: {url}repodata/repomd.xml: the last online run found it gone (")


def test_a_repository_back_after_it_was_gone_is_read_offline_again(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def served(handler: Handler, method: str) -> None:
        handler.send_file(method, "/clean/repodata/repomd.xml")

    url, cache = server.url("/clean/"), str(tmp_path / "cache")
    server.routes["/clean/repodata/repomd.xml"] = sequence(served, status(404), served)
    codes = [scan([url, "--cache-dir", cache, "--retries", "0"], capsys)[0] for _ in range(3)]
    assert codes == [0, 3, 0]
    server.stop()
    code, err = scan([url, "--cache-dir", cache, "--offline"], capsys)
    assert code == 0, err
