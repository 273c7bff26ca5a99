"""Find one file in an RPM's payload: the spec file of a source RPM without a SPEC tag.

rpm 4.11, which built XenServer 7 and 8.x, did not store the spec in the header, so the
Source and Patch URLs of those source RPMs are only in the ``.spec`` inside the payload.
The payload is a compressed cpio archive (``newc`` format); it is decompressed as a
stream, never held whole in memory, and the walk stops at the wanted member. The stream is
a local file, or a remote payload's pieces as they arrive (`auditor.sources.remotespec`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.core.errors import InputError
from auditor.formats.decompress import Readable, decompressed
from auditor.formats.rpmcheck import CheckKind, RpmCheckError

MAX_MEMBER = 16 * 1024 * 1024
"""A spec file larger than this is not a spec file."""
MAX_SCANNED = 8 * 1024 * 1024 * 1024
"""Decompressed bytes walked before giving up (a bomb ends here, not in memory)."""

MAX_NAME = 4096
"""Longest cpio member name, NUL included (PATH_MAX, as rpm's own cpio reader)."""

_CPIO_HEADER = 110
# C's strtoul in base 16 over one 8-byte field, all of which it must consume (lib/cpio.c
# GET_NUM_FIELD, strntoul): white space, a sign and a 0x prefix are taken, nothing else is.
_STRTOUL = re.compile(rb"[ \t\n\v\f\r]*([+-]?)(?:0[xX])?([0-9a-fA-F]+)")
_KINDS = {"": "gzip", "gzip": "gzip", "xz": "xz", "lzma": "xz", "bzip2": "bzip2", "zstd": "zstd",
          "identity": "identity"}  # fmt: skip
_GZIP_MAGIC = b"\x1f\x8b"


def _decompressed(stream: Readable, compressor: str, source: str) -> Iterator[bytes]:
    kind = _KINDS.get(compressor)
    if kind is None:
        raise InputError(source, f"unsupported payload compression {compressor!r}")
    first = b""
    if kind == "gzip":
        # rpm opens a gzip payload (the default when the header names no compressor) with
        # zlib's gzdopen, which reads data without the gzip magic as it is: rpmbuild's
        # ``_source_payload w.ufdio`` writes such a payload and no PAYLOADCOMPRESSOR tag.
        while len(first) < len(_GZIP_MAGIC):
            more = stream.read(len(_GZIP_MAGIC) - len(first))
            if not more:
                break
            first += more
        if first != _GZIP_MAGIC:
            kind = "identity"
    return decompressed(stream, kind, source, limit=MAX_SCANNED, what="RPM payload", first=first)


class _Buffer:
    """Pull exact byte counts out of a stream of decompressed chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._data = bytearray()

    def take(self, size: int) -> bytes | None:
        while len(self._data) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                return None
            self._data += chunk
        taken = bytes(self._data[:size])
        del self._data[:size]
        return taken

    def skip(self, size: int) -> bool:
        while len(self._data) < size:
            size -= len(self._data)
            self._data.clear()
            chunk = next(self._chunks, None)
            if chunk is None:
                return False
            self._data += chunk
        del self._data[:size]
        return True


def extract_member(
    stream: Readable, compressor: str, wanted: str, source: str, members: int | None = None
) -> bytes | None:
    """The content of the payload member named ``wanted`` (a leading ``./`` ignored), or None.

    ``members``: how many files the package's header lists. rpm matches each cpio member to
    them and refuses one they do not name; past that many, the walk stops: a payload of
    millions of empty members before the spec took a minute per 171 KB file (red team 7).

    Raises `InputError` for a payload that is corrupt, is cut before the cpio trailer,
    names a member with a name size that no path has, holds more members than ``members``,
    or walks past `MAX_SCANNED`.
    """
    buffer = _Buffer(_decompressed(stream, compressor, source))
    wanted = wanted.removeprefix("./").removeprefix("/")
    walked = 0
    while True:
        if members is not None and walked > members:
            raise _bad_cpio(
                source, f"the payload holds more members than the {members} files its header lists"
            )
        walked += 1
        header = buffer.take(_CPIO_HEADER)
        if header is None:
            raise InputError(source, "truncated RPM payload: the cpio archive ends without its trailer")
        magic = header[:6]
        if magic not in (b"070701", b"070702"):
            if magic == b"07070X":
                raise InputError(source, "RPM payload uses rpm's stripped cpio format, not supported")
            raise _bad_cpio(source, f"bad cpio header magic {magic!r}")
        file_size = _number(header[54:62], "file size", source)
        name_size = _number(header[94:102], "name size", source)
        if file_size >= 1 << 63:  # rpm itself takes the size from the header (rpmfi), not from here
            raise _bad_cpio(source, f"cpio file size {header[54:62]!r} is negative")
        if name_size >= 1 << 31 or not 1 < name_size <= MAX_NAME:  # rpm reads it as an int
            raise _bad_cpio(source, f"cpio name size {name_size} (a name has 2 to {MAX_NAME})")
        name_pad = (4 - (_CPIO_HEADER + name_size) % 4) % 4
        raw_name = buffer.take(name_size + name_pad)
        if raw_name is None:
            raise InputError(source, "truncated RPM payload")
        name = raw_name[:name_size].split(b"\0", 1)[0].decode("utf-8", "replace")  # a C string
        if name == "TRAILER!!!":
            return None
        data_pad = (4 - file_size % 4) % 4
        if name.removeprefix("./").removeprefix("/") == wanted:
            if file_size > MAX_MEMBER:
                raise InputError(source, f"payload member {wanted} is {file_size} bytes, too large")
            data = buffer.take(file_size)
            if data is None:
                raise InputError(source, "truncated RPM payload")
            return data
        if not buffer.skip(file_size + data_pad):
            raise InputError(source, "truncated RPM payload")


def _number(field: bytes, what: str, source: str) -> int:
    """One numeric field as rpm's strntoul reads it, as an unsigned 64-bit number."""
    match = _STRTOUL.fullmatch(field)
    if match is None:
        raise _bad_cpio(source, f"cpio {what} {field!r} is not a hexadecimal number")
    value = int(match.group(2), 16)
    return (-value) % (1 << 64) if match.group(1) == b"-" else value


def _bad_cpio(source: str, detail: str) -> RpmCheckError:
    return RpmCheckError(source, f"corrupt RPM payload: {detail}", "rpmcpioHeaderRead", CheckKind.PAYLOAD)
