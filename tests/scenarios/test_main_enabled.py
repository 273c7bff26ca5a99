"""``[main] enabled=0`` disables every repository that does not enable itself, as dnf and yum read it.

libdnf's ``ConfigRepo`` takes ``enabled`` as an ``OptionChild`` of ``[main]``'s, and yum 3's
``RepoConf`` as ``Inherit(YumConf.enabled)``: a ``dnf.conf`` (or ``yum.conf``) whose ``[main]``
says ``enabled=0`` leaves a section with no ``enabled=`` of its own disabled. The auditor read
such a section as enabled, so a clean provider dnf never sees stood beside Citrix's: ``alt``,
whose ``BuildRequires: tool`` only Citrix's ``cx-tool`` meets on that host, was `may-depend`,
nothing blocking, exit 0, where ``dnf builddep alt`` must install ``cx-tool``. dnf itself
(``dnf repolist --all``) is the authority on what is enabled.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository

PACKAGES: list[dict[str, Any]] = [
    {"name": "cx-tool", "provides": ["tool"], **CITRIX},
    {"name": "own-tool", "provides": ["tool"]},
    {"name": "alt", "buildrequires": ["tool"]},
]


def _repository(top: Path, name: str, wanted: set[str]) -> Path:
    """A repository holding the binaries of ``wanted``, made by createrepo_c."""
    built = build_repository([p for p in PACKAGES if p["name"] in wanted], top / f"build-{name}")
    repository = top / name
    repository.mkdir()
    for rpm in built.rglob("*.rpm"):
        shutil.copy(rpm, repository)
    subprocess.run(["createrepo_c", "-q", str(repository)], check=True)
    return repository


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A host: ``[clean]`` (``own-tool``) enables nothing itself, ``[xs]`` (``cx-tool``) does;
    and ``alt``'s source package to audit against it."""
    top = tmp_path_factory.mktemp("main-enabled")
    _repository(top, "clean", {"own-tool"})
    _repository(top, "xs", {"cx-tool"})
    build_repository([p for p in PACKAGES if p["name"] == "alt"], top / "alt")
    return top


def _main(top: Path, name: str, enabled: str, clean_enabled: str) -> Path:
    """``name`` (a main configuration) with ``enabled`` in its ``[main]``, and a ``reposdir`` of
    one file: ``[clean]``, with ``clean_enabled``, and ``[xs]``, enabled."""
    where = top / f"{name}-{len(list(top.glob('*.d')))}.d"
    where.mkdir()
    (where / "host.repo").write_text(
        f"[clean]\nname=clean\n{clean_enabled}baseurl=file://{top / 'clean'}\ngpgcheck=0\n\n"
        f"[xs]\nname=xs\nbaseurl=file://{top / 'xs'}\nenabled=1\ngpgcheck=0\n"
    )
    config = where / name
    config.write_text(f"[main]\n{enabled}gpgcheck=0\nreposdir={where}\ncachedir={top / 'cache'}\n")
    return config


def dnf_enabled(config: Path) -> set[str]:
    assert shutil.which("dnf"), "dnf is the authority here: install dnf"
    command = ["dnf", "-q", "--noplugins", f"--config={config}", "--releasever=8", "repolist", "--enabled"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return {line.split()[0] for line in done.stdout.splitlines()[1:] if line.strip()}


def alt_status(top: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    source = next((top / "alt" / "SRPMS").glob("alt-*.src.rpm"))
    code = main(["scan", str(source), "--with", str(config), "--format", "json", "-q", "--no-cache"])
    document = json.loads(capsys.readouterr().out)
    # The source package's row: its binaries, which its spec builds, are audited with it.
    (row,) = [row for row in document["packages"] if row["arch"] == "src"]
    return code, row["status"]


@pytest.mark.parametrize(
    ("name", "enabled", "clean_enabled", "dnf_sees", "status", "code"),
    [
        ("dnf.conf", "enabled=0\n", "", {"xs"}, "build-depends", 1),
        ("yum.conf", "enabled=no\n", "", {"xs"}, "build-depends", 1),
        # A value dnf refuses leaves the option unset: [main]'s again (yum skips the section).
        ("dnf.conf", "enabled=0\n", "enabled=maybe\n", {"xs"}, "build-depends", 1),
        ("dnf.conf", "enabled=0\n", "enabled=1\n", {"clean", "xs"}, "may-depend", 0),
        ("dnf.conf", "", "", {"clean", "xs"}, "may-depend", 0),
        ("dnf.conf", "enabled=1\n", "", {"clean", "xs"}, "may-depend", 0),
    ],
)
def test_a_section_inherits_main_s_enabled(
    host: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    enabled: str,
    clean_enabled: str,
    dnf_sees: set[str],
    status: str,
    code: int,
) -> None:
    config = _main(host, name, enabled, clean_enabled)
    assert dnf_enabled(config) == dnf_sees
    assert alt_status(host, config, capsys) == (code, status)


@pytest.mark.parametrize("repo_first", [True, False])
def test_a_repo_file_given_beside_its_main_configuration_is_read_under_it(
    host: Path, capsys: pytest.CaptureFixture[str], repo_first: bool
) -> None:
    """``--with host.repo --with dnf.conf``, whose ``reposdir`` holds ``host.repo``: dnf reads the
    file under that ``[main]``, and so must the auditor, whatever the order the two are given in
    (the file read alone first, then skipped as read, left ``[clean]`` enabled)."""
    config = _main(host, "dnf.conf", "enabled=0\n", "")
    repo = config.parent / "host.repo"
    given = [str(repo), str(config)] if repo_first else [str(config), str(repo)]
    capsys.readouterr()
    source = next((host / "alt" / "SRPMS").glob("alt-*.src.rpm"))
    with_options = [item for path in given for item in ("--with", path)]
    code = main(["scan", str(source), *with_options, "--format", "json", "-q", "--no-cache"])
    (row,) = [row for row in json.loads(capsys.readouterr().out)["packages"] if row["arch"] == "src"]
    assert (code, row["status"]) == (1, "build-depends")
