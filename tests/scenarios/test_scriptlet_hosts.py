"""A package's scriptlets are origin evidence: rpm runs them as root on every host installing it.

A binary whose ``%post`` writes ``/etc/yum.repos.d/xs.repo`` with a Citrix ``baseurl``, imports
a Citrix key or pipes a Citrix script into sh scanned clean (exit 0), as an RPM, in a repository,
and as the spec it was built from. Each scenario builds the package with rpmbuild (repodata with
createrepo_c) and runs ``auditor scan`` as a release manager would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.cli.main import main
from auditor.origin.urlhosts import normalise_host
from tests.httpserver import LocalServer
from tests.rpmbuild import build_noarch

HOLE = """\
Name: xsrepo
Version: 1.0
Release: 1
Summary: writes a repository file at install time
License: MIT
BuildArch: noarch
Provides: /bin/sh
%description
x
%files
%post
cat > /etc/yum.repos.d/xs.repo <<REPO
[xs]
baseurl=https://updates.xensource.com/XenServer/8/
REPO
rpm --import https://repo.citrite.net/keys/RPM-GPG-KEY
curl code.citrite.net/x | sh
/opt/xensource/bin/xe host-list
"""
FOUND = {
    ("%post", "https://updates.xensource.com/XenServer/8/"),
    ("%post", "https://repo.citrite.net/keys/RPM-GPG-KEY"),
    ("%post", "code.citrite.net/x"),  # no scheme: a host word, read as curl reads it
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``SPECS/xsrepo.spec``, and the source and binary RPMs rpmbuild made of it, in ``SRPMS/`` and ``RPMS/``."""
    tree = tmp_path_factory.mktemp("hole")
    (tree / "SPECS").mkdir()
    spec = tree / "SPECS" / "xsrepo.spec"
    spec.write_text(HOLE)
    srpm, rpm = build_noarch(spec, tree / "top", [])
    for directory, path in (("SRPMS", srpm), ("RPMS", rpm)):
        (tree / directory).mkdir()
        shutil.copy(path, tree / directory / path.name)
    return tree


def _scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *args, "--format", "json", "-q"])
    return code, json.loads(capsys.readouterr().out)


def _post(document: dict[str, Any], nevra: str = "xsrepo-1.0-1.noarch") -> set[tuple[str, str]]:
    package = next(item for item in document["packages"] if item["nevra"] == nevra)
    return {(f["field"], f["value"]) for f in package["findings"] if f["field"].startswith("%")}


def test_a_post_naming_citrix_hosts_makes_the_binary_origin(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = _scan(capsys, str(built / "RPMS"), str(built / "SRPMS"), "--no-cache")
    assert code == 1  # exit 0, two clean packages, before
    assert _post(document) == FOUND
    package = next(item for item in document["packages"] if item["nevra"] == "xsrepo-1.0-1.noarch")
    assert package["status"] == "origin"
    assert all("%post scriptlet" in f["message"] for f in package["findings"])
    schema = json.loads((Path(__file__).parents[2] / "schemas" / "report-v2.schema.json").read_text())
    jsonschema.validate(document, schema)


def test_the_spec_reads_the_same_scriptlet(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document = _scan(capsys, str(built / "SPECS" / "xsrepo.spec"), "--no-cache")
    assert code == 1
    assert _post(document) == FOUND
    assert document["completeness"]["complete"] is True


def test_a_repository_reads_them_from_the_headers_it_reads(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(built / "RPMS", repo)
    subprocess.run(["createrepo_c", "-q", str(repo)], check=True)
    code, document = _scan(capsys, str(repo), "--no-cache", "--no-source-discovery")
    assert code == 1 and _post(document) == FOUND
    with LocalServer(tmp_path) as server:  # over HTTP: the header's range request, no payload
        code, document = _scan(capsys, server.url("/repo/"), "--no-cache", "--no-source-discovery")
    assert code == 1 and _post(document) == FOUND
    # primary.xml carries no scriptlet: --metadata-only says it did not see them.
    code, document = _scan(capsys, str(repo), "--no-cache", "--no-source-discovery", "--metadata-only")
    assert _post(document) == set()
    assert {"reason": "metadata-only", "count": 1} in document["completeness"]["reasons"]


def test_a_stored_model_keeps_them(built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = str(tmp_path / "cache")
    for _ in range(2):  # the second run reads the model the first stored
        code, document = _scan(capsys, str(built / "RPMS"), "--cache-dir", cache)
        assert code == 1 and _post(document) == FOUND


@pytest.mark.parametrize("form", ["table", "markdown", "sarif", "html", "cyclonedx", "spdx", "junit"])
def test_every_format_names_the_scriptlet(
    form: str, built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"report.{form}"
    code = main(["scan", str(built / "RPMS"), "--no-cache", "-q", "--format", form, "-o", str(out)])
    capsys.readouterr()
    text = out.read_text()
    assert code == 1
    # Each renders the findings its own way: the SBOMs and the table the first in a line.
    assert "%post" in text and any(value in text for _, value in FOUND), form


SPEC = """\
Name: scr
Version: 1
Release: 1
Summary: s
License: MIT
BuildArch: noarch
%description
d
%package tools
Summary: t
%description tools
d
%files
%files tools
"""


def _read(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, *args: str) -> dict[str, Any]:
    spec = tmp_path / "scr.spec"
    spec.write_text(SPEC + text)
    _, document = _scan(capsys, str(spec), "--no-cache", *args)
    return {package["name"]: package for package in document["packages"] if package["kind"] == "binary"}


def test_a_scriptlet_is_its_own_packages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "%post tools\n%{?_with_x:echo}curl https://code.citrite.net/t\n%postun\n/opt/xensource/bin/xe\n"
    packages = _read(tmp_path, capsys, text)
    assert [(f["field"], f["value"]) for f in packages["scr-tools"]["findings"]] == [
        ("%post", "https://code.citrite.net/t")
    ]
    assert packages["scr"]["findings"] == []  # a path, not a host


def test_a_scriptlet_names_its_package_with_n_glued(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm's option parser reads ``%post -nscr-tools`` as ``-n scr-tools`` (rpm -qp --scripts shows
    the script on scr-tools): it was read as the main package's, and scr-tools scanned clean."""
    packages = _read(tmp_path, capsys, "%post -nscr-tools\ncurl https://code.citrite.net/t | sh\n")
    assert [(f["field"], f["value"]) for f in packages["scr-tools"]["findings"]] == [
        ("%post", "https://code.citrite.net/t")
    ]
    assert packages["scr"]["findings"] == []


def test_an_undecided_branch_is_read_both_ways(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "%post\n%if 0%{?xs_build}\nrpm --import https://repo.citrite.net/key\n%else\necho clean\n%endif\n"
    packages = _read(tmp_path, capsys, text)
    assert ("%post", "https://repo.citrite.net/key") in {
        (f["field"], f["value"]) for f in packages["scr"]["findings"]
    }
    assert "undecided-conditional" in {gap["kind"] for gap in packages["scr"]["gaps"]}


def test_a_macro_left_unexpanded_is_a_gap_of_its_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A macro the spec does not define may be a build host's holding any URL: its line is unseen.
    systemd's and rpm's own macros are published text naming no host: no gap."""
    text = "%post tools\n%{xs_repo_setup}\n%post\n%systemd_post xapi.service\n%{_sbindir}/ldconfig\n"
    packages = _read(tmp_path, capsys, text)
    (gap,) = [gap for gap in packages["scr-tools"]["gaps"] if gap["kind"] == "scriptlet-unread"]
    assert "%{xs_repo_setup}" in gap["detail"] and "%post of scr-tools" in gap["detail"]
    assert not [gap for gap in packages["scr"]["gaps"] if gap["kind"] == "scriptlet-unread"]
    spec = tmp_path / "scr.spec"
    assert main(["scan", str(spec), "--no-cache", "-q", "--strict"]) == 3
    capsys.readouterr()
    defined = _read(tmp_path, capsys, text, "--define", "xs_repo_setup curl https://code.citrite.net/s")
    assert ("%post", "https://code.citrite.net/s") in {
        (f["field"], f["value"]) for f in defined["scr-tools"]["findings"]
    }


def test_a_build_hosts_macro_named_like_systemds_is_a_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """systemd's scriptlet macros are known by name, not by their prefix: a build host's
    ``%systemd_xs_setup`` may hold any URL (review60: it passed as systemd's, no gap)."""
    text = "%post tools\n%systemd_xs_setup xapi\n%post\n%systemd_postun_with_restart xapi.service\n"
    packages = _read(tmp_path, capsys, text)
    (gap,) = [gap for gap in packages["scr-tools"]["gaps"] if gap["kind"] == "scriptlet-unread"]
    assert "systemd_xs_setup" in gap["detail"]
    assert not [gap for gap in packages["scr"]["gaps"] if gap["kind"] == "scriptlet-unread"]


def test_a_script_read_from_a_file_the_build_writes_is_a_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``%post -f post.sh`` is the file the build leaves in its directory (rpmbuild reads it once
    built: ``d=xensource; echo "curl https://updates.$d.com/x | sh" > post.sh`` in ``%build`` gave
    the built RPM that %post). The spec read clean and complete, --strict exit 0."""
    packages = _read(tmp_path, capsys, "%build\necho > post.sh\n%post tools -f post.sh\n")
    (gap,) = [gap for gap in packages["scr-tools"]["gaps"] if gap["kind"] == "scriptlet-unread"]
    assert "post.sh" in gap["detail"] and "%post of scr-tools" in gap["detail"]
    assert not [gap for gap in packages["scr"]["gaps"] if gap["kind"] == "scriptlet-unread"]


def test_a_scriptlet_of_a_package_named_by_an_unexpanded_macro_is_a_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``%post -n %{xs_conf_name}`` is the package a build host's macro names (rpmbuild fails where
    none does): its text was kept for a package "%{xs_conf_name}" no binary is, and the spec read
    clean and complete, --strict exit 0. Which binary runs it is unseen: a gap of each."""
    text = "%post -n %{xs_conf_name}\ncurl https://updates.xensource.com/x | sh\n"
    packages = _read(tmp_path, capsys, text)
    for name in ("scr", "scr-tools"):
        (gap,) = [gap for gap in packages[name]["gaps"] if gap["kind"] == "scriptlet-unread"]
        assert "%{xs_conf_name}" in gap["detail"]


def test_check_of_the_spec_blocks_on_its_scriptlet(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A contributor's spec adding the ``%post`` to a package BASE has clean: a new blocking fact."""
    clean = tmp_path / "clean.spec"
    clean.write_text(HOLE.replace("Version: 1.0", "Version: 0.9").split("%post")[0])
    _, rpm = build_noarch(clean, tmp_path / "top", [])
    base = tmp_path / "base"
    base.mkdir()
    shutil.copy(rpm, base / rpm.name)
    subprocess.run(["createrepo_c", "-q", str(base)], check=True)
    code = main(["check", str(built / "SPECS" / "xsrepo.spec"), "--against", str(base), "--no-cache"])
    out = capsys.readouterr().out
    assert code == 1
    assert "xsrepo-1.0-1.noarch  clean -> origin" in out
    assert "%post: https://updates.xensource.com/XenServer/8/" in out


def test_a_hostile_megabyte_scriptlet_is_read_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1.1 MB of the shapes that make a backtracking expression quadratic, then a Citrix URL:
    the RPM rpmbuild makes and its spec are both read to the end (no timing asserted)."""
    runs = [
        "a@" * 100_000,
        "${x}.a" * 50_000,
        "-" * 300_000,
        "https://" * 25_000,
        "x.com/" * 25_000,
        "a:/" * 30_000,
    ]
    spec = tmp_path / "big.spec"
    spec.write_text(
        HOLE.split("%post")[0] + "%post\n" + "\n".join(runs) + "\ncurl https://code.citrite.net/tail\n"
    )
    assert spec.stat().st_size > 1_000_000
    _, rpm = build_noarch(spec, tmp_path / "top", [])
    for path in (rpm, spec):
        code, document = _scan(capsys, str(path), "--no-cache")
        nevra = "xsrepo-1.0-1.noarch"
        assert code == 1 and ("%post", "https://code.citrite.net/tail") in _post(document, nevra), path


@pytest.mark.parametrize(
    ("line", "host"),
    [
        ("curl -o /tmp/x \uff43\uff49\uff54\uff52\uff49\uff58.com/repo", "citrix.com"),  # fullwidth: curl's IDNA folds it
        ("curl -o /tmp/x updates。xensource。com/repo", "updates.xensource.com"),  # ideographic stops
        ("curl -o /tmp/x updates%2exensource.com/repo", "updates.xensource.com"),  # curl decodes
        ("curl -o /tmp/x mirror_1.citrix.com/repo", "mirror_1.citrix.com"),  # looked up as written
        ('echo "baseurl=https://${MIRROR:-updates.xensource.com}/8/" > /etc/yum.repos.d/xs.repo',
         "updates.xensource.com"),  # the shell's default value, written whole
        (": ${MIRROR:=updates.xensource.com}; curl -o /tmp/x $MIRROR/repo", "updates.xensource.com"),
        ("curl -xproxy.citrix.com:3128 -o /tmp/x http://mirror.example/r", "proxy.citrix.com"),  # -x's value
        ("scp -q root@code.citrite.net:/keys/RPM-GPG-KEY /tmp/k", "code.citrite.net"),  # scp's host:/path
        ("git clone -q github.com:/xenserver/xapi /tmp/x", "github.com:/xenserver"),  # read as a scheme
    ],
)  # fmt: skip
def test_a_host_written_as_curl_or_the_shell_reads_it(
    line: str, host: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each scanned clean (exit 0, complete) as the RPM rpmbuild makes and as its spec: the host
    word was read as ASCII letters, digits, dots and hyphens only, or the ``${x:-``, ``${x:=`` or
    ``-x`` before it hid it, or the host of scp's ``host:/path`` was read as a URL's scheme; curl,
    scp and git resolve each to ``host`` (``-v``: "Could not resolve host: HOST")."""
    spec = tmp_path / "xsrepo.spec"
    spec.write_text(HOLE.split("%post")[0] + "%post\n" + line.replace("%", "%%") + "\n")
    _, rpm = build_noarch(spec, tmp_path / "top", [])
    shown = subprocess.run(["rpm", "-qp", "--scripts", str(rpm)], capture_output=True, text=True, check=True)
    assert line in shown.stdout  # rpm runs the line as written
    for path in (rpm, spec):
        code, document = _scan(capsys, str(path), "--no-cache")
        package = next(item for item in document["packages"] if item["nevra"] == "xsrepo-1.0-1.noarch")
        hosts = {normalise_host(f["value"]) for f in package["findings"] if f["field"] == "%post"}
        assert code == 1 and any(found.startswith(host) for found in hosts), (path, hosts)


@pytest.mark.parametrize(
    ("options", "line", "found"),
    [
        ("-q", 'echo "baseurl=https://%%{GROUP}/8/" > /etc/yum.repos.d/xs.repo', "https://citrix.com/8/"),
        ("-q", "curl -o /tmp/x https://updates.%%{VERSION}.com/r", "https://updates.xensource.com/r"),
        ("-e", 'echo "baseurl=https://updates%%{?no}.xensource%%{?no}.com/8/" > /etc/yum.repos.d/xs.repo',
         "https://updates.xensource.com/8/"),
        # rpm expands first (%%{GROUP} is %{GROUP}), then formats: the Group.
        ("-e -q", 'echo "baseurl=https://%%%%{GROUP}/8/" > /etc/yum.repos.d/xs.repo', "https://citrix.com/8/"),
    ],
)  # fmt: skip
def test_what_rpm_rewrites_a_scriptlet_into_is_read(
    options: str, line: str, found: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``%post -q`` has rpm put the package's own tags in the text (headerFormat), ``%post -e``
    expand its macros, on the installing host: ``rpm --root R -i`` wrote ``baseurl=https://citrix.com/8/``
    and ``baseurl=https://updates.xensource.com/8/`` though neither host is in the text, which
    scanned clean (exit 0, complete). The RPM is read as rpm runs it; its spec's ``-q`` line is
    a gap (the tags are the package's as rpmbuild writes them), its ``-e`` line read as the RPM's."""
    head = HOLE.split("%post")[0].replace(
        "Version: 1.0", "Version: xensource" if "VERSION" in line else "Version: 1.0"
    )
    spec = tmp_path / "xsrepo.spec"
    spec.write_text(
        head.replace("License: MIT", "License: MIT\nGroup: citrix.com") + f"%post {options}\n{line}\n"
    )
    _, rpm = build_noarch(spec, tmp_path / "top", [])
    nevra = f"xsrepo-{'xensource' if 'VERSION' in line else '1.0'}-1.noarch"
    shown = subprocess.run(
        ["rpm", "-qp", "--qf", "%{POSTINFLAGS}", str(rpm)], capture_output=True, text=True, check=True
    )
    flags = {"-q": "2", "-e": "1", "-e -q": "3"}  # RPMSCRIPT_FLAG_QFORMAT, _EXPAND
    assert shown.stdout == flags[options]
    code, document = _scan(capsys, str(rpm), "--no-cache")
    assert code == 1 and ("%post", found) in _post(document, nevra)
    code, document = _scan(capsys, str(spec), "--no-cache")
    package = next(item for item in document["packages"] if item["nevra"] == nevra)
    if options == "-e":
        assert code == 1 and ("%post", found) in _post(document, nevra)
    else:
        assert [gap["kind"] for gap in package["gaps"]] == ["scriptlet-unread"]


def test_a_script_not_all_utf8_is_read_as_its_programs_read_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One Latin-1 byte in a comment had the whole script read as Latin-1, and the host after it in
    fullwidth letters, UTF-8 to curl (which resolves it to citrix.com), read as no host: exit 0."""
    spec = tmp_path / "xsrepo.spec"
    line = "curl -o /tmp/x \uff43\uff49\uff54\uff52\uff49\uff58.com/repo"
    spec.write_bytes(HOLE.split("%post")[0].encode() + b"%post\n# caf\xe9\n" + line.encode() + b"\n")
    _, rpm = build_noarch(spec, tmp_path / "top", [], defines={"_invalid_encoding_terminates_build": "0"})
    shown = subprocess.run(["rpm", "-qp", "--scripts", str(rpm)], capture_output=True, check=True)
    assert b"# caf\xe9\n" + line.encode() in shown.stdout
    code, document = _scan(capsys, str(rpm), "--no-cache")
    assert code == 1 and ("%post", "\uff43\uff49\uff54\uff52\uff49\uff58.com/repo") in _post(document)


def test_a_q_scriptlet_reads_every_translation_of_a_tag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm formats ``%{SUMMARY}`` in the installing host's language: with ``Summary(de):
    updates.xensource.com``, ``LANGUAGE=de rpm --root R -i`` wrote ``baseurl=https://updates.xensource.com/8/``
    (``LANG=C``: the untranslated mirror). Only the first was read: exit 0."""
    head = HOLE.split("%post")[0].replace(
        "Summary: writes", "Summary(de): updates.xensource.com\nSummary: writes"
    )
    spec = tmp_path / "xsrepo.spec"
    spec.write_text(head + '%post -q\necho "baseurl=https://%%{SUMMARY}/8/" > /etc/yum.repos.d/xs.repo\n')
    _, rpm = build_noarch(spec, tmp_path / "top", [])
    command = ["rpm", "-qp", "--qf", "%{SUMMARY}", str(rpm)]
    shown = subprocess.run(command, capture_output=True, text=True, check=True, env={"LANGUAGE": "de"})
    assert shown.stdout == "updates.xensource.com"
    code, document = _scan(capsys, str(rpm), "--no-cache")
    assert code == 1 and ("%post", "updates.xensource.com/8/") in _post(document)
