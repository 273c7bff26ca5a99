"""A web page served in the place of repository metadata (a login page, a captive portal, a
server that answers every path with its front page and status 200) is said to be one: one line
naming the URL, exit 3, never a DOCTYPE or "no primary metadata" that sends the user looking
at the metadata. A real HTTP server on 127.0.0.1 serves the pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.core.errors import ExitCode
from auditor.formats.xmlstream import HTML_CONFIGURATION, HTML_PAGE, is_html_page
from tests.httpserver import LocalServer

PAGES = {
    "doctype": b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Sign in</body></html>\n",
    "bare": b"<html><body>Please log in</body></html>",
    "bom-and-comment": b"\xef\xbb\xbf\n<!-- portal -->\n<HTML lang=en><body>Accept the terms</body></HTML>\n",
}


def errors(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("auditor: error:")]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_web_page_as_repomd_xml_is_said_to_be_one(
    tmp_path: Path, page: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "repodata").mkdir()
    (tmp_path / "repodata" / "repomd.xml").write_bytes(PAGES[page])
    with LocalServer(tmp_path) as server:
        code = main(["scan", server.url("/"), "--no-cache", "-q"])
    assert code == ExitCode.INPUT
    assert errors(capsys) == [f"auditor: error: {server.url('/repodata/repomd.xml')}: {HTML_PAGE}"]


def test_a_local_repomd_xml_of_another_root_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "repodata").mkdir()
    (tmp_path / "repodata" / "repomd.xml").write_text('<?xml version="1.0"?>\n<metadata packages="0"/>\n')
    assert main(["scan", str(tmp_path), "--no-cache", "-q"]) == ExitCode.INPUT
    [error] = errors(capsys)
    assert error.endswith("repomd.xml: its root element is <metadata>, not <repomd>")


@pytest.mark.parametrize("kind", ["mirrorlist", "metalink"])
def test_a_web_page_as_a_mirrorlist_or_metalink_is_said_to_be_one(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "list").write_bytes(PAGES["doctype"] if kind == "mirrorlist" else PAGES["bare"])
    config = tmp_path / "portal.repo"
    with LocalServer(tmp_path) as server:
        config.write_text(f"[behind-a-portal]\nname=x\n{kind}={server.url('/list')}\n")
        code = main(["scan", str(config), "--no-cache", "-q"])
    assert code == ExitCode.INPUT
    [error] = errors(capsys)
    assert HTML_PAGE in error and "[behind-a-portal]" in error


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_web_page_as_a_repository_configuration_is_said_to_be_one(
    tmp_path: Path, page: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "xcp-ng.repo").write_bytes(PAGES[page])
    with LocalServer(tmp_path) as server:
        remote = main(["scan", server.url("/xcp-ng.repo"), "--no-cache", "-q"])
        remote_errors = errors(capsys)
    assert remote == ExitCode.INPUT
    assert remote_errors == [f"auditor: error: {server.url('/xcp-ng.repo')}: {HTML_CONFIGURATION}"]
    local = tmp_path / "xcp-ng.repo"
    assert main(["scan", str(local), "--no-cache", "-q"]) == ExitCode.INPUT
    assert errors(capsys) == [f"auditor: error: {local}: {HTML_CONFIGURATION}"]


def test_a_configuration_that_is_no_web_page_keeps_the_parser_s_complaint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "broken.repo"
    config.write_text("baseurl=http://mirror.example/\n<html>\n")
    assert main(["scan", str(config), "--no-cache", "-q"]) == ExitCode.INPUT
    [error] = errors(capsys)
    assert "HTML" not in error and "not a repository configuration: File contains no section headers" in error


@pytest.mark.parametrize(
    ("head", "html"),
    [
        (b"<!doctype HTML>", True),
        (b"  \n<html>", True),
        (b"<!-- a --><!-- b --> <html\n lang=en>", True),
        (b"http://mirror.example/centos/7/os/x86_64/\n", False),
        (b"# <html> in a comment\nhttp://mirror.example/\n", False),
        (b"<htmlx>", False),
        (b'<?xml version="1.0"?><metalink/>', False),
    ],
)
def test_what_starts_as_a_web_page(head: bytes, html: bool) -> None:
    assert is_html_page(head) is html
