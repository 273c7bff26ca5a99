"""Red team: hostile or broken remote repositories and repository configurations.

Each test serves real RPMs (built by rpmbuild, indexed by createrepo_c) from a real HTTP
server on 127.0.0.1 and asserts what the auditor SHOULD do; each fails today. The packages:
``cleanpkg`` (its Source0 on github.com/xcp-ng) and ``xspkg`` (its Source0 on
code.citrite.net, a policy host: an origin package that blocks). Every repository here holds
its binary and its source package, so nothing else is missing: an exit 0 is a clean verdict
with nothing said unseen.

Where a test says what dnf does, it was checked with dnf 4.14 (librepo) against the same
server: ``dnf --setopt=reposdir=DIR --setopt=varsdir=DIR repoquery``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
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
License: GPLv2
URL: https://github.com/xcp-ng/{name}
Vendor: XCP-ng
Source0: {source0}
BuildArch: noarch
%description
{name}
%prep
%build
%install
mkdir -p %{{buildroot}}/usr/share/{name}
echo x > %{{buildroot}}/usr/share/{name}/f
%files
/usr/share/{name}/f
"""

SOURCES = {
    "cleanpkg": "https://github.com/xcp-ng/cleanpkg/archive/v1.0/cleanpkg-1.0.tar.gz",
    "xspkg": "https://code.citrite.net/rest/archive/latest/projects/XSU/repos/xspkg/archive"
    "?at=v1.0&format=tar.gz#/xspkg-1.0.tar.gz",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """name -> (source RPM, binary RPM), built once for the module."""
    top = tmp_path_factory.mktemp("rpmbuild")
    made = {}
    for name, source0 in SOURCES.items():
        spec = top / f"{name}.spec"
        spec.write_text(SPEC.format(name=name, source0=source0))
        made[name] = build_noarch(
            spec, top / name, [f"{name}-1.0.tar.gz"], environment={"SOURCE_DATE_EPOCH": "1704067200"}
        )
    return made


def repository(directory: Path, *rpms: Path) -> Path:
    """A repository at ``directory`` holding ``rpms``, indexed by createrepo_c."""
    directory.mkdir(parents=True, exist_ok=True)
    for rpm in rpms:
        shutil.copy(rpm, directory)
    subprocess.run(["createrepo_c", "-q", str(directory)], check=True)
    return directory


@pytest.fixture
def www(tmp_path: Path, built: dict[str, tuple[Path, Path]]) -> Path:
    """``/clean/`` and ``/xs/``: each a repository of one package and its source package."""
    root = tmp_path / "www"
    repository(root / "clean", *built["cleanpkg"])
    repository(root / "xs", *built["xspkg"])
    return root


@pytest.fixture
def server(www: Path) -> Iterator[LocalServer]:
    with LocalServer(www) as running:
        yield running


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["scan", *args, "--format", "json", "--timeout", "2", "--retries", "0"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else {}, captured.err


def names(document: dict[str, Any]) -> set[str]:
    return {package["name"] for package in document.get("packages", [])}


def serve_bytes(data: bytes) -> Any:
    return lambda handler, method: handler.answer(200, data, method=method)


# -- false clean: the auditor reads another repository than dnf ------------------------------


def test_a_mirror_with_a_variable_not_given_is_not_silently_requested_as_written(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """FALSE CLEAN. A mirrorlist lists ``http://HOST/$stream/`` first, then a clean mirror. The
    host's dnf substitutes its varsdir's ``stream`` (librepo substitutes the section's variables
    in every listed mirror: README "the section's variables are substituted in the mirrors they
    list") and installs from ``/xs/``. The auditor was given no ``--var stream``: for a URL of
    the section itself that is an input error ("a variable left in a URL is an input error for
    that section (exit 3), naming the option that gives it"), but in a listed mirror the
    variable is left in the URL as written (`SectionReader._mirrors` drops what `expand` says
    is left), requested literally (404), and the next, clean, mirror is audited: exit 0 with
    a mere warning, even under --strict. Checked with dnf 4.14 and ``varsdir`` holding
    ``stream=xs``: ``repoquery`` lists xspkg."""
    (server.root / "mirrors.txt").write_text(f"{server.url('/$stream/')}\n{server.url('/clean/')}\n")
    config = tmp_path / "base.repo"
    config.write_text(f"[base]\nname=base\nmirrorlist={server.url('/mirrors.txt')}\n")
    code, document, err = scan([str(config), "--cache-dir", str(tmp_path / "c"), "--strict"], capsys)
    assert "Traceback" not in err
    # What the host installs from is unknown: never a pass.
    assert code != 0, err
    assert "$stream" in err or "stream" in json.dumps(document.get("errors", [])), err


def test_a_baseurl_query_is_kept_as_dnf_keeps_it(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """FALSE CLEAN. ``baseurl=http://HOST/q/?channel=xs``: librepo keeps the query and puts the
    path before it, so dnf asks for ``/q/repodata/repomd.xml?channel=xs`` (checked with dnf
    4.14: the server saw exactly that, and ``repoquery`` listed xspkg). The auditor drops the
    query (`auditor.sources.remote.repository_base`: "user-info, query and fragment dropped")
    and asks for ``/q/repodata/repomd.xml``: a server that selects a channel, a token or a
    signed URL by its query (Artifactory, Pulp, a CDN) answers another repository, which is
    the one audited. Here: clean, exit 0, nothing said, while dnf installs xspkg. Either the
    query must be kept (and xspkg found), or a baseurl with a query refused as unread."""
    seen: list[str] = []

    def channel(handler: Handler, method: str) -> None:
        seen.append(handler.path)
        chosen = "xs" if "channel=xs" in handler.path else "clean"
        handler.answer(200, (www / chosen / "repodata" / "repomd.xml").read_bytes(), method=method)

    # One directory holding both repositories' files; repomd.xml chosen by the query.
    shutil.copytree(www / "clean", www / "q")
    shutil.copytree(www / "xs", www / "q", dirs_exist_ok=True)
    server.routes["/q/repodata/repomd.xml"] = channel
    config = tmp_path / "q.repo"
    config.write_text(f"[q]\nname=q\nbaseurl={server.url('/q/?channel=xs')}\n")
    code, document, err = scan([str(config), "--cache-dir", str(tmp_path / "c"), "--strict"], capsys)
    assert "Traceback" not in err
    assert code != 0, (seen, err)
    assert "xspkg" in names(document) or document.get("errors"), seen


def test_two_sections_whose_urls_differ_by_a_double_slash_are_two_repositories(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """FALSE CLEAN. ``[clean] baseurl=http://HOST/clean/`` and ``[other]
    baseurl=http://HOST/clean//``: `configscope.location_of` normalises ``a//b`` to ``a/b``
    ("``a//b/`` and ``a/./b`` alike"), so [other] is "the same repository as [clean]; read
    once" and ``/clean//repodata/repomd.xml`` is never requested. But neither curl (librepo)
    nor RFC 3986 merges slashes: S3 and GCS keys, and any server that does not merge them,
    serve another file there. Here it is xspkg's repository; dnf 4.14's ``repoquery`` lists
    ``other xspkg`` beside ``clean cleanpkg``, the auditor passes on cleanpkg alone.

    Setup corrected (the fixer, checked with dnf 4.14 / librepo 1.14.5 against a logging
    server): librepo takes every trailing ``/`` of a base away, so ``baseurl=.../clean//`` is
    asked for ``/clean/repodata/repomd.xml``, the same repository as ``/clean/``; inside the
    path, ``/a//b/`` is asked for ``/a//b/repodata/repomd.xml``. The two sections are
    ``/top/clean/`` and ``/top//clean/`` (``top`` a link to the server's root)."""
    (www / "top").symlink_to(www)
    for item in (www / "xs").rglob("*"):  # xs's files beside clean's (clean's repomd lists none of them)
        target = www / "clean" / item.relative_to(www / "xs")
        if item.is_file() and item.name != "repomd.xml":
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(item, target)
    server.routes["/top//clean/repodata/repomd.xml"] = serve_bytes(
        (www / "xs/repodata/repomd.xml").read_bytes()
    )
    config = tmp_path / "two.repo"
    config.write_text(
        f"[clean]\nname=c\nbaseurl={server.url('/top/clean/')}\n\n"
        f"[other]\nname=o\nbaseurl={server.url('/top//clean/')}\n"
    )
    code, document, err = scan([str(config), "--cache-dir", str(tmp_path / "c"), "--strict"], capsys)
    assert "Traceback" not in err
    assert "/top//clean/repodata/repomd.xml" in server.paths(), server.paths()
    assert "xspkg" in names(document) and code == 1, err


# -- crashes: one answer of a server ends the whole run as an internal error -----------------


def test_a_probe_redirected_to_a_host_with_an_empty_label_is_a_warning_not_a_crash(
    tmp_path: Path, built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    """CRASH (exit 4). The source repository looked for beside ``/base/x86_64/`` (a request the
    user did not spell out) is answered with ``302 Location: http://a..b/``. The URL policy
    allows it (http, a host), requests prepares it, and urllib3 raises ``LocationParseError``
    ("label empty or too long": the host does not IDNA-encode) from inside the connection,
    which is no ``requests.RequestException``: `HttpClient._send_once` does not catch it, and the
    audit of a good repository ends as "internal error". The same host in a ``baseurl``, a
    mirrorlist entry, a package URL under --resolve-urls, or a 64-character label does it too.
    README: a probe's failure other than 404 "is a warning"."""
    www = tmp_path / "www"
    repository(www / "base" / "x86_64", built["cleanpkg"][1])
    repository(www / "base" / "Source", built["cleanpkg"][0])
    with LocalServer(www) as server:
        server.routes["/base/SRPMS/repodata/repomd.xml"] = redirect("http://a..b/x")
        code, document, err = scan([server.url("/base/x86_64/"), "--cache-dir", str(tmp_path / "c")], capsys)
    assert "internal error" not in err and code != 4, err
    assert names(document) == {"cleanpkg"}


def test_a_content_length_of_a_non_ascii_digit_is_no_crash(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """CRASH (exit 4). A server answers repomd.xml with ``Content-Length: ²`` (U+00B2, a Latin-1
    byte). http.client and urllib3 read no length from it (the body runs to the close), but
    `HttpClient.download` and `HttpClient._body` test it with ``str.isdigit()``, which is true
    for '²', and ``int('²')`` raises ValueError: "internal error", the run lost. A server's
    header is input: at worst an input error naming the URL (exit 3)."""
    body = (www / "clean" / "repodata" / "repomd.xml").read_bytes()

    def odd_length(handler: Handler, method: str) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "\u00b2")
        handler.end_headers()
        if method != "HEAD":
            handler.wfile.write(body)

    server.routes["/clean/repodata/repomd.xml"] = odd_length
    code, _document, err = scan([server.url("/clean/"), "--cache-dir", str(tmp_path / "c")], capsys)
    assert "internal error" not in err and code != 4, err


def test_a_baseurl_with_three_slashes_is_read_from_the_host_that_follows_as_curl_reads_it(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """FALSE CLEAN. ``baseurl=http:///127.0.0.1:PORT/xs/`` then ``http://127.0.0.1:PORT/clean/``.
    curl, and so librepo, reads ``http:///HOST/...`` as ``http://HOST/...`` (the auditor knows:
    `auditor.net.http._CURL_ABSOLUTE` reads a redirect's Location so, and a policy host written
    that way is a config finding), so dnf installs from the first URL: checked with dnf 4.14,
    ``repoquery`` lists xspkg. The URL policy refuses it for a section ("no host in the URL"),
    the second, clean, base URL is read, and the run passes, --strict included, on a warning:
    the repository dnf uses was never read."""
    config = tmp_path / "s.repo"
    config.write_text(
        f"[s]\nname=s\nbaseurl=http:///127.0.0.1:{server.port}/xs/\n        {server.url('/clean/')}\n"
    )
    code, document, err = scan([str(config), "--cache-dir", str(tmp_path / "c"), "--strict"], capsys)
    assert "Traceback" not in err
    assert code != 0, err
    assert "xspkg" in names(document) or document.get("errors"), err


def test_a_sections_baseurl_is_read_though_its_mirrorlist_works_as_yum_3_reads_the_baseurl_first(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """FALSE CLEAN for yum 3 hosts (XCP-ng 8.x). ``[base] baseurl=http://HOST/xs/`` and
    ``mirrorlist=`` a list naming ``http://HOST/clean/``. dnf reads the mirrorlist's mirrors and
    ignores the baseurl; yum 3 does the opposite: ``YumRepository._baseurlSetup`` makes
    ``self._urls = self.baseurl + self.mirrorurls`` (yum 3.4.3 yumRepo.py), baseurl first (and
    with its default ``failovermethod=roundrobin`` it may start at any of them). The README
    reads every configuration "twice, as libdnf's parser reads it ... and as Python's
    configparser does (close to yum 3 ...), and a repository either would use is judged".
    But `repofile._first_url` takes baseurl, mirrorlist, metalink in that one order for both
    readers, so the two readings "name the same repository" and `SectionReader.read` reads
    dnf's mirrorlist alone: ``/xs/`` is never requested, and the run passes under --strict,
    with nothing said, while a yum 3 host installs xspkg."""
    (server.root / "mirrors.txt").write_text(server.url("/clean/") + "\n")
    config = tmp_path / "base.repo"
    config.write_text(
        f"[base]\nname=base\nbaseurl={server.url('/xs/')}\nmirrorlist={server.url('/mirrors.txt')}\n"
    )
    code, document, err = scan([str(config), "--cache-dir", str(tmp_path / "c"), "--strict"], capsys)
    assert "Traceback" not in err
    assert "/xs/repodata/repomd.xml" in server.paths(), server.paths()
    assert "xspkg" in names(document) and code == 1, err


def test_a_baseurl_naming_repomd_xml_is_read_as_dnf_reads_it(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """FALSE CLEAN. ``baseurl=http://HOST/clean/repodata/repomd.xml`` then ``http://HOST/xs/``.
    dnf appends ``repodata/repomd.xml`` to every base URL: it asks for
    ``/clean/repodata/repomd.xml/repodata/repomd.xml`` (404) and reads the next, ``/xs/``
    (checked with dnf 4.14: the server saw exactly those two requests; ``repoquery`` lists
    xspkg). `auditor.sources.remote.repository_base` strips a trailing
    ``repodata/repomd.xml`` even for a configured URL (``configured=True`` only keeps a
    trailing ``repodata/``, its docstring saying "a baseurl never does [name it]: dnf reads
    BASEURL/repodata/repomd.xml"), so the auditor reads ``/clean/``, never requests ``/xs/``,
    and passes under --strict. The same goes for such a line in a mirrorlist."""
    config = tmp_path / "r.repo"
    config.write_text(
        f"[r]\nname=r\nbaseurl={server.url('/clean/repodata/repomd.xml')}\n  {server.url('/xs/')}\n"
    )
    code, document, err = scan([str(config), "--cache-dir", str(tmp_path / "c"), "--strict"], capsys)
    assert "Traceback" not in err
    assert "/clean/repodata/repomd.xml" not in server.paths(), server.paths()
    assert "xspkg" in names(document) and code == 1, err


def test_a_baseurl_with_a_fragment_is_not_read_as_the_url_without_it(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """FALSE CLEAN (as the query above: `repository_base` drops "query and fragment").
    ``baseurl=http://HOST/clean/#frag`` then ``http://HOST/xs/``. librepo appends
    ``repodata/repomd.xml`` after the fragment, which curl then cuts off: dnf asks for
    ``/clean/`` (no repomd.xml at all), fails, and reads ``/xs/`` (checked with dnf 4.14: its
    only repomd.xml request was ``/xs/repodata/repomd.xml``; ``repoquery`` lists xspkg). The
    auditor reads ``/clean/repodata/repomd.xml`` and passes under --strict."""
    config = tmp_path / "f.repo"
    config.write_text(f"[f]\nname=f\nbaseurl={server.url('/clean/#frag')}\n  {server.url('/xs/')}\n")
    code, document, err = scan([str(config), "--cache-dir", str(tmp_path / "c"), "--strict"], capsys)
    assert "Traceback" not in err
    assert code != 0, err
    assert "xspkg" in names(document) or document.get("errors"), err


def test_a_section_dnf_reads_with_credentials_is_not_a_clean_anonymous_read(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """EVIDENCE LOST SILENTLY. ``[a] baseurl=http://HOST/a/ username=me password=secret``: dnf
    sends ``Authorization: Basic ...`` (libdnf's ``username``/``password`` options; checked
    with dnf 4.14: the server saw the header, ``repoquery`` lists xspkg), and a repository
    behind authentication (a subscription, an Artifactory, a vendor's customer repository)
    answers what that account may install. The auditor never sends credentials (README "No
    credentials, ever"), which is right, but it reads the anonymous answer as the
    repository, and says nothing at all: the options are not even looked at (nothing in
    `auditor.sources` reads ``username``, ``password``, ``sslclientcert``), so the run passes
    under --strict. (``baseurl=http://me:secret@HOST/a/`` is the same, with only a warning
    that the credentials are not sent.) What the host installs was not seen: a gap."""
    seen: list[str | None] = []

    def by_account(handler: Handler, method: str) -> None:
        seen.append(handler.headers.get("Authorization"))
        chosen = "xs" if seen[-1] else "clean"
        handler.answer(200, (www / chosen / "repodata" / "repomd.xml").read_bytes(), method=method)

    shutil.copytree(www / "clean", www / "a")
    shutil.copytree(www / "xs", www / "a", dirs_exist_ok=True)
    server.routes["/a/repodata/repomd.xml"] = by_account
    config = tmp_path / "a.repo"
    config.write_text(f"[a]\nname=a\nbaseurl={server.url('/a/')}\nusername=me\npassword=secret\n")
    code, _document, err = scan([str(config), "--cache-dir", str(tmp_path / "c"), "--strict"], capsys)
    assert "Traceback" not in err
    assert seen and not any(seen)  # never sent: that stays
    assert code != 0, err  # but the anonymous answer is not a pass


def test_a_url_whose_head_answer_is_an_error_is_followed_by_get_or_is_a_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """FALSE CLEAN under --resolve-urls. A package's URL answers HEAD with 404 and GET with
    ``302 Location: https://code.citrite.net/...``. Whatever follows it for real (curl, a
    browser, spectool and rpmbuild for a Source: the same code path) uses GET and lands on
    Citrix. `HttpClient.probe` retries with a one-byte GET only after 403,
    405 or 501 (`HEAD_REFUSED`); after any other error status it returns "no redirect", the
    chain ends where it began, is cached for a day, and no ``url-not-followed`` gap is made
    (`UrlResolver._follow` ignores the status), though `GapKind.URL_NOT_FOLLOWED` is "a
    package URL whose redirects could not be followed to the end (an error answer, ...)". A
    server that answers HEAD otherwise than GET (404 or 400 on HEAD for a dynamic archive
    endpoint) hides the redirect: the run passes under --strict."""
    www = tmp_path / "www"
    www.mkdir()
    with LocalServer(www) as server:
        spec = tmp_path / "headless.spec"
        text = SPEC.format(name="headless", source0=server.url("/src/headless-1.0.tar.gz"))
        spec.write_text(text.replace("URL: https://github.com/xcp-ng/headless", f"URL: {server.url('/go')}"))
        srpm, rpm = build_noarch(
            spec, tmp_path / "top", ["headless-1.0.tar.gz"], environment={"SOURCE_DATE_EPOCH": "1704067200"}
        )
        repository(www / "repo", srpm, rpm)

        def go(handler: Handler, method: str) -> None:
            if method == "HEAD":
                handler.answer(404, method=method)
            else:
                handler.answer(
                    302, b"", {"Location": "https://code.citrite.net/rest/archive/x.tar.gz"}, method
                )

        server.routes["/go"] = go
        server.routes["/src/headless-1.0.tar.gz"] = lambda handler, method: handler.answer(
            200, b"x", method=method
        )
        code, _document, err = scan(
            [server.url("/repo/"), "--cache-dir", str(tmp_path / "c"), "--resolve-urls", "--strict"], capsys
        )
    assert "Traceback" not in err
    assert code != 0, err
