"""The mirrors a mirrorlist, a metalink or a ``baseurl`` names are read as librepo reads them
for dnf, and a URL curl refuses is one dnf cannot read.

Each configuration lists a clean repository first, in a way dnf does not read (or cannot:
curl refuses a URL holding a space or a control character), and the vendor's, which holds a
Citrix package, second. Read with Python's ``splitlines``, ``strip`` and ``urlsplit`` (which
drops a tab, CR or LF from a URL), the clean one was the one audited and ``scan`` passed, exit
0, while dnf installs from the vendor's. dnf is the authority (``dnf repoquery`` over the same
configuration); the packages are built by rpmbuild, the repositories by createrepo_c.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.scenarios.test_repo_excludes import CITRIX, CLEAN, build

MIRRORLISTS = {
    "a comment holding a U+001C": b"# an old mirror\x1c{clean}\n{vendor}\n",
    "a comment holding a U+2028": "# an old mirror\u2028{clean}\n{vendor}\n".encode(),
    "a no-break space before the URL": b"\xc2\xa0{clean}\n{vendor}\n",
    "a file: URL without //": b"file:{clean_path}\n{vendor}\n",
    "a space in the URL": b"{clean_spaced}\n{vendor}\n",
}
"""Mirrorlists whose clean mirror dnf does not read or cannot (librepo's
``lr_mirrorlist_parse_file`` splits at new lines only, strips spaces and tabs only, and takes a
line for a URL only if it holds ``://``)."""


def clean_and_vendor(base: Path, *createrepo_options: str) -> tuple[Path, Path]:
    """``base``/clean (``base``) and ``base``/vendor (``base`` and Citrix's ``agent``), built
    with rpmbuild, each with createrepo_c's metadata."""
    (base / "top").mkdir()
    build(base / "clean", "base", CLEAN, base / "top")
    build(base / "vendor", "base", CLEAN, base / "top")
    build(base / "vendor", "agent", CITRIX, base / "top")
    for name in ("clean", "vendor"):
        subprocess.run(["createrepo_c", "-q", *createrepo_options, str(base / name)], check=True)
    return base / "clean", base / "vendor"


@pytest.fixture(scope="module")
def repositories(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The clean repository (``base``) and the vendor's (``base`` and ``agent``), as file URLs,
    and the clean one again in a directory whose name holds a space."""
    base = tmp_path_factory.mktemp("mirrors")
    clean_and_vendor(base)
    shutil.copytree(base / "clean", base / "clean copy")
    return {
        "clean": f"file://{base / 'clean'}/",
        "clean_path": f"{base / 'clean'}/",
        "clean_spaced": f"file://{base / 'clean copy'}/",
        "vendor": f"file://{base / 'vendor'}/",
    }


def dnf_names(config: Path, work: Path) -> set[str]:
    assert shutil.which("dnf"), "dnf is the authority here: install dnf and dnf-plugins-core"
    work.mkdir()
    (work / "main.conf").write_text("[main]\n")
    command = [
        "dnf",
        "-q",
        f"--config={work / 'main.conf'}",
        "--releasever=8",
        f"--installroot={work / 'root'}",
    ]
    command += [f"--setopt=reposdir={config.parent}", f"--setopt=cachedir={work / 'cache'}"]
    command += ["repoquery", "--qf", "%{name}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def audited_names(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, set[str], str]:
    capsys.readouterr()
    code = main(["scan", str(config), "--format", "json", "--no-cache"])
    captured = capsys.readouterr()
    return code, {row["name"] for row in json.loads(captured.out)["packages"]}, captured.err


def configuration(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "repos" / "os.repo"
    config.parent.mkdir()
    config.write_text(f"[os]\nname=os\n{text}gpgcheck=0\n")
    return config


def mirrorlist_configuration(listing: bytes, repositories: dict[str, str], tmp_path: Path) -> Path:
    """A configuration whose mirrorlist is ``listing``, its ``{name}`` placeholders the repositories' URLs."""
    mirrors = tmp_path / "mirrors.txt"
    text = listing.decode()
    for name, url in repositories.items():
        text = text.replace(f"{{{name}}}", url)
    mirrors.write_bytes(text.encode())
    return configuration(tmp_path, f"mirrorlist=file://{mirrors}\n")


@pytest.mark.parametrize("listing", MIRRORLISTS.values(), ids=MIRRORLISTS.keys())
def test_a_mirrorlist_names_the_mirrors_dnf_reads(
    listing: bytes, repositories: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = mirrorlist_configuration(listing, repositories, tmp_path)
    assert dnf_names(config, tmp_path / "dnf") == {"base", "agent"}
    code, names, err = audited_names(config, capsys)
    assert (code, names) == (1, {"base", "agent"}), err


READ_OTHERWISE_BY_YUM = {
    # librepo reads a line 4095 bytes at a time (fgets): the end of a longer comment is a mirror.
    "a line librepo reads in two": (b"#" + b"x" * 4094 + b"{vendor}\n{clean}\n", {"base", "agent"}),
    # curl refuses the CR of a CR LF line end; yum 3 strips it (rstrip).
    "a line ending in CR LF": (b"{clean}\r\n{vendor}\n", {"base", "agent"}),
    # librepo strips the spaces before a URL; yum 3 takes a line for a mirror from its first byte.
    "a space before the URL": (b"  {clean}\n{vendor}\n", {"base"}),
}
"""Mirrorlists dnf (librepo) and yum 3 (``_readMirrorList``: whole lines matching
``\\w+://\\S+\\s*$``) read different mirrors from, and what dnf reads of each."""


@pytest.mark.parametrize("case", READ_OTHERWISE_BY_YUM.values(), ids=READ_OTHERWISE_BY_YUM.keys())
def test_a_mirrorlist_yum_3_reads_otherwise_is_refused(
    case: tuple[bytes, set[str]],
    repositories: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    listing, read_by_dnf = case
    config = mirrorlist_configuration(listing, repositories, tmp_path)
    assert dnf_names(config, tmp_path / "dnf") == read_by_dnf
    code, _names, err = audited_names(config, capsys)
    assert code == 3
    assert "dnf and yum 3 read its mirrors otherwise (mirror 1: " in err, err


def test_a_baseurl_holding_a_tab_is_one_dnf_cannot_read(
    repositories: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dnf splits a baseurl at spaces, commas and new lines: a tab stays in the URL, which curl
    refuses; urlsplit dropped it, and read the clean repository dnf never reads."""
    clean = repositories["clean"].replace("/clean/", "/cl\tean/")
    config = configuration(tmp_path, f"baseurl={clean}\n  {repositories['vendor']}\n")
    assert dnf_names(config, tmp_path / "dnf") == {"base", "agent"}
    code, names, err = audited_names(config, capsys)
    assert (code, names) == (1, {"base", "agent"}), err
    assert "which curl refuses in a URL: dnf goes on to the next" in err


def test_a_metalink_url_is_its_text_as_written(
    repositories: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """librepo takes a metalink's ``<url>`` text as it is, white space around it included: a
    URL curl refuses. Stripped, it was the clean mirror the audit read."""
    urls = "".join(
        f"<url>{before}{repositories[name]}repodata/repomd.xml{before}</url>"
        for name, before in (("clean", "\n  "), ("vendor", ""))
    )
    metalink = tmp_path / "metalink.xml"
    metalink.write_text(
        '<?xml version="1.0"?><metalink version="3.0" xmlns="http://www.metalinker.org/"><files>'
        f'<file name="repomd.xml"><resources>{urls}</resources></file></files></metalink>\n'
    )
    config = configuration(tmp_path, f"metalink=file://{metalink}\n")
    assert dnf_names(config, tmp_path / "dnf") == {"base", "agent"}
    code, names, err = audited_names(config, capsys)
    assert (code, names) == (1, {"base", "agent"}), err
