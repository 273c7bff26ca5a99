"""Cut a large primary.xml in two at a ``<package>`` tag, so two processes can parse it.

Both processes decompress the same verified file and find the same cut: the first
``<package`` tag at or after the middle of the decompressed text. This process parses the
head (everything before the cut, then ``</metadata>``), a worker parses the tail
(``<metadata>``, then everything from the cut). Together they are the original document.

The cut is trusted only if the head parses: a ``<package`` that is not a tag at depth one
(inside a CDATA section, a comment, a processing instruction, an unclosed element, an
attribute) leaves the head unclosed or malformed, expat says so, and the caller parses the
whole file in one piece instead, which reports whatever is really wrong with it. So a
document cannot mean one thing to the split parse and another to a sequential one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

PACKAGE_TAG = re.compile(rb"<package[\s>/]")
_CARRY = 16
"""Bytes kept between chunks so a tag split across two chunks is still found."""


class Cut:
    """Where the cut fell, once the head (or the tail) has been read through."""

    def __init__(self) -> None:
        self.found = False


def head(chunks: Iterator[bytes], middle: int, cut: Cut) -> Iterator[bytes]:
    """The decompressed text before the cut, closed with ``</metadata>`` when there is one."""
    for piece, is_tail in _split(chunks, middle, cut):
        if is_tail:
            yield b"</metadata>"
            return
        yield piece


def tail(chunks: Iterator[bytes], middle: int, cut: Cut) -> Iterator[bytes]:
    """``<metadata>`` and the decompressed text from the cut on (nothing when there is no cut)."""
    started = False
    for piece, is_tail in _split(chunks, middle, cut):
        if is_tail:
            if not started:
                yield b"<metadata>"
                started = True
            yield piece


def _split(chunks: Iterator[bytes], middle: int, cut: Cut) -> Iterator[tuple[bytes, bool]]:
    """(piece, is it after the cut) for every piece of the text, in order."""
    offset = 0  # position of ``pending`` in the text
    pending = b""
    for chunk in chunks:
        if cut.found:
            yield chunk, True
            continue
        buffer = pending + chunk
        if offset + len(buffer) <= middle:
            yield buffer, False
            offset += len(buffer)
            pending = b""
            continue
        match = PACKAGE_TAG.search(buffer, max(0, middle - offset))
        if match is not None:
            cut.found = True
            if match.start():
                yield buffer[: match.start()], False
            yield buffer[match.start() :], True
            continue
        keep = min(_CARRY, len(buffer))
        yield buffer[: len(buffer) - keep], False
        offset += len(buffer) - keep
        pending = buffer[len(buffer) - keep :]
    if pending and not cut.found:
        yield pending, False
