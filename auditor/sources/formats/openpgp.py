"""The signing key id of an OpenPGP signature packet (RFC 4880, RFC 9580).

rpm stores detached signature packets in the signature header; the auditor only needs
to know *which* key signed, not whether the signature verifies (that needs the key and
is rpm's job), so this walks the packet far enough to find the issuer.
"""

from __future__ import annotations

import base64
import binascii

_SIGNATURE_PACKET = 2
_SUBPACKET_ISSUER = 16
_SUBPACKET_ISSUER_FINGERPRINT = 33


def signature_key_id(packet: bytes) -> str | None:
    """The 16-hex-digit key id that issued a signature packet, or None if it cannot be told."""
    body = _packet_body(packet)
    if body is None or not body:
        return None
    version = body[0]
    if version == 3:
        # version, hashed length (5), type, time (4), key id (8)
        return body[7:15].hex() if len(body) >= 15 else None
    if version in (4, 5, 6):
        return _issuer_from_subpackets(body, version)
    return None


def armored_key_id(text: bytes) -> str | None:
    """The key id of a base64-encoded signature packet (rpm 6's OPENPGP tag)."""
    try:
        raw = base64.b64decode(b"".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return signature_key_id(raw)


def _packet_body(data: bytes) -> bytes | None:
    if not data or not data[0] & 0x80:
        return None
    first = data[0]
    if first & 0x40:  # new format
        tag = first & 0x3F
        if len(data) < 2:
            return None
        octet = data[1]
        if octet < 192:
            length, start = octet, 2
        elif octet < 224:
            if len(data) < 3:
                return None
            length, start = ((octet - 192) << 8) + data[2] + 192, 3
        elif octet == 255:
            if len(data) < 6:
                return None
            length, start = int.from_bytes(data[2:6], "big"), 6
        else:
            return None  # partial body lengths never occur in a signature packet
    else:  # old format
        tag = (first >> 2) & 0x0F
        kind = first & 0x03
        if kind == 3:
            length, start = len(data) - 1, 1
        else:
            width = 1 << kind
            if len(data) < 1 + width:
                return None
            length, start = int.from_bytes(data[1 : 1 + width], "big"), 1 + width
    if tag != _SIGNATURE_PACKET:
        return None
    return data[start : start + length]


def _issuer_from_subpackets(body: bytes, version: int) -> str | None:
    # v4: version, type, pubkey algo, hash algo, hashed length (2), hashed, unhashed length (2), unhashed
    # v6: the two lengths are four octets wide
    width = 4 if version == 6 else 2
    position = 4
    fingerprint_id: str | None = None
    for _area in range(2):
        if position + width > len(body):
            break
        length = int.from_bytes(body[position : position + width], "big")
        position += width
        area = body[position : position + length]
        position += length
        for kind, value in _subpackets(area):
            if kind == _SUBPACKET_ISSUER and len(value) == 8:
                return value.hex()
            if kind == _SUBPACKET_ISSUER_FINGERPRINT and len(value) > 1 and fingerprint_id is None:
                key_version, fingerprint = value[0], value[1:]
                # v4 key ids are the low 64 bits of the fingerprint, v5/v6 ones the high 64 bits
                fingerprint_id = (fingerprint[-8:] if key_version == 4 else fingerprint[:8]).hex()
    return fingerprint_id


def _subpackets(area: bytes) -> list[tuple[int, bytes]]:
    found: list[tuple[int, bytes]] = []
    position = 0
    while position < len(area):
        octet = area[position]
        if octet < 192:
            length, position = octet, position + 1
        elif octet < 255:
            if position + 1 >= len(area):
                break
            length = ((octet - 192) << 8) + area[position + 1] + 192
            position += 2
        else:
            if position + 5 > len(area):
                break
            length = int.from_bytes(area[position + 1 : position + 5], "big")
            position += 5
        if length == 0 or position + length > len(area):
            break
        found.append((area[position] & 0x7F, area[position + 1 : position + length]))
        position += length
    return found
