"""A source RPM of a repository whose payload is cut short, read again for another host of
``--arch`` (`auditor.sources.srpmhosts`): the error names the file, as every other error of a
repository's package does, not the repository, which holds a thousand others.

Found on scancode-toolkit's test data (SRPMs cut after their headers, listed by createrepo_c):
audited as one repository with the hosts of its binaries, fourteen errors read
``REPO: truncated RPM payload: the gzip stream ends before its end marker`` and named no file.
"""

from __future__ import annotations

import json
import platform
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.formats.rpmheader import read_headers
from tests.differential.test_spec_reading import build_srpm

OTHER = "aarch64" if platform.machine() != "aarch64" else "x86_64"
"""A build host that did not make the SRPM: its spec is read again for it."""

SPEC = (
    "Name: cut\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nSource0: cut.tar.gz\n"
    + "".join(f"# padding line {n} so the payload is longer than what is kept of it\n" for n in range(400))
    + "%description\nd\n%prep\n%files\n"
)


@pytest.fixture
def repository(tmp_path: Path) -> tuple[Path, Path]:
    """createrepo_c's repository of one SRPM whose payload is cut 40 bytes past its headers."""
    srpm = build_srpm(tmp_path, SPEC)
    with srpm.open("rb") as stream:
        end = read_headers(stream, str(srpm), srpm.stat().st_size).header_end
    directory = tmp_path / "repo"
    directory.mkdir()
    cut = directory / srpm.name
    cut.write_bytes(srpm.read_bytes()[: end + 40])
    subprocess.run(
        ["createrepo_c", "--quiet", "--no-database", str(directory)], check=True, capture_output=True
    )
    return directory, cut


def test_the_error_of_a_cut_payload_read_for_another_host_names_the_file(
    repository: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory, cut = repository
    out = tmp_path / "out.json"
    code = main(["scan", str(directory), "--arch", OTHER, "--no-cache", "-q", "-o", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err and code == 3
    document = json.loads(out.read_text())
    assert document["errors"], "the cut payload is an input error"
    assert {error["input"] for error in document["errors"]} == {str(cut)}
    assert f"error: {directory}: " not in err
    (package,) = document["packages"]
    assert package["name"] == "cut"
    assert not document["completeness"]["complete"]
