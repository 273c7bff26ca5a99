"""The header reader's own rules beside rpm's: which signing key, a tag twice, a cut payload.

What rpm itself refuses is tested against rpm in tests/differential/; these are the choices
the auditor makes where rpm leaves one (which key to report), where it is stricter (a tag
twice), and what it does with a file it reads but reports (a payload cut short).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.core.errors import InputError
from auditor.formats import openpgp
from auditor.formats.rpmcheck import RpmCheckError
from auditor.rpm.model import Package
from auditor.runtime.identity import file_identity
from auditor.runtime.store import Store
from auditor.sources.load import load_inputs
from auditor.sources.rpmbatch import file_key, read_rpm_files
from auditor.sources.rpmpackage import read_rpm, read_rpm_file
from tests.conftest import RPMS
from tests.differential import mutations as m
from tests.differential.oracle import Rpm
from tests.hostile.make_corpus import Rpm as Parts
from tests.hostile.make_corpus import split_rpm
from tests.paths import ROOT

KEY_ID = (RPMS / "SIGNING_KEY_ID").read_text().strip()


def build(tmp_path: Path, fixture: str, after: m.Change, name: str = "x.rpm") -> Path:
    return m.Case(name.removesuffix(".rpm"), m.Oracle.STRUCTURE, fixture, None, after=after).build(tmp_path)


def other_issuer(packet: bytes) -> bytes:
    """The same packet naming another key: its issuer fingerprint's key id and its issuer key id."""
    return packet.replace(bytes.fromhex(KEY_ID), bytes(8))


def test_the_key_shown_is_the_header_signatures_and_every_signer_is_kept(tmp_path: Path) -> None:
    def with_payload_signature(rpm: Parts) -> None:
        packet = other_issuer(m.rsa_packet(rpm))
        rpm.signature.add_entry(m.SIG_PGP, m.BIN, packet, len(packet))

    path = build(tmp_path, m.SIGNED, with_payload_signature)
    package = read_rpm_file(str(path))
    assert (package.signing_key, package.signing_keys) == (KEY_ID, (KEY_ID, "0" * 16))
    # Without a header signature, rpm checks the one over header and payload: its key is the one.
    path = build(tmp_path, m.SIGNED, m.both(with_payload_signature, m.rename("signature", m.SIG_RSA, 1012)))
    package = read_rpm_file(str(path))
    assert (package.signing_key, package.signing_keys) == ("0" * 16, ("0" * 16,))


def test_a_signature_rpm_cannot_check_still_names_its_signer(tmp_path: Path) -> None:
    # Hash algorithm 99: rpm takes the signature as absent (rpmvsFiniRange), not as bad; the
    # key it names still signed the package, evidence a deny rule must see.
    path = build(tmp_path, m.SIGNED, m.packet(lambda packet: packet.__setitem__(6, 99)))
    key = (RPMS / "SIGNING_KEY_ID").read_text().strip().lower()
    assert read_rpm_file(str(path)).signing_keys == (key,)


def test_a_tag_twice_is_refused_though_rpm_reads_it(tmp_path: Path) -> None:
    def second_name(rpm: Parts) -> None:
        rpm.main.add_entry(m.NAME, m.STRING, b"forged\0", 1)

    path = m.Case("twice", m.Oracle.STRUCTURE, m.BINARY, None, change=second_name).build(tmp_path)
    with pytest.raises(InputError, match="tag 1000 appears twice") as refused:
        read_rpm_file(str(path))
    assert not isinstance(refused.value, RpmCheckError), "an auditor's rule, not one of rpm's checks"
    assert not Rpm.create(tmp_path / "home").structure_refuses(path)


def cut(tmp_path: Path, fixture: str = m.BINARY) -> Path:
    data = (RPMS / fixture).read_bytes()
    path = tmp_path / fixture
    path.write_bytes(data[:-100])
    return path


def test_a_cut_payload_gives_the_package_and_the_error(tmp_path: Path) -> None:
    path = cut(tmp_path)
    package, error = read_rpm(str(path))
    assert package.name == "three-requires" and error is not None and "truncated RPM" in error.reason
    read = read_rpm_files([str(path)])
    assert [type(item) for item in read] == [Package, InputError]
    loaded = load_inputs([str(path)])
    assert [p.name for p in loaded.packages] == ["three-requires"] and len(loaded.errors) == 1


def test_a_cut_payload_is_not_stored_as_read(tmp_path: Path) -> None:
    path, whole = cut(tmp_path), RPMS / m.SOURCE
    store = Store(str(tmp_path / "store"))
    assert store.enabled
    for _ in range(2):  # the second run must not take the package from the store without its error
        assert [type(item) for item in read_rpm_files([str(path), str(whole)], store)] == [
            Package,
            InputError,
            Package,
        ]
    keys = {str(name): file_key(file_identity(str(name)), str(name)) for name in (path, whole)}
    assert list(store.get_packages(list(keys.values()))) == [keys[str(whole)]]


def test_a_source_rpm_cut_inside_its_spec_is_read_from_its_header(tmp_path: Path) -> None:
    path = cut(tmp_path, m.NOSPEC)
    package, error = read_rpm(str(path))
    assert package.name == "nospec" and package.spec is None and error is not None


def test_a_cut_payload_is_an_input_error_and_its_package_is_audited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = cut(tmp_path)
    code = main(["scan", str(path), "-q", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 3 and captured.err.startswith(f"auditor: error: {path}: truncated RPM"), captured.err
    assert "its package is read from the header alone" in captured.err
    assert "three-requires-1.0-1.noarch" in captured.out


# -- OpenPGP packets, as rpm's pgpPrtParams reads them --------------------------------------


def packet(body: bytes) -> bytes:
    """A new-format signature packet (tag 2) around ``body``."""
    return (
        bytes([0xC2, len(body)]) + body
        if len(body) < 192
        else bytes([0xC2, 0xFF]) + len(body).to_bytes(4, "big") + body
    )


def v4_body(hashed: bytes, unhashed: bytes, material: bytes, algorithm: int = 1) -> bytes:
    return (bytes([4, 0, algorithm, 8]) + len(hashed).to_bytes(2, "big") + hashed + len(unhashed).to_bytes(2, "big")
            + unhashed + b"\xab\xcd" + material)  # fmt: skip


CREATED = b"\x05\x02" + bytes(4)
ISSUER = b"\x09\x10" + bytes.fromhex("0123456789abcdef")
MPI = b"\x00\x09\x01\x00"  # a 9-bit MPI: two octets


def test_a_version_4_packet_names_its_issuer() -> None:
    signature = openpgp.parse_signature(packet(v4_body(CREATED, ISSUER, MPI)))
    assert (signature.version, signature.key_id, signature.hash_algorithm) == (4, "0123456789abcdef", 8)
    armored = base64.b64encode(packet(v4_body(CREATED, ISSUER, MPI))).decode()
    assert openpgp.parse_armored(armored[:10] + "\n" + armored[10:]).key_id == "0123456789abcdef"


def test_a_signed_issuer_comes_before_an_unsigned_one_and_both_are_kept() -> None:
    fingerprint = b"\x16\x21\x04" + bytes(12) + bytes.fromhex("fedcba9876543210")  # a v4 key's, hashed
    signature = openpgp.parse_signature(packet(v4_body(CREATED + fingerprint, ISSUER, MPI)))
    assert signature.key_ids == ("fedcba9876543210", "0123456789abcdef")
    assert signature.key_id == "fedcba9876543210"
    # The same key named twice is one signer.
    same = b"\x16\x21\x04" + bytes(12) + bytes.fromhex("0123456789abcdef")
    assert openpgp.parse_signature(packet(v4_body(CREATED + fingerprint, same + ISSUER, MPI))).key_ids == (
        "fedcba9876543210",
        "0123456789abcdef",
    )
    # A signed issuer key id comes before an unsigned fingerprint.
    assert openpgp.parse_signature(packet(v4_body(CREATED + ISSUER, fingerprint, MPI))).key_ids == (
        "0123456789abcdef",
        "fedcba9876543210",
    )


def v6_body(algorithm: int, material: bytes) -> bytes:
    fingerprint = b"\x22\x21\x06" + bytes(range(32))  # issuer fingerprint subpacket, v6 key
    hashed = b"\x05\x02" + bytes(4) + fingerprint
    body = bytes([6, 0, algorithm, 10]) + len(hashed).to_bytes(4, "big") + hashed + (0).to_bytes(4, "big")
    return body + b"\xab\xcd" + b"\x10" + bytes(16) + material  # hash prefix, 16-octet salt, signature


def test_a_version_6_packet_is_read_as_rpm_6_reads_it() -> None:
    assert openpgp.parse_signature(packet(v6_body(27, bytes(64)))).key_id == bytes(range(8)).hex()  # Ed25519


@pytest.mark.parametrize(
    ("algorithm", "size"),
    [(30, 64 + 3309), (31, 114 + 4627)],
    ids=["ML-DSA-65+Ed25519", "ML-DSA-87+Ed448"],
)
def test_post_quantum_composite_signatures_are_read_as_rpm_6_reads_them(algorithm: int, size: int) -> None:
    """rpm 6 reads the ML-DSA composites of the OpenPGP PQC draft (rpm-rs and rpm 6.1's own
    test packages are signed with them): the EdDSA signature, then ML-DSA's, of fixed sizes."""
    assert openpgp.parse_signature(packet(v6_body(algorithm, bytes(size)))).key_id == bytes(range(8)).hex()
    with pytest.raises(ValueError, match=f"for algorithm {algorithm}"):
        openpgp.parse_signature(packet(v6_body(algorithm, bytes(size - 1))))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (packet(v4_body(b"", ISSUER, MPI)), "creation time"),
        (packet(v4_body(CREATED, ISSUER, MPI + b"\0")), "MPI"),
        (packet(v4_body(CREATED, ISSUER, MPI, algorithm=99)), "algorithm 99"),
        (packet(v4_body(CREATED, b"\x03\xe5\0\0", MPI)), "critical subpacket 101"),
        (packet(v4_body(CREATED + CREATED, ISSUER, MPI)), "two signature creation times"),
        (bytes([0xC2, 0xE0]) + bytes(40), "bad packet length"),  # a partial body length
        (bytes([0x8B]) + bytes(40), "bad packet length"),  # old format, indeterminate length
        (packet(v4_body(CREATED, ISSUER, MPI)) + b"\0", "after the signature packet"),
        (packet(bytes([5]) + bytes(30)), "version 5"),
        (b"\x98\x01\x04", "packet of type 6"),  # old format, a public key
        (packet(v4_body(CREATED, ISSUER, MPI)) * 3000, "more than rpm reads"),
    ],
    ids=["no-creation-time", "mpi-trailing", "algorithm", "critical", "two-times", "partial", "indeterminate",
         "trailing", "version-5", "public-key", "too-long"],
)  # fmt: skip
def test_packets_rpm_cannot_read_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        openpgp.parse_signature(data)


def test_the_new_limits_are_documented() -> None:
    from auditor.formats import hdrblob, rpmheader

    readme = (ROOT / "README.md").read_text()
    for name, value, documented in [
        ("rpmheader.MAX_SIGNATURE_ENTRIES", rpmheader.MAX_SIGNATURE_ENTRIES, 32),
        ("hdrblob.HEADER_ARRAY_MAX", hdrblob.HEADER_ARRAY_MAX, 0xFFFFF),
        ("openpgp.MAX_PACKET", openpgp.MAX_PACKET, 65535),
    ]:
        assert value == documented and f"`{name}`" in readme, name


def test_the_digest_is_of_the_main_header_as_read() -> None:
    """The SHA-256 in a real fixture is the one of its main header's bytes (what hdrblobRead reads)."""
    rpm = split_rpm((RPMS / m.SOURCE).read_bytes())
    digest = rpm.signature.store[rpm.signature.entry(m.SIG_SHA256)[2] :][:64].decode()
    assert digest == hashlib.sha256(rpm.main.to_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("type_", "count", "data"),
    [
        (6, 1, b"plain\0"),  # STRING
        (6, 1, b"caf\xe9\0"),  # Latin-1, as old packages carry
        (6, 1, b"\0"),  # empty
        (6, 1, b"no nul"),  # no end inside the entry
        (6, 2, b"a\0b\0"),  # a STRING counting two
        (9, 1, b"summary\0"),  # I18NSTRING, one locale
        (9, 3, b"C\0de\0fr\0"),  # three locales: the first is the text
        (9, 3, b"C\0de\0"),  # counts three, holds two
        (9, 2, b"caf\xc3\xa9\0\xff\0"),  # the first UTF-8, another not
        (8, 2, b"x\0y\0"),  # STRING_ARRAY: its first item
        (4, 1, b"\0\0\0\1"),  # an integer
    ],
)
def test_one_string_is_the_first_of_strings(type_: int, count: int, data: bytes) -> None:
    """`Header.string` reads a STRING or I18NSTRING without splitting it: it gives exactly
    what ``strings(tag)[0]`` gives, and refuses exactly what it refuses."""
    from auditor.formats.header import Header

    store = b"pad\0" + data + b"after\0"
    header = Header({1000: (type_, 4, count, 4 + len(data))}, store, len(store), "x.rpm")

    def outcome(read: Callable[[], str | None]) -> tuple[str, str | None]:
        try:
            return ("value", read())
        except InputError as exc:
            return ("error", exc.reason)

    def first() -> str | None:
        values = header.strings(1000)
        return values[0] if values else None

    assert outcome(lambda: header.string(1000)) == outcome(first)
    assert header.string(1001) is None


@pytest.mark.parametrize(
    ("type_", "count", "data"),
    [
        (8, 3, b"a\0bc\0d\0"),  # STRING_ARRAY as rpmbuild writes it
        (8, 3, b"\0\0\0"),  # empty versions
        (8, 1, b"caf\xc3\xa9\0"),  # UTF-8
        (8, 2, b"caf\xe9\0x\0"),  # Latin-1: not UTF-8
        (8, 3, b"a\0b\0"),  # counts three, holds two
        (8, 2, b"a\0b\0c\0"),  # more than it counts
        (8, 2, b"a\0b"),  # the last one without its end
        (6, 1, b"plain\0"),  # STRING
        (9, 2, b"C\0de\0"),  # I18NSTRING
        (4, 1, b"\0\0\0\1"),  # an integer
    ],
)
def test_joined_strings_are_strings_joined(type_: int, count: int, data: bytes) -> None:
    """`Header.joined_strings` gives ``"\\0".join(strings(tag))`` and how many, or None (the
    caller then asks `strings`): never another value."""
    from auditor.formats.header import Header

    store = b"pad\0" + data + b"after\0"
    header = Header({1000: (type_, 4, count, 4 + len(data))}, store, len(store), "x.rpm")
    joined = header.joined_strings(1000)
    if joined is not None:
        values = header.strings(1000)
        assert joined == ("\0".join(values), len(values))
    well_formed = (type_, count, data) in {(8, 3, b"a\0bc\0d\0"), (8, 3, b"\0\0\0"), (8, 1, b"caf\xc3\xa9\0")}
    assert (joined is not None) == well_formed
    assert header.joined_strings(1001) is None
