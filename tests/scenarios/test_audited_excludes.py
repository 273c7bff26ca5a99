"""What an audited repository's configuration hides from dnf is audited, and installs nothing.

The release's ``.repo`` section holds ``app`` (which requires ``foo``) and a clean ``foo-clean``
(which provides it); a Citrix ``foo-citrix`` provides ``foo`` too, from a ``--with`` repository
or another audited section. When the section excludes ``foo-clean``, the release still ships it,
so it is audited; but dnf does not see it, and installing ``app`` installs ``foo-citrix``: ``app``
depends on Citrix. Counting the excluded ``foo-clean`` as a way around made ``app`` a
``may-depend``, which does not block: a false clean. dnf is the authority (``dnf install
--assumeno app`` with the same ``.repo`` files); the packages are built by rpmbuild, the
repositories by createrepo_c (`tests.scenarios.test_repo_excludes`).
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
def repositories(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The release (``app``, ``foo-clean``) and the Citrix repository (``foo-citrix``)."""
    base = tmp_path_factory.mktemp("audited-excludes")
    release, citrix, top = base / "release", base / "citrix", base / "top"
    top.mkdir()
    build(release, "app", f"{CLEAN}Requires: foo\n", top)
    build(release, "foo-clean", f"{CLEAN}Provides: foo\n", top)
    build(citrix, "foo-citrix", f"{CITRIX}Provides: foo\n", top)
    for repository in (release, citrix):
        subprocess.run(["createrepo_c", "-q", str(repository)], check=True)
    return release, citrix


def section(name: str, repository: Path, options: str = "") -> str:
    return f"[{name}]\nname={name}\nbaseurl=file://{repository}\ngpgcheck=0\n{options}\n"


def dnf(reposdir: Path, where: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """dnf with the ``.repo`` files of ``reposdir`` and nothing else, in an empty install root."""
    assert shutil.which("dnf"), "dnf is the authority here: install dnf and dnf-plugins-core"
    empty = where / "empty.conf"
    empty.write_text("[main]\n")
    command = ["dnf", f"--config={empty}", f"--setopt=reposdir={reposdir}", "--releasever=8"]
    command += [f"--installroot={where / 'root'}", f"--setopt=cachedir={where / 'cache'}", *arguments]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def dnf_installs(reposdir: Path, where: Path, name: str) -> set[str]:
    """The names of the packages ``dnf install NAME`` would install (its transaction table)."""
    done = dnf(reposdir, where, "install", "--assumeno", name)
    assert "Operation aborted" in done.stdout + done.stderr, done.stdout + done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith(" ")]
    return {row[0] for row in rows if len(row) >= 5 and row[0] != "Package"}


def dnf_providers(reposdir: Path, where: Path) -> set[str]:
    """The names of the packages that provide ``foo`` for dnf: what it may install for it."""
    done = dnf(reposdir, where, "-q", "repoquery", "--whatprovides", "foo", "--qf", "%{name}")
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def scan(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["scan", *arguments, "--format", "json", "-q", "--no-cache"])
    return code, json.loads(capsys.readouterr().out)


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {row["name"]: row["status"] for row in document["packages"]}


CASES = [
    ("exclude", "exclude=foo-clean", ""),
    ("excludepkgs glob", "excludepkgs=foo-cl*", ""),
    ("exclude by NEVRA", "exclude=foo-clean-1-1.noarch", ""),
    ("includepkgs", "includepkgs=app", ""),
    ("nothing hidden", "", ""),
    ("exclude of another name", "exclude=foo", ""),
    # Two sections read the release: dnf sees what either shows, so foo-clean is installable.
    ("another section shows it", "exclude=foo-clean", "exclude=app"),
    ("both sections hide it", "exclude=foo-clean", "exclude=foo-cl*"),
]


@pytest.mark.parametrize("citrix_audited", [False, True], ids=["citrix-as-context", "citrix-audited"])
@pytest.mark.parametrize(("hides", "again"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_what_an_audited_configuration_hides_is_no_way_around(
    repositories: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    hides: str,
    again: str,
    citrix_audited: bool,
) -> None:
    """dnf installs ``foo-citrix`` with ``app`` when the section hides ``foo-clean``: ``app``
    depends (blocking); when ``foo-clean`` is visible, dnf may take either: may-depend."""
    release, citrix = repositories
    reposdir = tmp_path / "repos"
    reposdir.mkdir()
    config = reposdir / "release.repo"
    text = section("release", release, hides)
    if again:  # the same repository, spelled another way, under another id
        text += section("release-again", Path(f"{release}/."), again)
    context = reposdir / "citrix.repo"
    context.write_text(section("citrix", citrix))
    if citrix_audited:
        text += context.read_text()
        context.unlink()
    config.write_text(text)
    providers = dnf_providers(reposdir, tmp_path)
    installed = dnf_installs(reposdir, tmp_path, "app")
    arguments = [str(config)] if citrix_audited else [str(config), "--with", str(context)]
    code, document = scan(arguments, capsys)
    found = statuses(document)
    assert found["foo-clean"] == "clean", found  # hidden or not, it ships: audited
    if providers == {"foo-citrix"}:
        assert installed == {"app", "foo-citrix"}
        assert (found["app"], code) == ("depends", 1), document["packages"]
    else:
        assert providers == {"foo-clean", "foo-citrix"}, providers
        assert found["app"] == "may-depend", document["packages"]
        assert code == (1 if citrix_audited else 0)  # an audited foo-citrix is an origin


def test_a_citrix_package_the_configuration_hides_is_still_an_origin(
    repositories: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A release section that excludes its own Citrix package ships it all the same: it is
    still ``origin`` and blocks, and is in every report; ``app`` is clean, since dnf meets its
    ``foo`` with ``foo-clean`` alone (it was a may-depend on the package dnf does not see)."""
    release, citrix = repositories
    reposdir = tmp_path / "repos"
    reposdir.mkdir()
    config = reposdir / "release.repo"
    config.write_text(section("release", release) + section("citrix", citrix, "exclude=foo-citrix"))
    assert dnf_installs(reposdir, tmp_path, "app") == {"app", "foo-clean"}
    code, document = scan([str(config)], capsys)
    assert statuses(document) == {"app": "clean", "foo-clean": "clean", "foo-citrix": "origin"}
    assert code == 1
    (warning,) = [said for said in document["warnings"] if "exclude=foo-citrix" in said]
    assert "audited all the same" in warning and "meet no requirement" in warning
    capsys.readouterr()
    assert main(["scan", str(config), "--format", "table", "-q", "--no-cache"]) == 1
    assert "foo-citrix-1-1.noarch  origin" in capsys.readouterr().out


def test_a_hidden_package_is_audited_with_its_own_requirements(
    repositories: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``app`` and ``foo-clean`` both hidden: ``app`` is still audited, and its ``foo`` is met
    by the only ``foo`` dnf sees, the Citrix one: depends. dnf sees no ``app`` to install
    (``--roots app`` says so) and only ``foo-citrix`` providing ``foo``."""
    release, citrix = repositories
    reposdir = tmp_path / "repos"
    reposdir.mkdir()
    config = reposdir / "release.repo"
    config.write_text(section("release", release, "exclude=app foo-clean"))
    context = tmp_path / "citrix.repo"
    context.write_text(section("citrix", citrix))
    shutil.copy(context, reposdir)
    assert dnf_providers(reposdir, tmp_path) == {"foo-citrix"}
    refused = dnf(reposdir, tmp_path, "install", "--assumeno", "app")
    assert (
        "All matches were filtered out by exclude filtering for argument: app"
        in refused.stdout + refused.stderr
    )
    code, document = scan([str(config), "--with", str(context)], capsys)
    assert statuses(document) == {"app": "depends", "foo-clean": "clean"} and code == 1
    capsys.readouterr()
    code = main(["scan", str(config), "--with", str(context), "--roots", "app", "-q", "--no-cache"])
    error = capsys.readouterr().err
    assert code == 2 and "--roots: no package named app in the run that dnf can install" in error


@pytest.fixture(scope="module")
def obsoleting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release holding ``foo-citrix`` and a clean ``foo-ng`` that obsoletes it."""
    base = tmp_path_factory.mktemp("obsoleting")
    release, top = base / "release", base / "top"
    top.mkdir()
    build(release, "foo-citrix", f"{CITRIX}Provides: foo\n", top)
    build(release, "foo-ng", f"{CLEAN}Provides: foo\nObsoletes: foo-citrix\n", top)
    subprocess.run(["createrepo_c", "-q", str(release)], check=True)
    return release


@pytest.mark.parametrize("hides", ["", "exclude=foo-ng"], ids=["shown", "hidden"])
def test_a_hidden_package_replaces_nothing_it_obsoletes(
    obsoleting: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], hides: str
) -> None:
    """``dnf install foo-citrix`` installs ``foo-ng`` in its place, unless the configuration
    hides ``foo-ng``: then ``plan`` must not offer it as the replacement already present, nor
    ``check`` report it as replacing ``foo-citrix``."""
    reposdir = tmp_path / "repos"
    reposdir.mkdir()
    config = reposdir / "release.repo"
    config.write_text(section("release", obsoleting, hides))
    replaced = dnf_installs(reposdir, tmp_path, "foo-citrix") == {"foo-ng"}
    assert replaced is not bool(hides)
    capsys.readouterr()
    main(["plan", str(config), "--format", "json", "-q", "--no-cache"])
    (item,) = json.loads(capsys.readouterr().out)["replace"]
    assert item["obsoleted_by"] == (["foo-ng-1-1.noarch"] if replaced else [])
    base = tmp_path / "base"
    base.mkdir()
    shutil.copy(obsoleting / "foo-citrix-1-1.noarch.rpm", base)
    main(["check", str(config), "--against", str(base), "--format", "json", "-q", "--no-cache"])
    obsoletes = json.loads(capsys.readouterr().out)["obsoletes"]
    assert [row["package"] for row in obsoletes] == (["foo-ng-1-1.noarch"] if replaced else [])


def test_a_requirement_only_a_hidden_package_meets_is_unresolved(
    repositories: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With no other ``foo`` in the run, dnf cannot install ``app`` once ``foo-clean`` is
    excluded: ``app`` is unresolved (blocking), not clean."""
    release, _citrix = repositories
    reposdir = tmp_path / "repos"
    reposdir.mkdir()
    config = reposdir / "release.repo"
    config.write_text(section("release", release, "exclude=foo-clean"))
    refused = dnf(reposdir, tmp_path, "install", "--assumeno", "app")
    said = "package app-1-1.noarch requires foo, but none of the providers can be installed"
    assert refused.returncode == 1 and said in refused.stdout + refused.stderr
    code, document = scan([str(config)], capsys)
    assert statuses(document) == {"app": "unresolved", "foo-clean": "clean"} and code == 1
