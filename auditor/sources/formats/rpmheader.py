"""Read the lead, the signature header and the main header of an RPM file, checked as rpm does.

This is the part of rpm's package format the auditor needs: it never touches the payload
(see `auditor.sources.formats.payload` for that). Every length and offset read from the file is
checked against the file before it is used, so a hostile header that claims gigabytes
costs nothing but an error. Beyond that, a file rpm refuses is refused: the lead as
``lib/rpmlead.c`` checks it, each header structure as ``lib/header.c`` does
(`auditor.sources.formats.hdrblob`), and the signature header's tags, digests and signature
packets as ``lib/package.c`` and ``lib/rpmvs.c`` do (`auditor.sources.formats.rpmsignature`).

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
from collections.abc import KeysView, Mapping
from dataclasses import dataclass
from typing import BinaryIO

from auditor.core.errors import InputError
from auditor.sources.formats import hdrblob, rpmsignature
from auditor.sources.formats.hdrblob import (
    TYPE_BIN,
    TYPE_CHAR,
    TYPE_I18NSTRING,
    TYPE_INT8,
    TYPE_INT16,
    TYPE_INT32,
    TYPE_INT64,
    TYPE_NULL,
    TYPE_STRING,
    TYPE_STRING_ARRAY,
    Entry,
    RawEntry,
)
from auditor.sources.formats.rpmcheck import CheckKind, RpmCheckError

__all__ = [
    "TYPE_BIN", "TYPE_CHAR", "TYPE_I18NSTRING", "TYPE_INT8", "TYPE_INT16", "TYPE_INT32", "TYPE_INT64",
    "TYPE_NULL", "TYPE_STRING", "TYPE_STRING_ARRAY", "Entry", "Header", "RpmHeaders", "SigTag", "Tag",
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

_INT_FORMATS = {TYPE_CHAR: "B", TYPE_INT8: "B", TYPE_INT16: "H", TYPE_INT32: "I", TYPE_INT64: "Q"}
_WIDTHS = {type_: struct.calcsize(fmt) for type_, fmt in _INT_FORMATS.items()}
_STRING_TYPES = frozenset({TYPE_STRING, TYPE_STRING_ARRAY, TYPE_I18NSTRING})

_INTRO = struct.Struct(">8sII")


class Tag:
    """Main header tags (rpmtag.h), by rpm's own names."""

    HEADERIMMUTABLE = 63
    NAME = 1000
    VERSION = 1001
    RELEASE = 1002
    EPOCH = 1003
    SUMMARY = 1004
    DESCRIPTION = 1005
    BUILDTIME = 1006
    BUILDHOST = 1007
    DISTRIBUTION = 1010
    VENDOR = 1011
    LICENSE = 1014
    PACKAGER = 1015
    SOURCE = 1018
    PATCH = 1019
    URL = 1020
    ARCH = 1022
    OLDFILENAMES = 1027
    FILEMODES = 1030
    FILEFLAGS = 1037
    SOURCERPM = 1044
    PROVIDENAME = 1047
    REQUIREFLAGS = 1048
    REQUIRENAME = 1049
    REQUIREVERSION = 1050
    CONFLICTFLAGS = 1053
    CONFLICTNAME = 1054
    CONFLICTVERSION = 1055
    OBSOLETENAME = 1090
    SOURCEPACKAGE = 1106
    PROVIDEFLAGS = 1112
    PROVIDEVERSION = 1113
    OBSOLETEFLAGS = 1114
    OBSOLETEVERSION = 1115
    DIRINDEXES = 1116
    BASENAMES = 1117
    DIRNAMES = 1118
    PAYLOADFORMAT = 1124
    PAYLOADCOMPRESSOR = 1125
    OLDSUGGESTSNAME = 1156
    OLDSUGGESTSVERSION = 1157
    OLDSUGGESTSFLAGS = 1158
    OLDENHANCESNAME = 1159
    OLDENHANCESVERSION = 1160
    OLDENHANCESFLAGS = 1161
    RECOMMENDNAME = 5046
    RECOMMENDVERSION = 5047
    RECOMMENDFLAGS = 5048
    SUGGESTNAME = 5049
    SUGGESTVERSION = 5050
    SUGGESTFLAGS = 5051
    SUPPLEMENTNAME = 5052
    SUPPLEMENTVERSION = 5053
    SUPPLEMENTFLAGS = 5054
    ENHANCENAME = 5055
    ENHANCEVERSION = 5056
    ENHANCEFLAGS = 5057
    SPEC = 5099


class SigTag:
    """Signature header tags (rpmtag.h RPMSIGTAG_*), as numbered on disk."""

    DSA = 267
    RSA = 268
    SHA1 = 269
    LONGSIZE = 270
    LONGARCHIVESIZE = 271
    SHA256 = 273
    FILESIGNATURES = 274
    FILESIGNATURELENGTH = 275
    VERITYSIGNATURES = 276
    VERITYSIGNATUREALGO = 277
    OPENPGP = 278
    SHA3_256 = 279
    SIZE = 1000
    PGP = 1002
    MD5 = 1004
    GPG = 1005
    PAYLOADSIZE = 1007


class Header:
    """One parsed header structure: an index of entries over a data store.

    Values are decoded only when asked for, so reading the ten tags the auditor needs
    from a header with two hundred costs ten decodes.
    """

    __slots__ = ("_entries", "_store", "size", "source")

    def __init__(self, entries: Mapping[int, RawEntry], store: bytes, size: int, source: str) -> None:
        self._entries = entries
        """By tag: an `Entry`, or the plain tuple of its four fields (as the reader makes them)."""
        self._store = store
        self.size = size
        """Bytes the structure occupies in the file (intro, index and store, no padding)."""
        self.source = source

    def __contains__(self, tag: int) -> bool:
        return tag in self._entries

    @property
    def tags(self) -> frozenset[int]:
        return frozenset(self._entries)

    @property
    def present(self) -> KeysView[int]:
        """The tags present, as a view (cheaper than `tags` for many ``in`` tests)."""
        return self._entries.keys()

    def entry(self, tag: int) -> Entry | None:
        """The checked index entry of ``tag`` (its type, count and data bounds), if present."""
        raw = self._entries.get(tag)
        return None if raw is None else Entry(*raw)

    def raw(self, tag: int) -> tuple[RawEntry, bytes] | None:
        """The entry of ``tag`` as a plain tuple, and its data (rpm's dataLength bytes), if present."""
        entry = self._entries.get(tag)
        return None if entry is None else (entry, self._store[entry[1] : entry[3]])

    def _bad(self, tag: int, what: str) -> InputError:
        return InputError(self.source, f"corrupt RPM header: tag {tag} {what}")

    def strings(self, tag: int) -> list[str]:
        """A STRING, STRING_ARRAY or I18NSTRING tag as a list (empty when absent).

        Like rpm (``lib/header.c`` ``dataLength``), every string the entry's count claims
        must end inside the entry's own data: a count larger than the strings present is
        an error, never a read of the next entry's data. Of an I18NSTRING, the first
        locale (the untranslated text) is returned.
        """
        entry = self._entries.get(tag)
        if entry is None:
            return []
        type_, offset, items, end = entry
        if type_ not in _STRING_TYPES:
            raise self._bad(tag, f"has type {type_}, expected a string")
        if type_ == TYPE_STRING and items != 1:
            raise self._bad(tag, f"is a STRING with a count of {items}")
        parts = self._store[offset:end].split(b"\0", items)
        if len(parts) <= items:
            raise self._bad(tag, f"claims {items} strings, its data holds {len(parts) - 1}")
        del parts[1 if type_ == TYPE_I18NSTRING else items :]
        try:
            return b"\0".join(parts).decode("utf-8").split("\0")
        except UnicodeDecodeError:
            return [decode_text(part) for part in parts]

    def raw_strings(self, tag: int) -> list[bytes]:
        """Every string of a STRING, STRING_ARRAY or I18NSTRING tag, undecoded (empty when absent)."""
        entry = self._entries.get(tag)
        if entry is None:
            return []
        type_, offset, items, end = entry
        if type_ not in _STRING_TYPES:
            raise self._bad(tag, f"has type {type_}, expected a string")
        parts = self._store[offset:end].split(b"\0", items)
        if len(parts) <= items:
            raise self._bad(tag, f"claims {items} strings, its data holds {len(parts) - 1}")
        return parts[:items]

    def string(self, tag: int) -> str | None:
        values = self.strings(tag)
        return values[0] if values else None

    def ints(self, tag: int) -> tuple[int, ...]:
        """An integer tag of any width as a tuple, whatever its count (empty when absent)."""
        entry = self._entries.get(tag)
        if entry is None:
            return ()
        type_, offset, items, _ = entry
        fmt = _INT_FORMATS.get(type_)
        if fmt is None:
            raise self._bad(tag, f"has type {type_}, expected an integer")
        if offset + _WIDTHS[type_] * items > len(self._store):
            raise self._bad(tag, "runs past the end of the header")
        return struct.unpack_from(f">{items}{fmt}", self._store, offset)

    def integer(self, tag: int) -> int | None:
        values = self.ints(tag)
        return values[0] if values else None

    def binary(self, tag: int) -> bytes | None:
        entry = self._entries.get(tag)
        if entry is None:
            return None
        type_, offset, items, _ = entry
        if type_ != TYPE_BIN:
            raise self._bad(tag, f"has type {type_}, expected binary data")
        if offset + items > len(self._store):
            raise self._bad(tag, "runs past the end of the header")
        return self._store[offset : offset + items]


def decode_text(raw: bytes) -> str:
    """Header text is UTF-8 by convention; old packages carry Latin-1, read as createrepo_c does."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


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
    signing_key: str | None
    """Key id of the signature rpm checks first (`rpmsignature.verify`); None when unsigned."""
    truncated: str | None = None
    """Why the file is shorter than its signature header says (its payload is cut), if it is."""


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
    key = rpmsignature.verify(signature, main, b"".join(raw_main), source)
    truncated = None
    declared = _declared_size(signature)
    if declared is not None and header_start + declared > file_size:
        truncated = (
            f"truncated RPM: {file_size} bytes, its signature records {header_start + declared} "
            "(header and payload)"
        )
    return RpmHeaders(signature, main, header_start, header_end, is_source, key, truncated)


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
    region_tag = hdrblob.HEADERSIGNATURES if signature else hdrblob.HEADERIMMUTABLE
    entries = hdrblob.verify_blob(index, store, region_tag, not signature, source, what)
    return Header(entries, store, size, source), [intro, index, store]
