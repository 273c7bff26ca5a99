"""A metalink vouches for the repomd.xml its mirrors must serve, over real HTTP on 127.0.0.1.

librepo (dnf) checks a mirror's repomd.xml against the strongest checksum the metalink gives
for it, and for each of its alternates, and tries the next mirror when none matches
(``lr_get_best_checksum``): a stale or hostile mirror's metadata is never what dnf installs
from, so it must not be what the auditor audits either.
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
from tests.conftest import RPMS
from tests.httpserver import LocalServer

STALE_PACKAGES = ("conflicts-obsoletes-2.0-1.noarch.rpm", "conflicts-obsoletes-2.0-1.src.rpm")
"""A clean package and its source: a mirror serving only them audits clean."""


@pytest.fixture
def www(www: Path) -> Path:
    """The fixture repository at ``/repo/`` (Citrix packages: blocking) and, at ``/stale/``, a
    repository of clean packages only, as a mirror that is out of date (or lies) would serve."""
    packages = www / "stale" / "Packages"
    packages.mkdir(parents=True)
    for name in STALE_PACKAGES:
        shutil.copy(RPMS / name, packages)
    subprocess.run(["createrepo_c", "-q", str(www / "stale")], check=True)
    return www


def repomd_of(www: Path, repository: str) -> bytes:
    return (www / repository / "repodata" / "repomd.xml").read_bytes()


def verification(data: bytes, *algorithms: str) -> str:
    hashes = "".join(
        f'<hash type="{name}">{hashlib.new(name, data).hexdigest()}</hash>' for name in algorithms
    )
    return f"<verification>{hashes}</verification>"


def write_metalink(www: Path, server: LocalServer, vouched: str, alternates: str = "") -> str:
    """A metalink, as MirrorManager writes them, listing /stale/ first and /repo/ second."""
    mirrors = "".join(
        f'<url protocol="http" type="http" preference="{100 - n}">'
        f"{server.url(f'/{name}/repodata/repomd.xml')}</url>"
        for n, name in enumerate(("stale", "repo"))
    )
    alternates = f"<mm0:alternates><mm0:alternate>{alternates}</mm0:alternate></mm0:alternates>" * bool(
        alternates
    )
    (www / "metalink.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<metalink version="3.0" xmlns="http://www.metalinker.org/"'
        ' xmlns:mm0="http://fedorahosted.org/mirrormanager"><files><file name="repomd.xml">'
        f"{alternates}{vouched}<resources>{mirrors}</resources></file></files></metalink>\n"
    )
    return server.url("/metalink.xml")


def scan(
    config: Path, cache: Path, capsys: pytest.CaptureFixture[str], *more: str
) -> tuple[int, dict[str, Any], str]:
    code = main(["scan", str(config), "--cache-dir", str(cache), "--format", "json", *more])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else {}, captured.err


def test_a_mirror_whose_repomd_the_metalink_does_not_vouch_for_is_not_audited(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = write_metalink(www, server, verification(repomd_of(www, "repo"), "md5", "sha256", "sha512"))
    config = tmp_path / "fedora.repo"
    config.write_text(f"[updates]\nmetalink={url}\n")
    code, document, err = scan(config, tmp_path / "cache", capsys)
    # The stale mirror holds only clean packages: audited, it made the run pass.
    assert code == 1, err
    assert {package["input"] for package in document["packages"]} == {server.url("/repo/")}
    [skipped] = [line for line in err.splitlines() if "was read instead" in line]
    assert server.url("/stale/repodata/repomd.xml") in skipped
    assert "does not match the sha512 checksum its metalink gives" in skipped
    assert "Traceback" not in err
    # Nothing the stale repomd.xml lists was fetched: it was refused before a byte of it was used.
    assert not [path for path in server.paths() if path.startswith("/stale/") and "repomd" not in path]


def test_an_alternate_the_metalink_gives_is_a_repomd_it_vouches_for(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The mirror not yet synced serves the repomd.xml of the metalink's alternate: dnf uses it.
    url = write_metalink(
        www,
        server,
        verification(b"the newest repomd.xml", "sha256"),
        verification(repomd_of(www, "stale"), "sha1"),
    )
    config = tmp_path / "fedora.repo"
    config.write_text(f"[updates]\nmetalink={url}\n")
    code, document, err = scan(config, tmp_path / "cache", capsys, "--strict")
    assert (code, err) == (0, "")
    assert {package["input"] for package in document["packages"]} == {server.url("/stale/")}


def test_a_metalink_hash_of_type_sha_is_sha1_and_vouches_for_its_repomd(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """librepo reads a hash of type ``sha`` (any case) as SHA-1 and checks it; read as a type
    the auditor did not know, the metalink vouched for nothing and the stale mirror was audited."""
    digest = hashlib.sha1(repomd_of(www, "repo")).hexdigest()
    url = write_metalink(www, server, f'<verification><hash type="SHA">{digest}</hash></verification>')
    config = tmp_path / "fedora.repo"
    config.write_text(f"[updates]\nmetalink={url}\n")
    code, document, err = scan(config, tmp_path / "cache", capsys)
    assert code == 1, err
    assert {package["input"] for package in document["packages"]} == {server.url("/repo/")}
    assert "does not match the sha1 checksum its metalink gives" in err


def test_a_metalink_no_mirror_of_which_matches_is_an_input_error_also_offline(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "fedora.repo"
    config.write_text(f"[updates]\nmetalink={server.url('/metalink.xml')}\n")
    cache = tmp_path / "cache"
    write_metalink(www, server, verification(repomd_of(www, "stale"), "sha256"))
    assert scan(config, cache, capsys)[0] == 0  # the cache now holds both mirrors' repomd.xml
    write_metalink(www, server, verification(b"a repomd.xml no mirror has", "sha256"))
    code, _document, err = scan(config, cache, capsys)
    [line] = [line for line in err.splitlines() if line.startswith("auditor: error:")]
    assert code == 3 and f"{config} [updates]: no repository could be read (2 URLs tried)" in line, err
    assert "does not match the sha256 checksum its metalink gives" in line
    # Offline, the cached metalink is the one just read, and the stale repomd.xml the cache
    # still holds is checked against it as a downloaded one is: not audited (it passed clean).
    code, _document, err = scan(config, cache, capsys, "--offline")
    assert code == 3 and f"{config} [updates]: no repository could be read" in err, err
    assert "Traceback" not in err


def test_a_local_metalink_checks_its_local_mirrors_too(
    www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirrors = "".join(f"<url>file://{www / name}/repodata/repomd.xml</url>" for name in ("stale", "repo"))
    metalink = tmp_path / "metalink.xml"
    metalink.write_text(
        '<?xml version="1.0"?><metalink version="3.0" xmlns="http://www.metalinker.org/"><files>'
        f'<file name="repomd.xml">{verification(repomd_of(www, "repo"), "sha256")}'
        f"<resources>{mirrors}</resources></file></files></metalink>\n"
    )
    config = tmp_path / "local.repo"
    config.write_text(f"[local]\nmetalink=file://{metalink}\n")
    code, document, err = scan(config, tmp_path / "cache", capsys)
    assert code == 1, err
    assert {package["input"] for package in document["packages"]} == {f"file://{www / 'repo'}/"}
    assert f"file://{www / 'stale'}/repodata/repomd.xml could not be read (does not match" in err


def test_a_mirror_another_section_read_is_still_held_to_the_metalink(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The local mirror MirrorManager lists first is stale, and a section of its own names it too:
    # dnf reads it for that section and refuses it for the metalink's, which reads /repo/.
    url = write_metalink(www, server, verification(repomd_of(www, "repo"), "sha256"))
    config = tmp_path / "fedora.repo"
    config.write_text(f"[local-mirror]\nbaseurl={server.url('/stale/')}\n\n[updates]\nmetalink={url}\n")
    code, document, err = scan(config, tmp_path / "cache", capsys)
    assert code == 1, err
    inputs = {package["input"] for package in document["packages"]}
    assert inputs == {server.url("/stale/"), server.url("/repo/")}
    assert f"[updates]: {server.url('/stale/repodata/repomd.xml')} could not be read (does not match" in err


def test_a_section_with_a_baseurl_and_a_metalink_is_read_from_the_metalink_as_dnf_reads_it(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dnf (libdnf's lrHandleInitRemote) uses a section's metalink when it has one, its
    mirrorlist else, its baseurl last. Read baseurl first, the stale repository it names was
    audited and passed, while dnf installs the metalink's Citrix packages."""
    (www / "clean.txt").write_text(server.url("/stale/") + "\n")
    url = write_metalink(www, server, verification(repomd_of(www, "repo"), "sha256"))
    config = tmp_path / "fedora.repo"
    config.write_text(
        f"[with-baseurl]\nbaseurl={server.url('/stale/')}\nmetalink={url}\n\n"
        f"[with-mirrorlist]\nmirrorlist={server.url('/clean.txt')}\nmetalink={url}\n"
    )
    code, document, err = scan(config, tmp_path / "cache", capsys)
    assert code == 1, err
    assert {package["input"] for package in document["packages"]} == {server.url("/repo/")}
    # Not even tried: the metalink's second mirror worked (its stale first one was refused).
    assert server.paths().count("/clean.txt") == 0


def test_a_mirrorlist_whose_url_says_metalink_is_read_as_a_metalink(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``mirrorlist=https://mirrors.fedoraproject.org/metalink?repo=...``, as older Fedora
    .repo files write it: dnf sets it as the metalink too, and checks its mirrors' repomd.xml.
    Read as a list of lines, it named no mirror (exit 3) where dnf reads the repository."""
    write_metalink(www, server, verification(repomd_of(www, "repo"), "sha256"))
    config = tmp_path / "fedora.repo"
    config.write_text(f"[updates]\nmirrorlist={server.url('/metalink.xml')}?repo=updates\n")
    code, document, err = scan(config, tmp_path / "cache", capsys)
    assert code == 1, err
    assert {package["input"] for package in document["packages"]} == {server.url("/repo/")}
    assert "does not match the sha256 checksum its metalink gives" in err


def test_a_baseurl_read_because_the_metalink_could_not_be_is_a_gap(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dnf reads a section's metalink only and fails when it cannot: the baseurl read instead
    is not what dnf installs from once the metalink answers again. The clean verdict on it is
    incomplete (``repository-not-read``), and ``--strict`` fails it."""
    config = tmp_path / "fedora.repo"
    config.write_text(f"[updates]\nbaseurl={server.url('/stale/')}\nmetalink={server.url('/gone.xml')}\n")
    code, document, err = scan(config, tmp_path / "cache", capsys)
    assert code == 0, err
    assert {package["input"] for package in document["packages"]} == {server.url("/stale/")}
    assert document["summary"]["headline"] == "incomplete"
    assert "repository-not-read" in json.dumps(document["completeness"])
    code, _, err = scan(config, tmp_path / "cache", capsys, "--strict")
    assert code != 0 and "repository-not-read" in err


def hash_of(www: Path, repository: str, algorithm: str) -> str:
    return f'<hash type="{algorithm}">{hashlib.new(algorithm, repomd_of(www, repository)).hexdigest()}</hash>'


UNREAD_BY_LIBREPO = {
    "another file's URL": '<files><file name="repomd.xml.asc"><resources>{stale}</resources></file>'
    '<file name="repomd.xml"><resources>{repo}</resources></file></files>',
    "a URL outside <files>": '{stale}<files><file name="repomd.xml"><resources>{repo}</resources></file></files>',
    "a URL in an unknown element": '<files><file name="repomd.xml"><resources><mirrors>{stale}</mirrors>{repo}'
    "</resources></file></files>",
    "a file named on a path": '<files><file name="repodata/repomd.xml"><resources>{stale}</resources></file>'
    '<file name="repomd.xml"><resources>{repo}</resources></file></files>',
    "a hash in an unknown element": '<files><file name="repomd.xml"><verification>{repo_sha256}'
    "<pieces>{stale_sha512}</pieces></verification><resources>{stale}{repo}</resources></file></files>",
}
"""What a metalink holds inside ``<metalink>``, its ``/stale/`` mirror or that mirror's checksum
where librepo does not read it (``metalink.c`` reads the first ``<file name="repomd.xml">`` of
``<files>``, in it only the ``<url>`` of ``<resources>`` and the ``<hash>`` of
``<verification>``): dnf reads ``/repo/``."""


@pytest.mark.parametrize("body", UNREAD_BY_LIBREPO.values(), ids=UNREAD_BY_LIBREPO.keys())
def test_only_what_librepo_reads_of_a_metalink_names_a_mirror_or_vouches_for_one(
    body: str, server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read wherever they lay, a URL or a hash librepo skips made the clean ``/stale/`` mirror
    the one audited: scan --strict passed, exit 0, while dnf installs from ``/repo/``."""
    mirror = {name: f"<url>{server.url(f'/{name}/repodata/repomd.xml')}</url>" for name in ("stale", "repo")}
    body = body.format(
        **mirror, repo_sha256=hash_of(www, "repo", "sha256"), stale_sha512=hash_of(www, "stale", "sha512")
    )
    (www / "metalink.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<metalink version="3.0" xmlns="http://www.metalinker.org/">{body}</metalink>\n'
    )
    config = tmp_path / "fedora.repo"
    config.write_text(f"[updates]\nmetalink={server.url('/metalink.xml')}\n")
    code, document, err = scan(config, tmp_path / "cache", capsys, "--strict")
    assert {package["input"] for package in document["packages"]} == {server.url("/repo/")}, err
    assert code != 0
