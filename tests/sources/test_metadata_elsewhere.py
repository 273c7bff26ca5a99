"""Metadata that ``repomd.xml`` places under an ``xml:base`` on a policy host.

librepo downloads a metadata file from its location's ``xml:base`` (``lr_downloadtarget_new``
with the record's ``location_base``), not from the mirror: dnf reads the repository's packages
from a Citrix host. The auditor refuses to read it (an input error), and that was all: no
format named the host. It is now the repository's config finding (key ``xml:base``), whether
the repository is a local path, a URL or a section's, beside the error. Real RPMs (rpmbuild),
a real repository (createrepo_c), a real HTTP server on 127.0.0.1; the policy host is never
contacted.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.cli.main import main
from tests.httpserver import LocalServer, redirect
from tests.rpmbuild import build_noarch
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves

SPEC = """Name: libdl
Version: 1.0
Release: 1
Summary: libdl
License: MIT
URL: https://example.org/libdl
BuildArch: noarch
%description
libdl
%files
"""

CITRIX = "https://updates.xenserver.com/repo/"
SCHEMA = json.loads((Path(__file__).parents[2] / "schemas" / "report-v2.schema.json").read_text())
FORMATS = ("json", "sarif", "table", "html", "markdown", "junit", "cyclonedx", "spdx")


def placed_elsewhere(root: Path, kind: str) -> str:
    """Put ``kind``'s location in ``root``'s repomd.xml under the Citrix ``xml:base``; the URL
    librepo then fetches it from."""
    repomd = root / "repodata" / "repomd.xml"
    text = repomd.read_text()
    pattern = rf'(<data type="{kind}">.*?<location )(href="([^"]+)")'
    match = re.search(pattern, text, re.S)
    assert match is not None
    repomd.write_text(text[: match.start(2)] + f'xml:base="{CITRIX}" ' + text[match.start(2) :])
    return CITRIX + match.group(3)


@pytest.fixture(scope="module")
def www(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """``/primary/`` (its primary.xml under the Citrix xml:base), ``/filelists/`` (its
    filelists.xml there), each holding ``libdl``; and where librepo fetches each file."""
    top = tmp_path_factory.mktemp("built")
    spec = top / "libdl.spec"
    spec.write_text(SPEC)
    rpm = build_noarch(spec, top / "libdl", [])[1]
    targets = {}
    for kind in ("primary", "filelists"):
        root = top / "www" / kind
        root.mkdir(parents=True)
        shutil.copy(rpm, root)
        subprocess.run(["createrepo_c", "-q", "--no-database", str(root)], check=True)
        targets[kind] = placed_elsewhere(root, kind)
    return top / "www", targets


def scan(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["scan", *args, "--cache-dir", str(tmp_path / "cache"), "--retries", "0", "-q"])
    return code, capsys.readouterr().out


def found(out: str) -> list[tuple[str, str, str, str]]:
    document: dict[str, Any] = json.loads(out)
    jsonschema.validate(document, SCHEMA)  # the key xml:base is one the schema knows
    return [
        (item["section"], item["key"], item["url"], item["rule"])
        for item in document.get("config_findings", [])
    ]


@pytest.mark.parametrize("given", ["path", "url", "section"])
def test_primary_under_a_citrix_xml_base_is_the_repository_s_finding(
    www: tuple[Path, dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str
) -> None:
    root, targets = www
    with LocalServer(root) as server:
        config = tmp_path / "moved.repo"
        config.write_text(f"[moved]\nbaseurl={server.url('/primary/')}\n")
        inputs = {"path": str(root / "primary"), "url": server.url("/primary/"), "section": str(config)}
        code, out = scan(tmp_path, capsys, inputs[given], "--format", "json")
    section = "moved" if given == "section" else ""
    assert found(out) == [(section, "xml:base", targets["primary"], "citrix-corporate-host")]
    assert code == 3  # the repository could not be read: its packages are unseen


def test_filelists_under_a_citrix_xml_base_is_a_finding_beside_the_packages_read(
    www: tuple[Path, dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, targets = www
    with LocalServer(root) as server:
        code, out = scan(tmp_path, capsys, server.url("/filelists/"), "--format", "json")
    assert found(out) == [("", "xml:base", targets["filelists"], "citrix-corporate-host")]
    assert [package["name"] for package in json.loads(out)["packages"]] == ["libdl"]
    assert code == 3


@pytest.mark.parametrize("form", FORMATS)
def test_every_format_names_where_the_metadata_is_fetched_from(
    www: tuple[Path, dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    root, targets = www
    # A second, readable repository: the run has packages, and each format a report to show.
    code, out = scan(tmp_path, capsys, str(root / "primary"), str(root / "filelists"), "--format", form)
    assert targets["primary"] in out, form  # the URL joined: no error message spells it
    assert "citrix-corporate-host" in out, form
    assert code == 3


@pytest.mark.parametrize("kind", ["primary", "filelists"])
def test_a_metadata_file_its_server_redirects_to_a_citrix_host_is_the_repository_s_finding_once(
    www: tuple[Path, dict[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """The same file redirected there, not placed by ``xml:base``: the redirect of repomd.xml
    itself was a finding (key ``redirect``), that of primary or filelists an input error alone."""
    root, _targets = www
    plain = tmp_path / "www" / "plain"
    shutil.copytree(root / "primary", plain)
    repomd = plain / "repodata" / "repomd.xml"
    repomd.write_text(repomd.read_text().replace(f'xml:base="{CITRIX}" ', ""))
    subprocess.run(["createrepo_c", "-q", "--no-database", str(plain)], check=True)
    text = repomd.read_text()
    match = re.search(rf'<data type="{kind}">.*?<location href="([^"]+)"', text, re.S)
    assert match is not None
    target = CITRIX + match.group(1)
    with LocalServer(tmp_path / "www") as server:
        server.routes[f"/plain/{match.group(1)}"] = redirect(target)
        code, out = scan(tmp_path, capsys, server.url("/plain/"), "--format", "json")
    assert [(key, url) for _section, key, url, _rule in found(out)] == [("redirect", target)]
    assert code == 3


COMPS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<comps><group><id>g</id><name>g</name>'
    "<packagelist><packagereq>libdl</packagereq></packagelist></group></comps>\n"
)


@pytest.mark.parametrize("given", ["path", "url", "section"])
@pytest.mark.parametrize(("base", "blocks"), [(CITRIX, True), ("https://mirror.example.org/repo/", False)])
def test_comps_under_a_citrix_xml_base_is_the_repository_s_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str, base: str, blocks: bool
) -> None:
    """dnf downloads a repository's comps (``group``) with its primary, from the ``xml:base``
    repomd.xml gives it: a Citrix host there is the repository's config finding, as one under
    primary's is. The reader never fetches comps, and the repository read clean (exit 0) with no
    format naming the host; another host there is nothing the policy judges."""
    spec = tmp_path / "libdl.spec"
    spec.write_text(SPEC)
    rpm = build_noarch(spec, tmp_path / "built", [])[1]
    root = tmp_path / "www" / "comps"
    root.mkdir(parents=True)
    shutil.copy(rpm, root)
    (tmp_path / "comps.xml").write_text(COMPS)
    subprocess.run(
        ["createrepo_c", "-q", "--no-database", "-g", str(tmp_path / "comps.xml"), str(root)], check=True
    )
    target = placed_elsewhere(root, "group").replace(CITRIX, base)
    repomd = root / "repodata" / "repomd.xml"
    repomd.write_text(repomd.read_text().replace(f'xml:base="{CITRIX}"', f'xml:base="{base}"'))
    with LocalServer(tmp_path / "www") as server:
        config = tmp_path / "comps.repo"
        config.write_text(f"[comps]\nbaseurl={server.url('/comps/')}\n")
        inputs = {"path": str(root), "url": server.url("/comps/"), "section": str(config)}
        code, out = scan(tmp_path, capsys, inputs[given], "--format", "json")
    section = "comps" if given == "section" else ""
    expected = [(section, "xml:base", target, "citrix-corporate-host")] if blocks else []
    assert found(out) == expected
    assert code == (1 if blocks else 0)
