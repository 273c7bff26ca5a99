"""A word of a Source that has no scheme is fetched by curl as ``http://`` and the word (urlfuzz59).

rpmbuild downloads a Source by running its URL helper, curl, on the value split at spaces: every
word is a URL to curl. curl takes a word for one with a scheme only when it starts with a scheme's
letters, a colon and a slash (7.88's ``Curl_is_absolute_url``); any other word it fetches as
``http://`` and the word. ``Source0: https://example.org/a.tgz user@code.citrite.net/y.tgz``
downloads ``/y.tgz`` from code.citrite.net, and read as a bare file name the second word named no
host: the spec passed clean (exit 0).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.httpserver import LocalServer
from tests.origin.scanned import scan_report, write_spec


def test_rpmbuild_fetches_a_word_without_a_scheme_over_http(tmp_path: Path) -> None:
    """The authority: rpmbuild's own download (``--undefine _disable_source_fetch``) hands the
    second word to curl, which fetches it from the host after its ``@`` (`scripts/test` installs
    rpm and curl)."""
    assert shutil.which("rpmbuild"), "scripts/test installs rpm"
    assert shutil.which("curl"), "scripts/test installs curl"
    (tmp_path / "a.tgz").write_text("a\n")
    (tmp_path / "b.tgz").write_text("b\n")
    with LocalServer(tmp_path) as server:
        words = f"{server.url('/a.tgz')} user@127.0.0.1:{server.port}/b.tgz"
        spec = write_spec(tmp_path, "guessed", f"Source0: {words}")
        top = tmp_path / "top"
        command = [
            "rpmbuild", "-bp", "--quiet", "--undefine", "_disable_source_fetch",
            "--define", f"_topdir {top}", "--define", f"_sourcedir {top / 'SOURCES'}", str(spec),
        ]  # fmt: skip
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LC_ALL": "C"}
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=120)
        assert server.paths() == ["/a.tgz", "/b.tgz"], done.stderr


@pytest.mark.parametrize(
    ("word", "rule"),
    [
        ("user@code.citrite.net/y.tgz", "citrix-internal-host"),
        ("code.citrite.net", "citrix-internal-host"),  # http://code.citrite.net/
        ("x@%63itrix.com/y.tgz", "citrix-corporate-host"),  # curl decodes the host
        ("file:x;@downloads.xenserver.com/y.tgz", "citrix-corporate-host"),  # "file:" + no slash: no scheme
        ("a:b@github.com/a/../xenserver/x/archive/v1.tar.gz", "citrix-public-organisation"),
        ("hxxp:\\\\x\\@github.com/xenserver/x/archive/v1.tar.gz", "citrix-public-organisation"),
    ],
)
def test_a_word_curl_fetches_from_citrix_over_http_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], word: str, rule: str
) -> None:
    spec = write_spec(tmp_path, "guessed", f"Source0: https://example.org/a.tgz {word}")
    code, report, err = scan_report(capsys, spec)
    found = {(p["kind"], f["rule"], f["value"]) for p in report["packages"] for f in p["findings"]}
    assert ("source", rule, word) in found, err
    assert code == 1
