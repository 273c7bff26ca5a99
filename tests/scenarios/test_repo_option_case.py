"""Option names in yum's reading of a configuration are read in any case, as yum 3 reads them.

dnf reads option names as written (``Exclude=`` and ``Enabled=`` are no options of its), but
yum 3, XCP-ng 8.x's package manager, reads ``.repo`` files and ``yum.conf`` with iniparse's
``RawConfigParser`` (Python's ``ConfigParser`` without iniparse), whose option names are
case-insensitive: ``Exclude=foo-clean`` hides ``foo-clean`` and ``Enabled=0`` disables the
section on every yum host. The README says the verdict is the worst over a yum host and a
dnf host; reading yum's options as written made ``app`` a non-blocking ``may-depend`` where
every yum host can meet its requirement only with the Citrix package.

``app`` (audited) requires ``foo``; ``foo-clean`` and ``foo-citrix`` both provide it, each in
a repository of its own. The packages are real, built by rpmbuild, the repositories by
createrepo_c; dnf is asked what it sees (both providers), to show the readings differ.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.scenarios.test_repo_excludes import CITRIX, CLEAN, build, dnf_providers


@pytest.fixture(scope="module")
def repositories(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    base = tmp_path_factory.mktemp("option-case")
    audited, clean, citrix, top = base / "audited", base / "clean", base / "citrix", base / "top"
    top.mkdir()
    build(audited, "app", f"{CLEAN}Requires: foo\n", top)
    build(clean, "foo-clean", f"{CLEAN}Provides: foo\n", top)
    build(citrix, "foo-citrix", f"{CITRIX}Provides: foo\n", top)
    for repository in (audited, clean, citrix):
        subprocess.run(["createrepo_c", "-q", str(repository)], check=True)
    return audited, clean, citrix


def write_config(
    directory: Path,
    clean: Path,
    citrix: Path,
    *,
    name: str = "context.repo",
    main_options: str | None = None,
    clean_options: str = "",
    citrix_options: str = "",
) -> Path:
    """``directory``/conf/``name``: the clean section, then the Citrix one, each with its options
    (a ``[main]`` section first when ``main_options`` is given)."""
    (directory / "conf").mkdir()
    config = directory / "conf" / name
    head = "" if main_options is None else f"[main]\n{main_options}\n\n"
    config.write_text(
        f"{head}[clean]\nname=clean\nbaseurl=file://{clean}\ngpgcheck=0\n{clean_options}\n\n"
        f"[citrix]\nname=citrix\nbaseurl=file://{citrix}\ngpgcheck=0\n{citrix_options}"
    )
    return config


def scan(
    audited: Path, config: Path, capsys: pytest.CaptureFixture[str], *more: str
) -> tuple[int, dict[str, Any]]:
    """The exit code and JSON report of ``auditor scan AUDITED --with CONFIG``."""
    capsys.readouterr()
    code = main(["scan", str(audited), "--with", str(config), "--format", "json", "-q", "--no-cache", *more])
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return code, document


def app_status(
    audited: Path, config: Path, capsys: pytest.CaptureFixture[str], *more: str
) -> tuple[str, int]:
    """``app``'s status and the run's exit code."""
    code, document = scan(audited, config, capsys, *more)
    (app,) = [row for row in document["packages"] if row["name"] == "app"]
    return app["status"], code


CASES = [
    ("Exclude in the section", "context.repo", "", "Exclude=foo-clean"),
    ("Enabled=0 on the clean section", "context.repo", "", "Enabled=0"),
    ("Exclude in yum.conf's [main]", "yum.conf", "Exclude=foo-clean", ""),
]


@pytest.mark.parametrize(
    ("name", "main_options", "clean_options"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_an_option_yum_reads_in_any_case_hides_the_clean_provider_on_yum_hosts(
    repositories: tuple[Path, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    main_options: str,
    clean_options: str,
) -> None:
    audited, clean, citrix = repositories
    config = write_config(
        tmp_path, clean, citrix, name=name, main_options=main_options, clean_options=clean_options
    )
    assert dnf_providers(config, tmp_path) == {"foo-clean", "foo-citrix"}  # dnf reads names as written
    assert app_status(audited, config, capsys) == ("depends", 1)


def test_excludepkgs_hides_nothing_on_yum_hosts(
    repositories: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``excludepkgs`` is dnf's name; yum 3's RepoConf and YumConf define ``exclude`` and
    ``includepkgs`` only, and ignore an option they do not define. ``excludepkgs=foo-citrix``
    hides the Citrix provider from dnf alone: every yum host may still install it, so ``app``
    may depend on Citrix (hidden taking it for ``exclude`` made it clean)."""
    audited, clean, citrix = repositories
    config = write_config(tmp_path, clean, citrix, citrix_options="excludepkgs=foo-citrix\n")
    assert dnf_providers(config, tmp_path) == {"foo-clean"}  # dnf reads excludepkgs
    assert app_status(audited, config, capsys, "--fail-on", "origin,depends,may-depend") == ("may-depend", 1)


@pytest.mark.parametrize("value", ["maybe", ""])
def test_a_section_whose_enabled_is_no_boolean_is_skipped_on_yum_hosts(
    repositories: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """dnf says "Invalid configuration value" and keeps the section enabled; yum 3's BoolOption
    refuses the value ("Error parsing config") and skips the whole section with a warning. Its
    clean provider is then on dnf hosts only: a yum host meets ``foo`` with the Citrix one."""
    audited, clean, citrix = repositories
    config = write_config(tmp_path, clean, citrix, clean_options=f"enabled={value}")
    assert dnf_providers(config, tmp_path) == {"foo-clean", "foo-citrix"}
    assert app_status(audited, config, capsys) == ("depends", 1)


def test_a_repository_exclude_hides_whole_is_not_said_to_list_no_package(
    repositories: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The clean repository lists ``foo-clean``; ``exclude=foo-clean`` hides it on every host,
    which a warning says. "The repository's metadata lists no package" beside it was false, and
    sent the user looking at a mirror that is fine."""
    audited, clean, citrix = repositories
    config = write_config(tmp_path, clean, citrix, clean_options="exclude=foo-clean")
    _, document = scan(audited, config, capsys)
    assert any("hidden by exclude=foo-clean" in warning for warning in document["warnings"])
    assert not [warning for warning in document["warnings"] if "lists no package" in warning]


def test_an_inline_comment_after_enabled_keeps_the_section_on_yum_hosts(
    repositories: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """iniparse, which yum 3 reads with, ends an option's value at a ``;`` after white space:
    ``enabled=1 ; ours`` is ``1``, and the clean section is enabled on yum hosts as on dnf's
    (which drops the comment too), so ``app`` may depend on Citrix, no more."""
    audited, clean, citrix = repositories
    config = write_config(tmp_path, clean, citrix, clean_options="enabled=1 ; ours")
    assert dnf_providers(config, tmp_path) == {"foo-clean", "foo-citrix"}
    assert app_status(audited, config, capsys) == ("may-depend", 0)
