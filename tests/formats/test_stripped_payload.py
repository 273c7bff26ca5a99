"""rpm's stripped cpio payload (magic ``07070X``): each member names its file by its index in the header.

rpmbuild 4.12 and later writes it for a package holding a file of 4 GiB or more, and rpm 6 for
every v6 package. The auditor refused it ("not supported"), so the nine v6 source RPMs of
rpm-rs's test suite, which ``rpm -qp`` and ``rpm -i`` read, were input errors, and the spec in
their payload went unread. rpm 4.18 reads the format (``lib/cpio.cc`` rpmcpioHeaderRead,
``lib/rpmfi.cc`` iterReadArchiveNext), and is the authority here: rpmbuild 4.18 writes it only
past 4 GiB, so the payload of a source RPM it built is rewritten in it, member for member and
in the same order, and what ``rpm -i`` extracts from that file is what the auditor must read.
The spec's sources are two hard links (rpm's data goes with the last of them) and a symbolic
link, which rpmbuild follows.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.core.errors import InputError
from auditor.formats.header import Tag
from auditor.formats.payload import PayloadFiles, extract_member
from auditor.formats.rpmheader import read_headers
from auditor.sources.srpmspec import payload_of
from tests.data.build_fixtures import restrip_payload, strip_spec_tag
from tests.formats.test_payload_members import newc

SPEC = """Name: x
Version: 1
Release: 1
Summary: x
License: MIT
URL: https://example.org/x
Source0: https://code.citrite.net/projects/XS/x/a.tar.gz
Source1: b.tar.gz
Patch0: c.patch
Patch1: d.patch
%description
x
"""


def stripped(member: int, data: bytes = b"") -> bytes:
    """One stripped member as rpm writes it: the magic, the index, padding; then the data."""
    head = b"07070X" + b"%08x" % member + b"\0\0"
    return head + data + b"\0" * ((4 - len(data) % 4) % 4)


@pytest.fixture(scope="module")
def stripped_srpm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert shutil.which("rpmbuild"), "rpmbuild is the authority here: install rpm"
    top = tmp_path_factory.mktemp("stripped")
    (top / "SOURCES").mkdir()
    (top / "SOURCES" / "a.tar.gz").write_bytes(b"the archive")
    os.link(top / "SOURCES" / "a.tar.gz", top / "SOURCES" / "b.tar.gz")
    (top / "SOURCES" / "c.patch").write_bytes(b"--- a\n+++ b\n")
    (top / "SOURCES" / "d.patch").symlink_to("c.patch")
    spec = top / "x.spec"
    spec.write_text(SPEC)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(top), "LC_ALL": "C"}
    command = [
        "rpmbuild",
        "-bs",
        "--quiet",
        "--define",
        f"_topdir {top}",
        "--define",
        "_source_payload w9.gzdio",
    ]
    subprocess.run([*command, str(spec)], capture_output=True, text=True, env=env, check=True)
    (srpm,) = (top / "SRPMS").glob("*.src.rpm")
    strip_spec_tag(srpm)  # as rpm < 4.15 made it: the spec only in the payload
    restrip_payload(srpm)
    return srpm


def test_rpm_reads_the_rewritten_payload_as_a_stripped_one(stripped_srpm: Path) -> None:
    with stripped_srpm.open("rb") as stream:
        payload_start = read_headers(stream, str(stripped_srpm), stripped_srpm.stat().st_size).header_end
    archive = gzip.decompress(stripped_srpm.read_bytes()[payload_start:])
    assert archive.startswith(b"07070X") and archive.count(b"07070X") == 5
    links = subprocess.run(
        ["rpm", "-qp", "--qf", "[%{FILENAMES} %{FILEINODES}\\n]", str(stripped_srpm)],
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    assert "a.tar.gz 1" in links and "b.tar.gz 1" in links  # one hard-link set


def test_every_member_of_a_stripped_payload_is_what_rpm_extracts(stripped_srpm: Path, tmp_path: Path) -> None:
    install = [
        "rpm",
        "-i",
        "--nodigest",
        "--nosignature",
        "--define",
        f"_topdir {tmp_path}",
        str(stripped_srpm),
    ]
    done = subprocess.run(install, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    with stripped_srpm.open("rb") as stream:
        headers = read_headers(stream, str(stripped_srpm), stripped_srpm.stat().st_size)
        member = payload_of(stream, headers, str(stripped_srpm))
        compressor = headers.main.string(Tag.PAYLOADCOMPRESSOR) or "gzip"
        paths = headers.main.file_paths()
        assert sorted(paths) == ["a.tar.gz", "b.tar.gz", "c.patch", "d.patch", "x.spec"]
        for path in paths:
            extracted = tmp_path / ("SPECS" if path.endswith(".spec") else "SOURCES") / path
            assert member(compressor, path) == extracted.read_bytes(), path


def test_a_stripped_source_rpm_s_spec_is_audited(
    stripped_srpm: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["scan", str(stripped_srpm), "--format", "json", "-q"])
    packages = json.loads(capsys.readouterr().out)["packages"]
    (package,) = [row for row in packages if row["kind"] == "source"]
    assert code == 1
    assert "https://code.citrite.net/projects/XS/x/a.tar.gz" in [
        source["value"] for source in package["sources"]
    ]
    assert "citrix-internal-host" in {finding["rule"] for finding in package["findings"]}


FILES = PayloadFiles(("a", "b", "x.spec"), (4, 0, 8))


@pytest.mark.parametrize(
    ("archive", "error"),
    [
        (stripped(3), "stripped cpio member 3 is none of the 3 files its header lists"),
        (stripped(0xFFFFFFFE), "is none of the 3 files"),
        (stripped(0, b"aaaa") + b"07070X00", "truncated RPM payload"),
        (
            stripped(0, b"aaaa") + stripped(1) + stripped(0, b"aaaa") + stripped(1),
            "more members than the 3 files",
        ),
        (stripped(0, b"aa"), "truncated RPM payload"),
        (b"07070Xzzzzzzzz\0\0", "cpio file index b'zzzzzzzz' is not a hexadecimal number"),
    ],
)
def test_a_hostile_stripped_payload_is_refused_with_one_line(archive: bytes, error: str) -> None:
    with pytest.raises(InputError, match=error.replace("(", r"\(")):
        extract_member(io.BytesIO(archive), "identity", "x.spec", "x.src.rpm", FILES)


def test_the_stripped_walk_ends_where_rpm_s_does() -> None:
    """Index -1 ends the archive as rpm's reader does (RPMERR_ITER_END); so does the ``newc``
    trailer that rpm writes after stripped members; a ``newc`` member among them is read by name."""
    spec = stripped(2, b"Name: x\n")
    assert (
        extract_member(io.BytesIO(stripped(0, b"aaaa") + spec), "identity", "x.spec", "s", FILES)
        == b"Name: x\n"
    )
    assert (
        extract_member(
            io.BytesIO(stripped(0, b"aaaa") + stripped(0xFFFFFFFF)), "identity", "x.spec", "s", FILES
        )
        is None
    )
    assert (
        extract_member(io.BytesIO(stripped(1) + newc("TRAILER!!!")), "identity", "x.spec", "s", FILES) is None
    )
    mixed = stripped(0, b"aaaa") + newc("x.spec", b"Name: y\n")
    assert extract_member(io.BytesIO(mixed), "identity", "x.spec", "s", FILES) == b"Name: y\n"


def test_a_stripped_member_the_header_cannot_size_is_refused() -> None:
    """A ``%ghost`` file has no data rpm could walk past; a header without file sizes gives none."""
    ghost = PayloadFiles(("a", "x.spec"), (None, 8))
    with pytest.raises(InputError, match="stripped cpio member 0 is a %ghost file"):
        extract_member(io.BytesIO(stripped(0)), "identity", "x.spec", "s", ghost)
    unsized = PayloadFiles(("a", "x.spec"), None)
    with pytest.raises(InputError, match="do not cover its files"):
        extract_member(io.BytesIO(stripped(0)), "identity", "x.spec", "s", unsized)
