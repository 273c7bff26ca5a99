"""Streaming decompression and XML parsing of repository metadata, safe for hostile input.

Metadata can come from anyone, so: the compressed file is checked against the checksum
and size that ``repomd.xml`` gives *before* a byte of it is parsed; decompression is a
stream with a ceiling on the output; the XML parser refuses any document type
declaration (so no entity can be declared, expanded or fetched).
"""

from __future__ import annotations

import hashlib
import os
import pyexpat
import re
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from auditor.core.errors import InputError, UsageError
from auditor.core.files import open_regular, unread
from auditor.core.readlog import tell_opened
from auditor.formats.decompress import decompressed
from auditor.formats.zchunk import MAGIC, zchunk_decompressed

CHUNK = 1 << 20
MAX_DECOMPRESSED = 4 * 1024**3
"""Default ceiling on one metadata file's decompressed size; past it the file is refused as a bomb."""
MAX_TEXT = 1 << 20
"""Characters of one element's text (a description, a file path, a licence), past which the
file is refused. Real values are a few KB (see the README's Limits); without a ceiling one
value of a compressed file's 4 GiB was held three times over (expat's pieces, their join and
the value)."""
MAX_TAG = 1 << 20
"""Bytes of one tag with its attributes (or of a comment or processing instruction), past which
the file is refused. expat holds such a token whole until it ends, so this bounds what an
attribute value can cost as `MAX_TEXT` bounds a text value."""
LIMIT_VARIABLE = "AUDITOR_MAX_METADATA_BYTES"
"""Environment variable that replaces `MAX_DECOMPRESSED` (read at each use, not at import)."""


def max_decompressed() -> int:
    """The ceiling in force: `LIMIT_VARIABLE` when set, else `MAX_DECOMPRESSED`."""
    text = os.environ.get(LIMIT_VARIABLE, "").strip()
    if not text:
        return MAX_DECOMPRESSED
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise UsageError(f"{LIMIT_VARIABLE} must be a positive number of bytes, not {text[:40]!r}")
    return value


_DIGESTS = {"sha": "sha1", "sha1": "sha1", "sha224": "sha224", "sha256": "sha256",
            "sha384": "sha384", "sha512": "sha512", "md5": "md5"}  # fmt: skip


def supported_checksum(algorithm: str) -> bool:
    return algorithm.lower() in _DIGESTS


def verify_checksum(path: str, algorithm: str, expected: str, size: int | None, shown: str) -> None:
    """Raise `InputError` unless the file's digest (and size, when given) are the expected ones."""
    name = _DIGESTS.get(algorithm.lower())
    if name is None:
        raise InputError(shown, f"unsupported checksum type {algorithm!r} in repomd.xml")
    if not os.path.lexists(path):
        tell_opened(path, None)
        raise InputError(shown, "listed in repomd.xml but missing")
    try:
        with open_regular(path, shown, "a metadata file") as stream:
            actual_size = os.fstat(stream.fileno()).st_size
            if size is not None and actual_size != size:
                raise InputError(shown, f"size {actual_size} does not match repomd.xml ({size})")
            digest = hashlib.file_digest(stream, name).hexdigest()
    except OSError as exc:
        raise unread(path, shown, exc) from None
    if digest != expected.strip().lower():
        raise InputError(shown, f"{algorithm} checksum mismatch (repomd.xml says {expected.strip()[:16]}…)")


_ZSTD_SKIPPABLE = re.compile(rb"[\x50-\x5f]\x2a\x4d\x18")
"""A zstd skippable frame's magic (0x184D2A5?, little-endian): zstd(1) and libsolv's reader
skip it, so a file may start with one; read as plain XML it was "not well-formed"."""


def _kind(head: bytes, shown: str) -> str:
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"BZh"):
        return "bzip2"
    if head.startswith(b"\x28\xb5\x2f\xfd") or _ZSTD_SKIPPABLE.match(head):
        return "zstd"
    if head.startswith(MAGIC):
        return "zchunk"
    return "identity"  # plain XML


def decompressed_chunks(stream: BinaryIO, shown: str, limit: int | None = None) -> Iterator[bytes]:
    """Yield the decompressed content of a gzip/xz/bzip2/zstd/zchunk/plain file, at most ``limit`` bytes
    (default: `max_decompressed`), in pieces of bounded size."""
    first = stream.read(CHUNK)
    if not first:
        return iter(())
    if limit is None:
        limit = max_decompressed()
    kind = _kind(first[:8], shown)
    if kind == "zchunk":
        return zchunk_decompressed(_Prefixed(first, stream), shown, limit=limit)
    return decompressed(stream, kind, shown, limit=limit, what="metadata", first=first)


class _Prefixed:
    """``first``, already read from ``stream``, then the rest of ``stream``."""

    def __init__(self, first: bytes, stream: BinaryIO) -> None:
        self._first, self._stream = first, stream

    def read(self, size: int = -1, /) -> bytes:
        if not self._first:
            return self._stream.read(size)
        if size < 0:
            piece, self._first = self._first + self._stream.read(), b""
            return piece
        piece, self._first = self._first[:size], self._first[size:]
        return piece


class TextTooLong(Exception):
    """An element's text is past `MAX_TEXT`: `parse_xml` makes it an `InputError` naming where."""


class Text:
    """The character data of one element at a time.

    Only what lies inside an element `start` was called for is kept: whitespace or text
    between elements is dropped, so memory follows the largest text value, not the file,
    and no value is longer than `MAX_TEXT` (`TextTooLong` past it).
    Bound to a parser (`parse_xml` does it), it switches expat's character handler on and
    off, so text outside the elements read costs no Python call at all.
    """

    __slots__ = ("_active", "_parser", "_parts", "element")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._active = False
        self._parser: Any = None
        self.element = ""
        """The element whose text is collected, as `start` was told (for the error)."""

    def bind(self, parser: Any) -> None:
        """Collect the text of ``parser`` (None: of no parser any more)."""
        self._parser = parser
        if parser is not None:
            parser.CharacterDataHandler = None

    def start(self, element: str = "") -> None:
        self.element = element
        self._parts.clear()
        self._active = True
        if self._parser is not None:
            self._parser.CharacterDataHandler = self._parts.append

    def append(self, data: str) -> None:
        if self._active:
            self._parts.append(data)

    def take(self) -> str:
        """The text since `start`; collection stops until the next `start`."""
        self._active = False
        if self._parser is not None:
            self._parser.CharacterDataHandler = None
        value = "".join(self._parts)
        self._parts.clear()
        if len(value) > MAX_TEXT:
            raise TextTooLong
        return value

    def check(self) -> None:
        """Raise `TextTooLong` if the text collected so far is past `MAX_TEXT` already (called
        between the pieces fed to the parser, it bounds what is held before the end tag)."""
        if self._active and sum(map(len, self._parts)) > MAX_TEXT:
            self._parts.clear()
            raise TextTooLong


StartHandler = Callable[[str, Any], None]
EndHandler = Callable[[str], None]
TextHandler = Callable[[str], None]


def parse_xml(
    chunks: Iterator[bytes],
    shown: str,
    start: StartHandler,
    end: EndHandler,
    text: Text | TextHandler | None = None,
    *,
    ordered: bool = False,
    where: Callable[[], str] | None = None,
) -> None:
    """Feed chunks to an expat parser that calls the handlers and refuses DOCTYPE and entities,
    and any text value past `MAX_TEXT` or tag past `MAX_TAG`.

    With ``ordered``, attributes reach ``start`` as a flat ``[name, value, ...]`` list
    (`attribute_pairs` makes it a dict). ``where`` names the part of the document being read
    (``package foo``) for those errors.
    """
    # Repository metadata is UTF-8 (createrepo_c writes nothing else). Fixing the encoding
    # makes expat ignore the declaration's: an unknown name there raised LookupError, and
    # a known one would hand the bytes to any of Python's codecs.
    parser = pyexpat.ParserCreate("UTF-8")
    parser.ordered_attributes = ordered
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_doctype(name: object = None, *_args: object) -> None:
        if isinstance(name, str) and name.lower() == "html":
            raise _Refused(HTML_PAGE)
        raise _Refused("declares a DOCTYPE (entities are not allowed in repository metadata)")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if isinstance(text, Text):
        text.bind(parser)
    elif text is not None:
        parser.CharacterDataHandler = text
    fed = 0
    try:
        for chunk in chunks:
            if not fed and is_html_page(chunk[:4096]):  # most are no XML at all: said before expat errs
                raise _Refused(HTML_PAGE)
            parser.Parse(chunk, False)
            fed += len(chunk)
            # What expat holds of an unfinished token (a tag, a comment) and what `text` holds of
            # an unfinished value, checked at each piece: they stay under a limit and a piece.
            if fed - parser.CurrentByteIndex > MAX_TAG:
                raise _Refused(f"{_at(where)}a tag or comment longer than {MAX_TAG} bytes; refused")
            if isinstance(text, Text):
                text.check()
        if not fed:
            raise InputError(shown, "empty metadata file")
        parser.Parse(b"", True)
    except TextTooLong:
        element = f"<{text.element}>" if isinstance(text, Text) and text.element else "a text value"
        raise InputError(shown, f"{_at(where)}{element} longer than {MAX_TEXT} characters; refused") from None
    except _Refused as exc:
        raise InputError(shown, str(exc)) from None
    except pyexpat.ExpatError as exc:
        raise InputError(
            shown, f"not well-formed XML: {pyexpat.ErrorString(exc.code)} at line {exc.lineno}"
        ) from None
    finally:
        # The parser holds the handlers, which hold what they built and (through a `Text`)
        # the parser: a cycle that only the collector, paused for the run, would free.
        parser.StartElementHandler = parser.EndElementHandler = parser.CharacterDataHandler = None
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = None
        if isinstance(text, Text):
            text.bind(None)


def _html_page(instead_of: str) -> str:
    return (
        f"is an HTML page, not {instead_of}: a login page, a captive portal or an error page "
        "answered in its place"
    )


HTML_PAGE = _html_page("repository metadata")
"""What a file that is a web page is, whatever metadata it was asked as: the usual way a wrong
URL, a proxy or a mirror that serves its front page for any path says so with a success status."""
HTML_CONFIGURATION = _html_page("a repository configuration")
"""The same, asked as a ``.repo`` file or a ``dnf.conf``."""


_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)


def is_html_page(head: bytes) -> bool:
    """Whether a file that should be text of another kind (a mirrorlist) starts as a web page does."""
    return _HTML_START.match(head.removeprefix(b"\xef\xbb\xbf")) is not None


def refuse_html_root(element: str, shown: str, expected: str) -> None:
    """Raise `InputError` when a document's root ``element`` is not the ``expected`` one: a web
    page (``<html>``) as `HTML_PAGE`, else naming both."""
    if element.lower() == "html":
        raise InputError(shown, HTML_PAGE)
    raise InputError(shown, f"its root element is <{element}>, not <{expected}>")


def _at(where: Callable[[], str] | None) -> str:
    return f"{where()}: " if where is not None else ""


def attribute_pairs(attrs: list[str]) -> dict[str, str]:
    """pyexpat's ordered attributes ``[name, value, name, value...]`` as a dict."""
    pairs = iter(attrs)
    return dict(zip(pairs, pairs))  # noqa: B905 - pyexpat always gives name/value pairs


class _Refused(Exception):
    pass
