"""A package one reading of its configuration hides and the other shows is on some hosts only.

XCP-ng hosts run yum 3 (whose reading is configparser's) and dnf (libdnf's): a quoted
``exclude="foo-citrix"`` or ``includepkgs="foo-clean"`` is a name to dnf, which strips the
quotes, and a quoted word matching nothing to configparser. A clean verdict must hold on
either host: such a package is a provider where it is Citrix (the host that sees it may
install it) and no way around where it is clean (the host that hides it lacks it). dnf is
the authority on what its reading hides (``dnf repoquery`` over the same configuration); the
packages are built by rpmbuild, the repositories by createrepo_c (the ``alternatives``
fixture: ``app`` requires ``foo``, which ``foo-clean`` and ``foo-citrix`` provide).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import build_repository
from tests.scenarios.test_repo_syntax import alternatives, reposdir_config
from tests.scenarios.test_reposdir import dnf_packages, scan

__all__ = ["alternatives"]  # the module-scoped fixture, built once here too


def _section(name: str, where: Path, options: str = "") -> str:
    return f"[{name}]\nname={name}\nbaseurl=file://{where}\ngpgcheck=0\n{options}"


def _app(document: dict[str, Any]) -> dict[str, Any]:
    [app] = [row for row in document["packages"] if row["name"] == "app"]
    return dict(app)


def test_a_requirement_only_dnf_shows_a_provider_of_is_unresolved(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``includepkgs="foo-clean"`` in the only repository providing ``foo``: dnf shows
    ``foo-clean``, yum's reading none, so on a yum host ``app`` cannot be installed. Taking
    dnf's includepkgs alone made ``app`` clean, exit 0."""
    context, config = reposdir_config(
        tmp_path, "context.repo", _section("clean", alternatives / "clean", 'includepkgs="foo-clean"\n')
    )
    assert dnf_packages(config, tmp_path) == {"foo-clean.noarch"}  # dnf: included
    code, document = scan([str(alternatives / "app"), "--with", str(context)], capsys)
    assert (_app(document)["status"], code) == ("unresolved", 1)
    [unresolved] = _app(document)["unresolved"]
    assert unresolved["requirement"] == "foo" and "yum's reading" in unresolved["detail"]


def test_an_audited_clean_package_only_dnf_includes_is_no_alternative(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The audited variant of the context case: ``[clean]`` of the audited configuration has
    ``includepkgs="foo-clean"``, which includes nothing as yum reads it. A yum host installing
    ``app`` installs the Citrix ``foo``: it depends (it was may-depend, exit 0)."""
    repo, config = reposdir_config(
        tmp_path,
        "all.repo",
        _section("app", alternatives / "app")
        + _section("clean", alternatives / "clean", 'includepkgs="foo-clean"\n')
        + _section("xs", alternatives / "xs"),
    )
    assert dnf_packages(config, tmp_path) == {"app.noarch", "foo-clean.noarch", "foo-citrix.noarch"}
    code, document = scan([str(repo)], capsys)
    assert (_app(document)["status"], code) == ("depends", 1)
    assert any("hidden on some hosts" in warning for warning in document["warnings"])


def test_a_chain_says_which_alternatives_some_hosts_lack(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``app`` depends on the Citrix ``foo`` because the clean one is hidden on yum hosts: its
    chain counts the clean one as an alternative, and says it is hidden on some hosts (the
    text, and the JSON's ``hidden_on_some_hosts``), or a reader who knows it would see a
    wrong verdict."""
    context, _config = reposdir_config(
        tmp_path,
        "context.repo",
        _section("clean", alternatives / "clean", 'includepkgs="foo-clean"\n')
        + _section("xs", alternatives / "xs"),
    )
    _code, document = scan([str(alternatives / "app"), "--with", str(context)], capsys)
    [hop] = _app(document)["chain"]
    assert (hop["alternatives"], hop["tainted"], hop["hidden_on_some_hosts"]) == (2, 1, 1)
    capsys.readouterr()
    main(["scan", str(alternatives / "app"), "--with", str(context), "-q", "--no-cache"])
    assert "1 hidden on some hosts" in capsys.readouterr().out


def test_a_root_only_dnf_excludes_is_installed_by_yum(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``exclude="foo-citrix"`` hides the Citrix package from dnf, not from yum: ``--roots
    foo-citrix`` installs it on a yum host. It was refused as a package dnf cannot install
    (exit 2), and the run said nothing of it."""
    repo, config = reposdir_config(
        tmp_path,
        "all.repo",
        _section("clean", alternatives / "clean")
        + _section("xs", alternatives / "xs", 'exclude="foo-citrix"\n'),
    )
    assert dnf_packages(config, tmp_path) == {"foo-clean.noarch"}  # dnf: excluded
    code, document = scan([str(repo), "--roots", "foo-citrix"], capsys)
    statuses = {(row["name"], row["status"]) for row in document["packages"] if row["arch"] != "src"}
    assert ("foo-citrix", "origin") in statuses and code == 1


def test_a_main_exclude_only_dnf_reads_leaves_a_citrix_provider(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``[main]`` of ``dnf.conf`` has ``exclude="foo-citrix"``, which dnf applies to the
    repositories of its ``reposdir`` and yum's reading does not: a yum host installing ``app``
    may install the Citrix ``foo``. Both readings' patterns hid it: ``app`` was clean, exit 0."""
    (tmp_path / "repos.d").mkdir()
    (tmp_path / "repos.d" / "context.repo").write_text(
        _section("clean", alternatives / "clean") + _section("xs", alternatives / "xs")
    )
    config = tmp_path / "dnf.conf"
    config.write_text(f'[main]\ngpgcheck=0\nexclude="foo-citrix"\nreposdir={tmp_path / "repos.d"}\n')
    assert dnf_packages(config, tmp_path) == {"foo-clean.noarch"}  # dnf: excluded
    _code, document = scan([str(alternatives / "app"), "--with", str(config)], capsys)
    assert _app(document)["status"] == "may-depend"


def test_a_package_some_section_shows_each_host_is_on_those_hosts(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two sections name the Citrix repository: dnf's reading hides ``foo-citrix`` in both, yum's
    only in the second, so yum hosts see it through the first. Read once for both sections,
    it was hidden as every section hid it as one of the readings did: ``app`` clean, exit 0."""
    context, config = reposdir_config(
        tmp_path,
        "context.repo",
        _section("clean", alternatives / "clean")
        + _section("xs", alternatives / "xs", 'exclude="foo-citrix"\n')
        + _section("xs-again", alternatives / "xs", "exclude=foo-citrix\n"),
    )
    assert dnf_packages(config, tmp_path) == {"foo-clean.noarch"}  # dnf: hidden by both sections
    _code, document = scan([str(alternatives / "app"), "--with", str(context)], capsys)
    assert _app(document)["status"] == "may-depend"


def test_a_package_both_readings_hide_is_hidden_everywhere(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unquoted, both readings hide ``foo-clean``: it is hidden on every host, as before (no
    alternative, not read as context), and ``app`` depends on the Citrix ``foo``."""
    context, config = reposdir_config(
        tmp_path,
        "context.repo",
        _section("clean", alternatives / "clean", "exclude=foo-clean\n")
        + _section("xs", alternatives / "xs"),
    )
    assert dnf_packages(config, tmp_path) == {"foo-citrix.noarch"}
    code, document = scan([str(alternatives / "app"), "--with", str(context)], capsys)
    assert (_app(document)["status"], code) == ("depends", 1)
    assert not any("hidden on some hosts" in warning for warning in document["warnings"])
    assert any("1 package(s) not read, hidden by exclude=foo-clean" in w for w in document["warnings"])


def test_a_build_requirement_only_dnf_shows_a_clean_provider_of_is_build_tainted(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``tool``'s source package BuildRequires ``foo``; as context, the clean ``foo`` is included
    by dnf's reading only (``includepkgs="foo-clean"``). ``dnf builddep`` on a yum host installs
    the Citrix one: the source package build-depends (it was clean, exit 0)."""
    build_repository([{"name": "tool", "buildrequires": ["foo"]}], tmp_path / "tool")
    context, _config = reposdir_config(
        tmp_path,
        "context.repo",
        _section("clean", alternatives / "clean", 'includepkgs="foo-clean"\n')
        + _section("xs", alternatives / "xs"),
    )
    code, document = scan([str(tmp_path / "tool" / "SRPMS"), "--with", str(context)], capsys)
    [tool] = [row for row in document["packages"] if row["name"] == "tool"]
    assert (tool["status"], code) == ("build-depends", 1)


def test_disable_excludes_is_read_by_each_reader_apart(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``disable_excludes="all"`` in ``[main]`` is ``all`` to dnf, which then shows the
    ``foo-clean`` that ``exclude=foo-clean`` names (dnf says so), and a quoted word to yum's
    reading (yum 3's ``disable_excludes`` is a list option), whose hosts hide it: there
    ``app`` installs the Citrix ``foo``. Taking dnf's ``disable_excludes`` for both readers made
    ``app`` may-depend, exit 0."""
    config = tmp_path / "yum.conf"
    config.write_text(
        f'[main]\ngpgcheck=0\nreposdir={tmp_path / "none"}\ndisable_excludes="all"\nexclude=foo-clean\n'
        + _section("clean", alternatives / "clean")
        + _section("xs", alternatives / "xs")
    )
    (tmp_path / "none").mkdir()
    assert dnf_packages(config, tmp_path) == {"foo-clean.noarch", "foo-citrix.noarch"}
    code, document = scan([str(alternatives / "app"), "--with", str(config)], capsys)
    assert (_app(document)["status"], code) == ("depends", 1)
