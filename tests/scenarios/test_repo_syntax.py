"""A repository configuration is read as dnf reads it where its syntax differs from configparser's.

Each ``.repo`` file here configures ``[xs]``, a repository holding a Citrix package, in a way
dnf (the authority: ``dnf repoquery`` over the same file, libdnf's ``IniParser`` and
``OptionBool``) reads as enabled, and ``[os]``, a clean one. Python's configparser read ``[xs]``
as disabled (a value it strips of a form feed or a no-break space, joins from a continuation
line, or whose indented comment line it drops; a header whose comment holds a ``]``), or its
quoted ``baseurl`` as a URL nothing can read, or refused a file starting with a byte order
mark (which dnf skips): the Citrix package was unseen, and the first cases were clean, exit 0. The packages are built by rpmbuild, the repositories by createrepo_c.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.scenarios.test_repo_excludes import CITRIX, CLEAN, build
from tests.scenarios.test_reposdir import dnf_packages, scan

XS = "[xs]\nname=xs\nbaseurl=file://{xs}\ngpgcheck=0\n"
OS = "[os]\nname=os\nbaseurl=file://{os}\ngpgcheck=0\n"

CASES = {
    "enabled-form-feed": XS + "enabled=0\f\n" + OS,
    "enabled-no-break-space": XS + "enabled=0\u00a0\n" + OS,
    "enabled-continued": XS + "enabled=\n  0\n" + OS,
    "enabled-indented-comment": XS + "enabled=0\n  # kept for later\n" + OS,
    "header-comment-with-bracket": XS + "enabled=0\n" + OS + "[xs] ; on again [see]\nenabled=1\n",
    "byte-order-mark": "\ufeff" + XS + OS,
    "quoted-baseurl": '[xs]\nname=xs\nbaseurl="file://{xs}"\ngpgcheck=0\n' + OS,
}


def reposdir_config(tmp_path: Path, name: str, text: str) -> tuple[Path, Path]:
    """``text`` as ``repos.d/NAME``, and a ``dnf.conf`` whose reposdir is ``repos.d`` (how dnf is
    asked about it): the two paths."""
    (tmp_path / "repos.d").mkdir()
    written = tmp_path / "repos.d" / name
    written.write_text(text)
    config = tmp_path / "dnf.conf"
    config.write_text(f"[main]\ngpgcheck=0\nreposdir={tmp_path / 'repos.d'}\n")
    return written, config


@pytest.fixture(scope="module")
def repositories(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``xs`` (a Citrix package) and ``os`` (a clean one), built once."""
    where = tmp_path_factory.mktemp("repositories")
    top = where / "top"
    top.mkdir()
    build(where / "xs", "foo-citrix", CITRIX, top)
    build(where / "os", "base", CLEAN, top)
    for name in ("xs", "os"):
        subprocess.run(["createrepo_c", "-q", str(where / name)], check=True)
    return where


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_repository_dnf_enables_is_read(
    repositories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    repo, config = reposdir_config(
        tmp_path, "xs.repo", CASES[case].format(xs=repositories / "xs", os=repositories / "os")
    )
    assert dnf_packages(config, tmp_path) == {"base.noarch", "foo-citrix.noarch"}
    code, document = scan([str(repo)], capsys)
    statuses = {(row["name"], row["status"]) for row in document["packages"] if row["arch"] != "src"}
    assert statuses == {("base", "clean"), ("foo-citrix", "origin")} and code == 1


@pytest.fixture(scope="module")
def alternatives(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``app`` (audited, requires ``foo``), and ``foo`` from a clean and from a Citrix repository."""
    where = tmp_path_factory.mktemp("alternatives")
    top = where / "top"
    top.mkdir()
    build(where / "app", "app", CLEAN + "Requires: foo\n", top)
    build(where / "clean", "foo-clean", CLEAN + "Provides: foo\n", top)
    build(where / "xs", "foo-citrix", CITRIX + "Provides: foo\n", top)
    for name in ("app", "clean", "xs"):
        subprocess.run(["createrepo_c", "-q", str(where / name)], check=True)
    return where


@pytest.mark.parametrize("enabled", ["enabled=0\f", "enabled=0\n  # kept for later"])
def test_a_context_repository_one_reader_disables_is_no_alternative(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], enabled: str
) -> None:
    """dnf enables the clean ``foo``'s repository and yum's reading (configparser's) disables it:
    on a yum host (XCP-ng 8.x) installing ``app`` installs the Citrix ``foo``. Reading it as
    context because dnf's reading enables it made ``app`` may-depend, exit 0; the context must
    take what one reader alone enables as on that reader's hosts only (hidden on some hosts:
    no way around a Citrix provider)."""
    context, config = reposdir_config(
        tmp_path,
        "context.repo",
        f"[clean]\nname=clean\nbaseurl=file://{alternatives / 'clean'}\ngpgcheck=0\n{enabled}\n"
        f"[xs]\nname=xs\nbaseurl=file://{alternatives / 'xs'}\ngpgcheck=0\n",
    )
    assert dnf_packages(config, tmp_path) == {"foo-clean.noarch", "foo-citrix.noarch"}  # dnf: enabled
    code, document = scan([str(alternatives / "app"), "--with", str(context)], capsys)
    [app] = [row for row in document["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("depends", 1)
    assert any("[clean]" in warning and "hidden on some hosts" in warning for warning in document["warnings"])


def test_a_context_package_only_dnf_includes_is_no_alternative(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``includepkgs="foo-clean"``: dnf strips the quotes and includes the clean ``foo``; yum's
    reading (configparser's) keeps them and includes no package of the repository, so on a yum
    host installing ``app`` installs the Citrix ``foo``. Taking dnf's includepkgs alone made the
    clean ``foo`` an alternative and ``app`` may-depend, exit 0; a package either reading hides
    is no alternative, as for ``exclude``."""
    context, config = reposdir_config(
        tmp_path,
        "context.repo",
        f'[clean]\nname=clean\nbaseurl=file://{alternatives / "clean"}\ngpgcheck=0\nincludepkgs="foo-clean"\n'
        f"[xs]\nname=xs\nbaseurl=file://{alternatives / 'xs'}\ngpgcheck=0\n",
    )
    assert dnf_packages(config, tmp_path) == {"foo-clean.noarch", "foo-citrix.noarch"}  # dnf: included
    code, document = scan([str(alternatives / "app"), "--with", str(context)], capsys)
    [app] = [row for row in document["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("depends", 1)


def test_a_citrix_context_package_only_dnf_excludes_is_still_installed(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``exclude="foo-citrix"``: dnf strips the quotes and hides the Citrix ``foo``; yum's reading
    keeps them and hides nothing, so a yum host installing ``app`` may install the Citrix ``foo``.
    Both readings' patterns hid it from the context: ``app`` was clean, exit 0 (a91e9ed, reading
    as yum alone: may-depend)."""
    context, config = reposdir_config(
        tmp_path,
        "context.repo",
        f"[clean]\nname=clean\nbaseurl=file://{alternatives / 'clean'}\ngpgcheck=0\n"
        f'[xs]\nname=xs\nbaseurl=file://{alternatives / "xs"}\ngpgcheck=0\nexclude="foo-citrix"\n',
    )
    assert dnf_packages(config, tmp_path) == {"foo-clean.noarch"}  # dnf: excluded
    _code, document = scan([str(alternatives / "app"), "--with", str(context)], capsys)
    [app] = [row for row in document["packages"] if row["name"] == "app"]
    assert app["status"] == "may-depend"


def test_an_include_dnf_ignores_disables_no_repository_dnf_uses(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``[xs]`` holds ``include=off.conf``, a file setting ``enabled=0``: yum 3 disables ``xs``,
    dnf ignores the line and uses it. Reading the expanded text as dnf's too disabled it for
    both: the Citrix package was unseen, and the run clean, exit 0 (a91e9ed: origin, exit 1)."""
    (tmp_path / "off.conf").write_text("enabled=0\n")
    repo, config = reposdir_config(
        tmp_path,
        "xs.repo",
        f"[xs]\nname=xs\nbaseurl=file://{alternatives / 'xs'}\ngpgcheck=0\ninclude={tmp_path / 'off.conf'}\n"
        f"[clean]\nname=clean\nbaseurl=file://{alternatives / 'clean'}\ngpgcheck=0\n",
    )
    assert dnf_packages(config, tmp_path) == {"foo-clean.noarch", "foo-citrix.noarch"}
    code, document = scan([str(repo)], capsys)
    statuses = {(row["name"], row["status"]) for row in document["packages"] if row["arch"] != "src"}
    assert statuses == {("foo-clean", "clean"), ("foo-citrix", "origin")} and code == 1


def test_a_context_section_only_an_include_adds_is_no_alternative(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The clean ``foo``'s section is in a file the context configuration includes: yum reads it,
    dnf (which ignores include=) does not, so on a dnf host installing ``app`` installs the
    Citrix ``foo``. Read as context, it made ``app`` may-depend, exit 0."""
    part = tmp_path / "clean.part"
    part.write_text(f"[clean]\nname=clean\nbaseurl=file://{alternatives / 'clean'}\ngpgcheck=0\n")
    context, config = reposdir_config(
        tmp_path,
        "context.repo",
        f"[xs]\nname=xs\nbaseurl=file://{alternatives / 'xs'}\ngpgcheck=0\ninclude={part}\n",
    )
    assert dnf_packages(config, tmp_path) == {"foo-citrix.noarch"}  # dnf: no [clean]
    code, document = scan([str(alternatives / "app"), "--with", str(context)], capsys)
    [app] = [row for row in document["packages"] if row["name"] == "app"]
    assert (app["status"], code) == ("depends", 1)
    assert any("[clean]" in warning and "hidden on some hosts" in warning for warning in document["warnings"])


def test_an_audited_citrix_package_only_dnf_excludes_still_meets_a_requirement(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The audited variant: ``[xs]`` of the audited configuration has ``exclude="foo-citrix"``,
    which yum's reading does not hide. foo-citrix was marked hidden from dnf (it meets no
    requirement), and ``app``, which a yum host may give the Citrix ``foo``, was clean
    (a91e9ed: may-depend)."""
    (tmp_path / "repos.d").mkdir()
    repo = tmp_path / "repos.d" / "all.repo"
    repo.write_text(
        "".join(
            f"[{name}]\nname={name}\nbaseurl=file://{alternatives / name}\ngpgcheck=0\n"
            for name in ("app", "clean", "xs")
        )
        + 'exclude="foo-citrix"\n'
    )
    _code, document = scan([str(repo)], capsys)
    [app] = [row for row in document["packages"] if row["name"] == "app"]
    assert app["status"] == "may-depend"


@pytest.mark.parametrize("case", ["second header", "include"])
def test_a_repository_each_reader_names_differently_is_read_for_each(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    """dnf's and yum's readings of ``[r]`` name different repositories: dnf merges a second
    header ``[r] ; again [see]`` into ``r`` (its baseurl wins), configparser makes it another
    section; dnf ignores ``include=``, yum takes the baseurl the included file sets. Merged as
    mirrors of one repository, only dnf's was read: yum's, the Citrix one, was unseen, exit 0."""
    (tmp_path / "repos.d").mkdir()
    xs, clean = f"baseurl=file://{alternatives / 'xs'}\n", f"baseurl=file://{alternatives / 'clean'}\n"
    repo = tmp_path / "repos.d" / "r.repo"
    if case == "second header":
        repo.write_text(f"[r]\nname=r\n{xs}gpgcheck=0\n[r] ; again [see]\n{clean}")
    else:
        (tmp_path / "x.conf").write_text(xs)
        repo.write_text(f"[r]\nname=r\n{clean}gpgcheck=0\ninclude={tmp_path / 'x.conf'}\n")
    config = tmp_path / "dnf.conf"
    config.write_text(f"[main]\ngpgcheck=0\nreposdir={tmp_path / 'repos.d'}\n")
    assert dnf_packages(config, tmp_path) == {"foo-clean.noarch"}  # dnf: the clean one alone
    code, document = scan([str(repo)], capsys)
    statuses = {(row["name"], row["status"]) for row in document["packages"] if row["arch"] != "src"}
    assert ("foo-citrix", "origin") in statuses and code == 1


def test_an_indented_comment_in_a_url_list_is_more_urls_to_both_readers(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An indented comment after ``baseurl`` is more of the value to dnf (``#``, ``old``: URLs it
    tries after the first) and to yum 3's iniparse too, whose ``UrlListOption`` then refuses
    ``#`` (no scheme) and skips the section: the clean repository is on dnf's hosts only, no
    way around the Citrix ``foo`` that yum hosts install (``app`` depends), with a warning."""
    context, config = reposdir_config(
        tmp_path,
        "context.repo",
        f"[clean]\nname=clean\nbaseurl=file://{alternatives / 'clean'}\n  # was old\ngpgcheck=0\n"
        f"[xs]\nname=xs\nbaseurl=file://{alternatives / 'xs'}\ngpgcheck=0\n",
    )
    assert dnf_packages(config, tmp_path) == {"foo-clean.noarch", "foo-citrix.noarch"}
    _code, document = scan([str(alternatives / "app"), "--with", str(context)], capsys)
    [app] = [row for row in document["packages"] if row["name"] == "app"]
    assert app["status"] == "depends"
    [said] = [warning for warning in document.get("warnings", []) if "hidden on some hosts" in warning]
    assert "[clean]" in said and "yum 3 cannot parse baseurl" in said and 'not ""' in said


@pytest.mark.parametrize("shape", ["included", "dnf-refuses-the-file"])
def test_a_context_repository_only_yum_reads_is_no_alternative(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: str
) -> None:
    """The clean ``foo``'s section is one dnf never reads: written in a file ``include=`` names
    (dnf ignores the line), or in a file libdnf refuses whole (text after a section header, which configparser
    drops). On a dnf
    host installing ``app`` installs the Citrix ``foo``; a section only one reader has is no
    alternative on the other's hosts, as one only one reader enables is not (0a2ec47): its
    packages are hidden on some hosts."""
    (tmp_path / "repos.d").mkdir()
    context = tmp_path / "repos.d" / "context.repo"
    clean = f"[clean]\nname=clean\nbaseurl=file://{alternatives / 'clean'}\ngpgcheck=0\n"
    xs = f"[xs]\nname=xs\nbaseurl=file://{alternatives / 'xs'}\ngpgcheck=0\n"
    if shape == "included":
        (tmp_path / "clean.inc").write_text(clean)
        context.write_text(f"{xs}include={tmp_path / 'clean.inc'}\n")
    else:
        context.write_text(f"{xs}{clean}[other] text after its header\n")
    config = tmp_path / "dnf.conf"
    config.write_text(f"[main]\ngpgcheck=0\nreposdir={tmp_path / 'repos.d'}\n")
    expected = {"foo-citrix.noarch"} if shape == "included" else set()
    assert dnf_packages(config, tmp_path) == expected  # dnf: no clean foo
    code, document = scan([str(alternatives / "app"), "--with", str(context)], capsys)
    [app] = [row for row in document["packages"] if row["name"] == "app"]
    # A refused file gives dnf neither repository: no foo at all, and the context holds none.
    assert (app["status"], code) == ("depends" if shape == "included" else "unresolved", 1)
    assert any("[clean]" in warning and "hidden on some hosts" in warning for warning in document["warnings"])
