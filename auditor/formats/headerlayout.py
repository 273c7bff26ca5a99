"""The layout of an rpm header structure (``lib/header.c``): entry types, index entries, regions."""

from __future__ import annotations

import struct
from typing import NamedTuple

TYPE_NULL, TYPE_CHAR, TYPE_INT8, TYPE_INT16, TYPE_INT32, TYPE_INT64 = 0, 1, 2, 3, 4, 5
TYPE_STRING, TYPE_BIN, TYPE_STRING_ARRAY, TYPE_I18NSTRING = 6, 7, 8, 9
TYPE_NAMES = (
    "NULL",
    "CHAR",
    "INT8",
    "INT16",
    "INT32",
    "INT64",
    "STRING",
    "BIN",
    "STRING_ARRAY",
    "I18NSTRING",
)
TYPE_ALIGN = (1, 1, 1, 2, 4, 8, 1, 1, 1, 1)  # typeAlign
TYPE_SIZE = (0, 1, 1, 2, 4, 8, -1, 1, -1, -1)  # typeSizes: -1 for strings, NULL has none
STRING_TYPES = frozenset({TYPE_STRING, TYPE_STRING_ARRAY, TYPE_I18NSTRING})

HEADERIMAGE, HEADERSIGNATURES, HEADERIMMUTABLE = 61, 62, 63
REGION_TAG_COUNT = 16
"""A region tag and its trailer are BIN entries of one index entry's size."""

INDEX = struct.Struct(">iIiI")
"""One index entry as rpm's entryInfo_s: tag (int32), type, offset (int32), count."""


class Entry(NamedTuple):
    """One checked index entry (a named tuple: a header has a hundred, a distribution millions)."""

    type: int
    offset: int
    items: int
    """The entry's count: how many values it holds (``count`` is a method of tuples)."""
    end: int
    """Where its data ends: offset plus rpm's dataLength."""


RawEntry = tuple[int, int, int, int]
"""An `Entry`'s four fields as a plain tuple: what the reader makes of every entry (cheaper)."""
