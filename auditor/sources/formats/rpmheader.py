"""Read the lead, the signature header and the main header of an RPM file.

This is the part of rpm's package format the auditor needs: it never touches the payload
(see `auditor.sources.formats.payload` for that). Every length and offset read from the file is
checked against the file before it is used, so a hostile header that claims gigabytes
costs nothing but an error.

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
from itertools import pairwise
from typing import BinaryIO, NamedTuple

from auditor.core.errors import InputError

LEAD_SIZE = 96
LEAD_MAGIC = b"\xed\xab\xee\xdb"
HEADER_MAGIC = b"\x8e\xad\xe8\x01"
INTRO_SIZE = 16
ENTRY_SIZE = 16

# rpm's own ceilings (lib/header_internal.h: hdrchkTags, HEADER_DATA_MAX).
MAX_ENTRIES = 0xFFFF
MAX_DATA = 0x0FFFFFFF
MAX_SIGNATURE_DATA = 64 * 1024 * 1024

TYPE_NULL, TYPE_CHAR, TYPE_INT8, TYPE_INT16, TYPE_INT32, TYPE_INT64 = 0, 1, 2, 3, 4, 5
TYPE_STRING, TYPE_BIN, TYPE_STRING_ARRAY, TYPE_I18NSTRING = 6, 7, 8, 9
_INT_FORMATS = {TYPE_CHAR: "B", TYPE_INT8: "B", TYPE_INT16: "H", TYPE_INT32: "I", TYPE_INT64: "Q"}
_STRING_TYPES = frozenset({TYPE_STRING, TYPE_STRING_ARRAY, TYPE_I18NSTRING})

_INTRO = struct.Struct(">4s4xII")
_REGION_TAGS = frozenset({61, 62, 63})  # HEADERIMAGE, HEADERSIGNATURES, HEADERIMMUTABLE


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
    SHA256 = 273
    OPENPGP = 278
    SIZE = 1000
    PGP = 1002
    MD5 = 1004
    GPG = 1005


class Entry(NamedTuple):
    """One index entry (a named tuple: a header has a hundred, a distribution millions)."""

    type: int
    offset: int
    items: int
    """The entry's count: how many values it holds (``count`` is a method of tuples)."""
    end: int
    """Upper bound of this entry's data: the next entry's offset, or the end of the store."""


class Header:
    """One parsed header structure: an index of entries over a data store.

    Values are decoded only when asked for, so reading the ten tags the auditor needs
    from a header with two hundred costs ten decodes.
    """

    __slots__ = ("_entries", "_store", "size", "source")

    def __init__(self, entries: dict[int, Entry], store: bytes, size: int, source: str) -> None:
        self._entries = entries
        self._store = store
        self.size = size
        """Bytes the structure occupies in the file (intro, index and store, no padding)."""
        self.source = source

    def __contains__(self, tag: int) -> bool:
        return tag in self._entries

    @property
    def tags(self) -> frozenset[int]:
        return frozenset(self._entries)

    def _entry(self, tag: int) -> Entry | None:
        return self._entries.get(tag)

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
        if entry.type not in _STRING_TYPES:
            raise self._bad(tag, f"has type {entry.type}, expected a string")
        if entry.type == TYPE_STRING and entry.items != 1:
            raise self._bad(tag, f"is a STRING with a count of {entry.items}")
        parts = self._store[entry.offset : entry.end].split(b"\0", entry.items)
        if len(parts) <= entry.items:
            raise self._bad(tag, f"claims {entry.items} strings, its data holds {len(parts) - 1}")
        del parts[1 if entry.type == TYPE_I18NSTRING else entry.items :]
        try:
            return b"\0".join(parts).decode("utf-8").split("\0")
        except UnicodeDecodeError:
            return [decode_text(part) for part in parts]

    def string(self, tag: int) -> str | None:
        values = self.strings(tag)
        return values[0] if values else None

    def ints(self, tag: int) -> tuple[int, ...]:
        """An integer tag of any width as a tuple, whatever its count (empty when absent)."""
        entry = self._entries.get(tag)
        if entry is None:
            return ()
        fmt = _INT_FORMATS.get(entry.type)
        if fmt is None:
            raise self._bad(tag, f"has type {entry.type}, expected an integer")
        size = struct.calcsize(fmt)
        if entry.offset + size * entry.items > len(self._store):
            raise self._bad(tag, "runs past the end of the header")
        return struct.unpack_from(f">{entry.items}{fmt}", self._store, entry.offset)

    def integer(self, tag: int) -> int | None:
        values = self.ints(tag)
        return values[0] if values else None

    def binary(self, tag: int) -> bytes | None:
        entry = self._entries.get(tag)
        if entry is None:
            return None
        if entry.type != TYPE_BIN:
            raise self._bad(tag, f"has type {entry.type}, expected binary data")
        if entry.offset + entry.items > len(self._store):
            raise self._bad(tag, "runs past the end of the header")
        return self._store[entry.offset : entry.offset + entry.items]


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


def read_headers(stream: BinaryIO, source: str, file_size: int | None = None) -> RpmHeaders:
    """Read lead, signature and main header from an open RPM file positioned at its start.

    Raises `InputError` naming ``source`` for anything that is not a well-formed RPM: a short
    read anywhere, a bad magic, counts past rpm's own limits or past the end of the file,
    and a file shorter than its signature says it is (truncated payload).
    """
    if file_size is None:
        file_size = os.fstat(stream.fileno()).st_size
    lead = stream.read(LEAD_SIZE)
    if len(lead) < LEAD_SIZE:
        if not lead:
            raise InputError(source, "empty file, not an RPM")
        raise InputError(source, f"truncated RPM: {len(lead)} bytes, shorter than the 96-byte lead")
    if lead[:4] != LEAD_MAGIC:
        raise InputError(source, "not an RPM file (bad lead magic)")
    is_source = struct.unpack_from(">H", lead, 6)[0] == 1
    signature = _read_structure(stream, source, "signature header", file_size, MAX_SIGNATURE_DATA)
    pad = (8 - signature.size % 8) % 8
    if pad:
        padding = stream.read(pad)
        if len(padding) < pad:
            raise InputError(source, "truncated RPM: ends inside the signature header")
    header_start = LEAD_SIZE + signature.size + pad
    main = _read_structure(stream, source, "main header", file_size, MAX_DATA)
    header_end = header_start + main.size
    declared = _declared_size(signature)
    if declared is not None and header_start + declared > file_size:
        raise InputError(
            source,
            f"truncated RPM: {file_size} bytes, its signature records "
            f"{header_start + declared} (header and payload)",
        )
    return RpmHeaders(signature, main, header_start, header_end, is_source)


def structure_size(intro: bytes, source: str, what: str, max_data: int) -> int:
    """Bytes a header structure occupies, from its 16-byte intro (for reading it by range)."""
    if len(intro) < INTRO_SIZE:
        raise InputError(source, f"truncated RPM: ends inside the {what}")
    magic, il, dl = _INTRO.unpack(intro[:INTRO_SIZE])
    il, dl = int(il), int(dl)
    if magic != HEADER_MAGIC:
        raise InputError(source, f"corrupt RPM: bad {what} magic")
    if il == 0 or il > MAX_ENTRIES or dl > max_data:
        raise InputError(source, f"corrupt RPM: {what} claims {il} entries and {dl} bytes of data")
    return INTRO_SIZE + il * ENTRY_SIZE + dl


def _declared_size(signature: Header) -> int | None:
    """Header-plus-payload size recorded in the signature header (SIZE, or LONGSIZE past 4 GiB)."""
    for tag in (SigTag.LONGSIZE, SigTag.SIZE):
        try:
            value = signature.integer(tag)
        except InputError:
            continue
        if value is not None:
            return value
    return None


def _read_structure(stream: BinaryIO, source: str, what: str, file_size: int, max_data: int) -> Header:
    start = stream.tell()
    intro = stream.read(INTRO_SIZE)
    if len(intro) < INTRO_SIZE:
        raise InputError(source, f"truncated RPM: ends inside the {what}")
    magic, il, dl = _INTRO.unpack(intro)
    if magic != HEADER_MAGIC:
        raise InputError(source, f"corrupt RPM: bad {what} magic")
    if il == 0 or il > MAX_ENTRIES:
        raise InputError(source, f"corrupt RPM: {what} claims {il} entries")
    if dl > max_data:
        raise InputError(source, f"corrupt RPM: {what} claims {dl} bytes of data")
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
    return Header(_parse_index(index, il, dl, source, what), store, size, source)


_INDEX = struct.Struct(">iIiI")
_WIDTHS = {type_: struct.calcsize(fmt) for type_, fmt in _INT_FORMATS.items()}


def _parse_index(index: bytes, il: int, dl: int, source: str, what: str) -> dict[int, Entry]:
    raw = list(_INDEX.iter_unpack(index[: il * ENTRY_SIZE]))
    offsets = sorted({offset for _, _, offset, _ in raw if 0 <= offset <= dl})
    offsets.append(dl)
    following = dict(pairwise(offsets))
    entries: dict[int, Entry] = {}
    for tag, type_, offset, count in raw:
        if tag in _REGION_TAGS:
            continue  # region markers describe the header itself, not the package
        if type_ > TYPE_I18NSTRING:
            raise InputError(source, f"corrupt RPM: {what} tag {tag} has unknown type {type_}")
        if offset < 0 or offset >= dl or count == 0 or count > dl:
            raise InputError(
                source, f"corrupt RPM: {what} tag {tag} points outside its data ({offset}+{count})"
            )
        width = _WIDTHS.get(type_)
        if width is not None:
            if offset % width:  # rpm's hdrchkAlign: such a header is refused by rpm too
                raise InputError(
                    source, f"corrupt RPM: {what} tag {tag} is not aligned ({width}-byte values at {offset})"
                )
            if offset + width * count > dl:
                raise InputError(source, f"corrupt RPM: {what} tag {tag} runs past its data")
        if type_ == TYPE_BIN and offset + count > dl:
            raise InputError(source, f"corrupt RPM: {what} tag {tag} runs past its data")
        entries.setdefault(tag, Entry(type_, offset, count, following.get(offset, dl)))
    return entries
