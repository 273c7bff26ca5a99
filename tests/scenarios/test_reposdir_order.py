"""The ``.repo`` files of a main configuration's ``reposdir`` are the ones dnf reads, in its order.

dnf globs ``*.repo`` in each reposdir (a name starting with ``.`` is none) and sorts the files
of all of them together by their path without ``.repo``, split into components: ``a.repo``
before ``a-b.repo``, where sorting the names puts ``-`` before ``.``. Of two files naming one
repository id, dnf reads the first and ignores the other. The auditor read ``a-b.repo``'s
section (a clean provider) and ignored ``a.repo``'s (the Citrix one dnf installs), and read a
``.b.repo`` dnf never reads: a clean way around a Citrix package dnf has none around, exit 0.

``app`` (audited) requires ``foo``; ``foo-clean`` and ``foo-citrix`` provide it, each in a
repository of its own. dnf (``repoquery --whatprovides foo`` with the same ``dnf.conf``) is the
authority; the packages are built by rpmbuild, the repositories by createrepo_c.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.scenarios.test_repo_excludes import CITRIX, CLEAN, build


@pytest.fixture(scope="module")
def repositories(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The audited ``app``, and a repository for each provider of ``foo``."""
    base = tmp_path_factory.mktemp("reposdir-order")
    top = base / "top"
    top.mkdir()
    build(base / "audited", "app", f"{CLEAN}Requires: foo\n", top)
    build(base / "citrix", "foo-citrix", f"{CITRIX}Provides: foo\n", top)
    build(base / "clean", "foo-clean", f"{CLEAN}Provides: foo\n", top)
    for name in ("audited", "citrix", "clean"):
        subprocess.run(["createrepo_c", "-q", str(base / name)], check=True)
    return base


def section(repo_id: str, repository: Path) -> str:
    return f"[{repo_id}]\nname={repo_id}\nbaseurl=file://{repository}\ngpgcheck=0\n"


CASES = [
    # (the reposdirs, each a {file name: (repository id, provider)})
    ("a.repo before a-b.repo", [{"a.repo": ("ctx", "citrix"), "a-b.repo": ("ctx", "clean")}]),
    ("a file named .b.repo", [{"a.repo": ("ctx", "citrix"), ".b.repo": ("other", "clean")}]),
    ("two reposdirs sorted together", [{"z.repo": ("ctx", "clean")}, {"a.repo": ("ctx", "citrix")}]),
]


@pytest.mark.parametrize("reposdirs", [case[1] for case in CASES], ids=[case[0] for case in CASES])
def test_the_repo_files_read_are_those_dnf_reads(
    repositories: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    reposdirs: list[dict[str, tuple[str, str]]],
) -> None:
    directories = []
    for number, files in enumerate(reposdirs):
        directory = tmp_path / f"{'zy'[number]}.d"  # the first named sorts last
        directory.mkdir()
        for name, (repo_id, provider) in files.items():
            (directory / name).write_text(section(repo_id, repositories / provider))
        directories.append(str(directory))
    config = tmp_path / "dnf.conf"
    config.write_text(f"[main]\nreposdir={' '.join(directories)}\n")
    assert shutil.which("dnf"), "dnf is the authority here: install dnf"
    command = ["dnf", "-q", "--noplugins", f"--config={config}", "--releasever=8"]
    command += [f"--installroot={tmp_path / 'root'}", f"--setopt=cachedir={tmp_path / 'cache'}"]
    done = subprocess.run(
        [*command, "repoquery", "--whatprovides", "foo", "--qf", "%{name}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, set(done.stdout.split())) == (0, {"foo-citrix"}), done.stderr
    capsys.readouterr()
    code = main(
        ["scan", str(repositories / "audited"), "--with", str(config), "--no-cache", "--format", "json", "-q"]
    )
    (app,) = [row for row in json.loads(capsys.readouterr().out)["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("depends", 1), app


def test_repo_files_named_as_a_shell_glob_gives_them_are_read_in_dnf_order(
    repositories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--with /etc/yum.repos.d/*.repo`` names ``a-b.repo`` before ``a.repo`` (in the C locale
    and in a UTF-8 one): read as given, ``a-b.repo``'s clean ``[ctx]`` was the one read and
    ``a.repo``'s, the one dnf reads, was said to be ignored by dnf."""
    for name, provider in (("a.repo", "citrix"), ("a-b.repo", "clean")):
        (tmp_path / name).write_text(section("ctx", repositories / provider))
    shell = sorted(str(path) for path in tmp_path.glob("*.repo"))
    assert shell == [str(tmp_path / "a-b.repo"), str(tmp_path / "a.repo")]
    capsys.readouterr()
    named = [item for path in shell for item in ("--with", path)]
    code = main(["scan", str(repositories / "audited"), *named, "--no-cache", "--format", "json", "-q"])
    document = json.loads(capsys.readouterr().out)
    (app,) = [row for row in document["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("depends", 1), app


def test_a_reposdir_that_is_no_directory_holds_nothing_as_for_dnf(
    repositories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """mock's configurations set ``reposdir=/dev/null`` so that dnf reads only their own sections:
    dnf's glob finds nothing there, and nothing is unseen (it was an ``empty-input`` gap, "not a
    directory", failing --strict)."""
    config = tmp_path / "dnf.conf"
    config.write_text("[main]\nreposdir=/dev/null\n\n" + section("ctx", repositories / "citrix"))
    command = ["dnf", "-q", "--noplugins", f"--config={config}", "--releasever=8"]
    command += [f"--installroot={tmp_path / 'root'}", f"--setopt=cachedir={tmp_path / 'cache'}"]
    done = subprocess.run(
        [*command, "repoquery", "--qf", "%{name} %{repoid}"], capture_output=True, text=True
    )
    assert (done.returncode, done.stdout.split()) == (0, ["foo-citrix", "ctx"]), done.stderr
    capsys.readouterr()
    code = main(
        ["scan", str(repositories / "audited"), "--with", str(config), "--no-cache", "--format", "json", "-q"]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 1 and not [
        gap for gap in document["completeness"]["gaps"] if "reposdir" in gap["capability"]
    ]
