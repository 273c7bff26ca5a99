"""Every signer of a package is evidence, not only the first signature rpm checks.

The packages are signed here, with throw-away keys gpg makes and rpmsign (rpm 4.18) itself:
rpmsign keeps one signer (re-signing replaces the signatures), so a package with two is the
signature header of one with the other's signature tags added, as rpm 4.11 re-signing a
DSA-signed package left it. rpm is the oracle of what each file carries: ``rpm -Kv`` checks
every signature with the keys imported, ``rpm -qp`` names each tag's key.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.rpm.model import Package
from auditor.runtime.identity import file_identity
from auditor.runtime.store import Store
from auditor.sources.rpmbatch import file_key, read_rpm_files
from auditor.sources.rpmpackage import read_rpm_file
from tests.conftest import RPMS
from tests.differential import mutations as m
from tests.hostile.make_corpus import Rpm, split_rpm

# A clean key, a vendor's RSA key and a vendor's DSA key (rpmsign writes tags 267 and 1005 for it).
KEYS = {"clean": "rsa2048", "vendor": "rsa2048", "vendor-dsa": "dsa2048"}
DSA_HEADER, GPG = 267, 1005
OPENPGP = 278
"""rpm 6's signature tag: an array of base64 packets, one a signer."""
CLEAN = "conflicts-obsoletes-2.0-1.noarch.rpm"
"""A fixture the default scan passes: a verdict other than clean is the signers'."""
QUERY = "%{RSAHEADER:pgpsig}\\n%{DSAHEADER:pgpsig}\\n%{SIGPGP:pgpsig}\\n%{SIGGPG:pgpsig}\\n"


@dataclass(frozen=True)
class Keys:
    home: Path
    ids: dict[str, str]
    """16 lower-case hex digits, by name."""

    def env(self) -> dict[str, str]:
        return {"HOME": str(self.home), "GNUPGHOME": str(self.home / "gnupg"), "PATH": os.environ["PATH"],
                "LC_ALL": "C"}  # fmt: skip

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, capture_output=True, text=True, env=self.env(), timeout=120, check=False
        )

    def sign(self, name: str, path: Path, *extra: str) -> Path:
        signed = self.run(
            "rpmsign", "--addsign", "--define", f"_gpg_name {name}@example.org",
            "--define", f"_gpg_path {self.home / 'gnupg'}", "--define", f"__gpg {shutil.which('gpg')}",
            "--define", "_gpg_digest_algo sha256", *extra, str(path),
        )  # fmt: skip
        assert signed.returncode == 0, signed.stderr
        return path

    def rpm(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("rpm", "--dbpath", str(self.home / "db"), *args)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keys]:
    missing = [tool for tool in ("gpg", "gpgconf", "rpmsign") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"signed packages are made with {', '.join(missing)}: install gnupg and rpm")
    home = tmp_path_factory.mktemp("signers")
    (home / "gnupg").mkdir(mode=0o700)
    found = Keys(home, {})
    try:
        for name, algorithm in KEYS.items():
            made = found.run("gpg", "--batch", "--passphrase", "", "--quick-gen-key", f"{name} <{name}@example.org>",
                             algorithm, "sign", "never")  # fmt: skip
            assert made.returncode == 0, made.stderr
            listing = found.run(
                "gpg", "--batch", "--with-colons", "--list-keys", f"{name}@example.org"
            ).stdout
            found.ids[name] = next(
                line.split(":")[4].lower() for line in listing.splitlines() if line.startswith("pub:")
            )
        (home / "keys.asc").write_text(found.run("gpg", "--batch", "--armor", "--export").stdout)
        imported = found.rpm("--import", str(home / "keys.asc"))
        assert imported.returncode == 0, imported.stderr
        yield found
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=found.env(), check=False)


def signed(keys: Keys, name: str, directory: Path, *extra: str) -> Rpm:
    path = directory / f"{name}{''.join(extra)}.rpm"
    shutil.copyfile(RPMS / CLEAN, path)
    return split_rpm(keys.sign(name, path, *extra).read_bytes())


def entry_of(rpm: Rpm, tag: int) -> tuple[int, bytes, int]:
    """(type, data, count) of a signature tag."""
    entry = rpm.signature.entry(tag)
    return (
        entry[1],
        bytes(rpm.signature.store[entry[2] : entry[2] + rpm.signature.data_length(entry)]),
        entry[3],
    )


def write(rpm: Rpm, path: Path) -> Path:
    path.write_bytes(rpm.to_bytes(fix_size=False, fix_digests=False))
    return path


def two_signers_rpm(keys: Keys, vendor: str, directory: Path) -> Rpm:
    """Signed by the clean key (tag 268) and by ``vendor`` over header and payload (1002 for an
    RSA key; 1005 and the DSA header signature 267 for a DSA key)."""
    rpm = signed(keys, "clean", directory)
    theirs = signed(keys, vendor, directory, "--rpmv3")
    for tag in (DSA_HEADER, GPG) if vendor == "vendor-dsa" else (m.SIG_PGP,):
        rpm.signature.add_entry(tag, *entry_of(theirs, tag))
    return rpm


def two_signers(keys: Keys, vendor: str, directory: Path) -> Path:
    return write(two_signers_rpm(keys, vendor, directory), directory / f"clean+{vendor}.rpm")


def policy(directory: Path, action: str, *names: str, keys: Keys) -> str:
    path = directory / f"{action}-{'-'.join(names)}.toml"
    listed = ", ".join(f'"{keys.ids[name]}"' for name in names)
    path.write_text(f'schema = 1\n[[rule]]\nid = "test-key"\nkind = "signing-key"\naction = "{action}"\n'
                    f'severity = "high"\nkeys = [{listed}]\nmessage = "m"\nreference = "r"\n')  # fmt: skip
    return str(path)


def scan(path: Path, policy_path: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main(["scan", str(path), "-q", "--no-cache", "--policy", policy_path, "--format", "json"])
    [package] = json.loads(capsys.readouterr().out)["packages"]
    return code, package


def rpm_names(keys: Keys, path: Path, *options: str) -> set[str]:
    """The key ids ``rpm -qp`` reads in the signature tags."""
    query = keys.rpm("-qp", *options, "--qf", QUERY, str(path))
    assert query.returncode == 0, query.stderr
    return {found.lower() for found in re.findall(r"Key ID ([0-9a-f]{16})", query.stdout)}


@pytest.mark.parametrize("vendor", ["vendor", "vendor-dsa"])
def test_a_second_signature_by_a_denied_key_is_evidence(
    keys: Keys, vendor: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = two_signers(keys, vendor, tmp_path)
    clean, theirs = keys.ids["clean"], keys.ids[vendor]
    checked = keys.rpm("-Kv", str(path))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for key in (clean, theirs):  # rpm -K checks both, each good
        assert re.search(rf"key ID {key[8:]}: OK", checked.stdout), checked.stdout
    assert rpm_names(keys, path) == {clean, theirs}
    package = read_rpm_file(str(path))
    assert (package.signing_key, package.signing_keys) == (clean, (clean, theirs))  # rpm's order
    code, shown = scan(path, policy(tmp_path, "deny", vendor, keys=keys), capsys)
    assert code == 1 and shown["status"] == "origin", shown
    assert (shown["signing_key"], shown["signing_keys"]) == (clean, [clean, theirs])
    code, shown = scan(path, policy(tmp_path, "deny", "clean", keys=keys), capsys)
    assert code == 1 and shown["status"] == "origin", shown


def test_a_trust_rule_flags_a_package_any_of_whose_signers_it_does_not_trust(
    keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = two_signers(keys, "vendor", tmp_path)
    assert scan(path, policy(tmp_path, "trust", "clean", keys=keys), capsys)[0] == 1
    assert scan(path, policy(tmp_path, "trust", "vendor", keys=keys), capsys)[0] == 1
    assert scan(path, policy(tmp_path, "trust", "clean", "vendor", keys=keys), capsys)[0] == 0
    # One signer, trusted: what a trust rule always meant.
    alone = write(signed(keys, "clean", tmp_path), tmp_path / "clean-alone.rpm")
    assert scan(alone, policy(tmp_path, "trust", "clean", keys=keys), capsys)[0] == 0
    assert scan(alone, policy(tmp_path, "trust", "vendor", keys=keys), capsys)[0] == 1


def test_a_signature_with_a_hash_algorithm_rpm_lacks_still_names_its_signer(
    keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm passes over a signature whose hash algorithm it lacks (rpm -K stays good on the
    other); the key it names still signed the package, which a deny rule must see (diff11, A)."""
    rpm = two_signers_rpm(keys, "vendor", tmp_path)
    type_, packet, count = entry_of(rpm, m.SIG_PGP)
    changed = bytearray(packet)
    changed[m.packet_body(changed) + 3] = 100  # a private or experimental hash algorithm
    rpm.signature.set_value(m.SIG_PGP, bytes(changed), count, type_)
    path = write(rpm, tmp_path / "unknown-hash.rpm")
    checked = keys.rpm("-Kv", str(path))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert read_rpm_file(str(path)).signing_keys == (keys.ids["clean"], keys.ids["vendor"])
    code, shown = scan(path, policy(tmp_path, "deny", "vendor", keys=keys), capsys)
    assert code == 1 and shown["status"] == "origin", shown


def test_every_signature_of_rpm_6s_openpgp_array_is_a_signer(keys: Keys, tmp_path: Path) -> None:
    rpm = signed(keys, "clean", tmp_path)
    packets = [entry_of(signed(keys, name, tmp_path), m.SIG_RSA)[1] for name in ("vendor", "clean")]
    armored = b"".join(base64.b64encode(packet) + b"\0" for packet in packets)
    rpm.signature.add_entry(OPENPGP, m.STRING_ARRAY, armored, 2)
    package = read_rpm_file(str(write(rpm, tmp_path / "openpgp.rpm")))
    # rpm checks OPENPGP first, its items from the last
    assert package.signing_keys == (keys.ids["clean"], keys.ids["vendor"])


def test_a_dsa_header_signature_whose_hash_prefix_is_not_the_headers_is_bad(
    keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm compares the prefix before it verifies with the key: the signature over header and
    payload (1005) left good, the DSA header one is BAD to rpm and to the auditor."""
    rpm = signed(keys, "vendor-dsa", tmp_path, "--rpmv3")
    good = write(rpm, tmp_path / "dsa.rpm")
    assert keys.rpm("-K", str(good)).returncode == 0
    assert read_rpm_file(str(good)).signing_keys == (keys.ids["vendor-dsa"],)
    m.packet(m.flip_prefix, DSA_HEADER)(rpm)
    bad = write(rpm, tmp_path / "dsa-prefix.rpm")
    checked = keys.rpm("-Kv", str(bad))
    assert checked.returncode == 1, checked.stdout
    assert re.search(r"Header V4 DSA/SHA256 Signature, key ID \w+: BAD", checked.stdout), checked.stdout
    assert re.search(r"^\s+V4 DSA/SHA256 Signature, key ID \w+: OK", checked.stdout, re.M), checked.stdout
    assert main(["scan", str(bad), "-q", "--fail-on", "none"]) == 3
    assert "DSA header signature: BAD (tag 267: hash prefix" in capsys.readouterr().err


def test_an_openpgp_signature_whose_hash_prefix_is_not_the_headers_is_bad(
    keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm 6 (Sequoia) compares the prefix before it looks for the key, as rpm 4.18 does for the
    RSA and DSA header tags: the fixture's own RSA header packet, good, in the OPENPGP array is
    read; with its prefix flipped it is BAD. (rpm 4.18 does not read tag 278: not its verdict.)"""
    rpm = signed(keys, "clean", tmp_path)
    packet = bytearray(entry_of(rpm, m.SIG_RSA)[1])
    rpm.signature.add_entry(OPENPGP, m.STRING_ARRAY, base64.b64encode(packet) + b"\0", 1)
    assert read_rpm_file(str(write(rpm, tmp_path / "openpgp.rpm"))).signing_keys == (keys.ids["clean"],)
    m.flip_prefix(packet)
    rpm.signature.set_value(OPENPGP, base64.b64encode(packet) + b"\0", 1)
    bad = write(rpm, tmp_path / "openpgp-prefix.rpm")
    assert main(["scan", str(bad), "-q", "--fail-on", "none"]) == 3
    assert "OpenPGP signature: BAD (tag 278: hash prefix" in capsys.readouterr().err


def test_an_unhashed_issuer_key_id_does_not_hide_the_signed_fingerprint(
    keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """gpg writes the issuer fingerprint in the hashed area, the issuer key id in the unhashed
    one, which the signature does not cover: another key's id there leaves the signature good."""
    vendor, clean = keys.ids["vendor"], keys.ids["clean"]
    rpm = signed(keys, "vendor", tmp_path)

    def forge(packet: bytearray) -> None:
        issuer = b"\x09\x10" + bytes.fromhex(vendor)
        assert packet.count(issuer) == 1
        at = packet.index(issuer) + 2
        packet[at : at + 8] = bytes.fromhex(clean)

    m.packet(forge)(rpm)
    path = write(rpm, tmp_path / "forged-issuer.rpm")
    (tmp_path / "header").write_bytes(rpm.main.to_bytes())
    (tmp_path / "header.sig").write_bytes(entry_of(rpm, m.SIG_RSA)[1])
    verified = keys.run("gpg", "--batch", "--status-fd", "1", "--verify", str(tmp_path / "header.sig"),
                        str(tmp_path / "header"))  # fmt: skip
    # gpg's GOODSIG names the forged key id; the key that verified it is the fingerprint's
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert re.search(rf"^\[GNUPG:\] VALIDSIG [0-9A-F]{{24}}{vendor.upper()} ", verified.stdout, re.M), (
        verified.stdout
    )
    # rpm 4.18 names, and looks up, the unsigned key id: the other key, which says BAD
    assert rpm_names(keys, path, "--nosignature") == {clean}
    checked = keys.rpm("-Kv", str(path))
    assert checked.returncode == 1 and f"key ID {clean[8:]}: BAD" in checked.stdout, checked.stdout
    package = read_rpm_file(str(path))
    assert package.signing_keys == (vendor, clean)
    code, shown = scan(path, policy(tmp_path, "deny", "vendor", keys=keys), capsys)
    assert code == 1 and shown["signing_key"] == vendor, shown


def test_a_stored_model_without_every_signer_is_read_again(keys: Keys, tmp_path: Path) -> None:
    path = two_signers(keys, "vendor", tmp_path)
    store = Store(str(tmp_path / "store"))
    assert store.enabled
    [first] = read_rpm_files([str(path)], store)
    key = file_key(file_identity(str(path)), str(path))
    stored = store.get_package(key)
    assert (
        isinstance(first, Package)
        and stored is not None
        and stored["signing_keys"] == list(first.signing_keys)
    )
    # A model of the shape stored before a package could have several signers: the first only.
    del stored["signing_keys"]
    store.put_packages([(key, stored)])
    [again] = read_rpm_files([str(path)], store)
    assert isinstance(again, Package) and again.signing_keys == (keys.ids["clean"], keys.ids["vendor"])


def test_a_key_file_stands_for_its_signing_subkeys(
    keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key that signs with a subkey: rpm records the subkey's id, which a policy listing the
    primary key's id misses (the run passed); `key-files` names the key, subkeys and all."""
    made = keys.run("gpg", "--batch", "--passphrase", "", "--quick-gen-key", "sub <sub@example.org>",
                    "rsa2048", "cert", "never")  # fmt: skip
    assert made.returncode == 0, made.stderr
    listing = keys.run("gpg", "--batch", "--with-colons", "--list-keys", "sub@example.org").stdout
    fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))
    added = keys.run(
        "gpg", "--batch", "--passphrase", "", "--quick-add-key", fingerprint, "rsa2048", "sign", "never"
    )
    assert added.returncode == 0, added.stderr
    listing = keys.run("gpg", "--batch", "--with-colons", "--list-keys", "sub@example.org").stdout
    primary = next(line.split(":")[4].lower() for line in listing.splitlines() if line.startswith("pub:"))
    subkey = next(line.split(":")[4].lower() for line in listing.splitlines() if line.startswith("sub:"))
    exported = tmp_path / "RPM-GPG-KEY-vendor"
    exported.write_text(keys.run("gpg", "--batch", "--armor", "--export", "sub@example.org").stdout)
    keys.rpm("--import", str(exported))
    path = write(signed(keys, "sub", tmp_path), tmp_path / "by-subkey.rpm")
    assert rpm_names(keys, path) == {subkey}  # rpm records the subkey
    listed = tmp_path / "listed.toml"
    listed.write_text(f'schema = 1\n[[rule]]\nid = "vendor-key"\nkind = "signing-key"\nseverity = "high"\n'
                      f'keys = ["{primary}"]\nmessage = "m"\nreference = "r"\n')  # fmt: skip
    assert scan(path, str(listed), capsys)[0] == 0  # the primary key's id alone misses it
    by_file = tmp_path / "by-file.toml"
    by_file.write_text('schema = 1\n[[rule]]\nid = "vendor-key"\nkind = "signing-key"\nseverity = "high"\n'
                       'key-files = ["RPM-GPG-KEY-vendor"]\nmessage = "m"\nreference = "r"\n')  # fmt: skip
    code, shown = scan(path, str(by_file), capsys)
    assert code == 1 and shown["status"] == "origin" and shown["signing_keys"] == [subkey], shown


def test_every_armored_block_of_a_key_file_is_a_key(
    keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Keys exported one by one and concatenated, as distributions ship RPM-GPG-KEY files:
    ``rpmkeys --import`` takes every block, so the policy's key file stands for the second key
    as well as the first."""
    blocks = [keys.run("gpg", "--batch", "--armor", "--export", f"{name}@example.org").stdout
              for name in ("vendor", "vendor-dsa")]  # fmt: skip
    assert all(block.count("-----BEGIN PGP PUBLIC KEY BLOCK-----") == 1 for block in blocks)
    key_file = tmp_path / "RPM-GPG-KEY-vendors"
    key_file.write_text("two keys of one vendor\n\n" + "\n".join(blocks))
    imported = keys.run("rpmkeys", "--dbpath", str(tmp_path / "db"), "--import", str(key_file))
    assert imported.returncode == 0, imported.stderr
    listed = keys.run("rpm", "--dbpath", str(tmp_path / "db"), "-q", "gpg-pubkey", "--qf", "%{VERSION}\\n")
    assert {found.lower() for found in listed.stdout.split()} == {
        keys.ids[name][8:] for name in ("vendor", "vendor-dsa")
    }
    path = write(signed(keys, "vendor-dsa", tmp_path), tmp_path / "by-dsa.rpm")
    by_file = tmp_path / "by-file.toml"
    by_file.write_text('schema = 1\n[[rule]]\nid = "vendor-key"\nkind = "signing-key"\nseverity = "high"\n'
                       f'key-files = ["{key_file.name}"]\nmessage = "m"\nreference = "r"\n')  # fmt: skip
    code, shown = scan(path, str(by_file), capsys)
    assert code == 1 and shown["status"] == "origin" and shown["signing_keys"] == [keys.ids["vendor-dsa"]], (
        shown
    )


def test_a_signature_of_an_earlier_header_in_the_openpgp_array_still_names_its_signer(
    keys: Keys, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm 6 takes the OPENPGP array as alternatives: one good item excuses a BAD one (its hash
    prefix is another header's). The BAD item's key still signed a build of this package, and
    a deny rule must see it."""
    rpm = signed(keys, "clean", tmp_path)
    stale = bytearray(entry_of(signed(keys, "vendor", tmp_path), m.SIG_RSA)[1])
    m.flip_prefix(stale)
    packets = [bytes(stale), entry_of(rpm, m.SIG_RSA)[1]]
    rpm.signature.add_entry(
        OPENPGP, m.STRING_ARRAY, b"".join(base64.b64encode(p) + b"\0" for p in packets), 2
    )
    path = write(rpm, tmp_path / "openpgp-stale.rpm")
    # the good signers first, in rpm's order, then the one a good alternative excused
    assert read_rpm_file(str(path)).signing_keys == (keys.ids["clean"], keys.ids["vendor"])
    code, shown = scan(path, policy(tmp_path, "deny", "vendor", keys=keys), capsys)
    assert code == 1 and shown["status"] == "origin", shown
    # alone in the array, the same BAD packet is a corrupt header: exit 3, as before
    rpm.signature.set_value(OPENPGP, base64.b64encode(stale) + b"\0", 1)
    assert main(["scan", str(write(rpm, tmp_path / "openpgp-bad.rpm")), "-q", "--fail-on", "none"]) == 3
    assert "OpenPGP signature: BAD (tag 278: hash prefix" in capsys.readouterr().err
