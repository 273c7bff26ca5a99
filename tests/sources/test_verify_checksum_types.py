"""``--verify-checksums`` and the checksum type a repository's metadata names: the types dnf
(librepo) verifies are hashed; any other, hostile or mistaken, is the file's input error (dnf
would not install it), never an internal error nor a file passed unverified."""

from __future__ import annotations

import json
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
