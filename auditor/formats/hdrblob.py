"""Check one header structure exactly as rpm does before it reads a tag of it.

A port of rpm 4.18's ``lib/header.c``: ``hdrblobVerifyLengths``, ``hdrblobInit``,
``hdrblobVerifyRegion``, ``hdrblobVerifyInfo`` (with ``hdrchkTag``, ``hdrchkType``,
``hdrchkCount``, ``hdrchkAlign``, ``hdrchkRange``, ``hdrchkArray``, ``hdrchkTagType`` and
``dataLength``) and the size rule of ``hdrblobImport`` (``regionSwab``, ``alignDiff``). rpm
applies them to every package it reads (``rpm -qp --nodigest --nosignature`` included), so a
header that fails one is refused here with the name of rpm's check; one that passes them all
has every entry's data inside the store, in index order, without overlap, and exactly as long
as its type and count say. Every number is checked before it is used as an offset or a size.
The layout these checks read (entry types, index entries, region tags) is
`auditor.formats.headerlayout`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from auditor.core.errors import InputError
from auditor.formats.headerlayout import (
    HEADERIMAGE,
    HEADERIMMUTABLE,
    HEADERSIGNATURES,
    INDEX,
    REGION_TAG_COUNT,
    STRING_TYPES,
    TYPE_ALIGN,
    TYPE_BIN,
    TYPE_I18NSTRING,
    TYPE_NAMES,
    TYPE_SIZE,
    TYPE_STRING,
    Entry,
    RawEntry,
)
from auditor.formats.rpmcheck import CheckKind, RpmCheckError
from auditor.formats.rpmtags import TAG_TYPES

_ALLOWED = {
    tag: STRING_TYPES if type_ in STRING_TYPES else frozenset({type_}) for tag, type_ in TAG_TYPES.items()
}
"""hdrchkTagType: the types rpm accepts for each tag it knows (any string type for a string tag)."""
_ANY = frozenset(range(TYPE_I18NSTRING + 1))
_NONE: dict[int, frozenset[int]] = {}
"""No tag's type checked (any type for any tag): a header without the immutable region."""

HEADER_I18NTABLE = 100
"""hdrchkTag: no tag below this one outside the first (region) entry."""
HEADER_TAGS_MAX = 0xFFFF
HEADER_DATA_MAX = 0x0FFFFFFF
SIGNATURE_TAGS_MAX = 32
SIGNATURE_DATA_MAX = 64 * 1024 * 1024
HEADER_ARRAY_MAX = 0x000FFFFF
"""hdrchkArray: most items in one entry (a BIN entry's count is its bytes)."""
HEADER_MAX_BYTES = 256 * 1024 * 1024
"""hdrblobInit's headerMaxbytes: 8 + 16 x entries + data must stay below it."""
_BASENAMES, _OLDFILENAMES = 1117, 1027
_VERIFIED_SIGNATURE_TAGS = frozenset({267, 268, 269, 273, 278, 279, 1002, 1004, 1005})  # rpmvs's
_WIDTHS = {type_: size for type_, size in enumerate(TYPE_SIZE) if size}
"""The width of each type that holds data (NULL has none), -1 for strings: also its alignment."""


@dataclass(frozen=True, slots=True)
class _Region:
    offset: int
    """The region tag's offset: where its trailer is in the store."""
    ril: int
    rdl: int


class _Failure:
    """Raises the error of one failed check, naming the structure and rpm's function."""

    __slots__ = ("source", "what")

    def __init__(self, source: str, what: str) -> None:
        self.source = source
        self.what = what

    def __call__(self, detail: str, check: str) -> NoReturn:
        raise RpmCheckError(self.source, f"corrupt RPM {self.what}: {detail}", check, CheckKind.STRUCTURE)


def verify_lengths(il: int, dl: int, signature: bool, source: str, what: str) -> None:
    """hdrblobVerifyLengths: the entry count and data size the intro claims (read unsigned;
    rpm reads them as int32, so a value of 2^31 or more is negative there, refused alike)."""
    il_max, dl_max = (
        (SIGNATURE_TAGS_MAX, SIGNATURE_DATA_MAX) if signature else (HEADER_TAGS_MAX, HEADER_DATA_MAX)
    )
    if il > il_max:
        raise RpmCheckError(
            source, f"corrupt RPM: the {what} claims {il} entries; rpm reads at most {il_max}",
            "hdrblobVerifyLengths", CheckKind.STRUCTURE,
        )  # fmt: skip
    if dl > dl_max:
        raise RpmCheckError(
            source, f"corrupt RPM: the {what} claims {dl} bytes of data; rpm reads at most {dl_max}",
            "hdrblobVerifyLengths", CheckKind.STRUCTURE,
        )  # fmt: skip


def verify_blob(
    index: bytes, store: bytes, region_tag: int, exact_size: bool, source: str, what: str
) -> dict[int, RawEntry]:
    """The entries of one header structure whose intro passed `verify_lengths`, checked as
    rpm's hdrblobInit and hdrblobImport check them, by tag (region tags left out)."""
    fail = _Failure(source, what)
    raw = list(INDEX.iter_unpack(index))
    il, dl = len(raw), len(store)
    if 8 + 16 * il + dl >= HEADER_MAX_BYTES:
        fail(f"{il} entries and {dl} bytes make {8 + 16 * il + dl} bytes, rpm's limit is {HEADER_MAX_BYTES}",
             "hdrblobInit")  # fmt: skip
    region = _verify_region(raw, index, store, region_tag, exact_size, fail)
    typechk = region is not None and region_tag in (HEADERIMMUTABLE, HEADERIMAGE)
    entries = _well_formed(raw, store, region, typechk)
    if entries is not None:
        return entries
    # Something is wrong, or unusual (dribbles, duplicates): the check by check port says what.
    lengths = _verify_info(raw, store, region, typechk, fail)
    _verify_import_size(raw, lengths, region, dl, fail)
    return _by_tag(raw, lengths, region, source, what)


def _well_formed(
    raw: list[tuple[int, int, int, int]], store: bytes, region: _Region | None, typechk: bool
) -> dict[int, RawEntry] | None:
    """The entries of a header that passes every check of `_verify_info` and
    `_verify_import_size` and has one entry per tag and no dribbles, in one pass; None for any
    other header, which the check by check port then reads (None is always safe: it only
    costs that slower reading, so a rare header rpm accepts, with a BIN entry of more than
    `HEADER_ARRAY_MAX` bytes, is left to it). This is the path of every package rpm built, so
    it is written for speed: each condition is the negation of one of the checks there, made
    at the cheapest point (a tag twice: by counting the entries at the end).

    It takes only a packed header, each entry's data where regionSwab's sum would put it:
    right after the previous entry's, aligned for its type. rpmbuild writes them so, and one
    comparison per entry then stands for the order, overlap and alignment checks. A header
    with a gap that a later alignment happens to make up passes rpm's size check: the port
    reads it."""
    dl = len(store)
    if region is not None:
        if region.ril != len(raw) or region.offset == 0:
            return None  # dribbles, or the odd region at offset 0
        trailer, rdl, body = region.rdl - REGION_TAG_COUNT, region.rdl, raw[1:]
    else:
        trailer, rdl, body = -1, -1, raw
    if not body:
        return {} if (REGION_TAG_COUNT if region else 0) == dl else None
    most = min(dl, HEADER_ARRAY_MAX)  # a BIN entry of more items: the port reads it
    allowed = _ALLOWED if typechk else _NONE
    widths, find, count_nuls, rfind = _WIDTHS, store.find, store.count, store.rfind
    entries: dict[int, RawEntry] = {}
    at = 0  # where regionSwab puts the next entry's data
    nexts = [entry[2] for entry in body]
    nexts.append(dl)
    for (tag, type_, offset, count), limit in zip(body, nexts[1:], strict=True):
        width = widths.get(type_)
        if width is None or tag < HEADER_I18NTABLE or not 0 < count <= most:
            return None  # an unknown type or NULL, a region tag out of place, a bad count
        if width > 1:
            at += -at % width
        if offset != at or type_ not in allowed.get(tag, _ANY):
            return None
        if width < 0:  # strings: to the count-th NUL, before the next entry and the trailer
            if limit <= offset:
                limit = dl
            if offset < trailer < limit:
                limit = trailer
            if count == 1:
                stop = find(b"\0", offset, limit)
            elif type_ == TYPE_STRING:
                return None
            else:
                nuls = count_nuls(b"\0", offset, limit)
                if nuls < count or nuls - count > 7:
                    return None
                stop = limit
                for _ in range(nuls - count + 1):
                    stop = rfind(b"\0", offset, stop)
            if stop < 0:
                return None
            at = stop + 1
        else:
            at = offset + width * count
        if at > trailer and offset < rdl:
            return None
        entries[tag] = (type_, offset, count, at)
    if len(entries) != len(body):
        return None  # a tag twice
    # Past the data, an entry's end would make this sum differ too: nothing read beyond it.
    return entries if at + (REGION_TAG_COUNT if region else 0) == dl else None


def _verify_region(
    raw: list[tuple[int, int, int, int]],
    index: bytes,
    store: bytes,
    region_tag: int,
    exact_size: bool,
    fail: _Failure,
) -> _Region | None:
    """hdrblobVerifyRegion: the region tag, its trailer and the size they give the region.
    A structure whose first entry is not the region tag has no region (a v3 header)."""
    if not raw:
        fail("no entries (region: no tags)", "hdrblobVerifyRegion")
    tag, type_, offset, count = raw[0]
    il, dl = len(raw), len(store)
    if tag != region_tag:
        return None
    if type_ != TYPE_BIN or count != REGION_TAG_COUNT:
        fail(f"region tag {tag} has type {type_} and count {count}, not BIN and 16", "hdrblobVerifyRegion")
    if offset + REGION_TAG_COUNT < 0 or offset + REGION_TAG_COUNT > dl:
        fail(f"region offset {offset} puts its trailer outside the {dl} bytes of data", "hdrblobVerifyRegion")
    # An offset of -16 to -1 passes the check above: rpm then reads the trailer across the end
    # of the index, as here.
    where = (
        (index[offset:] + store[: offset + REGION_TAG_COUNT]) if offset < 0 else store[offset : offset + 16]
    )
    trailer_tag, trailer_type, trailer_offset, trailer_count = INDEX.unpack(where)
    if region_tag == HEADERSIGNATURES and trailer_tag == HEADERIMAGE:
        trailer_tag = HEADERSIGNATURES  # "some old packages have HEADERIMAGE in signature region trailer"
    if (trailer_tag, trailer_type, trailer_count) != (region_tag, TYPE_BIN, REGION_TAG_COUNT):
        fail(f"region trailer is tag {trailer_tag} type {trailer_type} count {trailer_count}, "
             f"not tag {region_tag} type 7 count 16", "hdrblobVerifyRegion")  # fmt: skip
    size = -trailer_offset
    ril, rdl = size // 16, offset + REGION_TAG_COUNT
    if size % 16 or not 0 <= ril <= il or not 0 <= rdl <= dl:
        fail(f"region size: the trailer says {size} bytes of index ({il} entries) and the region "
             f"{rdl} bytes of data ({dl})", "hdrblobVerifyRegion")  # fmt: skip
    if exact_size and (ril != il or rdl != dl):
        fail(f"the region holds {ril} of {il} entries and {rdl} of {dl} bytes; in a package "
             "file it must hold the whole header", "hdrblobVerifyRegion")  # fmt: skip
    return _Region(offset, ril, rdl)


def _verify_info(
    raw: list[tuple[int, int, int, int]], store: bytes, region: _Region | None, typechk: bool, fail: _Failure
) -> list[int]:
    """hdrblobVerifyInfo: every entry after the region tag, in index order. Returns the data
    length (rpm's dataLength) of each."""
    dl = len(store)
    trailer = region.rdl - REGION_TAG_COUNT if region else -1
    rdl = region.rdl if region else -1
    lengths: list[int] = []
    end = 0
    last = len(raw) - 1
    for number in range(1 if region else 0, last + 1):
        tag, type_, offset, count = raw[number]
        if end > offset:
            fail(f"tag {tag} at offset {offset} is inside the data before it (entries overlap or are "
                 f"out of order; the previous one, tag {raw[number - 1][0]}, ends at {end})",
                 "hdrblobVerifyInfo")  # fmt: skip
        if tag < HEADER_I18NTABLE:
            fail(f"tag {tag} is below {HEADER_I18NTABLE} (a region tag out of place)", "hdrchkTag")
        if type_ > TYPE_I18NSTRING:
            fail(f"tag {tag} has unknown type {type_}", "hdrchkType")
        if count < 1 or count > dl:
            fail(f"tag {tag} claims {count} items in {dl} bytes of data", "hdrchkCount")
        if offset & (TYPE_ALIGN[type_] - 1):
            fail(
                f"tag {tag} is not aligned ({TYPE_SIZE[type_]}-byte values at offset {offset})", "hdrchkAlign"
            )
        if offset < 0 or offset > dl:
            fail(f"tag {tag} points outside its data (offset {offset} of {dl} bytes)", "hdrchkRange")
        if type_ != TYPE_BIN and count > HEADER_ARRAY_MAX:
            fail(f"tag {tag} claims {count} items, rpm's limit is {HEADER_ARRAY_MAX}", "hdrchkArray")
        if typechk:
            expected = TAG_TYPES.get(tag)
            if (
                expected is not None
                and expected != type_
                and not (expected in STRING_TYPES and type_ in STRING_TYPES)
            ):
                fail(f"tag {tag} has type {type_} ({TYPE_NAMES[type_]}), rpm's tag table says "
                     f"{TYPE_NAMES[expected]}", "hdrchkTagType")  # fmt: skip
        if type_ in STRING_TYPES:
            # The string data must end before the next entry's and before the trailer: had it
            # ended further, the next check (order, or trailer) would refuse it anyway.
            limit = raw[number + 1][2] if number < last and raw[number + 1][2] > offset else dl
            if 0 <= offset < trailer:
                limit = min(limit, trailer)
            if type_ == TYPE_STRING and count != 1:
                fail(f"tag {tag} is a STRING with a count of {count}", "dataLength")
            length = _strings_length(store, offset, min(limit, dl), count)
            if length < 0:
                _strings_failure(raw, number, store, region, fail)
        else:
            length = TYPE_SIZE[type_] * count
            if not length:
                fail(f"tag {tag} has type NULL, which holds no data", "dataLength")
            if dl - offset < length:
                fail(f"tag {tag} ({count} x {TYPE_NAMES[type_]} at offset {offset}) runs past the "
                     f"{dl} bytes of data", "dataLength")  # fmt: skip
        end = offset + length
        if region and end > trailer and offset < rdl:
            fail(f"tag {tag} (offset {offset}, {length} bytes) overlaps the region trailer at {trailer}",
                 "hdrblobVerifyInfo")  # fmt: skip
        lengths.append(length)
    return lengths


def _strings_failure(
    raw: list[tuple[int, int, int, int]], number: int, store: bytes, region: _Region | None, fail: _Failure
) -> NoReturn:
    """Which of rpm's checks refuses strings that do not end before the next entry or the
    trailer: dataLength (no NUL before the end of the data), the trailer check, or the order
    check of the next entry."""
    tag, _, offset, count = raw[number]
    length = _strings_length(store, offset, len(store), count)
    if length < 0:
        fail(f"tag {tag} claims {count} NUL-terminated strings, its data holds fewer", "dataLength")
    end = offset + length
    if region and end > region.rdl - REGION_TAG_COUNT and offset < region.rdl:
        fail(f"tag {tag} (offset {offset}, {length} bytes) overlaps the region trailer at "
             f"{region.rdl - REGION_TAG_COUNT}", "hdrblobVerifyInfo")  # fmt: skip
    following = raw[number + 1]
    fail(f"tag {following[0]} at offset {following[2]} is inside the data before it (entries overlap "
         f"or are out of order; the previous one, tag {tag}, ends at {end})",
         "hdrblobVerifyInfo")  # fmt: skip


def _strings_length(store: bytes, start: int, stop: int, count: int) -> int:
    """strtaglen: bytes from ``start`` to the end of its ``count``-th NUL, or -1 when fewer
    NULs lie before ``stop``. Counted in C (bytes.count), not string by string."""
    if start >= stop:
        return -1
    if count == 1:
        found = store.find(b"\0", start, stop)
        return found - start + 1 if found >= 0 else -1
    total = store.count(b"\0", start, stop)
    if total < count:
        return -1
    if total - count < 8:  # the usual case: at most alignment padding after the last string
        position = stop
        for _ in range(total - count + 1):
            position = store.rfind(b"\0", start, position)
        return position - start + 1
    low, high = start, stop - 1  # the first position whose prefix holds `count` NULs
    while low < high:
        middle = (low + high) // 2
        if store.count(b"\0", start, middle + 1) >= count:
            high = middle
        else:
            low = middle + 1
    return low - start + 1


def _align_diff(type_: int, size: int) -> int:
    """alignDiff: padding rpm inserts before a value of this type after ``size`` bytes."""
    width = TYPE_SIZE[type_]
    if width > 1:
        diff = width - size % width
        if diff != width:
            return diff
    return 0


def _verify_import_size(
    raw: list[tuple[int, int, int, int]], lengths: list[int], region: _Region | None, dl: int, fail: _Failure
) -> None:
    """hdrblobImport: regionSwab adds up the entries' data as rpm would lay it out (each
    aligned after the previous one, the region trailer last) and the total must be the
    structure's data size: no gaps, no bytes left over."""
    first = 1 if region else 0
    if region is not None and (region.ril if region.offset != 0 else len(raw)) == 0:
        fail("the region trailer says the region has no entries", "hdrblobImport")
    total = 0
    for (_, type_, _, _), length in zip(raw[first:], lengths, strict=True):
        total += _align_diff(type_, total) + length
    if region is not None:
        total += REGION_TAG_COUNT
    if total != dl:
        fail(f"its entries hold {total} bytes of data laid out as rpm lays them out, the header "
             f"has {dl}", "hdrblobImport")  # fmt: skip


def _by_tag(
    raw: list[tuple[int, int, int, int]], lengths: list[int], region: _Region | None, source: str, what: str
) -> dict[int, RawEntry]:
    """The entries by tag. Dribbles (entries after a signature header's region) replace its
    entries, as hdrblobImport's headerDel does, but for what rpmvs checks: it verifies the first
    (hdrblobGet), shows the dribble. Other tags twice are refused (rpm shows either one)."""
    first = 1 if region else 0
    region_end = (region.ril if region.offset != 0 else len(raw)) if region else len(raw)
    entries: dict[int, RawEntry] = {}
    dribbles: set[int] = set()
    for number in range(first, len(raw)):
        tag, type_, offset, count = raw[number]
        entry = Entry(type_, offset, count, offset + lengths[number - first])
        dribble = number >= region_end
        verified = tag in _VERIFIED_SIGNATURE_TAGS and what == "signature header"
        if tag in entries and (not dribble or tag in dribbles or verified):
            raise InputError(source, f"corrupt RPM {what}: tag {tag} appears twice")
        if dribble:
            dribbles.add(tag)
            if tag == _BASENAMES:
                entries.pop(_OLDFILENAMES, None)
        entries[tag] = entry
    return entries
