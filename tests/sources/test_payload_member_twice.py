"""A payload holding a member twice (dupmember60).

The reader took the first ``./etc/yum.repos.d/x.repo`` of a payload holding it twice, the first
clean and the second pointing at Citrix. rpm 4.11.3 (XCP-ng 8.x hosts) writes each member and
renames it in place (``lib/fsm.c``): the last copy is the one installed, checked only against the
header's FILEDIGESTS, which a package may leave out. rpm 4.18 refuses the package
("open failed - File exists"). Either way the first copy is not what the host gets: the file is
a gap, not read clean.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.differential.mutations import PAYLOADDIGEST, PAYLOADDIGESTALT, fix_digests, put_string
from tests.hostile.make_corpus import split_rpm
from tests.rpmbuild import binary_of

CLEAN = b"[x]\nname=x\nbaseurl=https://updates.xcp-ng.org/83/\n"
CITRIX = b"[x]\nname=x\nbaseurl=https://updates.xensource.com/\n"
SPEC = """Name: x
Version: 1
Release: 1
Summary: x
License: MIT
BuildArch: noarch
%description
x
%install
mkdir -p %{buildroot}/etc/yum.repos.d
printf '[x]\\nname=x\\nbaseurl=https://updates.xcp-ng.org/83/\\n' > %{buildroot}/etc/yum.repos.d/x.repo
%files
/etc/yum.repos.d/x.repo
"""


def newc(name: str, data: bytes) -> bytes:
    encoded = name.encode() + b"\0"
    fields = [0, 0o100644, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(encoded), 0]
    header = b"070701" + b"".join(b"%08X" % value for value in fields)
    pad = (4 - (len(header) + len(encoded)) % 4) % 4
    return header + encoded + b"\0" * pad + data + b"\0" * ((4 - len(data) % 4) % 4)


def twice(tmp_path: Path, second: str) -> Path:
    """The package rpmbuild makes of SPEC, its payload rewritten to hold x.repo twice (clean,
    then Citrix, named ``second``), its digests made true again (``rpm -K``: digests OK)."""
    rpm = split_rpm(binary_of(SPEC, tmp_path).read_bytes())
    archive = b"".join(
        [newc("./etc/yum.repos.d/x.repo", CLEAN), newc(second, CITRIX), newc("TRAILER!!!", b"")]
    )
    rpm.payload = gzip.compress(archive, mtime=0)
    put_string(rpm.main, PAYLOADDIGEST, hashlib.sha256(rpm.payload).hexdigest())
    put_string(rpm.main, PAYLOADDIGESTALT, hashlib.sha256(archive).hexdigest())
    fix_digests(rpm)
    path = tmp_path / "x-1-1.noarch.rpm"
    path.write_bytes(rpm.to_bytes(fix_size=False, fix_digests=False))
    return path


@pytest.mark.parametrize("second", ["./etc/yum.repos.d/x.repo", "/etc/yum.repos.d/x.repo"])
def test_a_repo_file_the_payload_holds_twice_is_a_gap_not_its_first_copy(
    tmp_path: Path, second: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["scan", str(twice(tmp_path, second)), "--no-cache", "--format", "json"])
    (package,) = json.loads(capsys.readouterr().out)["packages"]
    (gap,) = [gap for gap in package["gaps"] if gap["kind"] == "payload-unread"]
    assert gap["detail"].startswith("/etc/yum.repos.d/x.repo "), gap
    assert "x.repo is in it twice" in gap["detail"], gap
