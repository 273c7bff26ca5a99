"""Machine reports a CI runner cannot read as commands when they are printed to its log.

A CI runner reads the log of its job for commands: Azure Pipelines acts on ``##vso[`` and
``##[`` anywhere in a line (its agent looks with IndexOf), GitHub Actions on ``::name::`` at
the start of a line once blanks are trimmed. Both read lines as .NET's ``ReadLine`` ends them,
at a carriage return too, and GitHub's runner trims what .NET calls white space (``TrimStart``:
a no-break or ideographic space, a line separator), not only blanks and tabs. A package's
Vendor or URL and a file's name are the packager's text: printed in a report,
``##vso[task.setvariable variable=GATE]passed`` would set a pipeline variable, ``::add-mask::``
hide the log's words. The reports for people replace the character
(`auditor.core.errors.ci_inert`); a machine report keeps every value as it was read, and writes
that character in the format's own escape, which its readers decode back: ``\\u0023`` in JSON,
``&#35;`` in XML, HTML and Graphviz labels, ``&#58;`` for the ``:`` that would start a line
(and ``&#13;`` for a carriage return, which would end one). JSON escapes the line breaks of its
values, so no value starts a line of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import AnyStr

_AZURE = re.compile(r"#(?=#(?:vso\[|\[))", re.IGNORECASE)
"""The first ``#`` of ``##vso[`` or ``##[``: written escaped, no such run is left."""
_AZURE_BYTES = re.compile(_AZURE.pattern.encode(), re.IGNORECASE)
_LOOKAHEAD = len("#vso[")
"""How far past a ``#`` the pattern reads: the bytes a piece keeps back for the next."""
_GITHUB = re.compile(r"^([^\S\n]*):(?=:)", re.MULTILINE)
"""The first ``:`` of ``::`` opening a line (after white space: Python's holds .NET's), once no
carriage return is left to end one (`markup_inert`)."""


def json_inert(pieces: Iterable[str | bytes]) -> Iterator[str | bytes]:
    """A JSON document's pieces (text, or UTF-8 bytes: each kept as it came) with `_AZURE`'s
    ``#`` as ``\\u0023``.

    In JSON a ``#`` is inside a string (its syntax has none), where ``\\u0023`` reads as the
    same character: the document's values are unchanged. A run split between two pieces is
    found all the same: each piece keeps its last characters back until the next one arrives
    (whole characters: a piece of bytes ends where its text does)."""
    text, data = "", b""  # what is kept back, of one type at a time
    for piece in pieces:
        if isinstance(piece, bytes):
            if text:
                data, text = text.encode("utf-8"), ""
            out, data = _split(data + piece, _AZURE_BYTES, b"\\u0023", b"#")
            if out:
                yield out
        else:
            if data:
                text, data = data.decode("utf-8"), b""
            written, text = _split(text + piece, _AZURE, "\\u0023", "#")
            if written:
                yield written
    if text:
        yield _AZURE.sub(r"\\u0023", text)
    if data:
        yield _AZURE_BYTES.sub(rb"\\u0023", data)


def _split(data: AnyStr, pattern: re.Pattern[AnyStr], escape: AnyStr, mark: AnyStr) -> tuple[AnyStr, AnyStr]:
    """What of ``data`` can be written now, ``pattern``'s matches escaped, and what is kept
    back: the characters from a ``mark`` (a ``#``) near the end, which the next piece may
    complete into a match. Each ``#`` is found with ``find`` (memchr): a report has a few in
    its URLs, and a pattern searched over megabytes reads them at a tenth of the speed."""
    cut = max(len(data) - _LOOKAHEAD, 0)
    if isinstance(data, bytes):
        while cut and 0x80 <= data[cut] < 0xC0:  # not inside a character
            cut -= 1
    found = data.find(mark)
    hits = []
    while 0 <= found < cut:
        if pattern.match(data, found):
            hits.append(found)
        found = data.find(mark, found + 1)
    if not hits:
        return (data, data[:0]) if found < 0 else (data[:cut], data[cut:])
    parts = []
    start = 0
    for hit in hits:
        parts += [data[start:hit], escape]
        start = hit + 1
    parts.append(data[start:cut])
    return data[:0].join(parts), data[cut:]


def markup_inert(text: str) -> str:
    """XML or HTML text (outside ``<script>`` and ``<style>``) with `_AZURE`'s ``#`` as
    ``&#35;``, a carriage return as ``&#13;`` and the ``:`` opening a line of `_GITHUB` as
    ``&#58;``: character references, which XML and HTML readers decode back in text and in
    attribute values (a raw carriage return they would read as a line feed; a runner ends a
    line at it). A ``#`` or a line break in markup itself (a tag, a reference) never makes
    either run."""
    if "#" in text:
        text = _AZURE.sub("&#35;", text)
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "::" in text:
        text = _GITHUB.sub(r"\1&#58;", text)
    return text


def label_inert(text: str) -> str:
    """A Graphviz label with `_AZURE`'s ``#`` as ``&#35;``, which Graphviz draws as ``#``
    (labels are written on one line: `auditor.reports.dot.quote` escapes line breaks)."""
    return _AZURE.sub("&#35;", text) if "#" in text else text


def json_text_inert(text: str) -> str:
    """`json_inert` for a JSON document made whole."""
    return _AZURE.sub(r"\\u0023", text) if "#" in text else text
