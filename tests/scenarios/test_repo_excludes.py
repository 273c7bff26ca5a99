"""A context repository is read as dnf sees it: ``exclude`` and ``includepkgs`` hide packages.

``app`` (audited) requires ``foo``; the context repository, named by a ``.repo`` file, holds a
clean ``foo-clean`` and a Citrix ``foo-citrix``, both providing ``foo``. When the configuration
excludes ``foo-clean``, dnf sees only ``foo-citrix``: installing ``app`` installs it, so ``app``
depends on Citrix. Counting the excluded package as a clean alternative made it ``may-depend``,
which does not block: a false clean. dnf is the authority on what each configuration hides
(``dnf repoquery --whatprovides foo`` with the same ``.repo`` file); the packages are real,
built by rpmbuild, the repositories by createrepo_c.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.sources import configsection, localrepo, repofilter

CITRIX = "Vendor: Citrix Systems, Inc.\nURL: https://www.citrix.com/foo\n"
CLEAN = "Vendor: XCP-ng\nURL: https://xcp-ng.org/foo\n"


def build(directory: Path, name: str, tags: str, top: Path) -> None:
    """A noarch binary RPM ``name-1-1`` with the given tags, built by rpmbuild into ``directory``."""
    assert shutil.which("rpmbuild"), "rpmbuild is the authority here: install rpm (Debian package rpm)"
    spec = top / f"{name}.spec"
    spec.write_text(
        f"Name: {name}\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n{tags}"
        "%description\nd\n%files\n"
    )
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(top), "LC_ALL": "C"}
    command = ["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}", "--define", f"_rpmdir {directory}"]
    command += ["--define", "_build_name_fmt %{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm", str(spec)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr


def app_and_providers(base: Path) -> tuple[Path, Path]:
    """In ``base``, the audited repository (``app``, which requires ``foo``) and the context one
    (``foo-clean`` and ``foo-citrix``, which both provide it)."""
    audited, context, top = base / "audited", base / "context", base / "top"
    top.mkdir()
    build(audited, "app", f"{CLEAN}Requires: foo\n", top)
    build(context, "foo-clean", f"{CLEAN}Provides: foo\n", top)
    build(context, "foo-citrix", f"{CITRIX}Provides: foo\n", top)
    for repository in (audited, context):
        subprocess.run(["createrepo_c", "-q", str(repository)], check=True)
    return audited, context


@pytest.fixture(scope="module")
def repositories(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return app_and_providers(tmp_path_factory.mktemp("excludes"))


def configuration(where: Path, context: Path, main_options: str, section_options: str, name: str) -> Path:
    """``name`` (``dnf.conf``, or a ``.repo`` file) holding ``[main]`` and the context's section."""
    (where / "conf").mkdir()
    path = where / "conf" / name
    path.write_text(
        f"[main]\n{main_options}\n[ctx]\nname=ctx\nbaseurl=file://{context}\ngpgcheck=0\n{section_options}\n"
    )
    return path


def dnf_providers(config: Path, where: Path) -> set[str]:
    """The names of the packages that provide ``foo`` for dnf, given ``config`` as a user gives
    it: ``dnf.conf`` as its configuration, a ``.repo`` file in its ``reposdir``."""
    assert shutil.which("dnf"), "dnf is the authority here: install dnf and dnf-plugins-core"
    main_config, reposdir = config, where / "none"
    if config.suffix == ".repo":
        main_config, reposdir = where / "empty.conf", config.parent
        main_config.write_text("[main]\n")
    command = ["dnf", "-q", f"--config={main_config}", f"--setopt=reposdir={reposdir}", "--releasever=8"]
    command += [f"--installroot={where / 'root'}", f"--setopt=cachedir={where / 'cache'}"]
    command += ["repoquery", "--whatprovides", "foo", "--qf", "%{name}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def scan(audited: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["scan", str(audited), "--with", str(config), "--format", "json", "-q", "--no-cache"])
    return code, json.loads(capsys.readouterr().out)


CASES = [
    ("exclude", "", "exclude=foo-clean", "context.repo"),
    ("excludepkgs glob", "", "excludepkgs=foo-cl*", "context.repo"),
    ("exclude by NEVRA", "", "exclude=foo-clean-1-1.noarch", "context.repo"),
    ("exclude in [main]", "exclude=foo-clean", "", "dnf.conf"),
    ("includepkgs", "", "includepkgs=foo-citrix", "context.repo"),
    ("includepkgs in [main]", "includepkgs=foo-cit*", "", "dnf.conf"),
    ("nothing hidden", "", "", "context.repo"),
    ("exclude of another name", "", "exclude=foo", "context.repo"),
    # dnf reads no [main] in a .repo file: it hides nothing. (dnf reads option names as written,
    # yum 3 in any case: ``Exclude=`` hides on yum hosts, tests/scenarios/test_repo_option_case.py.)
    ("[main] of a .repo file", "exclude=foo-clean", "", "context.repo"),
    ("disable_excludes=all", "disable_excludes=all\nexclude=foo-clean", "exclude=foo-clean", "dnf.conf"),
    ("disable_excludes=main", "disable_excludes=main\nexclude=foo-clean", "", "dnf.conf"),
    ("disable_excludes of the section", "disable_excludes=ctx", "includepkgs=foo-citrix", "dnf.conf"),
    ("disable_excludes of another", "disable_excludes=other", "includepkgs=foo-citrix", "dnf.conf"),
    # As libdnf reads the value: without its quotes, with its indented lines, in its section.
    ("exclude quoted", "", 'exclude="foo-clean"', "context.repo"),
    ("includepkgs quoted", "", "includepkgs='foo-citrix'", "context.repo"),
    ("exclude quoted in [main]", 'exclude="foo-clean"', "", "dnf.conf"),
    ("exclude in a header with a comment", "", "[ctx] ; hide [clean]\nexclude=foo-clean", "context.repo"),
    ("exclude in an indented comment", "", "exclude=nothing-here\n  # foo-clean", "context.repo"),
    # As libdnf sets a list: items end at a space, a comma or a new line (a tab is part of one),
    # and a value whose first item is empty replaces what the other key gave.
    ("a tab inside an exclude item", "", "exclude=foo-citrix\tfoo-x", "context.repo"),
    ("exclude replacing excludepkgs", "", "excludepkgs=foo-citrix\nexclude=,foo-clean", "context.repo"),
]


@pytest.mark.parametrize(
    ("main_options", "section_options", "name"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_what_dnf_hides_is_no_clean_alternative(
    repositories: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    main_options: str,
    section_options: str,
    name: str,
) -> None:
    audited, context = repositories
    config = configuration(tmp_path, context, main_options, section_options, name)
    providers = dnf_providers(config, tmp_path)
    code, document = scan(audited, config, capsys)
    (app,) = [row for row in document["packages"] if row["name"] == "app"]
    if providers == {"foo-citrix"}:
        assert (app["status"], code) == ("depends", 1), app
    else:
        assert providers == {"foo-clean", "foo-citrix"}
        assert (app["status"], code) == ("may-depend", 0), app


def test_an_audited_repository_keeps_what_its_configuration_hides(
    repositories: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An audited repository's excluded packages are still in the release: they are audited
    (the Citrix one is still an origin), and the run says dnf does not see them."""
    _audited, context = repositories
    config = configuration(tmp_path, context, "", "exclude=foo-c*", "context.repo")
    capsys.readouterr()
    code = main(["scan", str(config), "--format", "json", "-q", "--no-cache"])
    document = json.loads(capsys.readouterr().out)
    statuses = {row["name"]: row["status"] for row in document["packages"]}
    assert statuses == {"foo-clean": "clean", "foo-citrix": "origin"} and code == 1
    (warning,) = [said for said in document["warnings"] if "exclude=" in said]
    assert "exclude=foo-c* hides 2 package(s) from dnf" in warning and "foo-citrix, foo-clean" in warning


def test_a_section_dnf_enables_is_audited_whatever_the_case_of_a_key(
    repositories: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``Enabled=0`` is no option of dnf's, which keeps the section enabled and installs from it:
    its packages are audited (taking it as disabled left the Citrix package out, and a Citrix
    baseurl in such a section would not have blocked)."""
    _audited, context = repositories
    config = configuration(tmp_path, context, "", "Enabled=0", "context.repo")
    assert dnf_providers(config, tmp_path) == {"foo-clean", "foo-citrix"}
    capsys.readouterr()
    code = main(["scan", str(config), "--format", "json", "-q", "--no-cache"])
    document = json.loads(capsys.readouterr().out)
    statuses = {row["name"]: row["status"] for row in document["packages"]}
    assert statuses == {"foo-clean": "clean", "foo-citrix": "origin"} and code == 1


def test_a_repository_id_named_twice_is_read_once_as_dnf_reads_it(
    repositories: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two context files name ``[base]``: dnf reads the first ("listed more than once") and
    never offers the second's packages. Reading both made the second's clean ``foo`` an
    alternative to the only ``foo`` dnf installs, the Citrix one."""
    audited, _context = repositories
    reposdir, top = tmp_path / "repos", tmp_path / "top"
    reposdir.mkdir()
    top.mkdir()
    for order, (name, tags) in enumerate([("foo-citrix", CITRIX), ("foo-clean", CLEAN)]):
        build(tmp_path / name, name, f"{tags}Provides: foo\n", top)
        subprocess.run(["createrepo_c", "-q", str(tmp_path / name)], check=True)
        repo = f"[base]\nname=base\nbaseurl=file://{tmp_path / name}\ngpgcheck=0\n"
        (reposdir / f"{order}-base.repo").write_text(repo)
    first, second = sorted(reposdir.iterdir())
    assert dnf_providers(first, tmp_path) == {"foo-citrix"}  # the reposdir holds both files
    capsys.readouterr()
    command = ["scan", str(audited), "--with", str(first), "--with", str(second), "--no-cache"]
    code = main([*command, "--format", "json", "-q"])
    document = json.loads(capsys.readouterr().out)
    (app,) = [row for row in document["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("depends", 1)
    assert document["completeness"]["complete"] is not False or "empty-input" not in str(
        document["completeness"]
    )
    (warning,) = [said for said in document["warnings"] if "already" in said]
    assert "'base'" in warning and "dnf ignores this section" in warning


@pytest.mark.parametrize("hides", ["exclude=*.src", "exclude=xs-foo-1-1.src", "includepkgs=xs-foo.noarch"])
def test_a_source_package_is_never_hidden(
    repositories: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], hides: str
) -> None:
    """dnf installs no source package: one a pattern names is still the evidence of where its
    binaries come from. ``xs-foo`` is built from a Source on a Citrix host; hiding its SRPM
    would have made what needs it clean."""
    audited, _context = repositories
    top, context = tmp_path / "top", tmp_path / "xs"
    (top / "SOURCES").mkdir(parents=True)
    (top / "SOURCES" / "xs-foo-1.tar.gz").write_bytes(b"")
    spec = top / "xs-foo.spec"
    spec.write_text(
        "Name: xs-foo\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        f"{CLEAN}Provides: foo\nSource0: https://code.citrite.net/xs-foo-1.tar.gz\n%description\nd\n%files\n"
    )
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(top), "LC_ALL": "C"}
    command = ["rpmbuild", "-ba", "--quiet", "--define", f"_topdir {top}", "--define", f"_rpmdir {context}"]
    command += ["--define", f"_srcrpmdir {context}", "--define", "_build_name_fmt %{NAME}.rpm", str(spec)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    subprocess.run(["createrepo_c", "-q", str(context)], check=True)
    config = tmp_path / "xs.repo"
    config.write_text(f"[xs]\nname=xs\nbaseurl=file://{context}\ngpgcheck=0\n{hides}\n")
    code, document = scan(audited, config, capsys)
    (app,) = [row for row in document["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("depends", 1), app


def test_a_url_under_a_key_dnf_does_not_read_is_never_the_one_read(
    repositories: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``BaseURL=`` is no option of dnf's: a section that also has ``baseurl=`` is read by dnf
    from ``baseurl`` alone (here a repository whose only ``foo`` is Citrix's). Reading the
    ``BaseURL`` written before it, whose repository offers a clean ``foo`` too, made ``app``
    a non-blocking may-depend: a false clean."""
    audited, context = repositories
    top, citrix = tmp_path / "top", tmp_path / "citrix"
    top.mkdir()
    build(citrix, "foo-citrix", f"{CITRIX}Provides: foo\n", top)
    subprocess.run(["createrepo_c", "-q", str(citrix)], check=True)
    (tmp_path / "conf").mkdir()
    config = tmp_path / "conf" / "ctx.repo"
    config.write_text(f"[ctx]\nname=ctx\nBaseURL=file://{context}\nbaseurl=file://{citrix}\ngpgcheck=0\n")
    assert dnf_providers(config, tmp_path) == {"foo-citrix"}
    code, document = scan(audited, config, capsys)
    (app,) = [row for row in document["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("depends", 1), app


def test_sections_naming_one_repository_read_it_once_and_show_what_either_shows(
    repositories: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sections with their own ids and the same ``baseurl`` read one repository: it is read
    once (reading it for each section made a .repo file of ten three-line sections naming a
    60,000-package repository cost 100 s and 2 GB, a few hundred more sections any memory),
    and dnf sees the union of what each section shows: one excludes ``foo-clean``, the other
    ``foo-citrix``, so both provide ``foo`` (dnf says so) and ``app`` may depend on Citrix."""
    audited, context = repositories
    (tmp_path / "conf").mkdir()
    config = tmp_path / "conf" / "ctx.repo"
    sections = [("a", "foo-clean"), ("b", "foo-citrix"), ("c", "foo-*")]
    config.write_text(
        "".join(
            f"[{i}]\nname={i}\nbaseurl=file://{context}/./\ngpgcheck=0\nexclude={x}\n" for i, x in sections
        )
    )
    assert dnf_providers(config, tmp_path) == {"foo-clean", "foo-citrix"}
    reads: list[str] = []
    real = localrepo.read_local_repository

    def counted(path: str, *args: Any, **kwargs: Any) -> Any:
        reads.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(configsection, "read_local_repository", counted)
    code, document = scan(audited, config, capsys)
    (app,) = [row for row in document["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("may-depend", 0), app
    assert len(reads) == 1, reads
    assert sum("read once" in said for said in document["warnings"]) == 2


@pytest.mark.parametrize(
    ("hides", "said"),
    [
        ("exclude=" + "[" * 1025, "a glob pattern of exclude or includepkgs is longer than 1024 characters"),
        (
            "exclude=a* b?\nincludepkgs=[f]oo*",
            "3 glob patterns in exclude and includepkgs against 2 packages",
        ),
    ],
    ids=["a long glob", "globs times packages"],
)
def test_patterns_past_what_the_auditor_matches_are_one_input_error(
    repositories: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    hides: str,
    said: str,
) -> None:
    """Each glob is matched against every package's NEVRA forms: 1,000 globs took 70 s against
    a 60,000-package repository, and ``fnmatch.translate`` is quadratic in a run of ``[`` (20,000
    of them took 10 s). Past `MAX_GLOB_LENGTH`, or globs times packages past `MAX_GLOB_WORK`
    (made small here for two packages), the section is one input error, not hours of work."""
    monkeypatch.setattr(repofilter, "MAX_GLOB_WORK", 5)
    audited, context = repositories
    config = tmp_path / "ctx.repo"
    config.write_text(f"[ctx]\nname=ctx\nbaseurl=file://{context}\ngpgcheck=0\n{hides}\n")
    capsys.readouterr()
    code = main(["scan", str(audited), "--with", str(config), "-q", "--no-cache"])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("auditor: error:")]
    assert code == 3 and len(errors) == 1 and errors[0].startswith(f"auditor: error: {config} [ctx]: {said}")


def test_the_sections_of_a_run_together_match_patterns_within_a_bound(
    repositories: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`MAX_GLOB_WORK` bounds one section; thousands of sections naming one large repository,
    each with its exclude, matched every package again (2,000 over 6,001 packages: 32 s, and a
    16 MiB configuration holds a hundred times more). Past `MAX_RUN_WORK` for the run's sections
    together (made small here: two packages, each section's forms and one glob cost 4), the
    sections beyond it are input errors, each one line, not hours of work."""
    monkeypatch.setattr(repofilter, "MAX_RUN_WORK", 10, raising=False)
    audited, context = repositories
    config = tmp_path / "ctx.repo"
    config.write_text(
        "".join(
            f"[ctx{number}]\nname=ctx\nbaseurl=file://{context}\ngpgcheck=0\nexclude=foo-cl*\n"
            for number in range(4)
        )
    )
    capsys.readouterr()
    code = main(["scan", str(audited), "--with", str(config), "-q", "--no-cache"])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("auditor: error:")]
    assert code == 3 and [line.split(": ")[2] for line in errors] == [f"{config} [ctx2]", f"{config} [ctx3]"]
    assert all("matches the auditor makes; refused" in line for line in errors)


def test_sections_naming_one_repository_match_against_its_forms_made_once(
    repositories: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each section with an exclude made the repository's NEVRA forms again (2,000 sections
    naming 6,001 packages: 27 s, 3.4 s with them made once); what each hides is unchanged."""
    made: list[int] = []
    form_texts = repofilter._form_texts

    def counted(packages: list[Any]) -> Any:
        made.append(len(packages))
        return form_texts(packages)

    monkeypatch.setattr(repofilter, "_form_texts", counted)
    audited, context = repositories
    config = tmp_path / "ctx.repo"
    sections = [f"[ctx{number}]\nname=ctx\nbaseurl=file://{context}\ngpgcheck=0\n" for number in range(5)]
    config.write_text("".join(f"{section}exclude=foo-clean\n" for section in sections))
    code, document = scan(audited, config, capsys)
    [app] = [row for row in document["packages"] if row["name"] == "app"]
    assert made == [2] and (app["status"], code) == ("depends", 1)
