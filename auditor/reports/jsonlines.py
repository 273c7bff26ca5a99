"""JSON written one array item per line, without holding the document or its text whole.

The JSON report's packages (and any document with one long array) are written this way:
readable, diffable, and encoded by C encoders one item at a time. The head of the document
is indented; each item is compact, on a line of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import msgspec

from auditor.reports.text import utf8_text

SPOOL_PIECE = 1 << 20
"""Bytes of encoded items `item_pieces` gathers into one piece."""


def item_pieces(items: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """The items as `dump_chunks` writes them (one a line, a comma before all but the first),
    in UTF-8 pieces of about `SPOOL_PIECE` bytes: a piece an item made one write, flush and
    compression call for each of tens of thousands of packages."""
    pending = bytearray()
    separator = b"\n    "
    for item in items:
        pending += separator
        pending += encode_item(item)
        separator = b",\n    "
        if len(pending) >= SPOOL_PIECE:
            yield bytes(pending)
            pending.clear()
    if pending:
        yield bytes(pending)


_FAST = msgspec.json.Encoder()


def encode_item(item: dict[str, Any]) -> bytes:
    """One item's JSON (a package of the report), compact, as UTF-8: msgspec's encoder gives
    the bytes the json module's compact encoding (``ensure_ascii`` off) gives, in a third of the
    time (distro-60k: 0.29 s against 0.73 s, every package identical). A lone surrogate (the
    name of a file that is not UTF-8) is not UTF-8: such an item goes through the json module
    and `utf8_text`, which make it U+FFFD as every other format does."""
    try:
        return _FAST.encode(item)
    except UnicodeEncodeError:
        return utf8_text(_encoder()(item)).encode("utf-8")


def dump_chunks(data: dict[str, Any], array: str = "packages") -> Iterator[str]:
    """JSON with one ``array`` item per line: readable, diffable, and written by the C encoder.

    ``indent=`` would make the json module fall back to its pure-Python encoder, ten times
    slower on a distribution-sized report. The items (possibly a generator) are encoded one
    at a time and yielded one at a time, so neither the document nor its text is ever held
    whole (one character beyond Latin-1 makes a Python string four bytes a character).
    """
    yield opening(data, array)
    encode = _encoder()
    first = True
    for item in data.get(array) or ():
        yield ("\n    " if first else ",\n    ") + encode(item)
        first = False
    yield closing(empty=first)


def opening(data: dict[str, Any], array: str) -> str:
    head = json.dumps(
        {key: value for key, value in data.items() if key != array}, indent=2, ensure_ascii=False
    )
    return f'{head[:-2]},\n  "{array}": ['


def closing(*, empty: bool) -> str:
    return "]\n}\n" if empty else "\n  ]\n}\n"


def _encoder() -> Any:
    return json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
