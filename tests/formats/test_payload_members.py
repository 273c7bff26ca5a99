"""A payload holds no more members than its header lists files (red team 7, finding 10).

An old-style SRPM (no SPEC tag) whose payload put millions of empty cpio members before its
spec took a minute per 171 KB file; rpm refuses a member its header does not name. The walk
stops past the header's count, with rpm's error.
"""

from __future__ import annotations

import io

import pytest

from auditor.core.errors import InputError
from auditor.formats.payload import PayloadFiles, extract_member

THREE = PayloadFiles(("a", "a", "x.spec"), None)
"""A header listing three files."""


def newc(name: str, data: bytes = b"") -> bytes:
    """One cpio ``newc`` member, as rpmbuild writes them."""
    encoded = name.encode() + b"\0"
    fields = [0, 0o100644, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(encoded), 0]
    header = b"070701" + b"".join(b"%08X" % value for value in fields)
    pad = (4 - (len(header) + len(encoded)) % 4) % 4
    return header + encoded + b"\0" * pad + data + b"\0" * ((4 - len(data) % 4) % 4)


def archive(padding: int) -> bytes:
    members = [newc("a") for _ in range(padding)]
    return b"".join([*members, newc("x.spec", b"Name: x\n"), newc("TRAILER!!!")])


def test_the_spec_is_found_among_as_many_members_as_the_header_lists() -> None:
    assert (
        extract_member(io.BytesIO(archive(2)), "identity", "x.spec", "x.src.rpm", files=THREE) == b"Name: x\n"
    )


def test_a_payload_with_more_members_than_the_header_lists_is_refused_before_its_end() -> None:
    walked = io.BytesIO(archive(100_000))
    with pytest.raises(InputError, match="more members than the 3 files its header lists"):
        extract_member(walked, "identity", "x.spec", "x.src.rpm", files=THREE)
    assert walked.tell() < len(walked.getvalue()) // 10  # stopped early, not at the trailer
