"""A source RPM's spec read from a payload that may hold it twice.

rpm 4.11 (XCP-ng 8.x) writes each copy of a member over the one before and installs the last,
checking each against the header's file digest; rpm 4.18 refuses the package. The reader of the
spec a rebuild reads took the first copy and stopped: a clean spec before a Citrix one was the
rebuild's. A copy the header's digest vouches for is the only one rpm can install, and is read at
once; one it does not is read on to the trailer, and a second copy is an error (dupmember60).
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from auditor.core.errors import InputError
from auditor.formats.payload import extract_member, vouched_by
from auditor.formats.rpmheader import read_headers
from tests.formats.test_payload_members import newc
from tests.rpmbuild import build_noarch

CLEAN = b"Name: x\nVendor: XCP-ng\n"
CITRIX = b"Name: x\nVendor: Citrix Systems, Inc.\n"


def twice(first: bytes, second: bytes) -> io.BytesIO:
    return io.BytesIO(
        b"".join(
            [
                newc("./x.spec", first),
                newc("./x.tar.gz", b"t" * 1_000_000),
                newc("./x.spec", second),
                newc("TRAILER!!!"),
            ]
        )
    )


def test_a_copy_the_digest_vouches_for_is_read_at_once() -> None:
    stream = twice(CLEAN, CITRIX)
    assert (
        extract_member(stream, "identity", "x.spec", "x.src.rpm", vouched=lambda data: data == CLEAN) == CLEAN
    )
    assert stream.tell() <= 65536  # one read of the stream: the tarball after it is not walked


@pytest.mark.parametrize("first", [CLEAN, CITRIX])
def test_a_copy_no_digest_vouches_for_is_read_to_the_trailer_and_a_second_copy_is_an_error(
    first: bytes,
) -> None:
    second = CITRIX if first == CLEAN else CLEAN
    with pytest.raises(InputError, match=r"x\.spec is in it twice"):
        extract_member(twice(first, second), "identity", "x.spec", "x.src.rpm", vouched=lambda _: False)


def test_one_copy_no_digest_vouches_for_is_read() -> None:
    stream = io.BytesIO(b"".join([newc("./x.spec", CLEAN), newc("TRAILER!!!")]))
    assert extract_member(stream, "identity", "x.spec", "x.src.rpm", vouched=lambda _: False) == CLEAN


def test_the_header_vouches_for_its_spec_as_rpmbuild_wrote_it_and_no_other(tmp_path: Path) -> None:
    """Held to rpm: the digest `vouched_by` reads is the one `rpm -qp --dump` lists."""
    spec = tmp_path / "x.spec"
    spec.write_text("Name: x\nVersion: 1\nRelease: 1\nSummary: x\nLicense: MIT\nBuildArch: noarch\n"
                    "%description\nx\n%files\n")  # fmt: skip
    srpm, _ = build_noarch(spec, tmp_path / "top", [])
    with srpm.open("rb") as stream:
        main = read_headers(stream, str(srpm), srpm.stat().st_size).main
    dump = subprocess.run(
        ["rpm", "-qp", "--dump", str(srpm)], capture_output=True, text=True, check=True
    ).stdout
    assert any(line.startswith("x.spec ") for line in dump.splitlines())
    vouched = vouched_by(main, "x.spec")
    assert vouched(spec.read_bytes())
    assert not vouched(spec.read_bytes() + b"Vendor: Citrix Systems, Inc.\n")
    assert not vouched_by(main, "other.spec")(spec.read_bytes())
