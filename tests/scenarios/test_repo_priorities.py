"""Repositories of different ``priority``: the auditor does not work out dnf's choice, and says so.

``app`` (audited) requires ``foo``; the context configuration enables a repository holding a
Citrix ``foo-citrix`` at ``priority=1`` and one holding a clean ``foo-clean`` at dnf's default
99, both providing ``foo``. dnf (libsolv) considers only the providers of the best priority:
installing ``app`` installs ``foo-citrix``. The auditor counts both providers, so ``app`` is
``may-depend`` (which does not block): a clean verdict where dnf always installs the Citrix
package. Until priorities are modelled the run says what it did not work out (the gap
``priority-not-modelled``, which ``--strict`` fails). dnf is the authority on what it installs
(``dnf install --assumeno app`` in an empty installroot); the packages are real, built by
rpmbuild, the repositories by createrepo_c.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.scenarios.test_repo_excludes import CITRIX, CLEAN, build


@pytest.fixture(scope="module")
def repositories(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The audited repository (``app``), and a Citrix and a clean one providing ``foo``."""
    base = tmp_path_factory.mktemp("priorities")
    audited, citrix, clean, top = base / "audited", base / "citrix", base / "clean", base / "top"
    top.mkdir()
    build(audited, "app", f"{CLEAN}Requires: foo\n", top)
    build(citrix, "foo-citrix", f"{CITRIX}Provides: foo\n", top)
    build(clean, "foo-clean", f"{CLEAN}Provides: foo\n", top)
    for repository in (audited, citrix, clean):
        subprocess.run(["createrepo_c", "-q", str(repository)], check=True)
    return audited, citrix, clean


def context(where: Path, citrix: Path, clean: Path, priority: int) -> Path:
    (where / "conf").mkdir()
    path = where / "conf" / "context.repo"
    path.write_text(
        f"[citrix]\nname=c\nbaseurl=file://{citrix}\ngpgcheck=0\npriority={priority}\n\n"
        f"[clean]\nname=k\nbaseurl=file://{clean}\ngpgcheck=0\n"
    )
    return path


def dnf_installs(config: Path, audited: Path, where: Path) -> str:
    """What ``dnf install app`` would install, with ``config``'s repositories and the audited one."""
    assert shutil.which("dnf"), "dnf is the authority here: install dnf"
    (config.parent / "audited.repo").write_text(f"[audited]\nname=a\nbaseurl=file://{audited}\ngpgcheck=0\n")
    (where / "empty.conf").write_text("[main]\n")
    command = ["dnf", f"--config={where / 'empty.conf'}", f"--setopt=reposdir={config.parent}"]
    command += ["--releasever=8", f"--installroot={where / 'root'}", f"--setopt=cachedir={where / 'cache'}"]
    command += ["install", "--assumeno", "app"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    (config.parent / "audited.repo").unlink()
    assert "Installing" in done.stdout, done.stdout + done.stderr
    return done.stdout


def scan(
    audited: Path, config: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["scan", str(audited), "--with", str(config), "--format", "json", "-q", "--no-cache", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_repositories_of_different_priorities_are_a_gap(
    repositories: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audited, citrix, clean = repositories
    config = context(tmp_path, citrix, clean, 1)
    installed = dnf_installs(config, audited, tmp_path)
    assert "foo-citrix" in installed and "foo-clean" not in installed
    code, document = scan(audited, config, capsys)
    app = next(p for p in document["packages"] if p["name"] == "app")
    assert app["status"] == "may-depend"  # not what dnf does: said by the gap
    [gap] = [g for g in document["completeness"]["gaps"] if g["rule"] == "gap:priority-not-modelled"]
    assert f"1 ({config} [citrix]), 99 ({config} [clean])" in gap["capability"]
    assert code == 0 and document["summary"]["headline"] != "passed"
    assert scan(audited, config, capsys, "--strict")[0] == 3


def test_repositories_of_one_priority_are_no_gap(
    repositories: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audited, citrix, clean = repositories
    config = context(tmp_path, citrix, clean, 99)
    code, document = scan(audited, config, capsys)
    reasons = {item["reason"] for item in document["completeness"]["reasons"]}
    assert code == 0 and reasons == {"source-not-audited"}  # no source packages in these repositories


@pytest.mark.parametrize("written", ["1.0", "1 # the best first", "0000000001", "1e3"])
def test_a_priority_is_the_number_dnf_reads_it_as(
    repositories: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str
) -> None:
    """libdnf reads ``priority`` as ``istringstream >> int`` does: the number the value starts
    with. ``priority=1.0`` on the clean repository makes dnf install ``foo-clean`` (the Citrix
    one without it), so it is 1 to dnf; read as no number (99, dnf's default), the repositories
    were of one priority and the gap was not said: on the Citrix repository, a may-depend where
    dnf always installs the Citrix package, passing --strict."""
    audited, citrix, clean = repositories
    (tmp_path / "conf").mkdir()
    config = tmp_path / "conf" / "context.repo"
    config.write_text(
        f"[citrix]\nname=c\nbaseurl=file://{citrix}\ngpgcheck=0\n\n"
        f"[clean]\nname=k\nbaseurl=file://{clean}\ngpgcheck=0\npriority={written}\n"
    )
    installed = dnf_installs(config, audited, tmp_path)
    assert "foo-clean" in installed and "foo-citrix" not in installed
    _code, document = scan(audited, config, capsys)
    [gap] = [g for g in document["completeness"]["gaps"] if g["rule"] == "gap:priority-not-modelled"]
    assert f"1 ({config} [clean]), 99 ({config} [citrix])" in gap["capability"]
    config.write_text(  # the priority on the Citrix repository: the gap fails --strict
        f"[citrix]\nname=c\nbaseurl=file://{citrix}\ngpgcheck=0\npriority={written}\n\n"
        f"[clean]\nname=k\nbaseurl=file://{clean}\ngpgcheck=0\n"
    )
    assert scan(audited, config, capsys, "--strict")[0] == 3


@pytest.mark.parametrize("audited_as", ["a configuration", "a directory"])
def test_priorities_are_judged_over_the_audited_inputs_and_the_context_together(
    repositories: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], audited_as: str
) -> None:
    """The audited repository holds ``app`` and the clean ``foo-clean`` at dnf's default 99 (its
    section's, or as a directory, the one a repository configured with none has); the context's
    only section holds the Citrix one at priority 1: dnf installs ``foo-citrix``. Each side was
    of one priority alone, so the gap was not said: may-depend, passing --strict."""
    audited, citrix, clean = repositories
    release = tmp_path / "release"
    release.mkdir()
    for rpm in [*audited.glob("*.rpm"), *clean.glob("*.rpm")]:
        shutil.copy(rpm, release)
    subprocess.run(["createrepo_c", "-q", str(release)], check=True)
    (tmp_path / "conf").mkdir()
    config = tmp_path / "conf" / "context.repo"
    config.write_text(f"[citrix]\nname=c\nbaseurl=file://{citrix}\ngpgcheck=0\npriority=1\n")
    installed = dnf_installs(config, release, tmp_path)
    assert "foo-citrix" in installed and "foo-clean" not in installed
    target = release
    if audited_as == "a configuration":
        target = tmp_path / "release.repo"
        target.write_text(f"[release]\nname=r\nbaseurl=file://{release}\ngpgcheck=0\n")
    _code, document = scan(target, config, capsys)
    [gap] = [g for g in document["completeness"]["gaps"] if g["rule"] == "gap:priority-not-modelled"]
    assert f"1 ({config} [citrix]), 99 ({target}" in gap["capability"]
    assert scan(target, config, capsys, "--strict")[0] == 3
