"""Red team: a repository whose package files its server redirects to a policy host.

dnf (librepo) follows a package download's redirect wherever it leads, so the package is
installed from that host, as it is from a location that ``xml:base`` puts there. The auditor
never contacts the host: the package's header was an input error and its gap, and the package
itself, and what needs it, read clean. Real RPMs (rpmbuild), a real repository (createrepo_c)
and a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.httpserver import Handler, LocalServer, redirect
from tests.rpmbuild import build_noarch
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves

SPEC = """Name: {name}
Version: 1.0
Release: 1
Summary: {name}
License: MIT
URL: https://example.org/{name}
{extra}
BuildArch: noarch
%description
{name}
%files
"""

CITRIX = "https://downloads.citrix.com/pool/"


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``/repo/``: ``app`` (Requires ``libdl``) and ``libdl``, binaries and source packages."""
    top = tmp_path_factory.mktemp("built")
    root = top / "www" / "repo"
    root.mkdir(parents=True)
    for name, extra in (("libdl", ""), ("app", "Requires: libdl")):
        spec = top / f"{name}.spec"
        spec.write_text(SPEC.format(name=name, extra=extra))
        for made in build_noarch(spec, top / name, []):
            shutil.copy(made, root)
    subprocess.run(["createrepo_c", "-q", str(root)], check=True)
    return top / "www"


def scan(server: LocalServer, capsys: pytest.CaptureFixture[str], cache: Path) -> tuple[int, dict[str, Any]]:
    args = [server.url("/repo/"), "--cache-dir", str(cache), "--retries", "0", "--format", "json"]
    code = main(["scan", *args])
    return code, json.loads(capsys.readouterr().out)


def by_nevra(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {package["nevra"]: package for package in document["packages"]}


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_package_whose_download_is_redirected_to_a_policy_host_is_origin_and_its_requirer_depends(
    repository: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], status: int
) -> None:
    target = CITRIX + "libdl-1.0-1.noarch.rpm"
    with LocalServer(repository) as server:
        server.routes["/repo/libdl-1.0-1.noarch.rpm"] = redirect(target, status)
        code, document = scan(server, capsys, tmp_path / "cache")
    packages = by_nevra(document)
    libdl = packages["libdl-1.0-1.noarch"]
    assert libdl["status"] == "origin"
    assert [(f["field"], f["value"], f["rule"]) for f in libdl["findings"]] == [
        ("location", target, "citrix-corporate-host")
    ]
    assert [gap["kind"] for gap in libdl["gaps"]] == ["metadata-only"]  # its header is still unseen
    assert packages["app-1.0-1.noarch"]["status"] == "depends"
    assert packages["libdl-1.0-1.src"]["status"] == "clean"
    assert code == 3  # the file could not be read, as a section's URL redirected there is not


def test_a_source_package_whose_download_is_redirected_there_is_origin_and_so_are_its_binaries(
    repository: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = CITRIX + "SRPMS/libdl-1.0-1.src.rpm"
    with LocalServer(repository) as server:
        server.routes["/repo/libdl-1.0-1.src.rpm"] = redirect(target)
        code, document = scan(server, capsys, tmp_path / "cache")
    packages = by_nevra(document)
    assert packages["libdl-1.0-1.src"]["status"] == "origin"
    assert packages["libdl-1.0-1.noarch"]["status"] == "origin"
    assert packages["app-1.0-1.noarch"]["status"] == "depends"
    assert code == 3


def test_a_download_redirected_to_another_host_that_is_no_policy_host_stays_clean(
    repository: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with LocalServer(repository) as server, LocalServer(repository) as mirror:
        server.routes["/repo/libdl-1.0-1.noarch.rpm"] = redirect(mirror.url("/repo/libdl-1.0-1.noarch.rpm"))
        code, document = scan(server, capsys, tmp_path / "cache")
    assert {package["status"] for package in document["packages"]} == {"clean"}
    assert code == 0


def test_offline_says_the_redirect_the_last_online_run_met_and_forgets_it_once_the_server_serves_the_file(
    repository: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--offline`` reads what the last online run read: it found the package served from the
    policy host, so the package is origin there too, not clean beside a header not cached."""
    cache = tmp_path / "cache"
    target = CITRIX + "libdl-1.0-1.noarch.rpm"
    with LocalServer(repository) as server:
        server.routes["/repo/libdl-1.0-1.noarch.rpm"] = redirect(target)
        scan(server, capsys, cache)
        offline = [server.url("/repo/"), "--cache-dir", str(cache), "--offline", "--format", "json"]
        code = main(["scan", *offline])
        packages = by_nevra(json.loads(capsys.readouterr().out))
        assert packages["libdl-1.0-1.noarch"]["status"] == "origin"
        assert packages["app-1.0-1.noarch"]["status"] == "depends"
        assert code == 3
        del server.routes["/repo/libdl-1.0-1.noarch.rpm"]
        code, _document = scan(server, capsys, cache)
        assert code == 0
        code = main(["scan", *offline])
        assert {package["status"] for package in json.loads(capsys.readouterr().out)["packages"]} == {"clean"}
        assert code == 0


def test_a_source_package_whose_payload_read_is_redirected_there_has_that_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A source package without a SPEC tag (rpm before 4.15) has its spec read from its payload,
    by a second range request: a server may send that one, not the header's, to the policy host."""
    from tests.conftest import RPMS

    root = tmp_path / "www" / "repo"
    root.mkdir(parents=True)
    for name in ("nospec-1.0-1.src.rpm", "nospec-1.0-1.noarch.rpm"):
        shutil.copy(RPMS / name, root)
    subprocess.run(["createrepo_c", "-q", str(root)], check=True)
    target = CITRIX + "nospec-1.0-1.src.rpm"

    def payload_elsewhere(handler: Handler, method: str) -> None:
        if (handler.headers.get("Range") or "bytes=0-").startswith("bytes=0-"):
            handler.send_file(method, "/repo/nospec-1.0-1.src.rpm")
        else:
            handler.answer(302, b"", {"Location": target}, method)

    with LocalServer(tmp_path / "www") as server:
        server.routes["/repo/nospec-1.0-1.src.rpm"] = payload_elsewhere
        code, document = scan(server, capsys, tmp_path / "cache")
    source = by_nevra(document)["nospec-1.0-1.src"]
    assert ("location", target) in [(f["field"], f["value"]) for f in source["findings"]]
    assert code == 3


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_repository_url_redirected_to_a_policy_host_is_the_finding_a_sections_baseurl_is(
    repository: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], status: int
) -> None:
    """The same redirect, met through a ``.repo`` section's ``baseurl``, was a finding (key
    ``redirect``); given on the command line, it was an input error alone: no format named the
    Citrix host as evidence."""
    target = "https://updates.citrix.com/repo/repodata/repomd.xml"
    config = tmp_path / "moved.repo"
    findings = {}
    with LocalServer(repository) as server:
        server.routes["/moved/repodata/repomd.xml"] = redirect(target, status)
        config.write_text(f"[moved]\nbaseurl={server.url('/moved/')}\n")
        for given in (server.url("/moved/"), str(config)):
            args = [given, server.url("/repo/"), "--cache-dir", str(tmp_path / "cache"), "--format", "json"]
            code = main(["scan", *args])
            document = json.loads(capsys.readouterr().out)
            findings[given] = [
                (item["key"], item["url"], item["blocking"]) for item in document["config_findings"]
            ]
            assert code == 3  # nothing was read of it
    for found in findings.values():
        assert ("redirect", target, True) in found
