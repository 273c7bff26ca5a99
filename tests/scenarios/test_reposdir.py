"""A main configuration's ``reposdir`` is read as dnf reads it: its ``.repo`` files count.

``dnf --config dnf.conf`` reads the repositories of the directories ``[main] reposdir`` names
besides the file's own sections. Reading the file's sections alone left out what those
``.repo`` files configure: here a repository holding a Citrix package, which dnf (the
authority: ``dnf repoquery``) lists. The packages are built by rpmbuild, the repositories by
createrepo_c.
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


@pytest.fixture
def configuration(tmp_path: Path) -> Path:
    """``dnf.conf``: ``[os]`` (a clean package) and ``reposdir=repos.d``, whose ``xs.repo``
    configures a repository with a Citrix package."""
    top = tmp_path / "top"
    top.mkdir()
    build(tmp_path / "os", "base", CLEAN, top)
    build(tmp_path / "xs", "foo-citrix", CITRIX, top)
    for name in ("os", "xs"):
        subprocess.run(["createrepo_c", "-q", str(tmp_path / name)], check=True)
    (tmp_path / "repos.d").mkdir()
    (tmp_path / "repos.d" / "xs.repo").write_text(
        f"[xs]\nname=xs\nbaseurl=file://{tmp_path / 'xs'}\ngpgcheck=0\n"
    )
    config = tmp_path / "dnf.conf"
    config.write_text(
        f"[main]\ngpgcheck=0\nreposdir={tmp_path / 'repos.d'}\n\n"
        f"[os]\nname=os\nbaseurl=file://{tmp_path / 'os'}\ngpgcheck=0\n"
    )
    return config


def dnf_packages(config: Path, where: Path) -> set[str]:
    assert shutil.which("dnf"), "dnf is the authority here: install dnf and dnf-plugins-core"
    command = ["dnf", "-q", f"--config={config}", "--releasever=8", f"--installroot={where / 'root'}"]
    command += [f"--setopt=cachedir={where / 'cache'}", "repoquery", "--qf", "%{name}.%{arch}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["scan", *args, "--format", "json", "-q", "--no-cache"])
    return code, json.loads(capsys.readouterr().out)


def test_the_repositories_of_a_reposdir_are_read(
    configuration: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert dnf_packages(configuration, tmp_path) == {"base.noarch", "foo-citrix.noarch"}
    code, document = scan([str(configuration)], capsys)
    statuses = {(row["name"], row["status"]) for row in document["packages"] if row["arch"] != "src"}
    assert statuses == {("base", "clean"), ("foo-citrix", "origin")} and code == 1


def test_a_repo_file_named_and_in_the_reposdir_is_read_once(
    configuration: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _code, document = scan([str(configuration), str(tmp_path / "repos.d" / "xs.repo")], capsys)
    names = [row["name"] for row in document["packages"] if row["arch"] != "src"]
    assert sorted(names) == ["base", "foo-citrix"]


def test_a_reposdir_that_cannot_be_read_is_a_gap(
    configuration: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(tmp_path / "repos.d")
    _code, document = scan([str(configuration)], capsys)
    assert "empty-input" in {reason["reason"] for reason in document["completeness"]["reasons"]}


def test_the_main_exclude_applies_to_the_repositories_of_its_reposdir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dnf applies ``[main] exclude`` to every repository, those of its reposdir included: the
    excluded clean ``foo`` is no alternative to the Citrix one (``app`` depends on it)."""
    top = tmp_path / "top"
    top.mkdir()
    build(tmp_path / "audited", "app", f"{CLEAN}Requires: foo\n", top)
    build(tmp_path / "ctx", "foo-clean", f"{CLEAN}Provides: foo\n", top)
    build(tmp_path / "ctx", "foo-citrix", f"{CITRIX}Provides: foo\n", top)
    for name in ("audited", "ctx"):
        subprocess.run(["createrepo_c", "-q", str(tmp_path / name)], check=True)
    (tmp_path / "repos.d").mkdir()
    (tmp_path / "repos.d" / "ctx.repo").write_text(f"[ctx]\nname=ctx\nbaseurl=file://{tmp_path / 'ctx'}\n")
    config = tmp_path / "dnf.conf"
    config.write_text(f"[main]\ngpgcheck=0\nexclude=foo-clean\nreposdir={tmp_path / 'repos.d'}\n")
    assert dnf_packages(config, tmp_path) == {"foo-citrix.noarch"}
    code, document = scan([str(tmp_path / "audited"), "--with", str(config)], capsys)
    (app,) = [row for row in document["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("depends", 1)


def test_a_nul_in_a_local_name_is_one_input_error_beside_what_was_read(
    configuration: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``%00`` in a ``file:`` baseurl, or a NUL in ``reposdir``, reached os functions, which raise
    ValueError, not OSError: exit 4 and nothing reported. Each is now said of its section or
    directory, and the packages of the other repositories are still audited."""
    reposdir = f"reposdir={tmp_path / 'repos.d'}\n"
    text = configuration.read_text().replace(reposdir, reposdir.replace("\n", " a\0b\n"))
    configuration.write_text(text + "\n[nul]\nname=nul\nbaseurl=file:///srv/re%00po\ngpgcheck=0\n")
    capsys.readouterr()
    code = main(["scan", str(configuration), "--format", "json", "-q", "--no-cache"])
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    said = [line for line in captured.err.splitlines() if line.startswith("auditor: error:")]
    assert code == 3 and said == [
        f"auditor: error: {configuration} [nul]: no repository could be read; "
        "last: file:///srv/re%00po: the name holds a NUL character"
    ]
    statuses = {(row["name"], row["status"]) for row in document["packages"] if row["arch"] != "src"}
    assert statuses == {("base", "clean"), ("foo-citrix", "origin")}
    assert [w for w in document["warnings"] if "reposdir=a" in w and "not read: the name holds a NUL" in w]


def test_a_reposdir_file_whose_sections_are_all_disabled_is_no_gap(
    configuration: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Red team 18: ``/etc/yum.repos.d`` holds files whose every section is disabled (a vault, a
    testing repository): dnf reads nothing from them, and so does the auditor, without calling
    the audit incomplete; a configuration named as an input that reads nothing still is."""
    disabled = tmp_path / "repos.d" / "vault.repo"
    disabled.write_text(f"[vault]\nname=vault\nbaseurl=file://{tmp_path / 'os'}\nenabled=0\n")
    assert dnf_packages(configuration, tmp_path) == {"base.noarch", "foo-citrix.noarch"}
    _code, document = scan([str(configuration)], capsys)
    assert "empty-input" not in {reason["reason"] for reason in document["completeness"]["reasons"]}
    _code, named = scan([str(configuration), str(disabled)], capsys)
    # Named as an input, it is read once (it is the reposdir's too) and said already read.
    assert "empty-input" not in {reason["reason"] for reason in named["completeness"]["reasons"]}
    _code, alone = scan([str(disabled)], capsys)
    assert {reason["reason"] for reason in alone["completeness"]["reasons"]} >= {"empty-input"}


def test_a_main_configuration_with_no_reposdir_says_the_host_s_default_directories_are_unseen(
    configuration: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no ``reposdir=``, dnf reads the host's ``/etc/yum.repos.d`` (and its other default
    directories) beside the file's own sections; the auditor reads no directory of the machine
    it runs on, so the repositories configured there are unseen: a gap, unless ``.repo`` files
    are named too (the host's, given as inputs). An empty ``reposdir=`` reads none, as dnf does."""
    for text, named, unseen in (
        (configuration.read_text().replace(f"reposdir={tmp_path / 'repos.d'}\n", ""), [], True),
        (configuration.read_text().replace(f"reposdir={tmp_path / 'repos.d'}\n", ""),
         [str(tmp_path / "repos.d" / "xs.repo")], False),
        (configuration.read_text().replace(f"reposdir={tmp_path / 'repos.d'}", "reposdir="), [], False),
    ):  # fmt: skip
        configuration.write_text(text)
        _code, document = scan([str(configuration), *named], capsys)
        reasons = {reason["reason"] for reason in document["completeness"]["reasons"]}
        said = any("no reposdir=" in gap["text"] for gap in document["completeness"]["gaps"])
        assert ("empty-input" in reasons and said) is unseen, (text, named)
