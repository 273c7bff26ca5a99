"""Read the OpenPGP signature packets rpm stores in a signature header, as strictly as rpm.

The auditor needs to know *which* key signed (verifying needs the key, which is rpm's job),
but a packet rpm cannot read makes rpm refuse the package, so a packet is parsed the way rpm's
own parser does (rpm 4.18 ``rpmio/rpmpgp_internal.c``: ``pgpPrtParams``, ``decodePkt``,
``pgpLen``, ``pgpGet``, ``pgpPrtSig``, ``pgpPrtSubType``, ``processMpis``) and anything it
refuses raises `ValueError`. Version 6 packets (RFC 9580), which rpm 6 reads through Sequoia,
are read with the same framing rules.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

MAX_PACKET = 65535
"""rpm's RPM_MAX_OPENPGP_BYTES: ``pgpPrtParams`` refuses longer data outright."""

_SIGNATURE_PACKET = 2
_SUBPACKET_CREATION_TIME = 2
_SUBPACKET_ISSUER = 16
_SUBPACKET_KEY_FLAGS = 27
_SUBPACKET_ISSUER_FINGERPRINT = 33
_FINGERPRINT_SIZES = {4: 20, 5: 32, 6: 32}
"""Bytes of a key's fingerprint, by key version: SHA-1 for v4, SHA-256 for v5 and v6."""
_CRITICAL = 0x80
# pgpPrtSubType keeps an issuer only from these signature types (positive certification,
# binary, text, standalone).
_ISSUER_SIGNATURE_TYPES = frozenset({0x13, 0x00, 0x01, 0x02})
BINARY_SIGNATURE = 0x00
"""The only signature type rpm's ``verifySignature`` accepts for a package."""
UNNAMED_SIGNER = "0" * 16
"""The signer of a signature that names none: rpm leaves its key id zero, shows it so (``Key
ID 0000000000000000``) and looks that key up, NOKEY whatever is imported. A signer no trusted
key can be, not an unsigned package. Also the signer of a packet rpm 6 passes over unread, as
the alternative of a good one (`auditor.formats.rpmsignature`): whose it is, is unseen."""

# Signature material per public-key algorithm: a number of MPIs (processMpis, with rpm 4.18's
# pgpSignatureNew: RSA 1, DSA 2, EdDSA 2), or a fixed number of octets (RFC 9580 Ed25519 and
# Ed448, which rpm 6 reads through Sequoia, as it does ECDSA; and the post-quantum composites
# rpm 6 names in rpmpgp.h, ML-DSA-65+Ed25519 and ML-DSA-87+Ed448 of the OpenPGP PQC draft:
# the EdDSA signature, then the ML-DSA one of FIPS 204's size).
_MPIS = {1: 1, 17: 2, 19: 2, 22: 2}
_OCTETS = {27: 64, 28: 114, 30: 64 + 3309, 31: 114 + 4627}

_HASH_NAMES = {1: "md5", 2: "sha1", 8: "sha256", 9: "sha384", 10: "sha512", 11: "sha224",
               12: "sha3_256", 14: "sha3_512"}  # fmt: skip
HASH_ALGORITHMS = frozenset(_HASH_NAMES)
"""Hash algorithms rpm can digest a header with (rpmio digest_*.c: MD5, SHA-1, SHA-2, and
SHA3-256/512 in rpm 6). rpm treats a signature made with any other as absent, not as bad."""


@dataclass(frozen=True, slots=True)
class Signature:
    version: int
    signature_type: int
    public_key_algorithm: int
    hash_algorithm: int
    key_ids: tuple[str, ...]
    """Every key the packet names as its issuer, as 16 lowercase hex digits (an issuer key id,
    or the low or high 64 bits of an issuer fingerprint): those the signature covers (its
    hashed area) first, a fingerprint before a key id. `UNNAMED_SIGNER` alone when it names
    none."""
    hashed: bytes
    """What the signature hashes after the signed data: v3 its type and creation time, v4 and
    v6 the packet from its version through the hashed subpacket area (RFC 4880 5.2.4)."""
    hash_prefix: bytes
    """The left 16 bits of the signed hash value, as the packet stores them."""
    salt: bytes
    """v6: hashed before the signed data (RFC 9580 5.2.4)."""

    @property
    def key_id(self) -> str:
        """The issuer to report first: the one the signature itself vouches for, when it does."""
        return self.key_ids[0]


def parse_signature(data: bytes) -> Signature:
    """The one signature packet ``data`` must hold exactly (pgpPrtParams with PGPTAG_SIGNATURE)."""
    if len(data) > MAX_PACKET:
        raise ValueError(f"{len(data)} bytes, more than rpm reads ({MAX_PACKET})")
    tag, body, end = decode_packet(data)
    if tag != _SIGNATURE_PACKET:
        raise ValueError(f"packet of type {tag}, not a signature")
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes after the signature packet")
    if not body:
        raise ValueError("empty signature packet")
    version = body[0]
    if version == 3:
        return _version3(body)
    if version in (4, 6):
        return _version4_or_6(body, version)
    raise ValueError(f"unsupported signature version {version}")


def parse_armored(text: str) -> Signature:
    """A signature packet in base64, as rpm 6's OPENPGP tag stores it."""
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    return parse_signature(raw)


def _length(data: bytes, start: int, available: int) -> tuple[int, int]:
    """pgpLen: a new-format length at ``start`` and its width; the body must fit in ``available``
    (counted from ``start``, the length octets included). Width 0 when it is refused."""
    first = data[start]
    if first < 192:
        width, length = 1, first
    elif first < 224 and available > 2:
        width, length = 2, ((first - 192) << 8) + data[start + 1] + 192
    elif first == 255 and available > 5:
        width, length = 5, int.from_bytes(data[start + 1 : start + 5], "big")
    else:
        return 0, 0  # partial body lengths, or a length cut short
    return (width, length) if available - width >= length else (0, 0)


def decode_packet(data: bytes, start: int = 0) -> tuple[int, bytes, int]:
    """decodePkt: (tag, body, end offset from ``start``) of the packet at ``start`` of ``data``: a
    signature's, or one of a public key file's (`auditor.formats.pgpkeys`), read in place (a key
    file of 500,000 empty packets, each decoded from a copy of the rest, took 13 s)."""
    available = len(data) - start
    if available < 2 or not data[start] & 0x80:
        raise ValueError("not an OpenPGP packet")
    first = data[start]
    if first & 0x40:  # new format
        width, length = _length(data, start + 1, available - 1)
        tag = first & 0x3F
    else:  # old format; an indeterminate length (type 3) is refused
        width = 1 << (first & 0x03)
        if width > 4 or available - 1 < width:
            raise ValueError("bad packet length")
        length = int.from_bytes(data[start + 1 : start + 1 + width], "big")
        if available - 1 - width < length:
            width = 0
        tag = (first >> 2) & 0x0F
    header = width + 1
    if not width or header + length > available:
        raise ValueError("bad packet length")
    return tag, data[start + header : start + header + length], header + length


def _version3(body: bytes) -> Signature:
    # version, hash length (5), type, time (4), key id (8), public-key algo, hash algo, hash16 (2)
    if len(body) <= 19 or body[1] != 5:
        raise ValueError("bad version 3 signature header")
    algorithm = body[15]
    _material(body, 19, algorithm)
    return Signature(3, body[2], algorithm, body[16], (body[7:15].hex(),), body[2:7], body[17:19], b"")


def _version4_or_6(body: bytes, version: int) -> Signature:
    # version, type, public-key algo, hash algo, hashed length, hashed area, unhashed length,
    # unhashed area, hash16 (2); v6 then a salt (length octet, salt). Lengths: 2 octets, 4 in v6.
    width = 4 if version == 6 else 2
    if len(body) <= 4 + width:
        raise ValueError(f"version {version} signature too short")
    signature_type, algorithm, hash_algorithm = body[1], body[2], body[3]
    state = _Subpackets(signature_type)
    position = hashed_end = 4
    for hashed in (True, False):
        if len(body) - position < width:
            raise ValueError("subpacket area length outside the packet")
        length = int.from_bytes(body[position : position + width], "big")
        position += width
        if length > len(body) - position:
            raise ValueError("subpacket area runs past the packet")
        state.read(body[position : position + length], hashed)
        position += length
        if hashed and not state.has_creation_time:
            raise ValueError("no hashed signature creation time (RFC 4880 5.2.3.4)")
        if hashed:
            hashed_end = position
    if len(body) - position < 2:
        raise ValueError("no hash prefix")
    prefix = body[position : position + 2]
    position += 2
    salt = b""
    if version == 6:
        if position >= len(body) or position + 1 + body[position] > len(body):
            raise ValueError("salt runs past the packet")
        salt = body[position + 1 : position + 1 + body[position]]
        position += 1 + len(salt)
    _material(body, position, algorithm)
    return Signature(version, signature_type, algorithm, hash_algorithm, state.key_ids(),
                     body[:hashed_end], prefix, salt)  # fmt: skip


def hash_prefix(signature: Signature, signed: bytes) -> bytes:
    """The left 16 bits of the hash of ``signed``, the signature's hashed part and its trailer,
    which pgpVerifySignature compares with the packet's before it looks for a key (rpm 4.18 says
    BAD, not NOKEY, when they differ; rpm 6's Sequoia backend too). The signature's hash
    algorithm must be one of `HASH_ALGORITHMS`."""
    digest = hashlib.new(_HASH_NAMES[signature.hash_algorithm], usedforsecurity=False)
    digest.update(signature.salt)
    digest.update(signed)
    digest.update(signature.hashed)
    if signature.version != 3:  # RFC 4880 5.2.4, RFC 9580 5.2.4: version, 0xff, hashed length
        digest.update(bytes((signature.version, 0xFF)) + len(signature.hashed).to_bytes(4, "big"))
    return digest.digest()[:2]


class _Subpackets:
    """pgpPrtSubType over the hashed, then the unhashed area."""

    def __init__(self, signature_type: int) -> None:
        self.signature_type = signature_type
        self.has_creation_time = False
        self.has_key_flags = False
        self.issuers: list[tuple[int, str]] = []
        """(rank, key id) of every issuer key id and issuer fingerprint, in packet order."""

    def key_ids(self) -> tuple[str, ...]:
        # The unhashed area is not signed: anyone can rewrite an issuer key id there and the
        # signature stays good. rpm 4.18 looks the key up by the (first) issuer key id, rpm 6
        # (Sequoia) by the issuer fingerprint, so a packet whose two disagree is checked against
        # one key by one rpm and against the other by the other. The auditor verifies neither,
        # so it keeps both as signers, never one in place of the other: a deny rule sees the
        # real signer whichever id was forged, and a trust rule sees the forged id. (Refusing
        # the file would stop a whole distribution's audit on one package, for no verdict a
        # policy could not already give.) The signed ones are reported first.
        ranked = sorted(self.issuers, key=lambda issuer: issuer[0])
        return tuple(dict.fromkeys(key for _, key in ranked)) or (UNNAMED_SIGNER,)

    def read(self, area: bytes, hashed: bool) -> None:
        position = 0
        while position < len(area):
            width, length = _length(area, position, len(area) - position)
            if not width or length < 1:
                raise ValueError("bad subpacket length")
            start = position + width
            self._one(
                area[start] & ~_CRITICAL, area[start] & _CRITICAL, area[start + 1 : start + length], hashed
            )
            position = start + length

    def _one(self, kind: int, critical: int, value: bytes, hashed: bool) -> None:
        understood = False
        if kind == _SUBPACKET_CREATION_TIME and hashed and len(value) == 4:
            if self.has_creation_time:
                raise ValueError("two signature creation times")
            self.has_creation_time = understood = True
        elif kind == _SUBPACKET_ISSUER:
            understood = True
            if self.signature_type in _ISSUER_SIGNATURE_TYPES and len(value) == 8:
                self.issuers.append((_rank(hashed, fingerprint=False), value.hex()))
        elif kind == _SUBPACKET_KEY_FLAGS and hashed:
            if self.has_key_flags:
                raise ValueError("two key flags subpackets")
            self.has_key_flags = understood = True
        elif kind == _SUBPACKET_ISSUER_FINGERPRINT and len(value) > 1:
            key_version, fingerprint = value[0], value[1:]
            # A fingerprint of another size, or of a key version without one, names no key
            # there is: eight of its bytes would be a signer no rule lists, where the signer is
            # unseen (rpm 4.18, which reads no issuer fingerprint, shows none).
            if len(fingerprint) == _FINGERPRINT_SIZES.get(key_version):
                # v4 key ids are the low 64 bits of the fingerprint, v5/v6 ones the high 64 bits
                key = (fingerprint[-8:] if key_version == 4 else fingerprint[:8]).hex()
                self.issuers.append((_rank(hashed, fingerprint=True), key))
        if critical and not understood:
            raise ValueError(f"critical subpacket {kind} rpm does not understand")


def _rank(hashed: bool, *, fingerprint: bool) -> int:
    """Signed before unsigned; within an area, a fingerprint (a whole key's) before a key id."""
    return (0 if hashed else 2) + (0 if fingerprint else 1)


def _material(body: bytes, position: int, algorithm: int) -> None:
    """processMpis: the signature material must be exactly what the algorithm needs."""
    if algorithm in _OCTETS:
        if len(body) - position != _OCTETS[algorithm]:
            raise ValueError(f"signature material of {len(body) - position} bytes for algorithm {algorithm}")
        return
    wanted = _MPIS.get(algorithm)
    if wanted is None:
        raise ValueError(f"public-key algorithm {algorithm} rpm cannot read")
    found = 0
    while found < wanted and len(body) - position >= 2:
        bits = int.from_bytes(body[position : position + 2], "big")
        size = 2 + (bits + 7) // 8
        if len(body) - position < size:
            raise ValueError("MPI runs past the packet")
        position += size
        found += 1
    if found != wanted or position != len(body):
        raise ValueError(f"signature material is not {wanted} MPI(s) for algorithm {algorithm}")
