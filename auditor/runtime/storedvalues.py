"""What the store's rows hold: values as compressed JSON (`encode_value`, `decode_value`), and a
stored report's row, checked before a byte of it is replayed (`report_row`, `inflate_report`).
The database that keeps them is `auditor.runtime.store`."""

from __future__ import annotations

import hashlib
import json
import threading
import zlib
from collections.abc import Iterator
from typing import Any

import msgspec
import zstandard

from auditor.runtime.recording import REPORT_CODEC

_ENCODE_JSON = msgspec.json.Encoder().encode
# zstd at level 1 compresses a package model in a third of zlib's time (6 µs against 17.5 on
# rpms-2k), and every RPM file read is compressed; the checksum catches a damaged row.
_CODECS = threading.local()
"""Each thread's zstd compressor and decompressor: a zstandard context is not thread-safe, and
the remote reader encodes models in its fetching threads (two threads sharing one context
made a concurrent run fail with "Src size is incorrect", or crash)."""


def _compress(data: bytes) -> bytes:
    compress = getattr(_CODECS, "compress", None)
    if compress is None:
        compress = _CODECS.compress = zstandard.ZstdCompressor(level=1, write_checksum=True).compress
    return compress(data)


def _decompress(data: bytes) -> bytes:
    decompress = getattr(_CODECS, "decompress", None)
    if decompress is None:
        decompress = _CODECS.decompress = zstandard.ZstdDecompressor().decompress
    return decompress(data)


_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
MAX_VALUE_BYTES = 64 << 20
"""The most a stored value may claim to hold uncompressed: a zstd frame says its size first,
and a damaged (or planted) row must not make the run allocate what it claims."""
DAMAGED = (zlib.error, zstandard.ZstdError, ValueError, TypeError, RecursionError)
"""What `decode_value` raises for a row that is not a value it wrote."""


def encode_value(value: Any) -> bytes | None:
    """A value as the store keeps it (what `Store.put_encoded_packages` takes); None for one
    larger than `MAX_VALUE_BYTES`, which `decode_value` would refuse: it is not stored at all.

    msgspec writes the compact JSON the json module writes, with characters as UTF-8
    rather than ``\\u`` escapes (`json.loads` reads both alike), in a third of the time:
    every RPM file read is encoded. A lone surrogate (a file name that is not UTF-8) has
    no UTF-8 form: such a value goes through the json module, whose escape keeps it.
    """
    try:
        text = _ENCODE_JSON(value)
    except UnicodeEncodeError:
        text = json.dumps(value, separators=(",", ":")).encode("utf-8")
    return _compress(text) if len(text) <= MAX_VALUE_BYTES else None


def decode_value(data: bytes) -> Any:
    """A value `encode_value` wrote: zstd; or zlib, as stores written before it still hold.
    Raises one of `DAMAGED` for anything else."""
    if data[:4] == _ZSTD_MAGIC:
        size = zstandard.frame_content_size(data)
        if not 0 <= size <= MAX_VALUE_BYTES:
            raise ValueError(f"a stored value that claims {size} bytes")
        return json.loads(_decompress(data))
    inflate = zlib.decompressobj()
    text = inflate.decompress(data, MAX_VALUE_BYTES + 1)
    if len(text) > MAX_VALUE_BYTES or not inflate.eof:
        raise ValueError("a stored value too large, or cut short")
    return json.loads(text)


EXIT_CODES = frozenset({0, 1, 3})
"""The exit codes a stored report may replay: a decision's (`auditor.core.errors.ExitCode`
PASSED, FINDINGS, INPUT). A usage or internal error stops a run before anything is stored, so a
row saying 2 or 4 is not one a run wrote."""


def report_row(meta_text: object, data: object, key: str) -> tuple[dict[str, Any], bytes] | bool:
    """A stored report's metadata and compressed output, stored under ``key``; else whether the
    row is damaged (False: a report stored before reports carried a digest, dropped without a
    warning).

    The output is checked against the digest stored with it before a byte is replayed: a
    damaged compressed stream used to stop short, so a warm run printed a truncated (even
    empty) report with the stored exit code. And the row must name the key it was stored under:
    a row copied under another key (another run's verdict: ``--fail-on none``'s exit 0 under the
    key of the default run) is whole, and its digest holds.
    """
    try:
        meta = json.loads(meta_text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True
    if not isinstance(meta, dict):
        return True
    code, messages, digest = meta.get("exit_code"), meta.get("messages", []), meta.get("sha256")
    if type(code) is not int or code not in EXIT_CODES:
        return True
    if not isinstance(messages, list) or not all(isinstance(line, str) for line in messages):
        return True
    if digest is None or meta.get("codec") != REPORT_CODEC:
        return False
    if meta.get("key") != key:
        return True
    if not isinstance(data, bytes) or hashlib.sha256(data).hexdigest() != digest:
        return True
    return meta, data


def inflate_report(data: bytes, chunk: int = 1 << 20) -> Iterator[bytes]:
    """A stored report's output in pieces of at most ``chunk`` bytes (a damaged one stops short)."""
    try:
        yield from zstandard.ZstdDecompressor().read_to_iter(data, read_size=chunk, write_size=chunk)
    except zstandard.ZstdError:
        return
