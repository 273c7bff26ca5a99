"""A section of an audited configuration only one reader reads or enables is on some hosts only.

XCP-ng hosts run yum 3 (whose reading is configparser's, with ``include=`` expanded) and dnf
(libdnf's, which ignores ``include=``, refuses some files whole, and reads ``enabled=0\\f`` as
false where configparser strips the form feed... or the other way round). A section only one
reader reads or enables is a repository the other's hosts lack: its Citrix packages are still
providers (the hosts that have it may install them), and its clean ones no way around a
Citrix provider (the hosts that lack it install the Citrix one). Audited, such a section was
read as visible on every host: ``app`` was ``may-depend`` (not blocking), exit 0, where a host
installs the Citrix ``foo``. dnf is the authority on what dnf reads (``dnf repoquery`` over the
same configuration); the packages are built by rpmbuild, the repositories by createrepo_c (the
``alternatives`` fixture: ``app`` requires ``foo``, which ``foo-clean`` and ``foo-citrix`` provide).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.scenarios.test_repo_syntax import alternatives, reposdir_config
from tests.scenarios.test_reposdir import dnf_packages, scan

__all__ = ["alternatives"]  # the module-scoped fixture, built once here too


def _section(name: str, where: Path, options: str = "") -> str:
    return f"[{name}]\nname={name}\nbaseurl=file://{where}\ngpgcheck=0\n{options}"


def _status(document: dict[str, Any], name: str) -> str:
    [row] = [row for row in document["packages"] if row["name"] == name and row["arch"] != "src"]
    return str(row["status"])


def _audited(alternatives: Path, tmp_path: Path, shape: str) -> tuple[Path, Path, set[str]]:
    """An audited ``.repo`` holding ``[app]``, ``[xs]`` and a ``[clean]`` only one reader reads or
    enables, shaped as ``shape``; the dnf.conf dnf is asked through, and what dnf should see."""
    both = _section("app", alternatives / "app") + _section("xs", alternatives / "xs")
    clean = _section("clean", alternatives / "clean")
    dnf_sees = {"app.noarch", "foo-citrix.noarch"}
    if shape == "included":  # yum reads [clean] from the included file, dnf ignores include=
        (tmp_path / "clean.inc").write_text(clean)
        text = both + f"include={tmp_path / 'clean.inc'}\n"
    elif shape == "yum-disables":  # configparser strips the form feed: "0", disabled for yum
        text = both + clean + "enabled=0\f\n"
        dnf_sees |= {"foo-clean.noarch"}
    elif shape == "dnf-disables":  # dnf reads enabled=0 (Enabled is no option of its); yum 3 reads
        # names in any case, the later winning: Enabled=1. (``enabled="0"`` is false to dnf, which
        # strips the quotes, and refused by yum 3's BoolOption, which then skips the section too.)
        text = both + clean + "enabled=0\nEnabled=1\n"
    elif shape == "dnf-refuses-its-file":  # libdnf skips a file whole, configparser reads it
        (tmp_path / "repos.d").mkdir()
        (tmp_path / "repos.d" / "clean.repo").write_text(clean + "[other] text after its header\n")
        text = both
    elif shape == "each-reader-its-url":  # dnf's [r] names the Citrix repository, yum's the clean one
        (tmp_path / "clean.conf").write_text(f"baseurl=file://{alternatives / 'clean'}\n")
        text = both + _section("r", alternatives / "xs", f"include={tmp_path / 'clean.conf'}\n")
    else:
        raise AssertionError(shape)
    if shape == "dnf-refuses-its-file":  # the dnf.conf naming both files is the one audited
        (tmp_path / "repos.d" / "all.repo").write_text(text)
        config = tmp_path / "dnf.conf"
        config.write_text(f"[main]\ngpgcheck=0\nreposdir={tmp_path / 'repos.d'}\n")
        return config, config, dnf_sees
    return (*reposdir_config(tmp_path, "all.repo", text), dnf_sees)


SHAPES = ["included", "yum-disables", "dnf-disables", "dnf-refuses-its-file", "each-reader-its-url"]


@pytest.mark.parametrize("shape", SHAPES)
def test_an_audited_clean_section_one_reader_lacks_is_no_alternative(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: str
) -> None:
    """On the hosts whose reader lacks or disables ``[clean]``, installing ``app`` installs the
    Citrix ``foo``: ``app`` depends, exit 1 (it was may-depend, exit 0), and a warning names the
    section and the reader whose hosts lack it."""
    repo, config, dnf_sees = _audited(alternatives, tmp_path, shape)
    assert dnf_packages(config, tmp_path) == dnf_sees
    code, document = scan([str(repo)], capsys)
    assert (_status(document, "app"), code) == ("depends", 1)
    assert _status(document, "foo-clean") == "clean"  # audited all the same
    lacking = "yum" if shape == "yum-disables" else "dnf"
    assert any(
        "hidden on some hosts" in warning and f"{lacking}'s reading" in warning and "foo-clean" in warning
        for warning in document["warnings"]
    ), document["warnings"]
    [hop] = next(row for row in document["packages"] if row["name"] == "app")["chain"]
    assert (hop["alternatives"], hop["tainted"], hop["hidden_on_some_hosts"]) == (2, 1, 1)


def test_an_audited_citrix_section_only_yum_reads_still_provides(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Citrix ``foo``'s section comes from an ``include=`` dnf ignores: a yum host may install
    it for ``app``, a dnf host has the clean one alone. ``app`` may depend on it (not clean)."""
    (tmp_path / "xs.inc").write_text(_section("xs", alternatives / "xs"))
    repo, config = reposdir_config(
        tmp_path,
        "all.repo",
        _section("app", alternatives / "app")
        + _section("clean", alternatives / "clean")
        + f"include={tmp_path / 'xs.inc'}\n",
    )
    assert dnf_packages(config, tmp_path) == {"app.noarch", "foo-clean.noarch"}
    code, document = scan([str(repo)], capsys)
    assert (_status(document, "app"), _status(document, "foo-citrix"), code) == ("may-depend", "origin", 1)


def test_a_section_both_readers_read_is_visible_everywhere(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The control: ``[clean]`` read and enabled by both is a way around the Citrix ``foo``
    on every host: ``app`` may-depend, and no "hidden on some hosts" warning."""
    repo, config = reposdir_config(
        tmp_path,
        "all.repo",
        _section("app", alternatives / "app")
        + _section("xs", alternatives / "xs")
        + _section("clean", alternatives / "clean"),
    )
    assert dnf_packages(config, tmp_path) == {"app.noarch", "foo-clean.noarch", "foo-citrix.noarch"}
    code, document = scan([str(repo)], capsys)
    assert (_status(document, "app"), code) == ("may-depend", 1)
    assert not any("hidden on some hosts" in warning for warning in document.get("warnings", []))


@pytest.mark.parametrize("shape", ["quoted-exclude", "included"])
def test_a_package_hidden_where_its_providers_are_is_resolved(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: str
) -> None:
    """``app`` and the clean ``foo`` are both hidden on dnf hosts (a quoted ``exclude=`` dnf
    alone reads as a name, or sections in a file only yum includes): a dnf host has neither, a
    yum host both. ``app``'s requirement is met wherever ``app`` is; it was unresolved (its
    only provider hidden on dnf hosts), exit 1."""
    sections = _section("app", alternatives / "app", 'exclude="app"\n') + _section(
        "clean", alternatives / "clean", 'exclude="foo-clean"\n'
    )
    text = sections
    if shape == "included":
        (tmp_path / "yum.inc").write_text(
            _section("app", alternatives / "app") + _section("clean", alternatives / "clean")
        )
        # dnf reads [other] alone, which hides foo-clean from every host; yum's [clean] shows it.
        text = f"[other]\nname=other\nbaseurl=file://{alternatives / 'clean'}\nexclude=foo-clean\n"
        text += f"gpgcheck=0\ninclude={tmp_path / 'yum.inc'}\n"
    repo, config = reposdir_config(tmp_path, "all.repo", text)
    assert dnf_packages(config, tmp_path) == set()  # dnf: neither app nor foo-clean
    code, document = scan([str(repo)], capsys)
    assert (_status(document, "app"), code) == ("clean", 0)


@pytest.mark.parametrize("shape", ["included", "yum-disables"])
def test_a_citrix_context_section_one_reader_lacks_is_still_a_provider(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: str
) -> None:
    """As context, the Citrix ``foo``'s section is one only one reader reads or enables (dnf
    ignores the ``include=`` naming it; configparser strips ``enabled=0\\f`` to ``0``, dnf reads
    an invalid boolean and enables it). The hosts of the other reader may install it for
    ``app``: ``app`` may depend on it. Not read as context, it left ``app`` clean."""
    xs = _section("xs", alternatives / "xs")
    if shape == "included":
        (tmp_path / "xs.inc").write_text(xs)
        text = _section("clean", alternatives / "clean") + f"include={tmp_path / 'xs.inc'}\n"
        dnf_sees = {"foo-clean.noarch"}
    else:
        text = _section("clean", alternatives / "clean") + xs + "enabled=0\f\n"
        dnf_sees = {"foo-clean.noarch", "foo-citrix.noarch"}
    context, config = reposdir_config(tmp_path, "context.repo", text)
    assert dnf_packages(config, tmp_path) == dnf_sees
    _code, document = scan([str(alternatives / "app"), "--with", str(context)], capsys)
    assert _status(document, "app") == "may-depend"
    assert any("[xs]" in warning and "hidden on some hosts" in warning for warning in document["warnings"])


def test_providers_one_reader_lacks_alike_leave_a_way_around_on_the_others(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both ``foo``s are hidden on dnf hosts (quoted excludes only dnf reads as names): there
    ``app``'s requirement is unresolved, and on yum hosts, which have both, the clean one is a
    way around the Citrix one (may-depend). The group was read as all tainted: ``app`` depends,
    where no host installs the Citrix ``foo`` without a choice."""
    context, config = reposdir_config(
        tmp_path,
        "context.repo",
        _section("clean", alternatives / "clean", 'exclude="foo-clean"\n')
        + _section("xs", alternatives / "xs", 'exclude="foo-citrix"\n'),
    )
    assert dnf_packages(config, tmp_path) == set()  # dnf: neither foo
    code, document = scan([str(alternatives / "app"), "--with", str(context)], capsys)
    assert (_status(document, "app"), code) == ("unresolved", 1)
    [row] = [row for row in document["packages"] if row["name"] == "app"]
    [unresolved] = row["unresolved"]
    assert unresolved["requirement"] == "foo" and "dnf's reading" in unresolved["detail"]
    assert not row.get("chain")  # no chain to the Citrix foo: a yum host has the clean one


@pytest.mark.parametrize("order", ["both-first", "one-first"])
def test_a_repository_another_section_shows_every_host_is_not_said_hidden(
    alternatives: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], order: str
) -> None:
    """``[clean]`` is read by both readers, and ``[clean-again]``, naming the same repository, by
    yum's alone (an ``include=``): every host has the clean ``foo`` through ``[clean]``, so it is
    a way around (``app`` may-depend), and the run must not say dnf hosts lack it."""
    (tmp_path / "again.inc").write_text(_section("clean-again", alternatives / "clean"))
    include = f"include={tmp_path / 'again.inc'}\n"
    xs, clean = _section("xs", alternatives / "xs"), _section("clean", alternatives / "clean")
    text = xs + clean + include if order == "both-first" else xs + include + clean
    repo, config = reposdir_config(tmp_path, "all.repo", _section("app", alternatives / "app") + text)
    assert dnf_packages(config, tmp_path) == {"app.noarch", "foo-clean.noarch", "foo-citrix.noarch"}
    _code, document = scan([str(repo)], capsys)
    assert _status(document, "app") == "may-depend"
    shown = [warning for warning in document["warnings"] if "shows to every host" in warning]
    hidden = [w for w in document["warnings"] if "hidden on some hosts" in w and w not in shown]
    assert (len(hidden), len(shown)) == ((0, 0) if order == "both-first" else (1, 1)), document["warnings"]
