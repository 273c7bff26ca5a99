"""A ``.repo`` file one package installs in a directory ANOTHER package's main configuration
names as its ``reposdir``.

``confa`` ships ``/etc/dnf/dnf.conf`` with ``reposdir=/opt/r``; ``repob`` ships ``/opt/r/x.repo``
with a Citrix ``baseurl``: a host that installs both reads the file and fetches from Citrix. Only
a package's own reposdir was looked at: both read clean (exit 0). The file is now judged on the
package that installs it, the finding naming whose reposdir makes dnf read it, whether the
packages are RPM files, a createrepo_c repository or one over HTTP (127.0.0.1).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.httpserver import LocalServer
from tests.sources.test_payload_config import build, findings, package, payload_gaps, scan
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves

XS = "[x]\nbaseurl=https://updates.xenserver.com/8/\n"
THROUGH = "/opt/r/x.repo [x] baseurl (dnf reads it through confa's /etc/dnf/dnf.conf reposdir=/opt/r)"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    directory = tmp_path_factory.mktemp("other-reposdir")
    return {
        "confa": build(directory, "confa", {"/etc/dnf/dnf.conf": "[main]\nreposdir=/opt/r/\n"}),
        "repob": build(directory, "repob", {"/opt/r/x.repo": XS}),
        "docs": build(directory, "docs", {"/usr/share/doc/docs/x.repo": XS}),
        "confslashes": build(directory, "confslashes", {"/etc/dnf/dnf.conf": "[main]\nreposdir=//opt//r/\n"}),
        "offvars": build(directory, "offvars", {"/opt/r/v.repo": "[v]\nbaseurl=https://$mirror/8/\n"}),
    }


def binaries(built: dict[str, tuple[Path, Path]], *names: str) -> list[str]:
    return [str(built[name][1]) for name in names]


def test_a_repo_file_in_the_reposdir_another_package_names_is_judged_on_the_package_installing_it(
    built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = scan(binaries(built, "confa", "repob", "docs"), capsys)
    assert findings(document, "repob") == {THROUGH: ("https://updates.xenserver.com/8/", "medium", "blocks")}
    assert package(document, "confa")["findings"] == []
    # A directory no reposdir names holds no configuration: an example, never read by dnf.
    assert package(document, "docs")["findings"] == []
    assert code == 1


def test_without_the_package_naming_the_directory_the_file_is_no_configuration(
    built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = scan(binaries(built, "repob", "offvars"), capsys)
    assert package(document, "repob")["findings"] == []
    assert "payload-unread" not in json.dumps(document)
    assert code == 0


def test_what_cannot_be_judged_of_such_a_file_is_a_gap_naming_the_package_that_makes_dnf_read_it(
    built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = scan([*binaries(built, "confa", "offvars"), "--strict"], capsys)
    said = payload_gaps(document, "offvars")  # the package's own gap, on its row in every format
    assert len(said) == 1 and "$mirror" in said[0] and "through confa's" in said[0], said
    assert code == 3


def test_a_repository_of_them_local_and_over_http(
    built: dict[str, tuple[Path, Path]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "www" / "repo"
    root.mkdir(parents=True)
    for name in ("confa", "repob"):
        for path in built[name]:
            shutil.copy(path, root)
    subprocess.run(["createrepo_c", "-q", str(root)], check=True)
    code, document = scan([str(root)], capsys)
    assert findings(document, "repob") == {THROUGH: ("https://updates.xenserver.com/8/", "medium", "blocks")}
    assert code == 1
    with LocalServer(tmp_path / "www") as server:
        args = [
            server.url("/repo/"),
            "--remote-headers",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--format",
            "json",
        ]
        code = main(["scan", *args, "-q"])
    remote: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert findings(remote, "repob") == {THROUGH: ("https://updates.xenserver.com/8/", "medium", "blocks")}
    assert code == 1


def test_a_reposdir_written_with_two_leading_slashes_is_the_directory(
    built: dict[str, tuple[Path, Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    """``reposdir=//opt//r/``: Linux reads it as /opt/r, and dnf reads repob's file there. The
    name was kept as //opt/r (posixpath.normpath keeps two leading slashes), no file's
    directory, and repob read clean (exit 0)."""
    code, document = scan(binaries(built, "confslashes", "repob"), capsys)
    through = THROUGH.replace("confa's", "confslashes's")
    assert findings(document, "repob") == {through: ("https://updates.xenserver.com/8/", "medium", "blocks")}
    assert code == 1
