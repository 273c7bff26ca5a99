"""Streaming decompression and XML parsing of repository metadata, safe for hostile input.

Metadata can come from anyone, so: the compressed file is checked against the checksum
and size that ``repomd.xml`` gives *before* a byte of it is parsed; decompression is a
stream with a ceiling on the output; the XML parser refuses any document type
declaration (so no entity can be declared, expanded or fetched).
"""

from __future__ import annotations

import bz2
import hashlib
import lzma
import os
import pyexpat
import zlib
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import zstandard

from auditor.errors import InputError

CHUNK = 1 << 20
MAX_DECOMPRESSED = int(os.environ.get("AUDITOR_MAX_METADATA_BYTES", 4 * 1024**3))
"""Ceiling on one metadata file's decompressed size; past it the file is refused as a bomb."""

_DIGESTS = {"sha": "sha1", "sha1": "sha1", "sha224": "sha224", "sha256": "sha256",
            "sha384": "sha384", "sha512": "sha512", "md5": "md5"}  # fmt: skip


def supported_checksum(algorithm: str) -> bool:
    return algorithm.lower() in _DIGESTS


def verify_checksum(path: str, algorithm: str, expected: str, size: int | None, shown: str) -> None:
    """Raise `InputError` unless the file's digest (and size, when given) are the expected ones."""
    name = _DIGESTS.get(algorithm.lower())
    if name is None:
        raise InputError(shown, f"unsupported checksum type {algorithm!r} in repomd.xml")
    try:
        with open(path, "rb") as stream:
            actual_size = os.fstat(stream.fileno()).st_size
            if size is not None and actual_size != size:
                raise InputError(shown, f"size {actual_size} does not match repomd.xml ({size})")
            digest = hashlib.file_digest(stream, name).hexdigest()
    except FileNotFoundError:
        raise InputError(shown, "listed in repomd.xml but missing") from None
    except OSError as exc:
        raise InputError(shown, exc.strerror or str(exc)) from None
    if digest != expected.strip().lower():
        raise InputError(shown, f"{algorithm} checksum mismatch (repomd.xml says {expected.strip()[:16]}…)")


def _decompressor(head: bytes, shown: str) -> Callable[[bytes], bytes]:
    if head.startswith(b"\x1f\x8b"):
        return zlib.decompressobj(wbits=47).decompress
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMADecompressor().decompress
    if head.startswith(b"BZh"):
        return bz2.BZ2Decompressor().decompress
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return zstandard.ZstdDecompressor().decompressobj().decompress
    if head.startswith(b"\x00ZCK1"):
        raise InputError(shown, "zchunk metadata is not supported; point at the .gz/.xz/.zst variant")
    return bytes  # plain XML


def decompressed_chunks(stream: BinaryIO, shown: str, limit: int = MAX_DECOMPRESSED) -> Iterator[bytes]:
    """Yield the decompressed content of a gzip/xz/bzip2/zstd/plain file, at most ``limit`` bytes."""
    first = stream.read(CHUNK)
    if not first:
        return
    decompress = _decompressor(first[:8], shown)
    total = 0
    chunk = first
    while chunk:
        try:
            data = decompress(chunk)
        except (OSError, EOFError, lzma.LZMAError, zlib.error, zstandard.ZstdError) as exc:
            raise InputError(shown, f"corrupt compressed data: {exc}") from None
        total += len(data)
        if total > limit:
            raise InputError(shown, f"decompresses to more than {limit} bytes; refused as a bomb")
        if data:
            yield data
        chunk = stream.read(CHUNK)


StartHandler = Callable[[str, Any], None]
EndHandler = Callable[[str], None]
TextHandler = Callable[[str], None]


def parse_xml(
    chunks: Iterator[bytes],
    shown: str,
    start: StartHandler,
    end: EndHandler,
    text: TextHandler | None = None,
    *,
    ordered: bool = False,
) -> None:
    """Feed chunks to an expat parser that calls the handlers and refuses DOCTYPE and entities.

    With ``ordered``, attributes reach ``start`` as a flat ``[name, value, ...]`` list.
    """
    parser = pyexpat.ParserCreate()
    parser.ordered_attributes = ordered
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_doctype(*_args: object) -> None:
        raise _Refused("declares a DOCTYPE (entities are not allowed in repository metadata)")

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    fed = False
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
            fed = True
        if not fed:
            raise InputError(shown, "empty metadata file")
        parser.Parse(b"", True)
    except _Refused as exc:
        raise InputError(shown, str(exc)) from None
    except pyexpat.ExpatError as exc:
        raise InputError(
            shown, f"not well-formed XML: {pyexpat.ErrorString(exc.code)} at line {exc.lineno}"
        ) from None


class _Refused(Exception):
    pass
