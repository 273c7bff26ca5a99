"""Read the key ids of the public keys a policy's key file holds (`gpg --export`, binary or
ASCII-armored, one block or several), as ``rpmkeys --import`` reads such a file.

A signing-key rule lists a vendor's keys by their files: a file read as fewer keys than it holds
is a deny list that silently misses a key, so whatever is not read whole raises `ValueError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from auditor.formats.openpgp import decode_packet

_PUBLIC_KEY_PACKETS = frozenset({6, 14})
"""Public-Key and Public-Subkey packets (RFC 4880 5.5.1)."""
MAX_KEY_FILE = 1 << 20
"""Bytes of a public key file read: a keyring of a few keys is a few KB."""


def public_key_ids(data: bytes) -> list[str]:
    """The key ids of every public key and subkey in ``data`` (a key as ``gpg --export`` writes
    it, binary or ASCII-armored), as 16 lowercase hex digits, in file order: a v4 key's is the
    low 64 bits of its SHA-1 fingerprint, a v5 or v6 key's the high 64 bits of its SHA-256 one,
    a v3 key's the low 64 bits of its RSA modulus. A signature names the subkey that made it,
    so a key listed by its file stands for every subkey it has. Raises ValueError for data that
    holds no such packet or is not OpenPGP."""
    if len(data) > MAX_KEY_FILE:
        raise ValueError(f"{len(data)} bytes, more than a key file ({MAX_KEY_FILE})")
    if data and not data[0] & 0x80:  # not a binary packet: armor, one block or several
        data = _dearmor(data)
    ids: list[str] = []
    position = 0
    while position < len(data):
        tag, body, end = decode_packet(data, position)
        position += end
        if tag in _PUBLIC_KEY_PACKETS and body:
            ids.append(_key_id(body))
    if not ids:
        raise ValueError("no public key in it")
    return ids


def _key_id(body: bytes) -> str:
    version = body[0]
    if version == 4:
        if len(body) > 0xFFFF:  # its fingerprint hashes the length in two octets (RFC 4880 12.2)
            raise ValueError(
                f"a version 4 public key of {len(body)} bytes, more than its fingerprint can hash"
            )
        return (
            hashlib.sha1(b"\x99" + len(body).to_bytes(2, "big") + body, usedforsecurity=False)
            .digest()[-8:]
            .hex()
        )
    if version in (5, 6):
        prefix = b"\x9a" if version == 5 else b"\x9b"
        return hashlib.sha256(prefix + len(body).to_bytes(4, "big") + body).digest()[:8].hex()
    if version in (2, 3) and len(body) > 10:
        bits = int.from_bytes(body[8:10], "big")  # the RSA modulus, an MPI after the algorithm
        modulus = body[10 : 10 + (bits + 7) // 8]
        if len(modulus) >= 8:
            return modulus[-8:].hex()
    raise ValueError(f"public key version {version} this auditor cannot read")


def _dearmor(data: bytes) -> bytes:
    """The packets of every ASCII-armored block (RFC 4880 6.2) in ``data``, in file order. A key
    file may hold several blocks (keys exported one by one and concatenated, as distributions
    ship RPM-GPG-KEY files): ``rpmkeys --import`` takes every one, so a policy's key file stands
    for every key it holds, not the first. A block read as less than it holds is refused, not
    skipped: rpmkeys passes over some in silence, and a key a deny list loses so is a package
    passed."""
    lines = data.decode("ascii", "replace").splitlines()
    packets: list[bytes] = []
    start = 0
    while True:
        start = next((i for i in range(start, len(lines)) if lines[i].startswith("-----BEGIN PGP ")), -1)
        if start < 0:
            break
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("-----END PGP ")), -1)
        if end < 0:
            raise ValueError("an armor block without its END line")
        try:
            packets.append(_armored_block(lines[start + 1 : end]))
        except ValueError as exc:
            raise ValueError(f"armor block {len(packets) + 1}: {exc}") from None
        start = end + 1
    if not packets:
        raise ValueError("neither OpenPGP packets nor an armor block")
    return b"".join(packets)


_ARMOR_HEADER = re.compile(r"[A-Za-z][A-Za-z0-9-]*:( .*)?")


def _armored_block(body: list[str]) -> bytes:
    """The data of one armor block, between its BEGIN and END lines: header lines (``Key:
    value``), the blank line that ends them, which rpm needs even with no header (without it,
    the data is taken for headers), the base64 data and its optional checksum, which must be
    the data's (rpm refuses the block otherwise)."""
    blank = next((i for i, line in enumerate(body) if not line.strip()), -1)
    if blank < 0:
        raise ValueError("no blank line after the armor headers")
    header = next((line for line in body[:blank] if not _ARMOR_HEADER.fullmatch(line.strip())), None)
    if header is not None:
        raise ValueError(f"{header[:40]!r} is not an armor header line (no blank line after the headers?)")
    text = [line.strip() for line in body[blank + 1 :]]
    while text and not text[-1]:
        text.pop()
    checksum = text.pop()[1:] if text and text[-1].startswith("=") else None
    try:
        decoded = base64.b64decode("".join(text), validate=True)
        expected = None if checksum is None else base64.b64decode(checksum, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("armor that is not base64") from None
    if not decoded:
        raise ValueError("no data in it")
    if expected is not None and expected != _crc24(decoded).to_bytes(3, "big"):
        raise ValueError(f"armor checksum ={checksum} is not its data's (RFC 4880 6.1)")
    return decoded


def _crc24_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 16
        for _ in range(8):
            crc = (crc << 1) ^ (0x1864CFB if crc & 0x800000 else 0)
        table.append(crc & 0xFFFFFF)
    return tuple(table)


_CRC24 = _crc24_table()


def _crc24(data: bytes) -> int:
    """RFC 4880 6.1's CRC-24, a table a byte."""
    crc = 0xB704CE
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFF) ^ _CRC24[(crc >> 16) ^ byte]
    return crc
