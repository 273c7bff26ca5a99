"""JSON written an array item at a time, without holding the document or its text whole.

The JSON report's packages (and any document with one long array) are written this way:
readable, diffable, and encoded by C encoders one item at a time. The head of the document
is indented; each item is compact, on a line of its own. The SBOMs keep the bytes their
libraries write (``json.dumps`` with ``indent=2``): `indented` and `indented_array` give them
from msgspec, twenty times faster than the json module's pure-Python indenting encoder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import msgspec

from auditor.core.pathtext import json_path_text

SPOOL_PIECE = 1 << 18
"""Bytes of encoded items `item_pieces` gathers into one piece. A quarter of a MiB: while a piece
is gathered, copied and written, the one before it may not have been given back yet, and on
distro-60k pieces of 1 MiB held 3 MiB at the run's peak (pieces of 256 KiB: 3.5 MiB lower
peak RSS, in as much time; of 64 KiB, no lower)."""


def item_pieces(items: Iterable[Any]) -> Iterator[bytes]:
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
_SORTED = msgspec.json.Encoder(order="sorted")
# DEL and every character beyond ASCII, written as the complement of the rest: the range
# [\x7f-\U0010ffff] matches the same characters and took 2.9 ms to compile at every start.
_NOT_ASCII = re.compile("[^\x00-\x7e]")


def encode_item(item: Any) -> bytes:
    """One item's JSON (a package of the report), compact, as UTF-8: msgspec's encoder gives
    the bytes the json module's compact encoding (``ensure_ascii`` off) gives, in a third of the
    time (distro-60k: 0.29 s against 0.73 s, every package identical). A lone surrogate (the
    name of a file that is not UTF-8) is not UTF-8: such an item goes through the json module
    and `json_path_text`, which write its bytes ``\\xff`` as every other format does."""
    try:
        return _FAST.encode(item)
    except UnicodeEncodeError:  # a struct (the JSON report's package) made dicts for the json module
        return json_path_text(_encoder()(msgspec.to_builtins(item, enc_hook=_decoded))).encode("utf-8")


def encoded(value: Any) -> Any:
    """``value`` encoded now as `encode_item` would encode it inside an item (`msgspec.Raw`,
    which an item holds as its JSON): a value many items repeat is held as its bytes, not as
    its objects. A value that cannot be (a lone surrogate) is returned as it is."""
    try:
        return msgspec.Raw(_FAST.encode(value))
    except UnicodeEncodeError:
        return value


def _decoded(value: Any) -> Any:
    """What an `encoded` value was, for the json module (which cannot write a `msgspec.Raw`)."""
    if isinstance(value, msgspec.Raw):
        return json.loads(bytes(value))
    raise NotImplementedError(f"{type(value).__name__} is no JSON value")


def dump_chunks(data: dict[str, Any], array: str = "packages") -> Iterator[str]:
    """JSON with one ``array`` item per line: readable, diffable, and written by the C encoder.

    ``indent=`` would make the json module fall back to its pure-Python encoder, ten times
    slower on a distribution-sized report. The items (possibly a generator) are encoded one
    at a time and yielded one at a time, so neither the document nor its text is ever held
    whole (one character beyond Latin-1 makes a Python string four bytes a character).
    """
    yield from head(data, array)
    encode = _encoder()
    first = True
    for item in data.get(array) or ():
        yield ("\n    " if first else ",\n    ") + encode(item)
        first = False
    yield closing(empty=first)


@dataclass(frozen=True)
class LazyArray:
    """An array of a document's head whose items are made only as `head` writes them: the gate's
    lists of facts hold one dict a fact, 120,000 of them when a waiver covers every package's
    gaps on distro-60k. Made and encoded at once, they and their text raised the run's peak by
    130 MB; made and written an item at a time, by none."""

    items: Callable[[], Iterable[Any]]


def head(data: dict[str, Any], array: str) -> Iterator[str]:
    """The document up to the first item of ``array`` (its last member), as ``json.dumps(data,
    indent=2, ensure_ascii=False)`` writes it, in pieces: each member through `indented` (the C
    encoder), a `LazyArray` (at any depth of dicts) an item at a time through `indented_array`."""
    yield from _members({key: value for key, value in data.items() if key != array}, 0)
    yield f',\n  "{array}": ['


def _members(data: dict[str, Any], depth: int) -> Iterator[str]:
    """``data``'s opening brace and members (it has one at least), without its closing brace."""
    separator = "{\n" + "  " * (depth + 1)
    for key, value in data.items():
        yield separator
        separator = ",\n" + "  " * (depth + 1)
        if isinstance(value, LazyArray):
            yield from indented_array(key, value.items(), depth=depth + 1, ascii_only=False)
        elif isinstance(value, dict) and _holds_lazy(value):
            yield f"{json.dumps(key, ensure_ascii=False)}: "
            yield from _members(value, depth + 1)
            yield "\n" + "  " * (depth + 1) + "}"
        else:
            yield f"{json.dumps(key, ensure_ascii=False)}: {indented(value, depth + 1, ascii_only=False)}"


def _holds_lazy(data: dict[str, Any]) -> bool:
    return any(isinstance(value, LazyArray) or (isinstance(value, dict) and _holds_lazy(value))
               for value in data.values())  # fmt: skip


def closing(*, empty: bool) -> str:
    return "]\n}\n" if empty else "\n  ]\n}\n"


def _encoder() -> Any:
    return json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def indented(value: Any, depth: int = 0, *, sort_keys: bool = False, ascii_only: bool = True) -> str:
    """``value`` as ``json.dumps(value, indent=2, sort_keys=sort_keys, ensure_ascii=ascii_only)``
    writes it, as if nested ``depth`` levels deep. msgspec escapes every character json does
    but DEL and what is beyond ASCII, which only occur inside strings and are escaped here as
    json does when ``ascii_only``. A lone surrogate (a file name that is not UTF-8), which
    msgspec refuses, sends the value through the json module, and is written ``\\xff``
    (`json_path_text`), as every format writes it. A float would differ (msgspec writes ``1e16``
    and NaN as ``null``, json ``1e+16`` and ``NaN``): no value it is given is one."""
    try:
        encoded = (_SORTED if sort_keys else _FAST).encode(value)
    except UnicodeEncodeError:
        text = json_path_text(json.dumps(value, indent=2, sort_keys=sort_keys, ensure_ascii=False))
    else:
        text = msgspec.json.format(encoded, indent=2).decode("utf-8")
    if ascii_only and not (text.isascii() and "\x7f" not in text):  # the scan is twice as fast
        text = _NOT_ASCII.sub(_escape, text)
    # JSON text holds no raw newline inside a string: every one is indentation.
    return text.replace("\n", "\n" + "  " * depth) if depth else text


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}"


def indented_array(
    key: str,
    items: Iterable[Any],
    *,
    depth: int = 1,
    sort_keys: bool = False,
    ascii_only: bool = True,
    write: Callable[[Any, int], str] | None = None,
) -> Iterator[str]:
    """``"key": [`` at ``depth``, its items as `indented` writes them one level deeper (or as
    ``write(item, depth)`` does, which must write the same), then ``]``, in pieces of about
    `SPOOL_PIECE` characters."""
    pending = [f"{json.dumps(key, ensure_ascii=ascii_only)}: ["]
    size = 0
    first = separator = "\n" + "  " * (depth + 1)
    for item in items:
        if write is None:
            text = separator + indented(item, depth + 1, sort_keys=sort_keys, ascii_only=ascii_only)
        else:
            text = separator + write(item, depth + 1)
        pending.append(text)
        size += len(text)
        separator = "," + first
        if size >= SPOOL_PIECE:
            yield "".join(pending)
            pending.clear()
            size = 0
    pending.append("]" if separator is first else "\n" + "  " * depth + "]")
    yield "".join(pending)
