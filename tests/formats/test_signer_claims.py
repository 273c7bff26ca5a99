"""What a signature says of its signer, held to what rpm shows of it (``rpm -qp`` with the
``pgpsig`` format, ``rpm -Kv`` with the keys imported), and what a signing-key rule makes of it.

The packages are signed by rpmsign with the throw-away keys of `tests.formats.test_signers`;
a packet is then rewritten here where gpg offers no option to write it so (no issuer at all),
its hash prefix made true again, as a forger who strips the issuer would.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.formats import openpgp
from auditor.sources.rpmpackage import read_rpm_file
from tests.conftest import RPMS
from tests.differential import mutations as m
from tests.formats.test_signers import CLEAN, OPENPGP, Keys, entry_of, keys, policy, scan, signed, write
from tests.hostile.make_corpus import Rpm

__all__ = ["keys"]  # the module-scoped fixture, shared with the signers' tests

_ISSUER_SUBPACKETS = frozenset({16, 33})


def _subpackets(area: bytes) -> list[bytes]:
    """The subpackets of an area gpg wrote (one-octet lengths)."""
    found, position = [], 0
    while position < len(area):
        assert area[position] < 192, "gpg writes short subpackets"
        found.append(area[position : position + 1 + area[position]])
        position += 1 + area[position]
    return found


def without_issuer(rpm: Rpm, tag: int = m.SIG_RSA, hashed_issuer: bytes = b"") -> None:
    """The v4 header signature of ``tag`` with neither an issuer key id nor an issuer
    fingerprint, in either area (but ``hashed_issuer``, subpackets added to the hashed area);
    the hash prefix is the header's again (rpm checks it without a key), the signature itself
    no longer verifies."""
    entry = rpm.signature.entry(tag)
    packet = bytes(rpm.signature.store[entry[2] : entry[2] + entry[3]])
    body = packet[m.packet_body(packet) :]
    assert body[0] == 4
    hashed_length = int.from_bytes(body[4:6], "big")
    hashed = body[6 : 6 + hashed_length]
    unhashed_length = int.from_bytes(body[6 + hashed_length : 8 + hashed_length], "big")
    unhashed = body[8 + hashed_length : 8 + hashed_length + unhashed_length]
    material = body[8 + hashed_length + unhashed_length + 2 :]
    keep = [
        b"".join(sub for sub in _subpackets(area) if sub[1] & 0x7F not in _ISSUER_SUBPACKETS)
        for area in (hashed, unhashed)
    ]
    keep[0] += hashed_issuer
    head = body[:4] + len(keep[0]).to_bytes(2, "big") + keep[0]
    trailer = bytes((4, 0xFF)) + len(head).to_bytes(4, "big")
    prefix = hashlib.sha256(rpm.main.to_bytes() + head + trailer).digest()[:2]
    new_body = head + len(keep[1]).to_bytes(2, "big") + keep[1] + prefix + material
    new_packet = bytes((0x89,)) + len(new_body).to_bytes(2, "big") + new_body
    rpm.signature.set_value(tag, new_packet, len(new_packet))


def test_a_signature_that_names_no_signer_is_one_no_trusted_key_made(
    keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm shows such a signature's signer as key id 0000000000000000 and looks that key up
    (NOKEY whatever keys are imported): no trusted key can vouch for the package. The auditor
    read it as unsigned, so a trust rule passed a package rpm shows as signed by no key it has."""
    rpm = signed(keys, "vendor", tmp_path)
    without_issuer(rpm)
    path = write(rpm, tmp_path / "no-issuer.rpm")
    query = keys.rpm("-qp", "--qf", "%{RSAHEADER:pgpsig}", str(path))
    assert query.returncode == 0, query.stderr
    assert "Key ID 0000000000000000" in query.stdout, query.stdout
    checked = keys.rpm("-Kv", str(path))
    assert re.search(r"Header V4 RSA/SHA256 Signature, key ID 00000000: NOKEY", checked.stdout), (
        checked.stdout
    )
    assert read_rpm_file(str(path)).signing_keys == (openpgp.UNNAMED_SIGNER,)
    code, shown = scan(path, policy(tmp_path, "trust", "vendor", "clean", keys=keys), capsys)
    assert code == 1 and shown["status"] == "origin", shown
    assert shown["signing_keys"] == ["0000000000000000"], shown


def test_a_bad_signature_s_error_names_the_key_it_claims(
    keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A header changed after it was signed: rpm -K names the key of the BAD signature, and so
    must the one line the package is refused with, or a vendor's signature on a tampered
    package is reported as no one's."""
    rpm = signed(keys, "vendor", tmp_path)
    m.packet(m.flip_prefix)(rpm)
    path = write(rpm, tmp_path / "tampered.rpm")
    checked = keys.rpm("-Kv", str(path))
    vendor = keys.ids["vendor"]
    assert checked.returncode == 1 and f"key ID {vendor[8:]}: BAD" in checked.stdout, checked.stdout
    assert main(["scan", str(path), "-q", "--no-cache", "--fail-on", "none"]) == 3
    [line] = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert "RSA header signature: BAD (tag 268: hash prefix" in line and vendor in line, line


def test_every_spelling_of_a_key_the_policy_accepts_matches_its_signer(
    keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key id, or a v4 fingerprint as gpg prints it, in either case and with gpg's spaces,
    names the same signer; a spelling that names no 16-digit id (a short id, a ``0x`` prefix)
    is refused with exit 2 naming it, never a key that silently matches nothing."""
    listing = keys.run("gpg", "--batch", "--with-colons", "--fingerprint", "vendor@example.org").stdout
    fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))
    printed = keys.run("gpg", "--batch", "--fingerprint", "vendor@example.org").stdout
    spaced = next(line.strip() for line in printed.splitlines() if line.replace(" ", "") == fingerprint)
    path = write(signed(keys, "vendor", tmp_path), tmp_path / "vendor.rpm")
    vendor = keys.ids["vendor"]
    rule = 'schema = 1\n[[rule]]\nid = "vendor-key"\nkind = "signing-key"\nseverity = "high"\n'
    for spelling in (vendor, vendor.upper(), fingerprint, fingerprint.lower(), spaced, f" {vendor} "):
        listed = tmp_path / "listed.toml"
        listed.write_text(f'{rule}keys = ["{spelling}"]\nmessage = "m"\nreference = "r"\n')
        code, shown = scan(path, str(listed), capsys)
        assert code == 1 and shown["status"] == "origin", (spelling, shown)
    for spelling in (vendor[8:], f"0x{vendor}", fingerprint[:-1]):
        listed = tmp_path / "refused.toml"
        listed.write_text(f'{rule}keys = ["{spelling}"]\nmessage = "m"\nreference = "r"\n')
        assert main(["scan", str(path), "-q", "--no-cache", "--policy", str(listed)]) == 2
        [line] = capsys.readouterr().err.splitlines()
        assert f"rule[0].keys[0]: '{spelling}' is not a 16-digit key id or a fingerprint" in line, line


def test_a_signature_that_names_no_signer_is_a_gap_a_deny_rule_cannot_judge(
    keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whose key made a signature that names none is unseen: a deny rule cannot tell it is not a
    vendor's. The audit says so (a gap on the package, in every format) and --strict fails it;
    the package with its source package is complete otherwise."""
    rpm = signed(keys, "vendor", tmp_path)
    without_issuer(rpm)
    path = write(rpm, tmp_path / "no-issuer.rpm")
    source = RPMS / "conflicts-obsoletes-2.0-1.src.rpm"
    deny = policy(tmp_path, "deny", "vendor", keys=keys)
    control = write(signed(keys, "clean", tmp_path), tmp_path / "clean.rpm")
    assert main(["scan", str(control), str(source), "-q", "--no-cache", "--strict", "--policy", deny]) == 0
    capsys.readouterr()
    arguments = ["scan", str(path), str(source), "-q", "--no-cache", "--policy", deny, "--format", "json"]
    assert main(arguments) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["completeness"]["reasons"] == [{"reason": "signer-unnamed", "count": 1}], document
    [package] = [shown for shown in document["packages"] if shown["arch"] != "src"]
    assert [gap["kind"] for gap in package["gaps"]] == ["signer-unnamed"], package
    assert main([*arguments, "--strict"]) == 3


@pytest.mark.parametrize(
    "fingerprint",
    [bytes((4,)) + bytes(range(1, 11)), bytes((6,)) + bytes(range(1, 21)), bytes((9,)) + bytes(range(1, 33))],
    ids=["v4-of-10-bytes", "v6-of-20-bytes", "unknown-version"],
)
def test_an_issuer_fingerprint_no_key_can_have_names_no_signer(
    keys: Keys, fingerprint: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A v4 fingerprint is 20 bytes, a v6 one 32: an issuer fingerprint of another size, or of
    a key version with no fingerprint, names no key that could be looked up. rpm shows the
    signer as key 0000000000000000; the auditor took eight of its bytes for a key id, a signer
    no rule would ever list, where the audit must say the signer is unseen."""
    rpm = signed(keys, "vendor", tmp_path)
    without_issuer(rpm, hashed_issuer=bytes((len(fingerprint) + 1, 33)) + fingerprint)
    path = write(rpm, tmp_path / "odd-fingerprint.rpm")
    query = keys.rpm("-qp", "--qf", "%{RSAHEADER:pgpsig}", str(path))
    assert query.returncode == 0 and "Key ID 0000000000000000" in query.stdout, query.stdout + query.stderr
    assert read_rpm_file(str(path)).signing_keys == (openpgp.UNNAMED_SIGNER,)


@pytest.mark.parametrize("damage", ["algorithm", "version"])
def test_an_unreadable_signature_of_the_openpgp_array_is_a_signer_unseen(
    keys: Keys, damage: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm 6 takes the OPENPGP array as alternatives: a good item excuses one it cannot read (a
    public-key algorithm or a packet version it does not know). That item is a signature whose
    signer is unseen, a vendor's as likely as anyone's: the package was judged by the good
    item's signer alone, with no word of the other."""
    rpm = signed(keys, "clean", tmp_path)
    unreadable = bytearray(entry_of(signed(keys, "vendor", tmp_path), m.SIG_RSA)[1])
    body = m.packet_body(unreadable)
    if damage == "algorithm":
        unreadable[body + 2] = 100  # a private or experimental public-key algorithm
    else:
        unreadable[body] = 5  # a version 5 signature (LibrePGP), which rpm reads nowhere
    packets = [bytes(unreadable), entry_of(rpm, m.SIG_RSA)[1]]
    armored = b"".join(base64.b64encode(packet) + b"\0" for packet in packets)
    rpm.signature.add_entry(OPENPGP, m.STRING_ARRAY, armored, 2)
    path = write(rpm, tmp_path / "openpgp-unreadable.rpm")
    assert read_rpm_file(str(path)).signing_keys == (keys.ids["clean"], openpgp.UNNAMED_SIGNER)
    deny = policy(tmp_path, "deny", "vendor", keys=keys)
    assert main(["scan", str(path), "-q", "--no-cache", "--policy", deny, "--format", "json"]) in (0, 1)
    document = json.loads(capsys.readouterr().out)
    assert {"reason": "signer-unnamed", "count": 1} in document["completeness"]["reasons"], document


def test_a_key_file_names_every_subkey_rpm_verifies_a_signature_with(
    keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A certification-only primary key with an RSA and an Ed25519 signing subkey: a package
    signed by either subkey verifies OK under ``rpm -Kv`` with the exported file imported, and
    a deny rule naming that file flags it, whichever subkey signed."""
    made = keys.run("gpg", "--batch", "--passphrase", "", "--quick-gen-key", "multi <multi@example.org>",
                    "ed25519", "cert", "never")  # fmt: skip
    assert made.returncode == 0, made.stderr
    listing = keys.run("gpg", "--batch", "--with-colons", "--list-keys", "multi@example.org").stdout
    fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))
    for algorithm in ("rsa2048", "ed25519"):
        added = keys.run(
            "gpg", "--batch", "--passphrase", "", "--quick-add-key", fingerprint, algorithm, "sign"
        )
        assert added.returncode == 0, added.stderr
    listing = keys.run("gpg", "--batch", "--with-colons", "--list-keys", "multi@example.org").stdout
    subkeys = [line.split(":")[4].lower() for line in listing.splitlines() if line.startswith("sub:")]
    assert len(subkeys) == 2
    key_file = tmp_path / "RPM-GPG-KEY-multi"
    key_file.write_text(keys.run("gpg", "--batch", "--armor", "--export", "multi@example.org").stdout)
    assert keys.rpm("--import", str(key_file)).returncode == 0
    by_file = tmp_path / "by-file.toml"
    by_file.write_text('schema = 1\n[[rule]]\nid = "vendor-key"\nkind = "signing-key"\nseverity = "high"\n'
                       f'key-files = ["{key_file.name}"]\nmessage = "m"\nreference = "r"\n')  # fmt: skip
    for subkey in subkeys:
        path = tmp_path / f"by-{subkey}.rpm"
        shutil.copyfile(RPMS / CLEAN, path)
        signed_by = keys.run(
            "rpmsign", "--addsign", "--define", f"_gpg_name {subkey}!", "--define", f"_gpg_path {keys.home / 'gnupg'}",
            "--define", f"__gpg {shutil.which('gpg')}", "--define", "_gpg_digest_algo sha256", str(path),
        )  # fmt: skip
        assert signed_by.returncode == 0, signed_by.stderr
        checked = keys.rpm("-Kv", str(path))
        assert checked.returncode == 0 and f"key ID {subkey[8:]}: OK" in checked.stdout, checked.stdout
        code, shown = scan(path, str(by_file), capsys)
        assert code == 1 and shown["signing_keys"] == [subkey], shown
