"""Mutated copies of the real fixture RPMs, each broken (or bent) in exactly one of the ways rpm checks.

A case starts from a fixture rpmbuild made, changes one thing, and keeps everything else as rpm
wants it: data laid out again in index order and aligned (`Structure.set_value`, `add_entry`),
digests and sizes made true again, unless the change is to a digest. Whether rpm refuses the
result is not written here: the test asks rpm.
"""

from __future__ import annotations

import enum
import gzip
import hashlib
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import RPMS
from tests.hostile.make_corpus import Rpm, Structure, split_rpm

__all__ = ["RPMS", "Rpm", "Structure", "split_rpm"]

BINARY = "three-requires-1.0-1.noarch.rpm"
SOURCE = "epochs-1.2-4.src.rpm"
SIGNED = "signed-1.0-1.noarch.rpm"
NOSPEC = "nospec-1.0-1.src.rpm"

(NAME, VERSION, EPOCH, SUMMARY, BUILDTIME, BUILDHOST, SIZE, RPMVERSION, FILEMODES, REQUIREFLAGS,
 REQUIRENAME, BASENAMES, PAYLOADDIGEST, PAYLOADDIGESTALT) = (
    1000, 1001, 1003, 1004, 1006, 1007, 1009, 1064, 1030, 1048, 1049, 1117, 5092, 5097)  # fmt: skip
SIG_SIZE, SIG_MD5, SIG_PAYLOADSIZE, SIG_PGP, SIG_RSA, SIG_SHA1, SIG_SHA256 = (
    1000,
    1004,
    1007,
    1002,
    268,
    269,
    273,
)
UNKNOWN_TAG = 4900
"""A tag no rpm has a type for (rpmtag.h leaves it unused)."""
INT16, INT32, STRING, BIN, STRING_ARRAY = 3, 4, 6, 7, 8


class Oracle(enum.Enum):
    """Which rpm command decides the case (tests/differential/oracle.py)."""

    STRUCTURE = "rpm -qp --nodigest --nosignature"
    DIGEST = "rpm -K --nosignature"
    SIGNATURE = "rpm -K (key imported)"
    PAYLOAD = "rpm2archive"


Change = Callable[[Rpm], None]
Patch = Callable[[bytearray, "Offsets"], None]


@dataclass(frozen=True)
class Offsets:
    """Where the parts of the serialised file start."""

    signature: int
    main: int
    payload: int


@dataclass(frozen=True)
class Case:
    id: str
    """Names the check (rpm's function, and what of it)."""
    oracle: Oracle
    fixture: str
    says: str | None
    """What the auditor's one error line must hold when it refuses; None for a control case,
    a file made to be read (rpm accepts it, so must the auditor)."""
    change: Change | None = None
    """Before the digests are made true again: a change to the header or the payload."""
    after: Change | None = None
    """After the digests are written: a change to them, or to the signature header."""
    patch: Patch | None = None
    """On the bytes of the file: a change to what the model cannot represent (intros, lead)."""

    def build(self, directory: Path) -> Path:
        rpm = split_rpm((RPMS / self.fixture).read_bytes())
        if self.change:
            self.change(rpm)
        fix_digests(rpm)
        if self.after:
            self.after(rpm)
        signature = rpm.signature.to_bytes()
        main_start = 96 + len(signature) + (8 - len(signature) % 8) % 8
        data = bytearray(rpm.to_bytes(fix_size=False, fix_digests=False))
        if self.patch:
            self.patch(data, Offsets(96, main_start, main_start + len(rpm.main.to_bytes())))
        suffix = ".src.rpm" if ".src." in self.fixture else ".rpm"
        path = directory / f"{self.id}{suffix}"
        path.write_bytes(bytes(data))
        return path


def fix_digests(rpm: Rpm) -> None:
    """SIZE, then the signature header's SHA1, SHA256 and MD5 of the header as it now is, made true."""
    main = rpm.main.to_bytes()
    struct.pack_into(
        ">I", rpm.signature.store, rpm.signature.entry(SIG_SIZE)[2], len(main) + len(rpm.payload)
    )
    put_string(rpm.signature, SIG_SHA1, hashlib.sha1(main).hexdigest())
    put_string(rpm.signature, SIG_SHA256, hashlib.sha256(main).hexdigest())
    md5 = rpm.signature.entry(SIG_MD5)[2]
    rpm.signature.store[md5 : md5 + 16] = hashlib.md5(main + rpm.payload).digest()


def put_string(structure: Structure, tag: int, value: str) -> None:
    """Overwrite the first string of ``tag`` with one of the same length, in place."""
    offset = structure.entry(tag)[2]
    end = structure.store.index(b"\0", offset)
    assert end - offset == len(value), (tag, value)
    structure.store[offset:end] = value.encode()


# -- building blocks --------------------------------------------------------------------------


def field(part: str, tag: int, column: int, value: int | Callable[[Structure, list[int]], int]) -> Change:
    """Set one index field (1 type, 2 offset, 3 count; 0 the tag itself) of ``tag``."""

    def change(rpm: Rpm) -> None:
        structure = getattr(rpm, part)
        entry = structure.entry(tag)
        entry[column] = value(structure, entry) if callable(value) else value

    return change


def region(part: str, column: int, value: int | Callable[[Structure], int]) -> Change:
    """Set one field of the region tag's own index entry."""

    def change(rpm: Rpm) -> None:
        structure = getattr(rpm, part)
        structure.entries[0][column] = value(structure) if callable(value) else value

    return change


def trailer(part: str, column: int, value: int | Callable[[Structure], int]) -> Change:
    """Set one field (0 tag, 1 type, 2 offset, 3 count) of the region trailer in the data."""

    def change(rpm: Rpm) -> None:
        structure = getattr(rpm, part)
        at = structure.entries[0][2]
        fields = list(struct.unpack_from(">iIiI", structure.store, at))
        fields[column] = value(structure) if callable(value) else value
        struct.pack_into(">iIiI", structure.store, at, *fields)

    return change


def value(part: str, tag: int, data: bytes, count: int, type_: int | None = None) -> Change:
    return lambda rpm: getattr(rpm, part).set_value(tag, data, count, type_)


def both(*changes: Change) -> Change:
    def change(rpm: Rpm) -> None:
        for one in changes:
            one(rpm)

    return change


def byte(where: str, offset: int, new: int | bytes) -> Patch:
    """Overwrite bytes at ``offset`` into the lead (``lead``) or a structure's intro."""

    def patch(data: bytearray, offsets: Offsets) -> None:
        start = {"lead": 0, "signature": offsets.signature, "main": offsets.main}[where] + offset
        raw = bytes([new]) if isinstance(new, int) else new
        data[start : start + len(raw)] = raw

    return patch


def intro(where: str, column: str, number: int) -> Patch:
    return byte(where, {"il": 8, "dl": 12}[column], struct.pack(">I", number))


def emptied(part: str) -> Change:
    """A header structure with no entries and no data at all."""

    def change(rpm: Rpm) -> None:
        structure: Structure = getattr(rpm, part)
        structure.entries.clear()
        structure.store.clear()

    return change


def without_region(rpm: Rpm) -> None:
    """A version 3 header: no region tag and no trailer (rpm reads it, and warns)."""
    main = rpm.main
    slots = main.slots()[1:]
    del main.entries[0]
    main.layout(slots)


def strings(part: str, tag: int, edit: Callable[[str], str]) -> Change:
    def change(rpm: Rpm) -> None:
        structure = getattr(rpm, part)
        entry = structure.entry(tag)
        old = bytes(structure.store[entry[2] : entry[2] + structure.data_length(entry)])
        new = edit(old.decode())
        structure.set_value(tag, new.encode(), entry[3])

    return change


def rename(part: str, tag: int, new: int) -> Change:
    return field(part, tag, 0, new)


def gap_after(tag: int, size: int) -> Change:
    """``size`` more bytes after ``tag``'s data: every later entry moves on."""

    def change(rpm: Rpm) -> None:
        main = rpm.main
        entry = main.entry(tag)
        end = entry[2] + main.data_length(entry)
        main.store[end:end] = b"\0" * size
        for other in main.entries:
            if other[2] >= end:
                other[2] += size
        # the region trailer moved: its own entry's offset was moved with the rest

    return change


def packet(edit: Callable[[bytearray], None], tag: int = SIG_RSA) -> Change:
    """Edit the OpenPGP packet of a signature tag (its length kept or changed)."""

    def change(rpm: Rpm) -> None:
        entry = rpm.signature.entry(tag)
        data = bytearray(rpm.signature.store[entry[2] : entry[2] + entry[3]])
        edit(data)
        rpm.signature.set_value(tag, bytes(data), len(data))

    return change


def rsa_packet(rpm: Rpm) -> bytes:
    entry = rpm.signature.entry(SIG_RSA)
    return bytes(rpm.signature.store[entry[2] : entry[2] + entry[3]])


def packet_body(packet: bytes | bytearray) -> int:
    """Where the body of an old-format OpenPGP packet (as gpg writes them) starts."""
    assert packet[0] & 0xC0 == 0x80, "not an old-format packet"
    return 1 + (1 << (packet[0] & 0x03))


def prefix_at(packet: bytes | bytearray) -> int:
    """Where a v3 or v4 signature packet holds the left 16 bits of its hash."""
    body = packet_body(packet)
    if packet[body] == 3:
        return body + 17
    unhashed = body + 6 + int.from_bytes(packet[body + 4 : body + 6], "big")
    return unhashed + 2 + int.from_bytes(packet[unhashed : unhashed + 2], "big")


def flip_prefix(packet: bytearray) -> None:
    """Every bit of the hash prefix inverted: rpm calls the signature BAD without a key."""
    at = prefix_at(packet)
    packet[at : at + 2] = bytes(byte ^ 0xFF for byte in packet[at : at + 2])


def cpio_field(offset: int, new: bytes, member: int = 0) -> Change:
    """Overwrite one field of the ``member``-th cpio header of a gzip payload."""

    def change(rpm: Rpm) -> None:
        archive = bytearray(gzip.decompress(rpm.payload))
        position = 0
        for _ in range(member):
            name_size, file_size = (
                int(archive[position + 94 : position + 102], 16),
                int(archive[position + 54 : position + 62], 16),
            )
            position += (110 + name_size + 3) // 4 * 4
            position += (file_size + 3) // 4 * 4
        archive[position + offset : position + offset + len(new)] = new
        rpm.payload = gzip.compress(bytes(archive), mtime=0)
        put_string(rpm.main, PAYLOADDIGEST, hashlib.sha256(rpm.payload).hexdigest())

    return change
