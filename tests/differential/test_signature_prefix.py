"""A header signature whose hash prefix is not the header's is BAD to rpm without any key, and
the auditor refuses it too: no key id is read off a package rpm and dnf refuse to install.

rpm's ``pgpVerifySignature`` compares the left 16 bits of the signed hash (the header, the
signature's hashed part and its trailer, RFC 4880 5.2.4) with the packet's before it looks a key
up. So ``rpm -qp`` with an empty database (its default checks) is the key-free oracle: it reads
a package whose signature it cannot verify (NOKEY, a warning) and refuses one whose prefix is
wrong (BAD). The prefixes written here are computed by the test with hashlib, apart from the
auditor's code; rpm says whether they are right.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.formats.rpmheader import read_headers
from tests.conftest import RPMS, errors_of
from tests.differential import mutations as m
from tests.differential.oracle import Rpm
from tests.hostile.make_corpus import Rpm as Parts
from tests.paths import TESTS

SIGNER = (RPMS / "SIGNING_KEY_ID").read_text().strip()
QUERY = "%{RSAHEADER:pgpsig}\\n%{DSAHEADER:pgpsig}\\n%{SIGPGP:pgpsig}\\n%{SIGGPG:pgpsig}\\n"
HEADER_SIGNATURES = {268: "RSA header signature", 267: "DSA header signature"}
# OpenPGP hash algorithm ids and hashlib's names for them (RFC 4880 9.4)
HASHES = {1: "md5", 2: "sha1", 8: "sha256", 9: "sha384", 10: "sha512", 11: "sha224"}


@pytest.fixture(scope="module")
def keyless(tmp_path_factory: pytest.TempPathFactory) -> Rpm:
    return Rpm.keyless(tmp_path_factory.mktemp("rpm-keyless"))


@pytest.fixture(scope="module")
def with_key(tmp_path_factory: pytest.TempPathFactory) -> Rpm:
    return Rpm.create(tmp_path_factory.mktemp("rpm-key"))


def _recompute(rpm: Parts, packet: bytearray) -> None:
    """Write the prefix the signature's hash of the header really has."""
    body, at = m.packet_body(packet), m.prefix_at(packet)
    if packet[body] == 3:
        hashed, trailer, algorithm = packet[body + 2 : body + 7], b"", packet[body + 16]
    else:
        hashed = packet[body : body + 6 + int.from_bytes(packet[body + 4 : body + 6], "big")]
        trailer, algorithm = b"\x04\xff" + len(hashed).to_bytes(4, "big"), packet[body + 3]
    digest = hashlib.new(HASHES[algorithm], rpm.main.to_bytes() + hashed + trailer).digest()
    packet[at : at + 2] = digest[:2]


def _version3(packet: bytearray) -> bytearray:
    """The v4 packet made a v3 one (RFC 4880 5.2.2): same type, creation time, key, algorithms
    and signature material; the prefix is written afterwards."""
    body = m.packet_body(packet)
    _, kind, public_key, hash_ = packet[body : body + 4]
    hashed = body + 6 + int.from_bytes(packet[body + 4 : body + 6], "big")
    created = packet.index(b"\x05\x02", body + 6, hashed) + 2  # the creation time subpacket
    material = m.prefix_at(packet) + 2
    v3 = (bytes((3, 5, kind)) + packet[created : created + 4] + bytes.fromhex(SIGNER)
          + bytes((public_key, hash_)) + b"\0\0" + packet[material:])  # fmt: skip
    return bytearray(b"\x89" + len(v3).to_bytes(2, "big") + v3)


def _variant(edit: Callable[[bytearray], bytearray | None], flip: bool) -> Callable[[Parts], None]:
    def change(rpm: Parts) -> None:
        packet = bytearray(m.rsa_packet(rpm))
        packet = edit(packet) or packet
        _recompute(rpm, packet)
        if flip:
            m.flip_prefix(packet)
        rpm.signature.set_value(m.SIG_RSA, bytes(packet), len(packet))

    return change


def _algorithm(number: int) -> Callable[[bytearray], None]:
    return lambda packet: packet.__setitem__(m.packet_body(packet) + 3, number)


def _build(change: Callable[[Parts], None], source: Path, path: Path) -> Path:
    rpm = m.split_rpm(source.read_bytes())
    change(rpm)
    path.write_bytes(rpm.to_bytes(fix_size=False, fix_digests=False))
    return path


def _rpm_signers(rpm: Rpm, path: Path) -> tuple[str, ...]:
    query = rpm.run("-qp", "--qf", QUERY, str(path))
    assert query.returncode == 0, query.stderr
    return tuple(dict.fromkeys(key.lower() for key in re.findall(r"Key ID ([0-9a-f]{16})", query.stdout)))


def _signers(path: Path) -> tuple[str, ...]:
    """The auditor's: the headers read, as every reader of a package file reads them first."""
    with path.open("rb") as stream:
        return read_headers(stream, str(path)).signing_keys


def _refused(path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", str(path), "-q", "--fail-on", "none"])
    lines = errors_of(capsys.readouterr().err)
    assert code == 3 and len(lines) == 1, lines
    assert lines[0].startswith(f"auditor: error: {path}: ") and f"{name}: BAD" in lines[0], lines


def test_every_rpm_rpm_reads_keeps_its_signers_and_is_refused_with_a_wrong_prefix(
    keyless: Rpm, with_key: Rpm, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every RPM under tests/: read as before when rpm reads it, with the key ids rpm names;
    each header signature's prefix flipped, refused, as rpm refuses it without the key and
    with it (``rpm -K``)."""
    flipped = 0
    for path in sorted(TESTS.rglob("*.rpm")):
        if keyless.query_refuses(path):
            continue
        signers = _rpm_signers(keyless, path)
        assert _signers(path) == signers, path
        parts = m.split_rpm(path.read_bytes())
        for tag, name in HEADER_SIGNATURES.items():
            if tag not in {entry[0] for entry in parts.signature.entries}:
                continue
            bad = _build(m.packet(m.flip_prefix, tag), path, tmp_path / f"{flipped}-{path.name}")
            assert keyless.query_refuses(bad) and with_key.signature_refuses(bad), bad
            _refused(bad, name, capsys)
            flipped += 1
    assert flipped >= 1, "no RPM under tests/ has a header signature"


def _later_creation_time(packet: bytearray) -> None:
    """One second later: a change to the hashed area, which the hash covers."""
    body = m.packet_body(packet)
    hashed = body + 6 + int.from_bytes(packet[body + 4 : body + 6], "big")
    last = packet.index(b"\x05\x02", body + 6, hashed) + 5
    packet[last] ^= 1


def _version3_sha1(packet: bytearray) -> bytearray:
    v3 = _version3(packet)
    v3[m.packet_body(v3) + 16] = 2
    return v3


VARIANTS: dict[str, Callable[[bytearray], bytearray | None]] = {
    **{f"v4-{name}": _algorithm(number) for number, name in HASHES.items()},
    "v4-creation-time": _later_creation_time,
    "v3-sha256": _version3,
    "v3-sha1": _version3_sha1,
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_prefix_is_the_one_rpm_computes(
    variant: str, keyless: Rpm, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fixture's signature, changed and given the prefix its hash really has: rpm reads it
    (NOKEY), so does the auditor, with its signer; the same with the prefix flipped, both refuse."""
    source = RPMS / m.SIGNED
    good = _build(_variant(VARIANTS[variant], flip=False), source, tmp_path / "good.rpm")
    bad = _build(_variant(VARIANTS[variant], flip=True), source, tmp_path / "bad.rpm")
    assert not keyless.query_refuses(good), keyless.run("-qp", str(good)).stderr
    assert _rpm_signers(keyless, good) == _signers(good) == (SIGNER,)
    assert keyless.query_refuses(bad)
    _refused(bad, "RSA header signature", capsys)
