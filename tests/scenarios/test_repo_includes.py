"""A configuration's ``include=`` lines are followed as yum 3 (XCP-ng 8.x) follows them.

yum reads every ``yum.conf`` and ``.repo`` file through ``ConfigPreProcessor`` (yum/parser.py,
rpm-software-management/yum at 4ed25525): each line ``include=URL``, in any section and in
included files too, is replaced by the lines of the file it names, resolved against the URL of
the file holding it, ``$var`` substituted; a repeat of the same URL in the same section is
skipped, which ends loops. dnf 4 ignores the line (libdnf's ``ConfigParser::read``): the
sections of an included file are yum's only. Ignoring the line made a ``yum.conf`` whose
``include=`` pulls in a ``repo.citrite.net`` section audit clean: no finding, no gap, exit 0.
An include the auditor cannot follow (a remote URL, a file it cannot read) is an ``empty-input``
gap naming it, and a remote one on a Citrix host is a finding of the configuration. Packages
built by rpmbuild, repositories by createrepo_c, remote files served over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.cli.main import main
from auditor.sources.repofile import MAX_SECTIONS
from auditor.sources.repoinclude import MAX_CONFIG_BYTES
from tests.httpserver import LocalServer
from tests.scenarios.test_repo_excludes import CITRIX, build
from tests.sources.test_unread_inputs import SCHEMA, gaps, repository

CITRITE = "https://repo.citrite.net/xs-internal/"
CLEAN = ("conflicts-obsoletes-2.0-1.noarch.rpm", "conflicts-obsoletes-2.0-1.src.rpm")
"""A binary and its source package, every requirement met: an audit of them alone is clean."""


def scan(args: list[str], capsys: pytest.CaptureFixture[str], fmt: str = "json") -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["scan", *args, "--format", fmt, "--no-cache"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def scan_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code, out, err = scan(args, capsys)
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    return code, document, err


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    """A repository of a clean binary and its source: an audit of it alone is complete."""
    return repository(tmp_path / "clean", *CLEAN)


def yum_conf(where: Path, clean: Path, main_lines: str) -> Path:
    """``yum.conf``: ``[main]`` with ``main_lines``, and ``[os]``, the clean repository."""
    (where / "etc").mkdir(exist_ok=True)
    config = where / "etc" / "yum.conf"
    # An empty reposdir= unless given: the host's default directories, unseen otherwise (a gap),
    # are not what this file is about.
    reposdir = "" if "reposdir=" in main_lines else "reposdir=\n"
    config.write_text(f"[main]\ngpgcheck=0\n{reposdir}{main_lines}\n[os]\nname=os\nbaseurl=file://{clean}\n")
    return config


def test_the_configuration_without_include_is_clean_and_complete(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ground the other tests stand on: what they add is all their verdicts change."""
    code, document, err = scan_json([str(yum_conf(tmp_path, clean, "")), "--strict"], capsys)
    assert (code, err) == (0, "") and document["completeness"]["complete"]


def test_an_included_section_on_a_citrix_host_is_a_finding(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "citrix.repo").write_text(f"[xs-internal]\nname=xs\nbaseurl={CITRITE}\nenabled=1\n")
    config = yum_conf(tmp_path, clean, f"include=file://{tmp_path / 'etc' / 'citrix.repo'}")
    code, document, err = scan_json([str(config)], capsys)
    [finding] = document["config_findings"]
    assert (finding["section"], finding["key"], finding["url"], finding["blocks"]) == (
        "xs-internal",
        "baseurl",
        CITRITE,
        True,
    )
    assert code == 1 and "gap:repository-not-read" in gaps(document)
    assert "as yum 3 follows it; dnf ignores include=" in err
    # The finding names the file the URL is written in, where a release manager will look for it.
    assert finding["file"] == str(tmp_path / "etc" / "citrix.repo")
    assert "citrix.repo" in scan([str(config)], capsys, fmt="sarif")[1]


def test_nested_relative_includes_are_read_as_yum_reads_them(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``include=repos/outer.repo`` (a plain path, relative to ``yum.conf``'s directory) holds
    ``include=inner.repo`` (relative to its own), whose section configures a repository with a
    Citrix package: yum reads it, so the package is audited."""
    top = tmp_path / "top"
    top.mkdir()
    build(tmp_path / "xs", "foo-citrix", CITRIX, top)
    subprocess.run(["createrepo_c", "-q", str(tmp_path / "xs")], check=True)
    repos = tmp_path / "etc" / "repos"
    repos.mkdir(parents=True)
    (repos / "outer.repo").write_text("# the XenServer bits\ninclude=inner.repo\n")
    (repos / "inner.repo").write_text(f"[xs]\nname=xs\nbaseurl=file://{tmp_path / 'xs'}\n")
    config = yum_conf(tmp_path, clean, "include=repos/outer.repo")
    code, document, _ = scan_json([str(config)], capsys)
    statuses = {row["name"]: row["status"] for row in document["packages"] if row["arch"] != "src"}
    assert statuses["foo-citrix"] == "origin" and code == 1


def test_a_reposdir_an_include_sets_is_read(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``[main]`` names ``reposdir=empty`` and includes a file naming another ``reposdir``, whose
    ``.repo`` file configures a repository with a Citrix package: yum reads the later value,
    dnf (which ignores include=) the first. Reading ``[main]`` as dnf reads it first read the
    first directory alone: the Citrix package was unseen, exit 0. Both are read."""
    top = tmp_path / "top"
    top.mkdir()
    build(tmp_path / "xs", "foo-citrix", CITRIX, top)
    subprocess.run(["createrepo_c", "-q", str(tmp_path / "xs")], check=True)
    (tmp_path / "empty").mkdir()
    (tmp_path / "yum.repos.d").mkdir()
    (tmp_path / "yum.repos.d" / "xs.repo").write_text(f"[xs]\nname=xs\nbaseurl=file://{tmp_path / 'xs'}\n")
    (tmp_path / "extra.conf").write_text(f"reposdir={tmp_path / 'yum.repos.d'}\n")
    main_lines = f"reposdir={tmp_path / 'empty'}\ninclude={tmp_path / 'extra.conf'}"
    code, document, _ = scan_json([str(yum_conf(tmp_path, clean, main_lines))], capsys)
    statuses = {row["name"]: row["status"] for row in document["packages"] if row["arch"] != "src"}
    assert statuses.get("foo-citrix") == "origin" and code == 1


def test_a_loop_of_includes_ends_as_yum_ends_it(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``yum.conf`` includes ``loop.repo``, which includes ``yum.conf`` back: yum reads each
    (URL, section) once and skips the repeat, which ends the loop; nothing is unseen."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "loop.repo").write_text(f"include=yum.conf\n[xs-internal]\nbaseurl={CITRITE}\n")
    config = yum_conf(tmp_path, clean, "include=loop.repo")
    code, document, err = scan_json([str(config)], capsys)
    assert [finding["url"] for finding in document["config_findings"]] == [CITRITE]
    assert "gap:empty-input" not in gaps(document) and code == 1
    assert "include=loop.repo again in the same section: skipped, as yum skips it" in err


def test_includes_past_the_bounds_are_an_input_error(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A chain of includes 40 files deep: refused in one line, not read without end."""
    chain = tmp_path / "etc" / "chain"
    chain.mkdir(parents=True)
    for index in range(40):
        (chain / f"c{index}.repo").write_text(f"[s{index}]\ninclude=c{index + 1}.repo\n")
    config = yum_conf(tmp_path, clean, "include=chain/c0.repo")
    code, document, err = scan_json([str(config)], capsys)
    [error] = document["errors"]
    assert code == 3 and error["input"] == str(config) and "nested deeper than 16 files" in error["message"]
    assert len([line for line in err.splitlines() if "nested deeper" in line]) == 1


def _padding(size: int, name: str = "x" * 220) -> str:
    """``size`` bytes of disabled sections, each ``name`` long: short ones are the shape both
    readers hold at the most per byte, past `MAX_SECTIONS` in 4 MiB."""
    one = f"[pad{{}}]\nname={name}\nbaseurl=file:///nowhere/\nenabled=0\n"
    text = "".join(one.format(number) for number in range(size // len(one.format(0)) + 1))
    return text[: text.rindex("[", 0, size)]


def test_a_configuration_past_its_bound_is_an_input_error_at_once(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A configuration of 16 MiB of short sections took 17 s and 900 MB to read both ways: past
    `MAX_CONFIG_BYTES` it is refused in one line; at the bound it is read, as a real one is."""
    config = yum_conf(tmp_path, clean, "")
    within = config.read_text() + _padding(MAX_CONFIG_BYTES - len(config.read_text()))
    config.write_text(within)
    assert len(within) <= MAX_CONFIG_BYTES
    code, document, _ = scan_json([str(config)], capsys)
    assert code == 0 and document["errors"] == []
    config.write_text(within + "#" * (MAX_CONFIG_BYTES + 1 - len(within)))
    code, document, err = scan_json([str(config)], capsys)
    [error] = document["errors"]
    assert code == 3 and error["input"] == str(config)
    assert error["message"] == f"larger than {MAX_CONFIG_BYTES} bytes; not a repository configuration"
    assert len([line for line in err.splitlines() if line.startswith("auditor: error:")]) == 1


def test_a_configuration_of_too_many_sections_is_an_input_error(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """4 MiB of short sections took 29 s of CPU and 500 MB to read both ways: past
    `MAX_SECTIONS` the configuration is refused in one line, the repository beside it audited."""
    config = yum_conf(tmp_path, clean, "")
    one = "[pad{}]\nenabled=0\n"
    config.write_text(config.read_text() + "".join(one.format(n) for n in range(MAX_SECTIONS)))
    code, document, err = scan_json([str(config), str(clean)], capsys)
    [error] = document["errors"]
    assert code == 3 and error["input"] == str(config) and document["packages"]
    assert error["message"] == f"more than {MAX_SECTIONS} sections; not a repository configuration"
    assert len([line for line in err.splitlines() if line.startswith("auditor: error:")]) == 1


def test_includes_past_the_bound_in_all_are_an_input_error(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each included file under the bound, together over it: the bound is the configuration's
    with everything it includes (each copy counted), not each file's."""
    (tmp_path / "etc").mkdir()
    for index in range(3):
        (tmp_path / "etc" / f"part{index}.repo").write_text(_padding(MAX_CONFIG_BYTES // 2))
    config = yum_conf(tmp_path, clean, "include=part0.repo\ninclude=part1.repo\ninclude=part2.repo")
    code, document, _ = scan_json([str(config)], capsys)
    [error] = document["errors"]
    assert code == 3 and f"its includes hold more than {MAX_CONFIG_BYTES} bytes" in error["message"]


@pytest.mark.parametrize("kind", ["missing", "directory", "fifo", "device", "symlink loop", "kernel file"])
def test_an_include_that_cannot_be_read_is_a_gap(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """yum refuses a configuration whose include it cannot open; the configuration may be audited
    away from the host whose files it names: what the file would add is unseen, a gap, said in
    one line naming it; never a hang on a FIFO or /dev/zero, nor on a file of /proc, which says it
    is regular (``/proc/kmsg`` is read by root forever; ``/proc/self/status`` stands for it here)."""
    special = {"missing": tmp_path / "nowhere.repo", "device": Path("/dev/zero")}
    named = {**special, "kernel file": Path("/proc/self/status")}.get(kind, tmp_path / kind)
    if kind == "directory":
        named.mkdir()
    elif kind == "fifo":
        os.mkfifo(named)
    elif kind == "symlink loop":
        os.symlink(tmp_path / "other", named)
        os.symlink(named, tmp_path / "other")
    config = yum_conf(tmp_path, clean, f"include={named}")
    code, document, err = scan_json([str(config), "--strict"], capsys)
    [said] = [line for line in err.splitlines() if "include=" in line]
    assert said.startswith(f"auditor: warning: {config} [main]: include={named} not followed (")
    assert code == 3 and gaps(document)["gap:empty-input"] == said.removeprefix("auditor: warning: ")
    assert [row["name"] for row in document["packages"]] == ["conflicts-obsoletes"] * 2


def test_a_remote_include_is_a_gap_and_judged_by_the_policy(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The auditor fetches only the URLs it is given: an ``http(s)`` include is a gap in every
    format; on a Citrix host, a finding of the configuration as well."""
    config = yum_conf(tmp_path, clean, f"include={CITRITE}xs.repo")
    code, document, _ = scan_json([str(config)], capsys)
    [finding] = document["config_findings"]
    assert (finding["section"], finding["key"], finding["url"]) == ("main", "include", f"{CITRITE}xs.repo")
    said = f"{config} [main]: include={CITRITE}xs.repo not followed (a remote URL: the auditor fetches only"
    assert code == 1 and gaps(document)["gap:empty-input"].startswith(said)
    config.write_text(config.read_text().replace(CITRITE, "https://mirrors.example.org/"))
    code, table, _ = scan([str(config), "--strict"], capsys, "table")
    assert code == 3 and "incomplete: 1 empty-input" in table
    code, sarif, _ = scan([str(config)], capsys, "sarif")
    notes = json.loads(sarif)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert code == 0 and any(
        "include=https://mirrors.example.org/xs.repo" in n["message"]["text"] for n in notes
    )


def test_the_includes_of_a_configuration_given_by_url_are_not_fetched(
    server: LocalServer, www: Path, tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A configuration fetched from a URL the user gave: its relative include names another URL
    of that host, and its absolute path a file of that host, never this machine's."""
    local = tmp_path / "local.repo"
    local.write_text(f"[xs-internal]\nbaseurl={CITRITE}\n")
    (www / "xcp.repo").write_text(f"[main]\ninclude=extra.repo\ninclude=file://{local}\n")
    (www / "extra.repo").write_text(f"[xs-internal]\nbaseurl={CITRITE}\n")
    code, document, _ = scan_json([str(clean), server.url("/xcp.repo"), "--strict"], capsys)
    assert server.paths() == ["/xcp.repo"] and not document.get("config_findings")
    reasons = [
        gap["capability"] for gap in document["completeness"]["gaps"] if gap["rule"] == "gap:empty-input"
    ]
    assert code == 3 and len(reasons) == 2
    assert "a remote URL" in reasons[0] and "a file of the host the configuration came from" in reasons[1]


def test_an_include_with_a_variable_is_read_with_it_expanded(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """yum substitutes its variables in the include line (BZ 977380); one the auditor was not
    given is a gap, as it cannot tell which file yum would read."""
    (tmp_path / "etc" / "8.2").mkdir(parents=True)
    (tmp_path / "etc" / "8.2" / "xs.repo").write_text(f"[xs-internal]\nbaseurl={CITRITE}\n")
    config = yum_conf(tmp_path, clean, "include=$releasever/xs.repo")
    code, document, _ = scan_json([str(config), "--releasever", "8.2"], capsys)
    assert code == 1 and [finding["url"] for finding in document["config_findings"]] == [CITRITE]
    code, document, _ = scan_json([str(config), "--strict"], capsys)
    assert code == 3 and "$releasever left unexpanded" in gaps(document)["gap:empty-input"]


def test_an_empty_include_is_an_input_error(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """yum refuses it ("include must specify file to include")."""
    config = yum_conf(tmp_path, clean, "include=")
    code, document, _ = scan_json([str(config)], capsys)
    assert code == 3 and [error["input"] for error in document["errors"]] == [str(config)]


@pytest.mark.parametrize("url", ["http://[::1/xs.repo", "file://[::1/xs.repo", "https://[citrite]/xs.repo"])
def test_an_include_urllib_cannot_read_is_a_gap_not_an_internal_error(
    tmp_path: Path, clean: Path, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """An unclosed IPv6 bracket, or a bracketed host that is no address, made ``urljoin`` raise
    ValueError: exit 4. yum cannot open it either; what it would add is unseen, a gap."""
    config = yum_conf(tmp_path, clean, f"include={url}")
    code, document, err = scan_json([str(config), "--strict"], capsys)
    said = f"auditor: warning: {config} [main]: include={url} not followed (not a URL the auditor can read)"
    assert code == 3 and said in err.splitlines()
    assert gaps(document)["gap:empty-input"] == said.removeprefix("auditor: warning: ")
