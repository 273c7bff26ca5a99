"""A remote repository's source repository, found beside it over HTTP as on the disk.

XCP-ng publishes ``.../8.2/base/x86_64/`` beside ``.../8.2/base/Source/``. Scanning the
binary repository's URL must read the sources too (their Source URLs are the evidence), by
probing the names distributions use beside it, on the same server only: an absent one is
quiet, a failing one a warning. Over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.sources.inputpaths import SOURCE_DIRECTORIES
from tests.conftest import DATA, errors_of
from tests.httpserver import LocalServer, redirect, status
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves

XS_SOURCE0 = "https://code.citrite.net/rest/archive/latest/projects/XSU/repos/xs-sources/archive?at=v1.0&format=tar.gz&prefix=xs-sources-1.0#/xs-sources-1.0.tar.gz"


@pytest.fixture
def www(tmp_path: Path) -> Path:
    root = tmp_path / "www"
    shutil.copytree(DATA / "repo", root / "8.2" / "base" / "x86_64")
    shutil.copytree(DATA / "srpm-repo", root / "8.2" / "base" / "Source")
    return root


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["scan", *args, "--format", "json", "-q"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def reasons(document: dict[str, Any]) -> dict[str, int]:
    return {item["reason"]: item["count"] for item in document["completeness"]["reasons"]}


def probes(server: LocalServer) -> list[str]:
    return sorted(path for path in server.paths() if path.endswith("/repodata/repomd.xml"))


def test_a_remote_repository_reads_the_source_repository_beside_it(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary, source = server.url("/8.2/base/x86_64/"), server.url("/8.2/base/Source/")
    _, document, err = scan([binary, "--cache-dir", str(tmp_path / "cache")], capsys)
    assert errors_of(err) == [] and document["errors"] == []  # the absent names are quiet
    xs = next(p for p in document["packages"] if p["nevra"] == "xs-sources-1.0-1.src")
    assert XS_SOURCE0 in [s["value"] for s in xs["sources"]]
    assert "source-not-audited" not in reasons(document)
    [found] = [item for item in document["inputs"] if item["kind"] == "source-repository"]
    assert found["path"] == source
    # Each name distributions use was probed once, by its repomd.xml, beside the repository,
    # on its server (the test resolves no other host).
    assert probes(server) == sorted(
        f"/8.2/base/{name}/repodata/repomd.xml" for name in ("x86_64", *SOURCE_DIRECTORIES)
    )
    # The same as naming both repositories.
    _, both, _ = scan([binary, source, "--cache-dir", str(tmp_path / "cache")], capsys)
    assert [p["nevra"] for p in both["packages"]] == [p["nevra"] for p in document["packages"]]
    assert [p["status"] for p in both["packages"]] == [p["status"] for p in document["packages"]]


def test_no_source_discovery_makes_no_probe_and_says_what_was_not_seen(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = server.url("/8.2/base/x86_64/")
    _, document, _ = scan([binary, "--cache-dir", str(tmp_path / "cache"), "--no-source-discovery"], capsys)
    assert probes(server) == ["/8.2/base/x86_64/repodata/repomd.xml"]
    binaries = [p for p in document["packages"] if p["kind"] == "binary"]
    assert reasons(document)["source-not-audited"] == len(binaries)


def test_a_probe_that_fails_otherwise_than_404_is_a_warning(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/8.2/base/SRPMS/repodata/repomd.xml"] = status(403, b"forbidden")
    binary = server.url("/8.2/base/x86_64/")
    code, document, err = scan([binary, "--cache-dir", str(tmp_path / "cache")], capsys)
    assert errors_of(err) == [
        f"auditor: warning: {server.url('/8.2/base/SRPMS/')}: not read as the source repository beside "
        f"{binary}: HTTP 403 Forbidden"
    ]
    assert document["errors"] == [] and code == 1  # the Source/ beside it was still read
    assert "source-not-audited" not in reasons(document)


def test_offline_finds_the_source_repository_in_the_cache(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary, cache = server.url("/8.2/base/x86_64/"), str(tmp_path / "cache")
    code, online, _ = scan([binary, "--cache-dir", cache], capsys)
    server.stop()
    offline_code, offline, err = scan([binary, "--cache-dir", cache, "--offline"], capsys)
    assert (offline_code, offline["packages"], errors_of(err)) == (code, online["packages"], [])


def test_a_repo_file_names_a_source_section_served_elsewhere(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (www / "8.2" / "base" / "Source").rename(www / "sources-mirror")  # no layout finds it
    config = tmp_path / "xcp-ng.repo"
    config.write_text(
        f"[xcp-ng-base]\nbaseurl={server.url('/8.2/base/x86_64/')}\nenabled=1\n\n"
        f"[xcp-ng-base-source]\nbaseurl={server.url('/sources-mirror/')}\nenabled=0\n"
    )
    cache = str(tmp_path / "cache")
    _, document, err = scan([str(config), "--cache-dir", cache], capsys)
    assert errors_of(err) == [] and "source-not-audited" not in reasons(document)
    xs = next(p for p in document["packages"] if p["nevra"] == "xs-sources-1.0-1.src")
    assert XS_SOURCE0 in [s["value"] for s in xs["sources"]]
    _, document, _ = scan([str(config), "--cache-dir", cache, "--no-source-discovery"], capsys)
    assert "source-not-audited" in reasons(document)


def test_a_context_repository_is_not_probed_for_its_sources(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--with names what requirements resolve against, not what is audited: a distribution's
    base repository has its sources beside it, and they are not read."""
    target = DATA / "rpms" / "epochs-1.2-4.noarch.rpm"
    args = [str(target), "--with", server.url("/8.2/base/x86_64/"), "--cache-dir", str(tmp_path / "cache")]
    _, document, err = scan(args, capsys)
    assert errors_of(err) == [] and document["errors"] == []
    assert probes(server) == ["/8.2/base/x86_64/repodata/repomd.xml"]
    assert "source-repository" not in {item["kind"] for item in document["inputs"]}


def test_a_probe_redirected_to_a_location_that_is_no_url_is_a_warning(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # urljoin raises on such a Location: the server of a probe nobody asked for ended the run.
    server.routes["/8.2/base/SRPMS/repodata/repomd.xml"] = redirect("http://[::1/repodata/repomd.xml")
    binary = server.url("/8.2/base/x86_64/")
    code, document, err = scan([binary, "--cache-dir", str(tmp_path / "cache")], capsys)
    assert errors_of(err) == [
        f"auditor: warning: {server.url('/8.2/base/SRPMS/')}: not read as the source repository beside "
        f"{binary}: redirected to a Location that is not a URL: 'http://[::1/repodata/repomd.xml'"
    ]
    assert document["errors"] == [] and code == 1  # the findings of what was read stand
    assert "source-not-audited" not in reasons(document)
