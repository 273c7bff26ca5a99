"""One repository named as an input and by a configuration's section is read once.

dnf reads a repository once however many of its sections name it; the auditor reads one named
twice on the command line once, and one two sections name once. Named both ways (``scan REPO
REPO.repo``, the .repo file's ``baseurl=file://REPO``; or a URL and a .repo file naming that
URL), its packages were two copies: every total, every status count and every SBOM component
doubled. And a second .repo file naming a repository the first one read was said to name
no enabled repository, an ``empty-input`` gap that failed ``--strict`` with nothing unseen.
Real RPMs, repositories by createrepo_c, remote ones served over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.net.remote import Remote
from auditor.net.urlpolicy import UrlOrigin
from auditor.sources.configscope import location_of
from tests.conftest import RPMS
from tests.httpserver import Handler, LocalServer

PAIR = ("epochs-1.2-4.noarch.rpm", "epochs-1.2-4.src.rpm")
"""A binary and its source package (the binary's requirements unresolved: blocking)."""
NEVRAS = ["epochs-3:1.2-4.noarch", "epochs-3:1.2-4.src"]


def repository(path: Path) -> Path:
    path.mkdir(parents=True)
    for name in PAIR:
        shutil.copy(RPMS / name, path / name)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(path)], check=True, capture_output=True)
    return path


def configuration(path: Path, section: str, baseurl: str, extra: str = "") -> Path:
    path.write_text(f"[{section}]\nname={section}\nbaseurl={baseurl}\nenabled=1\ngpgcheck=0\n{extra}")
    return path


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], list[str]]:
    code = main(["scan", *args, "--format", "json", "--no-cache", "--strict"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    warnings = [line for line in captured.err.splitlines() if line.startswith("auditor: warning: ")]
    return code, json.loads(captured.out), warnings


def nevras(document: dict[str, Any]) -> list[str]:
    return sorted(package["nevra"] for package in document["packages"])


def verdict(code: int, document: dict[str, Any]) -> tuple[int, Any, Any]:
    """What must not change with the repository named once more."""
    return code, document["summary"], document["completeness"]


def counted(code: int, document: dict[str, Any]) -> tuple[int, Any, Any]:
    """`verdict` with the completeness by its reasons and counts alone: a gap names the
    repository as its first reading spelt it (a path, or a section's ``file:`` URL)."""
    return code, document["summary"], document["completeness"]["reasons"]


@pytest.mark.parametrize("order", ["repository first", "configuration first"])
@pytest.mark.parametrize("spelling", ["root", "repomd.xml", "walked"])
def test_a_local_repository_named_and_configured_is_read_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], order: str, spelling: str
) -> None:
    repo = repository(tmp_path / "tree" / "repo")
    config = configuration(tmp_path / "local.repo", "local", repo.as_uri() + "/")
    spellings = {"root": repo, "repomd.xml": repo / "repodata" / "repomd.xml", "walked": tmp_path / "tree"}
    named = spellings[spelling]
    alone_code, alone, _ = scan([str(repo)], capsys)
    args = [str(named), str(config)] if order == "repository first" else [str(config), str(named)]
    code, document, warnings = scan(args, capsys)
    assert nevras(document) == NEVRAS
    assert verdict(code, document) == verdict(alone_code, alone)
    assert document["summary"]["packages"] == 2 and alone["completeness"]["reasons"] == []
    [said] = warnings
    if order == "repository first":
        assert said.startswith(f"auditor: warning: {config} [local]: the same repository as {named}")
    else:
        shown = repo if spelling == "walked" else named
        assert said.startswith(f"auditor: warning: {shown}: the same repository as {config} [local]")
    assert said.endswith("; read once")


def test_a_second_configuration_naming_a_repository_read_is_not_an_empty_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo")
    first = configuration(tmp_path / "first.repo", "first", repo.as_uri())
    second = configuration(tmp_path / "second.repo", "second", repo.as_uri() + "/")
    alone_code, alone, _ = scan([str(first)], capsys)
    code, document, warnings = scan([str(first), str(second)], capsys)
    assert verdict(code, document) == verdict(alone_code, alone)
    assert document["summary"]["packages"] == 2 and document["completeness"]["reasons"] == []
    assert warnings == [
        f"auditor: warning: {second} [second]: the same repository as {first} [first] "
        f"({repo.as_uri()}/); read once"
    ]


def test_an_input_shows_what_a_section_naming_its_repository_excludes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The section hides the binary from dnf; the same repository named as an input hides
    nothing: in either order, the run sees it as the input shows it, as two sections where
    one excludes it are read (the hosts see what any naming shows)."""
    repo = repository(tmp_path / "repo")
    config = configuration(tmp_path / "x.repo", "x", repo.as_uri(), "exclude=epochs\n")
    alone_code, alone, _ = scan([str(repo)], capsys)
    for args in ([str(repo), str(config)], [str(config), str(repo)]):
        code, document, _ = scan(args, capsys)
        assert nevras(document) == NEVRAS
        assert verdict(code, document) == verdict(alone_code, alone)


def test_a_remote_repository_named_twice_or_configured_is_read_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repository(tmp_path / "www" / "repo")
    with LocalServer(tmp_path / "www") as server:
        url = server.url("/repo/")
        config = configuration(tmp_path / "remote.repo", "remote", url)
        other = configuration(tmp_path / "other.repo", "other", url.rstrip("/"))
        alone_code, alone, _ = scan([url, "--cache-dir", str(tmp_path / "cache")], capsys)
        for args in (
            [url, url.rstrip("/")],
            [url, str(config)],
            [str(config), url],
            [str(config), str(other)],
        ):
            code, document, warnings = scan([*args, "--cache-dir", str(tmp_path / "cache")], capsys)
            assert nevras(document) == NEVRAS, args
            assert verdict(code, document) == verdict(alone_code, alone), args
            assert [w for w in warnings if "the same repository as" in w and w.endswith("; read once")] == [
                w for w in warnings if "range" not in w
            ], args
            assert len([w for w in warnings if "the same repository as" in w]) == 1, args


@pytest.mark.parametrize("named", ["repository", "walked"])
def test_a_repository_nested_in_one_configured_then_named_is_still_a_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], named: str
) -> None:
    """A section reads the repository its base URL names, nothing below it; the input naming
    the same repository reads what is nested in it as a gap unless read too. Read first for the
    section, then named, the input's gap must still be there, as in the other order."""
    repo = repository(tmp_path / "tree" / "repo")
    repository(repo / "nested")  # after the outer one's createrepo_c: unlisted, a repository of its own
    config = configuration(tmp_path / "x.repo", "x", repo.as_uri())
    target = str(repo if named == "repository" else tmp_path / "tree")
    _, configured, _ = scan([str(config)], capsys)
    assert configured["completeness"]["reasons"] == []
    alone_code, alone, _ = scan([target], capsys)
    assert alone["completeness"]["reasons"] != []
    for args in ([target, str(config)], [str(config), target]):
        code, document, _ = scan(args, capsys)
        assert counted(code, document) == counted(alone_code, alone), args


@pytest.mark.parametrize("spelling", ["repodata/repomd.xml", "repodata/", "?mirror=1", "percent-encoded"])
def test_a_remote_repository_however_spelt_is_read_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spelling: str
) -> None:
    """The URL input is read at its repository's root (`repository_base` drops
    ``repodata/repomd.xml``, a query and a fragment), and a server reads ``%70`` as ``p``: the
    same repository as a section's baseurl or another input naming the root. It was read twice
    (every package two copies, no warning), as the location kept the spelling."""
    repository(tmp_path / "www" / "repo")
    with LocalServer(tmp_path / "www") as server:
        url = server.url("/repo/")
        spelt = {"percent-encoded": server.url("/re%70o/")}.get(spelling, url + spelling)
        config = configuration(tmp_path / "remote.repo", "remote", url)
        cache = ["--cache-dir", str(tmp_path / "cache")]
        alone_code, alone, _ = scan([url, *cache], capsys)
        for args in ([spelt, str(config)], [str(config), spelt], [url, spelt], [spelt, url]):
            code, document, warnings = scan([*args, *cache], capsys)
            assert nevras(document) == NEVRAS, args
            assert verdict(code, document) == verdict(alone_code, alone), args
            assert len([w for w in warnings if "the same repository as" in w]) == 1, args


def test_a_url_s_location_is_its_repository_s_however_spelt() -> None:
    """Spellings a live server cannot serve here: the default port, written or not; the scheme
    and host in either case; an escape of a reserved character in either case (kept escaped)."""
    remote = Remote()

    def location(url: str) -> str:
        return location_of(remote.decide(url, UrlOrigin.command_line()))

    assert location("http://mirror.example:80/repo/") == location("HTTP://Mirror.Example/repo")
    assert location("https://mirror.example:443/a%2fb/") == location("https://mirror.example/a%2Fb")
    assert location("http://mirror.example:8080/repo/") != location("http://mirror.example/repo/")
    assert location("http://mirror.example/a%2Fb/") != location("http://mirror.example/a/b/")


@pytest.mark.parametrize("through", ["gone", "file"])
def test_a_path_no_reader_can_open_is_not_the_repository_it_spells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], through: str
) -> None:
    """``DIR/gone/../repo`` (``gone`` absent) or ``repo/FILE/../repodata/repomd.xml``: the
    kernel fails on it, as dnf does on such a baseurl; `os.path.realpath` takes ``x/..`` away
    without looking. Keyed by that, the broken spelling was the same input or repository as
    ``repo``: named after it, its error was hidden (exit 1, "read once"); named first, ``repo``
    itself was skipped as read already. In either order: ``repo`` read, the other an error."""
    repo = repository(tmp_path / "repo")
    spelt = {
        "gone": tmp_path / "gone" / ".." / "repo",
        "file": repo / PAIR[0] / ".." / "repodata" / "repomd.xml",
    }[through]
    config = configuration(tmp_path / "broken.repo", "broken", f"file://{tmp_path}/gone/../repo/")
    for args in (
        [str(repo), str(spelt)],
        [str(spelt), str(repo)],
        [str(repo), str(config)],
        [str(config), str(repo)],
    ):
        code, document, _ = scan(args, capsys)
        assert nevras(document) == NEVRAS, args
        assert code == 3, args
        [error] = document["errors"]
        assert error["input"] in (str(spelt), f"{config} [broken]"), args


def test_a_repository_nested_in_one_named_and_configured_is_unseen_in_either_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A repository inside the input one is unseen (its packages are outside the metadata
    read), a gap --strict fails; dnf, reading the section's URL, reads nothing below it. With a
    section naming the input's repository read first, the input was "read already" and its
    nested repository no gap: --strict passed in that order alone. Named too, it is none."""
    repo = repository(tmp_path / "repo")
    repository(repo / "extra")
    config = configuration(tmp_path / "x.repo", "x", repo.as_uri())
    alone_code, alone, _ = scan([str(repo)], capsys)
    assert [reason["reason"] for reason in alone["completeness"]["reasons"]] == ["file-outside-metadata"]
    for args in ([str(repo), str(config)], [str(config), str(repo)]):
        code, document, _ = scan(args, capsys)
        assert counted(code, document) == counted(alone_code, alone), args
    for args in (
        [str(config), str(repo), str(repo / "extra")],
        [str(config), str(repo / "extra"), str(repo)],
    ):
        code, document, _ = scan(args, capsys)
        assert document["completeness"]["reasons"] == [], args


def test_a_directory_walked_for_its_rpm_files_is_walked_whatever_read_its_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --read-rpms a repository input is a directory walked for its RPM files, those its
    metadata does not list too. After a section naming the repository, it was taken for that
    repository read already and not walked: the file outside the metadata was not audited in
    that order alone."""
    repo = repository(tmp_path / "repo")
    shutil.copy(RPMS / "single-deps-1.0-1.noarch.rpm", repo)  # outside the metadata
    config = configuration(tmp_path / "x.repo", "x", repo.as_uri())
    for args in ([str(repo), str(config)], [str(config), str(repo)]):
        _, document, _ = scan([*args, "--read-rpms"], capsys)
        assert nevras(document) == [*NEVRAS, "single-deps-1.0-1.noarch"], args


@pytest.mark.parametrize("vouched", [True, False], ids=["vouched for", "not vouched for"])
def test_a_metalink_checks_a_repository_an_input_spelt_otherwise_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], vouched: bool
) -> None:
    """The input ``/re%70o/`` read the repository a metalink's mirror ``/repo/`` names (one
    location): the section's check of its repomd.xml looked for the file the input fetched under
    the mirror's spelling, found none, and failed the section ("no such file or directory",
    exit 3). It is fetched as the mirror spells it; a repomd.xml the metalink does not vouch for
    is still refused, in either order."""
    repo = repository(tmp_path / "www" / "repo")
    data = (repo / "repodata" / "repomd.xml").read_bytes() + (b"" if vouched else b"stale")
    with LocalServer(tmp_path / "www") as server:
        config = metalink_section(tmp_path, server, data)
        spelt = server.url("/re%70o/")
        for args in ([spelt, str(config)], [str(config), spelt]):
            shutil.rmtree(tmp_path / "cache", ignore_errors=True)
            code, document, _ = scan([*args, "--cache-dir", str(tmp_path / "cache")], capsys)
            assert nevras(document) == NEVRAS, args
            assert (code, [error["input"] for error in document["errors"]]) == (
                (1, []) if vouched else (3, [f"{config} [m]"])
            ), args


def test_a_baseurl_ending_in_repodata_is_the_repository_named_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dnf reads ``BASEURL/repodata/repomd.xml``: ``baseurl=.../x/repodata/`` is a repository
    named ``repodata`` (inside ``x``'s metadata directory here), not ``x``. The section read
    ``x`` (an input's ``.../repodata/`` shortcut): the Citrix package dnf installs from the
    repository configured was never audited, and ``x``'s verdict stood for it; beside an input
    naming ``x``, the section was "the same repository", read once."""
    x = repository(tmp_path / "www" / "x")
    shutil.copy(RPMS / "xs-sources-1.0-1.noarch.rpm", x / "repodata")
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(x / "repodata")], check=True)
    with LocalServer(tmp_path / "www") as server:
        config = configuration(tmp_path / "r.repo", "r", server.url("/x/repodata/"))
        cache = ["--cache-dir", str(tmp_path / "cache")]
        _, document, _ = scan([str(config), *cache], capsys)
        assert nevras(document) == ["xs-sources-1.0-1.noarch"]
        for args in ([server.url("/x/"), str(config)], [str(config), server.url("/x/")]):
            _, document, warnings = scan([*args, *cache], capsys)
            assert len(document["packages"]) == 3, args
            assert not [w for w in warnings if "the same repository as" in w], args


def test_a_metalink_vouches_for_the_repomd_xml_the_shared_reading_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The input ``/re%70o/`` read one repomd.xml; when the section's metalink check asked the
    mirror ``/repo/`` for it, the mirror had synced: it served another, the one the metalink
    vouches for, listing a Citrix package. The section shared the input's reading and its check
    fetched the mirror's file afresh: the metalink vouched for a file whose packages were never
    read, and the section passed with the input's (what dnf installs from it unaudited). The
    check is of the file the reading read: not vouched for, the section's error."""
    repo = repository(tmp_path / "www" / "repo")
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(RPMS / "xs-sources-1.0-1.noarch.rpm", other)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(other)], check=True)
    for metadata in (other / "repodata").iterdir():
        if metadata.name != "repomd.xml":
            shutil.copy(metadata, repo / "repodata")
    synced = (other / "repodata" / "repomd.xml").read_bytes()
    served = [(repo / "repodata" / "repomd.xml").read_bytes()]  # then the mirror syncs

    def mirror(handler: Handler, method: str) -> None:
        handler.answer(200, served.pop(0) if len(served) > 0 else synced, method=method)

    with LocalServer(tmp_path / "www") as server:
        server.routes["/repo/repodata/repomd.xml"] = mirror
        config = metalink_section(tmp_path, server, synced)
        spelt = server.url("/re%70o/")
        code, document, _ = scan([spelt, str(config), "--cache-dir", str(tmp_path / "cache")], capsys)
        assert code == 3 and [error["input"] for error in document["errors"]] == [f"{config} [m]"]


def metalink_section(tmp_path: Path, server: LocalServer, repomd: bytes) -> Path:
    """A .repo file whose one section [m] names, by metalink, the server's /repo/ as the mirror
    of a repomd.xml whose bytes are ``repomd``."""
    (tmp_path / "www" / "metalink.xml").write_text(
        '<?xml version="1.0"?><metalink version="3.0" xmlns="http://www.metalinker.org/"><files>'
        f'<file name="repomd.xml"><verification><hash type="sha256">{hashlib.sha256(repomd).hexdigest()}'
        f'</hash></verification><resources><url protocol="http" type="http">'
        f"{server.url('/repo/repodata/repomd.xml')}</url></resources></file></files></metalink>\n"
    )
    config = tmp_path / "m.repo"
    config.write_text(f"[m]\nname=m\nmetalink={server.url('/metalink.xml')}\nenabled=1\ngpgcheck=0\n")
    return config
