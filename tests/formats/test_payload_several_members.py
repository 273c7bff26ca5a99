"""Several members of a payload read in one walk (`extract_members`), with the bounds of one.

A binary's repository configurations, variables and keys are read together: the walk goes to the
trailer (a later copy of one is an error), holds no member over its bound nor more than its total, reads hard links by the
member that carries their data and stripped members by their index, and an error (a payload cut,
corrupt) is returned beside what was read before it, never raised.
"""

from __future__ import annotations

import io

from auditor.formats.payload import PayloadFiles, extract_members
from tests.formats.test_payload_members import newc
from tests.formats.test_stripped_payload import stripped

FILES = PayloadFiles(("./etc/a.repo", "./etc/b", "./etc/c", "./etc/d.repo", "./usr/x"), None)


def archive(*members: tuple[str, bytes]) -> bytes:
    return b"".join([*(newc(name, data) for name, data in members), newc("TRAILER!!!")])


def test_the_members_asked_for_are_read_in_one_walk_to_the_trailer() -> None:
    """The walk goes on past the last member asked for, to see a later copy of one
    (`test_a_member_asked_for_twice_is_an_error_and_neither_copy_is_read`): what follows is
    skipped, never held."""
    data = archive(
        ("./etc/a.repo", b"A"), ("./etc/b", b"B"), ("./etc/d.repo", b"D"), ("./usr/x", b"X" * 1_000_000)
    )
    stream = io.BytesIO(data)
    read = extract_members(stream, "identity", ["/etc/d.repo", "/etc/a.repo"], "p.rpm", FILES)
    assert read.found == {"/etc/a.repo": b"A", "/etc/d.repo": b"D"}
    assert read.too_large == {} and read.error is None


def test_a_member_asked_for_twice_is_an_error_and_neither_copy_is_read() -> None:
    """rpm 4.11 (XCP-ng 8.x) installs the last copy; the first was read (dupmember60)."""
    data = archive(("./etc/a.repo", b"clean"), ("./etc/b", b"B"), ("./etc/a.repo", b"citrix"))
    files = PayloadFiles(("./etc/a.repo", "./etc/b", "./etc/c"), None)
    read = extract_members(io.BytesIO(data), "identity", ["/etc/a.repo"], "p.rpm", files)
    assert read.found == {} and read.too_large == {}
    assert read.error is not None and "twice" in read.error.reason


def test_a_member_over_its_bound_or_the_total_is_not_held_and_the_others_are_read() -> None:
    data = archive(
        ("./etc/a.repo", b"A" * 64), ("./etc/b", b"B" * 8), ("./etc/c", b"C" * 16), ("./etc/d.repo", b"D")
    )
    read = extract_members(
        io.BytesIO(data), "identity", ["/etc/a.repo", "/etc/b", "/etc/c", "/etc/d.repo"], "p.rpm", FILES,
        limit=32, total=20,
    )  # fmt: skip
    assert read.found == {"/etc/b": b"B" * 8, "/etc/d.repo": b"D"}
    assert read.too_large == {"/etc/a.repo": 64, "/etc/c": 16}  # c: 8 + 16 is past the total of 20
    assert read.error is None


def test_a_hard_link_is_read_from_the_member_that_carries_its_data() -> None:
    """rpm writes a set of hard links' data with the last of them, the others empty."""
    linked = PayloadFiles(FILES.paths, None, (0, 2, 2, 3, 4))
    data = archive(("./etc/b", b""), ("./etc/c", b"shared"), ("./etc/d.repo", b"D"))
    read = extract_members(io.BytesIO(data), "identity", ["/etc/b", "/etc/d.repo"], "p.rpm", linked)
    assert read.found == {"/etc/b": b"shared", "/etc/d.repo": b"D"}


def test_stripped_members_are_read_by_their_index() -> None:
    sized = PayloadFiles(FILES.paths, (1, 1, 1, 2, 1))
    data = stripped(0, b"A") + stripped(3, b"DD") + stripped(0xFFFFFFFF)
    read = extract_members(io.BytesIO(data), "identity", ["./etc/d.repo", "/etc/b"], "p.rpm", sized)
    assert read.found == {"./etc/d.repo": b"DD"} and read.error is None


def test_an_error_is_returned_beside_what_was_read_before_it() -> None:
    data = archive(("./etc/a.repo", b"A"), ("./etc/d.repo", b"D"))
    cut = data[: len(newc("./etc/a.repo", b"A")) + 20]
    read = extract_members(io.BytesIO(cut), "identity", ["/etc/a.repo", "/etc/d.repo"], "p.rpm", FILES)
    assert read.found == {"/etc/a.repo": b"A"}
    assert read.error is not None and "truncated RPM payload" in read.error.reason
    unknown = extract_members(io.BytesIO(data), "lzip", ["/etc/a.repo"], "p.rpm", FILES)
    assert unknown.found == {} and unknown.error is not None
    assert "unsupported payload compression" in unknown.error.reason
