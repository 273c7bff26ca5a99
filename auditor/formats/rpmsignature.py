"""The signature header: its tags, digests and signature packets, checked as rpm checks them.

Ports of rpm 4.18 ``lib/package.c`` ``headerMergeLegacySigs`` (which tags the signature header
may hold, with which type and count) and ``lib/rpmvs.c`` (``rpmvsInit``, ``rpmsinfoInit``,
``rpmvsVerify`` with ``%_pkgverify_level digest``), with the tags rpm 6 added (OPENPGP and the
SHA3-256 digests). The header digests (SHA-1, SHA-256, SHA3-256 of the main header as read)
are computed and compared; the digests over the payload (MD5, PAYLOADDIGEST...) are checked
for form here, and computed where the file is read on (`auditor.formats.payloaddigests`), the
MD5 of a header that has no other digest (`md5_alone`) among them, which refuses the file
when it is BAD (its header is then no evidence). Of the signatures, the packets are
parsed as rpm parses them (`auditor.formats.openpgp`). Those over the header alone (RSA and
DSA header, OPENPGP) with a hash algorithm rpm has get the check rpm makes before it looks for
a key (``pgpVerifySignature``): the left 16 bits of the hash of the header, the signature's
hashed part and its trailer must be the packet's, or rpm calls the signature BAD. Those over
header and payload (PGP, GPG) are not hashed; and no signature is verified, which needs the
signer's public key.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from typing import NamedTuple

from auditor.formats import openpgp
from auditor.formats.header import Header
from auditor.formats.headerlayout import (
    TYPE_BIN,
    TYPE_NAMES,
    TYPE_STRING,
    TYPE_STRING_ARRAY,
    RawEntry,
)
from auditor.formats.rpmcheck import CheckKind, RpmCheckError
from auditor.formats.rpmtags import TAG_TYPES

_RPMFORMAT = 5114
_MAX_SIGNATURE_COUNT = 16 * 1024 * 1024

# headerMergeLegacySigs's xlateTags: signature tag, the main header tag it becomes, the count
# it must have (0: any), and whether the main header may hold that tag instead ("quirk").
_LEGACY = (
    (1000, 257, 1, False),  # SIZE -> SIGSIZE
    (1002, 259, 0, False),  # PGP -> SIGPGP
    (1004, 261, 16, False),  # MD5 -> SIGMD5
    (1005, 262, 0, False),  # GPG -> SIGGPG
    (1007, 1046, 1, True),  # PAYLOADSIZE -> ARCHIVESIZE
    (274, 5090, 0, True),  # FILESIGNATURES
    (275, 5091, 1, True),  # FILESIGNATURELENGTH
    (276, 276, 0, False),  # VERITYSIGNATURES
    (277, 277, 1, False),  # VERITYSIGNATUREALGO
    (269, 269, 1, False),  # SHA1
    (273, 273, 1, False),  # SHA256
    (279, 279, 1, False),  # SHA3_256 (rpm 6)
    (267, 267, 0, False),  # DSA
    (268, 268, 0, False),  # RSA
    (270, 270, 1, False),  # LONGSIZE
    (271, 271, 1, False),  # LONGARCHIVESIZE
    (278, 278, 0, False),  # OPENPGP (rpm 6)
)


_MERGED_TAGS = frozenset(merged for _, merged, _, _ in _LEGACY)
_LEGACY_TAGS = frozenset(tag for tag, _, _, _ in _LEGACY)


def check_legacy_tags(signature: Header, main: Header, source: str) -> None:
    """headerMergeLegacySigs: the main header holds none of the signature tags, and each
    signature tag has the type rpm's tag table gives the tag it is merged as, and its count.
    (Every package read goes through here: the tags of neither kind present are set aside
    at once, by one set operation each.)"""
    in_main, in_signature = main.present, signature.present
    rpmformat = (main.integer(_RPMFORMAT) or 0) if _RPMFORMAT in in_main else 0
    if not _MERGED_TAGS.isdisjoint(in_main):
        for tag, merged, _, quirk in _LEGACY:
            if merged in in_main and not (rpmformat < 6 and quirk and tag not in in_signature):
                _fail(source, f"the main header holds tag {merged}, which belongs in the signature header")
    present = _LEGACY_TAGS.intersection(in_signature)
    for tag, merged, count, _ in _LEGACY:
        if tag not in present or (rpmformat >= 6 and tag >= 1000):  # rpm 6 ignores v3 tags in v6 packages
            continue
        type_, _, items, _ = signature.index_entry(tag)
        expected = TAG_TYPES.get(merged, 0)
        if type_ != expected:
            _fail(source, f"signature tag {tag} has type {TYPE_NAMES[type_]}, not {TYPE_NAMES[expected]}")
        if not 1 <= items <= _MAX_SIGNATURE_COUNT or (count and items != count):
            _fail(source, f"signature tag {tag} has a count of {items}" + (f", not {count}" if count else ""))


def _fail(source: str, detail: str) -> None:
    raise RpmCheckError(source, f"corrupt RPM signature header: {detail}", "headerMergeLegacySigs",
                        CheckKind.STRUCTURE)  # fmt: skip


class _Kind(enum.Enum):
    SIGNATURE = "signature"
    DIGEST = "digest"


HEADER, PAYLOAD = 1, 2
"""RPMSIG_HEADER and RPMSIG_PAYLOAD: what a digest or signature covers."""


@dataclass(frozen=True, slots=True)
class _Item:
    """One row of rpmvfytags and rpmvfyitems."""

    tag: int
    in_signature_header: bool
    type: int
    count: int
    size: int
    kind: _Kind
    covers: int
    hash: str | None
    disabler: str
    """The RPMVSF_ flag that turns it off: items sharing one are alternatives (getAlt)."""
    name: str
    alt: bool = False
    """A digest of the uncompressed payload. rpm 4.18 computes it over the compressed one, so
    it never verifies: it can be excused by its alternative, never excuse it."""


_S, _D = _Kind.SIGNATURE, _Kind.DIGEST
_STR, _ARRAY, _BIN, _BOTH = TYPE_STRING, TYPE_STRING_ARRAY, TYPE_BIN, HEADER | PAYLOAD
# In rpmvsVerify's order (sinfoCmp): by what they cover (the header, the payload, both), the
# signatures first, then the highest tag first. rpm reports the first failure in this order.
_ITEMS = (
    _Item(278, True, _ARRAY, 0, 0, _S, HEADER, None, "NOOPENPGP", "OpenPGP signature"),
    _Item(268, True, _BIN, 0, 0, _S, HEADER, None, "NORSAHEADER", "RSA header signature"),
    _Item(267, True, _BIN, 0, 0, _S, HEADER, None, "NODSAHEADER", "DSA header signature"),
    _Item(279, True, _STR, 1, 65, _D, HEADER, "sha3_256", "NOSHA3_256HEADER", "Header SHA3-256 digest"),
    _Item(273, True, _STR, 1, 65, _D, HEADER, "sha256", "NOSHA256HEADER", "Header SHA256 digest"),
    _Item(269, True, _STR, 1, 41, _D, HEADER, "sha1", "NOSHA1HEADER", "Header SHA1 digest"),
    _Item(5124, False, _STR, 0, 0, _D, PAYLOAD, "sha3_256", "NOSHA3_256PAYLOAD",
          "Payload SHA3-256 ALT digest", alt=True),
    _Item(5123, False, _STR, 0, 0, _D, PAYLOAD, "sha3_256", "NOSHA3_256PAYLOAD", "Payload SHA3-256 digest"),
    _Item(5122, False, _STR, 0, 0, _D, PAYLOAD, "sha512", "NOSHA512PAYLOAD", "Payload SHA512 ALT digest",
          alt=True),
    _Item(5121, False, _STR, 0, 0, _D, PAYLOAD, "sha512", "NOSHA512PAYLOAD", "Payload SHA512 digest"),
    _Item(5097, False, _ARRAY, 0, 0, _D, PAYLOAD, "sha256", "NOPAYLOAD", "Payload SHA256 ALT digest",
          alt=True),
    _Item(5092, False, _ARRAY, 0, 0, _D, PAYLOAD, "sha256", "NOPAYLOAD", "Payload SHA256 digest"),
    _Item(1005, True, _BIN, 0, 0, _S, _BOTH, None, "NODSA", "GPG signature"),
    _Item(1002, True, _BIN, 0, 0, _S, _BOTH, None, "NORSA", "PGP signature"),
    _Item(1004, True, _BIN, 0, 16, _D, _BOTH, "md5", "NOMD5", "MD5 digest"),
)  # fmt: skip
# hdrblobGet hands over only entries of one-byte or string types; rpmvs takes any other as absent.
_READABLE_TYPES = frozenset({1, 2, 6, 7, 8, 9})
_HEX = b"0123456789abcdefABCDEF"
"""Hex digits: a digest string holds nothing else (``translate`` deletes them, C-fast)."""
_HASHES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha3_256": hashlib.sha3_256}
_HEADER_DIGESTS = (279, 273, 269)
"""The digests of the header alone (SHA3-256, SHA256, SHA1), which `verify` computes."""
_MD5 = 1004


class _Outcome(NamedTuple):
    ok: bool
    """Checked (or, for what the auditor cannot compute, well-formed)."""
    reason: str = ""
    key_ids: tuple[str, ...] = ()


_OK = _Outcome(True)


def verify(signature: Header, main: Header, main_bytes: bytes, source: str) -> tuple[str, ...]:
    """rpmvsInit, rpmvsVerify: every digest and signature present, and the header's digests
    computed over ``main_bytes`` (the main header as read). Returns the key ids of every
    signature, in the order rpm checks them (the header-only ones first), those made with a
    hash algorithm rpm lacks included (rpm passes over them), then those of BAD signatures that a
    good alternative excused; empty when unsigned."""
    failures: list[tuple[_Item, _Outcome]] = []
    good: set[str] = set()  # the disablers of what checked out: alternatives excuse failures (getAlt)
    covered = 0
    # Every signer, not the first: rpm checks each signature present, and a package signed by
    # a clean key and by a vendor's (rpm 4.11 re-signing a DSA-signed package keeps both) is
    # the vendor's build all the same.
    keys: dict[str, None] = {}
    in_signature, in_main = signature.present, main.present
    for item in _ITEMS:
        if item.tag not in (in_signature if item.in_signature_header else in_main):
            continue
        found = (signature if item.in_signature_header else main).raw(item.tag)
        if found is None or found[0][0] not in _READABLE_TYPES:
            continue
        for outcome in _outcomes(item, *found, main_bytes):
            if not outcome.ok:
                failures.append((item, outcome))
                continue
            if not item.alt:
                good.add(item.disabler)
            if item.kind is _D:
                covered |= item.covers
            else:
                # A signature rpm cannot check (a hash algorithm it lacks) is no signature to
                # rpm -K, but it still names who signed: evidence a deny rule must see.
                keys.update(dict.fromkeys(outcome.key_ids))
    for item, outcome in failures:
        if item.disabler not in good:
            kind = CheckKind.SIGNATURE if item.kind is _S else CheckKind.DIGEST
            # The key it claims, as rpm -K names it: a vendor's signature on a header changed
            # since is refused, and the error is all that is left of it.
            claims = f"; key ID {', '.join(outcome.key_ids)}" if outcome.key_ids else ""
            detail = f"corrupt RPM signature header: {item.name}: BAD ({outcome.reason}{claims})"
            raise RpmCheckError(source, detail, "rpmvsVerify", kind)
        # Excused by a good alternative (one item of rpm 6's OPENPGP array checks out), a BAD
        # signature still names a key that signed, or claims to have signed, this header:
        # dropping it would let a deny rule pass a package a vendor's key is on. One that could
        # not be read names none, and its signer is unseen, as an unnamed one's (a gap).
        if item.kind is _S:
            keys.update(dict.fromkeys(outcome.key_ids or (openpgp.UNNAMED_SIGNER,)))
    # rpmvsVerify at %_pkgverify_level digest (rpm -K, rpm -i): digests of the header and the payload
    for part, name in ((HEADER, "header"), (PAYLOAD, "payload")):
        if not covered & part:
            raise RpmCheckError(source, f"corrupt RPM signature header: no digest of the {name}",
                                "rpmvsVerify", CheckKind.DIGEST)  # fmt: skip
    return tuple(keys)


def md5_alone(signature: Header) -> bytes | None:
    """The MD5 when it is the only digest of the header rpm checks (rpm before 4.0.3 wrote no
    other): it covers the header and the payload, so a header changed under it is caught only by
    computing it over both (`auditor.formats.payloaddigests`). None when a header digest rpm reads is
    there (`verify` computed it) or there is no MD5 (`verify` refused the file). Called after
    `verify`, which checked the MD5's form."""
    for tag in _HEADER_DIGESTS:
        found = signature.raw(tag) if tag in signature.present else None
        if found is not None and found[0][0] in _READABLE_TYPES:
            return None
    found = signature.raw(_MD5) if _MD5 in signature.present else None
    return None if found is None or found[0][0] != TYPE_BIN else found[1]


def _outcomes(item: _Item, entry: RawEntry, data: bytes, main_bytes: bytes) -> list[_Outcome]:
    type_, _, count, _ = entry
    if type_ != item.type:
        return [_Outcome(False, f"tag {item.tag}: invalid type {type_}")]
    if item.count and count != item.count:
        return [_Outcome(False, f"tag {item.tag}: invalid count {count}")]
    if type_ == TYPE_BIN:
        return [_one(item, data, len(data), main_bytes)]
    if type_ == TYPE_STRING:
        return [_one(item, data[:-1], len(data), main_bytes)]  # td->size counts the NUL
    # rpm checks the items of one tag from the last (sinfoCmp: the highest id first)
    return [_one(item, value, len(data), main_bytes) for value in reversed(data.split(b"\0", count)[:count])]


def _one(item: _Item, data: bytes, size: int, main_bytes: bytes) -> _Outcome:
    """rpmsinfoInit for one value, then what the auditor can verify of it."""
    if item.hash and len(data) < 16:
        return _Outcome(False, f"tag {item.tag}: invalid data ({len(data)} bytes)")
    if item.size and size != item.size:
        return _Outcome(False, f"tag {item.tag}: invalid size {size}")
    if item.kind is _S:
        try:
            if item.type == TYPE_STRING_ARRAY:
                packet = openpgp.parse_armored(data.decode("ascii", "replace"))
            else:
                packet = openpgp.parse_signature(data)
        except ValueError as exc:
            return _Outcome(False, f"tag {item.tag}: invalid OpenPGP signature: {exc}")
        usable = packet.hash_algorithm in openpgp.HASH_ALGORITHMS
        if usable and packet.signature_type != openpgp.BINARY_SIGNATURE:  # verifySignature
            detail = f"signature type {packet.signature_type}, not binary"
            return _Outcome(False, f"tag {item.tag}: {detail}", packet.key_ids)
        # pgpVerifySignature, before it looks for a key. Over the header and the payload, the
        # hash needs the payload, which is not read.
        if usable and item.covers == HEADER:
            computed = openpgp.hash_prefix(packet, main_bytes)
            if computed != packet.hash_prefix:
                detail = f"hash prefix {packet.hash_prefix.hex()} != {computed.hex()}"
                return _Outcome(False, f"tag {item.tag}: {detail}", packet.key_ids)
        return _Outcome(True, key_ids=packet.key_ids)
    if item.type != TYPE_BIN and (len(data) % 2 or len(data) < 40 or data.translate(None, _HEX)):
        return _Outcome(False, f"tag {item.tag}: invalid hex")
    if item.covers != HEADER or item.hash is None:
        return _OK  # over the payload: well-formed, not computed
    actual = _HASHES[item.hash](main_bytes).hexdigest()  # the header digests are strings
    if actual.encode() != data.lower():
        return _Outcome(False, f"Expected {data.decode()} != {actual}")
    return _OK
