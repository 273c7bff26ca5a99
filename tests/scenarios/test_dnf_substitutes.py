"""What dnf substitutes besides URLs, and the repository ids it skips.

dnf 4 substitutes its variables in every value of a section (``getSubstitutedValue``) and in
its id: ``exclude=$hidden`` hides what the host's ``hidden`` names, ``enabled=$on`` is the
variable's value. It skips a section whose id holds a character other than ASCII letters,
digits and ``-_.:`` ("Bad id for repo"), as yum 3 does, and ``[main]`` whatever it holds.
Read as written, each was a false clean: the clean ``foo`` dnf hides or never reads was
counted as a way around the Citrix one (``may-depend``, exit 0) where dnf installs the
Citrix one.

``app`` (audited) requires ``foo``; ``foo-clean`` and ``foo-citrix`` both provide it. dnf
(``repoquery --whatprovides foo`` with the same files and variables) is the authority; the
packages are built by rpmbuild, the repositories by createrepo_c.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.scenarios.test_repo_excludes import app_and_providers


@pytest.fixture(scope="module")
def repositories(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return app_and_providers(tmp_path_factory.mktemp("substitutes"))


def dnf_providers(reposdir: Path, varsdir: Path, where: Path) -> set[str]:
    """The names of the packages that provide ``foo`` for dnf reading ``reposdir`` and ``varsdir``."""
    assert shutil.which("dnf"), "dnf is the authority here: install dnf"
    (where / "dnf.conf").write_text("[main]\n")
    command = ["dnf", "-q", "--noplugins", f"--config={where / 'dnf.conf'}", f"--setopt=reposdir={reposdir}"]
    command += [f"--setopt=varsdir={varsdir}", "--releasever=8", f"--installroot={where / 'root'}"]
    command += [
        f"--setopt=cachedir={where / 'cache'}",
        "repoquery",
        "--whatprovides",
        "foo",
        "--qf",
        "%{name}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


SPLIT = "[ctx]\nname=c\nbaseurl=file://{context}/citrix\ngpgcheck=0\n[{clean}]\nname=c\nbaseurl=file://{context}/clean\ngpgcheck=0\n{options}\n"
BOTH = "[ctx]\nname=c\nbaseurl=file://{context}\ngpgcheck=0\n{options}\n"
CASES = [
    ("exclude from a variable", BOTH, "ctx", "exclude=$hidden", {"hidden": "foo-clean"}),
    ("excludepkgs from a variable", BOTH, "ctx", "excludepkgs=${hidden}", {"hidden": "foo-cl*"}),
    ("includepkgs from a variable", BOTH, "ctx", "includepkgs=$shown", {"shown": "foo-citrix"}),
    ("enabled from a variable", SPLIT, "clean", "enabled=$on", {"on": "0"}),
    ("an id with a space", SPLIT, "clean repo", "", {}),
    ("an id with a slash", SPLIT, "clean/1", "", {}),
    ("an id with a non-ASCII letter", SPLIT, "cléan", "", {}),
    ("an id whose variable holds a space", SPLIT, "clean-$tag", "", {"tag": "a b"}),
    ("a [main] section in a .repo file", SPLIT, "main", "", {}),
]


@pytest.mark.parametrize(
    ("text", "clean", "options", "variables"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_what_dnf_substitutes_or_skips_is_no_clean_alternative(
    repositories: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    clean: str,
    options: str,
    variables: dict[str, str],
) -> None:
    audited, context = repositories
    for name in ("citrix", "clean"):  # each provider alone, for the sections of SPLIT
        (context / name).mkdir(exist_ok=True)
        shutil.copy(context / f"foo-{name}-1-1.noarch.rpm", context / name)
        subprocess.run(["createrepo_c", "-q", str(context / name)], check=True)
    reposdir, varsdir = tmp_path / "repos", tmp_path / "vars"
    reposdir.mkdir()
    varsdir.mkdir()
    for name, value in variables.items():
        (varsdir / name).write_text(f"{value}\n")
    config = reposdir / "context.repo"
    config.write_text(text.format(context=context, clean=clean, options=options), encoding="utf-8")
    assert dnf_providers(reposdir, varsdir, tmp_path) == {"foo-citrix"}
    capsys.readouterr()
    command = ["scan", str(audited), "--with", str(config), "--vars-dir", str(varsdir), "--no-cache"]
    code = main([*command, "--format", "json", "-q"])
    (app,) = [row for row in json.loads(capsys.readouterr().out)["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("depends", 1), app


@pytest.mark.parametrize(
    ("text", "options"),
    [(BOTH, "exclude=$hidden"), (BOTH, "includepkgs=${shown}"), (BOTH, "enabled=$on"), (SPLIT, "")],
    ids=["exclude", "includepkgs", "enabled", "id"],
)
def test_a_variable_dnf_would_substitute_and_no_one_gave_is_an_input_error(
    repositories: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    options: str,
) -> None:
    """The host's value decides what dnf hides or reads, as a URL's does: said, exit 3."""
    audited, context = repositories
    config = tmp_path / "context.repo"
    config.write_text(text.format(context=context, clean="clean-$tag", options=options))
    capsys.readouterr()
    code = main(["scan", str(audited), "--with", str(config), "--no-cache", "-q"])
    error = capsys.readouterr().err
    assert code == 3 and "left unexpanded in" in error and "give --var" in error, error


def test_the_main_section_has_only_the_hosts_own_variables(
    repositories: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dnf reads ``dnf.conf``'s ``[main]`` before its varsdir: ``exclude=$hidden`` there stays as
    written (it hides nothing), though ``hidden`` names the clean package. Substituted, the
    clean ``foo`` was hidden: ``depends``, exit 1, said to be as dnf reads it."""
    audited, context = repositories
    reposdir, varsdir = tmp_path / "repos", tmp_path / "vars"
    reposdir.mkdir()
    varsdir.mkdir()
    (varsdir / "hidden").write_text("foo-clean\n")
    (reposdir / "context.repo").write_text(BOTH.format(context=context, options=""))
    config = tmp_path / "dnf.conf"
    config.write_text(f"[main]\nreposdir={reposdir}\nvarsdir={varsdir}\nexclude=$hidden\n")
    assert shutil.which("dnf"), "dnf is the authority here: install dnf"
    command = ["dnf", "-q", "--noplugins", f"--config={config}", "--releasever=8"]
    command += [f"--installroot={tmp_path / 'root'}", f"--setopt=cachedir={tmp_path / 'cache'}"]
    command += ["repoquery", "--whatprovides", "foo", "--qf", "%{name}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert (done.returncode, set(done.stdout.split())) == (0, {"foo-clean", "foo-citrix"}), done.stderr
    capsys.readouterr()
    command = ["scan", str(audited), "--with", str(config), "--vars-dir", str(varsdir), "--no-cache"]
    code = main([*command, "--format", "json", "-q"])
    (app,) = [row for row in json.loads(capsys.readouterr().out)["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("may-depend", 0), app


def test_a_tab_in_a_baseurl_list_is_part_of_the_url_to_dnf(
    repositories: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """libdnf splits a list at spaces, commas and new lines only: ``baseurl=file:///clean<TAB>
    file:///gone`` is one URL to dnf, which fails, and with ``skip_if_unavailable`` dnf goes on
    without the clean repository. Split at the tab, the clean one was read as dnf's too: a way
    around the Citrix ``foo``, may-depend, exit 0."""
    audited, context = repositories
    for name in ("citrix", "clean"):
        (context / name).mkdir(exist_ok=True)
        shutil.copy(context / f"foo-{name}-1-1.noarch.rpm", context / name)
        subprocess.run(["createrepo_c", "-q", str(context / name)], check=True)
    reposdir = tmp_path / "repos"
    reposdir.mkdir()
    config = reposdir / "context.repo"
    config.write_text(
        SPLIT.format(context=context, clean="clean", options="skip_if_unavailable=1").replace(
            f"baseurl=file://{context}/clean\n", f"baseurl=file://{context}/clean\tfile://{tmp_path}/gone\n"
        )
    )
    assert "\t" in config.read_text()
    assert dnf_providers(reposdir, tmp_path, tmp_path) == {"foo-citrix"}
    capsys.readouterr()
    code = main(["scan", str(audited), "--with", str(config), "--no-cache", "--format", "json", "-q"])
    captured = capsys.readouterr()
    (app,) = [row for row in json.loads(captured.out)["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("depends", 3), app
    assert "no repository could be read" in captured.err


def test_an_id_with_a_variable_is_read_by_both_readers(
    repositories: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """yum 3 substitutes every line of a ``.repo`` file (``ConfigPreProcessor``), its headers
    too: ``[ctx-$releasever]`` is ``ctx-8`` to yum as to dnf. Taken as an id yum refuses, its
    hosts lacked the repository: both providers of ``foo`` hidden there, ``unresolved``, exit 1,
    where both dnf and yum offer the clean one."""
    audited, context = repositories
    reposdir = tmp_path / "repos"
    reposdir.mkdir()
    config = reposdir / "context.repo"
    config.write_text(BOTH.format(context=context, options="").replace("[ctx]", "[ctx-$releasever]"))
    assert dnf_providers(reposdir, tmp_path, tmp_path) == {"foo-clean", "foo-citrix"}
    capsys.readouterr()
    command = ["scan", str(audited), "--with", str(config), "--releasever", "8", "--no-cache"]
    code = main([*command, "--format", "json", "-q"])
    (app,) = [row for row in json.loads(capsys.readouterr().out)["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("may-depend", 0), app
