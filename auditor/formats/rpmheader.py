"""Read the lead, the signature header and the main header of an RPM file, checked as rpm does.

This is the part of rpm's package format the auditor needs: it never reads the payload
(`auditor.formats.payload` does, and `auditor.formats.payloaddigests` computes what covers it,
the MD5 of a header that has no other digest included). Every length and offset read from the
file is checked against the file before it is used, so a hostile header that claims gigabytes
costs nothing but an error. Beyond that, a file rpm refuses is refused: the
lead as ``lib/rpmlead.c`` checks it, each header structure as ``lib/header.c`` does
(`auditor.formats.hdrblob`), and the signature header's tags, digests and signature packets
as ``lib/package.c`` and ``lib/rpmvs.c`` do (`auditor.formats.rpmsignature`).

Layout (rpm's ``lib/header.c`` and ``lib/package.c``)::

    lead        96 bytes, magic ED AB EE DB
    signature   header structure, padded to a multiple of 8 bytes
    header      header structure (the main header)
    payload     compressed cpio archive

    header structure = magic 8E AD E8 01, 4 reserved bytes, il (entries), dl (data bytes),
                       il x (tag, type, offset, count) int32 big-endian, dl bytes of data
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import BinaryIO

from auditor.core.errors import InputError
from auditor.formats import hdrblob, headerlayout, rpmsignature
from auditor.formats.header import Header, SigTag, Tag
from auditor.formats.rpmcheck import CheckKind, RpmCheckError

__all__ = [
    "Header", "RpmHeaders", "SigTag", "Tag",
    "read_headers", "structure_size",
]  # fmt: skip

LEAD_SIZE = 96
LEAD_MAGIC = b"\xed\xab\xee\xdb"
HEADER_MAGIC = b"\x8e\xad\xe8\x01\0\0\0\0"
"""rpm_header_magic: the four magic bytes and four reserved ones, which must be zero."""
INTRO_SIZE = 16
ENTRY_SIZE = 16
_LEAD_SIGNATURE_TYPE = 5
"""RPMSIGTYPE_HEADERSIG: the only signature type rpmLeadCheck accepts."""

# rpm's own ceilings (lib/header.c: hdrblobVerifyLengths).
MAX_ENTRIES = hdrblob.HEADER_TAGS_MAX
MAX_DATA = hdrblob.HEADER_DATA_MAX
MAX_SIGNATURE_ENTRIES = hdrblob.SIGNATURE_TAGS_MAX
MAX_SIGNATURE_DATA = hdrblob.SIGNATURE_DATA_MAX


_INTRO = struct.Struct(">8sII")


@dataclass(frozen=True, slots=True)
class RpmHeaders:
    signature: Header
    main: Header
    header_start: int
    """File offset of the main header (repodata's ``header-range start``)."""
    header_end: int
    """File offset where the payload starts (``header-range end``)."""
    is_source: bool
    """The lead's type field says source package."""
    signing_keys: tuple[str, ...]
    """Key ids of every signature rpm checks, in its order (`rpmsignature.verify`); empty when unsigned."""
    truncated: str | None = None
    """Why the file is shorter than its signature header says (its payload is cut), if it is."""
    recorded_size: int | None = None
    """The file's size its signature header records (lead, headers and payload), if it records
    one: bytes past it are no part of the package (another package appended to it), which rpm
    -K finds in the payload digests and the auditor, reading only headers, in the size."""


def read_headers(stream: BinaryIO, source: str, file_size: int | None = None) -> RpmHeaders:
    """Read lead, signature and main header from an open RPM file positioned at its start.

    Raises `InputError` naming ``source`` for anything that is not a well-formed RPM: a short
    read anywhere, a bad magic, counts past rpm's own limits or past the end of the file, and
    (as `RpmCheckError`) every check rpm itself makes before it reads a tag. A file whose
    headers are whole but which is shorter than its signature header says (a truncated
    payload) is read: `RpmHeaders.truncated` says so, for the caller to report.
    """
    if file_size is None:
        file_size = os.fstat(stream.fileno()).st_size
    lead = stream.read(LEAD_SIZE)
    is_source = _check_lead(lead, source)
    signature, _ = _read_structure(stream, source, "signature header", file_size)
    pad = (8 - signature.size % 8) % 8
    if pad:
        padding = stream.read(pad)
        if len(padding) < pad:
            raise InputError(source, "truncated RPM: ends inside the signature header")
    header_start = LEAD_SIZE + signature.size + pad
    main, raw_main = _read_structure(stream, source, "main header", file_size)
    header_end = header_start + main.size
    rpmsignature.check_legacy_tags(signature, main, source)
    keys = rpmsignature.verify(signature, main, b"".join(raw_main), source)
    truncated = None
    declared = _declared_size(signature)
    recorded = None if declared is None else header_start + declared
    if recorded is not None and recorded > file_size:
        truncated = f"truncated RPM: {file_size} bytes, its signature records {recorded} (header and payload)"
    return RpmHeaders(signature, main, header_start, header_end, is_source, keys, truncated, recorded)


def _check_lead(lead: bytes, source: str) -> bool:
    """rpmLeadRead and rpmLeadCheck: magic, signature type and major version. True for a source package."""
    if len(lead) < LEAD_SIZE:
        if not lead:
            raise InputError(source, "empty file, not an RPM")
        raise InputError(source, f"truncated RPM: {len(lead)} bytes, shorter than the 96-byte lead")
    if lead[:4] != LEAD_MAGIC:
        raise InputError(source, "not an RPM file (bad lead magic)")
    major, signature_type = lead[4], struct.unpack_from(">h", lead, 78)[0]
    if signature_type != _LEAD_SIGNATURE_TYPE:
        raise RpmCheckError(
            source, f"corrupt RPM lead: signature type {signature_type}, not 5 (a header)",
            "rpmLeadCheck", CheckKind.LEAD,
        )  # fmt: skip
    if not 3 <= major <= 4:
        raise RpmCheckError(
            source, f"corrupt RPM lead: package format version {major}, rpm reads 3 and 4",
            "rpmLeadCheck", CheckKind.LEAD,
        )  # fmt: skip
    return bool(struct.unpack_from(">H", lead, 6)[0] == 1)


def structure_size(intro: bytes, source: str, what: str) -> int:
    """Bytes a header structure occupies, from its 16-byte intro (for reading it by range).
    ``what`` is "signature header" or "main header", which have different limits."""
    il, dl = _intro(intro, source, what)
    return INTRO_SIZE + il * ENTRY_SIZE + dl


def _intro(intro: bytes, source: str, what: str) -> tuple[int, int]:
    """hdrblobRead's first checks: the 16 bytes are there, the magic (reserved bytes
    included), and hdrblobVerifyLengths."""
    if len(intro) < INTRO_SIZE:
        raise InputError(source, f"truncated RPM: ends inside the {what}")
    magic, il, dl = _INTRO.unpack(intro[:INTRO_SIZE])
    if magic[:4] != HEADER_MAGIC[:4]:
        raise InputError(source, f"corrupt RPM: bad {what} magic")
    if magic != HEADER_MAGIC:
        raise RpmCheckError(
            source, f"corrupt RPM {what}: reserved bytes {magic[4:].hex()} after the magic, not zero",
            "hdrblobRead", CheckKind.STRUCTURE,
        )  # fmt: skip
    hdrblob.verify_lengths(il, dl, what == "signature header", source, what)
    return int(il), int(dl)


def _declared_size(signature: Header) -> int | None:
    """Header-plus-payload size recorded in the signature header (LONGSIZE past 4 GiB, else SIZE).
    Their types were checked with the other signature tags (rpmsignature.check_legacy_tags)."""
    for tag in (SigTag.LONGSIZE, SigTag.SIZE):
        value = signature.integer(tag)
        if value is not None:
            return value
    return None


def _read_structure(stream: BinaryIO, source: str, what: str, file_size: int) -> tuple[Header, list[bytes]]:
    """One header structure, checked (hdrblobRead, hdrblobInit, hdrblobImport), and its bytes
    as read (which the signature header's digests cover)."""
    start = stream.tell()
    intro = stream.read(INTRO_SIZE)
    il, dl = _intro(intro, source, what)
    size = INTRO_SIZE + il * ENTRY_SIZE + dl
    if start + size > file_size:
        raise InputError(
            source,
            f"truncated RPM: the {what} needs {start + size} bytes, the file has {file_size}",
        )
    index = stream.read(il * ENTRY_SIZE)
    store = stream.read(dl)
    if len(index) < il * ENTRY_SIZE or len(store) < dl:
        raise InputError(source, f"truncated RPM: ends inside the {what}")
    signature = what == "signature header"
    region_tag = headerlayout.HEADERSIGNATURES if signature else headerlayout.HEADERIMMUTABLE
    entries = hdrblob.verify_blob(index, store, region_tag, not signature, source, what)
    legacy = not signature and headerlayout.INDEX.unpack_from(index)[0] != region_tag  # no region
    return Header(entries, store, size, source, legacy=legacy), [intro, index, store]
