"""A section with an option value yum 3 cannot parse is skipped whole on yum hosts (XCP-ng 8.x).

yum 3's ``readRepoConfig`` populates a ``RepoConf`` from every option of a section; an option
whose parser raises (``cost=abc``: ``IntOption``; ``gpgcheck=2``: ``BoolOption``; a URL of a
scheme it does not fetch: ``UrlOption``...) makes ``getReposFromConfigFile`` log "Error parsing
config" and skip the section, so no yum host reads its repository. dnf 4 warns about the value
and reads the repository all the same (held to ``dnf repolist`` below). Such a repository is on
some hosts only: a clean provider in it is no way around a Citrix one, which yum hosts install.

The auditor read the section as enabled on both, so ``alt``, whose ``BuildRequires: tool`` only
Citrix's ``cx-tool`` meets on yum hosts, was `may-depend`, nothing blocking, exit 0.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.deps.built import build_repository
from tests.scenarios.test_main_enabled import PACKAGES, dnf_enabled


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Repositories ``clean`` (``own-tool``) and ``xs`` (``cx-tool``), and ``alt``'s source package."""
    top = tmp_path_factory.mktemp("yum-refused")
    for name, wanted in (("clean", "own-tool"), ("xs", "cx-tool")):
        built = build_repository([p for p in PACKAGES if p["name"] == wanted], top / f"build-{name}")
        (top / name).mkdir()
        for rpm in built.rglob("*.rpm"):
            shutil.copy(rpm, top / name)
        subprocess.run(["createrepo_c", "-q", str(top / name)], check=True)
    build_repository([p for p in PACKAGES if p["name"] == "alt"], top / "alt")
    return top


def _config(top: Path, clean_options: str, *, before: str = "", xs_options: str = "") -> Path:
    """A ``dnf.conf`` whose ``reposdir`` holds one file: ``before``, then ``[clean]``, with
    ``clean_options``, and ``[xs]``, with ``xs_options``."""
    where = top / f"conf-{len(list(top.glob('conf-*')))}"
    where.mkdir()
    (where / "host.repo").write_text(
        f"{before}[clean]\nname=clean\nbaseurl=file://{top / 'clean'}\n{clean_options}gpgcheck=0\n\n"
        f"[xs]\nname=xs\nbaseurl=file://{top / 'xs'}\n{xs_options}gpgcheck=0\n"
    )
    config = where / "dnf.conf"
    config.write_text(f"[main]\ngpgcheck=0\nreposdir={where}\ncachedir={top / 'cache'}\n")
    return config


def _audit(top: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, list[str]]:
    capsys.readouterr()
    source = next((top / "alt" / "SRPMS").glob("alt-*.src.rpm"))
    code = main(["scan", str(source), "--with", str(config), "--format", "json", "-q", "--no-cache"])
    document = json.loads(capsys.readouterr().out)
    # The source package's row: its binaries, which its spec builds, are audited with it.
    (row,) = [row for row in document["packages"] if row["arch"] == "src"]
    return code, row["status"], document.get("warnings", [])


# Each value yum 3.4.3's parser for that option refuses (yum/config.py), with the error it gives.
REFUSED = [
    ("cost=abc\n", "invalid integer value"),
    ("cost=1_000\n", "invalid integer value"),  # Python 3 reads it; yum's Python 2 does not
    ("skip_if_unavailable=on\n", "invalid boolean value"),
    ("sslverify=\n", "invalid boolean value"),
    ("repo_gpgcheck=2\n", "invalid boolean value"),
    ("metadata_expire=1y\n", "unknown unit"),
    ("metadata_expire=-5\n", "may not be negative"),
    ("mirrorlist_expire=\n", "no value specified"),
    ("timeout=fast\n", "invalid float value"),
    ("ip_resolve=7\n", "not an allowed value"),
    ("http_caching=ALL\n", "not an allowed value"),
    ("retries=-1\n", "out of range"),
    ("bandwidth=1Mb\n", "unknown unit"),
    ("throttle=150%\n", "out of range"),
    ("deltarpm_percentage=101\n", "out of range"),
    ("compare_providers_priority=0\n", "out of range"),
    ("mirrorlist=\n", "URL must be"),
    ("proxy=rsync://proxy.example\n", "URL must be"),
    ("gpgkey=/etc/pki/rpm-gpg/KEY\n", "URL must be"),
    ("gpgkey=file:///etc/pki/a 'file:///etc/pki/b\n", "No closing quotation"),
    ("cost=12\n  34\n", "invalid integer value"),  # a continuation line is part of the value
    ("enabled=1\n  yes\n", "invalid boolean value"),
    # iniparse keeps an indented comment line as a line of the value; configparser drops it
    ("enabled=1\n  # why\n", "invalid boolean value"),
    ("cost=5\n\t; cheap\n", "invalid integer value"),
]


@pytest.mark.parametrize(("options", "error"), REFUSED)
def test_a_section_yum_refuses_is_on_some_hosts_only(
    host: Path, capsys: pytest.CaptureFixture[str], options: str, error: str
) -> None:
    config = _config(host, options)
    assert dnf_enabled(config) == {"clean", "xs"}
    code, status, warnings = _audit(host, config, capsys)
    assert (code, status) == (1, "build-depends")
    said = [line for line in warnings if "[clean]" in line and "yum 3" in line]
    assert said and error in said[0], warnings


ACCEPTED = [
    "cost=500\n",
    "cost= +7 ; cheap\n",
    "skip_if_unavailable=True\n",
    "metadata_expire=6h\n",
    "metadata_expire=never\n",
    "metadata_expire=1.5d\n",
    "timeout=30.5\n",
    "ip_resolve=4\n",
    "ip_resolve=IPv6\n",
    "retries=<forever>\n",
    "bandwidth=1.5M\n",
    "throttle=50%\n",
    "proxy=_none_\n",
    "proxy=libproxy\n",
    "proxy=socks5h://proxy.example:1080\n",
    "gpgkey=file:///etc/pki/a,HTTPS://keys.example/b\n",
    "baseurl2=anything\n",  # no option of yum's: ignored
    "metadata_expire_filter=read-only:past\n",
    "mdpolicy=group:all\n",
    "name=x\n  more words\n",
]


@pytest.mark.parametrize("options", ACCEPTED)
def test_a_section_yum_parses_is_a_way_around(
    host: Path, capsys: pytest.CaptureFixture[str], options: str
) -> None:
    config = _config(host, options)
    code, status, warnings = _audit(host, config, capsys)
    assert (code, status) == (0, "may-depend"), warnings
    assert not [line for line in warnings if "[clean]" in line and "yum 3" in line], warnings


@pytest.mark.parametrize(
    ("default", "status", "code"),
    [
        ("[DEFAULT]\nenabled=0\n", "build-depends", 1),
        ("[DEFAULT]\nexclude=own-*\n", "build-depends", 1),
        ("[DEFAULT]\ncost=abc\n", "build-depends", 1),
        # iniparse's defaults are [DEFAULT] in that case only: these are sections of their own, with no URL
        ("[default]\nenabled=0\n", "may-depend", 0),
        ("[Default]\nexclude=own-*\n", "may-depend", 0),
    ],
)
def test_a_default_section_gives_its_options_to_every_section_yum_reads(
    host: Path, capsys: pytest.CaptureFixture[str], default: str, status: str, code: int
) -> None:
    """yum 3 reads a ``.repo`` file with iniparse's ``ConfigParser``, to which ``[DEFAULT]``
    holds the defaults of every other section: ``enabled=0`` there disables ``[clean]``, which
    sets no ``enabled`` of its own, and ``exclude`` there hides its packages, on yum hosts.
    libdnf has no such section: to dnf it is one more section, which names no repository."""
    config = _config(host, "", before=f"{default}\n", xs_options="enabled=1\ncost=1\nexclude=\n")
    assert {"clean", "xs"} <= dnf_enabled(config)  # and [DEFAULT], a repository with no URL, when enabled
    found, said, _ = _audit(host, config, capsys)
    assert (found, said) == (code, status)
