"""The digests rpm -K computes over an RPM's payload, computed in one pass with the file's own.

A package's header says what its payload is: the main header's ``PAYLOADDIGEST`` (rpm 4.14 and
later; rpm 6 adds SHA-512 and SHA3-256 ones), covered by the header's digests and signatures.
A payload altered after signing still reads, header and all, as the package it claims to be;
``rpm -K`` calls it BAD and ``rpm -i`` refuses it. The auditor says so too, as an input error on
the file (its package still read from the header, as a payload cut short is).

Which digests, as ``lib/rpmvs.cc`` computes them (`rpmsignature` checks their form): each
value of the main header's payload digests over the compressed payload, to the end of the
file; where there is none (rpm before 4.14), the signature header's MD5 over the main header
and the payload. Not computed: the ALT digests (of the uncompressed payload, which rpm 4.18
computes over the compressed one all the same, so that they never verify and never count),
and the MD5 beside a payload digest: it covers the same bytes, and only a digest the header
itself carries says what the payload must be. One pass reads the file once for all of them
and the file's SHA-256 (`Package.checksum`), a megabyte at a time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import BinaryIO

from auditor.core.errors import InputError
from auditor.formats.header import Header, Tag
from auditor.formats.headerlayout import TYPE_BIN, TYPE_STRING, TYPE_STRING_ARRAY
from auditor.formats.rpmcheck import CheckKind, RpmCheckError
from auditor.formats.rpmheader import RpmHeaders
from auditor.formats.rpmsignature import md5_alone

_RPMFORMAT = 5114
_MAIN_DIGESTS = ((5092, "sha256", "Payload SHA256 digest"), (5121, "sha512", "Payload SHA512 digest"),
                 (5123, "sha3_256", "Payload SHA3-256 digest"))  # fmt: skip
_MD5 = 1004
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class PayloadDigest:
    name: str
    """As rpm -K names it (``Payload SHA256 digest``)."""
    algorithm: str
    expected: str
    """Lower-case hex."""
    with_header: bool
    """Over the main header and the payload (the MD5), not the payload alone."""
    vouches_header: bool = False
    """The header's only digest (an MD5 of rpm before 4.0.3): BAD, the header is no evidence either."""


def payload_digests(signature: Header, main: Header) -> tuple[PayloadDigest, ...]:
    """What rpm -K computes over the payload of the package these headers begin."""
    found = []
    for tag, algorithm, name in _MAIN_DIGESTS:
        raw = main.raw(tag)
        if raw is None or raw[0][0] not in (TYPE_STRING, TYPE_STRING_ARRAY):
            continue
        (_, _, count, _), data = raw
        values = data.split(b"\0", count)[:count] if raw[0][0] == TYPE_STRING_ARRAY else [data.rstrip(b"\0")]
        found += [
            PayloadDigest(name, algorithm, value.decode("ascii", "replace").lower(), False)
            for value in values
        ]
    rpmformat = main.integer(_RPMFORMAT) if _RPMFORMAT in main.present else None
    if (rpmformat or 0) >= 6:  # rpm 6 ignores the v3 tags of a v6 package
        return tuple(found)
    alone = md5_alone(signature)
    if alone is not None:  # all that says what the header is too (rpm before 4.0.3)
        return (*found, PayloadDigest("MD5 digest", "md5", alone.hex(), True, vouches_header=True))
    raw = signature.raw(_MD5)
    if not found and raw is not None and raw[0][0] == TYPE_BIN and len(raw[1]) == 16:
        found.append(PayloadDigest("MD5 digest", "md5", raw[1].hex(), True))  # rpm 4.0.3 to 4.13
    return tuple(found)


def read_digests(
    stream: BinaryIO, headers: RpmHeaders, source: str, *, verify: bool, whole: bool
) -> tuple[str | None, str | None]:
    """One read of ``stream``, from where the first digest needs: the file's SHA-256 (``whole``)
    in hex, and (``verify``) the first payload digest that is BAD, as rpm -Kv words it (None
    when all match). An MD5 that is the header's only digest and is BAD refuses the file
    (`RpmCheckError` naming ``source``): its header is no evidence either."""
    wanted = payload_digests(headers.signature, headers.main) if verify else ()
    if not wanted and not whole:
        return None, None
    file_hash = hashlib.sha256() if whole else None
    hashes = [
        (
            digest,
            hashlib.new(digest.algorithm, usedforsecurity=False),
            headers.header_start if digest.with_header else headers.header_end,
        )
        for digest in wanted
    ]
    position = 0 if whole else min(begin for _, _, begin in hashes)
    # Never past the package its signature records: what follows is an error of its own (a
    # sparse terabyte may follow), and a later read of the payload needs only the package.
    end = headers.recorded_size
    stream.seek(position)
    while chunk := stream.read(_CHUNK if end is None else max(0, min(_CHUNK, end - position))):
        if file_hash is not None:
            file_hash.update(chunk)
        after = position + len(chunk)
        for _, hashed, begin in hashes:
            if begin < after:
                hashed.update(memoryview(chunk)[max(0, begin - position) :])
        position = after
    bad = None
    for digest, hashed, _ in sorted(hashes, key=lambda item: not item[0].vouches_header):
        actual = hashed.hexdigest()
        if actual != digest.expected:
            bad = f"{digest.name}: BAD (Expected {digest.expected} != {actual})"
            if digest.vouches_header:
                raise RpmCheckError(
                    source, f"corrupt RPM signature header: {bad}", "rpmvsVerify", CheckKind.DIGEST
                )
            break
    if bad is not None and headers.main.string(Tag.PAYLOADFORMAT) == "drpm":  # makedeltarpm's
        bad += "; a delta RPM (PAYLOADFORMAT drpm): its payload rebuilds the package from an older one"
    return (file_hash.hexdigest() if file_hash is not None else None), bad


def check_payload(stream: BinaryIO, headers: RpmHeaders, source: str) -> None:
    """Raise `InputError` naming ``source`` when the payload is not the one ``headers`` describe:
    what a later read of the payload finds there (a source RPM's spec and Sources, read again
    for its rebuild) is evidence only when its digests match, as the first read's was. A payload
    cut short has its own error already, and each member read from it is vouched for alone."""
    _, bad = read_digests(stream, headers, source, verify=headers.truncated is None, whole=False)
    if bad is not None:
        raise InputError(source, bad)
