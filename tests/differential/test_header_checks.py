"""The auditor refuses a mutated RPM exactly when rpm does, and names the check.

Every case is made here from a real fixture (tests/differential/mutations.py) and given to rpm
(the oracle, run on the very file: tests/differential/oracle.py) and to ``auditor scan``. rpm
refusing, the auditor must exit 3 with one error line naming the file and the check; rpm reading
the file, so must the auditor. The cases that rpm reads are the "accepts-" controls: files bent
in a way rpm allows (an old signature trailer, a string tag of another string type...).
"""

from __future__ import annotations

import gzip
import shutil
import struct
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.conftest import errors_of
from tests.differential import mutations as m
from tests.differential.mutations import BINARY, NOSPEC, SIGNED, SOURCE, Case, Oracle
from tests.differential.oracle import Rpm
from tests.hostile.make_corpus import Rpm as Parts

S, D, G, P = Oracle.STRUCTURE, Oracle.DIGEST, Oracle.SIGNATURE, Oracle.PAYLOAD
KEY_BYTES = 0x100001
"""A BIN entry this long lifts the data size past hdrchkArray's limit of 0xFFFFF items."""


def _last(part: str) -> m.Change:
    """The last index entry's offset just past the data (aligned, so only hdrchkRange fails)."""
    return lambda rpm: getattr(rpm, part).entries[-1].__setitem__(2, len(getattr(rpm, part).store) + 8)


def _swap_name_version(rpm: Parts) -> None:
    entries = rpm.main.entries
    first, second = entries.index(rpm.main.entry(m.NAME)), entries.index(rpm.main.entry(m.VERSION))
    entries[first], entries[second] = entries[second], entries[first]


def _unterminated_last(rpm: Parts) -> None:
    """The last string before the region trailer loses its NUL: it now ends inside the trailer."""
    entry = rpm.main.entries[-1]
    rpm.main.store[entry[2] + rpm.main.data_length(entry) - 1] = ord("a")


def _big_bin(rpm: Parts) -> None:
    rpm.main.add_entry(m.UNKNOWN_TAG, m.BIN, b"\1" * KEY_BYTES, KEY_BYTES)


def _subpackets(packet: bytearray) -> tuple[int, int]:
    """Where the hashed and the unhashed subpacket areas of a v4 packet (old format, 2-octet
    length) start."""
    hashed = 9
    return hashed, hashed + int.from_bytes(packet[7:9], "big") + 2


def _retype_subpacket(area: int, old: int, new: int) -> m.Change:
    def edit(packet: bytearray) -> None:
        hashed, unhashed = _subpackets(packet)
        position = hashed if area == 0 else unhashed
        end = position + int.from_bytes(packet[position - 2 : position], "big")
        while position < end:
            if packet[position + 1] & 0x7F == old:
                packet[position + 1] = new
                return
            position += packet[position] + 1
        raise AssertionError(f"no subpacket {old}")

    return m.packet(edit)


def _set(index: int, new: int) -> m.Change:
    return m.packet(lambda packet: packet.__setitem__(index, new))


def _packet_length(packet: bytearray, delta: int) -> None:
    packet[1:3] = (int.from_bytes(packet[1:3], "big") + delta).to_bytes(2, "big")


def _extra_unhashed(packet: bytearray) -> None:
    _, unhashed = _subpackets(packet)
    length = int.from_bytes(packet[unhashed - 2 : unhashed], "big")
    packet[unhashed + length : unhashed + length] = b"\x03\x65\x00\x00"  # type 101, not critical
    packet[unhashed - 2 : unhashed] = (length + 4).to_bytes(2, "big")
    _packet_length(packet, 4)


def _short_mpi(packet: bytearray) -> None:
    _, unhashed = _subpackets(packet)
    mpi = unhashed + int.from_bytes(packet[unhashed - 2 : unhashed], "big") + 2
    packet[mpi : mpi + 2] = (int.from_bytes(packet[mpi : mpi + 2], "big") - 8).to_bytes(2, "big")


def _with_pgp(damage_rsa: bool) -> m.Change:
    """Add a PGP (header and payload) signature tag: the RSA packet, damaged in one of the two."""

    def change(rpm: Parts) -> None:
        packet = m.rsa_packet(rpm)
        damaged = packet[:3] + b"\x05" + packet[4:]
        rpm.signature.add_entry(m.SIG_PGP, m.BIN, packet if damage_rsa else damaged, len(packet))
        if damage_rsa:
            rpm.signature.set_value(m.SIG_RSA, damaged, len(damaged))

    return change


def _digest(tag: int, edit: object) -> m.Change:
    return m.strings("signature", tag, edit)  # type: ignore[arg-type]


def _truncate(data: bytearray, _: m.Offsets) -> None:
    del data[-100:]


def _md5_alone(then: m.Change | None = None) -> m.Change:
    """The signature header's SHA1 and SHA256 renamed to tags rpm does not check, the MD5 left
    (as rpm before 4.0.3 wrote it); then ``then``, under the MD5."""
    return m.both(
        m.rename("signature", m.SIG_SHA1, 1012), m.rename("signature", m.SIG_SHA256, 1013), then or _same
    )


def _same(_: Parts) -> None:
    pass


def _payload_flipped(rpm: Parts) -> None:
    """One bit of the payload's last byte (the gzip trailer's size) flipped."""
    rpm.payload = rpm.payload[:-1] + bytes([rpm.payload[-1] ^ 1])


NEG = -16
CASES = [
    # lib/rpmlead.c rpmLeadCheck
    Case("lead-signature-type", S, BINARY, "signature type 0", patch=m.byte("lead", 78, b"\0\0")),
    Case("lead-version-below-3", S, BINARY, "package format version 2", patch=m.byte("lead", 4, 2)),
    Case("lead-version-above-4", S, SOURCE, "package format version 5", patch=m.byte("lead", 4, 5)),
    Case("accepts-lead-version-4", S, BINARY, None, patch=m.byte("lead", 4, 4)),
    # lib/header.c hdrblobRead: the 8-byte magic, reserved bytes included
    Case("signature-magic-reserved", S, BINARY, "reserved bytes", patch=m.byte("signature", 5, 1)),
    Case("main-magic-reserved", S, SOURCE, "reserved bytes", patch=m.byte("main", 7, 1)),
    # hdrblobVerifyLengths
    Case("signature-entry-limit", S, BINARY, "signature header claims 33 entries",
         patch=m.intro("signature", "il", 33)),
    Case("signature-data-limit", S, BINARY, "claims 67108865 bytes", patch=m.intro("signature", "dl", (64 << 20) + 1)),
    Case("main-entry-limit", S, SOURCE, "main header claims 65536 entries", patch=m.intro("main", "il", 0x10000)),
    Case("main-data-limit", S, BINARY, "claims 268435456 bytes", patch=m.intro("main", "dl", 0x10000000)),
    # hdrblobVerifyRegion
    Case("region-no-entries", S, BINARY, "no entries",
         change=m.emptied("main")),
    Case("region-tag-type", S, BINARY, "region tag 63 has type 4", change=m.region("main", 1, 4)),
    Case("region-tag-count", S, SOURCE, "region tag 63 has type 7 and count 15", change=m.region("main", 3, 15)),
    Case("region-offset", S, BINARY, "region offset", change=m.region("main", 2, lambda s: len(s.store) - 8)),
    Case("region-offset-negative", S, SOURCE, "region trailer", change=m.region("main", 2, -8)),
    Case("region-trailer-tag", S, BINARY, "region trailer is tag 62", change=m.trailer("main", 0, 62)),
    Case("region-trailer-count", S, SOURCE, "region trailer", change=m.trailer("main", 3, 15)),
    Case("accepts-signature-trailer-headerimage", S, BINARY, None, after=m.trailer("signature", 0, 61)),
    Case("region-size-not-entries", S, BINARY, "region size",
         change=m.trailer("main", 2, lambda s: NEG * len(s.entries) + 8)),
    Case("region-size-over-header", S, SOURCE, "region size",
         change=m.trailer("main", 2, lambda s: NEG * (len(s.entries) + 1))),
    Case("region-not-whole-header", S, BINARY, "must hold the whole header",
         change=m.trailer("main", 2, lambda s: NEG * (len(s.entries) - 1))),
    Case("accepts-signature-dribble", S, BINARY, None,
         after=m.trailer("signature", 2, lambda s: NEG * (len(s.entries) - 1))),
    Case("accepts-v3-header", S, BINARY, None, change=m.without_region),
    Case("accepts-v3-header-without-type-check", S, SOURCE, None,
         change=m.both(m.without_region, m.value("main", m.SIZE, b"\0\1\0\2", 2, m.INT16))),
    # hdrblobVerifyInfo, hdrchk*, dataLength
    Case("entry-overlap", S, BINARY, "is inside the data before it",
         change=m.field("main", m.VERSION, 2, lambda s, e: s.entry(m.NAME)[2] + 1)),
    Case("entry-order", S, SOURCE, "out of order", change=_swap_name_version),
    Case("tag-below-100", S, BINARY, "tag 99 is below 100", change=m.rename("main", m.VERSION, 99)),
    Case("tag-negative", S, SOURCE, "tag -2 is below 100", change=m.rename("main", m.VERSION, -2)),
    Case("type-unknown", S, BINARY, "tag 1004 has unknown type 10", change=m.field("main", m.SUMMARY, 1, 10)),
    Case("count-zero", S, BINARY, "tag 1001 claims 0 items", change=m.field("main", m.VERSION, 3, 0)),
    Case("count-over-data", S, SOURCE, "tag 1006 claims",
         change=m.field("main", m.BUILDTIME, 3, lambda s, e: len(s.store) + 1)),
    Case("misaligned-int16", S, BINARY, "tag 1030 is not aligned",
         change=m.field("main", m.FILEMODES, 2, lambda s, e: e[2] + 1)),
    Case("misaligned-int32", S, SOURCE, "tag 1048 is not aligned",
         change=m.field("main", m.REQUIREFLAGS, 2, lambda s, e: e[2] + 2)),
    Case("offset-past-data", S, BINARY, "points outside its data", change=_last("main")),
    Case("array-limit", S, BINARY, "rpm's limit is 1048575",
         change=m.both(_big_bin, m.field("main", m.BASENAMES, 3, 0x100000))),
    Case("accepts-bin-past-array-limit", S, BINARY, None, change=_big_bin),
    Case("tag-type", S, SOURCE, "tag 1003 has type 6 (STRING), rpm's tag table says INT32",
         change=m.value("main", m.EPOCH, b"3\0", 1, m.STRING)),
    Case("accepts-string-as-string-array", S, BINARY, None, change=m.field("main", m.BUILDHOST, 1, m.STRING_ARRAY)),
    Case("accepts-i18nstring-as-string", S, SOURCE, None, change=m.field("main", m.SUMMARY, 1, m.STRING)),
    Case("accepts-unknown-tag-any-type", S, BINARY, None,
         change=m.both(m.rename("main", m.RPMVERSION, m.UNKNOWN_TAG),
                       m.value("main", m.UNKNOWN_TAG, b"\0\1", 1, m.INT16))),
    Case("null-type", S, BINARY, "has type NULL",
         change=m.both(m.rename("main", m.RPMVERSION, m.UNKNOWN_TAG), m.field("main", m.UNKNOWN_TAG, 1, 0))),
    Case("string-count", S, SOURCE, "STRING with a count of 2", change=m.field("main", m.NAME, 3, 2)),
    Case("strings-past-entry", S, BINARY, "tag 1049", change=m.field("main", m.REQUIRENAME, 3, 60)),
    Case("int-past-data", S, SOURCE, "runs past the",
         change=m.field("main", m.BUILDTIME, 3, lambda s, e: (len(s.store) - e[2]) // 4 + 1)),
    Case("trailer-overlap", S, BINARY, "overlaps the region trailer", change=_unterminated_last),
    # hdrblobImport (regionSwab): the data laid out exactly as rpm lays it out
    Case("data-gap", S, BINARY, "laid out as rpm lays them out", change=m.gap_after(m.NAME, 4)),
    Case("signature-data-left-over", S, SOURCE, "laid out as rpm lays them out",
         after=lambda rpm: rpm.signature.store.extend(b"\0" * 8)),
    # lib/package.c headerMergeLegacySigs
    Case("main-holds-signature-tag", S, BINARY, "holds tag 257", change=m.rename("main", m.SIZE, 257)),
    Case("main-holds-archivesize", S, SOURCE, "holds tag 1046", change=m.rename("main", m.SIZE, 1046)),
    Case("accepts-main-archivesize-without-payloadsize", S, BINARY, None,
         change=m.rename("main", m.SIZE, 1046), after=m.rename("signature", m.SIG_PAYLOADSIZE, 1011)),
    Case("signature-tag-type", S, BINARY, "signature tag 1000 has type INT16",
         after=m.value("signature", m.SIG_SIZE, b"\0\0\0\0", 2, m.INT16)),
    Case("signature-tag-count", S, SOURCE, "signature tag 1000 has a count of 2, not 1",
         after=m.value("signature", m.SIG_SIZE, b"\0" * 8, 2)),
    Case("signature-md5-count", S, BINARY, "signature tag 1004 has a count of 15",
         after=m.value("signature", m.SIG_MD5, b"\1" * 15, 15)),
    # lib/rpmvs.c: rpmsinfoInit and rpmvsVerify, rpm -K
    Case("forged-name", D, BINARY, "Header SHA256 digest: BAD",
         after=m.strings("main", m.NAME, lambda name: "f" + name[1:])),
    Case("sha256-mismatch", D, SOURCE, "Header SHA256 digest: BAD",
         after=_digest(m.SIG_SHA256, lambda hex_: ("0" if hex_[0] != "0" else "1") + hex_[1:])),
    Case("sha1-mismatch", D, BINARY, "Header SHA1 digest: BAD",
         after=_digest(m.SIG_SHA1, lambda hex_: ("0" if hex_[0] != "0" else "1") + hex_[1:])),
    Case("accepts-digest-in-capitals", D, BINARY, None, after=_digest(m.SIG_SHA256, str.upper)),
    Case("digest-not-hex", D, SOURCE, "invalid hex", after=_digest(m.SIG_SHA256, lambda hex_: "g" + hex_[1:])),
    Case("digest-size", D, BINARY, "invalid size 63", after=_digest(m.SIG_SHA256, lambda hex_: hex_[2:])),
    Case("digest-type", D, BINARY, "tag 269",
         after=m.value("signature", m.SIG_SHA1, b"0" * 40 + b"\0", 41, m.BIN)),
    Case("no-header-digest", D, SOURCE, "no digest of the header",
         after=m.both(m.rename("signature", m.SIG_SHA1, 1012), m.rename("signature", m.SIG_SHA256, 1013),
                      m.rename("signature", m.SIG_MD5, 1014))),
    Case("accepts-no-md5", D, BINARY, None, after=m.rename("signature", m.SIG_MD5, 1014)),
    # The MD5 the only digest of the header (rpm before 4.0.3): it covers the header and the
    # payload, and a header changed under it is rpm -K's and rpm -i's BAD
    Case("accepts-md5-alone", D, BINARY, None, after=_md5_alone()),
    Case("md5-alone-forged-name", D, BINARY, "MD5 digest: BAD",
         after=_md5_alone(m.strings("main", m.NAME, lambda name: "f" + name[1:]))),
    Case("md5-alone-payload-changed", D, BINARY, "MD5 digest: BAD", after=_md5_alone(_payload_flipped)),
    Case("accepts-payload-alt-digest-bad", D, BINARY, None,  # excused by PAYLOADDIGEST (getAlt)
         change=m.strings("main", m.PAYLOADDIGESTALT, lambda hex_: "z" + hex_[1:])),
    Case("payload-digest-not-hex", D, SOURCE, "Payload SHA256 digest: BAD (tag 5092: invalid hex)",
         change=m.strings("main", m.PAYLOADDIGEST, lambda hex_: "z" + hex_[1:])),
    Case("payload-cut", D, BINARY, "truncated RPM", patch=_truncate),
    # OpenPGP packets (rpmio/rpmpgp_internal.c pgpPrtParams), rpm -K with the key
    Case("accepts-signed", G, SIGNED, None),
    Case("signature-packet-length", G, SIGNED, "bad packet length",
         after=m.packet(lambda packet: _packet_length(packet, 1))),
    Case("signature-packet-trailing-data", G, SIGNED, "after the signature packet",
         after=m.packet(lambda packet: packet.extend(b"\0"))),
    Case("signature-packet-version", G, SIGNED, "unsupported signature version 5", after=_set(3, 5)),
    Case("signature-packet-algorithm", G, SIGNED, "public-key algorithm 99", after=_set(5, 99)),
    Case("signature-packet-type", G, SIGNED, "packet of type 6", after=_set(0, 0x99)),
    Case("signature-no-creation-time", G, SIGNED, "no hashed signature creation time",
         after=_retype_subpacket(0, 2, 101)),
    Case("signature-critical-subpacket", G, SIGNED, "critical subpacket 101",
         after=_retype_subpacket(1, 16, 0x80 | 101)),
    Case("signature-mpi", G, SIGNED, "MPI", after=m.packet(_short_mpi)),
    Case("signature-not-binary", G, SIGNED, "signature type 1, not binary", after=_set(4, 1)),
    Case("signature-hash-prefix", G, SIGNED, "RSA header signature: BAD (tag 268: hash prefix",
         after=m.packet(m.flip_prefix)),
    Case("accepts-signature-hash-rpm-lacks", G, SIGNED, None, after=_set(6, 99)),
    Case("accepts-signature-unhashed-subpacket", G, SIGNED, None, after=m.packet(_extra_unhashed)),
    Case("header-signature-bad-payload-signature-good", G, SIGNED, "RSA header signature: BAD",
         after=_with_pgp(damage_rsa=True)),
    Case("payload-signature-bad", G, SIGNED, "PGP signature: BAD", after=_with_pgp(damage_rsa=False)),
    # lib/cpio.c rpmcpioHeaderRead, through rpm2archive; the first member, before the spec
    Case("accepts-nospec", P, NOSPEC, None),
    Case("cpio-size-not-hex", P, NOSPEC, "not a hexadecimal number", change=m.cpio_field(54, b"0000008G")),
    Case("cpio-size-underscore", P, NOSPEC, "not a hexadecimal number", change=m.cpio_field(54, b"0000_08E")),
    Case("accepts-cpio-size-blank", P, NOSPEC, None, change=m.cpio_field(54, b" 000008E")),
    Case("accepts-cpio-size-0x", P, NOSPEC, None, change=m.cpio_field(54, b"0x00008E")),
    Case("accepts-cpio-size-plus", P, NOSPEC, None, change=m.cpio_field(54, b"+000008E")),
    Case("cpio-name-size-negative", P, NOSPEC, "cpio name size", change=m.cpio_field(94, b"-0000012")),
    Case("cpio-name-size-zero", P, NOSPEC, "cpio name size 0", change=m.cpio_field(94, b"00000000")),
    Case("cpio-name-size-limit", P, NOSPEC, "cpio name size 4097", change=m.cpio_field(94, b"00001001")),
    Case("cpio-magic", P, NOSPEC, "bad cpio header magic", change=m.cpio_field(0, b"070799")),
    Case("accepts-cpio-mtime-not-hex", P, NOSPEC, None, change=m.cpio_field(46, b"zzzzzzzz")),
]  # fmt: skip


@pytest.fixture(scope="module")
def rpm(tmp_path_factory: pytest.TempPathFactory) -> Rpm:
    if shutil.which("rpm2archive") is None:
        pytest.fail("rpm2archive (Debian package rpm2cpio) is the oracle of the cpio cases: install it")
    return Rpm.create(tmp_path_factory.mktemp("rpm-home"))


def rpm_refuses(rpm: Rpm, oracle: Oracle, path: Path) -> bool:
    return {
        S: rpm.structure_refuses, D: rpm.digest_refuses, G: rpm.signature_refuses, P: rpm.payload_refuses,
    }[oracle](path)  # fmt: skip


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CASES])
def test_the_auditor_refuses_what_rpm_refuses(
    case: Case, rpm: Rpm, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case.build(tmp_path)
    refused = rpm_refuses(rpm, case.oracle, path)
    code = main(["scan", str(path), "-q", "--fail-on", "none"])
    err = capsys.readouterr().err
    if case.says is None:
        assert not refused, f"{case.oracle.value} refuses {path.name}, a case made to be read"
    else:
        assert refused, f"{case.oracle.value} reads {path.name}: the case does not reach the check"
    if refused:
        lines = errors_of(err)
        assert code == 3 and len(lines) == 1, err
        assert lines[0].startswith(f"auditor: error: {path}: "), err
        assert case.says is not None and case.says in lines[0], err
    else:
        assert (code, errors_of(err)) == (0, []), err


def test_the_cases_cover_forty_checks() -> None:
    refusals = [case.id for case in CASES if case.says is not None]
    assert len(refusals) == len(set(refusals)) >= 40
    assert {case.oracle for case in CASES} == set(Oracle)


def test_the_cpio_cases_start_from_a_newc_archive() -> None:
    """The cpio mutations rewrite a field of the first member in place: its header is where they say."""
    archive = gzip.decompress(m.split_rpm((m.RPMS / NOSPEC).read_bytes()).payload)
    assert archive[:6] == b"070701" and struct.unpack(">8s", archive[54:62])[0] == b"0000008e"
