"""No local file is reachable from the network: every route a URL takes goes through one policy.

Scenarios over real HTTP on 127.0.0.1: a mirrorlist served over HTTP, a ``.repo`` file
fetched by URL, and ``xml:base`` in remote metadata each try to lead the auditor to a
local directory or to another server. The local directory holds a real repository whose
packages must not appear; the other server must receive no request. The same files read
from the local disk keep working, since there ``file:`` is the user's own choice.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.net.urlpolicy import Route, UrlOrigin, decide
from tests.conftest import DATA, errors_of, rewrite_primary
from tests.httpserver import LocalServer, redirect

PACKAGES = sorted(path.name for path in (DATA / "repo" / "Packages").glob("*.rpm"))


@pytest.fixture
def bystander(tmp_path: Path) -> Iterator[LocalServer]:
    """Another server on this host (another port): a service the metadata must not reach."""
    root = tmp_path / "bystander"
    shutil.copytree(DATA / "repo", root / "repo")
    with LocalServer(root) as running:
        yield running


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A local directory holding a real repository: what a hostile remote file points at."""
    target = tmp_path / "secret" / "repo"
    shutil.copytree(DATA / "srpm-repo", target)
    return target


def scan(args: list[str], capsys: pytest.CaptureFixture[str], cache: Path) -> tuple[int, dict[str, Any], str]:
    code = main(["scan", *args, "--format", "json", "--cache-dir", str(cache), "-q", "--fail-on", "none"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, json.loads(captured.out), captured.err


def errors(err: str) -> list[str]:
    return [line for line in errors_of(err) if line.startswith("auditor: error:")]


def secrets(document: dict[str, Any]) -> list[str]:
    """Packages of the local directory's repository (source packages: the remote one has none)."""
    return [p["nevra"] for p in document["packages"] if p["arch"] == "src"]


# -- a mirrorlist served over HTTP ----------------------------------------------------------


def test_a_mirrorlist_served_over_http_cannot_lead_to_a_local_directory(
    server: LocalServer, www: Path, secret: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (www / "mirrors.txt").write_text(f"file://{secret}\n")
    config = tmp_path / "hostile-mirrors.repo"
    config.write_text(f"[m]\nmirrorlist={server.url('/mirrors.txt')}\n")
    code, document, err = scan([str(config)], capsys, tmp_path / "cache")
    assert code == 3
    [line] = errors(err)
    assert line.startswith(
        f"auditor: error: {config} [m]: no repository could be read; last: file://{secret}: "
    )
    assert "a file: URL from a mirrorlist or metalink served from the network" in line
    assert document["packages"] == []


def test_a_hostile_mirror_is_skipped_for_the_next_one_and_said(
    server: LocalServer, www: Path, secret: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (www / "mirrors.txt").write_text(f"file://{secret}\n{server.url('/repo/')}\n")
    config = tmp_path / "mirrors.repo"
    config.write_text(f"[m]\nmirrorlist={server.url('/mirrors.txt')}\n")
    code, document, err = scan([str(config)], capsys, tmp_path / "cache")
    assert code == 0 and errors(err) == []
    assert all(package["input"] == server.url("/repo/") for package in document["packages"])
    assert secrets(document) == []
    assert f"auditor: warning: {config} [m]: file://{secret} not used: a file: URL from" in err


def test_a_metalink_served_over_http_cannot_lead_to_a_local_directory(
    server: LocalServer, www: Path, secret: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (www / "metalink.xml").write_text(
        '<?xml version="1.0"?><metalink xmlns="http://www.metalinker.org/"><files><file name="repomd.xml">'
        f"<resources><url>file://{secret}/repodata/repomd.xml</url></resources></file></files></metalink>"
    )
    config = tmp_path / "metalink.repo"
    config.write_text(f"[m]\nmetalink={server.url('/metalink.xml')}\n")
    code, document, err = scan([str(config)], capsys, tmp_path / "cache")
    assert code == 3 and document["packages"] == []
    [line] = errors(err)
    assert f"file://{secret}/: a file: URL from a mirrorlist or metalink served from the network" in line


# -- a .repo file fetched by URL -----------------------------------------------------------


def test_a_repo_file_fetched_by_url_cannot_name_a_local_directory(
    server: LocalServer, www: Path, secret: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (www / "hostile.repo").write_text(f"[local]\nbaseurl=file://{secret}\n")
    url = server.url("/hostile.repo")
    code, document, err = scan([url], capsys, tmp_path / "cache")
    assert code == 3 and document["packages"] == []
    [line] = errors(err)
    assert line == (
        f"auditor: error: {url} [local]: no repository could be read; last: file://{secret}: "
        f"a file: URL from a repository configuration file fetched from {url} is never read "
        "(only http and https)"
    )


def test_a_repo_file_fetched_by_url_cannot_name_a_local_mirrorlist(
    server: LocalServer, www: Path, secret: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirrors = tmp_path / "mirrors.txt"
    mirrors.write_text(f"file://{secret}\n")
    (www / "hostile.repo").write_text(f"[local]\nmirrorlist=file://{mirrors}\n")
    code, document, err = scan([server.url("/hostile.repo")], capsys, tmp_path / "cache")
    assert code == 3 and document["packages"] == []
    [line] = errors(err)
    assert f"last: file://{mirrors}: a file: URL from a repository configuration file fetched" in line


def test_a_remote_repo_file_names_a_remote_repository_as_before(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (www / "good.repo").write_text(f"[r]\nbaseurl={server.url('/repo/')}\n")
    code, document, err = scan([server.url("/good.repo")], capsys, tmp_path / "cache")
    assert (code, errors_of(err)) == (0, [])
    assert sorted(Path(p["location"]).name for p in document["packages"]) == PACKAGES


# -- the same files on the local disk: file: is the user's own choice ---------------------------


def test_a_local_repo_file_and_its_local_mirrorlist_may_name_local_files(
    secret: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirrors = tmp_path / "mirrors.txt"
    mirrors.write_text(f"# local mirrors\nfile://{tmp_path}/gone\nfile://{secret}\n")
    config = tmp_path / "local.repo"
    config.write_text(f"[direct]\nbaseurl=file://{secret}\n\n[listed]\nmirrorlist=file://{mirrors}\n")
    code, document, err = scan([str(config)], capsys, tmp_path / "cache")
    assert (code, errors(err)) == (0, [])
    inputs = {package["input"] for package in document["packages"]}
    assert inputs == {f"file://{secret}"} and secrets(document)
    # Both sections were read from the secret repository: the mirrorlist's, by its local mirror,
    # as the same repository as the first (its packages are one copy, as dnf's).
    assert len(document["packages"]) == len({p["nevra"] for p in document["packages"]})
    (same,) = [said for said in document["warnings"] if "read once" in said]
    assert same.startswith(f"{config} [listed]: the same repository as {config} [direct]")


# -- xml:base in remote metadata -------------------------------------------------------------


def test_xml_base_cannot_aim_remote_header_requests_at_another_host(
    server: LocalServer, bystander: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = bystander.url("/repo/")
    rewrite_primary(
        www / "repo", lambda xml: xml.replace("<location href=", f'<location xml:base="{elsewhere}" href=')
    )
    code, document, err = scan([server.url("/repo/"), "--remote-headers"], capsys, tmp_path / "cache")
    assert code == 0 and errors(err) == []
    assert bystander.requests == []  # not one request reached the other server
    assert not [path for path in server.paths() if path.endswith(".rpm")]
    assert sorted(p["location"] for p in document["packages"]) == sorted(
        elsewhere + "Packages/" + n for n in PACKAGES
    )
    assert all(p["signing_key"] is None for p in document["packages"])
    [warning] = errors_of(err)
    assert warning == (
        f"auditor: warning: {server.url('/repo/')}: the headers of {len(PACKAGES)} package(s) were not read; "
        f"first: {elsewhere}Packages/{PACKAGES[0]}: xml:base leads away from the "
        f"repository's own host ({server.url('/repo/')}); not requested"
    )


def test_xml_base_on_the_repository_host_is_followed(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(www / "repo" / "Packages", www / "pool" / "Packages")
    home = server.url("/pool/")
    rewrite_primary(
        www / "repo", lambda xml: xml.replace("<location href=", f'<location xml:base="{home}" href=')
    )
    (www / "repo" / "Packages").rename(www / "repo" / "moved")  # only the xml:base location serves them
    code, document, err = scan([server.url("/repo/"), "--remote-headers"], capsys, tmp_path / "cache")
    assert (code, errors_of(err)) == (0, [])
    signed = next(p for p in document["packages"] if p["name"] == "signed")
    assert signed["signing_key"] is not None and signed["location"].startswith(home + "Packages/")


def test_xml_base_naming_a_local_file_is_never_read(
    server: LocalServer, www: Path, secret: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rewrite_primary(
        www / "repo",
        lambda xml: xml.replace("<location href=", f'<location xml:base="file://{secret}" href='),
    )
    code, _document, err = scan([server.url("/repo/"), "--remote-headers"], capsys, tmp_path / "cache")
    assert code == 0 and errors(err) == []
    assert "a file: URL from xml:base in the metadata of" in err


# -- redirects and package URLs ----------------------------------------------------------------


def test_a_redirect_to_a_local_file_is_refused_by_the_same_policy(
    server: LocalServer, secret: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.routes["/evil/repodata/repomd.xml"] = redirect(f"file://{secret}/repodata/repomd.xml")
    code, document, err = scan([server.url("/evil/")], capsys, tmp_path / "cache")
    assert code == 3 and document["packages"] == []
    [line] = errors(err)
    assert "a file: URL from a redirect from" in line and "only http and https" in line


@pytest.mark.parametrize(
    ("url", "origin", "allowed", "reason"),
    [
        ("file:///srv/repo", UrlOrigin.command_line(), True, ""),
        ("file:///srv/repo", UrlOrigin.local_config("/etc/yum.repos.d/x.repo"), True, ""),
        ("file:///srv/repo", UrlOrigin.remote_config("http://a/x.repo"), False, "never read"),
        ("file:///srv/repo", UrlOrigin.listing("file:///m.txt", UrlOrigin.local_config("/x.repo")), True, ""),
        (
            "file:///srv/repo",
            UrlOrigin.listing("file:///m.txt", UrlOrigin.remote_config("http://a/x")),
            False,
            "never read",
        ),
        (
            "file:///srv/repo",
            UrlOrigin.listing("http://a/m.txt", UrlOrigin.local_config("/x.repo")),
            False,
            "never read",
        ),
        ("file:///srv/repo", UrlOrigin.redirect("http://a/"), False, "never read"),
        ("file:///srv/repo", UrlOrigin.package_url("p-1-1.noarch"), False, "never read"),
        ("file://otherhost/srv/repo", UrlOrigin.command_line(), False, "another host"),
        ("file:///srv/re%00po", UrlOrigin.local_config("/x.repo"), False, "NUL"),  # os.* raise ValueError
        ("ftp://a/repo", UrlOrigin.local_config("/x.repo"), False, "only http and https"),
        ("http://b:8080/x.rpm", UrlOrigin.listing("http://a/m.txt", UrlOrigin.command_line()), True, ""),
        ("http://a/p/x.rpm", UrlOrigin.repodata_base("http://a:80/repo/"), True, ""),
        ("https://a/p/x.rpm", UrlOrigin.repodata_base("http://a/repo/"), False, "xml:base"),
        ("http://a:8080/x.rpm", UrlOrigin.repodata_base("http://a/repo/"), False, "xml:base"),
        ("http://code.citrite.net/x", UrlOrigin.command_line(), False, "on a policy host"),
        ("http://a/base/Source/", UrlOrigin.sibling("http://a:80/base/x86_64/"), True, ""),
        ("https://a/base/SRPMS/", UrlOrigin.sibling("http://a/base/x86_64/"), False, "source repository"),
        ("file:///base/SRPMS/", UrlOrigin.sibling("http://a/base/x86_64/"), False, "never read"),
        ("http://code.citrite.net/Source/", UrlOrigin.sibling("http://code.citrite.net/x/"), False, "policy"),
        ("http://u:p@a/x", UrlOrigin.redirect("http://a/"), True, ""),
    ],
)
def test_one_decision_for_every_route(url: str, origin: UrlOrigin, allowed: bool, reason: str) -> None:
    def guard(candidate: str) -> str | None:
        return "on a policy host (x)" if "citrite" in candidate else None

    decision = decide(url, origin, guard)
    assert (decision.allowed, reason in decision.reason) == (allowed, True)
    assert "@" not in decision.url
    assert decision.policy_host == ("citrite" in url)
    assert (decision.local_path is not None) == (allowed and url.startswith("file:"))
    assert origin.route in Route


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_a_ca_bundle_variable_naming_no_file_is_said_as_such(
    variable: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """requests' complaint came through as an OSError, which the download reported as the
    cache's: "cannot write to the cache: Could not find a suitable TLS CA certificate bundle"."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    missing = tmp_path / "ca.pem"
    monkeypatch.setenv(variable, str(missing))
    url = "https://127.0.0.1:9/repo/"
    code = main(["scan", url, "--cache-dir", str(tmp_path / "cache"), "--retries", "0", "-q"])
    err = capsys.readouterr().err
    assert code == 3
    assert f"{url}repodata/repomd.xml: {variable}={missing}: no such CA bundle (file or directory)" in err
    assert "cache" not in err
