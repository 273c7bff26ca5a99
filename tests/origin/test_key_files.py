"""A signing-key rule's `key-files`, read as ``rpmkeys --import`` reads them: every key a file
holds is in the rule, and a file, or a block of one, that does not yield its keys is refused
(exit 2) naming the file, never read as fewer keys than it shows.

The keys are made by gpg in a throw-away home; ``rpmkeys --import`` into a throw-away database is
the authority on what a key file holds.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.core.errors import PolicyError
from auditor.origin.policy import load_policy
from auditor.origin.rules import SigningKeyRule
from tests.conftest import RPMS

CLEAN = "conflicts-obsoletes-2.0-1.noarch.rpm"
"""A fixture the default scan passes: only a policy error changes its exit code."""


@dataclass(frozen=True)
class Exported:
    home: Path
    armored: dict[str, str]
    """Each key's ``gpg --armor --export``, by name."""
    ids: dict[str, str]
    """Each key's id, 16 lower-case hex digits, by name."""

    def imported(self, key_file: Path) -> tuple[int, set[str]]:
        """``rpmkeys --import``'s exit code, and the short ids of the keys it imported."""
        database = self.home / f"db-{key_file.name}"
        shutil.rmtree(database, ignore_errors=True)
        database.mkdir()
        done = subprocess.run(["rpmkeys", "--dbpath", str(database), "--import", str(key_file)],
                              capture_output=True, text=True, check=False)  # fmt: skip
        listed = subprocess.run(["rpm", "--dbpath", str(database), "-q", "gpg-pubkey", "--qf", "%{VERSION}\\n"],
                                capture_output=True, text=True, check=False)  # fmt: skip
        found = set() if listed.returncode else {line.lower() for line in listed.stdout.split()}
        return done.returncode, found


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    missing = [tool for tool in ("gpg", "gpgconf", "rpmkeys") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"key files are made with {', '.join(missing)}: install gnupg and rpm")
    home = tmp_path_factory.mktemp("keyfiles")
    gnupg = home / "gnupg"
    gnupg.mkdir(mode=0o700)
    env = {"GNUPGHOME": str(gnupg), "PATH": os.environ["PATH"], "LC_ALL": "C"}

    def gpg(*args: str) -> str:
        done = subprocess.run(["gpg", "--batch", *args], capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    found = Exported(home, {}, {})
    try:
        for name in ("first", "second"):
            gpg(
                "--passphrase",
                "",
                "--quick-gen-key",
                f"{name} <{name}@example.org>",
                "ed25519",
                "sign",
                "never",
            )
            listing = gpg("--with-colons", "--list-keys", f"{name}@example.org")
            found.ids[name] = next(
                line.split(":")[4].lower() for line in listing.splitlines() if line.startswith("pub:")
            )
            found.armored[name] = gpg("--armor", "--export", f"{name}@example.org")
        yield found
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, check=False)


def policy_of(directory: Path, key_file: Path) -> Path:
    path = directory / "policy.toml"
    path.write_text('schema = 1\n[[rule]]\nid = "vendor-key"\nkind = "signing-key"\nseverity = "high"\n'
                    f'key-files = ["{key_file.name}"]\nmessage = "m"\nreference = "r"\n')  # fmt: skip
    return path


def refused(directory: Path, key_file: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The one line the scan is refused with (exit 2), which names the key file."""
    policy = policy_of(directory, key_file)
    with pytest.raises(PolicyError):
        load_policy([str(policy)])
    code = main(["scan", str(RPMS / CLEAN), "-q", "--no-cache", "--policy", str(policy)])
    error = capsys.readouterr().err
    assert code == 2, error
    [line] = error.splitlines()
    assert f"key-files[0]: {key_file}" in line, line
    return line


def without_blank_line(armored: str) -> str:
    """The armor block without the blank line after its header lines (and without them)."""
    lines = armored.splitlines()
    body = [line for line in lines[1:-1] if line.strip() and ":" not in line]
    return "\n".join([lines[0], *body, lines[-1]]) + "\n"


def test_the_control_two_blocks_are_two_keys(exported: Exported, tmp_path: Path) -> None:
    key_file = tmp_path / "RPM-GPG-KEY-two"
    key_file.write_text(exported.armored["first"] + exported.armored["second"])
    assert exported.imported(key_file) == (0, {exported.ids[name][8:] for name in ("first", "second")})
    [rule] = load_policy([str(policy_of(tmp_path, key_file))]).rules[-1:]
    assert isinstance(rule, SigningKeyRule)
    assert {exported.ids["first"], exported.ids["second"]} <= rule.keys


def test_a_block_whose_data_is_taken_for_header_lines_is_refused_not_dropped(
    exported: Exported, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the blank line after the armor headers, a blank line before the checksum makes
    the key's data read as header lines: the block yielded nothing, and the file the second
    key alone. rpmkeys refuses such a block alone, and imports the file's other key in silence;
    a deny rule must not lose a key its file visibly holds."""
    lines = without_blank_line(exported.armored["first"]).splitlines()
    at = next(index for index, line in enumerate(lines) if line.startswith("="))
    broken = "\n".join([*lines[:at], "", *lines[at:]]) + "\n"
    alone = tmp_path / "RPM-GPG-KEY-alone"
    alone.write_text(broken)
    assert exported.imported(alone)[0] != 0
    key_file = tmp_path / "RPM-GPG-KEY-two"
    key_file.write_text(broken + exported.armored["second"])
    assert exported.imported(key_file) == (0, {exported.ids["second"][8:]})  # rpm drops it too
    assert "block 1" in refused(tmp_path, key_file, capsys)
    # With no blank line at all, rpmkeys refuses the block too, which the auditor read.
    alone.write_text(without_blank_line(exported.armored["first"]))
    assert exported.imported(alone) == (1, set())
    refused(tmp_path, alone, capsys)


def crc24(data: bytes) -> int:
    """RFC 4880 6.1."""
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def test_a_block_whose_checksum_is_not_its_data_s_is_refused(
    exported: Exported, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A checksum that does not match says the data is not what was exported: rpmkeys refuses
    the file, and so must the policy (a trust rule would trust a key rpm cannot import)."""
    lines = exported.armored["first"].splitlines()
    at = next(index for index, line in enumerate(lines) if line.startswith("="))
    data = base64.b64decode("".join(lines[lines.index("") + 1 : at]))
    assert lines[at] == "=" + base64.b64encode(crc24(data).to_bytes(3, "big")).decode()  # the control
    lines[at] = "=" + base64.b64encode((crc24(data) ^ 1).to_bytes(3, "big")).decode()
    key_file = tmp_path / "RPM-GPG-KEY-checksum"
    key_file.write_text("\n".join(lines) + "\n")
    assert exported.imported(key_file) == (1, set())
    assert "checksum" in refused(tmp_path, key_file, capsys)


def test_a_version_4_key_longer_than_its_fingerprint_can_hash_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A v4 fingerprint hashes the key's length in two octets (RFC 4880 12.2): a key packet of
    64 KiB or more has none. Such a file is bad input, one line and exit 2, not a traceback."""
    body = bytes((4,)) + bytes(70_000)
    key_file = tmp_path / "RPM-GPG-KEY-huge"
    key_file.write_bytes(bytes((0xC6, 0xFF)) + len(body).to_bytes(4, "big") + body)
    assert "version 4" in refused(tmp_path, key_file, capsys)
