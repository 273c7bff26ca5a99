"""``--verify-checksums`` and the checksum type a repository's metadata names: the types dnf
(librepo) verifies are hashed; any other, hostile or mistaken, is the file's input error (dnf
would not install it), never an internal error nor a file passed unverified."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.conftest import RPMS, rewrite_primary

PACKAGE = "single-deps-1.0-1.noarch.rpm"


def repository(tmp_path: Path, checksum_type: str) -> Path:
    """A repository of one fixture RPM, createrepo_c's metadata naming ``checksum_type`` for it."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(RPMS / PACKAGE, repo)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(repo)], check=True, capture_output=True)
    named = f'<checksum type="{checksum_type}"'
    rewrite_primary(repo, lambda text: text.replace('<checksum type="sha256"', named))
    return repo


@pytest.mark.parametrize("checksum_type", ["shake_128", "shake_256", "blake2b", "sm3", "crc32", "sha3_256"])
def test_a_checksum_type_dnf_does_not_verify_is_the_files_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], checksum_type: str
) -> None:
    repo = repository(tmp_path, checksum_type)
    code = main(["scan", str(repo), "--no-cache", "--verify-checksums", "--format", "json", "-q"])
    out, err = capsys.readouterr()
    assert code == 3 and "Traceback" not in err and "internal error" not in err
    [error] = json.loads(out)["errors"]
    assert error["input"] == str(repo / PACKAGE)
    assert f"unknown checksum type {checksum_type!r}" in error["message"]


@pytest.mark.parametrize("checksum_type", ["SHA256", "Sha256"])
def test_the_checksum_type_is_read_whatever_its_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], checksum_type: str
) -> None:
    repo = repository(tmp_path, checksum_type)
    code = main(["scan", str(repo), "--no-cache", "--verify-checksums", "--format", "json", "-q"])
    out, err = capsys.readouterr()
    assert json.loads(out)["errors"] == [] and code != 3 and "checksum" not in err


def corrupted(repo: Path) -> None:
    """The package file's last byte changed: its header reads as before, its checksum does not."""
    path = repo / PACKAGE
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_binary_is_verified_whatever_rules_the_policy_has(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A binary package's header is read only for a rule on what only headers carry (signing
    key, Distribution, a host rule's BugURL): with a policy of none, --verify-checksums hashed
    no binary file and passed a corrupted one unsaid."""
    repo = repository(tmp_path, "sha256")
    corrupted(repo)
    policy = tmp_path / "policy.toml"
    policy.write_text(
        '[[rule]]\nid = "vendor-only"\nkind = "field"\nseverity = "high"\nfields = ["vendor"]\n'
        'pattern = "Citrix"\nmessage = "a vendor rule alone"\n'
    )
    args = ["scan", str(repo), "--no-cache", "--format", "json", "-q", "--no-default-policy"]
    args += ["--policy", str(policy)]
    assert main(args) != 3 and json.loads(capsys.readouterr().out)["errors"] == []  # unverified: no error
    code = main([*args, "--verify-checksums"])
    # The header read, its payload digest is BAD too (the last byte is the payload's): both said.
    errors = json.loads(capsys.readouterr().out)["errors"]
    assert code == 3 and {error["input"] for error in errors} == {str(repo / PACKAGE)}
    assert [error for error in errors if "(<checksum>)" in error["message"]]
    assert [error for error in errors if error["message"].startswith("Payload SHA256 digest: BAD")]


def test_an_entry_without_a_checksum_is_not_passed_unverified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entry whose <checksum> is empty has nothing to verify its file against: under
    --verify-checksums that is said, as an unknown type is, not the file passed unhashed."""
    repo = repository(tmp_path, "sha256")
    rewrite_primary(repo, lambda text: re.sub(r'(pkgid="YES">)[0-9a-f]+(</checksum>)', r"\1\2", text))
    corrupted(repo)
    code = main(["scan", str(repo), "--no-cache", "--verify-checksums", "--format", "json", "-q"])
    errors = json.loads(capsys.readouterr().out)["errors"]
    assert code == 3 and {error["input"] for error in errors} == {str(repo / PACKAGE)}
    unverified = "its checksum cannot be verified: the repository metadata gives none"
    assert [error for error in errors if unverified in error["message"]]


def test_verify_checksums_is_a_usage_error_with_read_rpms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--read-rpms ignores the metadata whose checksums --verify-checksums compares with: both
    asked, no file was verified and the run passed a corrupted one, unsaid."""
    repo = repository(tmp_path, "sha256")
    corrupted(repo)
    assert main(["scan", str(repo), "--no-cache", "--verify-checksums", "--read-rpms", "-q"]) == 2
    assert "--verify-checksums compares the files with their repository's metadata" in capsys.readouterr().err


def test_verify_checksums_says_loose_rpm_files_have_nothing_to_be_verified_against(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An RPM file outside a repository has no metadata checksum: under --verify-checksums the
    run says it read it unverified (a file named, and a directory's), as it says of a remote
    repository's files; without the option, nothing is said."""
    loose = tmp_path / "loose"
    loose.mkdir()
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", loose)
    named = str(RPMS / "filedeps-1.0-1.noarch.rpm")
    assert main(["scan", str(loose), named, "--no-cache", "--fail-on", "none", "-q", "--format", "json"]) == 0
    assert "--verify-checksums" not in capsys.readouterr().err
    args = ["scan", str(loose), named, "--no-cache", "--fail-on", "none", "-q", "--format", "json"]
    assert main([*args, "--verify-checksums"]) == 0
    err = capsys.readouterr().err
    assert f"{loose}: --verify-checksums: 1 RPM file(s) outside a repository have no checksum" in err
    assert f"{named}: --verify-checksums: 1 RPM file(s) outside a repository" in err
