"""Inputs the auditor did not read, or that held nothing, are said wherever the verdict is.

A clean verdict must mean clean: an enabled repository that could not be read is an input
error, one refused as a policy host is a `repository-not-read` gap, and a directory that
holds nothing to read is an `empty-input` gap, while a repository whose metadata lists no
package is a real state (an ``updates`` repository right after a release) that is said and
passes. One bad input never hides the findings of the good ones. Real RPMs, repositories by
createrepo_c, remote files served over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.cli.main import main
from tests.conftest import RPMS
from tests.httpserver import LocalServer
from tests.paths import ROOT

SCHEMA = json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text())
CLEAN = ("epochs-1.2-4.noarch.rpm", "epochs-1.2-4.src.rpm")
"""A binary and its source package: read together, an audit with no gap."""


def scan(args: list[str], capsys: pytest.CaptureFixture[str], fmt: str = "json") -> tuple[int, str, str]:
    code = main(["scan", *args, "--format", fmt, "--no-cache", "--fail-on", "none"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def scan_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code, out, err = scan(args, capsys)
    document = json.loads(out)
    jsonschema.validate(document, SCHEMA)
    return code, document, err


def repository(path: Path, *names: str) -> Path:
    """A repository of the fixture RPMs ``names`` (none: one whose metadata lists no package)."""
    path.mkdir(parents=True)
    for name in names:
        shutil.copy(RPMS / name, path / name)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(path)], check=True, capture_output=True)
    return path


def gaps(document: dict[str, Any]) -> dict[str, str]:
    return {gap["rule"]: gap["capability"] for gap in document["completeness"]["gaps"]}


# -- an enabled section whose mirrorlist or metalink lists no usable mirror ---------------------------


def test_an_enabled_section_with_no_usable_mirror_is_an_input_error_naming_it(
    server: LocalServer, www: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = repository(tmp_path / "good", *CLEAN)
    ftp_only = tmp_path / "mirrors.txt"
    ftp_only.write_text("# our mirror\nftp://mirror.example.org/xs/\n")
    empty = tmp_path / "empty-mirrors.txt"
    empty.write_text("# nothing yet\n\n")
    metalink = tmp_path / "metalink.xml"
    metalink.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<metalink version="3.0" xmlns="http://www.metalinker.org/">'
        '<files><file name="repomd.xml"><resources><url protocol="https">'
        "https://mirror.example.org/xs/xs.iso</url></resources></file></files></metalink>\n"
    )
    (www / "served.txt").write_text("rsync://mirror.example.org/xs/\n")
    config = tmp_path / "test.repo"
    config.write_text(
        f"[good]\nbaseurl=file://{good}/\n\n"
        f"[ftp-only]\nmirrorlist=file://{ftp_only}\n\n"
        f"[empty]\nmirrorlist=file://{empty}\n\n"
        f"[no-repomd]\nmetalink=file://{metalink}\n\n"
        f"[served]\nmirrorlist={server.url('/served.txt')}\n"
    )
    code, document, err = scan_json([str(config), "--strict"], capsys)
    assert code == 3 and document["summary"]["headline"] == "failed"
    errors = {error["input"]: error["message"] for error in document["errors"]}
    assert errors == {
        f"{config} [ftp-only]": "enabled, but no repository could be read: its mirrorlist "
        f"file://{ftp_only} lists no http, https or file mirror: ftp://mirror.example.org/xs/",
        f"{config} [empty]": f"enabled, but no repository could be read: its mirrorlist file://{empty} lists no URL",
        f"{config} [no-repomd]": "enabled, but no repository could be read: its metalink "
        f"file://{metalink} lists no http, https or file URL of a repodata/repomd.xml: "
        "https://mirror.example.org/xs/xs.iso",
        f"{config} [served]": "enabled, but no repository could be read: its mirrorlist "
        f"{server.url('/served.txt')} lists no http, https or file mirror: rsync://mirror.example.org/xs/",
    }
    assert [line for line in err.splitlines() if line.startswith("auditor: error: ")] == [
        f"auditor: error: {source}: {message}" for source, message in errors.items()
    ]
    # The good section is still read and reported.
    assert sorted(p["nevra"] for p in document["packages"]) == ["epochs-3:1.2-4.noarch", "epochs-3:1.2-4.src"]
    assert server.paths() == ["/served.txt"]  # the listed mirror itself is never tried


# -- a repository URL named on the command line, on a policy host ------------------------------------


def test_a_url_input_refused_as_a_policy_host_is_a_gap_as_in_a_repo_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = repository(tmp_path / "good", *CLEAN)
    lower = tmp_path / "lower.toml"
    lower.write_text('[settings]\ntier-severity = { public-org = "low" }\n')  # as data/policy.toml documents
    url = "https://github.com/xenserver/xs-repo/"
    config = tmp_path / "xs.repo"
    config.write_text(f"[xs]\nbaseurl={url}\nenabled=1\n")
    args = ["--policy", str(lower), "--offline", "--strict"]
    named_as = {
        url: (f"{url}: named on the command line", f"{url}: not read: on a policy host"),
        str(config): (f"{config} [xs]: enabled", f"{config} [xs]: not read: {url} (on a policy host"),
    }
    for named, (where, warning) in named_as.items():
        code, document, err = scan_json([str(good), named, *args], capsys)
        # The finding stays, below the threshold; the repository was not read: --strict fails.
        [finding] = document["config_findings"]
        assert finding["url"] == url and finding["rule"] == "citrix-public-organisation"
        assert not finding["blocking"]
        assert code == 3 and not document["completeness"]["complete"]
        assert gaps(document)["gap:repository-not-read"].startswith(where)
        assert err.startswith(f"auditor: warning: {warning}")
    code, table, _ = scan([str(good), url, "--policy", str(lower), "--offline"], capsys, "table")
    assert code == 0 and "incomplete: 1 repository-not-read" in table
    code, junit, _ = scan([str(good), url, "--policy", str(lower), "--offline"], capsys, "junit")
    inputs = [
        case.get("name", "")
        for case in ET.fromstring(junit).iter("testcase")
        if case.get("classname") == "input"
    ]
    assert code == 0 and any(
        f"repository-not-read: {url}: named on the command line" in name for name in inputs
    )


# -- inputs that hold no package ----------------------------------------------------------------------


def test_an_empty_directory_among_good_inputs_is_a_gap_and_an_empty_repository_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = repository(tmp_path / "good", *CLEAN)
    updates = repository(tmp_path / "updates")  # a release's updates repository, before any update
    wrong = tmp_path / "SRPMS"
    wrong.mkdir()
    (wrong / "README").write_text("not a package\n")

    # An empty repository is a real state: said on standard error, and it passes --strict.
    code, document, err = scan_json([str(good), str(updates), "--strict"], capsys)
    assert code == 0 and document["completeness"]["complete"]
    assert err.splitlines() == [f"auditor: warning: {updates}: the repository's metadata lists no package"]
    assert document["warnings"] == [f"{updates}: the repository's metadata lists no package"]
    assert {(i["path"], i["packages"]) for i in document["inputs"]} == {(str(good), 2), (str(updates), 0)}

    # A directory with nothing to read is most likely a wrong path: a gap, which --strict fails on.
    code, document, err = scan_json([str(good), str(wrong), "--strict"], capsys)
    assert code == 3 and document["summary"]["headline"] == "failed"
    said = f"{wrong}: holds no RPM, spec file or repository"
    assert gaps(document) == {"gap:empty-input": said}
    assert f"auditor: warning: {said}: nothing was read from it" in err.splitlines()
    assert len(document["packages"]) == 2  # and the good input is still audited
    code, table, _ = scan([str(good), str(wrong)], capsys, "table")
    assert code == 0 and "incomplete: 1 empty-input" in table
    code, sarif, _ = scan([str(good), str(wrong)], capsys, "sarif")
    notes = json.loads(sarif)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert f"input: empty-input: {said}" in [note["message"]["text"] for note in notes]

    # Alone, each is still an audit of nothing, which fails whatever the options.
    for alone in (updates, wrong):
        code, document, _ = scan_json([str(alone)], capsys)
        assert code == 3 and {"reason": "nothing-audited", "count": 1} in document["completeness"]["reasons"]


def test_a_directory_holding_only_a_repository_or_a_bad_rpm_is_no_empty_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = tmp_path / "mirror"
    repository(tree / "8.3" / "x86_64", *CLEAN)
    code, document, err = scan_json([str(tree), "--strict"], capsys)
    assert (code, err) == (0, "") and len(document["packages"]) == 2
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "cut.rpm").write_bytes((RPMS / CLEAN[0]).read_bytes()[:100])
    code, document, _ = scan_json([str(tree), str(broken)], capsys)
    assert code == 3 and [e["input"] for e in document["errors"]] == [str(broken / "cut.rpm")]
    assert "gap:empty-input" not in gaps(document)  # the error says it, once


def test_a_mirror_the_auditor_cannot_read_is_still_configuration_the_policy_judges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mirrorlist's ftp:// line is never read, but it is a mirror the user configured: on a
    Citrix host it is a finding of the configuration, beside the mirror that was read."""
    good = repository(tmp_path / "good", *CLEAN)
    mirrors = tmp_path / "mirrors.txt"
    mirrors.write_text(f"ftp://ftp.citrix.com/xenserver/updates/\nfile://{good}/\n")
    config = tmp_path / "test.repo"
    config.write_text(f"[updates]\nmirrorlist=file://{mirrors}\n")
    _, document, _ = scan_json([str(config)], capsys)  # --fail-on none: the report is the point
    [finding] = document["config_findings"]
    assert (finding["url"], finding["rule"], finding["blocks"]) == (
        "ftp://ftp.citrix.com/xenserver/updates/",
        "citrix-corporate-host",
        False,
    )
    assert [p["nevra"] for p in document["packages"]] == ["epochs-3:1.2-4.noarch", "epochs-3:1.2-4.src"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[main]\ngpgcheck=1\n", "names no repository (no section with a baseurl, mirrorlist or metalink)"),
        ("# nothing here\n", "names no repository (no section with a baseurl, mirrorlist or metalink)"),
        (
            "[extras]\nbaseurl=file:///nowhere/extras\nenabled=0\n",
            "names no enabled repository (every section with a URL is disabled, or one dnf never reads: "
            "[main], [installed], an id dnf refuses)",
        ),
    ],
    ids=["only main", "empty", "all disabled"],
)
def test_a_configuration_that_names_no_enabled_repository_is_an_empty_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, said: str
) -> None:
    """What the configuration was meant to make the audit read is unseen: beside an input that
    holds packages, the audit is incomplete, and --strict fails."""
    good = repository(tmp_path / "good", *CLEAN)
    config = tmp_path / "xcp-ng.repo"
    config.write_text(text)
    code, document, err = scan_json([str(good), str(config), "--strict"], capsys)
    assert code == 3 and gaps(document) == {"gap:empty-input": f"{config}: {said}"}
    assert f"auditor: warning: {config}: {said}: nothing was read from it" in err.splitlines()
    assert len(document["packages"]) == 2


@pytest.mark.parametrize(
    "text",
    ["[xcp ng]\nbaseurl=file:///nowhere/x\n", "[main]\nbaseurl=file:///nowhere/x\n"],
    ids=["id dnf refuses", "main with a URL"],
)
def test_a_configuration_whose_sections_dnf_never_reads_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    """dnf skips a section whose id it refuses ("Bad id for repo") and never reads ``[main]``'s
    URLs as a repository: none of them is disabled, and the warning must not send the user
    looking for an ``enabled=0`` that is not there."""
    good = repository(tmp_path / "good", *CLEAN)
    config = tmp_path / "xcp-ng.repo"
    config.write_text(text)
    code, document, err = scan_json([str(good), str(config), "--strict"], capsys)
    said = (
        f"{config}: names no enabled repository (every section with a URL is disabled, or one dnf "
        "never reads: [main], [installed], an id dnf refuses)"
    )
    assert code == 3 and gaps(document) == {"gap:empty-input": said}
    assert f"auditor: warning: {said}: nothing was read from it" in err.splitlines()


def test_disabled_sections_beside_a_read_one_are_no_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = repository(tmp_path / "good", *CLEAN)
    config = tmp_path / "xcp-ng.repo"
    config.write_text(
        f"[base]\nbaseurl={good.as_uri()}\n\n[testing]\nbaseurl=file:///nowhere/testing\nenabled=0\n"
    )
    code, document, err = scan_json([str(config), "--strict"], capsys)
    assert (code, err) == (0, "") and len(document["packages"]) == 2 and gaps(document) == {}


def test_a_file_of_disabled_sections_beside_a_read_configuration_is_no_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``scan /etc/yum.repos.d/*.repo`` on an XCP-ng host names CentOS-Base.repo, all of whose
    sections are disabled, beside xcp-ng.repo: the files of a reposdir, where such a file is no
    gap. Alone, or beside configurations that are all disabled too, it still is one."""
    good = repository(tmp_path / "good", *CLEAN)
    xcp = tmp_path / "xcp-ng.repo"
    xcp.write_text(f"[xcp-ng-base]\nbaseurl={good.as_uri()}\n")
    centos = tmp_path / "CentOS-Base.repo"
    centos.write_text("[base]\nbaseurl=file:///nowhere/base\nenabled=0\n")
    said = (
        f"{centos}: names no enabled repository (every section with a URL is disabled, or one dnf never "
        "reads: [main], [installed], an id dnf refuses)"
    )
    code, document, err = scan_json([str(centos), str(xcp), "--strict"], capsys)
    assert code == 0 and gaps(document) == {} and len(document["packages"]) == 2
    assert f"auditor: warning: {said}: nothing was read from it" in err.splitlines()
    epel = tmp_path / "epel.repo"
    epel.write_text("[epel]\nbaseurl=file:///nowhere/epel\nenabled=0\n")
    code, document, _ = scan_json([str(centos), str(epel), str(good), "--strict"], capsys)
    assert code == 3 and len(document["completeness"]["gaps"]) == 2


def test_one_repository_named_twice_is_read_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Its directory, its repomd.xml and a link to it name one repository: its packages are not
    two copies, each counted and shown twice (red team 10)."""
    good = repository(tmp_path / "good", *CLEAN)
    link = tmp_path / "link"
    link.symlink_to(good)
    code, document, err = scan_json([str(good), str(good / "repodata" / "repomd.xml"), str(link)], capsys)
    assert code == 0 and len(document["packages"]) == 2
    assert err.splitlines() == [
        f"auditor: warning: {good / 'repodata' / 'repomd.xml'}: the same input as {good}; read once",
        f"auditor: warning: {link}: the same input as {good}; read once",
    ]


# -- a package whose file could not be read ---------------------------------------------------


@pytest.mark.parametrize("where", ["local", "remote"])
def test_a_source_package_whose_header_could_not_be_read_has_the_gap_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """Its Citrix Sources are in the header alone: read from its metadata, the package is
    clean. The run's error names the file, and the package's own entry (its JSON entry, its
    SBOM component) says what was not seen, as a missing file's does; before, it was a clean
    package with no gap, the run's only trace an error line (and, remote, an unnamed count)."""
    names = ("xs-sources-1.0-1.src.rpm", "xs-sources-1.0-1.noarch.rpm", *CLEAN)
    repo = repository(tmp_path / "www" / "repo", *names)
    damaged = repo / "xs-sources-1.0-1.src.rpm"
    with LocalServer(tmp_path / "www") as server:
        if where == "local":
            damaged.write_bytes(damaged.read_bytes()[:3000])  # after createrepo_c: its header cut
            target, shown = str(repo), str(damaged)
        else:
            server.routes["/repo/xs-sources-1.0-1.src.rpm"] = lambda handler, method: handler.answer(
                500, b"down", method=method
            )
            target, shown = server.url("/repo/"), server.url("/repo/xs-sources-1.0-1.src.rpm")
        args = [target, "--retries", "0", "--cache-dir", str(tmp_path / "cache")]
        code, document, err = scan_json(args, capsys)
        _, sbom, _ = scan(args, capsys, "cyclonedx")
    assert code == 3 and f"auditor: error: {shown}: " in err
    [source] = [p for p in document["packages"] if p["nevra"] == "xs-sources-1.0-1.src"]
    assert [(gap["kind"], gap["detail"].split(": could not be read (")[0]) for gap in source["gaps"]] == [
        ("metadata-only", shown)
    ]
    # and the binary built from it says its source's Sources were unseen
    [binary] = [p for p in document["packages"] if p["nevra"] == "xs-sources-1.0-1.noarch"]
    assert [
        gap["detail"].endswith("(of xs-sources-1.0-1.src, which it was built from)") for gap in binary["gaps"]
    ] == [True]
    assert {"reason": "metadata-only", "count": 2} in document["completeness"]["reasons"]
    [component] = [
        c for c in json.loads(sbom)["components"] if c["name"] == "xs-sources" and "arch=src" in c["purl"]
    ]
    assert any(": could not be read (" in item["value"] for item in component.get("properties", []))
