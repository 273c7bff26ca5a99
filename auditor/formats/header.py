"""One parsed header structure, and the tags the auditor reads from it by rpm's names.

`auditor.formats.rpmheader` finds and checks the structures in a file; this module
only answers what a checked structure holds, decoding a value when it is asked for.
"""

from __future__ import annotations

import struct
from collections.abc import KeysView, Mapping

from auditor.core.errors import InputError
from auditor.formats.headerlayout import (
    STRING_TYPES,
    TYPE_BIN,
    TYPE_CHAR,
    TYPE_I18NSTRING,
    TYPE_INT8,
    TYPE_INT16,
    TYPE_INT32,
    TYPE_INT64,
    TYPE_STRING,
    TYPE_STRING_ARRAY,
    Entry,
    RawEntry,
)

_INT_FORMATS = {TYPE_CHAR: "B", TYPE_INT8: "B", TYPE_INT16: "H", TYPE_INT32: "I", TYPE_INT64: "Q"}
_WIDTHS = {type_: struct.calcsize(fmt) for type_, fmt in _INT_FORMATS.items()}


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
    FILESIZES = 1028
    FILEMODES = 1030
    FILEDIGESTS = 1035
    FILELINKTOS = 1036
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
    FILEDEVICES = 1095
    FILEINODES = 1096
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
    DISTURL = 1123
    OLDSUGGESTSNAME = 1156
    OLDSUGGESTSVERSION = 1157
    OLDSUGGESTSFLAGS = 1158
    OLDENHANCESNAME = 1159
    OLDENHANCESVERSION = 1160
    OLDENHANCESFLAGS = 1161
    LONGFILESIZES = 5008
    FILEDIGESTALGO = 5011
    BUGURL = 5012
    VCS = 5034
    TRANSLATIONURL = 5100
    UPSTREAMRELEASES = 5101
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


_ONE_STRING = frozenset({TYPE_STRING, TYPE_I18NSTRING})
_SEVERAL_STRINGS = frozenset({TYPE_STRING_ARRAY, TYPE_I18NSTRING})


class Header:
    """One parsed header structure: an index of entries over a data store.

    Values are decoded only when asked for, so reading the ten tags the auditor needs
    from a header with two hundred costs ten decodes.
    """

    __slots__ = ("_entries", "_store", "legacy", "size", "source")

    def __init__(
        self, entries: Mapping[int, RawEntry], store: bytes, size: int, source: str, *, legacy: bool = False
    ) -> None:
        self._entries = entries
        """By tag: an `Entry`, or the plain tuple of its four fields (as the reader makes them)."""
        self.legacy = legacy
        """A main header without the immutable region (rpm 3's): rpm retrofits it on reading
        (`auditor.sources.rpmpackage`)."""
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

    def index_entry(self, tag: int) -> RawEntry:
        """The entry of a tag known to be present (see `present`), as a plain tuple."""
        return self._entries[tag]

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
        found = self._string_parts(tag, one_string=True)
        if found is None:
            return []
        type_, items, parts = found
        del parts[1 if type_ == TYPE_I18NSTRING else items :]
        try:
            return b"\0".join(parts).decode("utf-8").split("\0")
        except UnicodeDecodeError:
            return [decode_text(part) for part in parts]

    def joined_strings(self, tag: int) -> tuple[str, int] | None:
        """``"\\0".join(strings(tag))`` and how many strings there are, for a STRING_ARRAY whose
        data is its strings alone, each ended by its NUL, and UTF-8 (what rpmbuild writes): the
        data as stored, decoded once rather than split and joined again. None for any other
        entry, absent too: `strings` reads it, and says what is wrong with it."""
        entry = self._entries.get(tag)
        if entry is None or entry[0] != TYPE_STRING_ARRAY:
            return None
        _, offset, items, end = entry
        store = self._store
        if end <= offset or store[end - 1] != 0 or store.count(b"\0", offset, end) != items:
            return None
        try:
            return store[offset : end - 1].decode("utf-8"), items
        except UnicodeDecodeError:
            return None

    def other_strings(self, tag: int) -> list[str]:
        """The strings a string tag holds past its first (`string`): a STRING_ARRAY's others,
        an I18NSTRING's translations (``LANGUAGE=de rpm -qi`` shows the "de" one). Empty for a
        STRING, one string or no entry (what rpmbuild writes): that costs a lookup alone."""
        entry = self._entries.get(tag)
        if entry is None or entry[0] not in _SEVERAL_STRINGS or entry[2] < 2:
            return []
        found = self._string_parts(tag)
        if found is None:
            return []
        _, items, parts = found
        return [decode_text(part) for part in parts[1:items]]

    def raw_strings(self, tag: int) -> list[bytes]:
        """Every string of a STRING, STRING_ARRAY or I18NSTRING tag, undecoded (empty when absent)."""
        found = self._string_parts(tag)
        if found is None:
            return []
        _, items, parts = found
        return parts[:items]

    def _string_parts(self, tag: int, *, one_string: bool = False) -> tuple[int, int, list[bytes]] | None:
        """A string tag's type, count and data split at its first ``count`` NULs (the strings,
        then what follows them), every string ending inside the entry's own data.
        ``one_string``: a STRING must have a count of one."""
        entry = self._entries.get(tag)
        if entry is None:
            return None
        type_, offset, items, end = entry
        if type_ not in STRING_TYPES:
            raise self._bad(tag, f"has type {type_}, expected a string")
        if one_string and type_ == TYPE_STRING and items != 1:
            raise self._bad(tag, f"is a STRING with a count of {items}")
        parts = self._store[offset:end].split(b"\0", items)
        if len(parts) <= items:
            raise self._bad(tag, f"claims {items} strings, its data holds {len(parts) - 1}")
        return type_, items, parts

    def string(self, tag: int) -> str | None:
        """The first string of a string tag (None when absent), as ``strings(tag)[0]``, but
        that a STRING or I18NSTRING is read without splitting its data: a package's header is
        asked a dozen of them."""
        entry = self._entries.get(tag)
        if entry is None:
            return None  # most of the URL-like tags a package is asked for (VCS, BugURL...)
        if entry[0] in _ONE_STRING:
            type_, offset, items, end = entry
            store = self._store
            stop = store.find(b"\0", offset, end)
            # What `_string_parts` requires: a STRING counts one string, an I18NSTRING's count
            # of them each ends inside the entry's data.
            whole = items == 1 if type_ == TYPE_STRING else store.count(b"\0", offset, end) >= items
            if stop >= 0 and whole:
                raw = store[offset:stop]
                try:
                    return raw.decode("utf-8")
                except UnicodeDecodeError:
                    return decode_text(raw)
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

    def file_paths(self) -> tuple[str, ...]:
        """The paths of the files a main header lists, in its order (a source package's: its
        spec and sources), from BASENAMES, DIRNAMES and DIRINDEXES, else rpm 3's OLDFILENAMES."""
        basenames = self.strings(Tag.BASENAMES)
        if not basenames:
            return tuple(self.strings(Tag.OLDFILENAMES))
        dirnames = self.strings(Tag.DIRNAMES)
        indexes = self.ints(Tag.DIRINDEXES)
        if len(indexes) != len(basenames) or (indexes and max(indexes) >= len(dirnames)):
            raise InputError(self.source, "corrupt RPM header: file names and directory indexes disagree")
        return tuple(dirnames[index] + base for index, base in zip(indexes, basenames, strict=True))

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
