"""Red team of the replayed report: a warm run says what a cold run (``--no-cache``) says.

Each test builds the store a user's runs would leave (or a damaged or tampered one), runs the
scan again from it, and holds the answer to the cold run's: the same report, exit code and
standard error. A warm run must never pass, or block less, where the cold run fails.
"""

from __future__ import annotations

import ast
import contextlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.runtime import identity
from auditor.runtime.store import Store
from auditor.sources import inputpaths
from tests.conftest import RPMS
from tests.paths import ROOT
from tests.rpmbuild import binary_of, build_noarch
from tests.runtime import test_store_damage as store_damage
from tests.runtime.test_store_damage import database, scan

rpms = store_damage.rpms  # the fixture: a copy of the test RPMs the run may change


@contextlib.contextmanager
def srpms_synced_away(distribution: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A mirror sync that takes SRPMS/ away beside the repository just before the reader looks
    for it, after the key looked, and puts the same files back when the run is over."""
    sources, away = distribution / "SRPMS", distribution / "SRPMS.away"
    looking = inputpaths.source_repositories

    def synced_away(path: str) -> list[str]:
        if sources.exists():
            sources.rename(away)
        return looking(path)

    with monkeypatch.context() as racing:
        racing.setattr("auditor.sources.beside.source_repositories", synced_away)
        yield
    away.rename(sources)


def test_the_caches_own_warning_is_neither_reported_nor_replayed(
    rpms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A damaged package entry is this run's business: said on standard error, read again. It
    went into the JSON report's warnings and into the messages stored with it, so every later
    warm run printed "a damaged package entry was dropped" (and wrote it into the report)
    where a cold run, and the store, had nothing of the kind to say."""
    args = [str(rpms), "--format", "json"]
    cold = scan([*args, "--no-cache"], capsys)
    scan(args, capsys)
    with database() as db:
        key = db.execute("SELECT key FROM packages ORDER BY key LIMIT 1").fetchone()[0]
        db.execute("UPDATE packages SET data = ? WHERE key = ?", (b"\x00damaged", key))
        db.execute("DELETE FROM reports")
    warning = "auditor: warning: cache: a damaged package entry was dropped and read again"
    damaged = scan(args, capsys)
    assert damaged[2] == warning + "\n" + cold[2]
    assert damaged[:2] == cold[:2]  # the report is the one made without the store
    assert scan(args, capsys) == cold  # replayed: nothing of the damage said again


def _rows() -> dict[int, tuple[str, str, bytes]]:
    """The stored reports by the exit code each replays: (key, meta, data)."""
    with database() as db:
        rows = db.execute("SELECT key, meta, data FROM reports").fetchall()
    return {json.loads(meta)["exit_code"]: (key, meta, data) for key, meta, data in rows}


def test_a_report_row_moved_under_another_key_is_not_replayed(
    rpms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row is checked against the digest of its output, never against the key it is stored
    under: the row of ``--fail-on none`` (exit 0) written under the key of the default run
    (exit 1) made that run pass from the store, its cold run failing."""
    cold = scan([str(rpms), "--no-cache"], capsys)
    assert cold[0] == 1
    assert scan([str(rpms), "--fail-on", "none"], capsys)[0] == 0
    assert scan([str(rpms)], capsys) == cold
    rows = _rows()
    with database() as db:
        db.execute(
            "UPDATE reports SET meta = ?, data = ? WHERE key = ?", (rows[0][1], rows[0][2], rows[1][0])
        )
    code, out, err = scan([str(rpms)], capsys)
    assert (code, out) == cold[:2]
    assert "cache: a damaged report was dropped; the audit runs again" in err


def test_a_stored_report_never_replays_an_exit_code_no_scan_stores(
    rpms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scan stores the exit code of its decision (0, 1 or 3); a row saying 4 (an internal
    error) or 2 (a usage error), checksum and all, was replayed as that exit code."""
    cold = scan([str(rpms), "--no-cache"], capsys)
    scan([str(rpms)], capsys)
    ((key, meta, data),) = _rows().values()
    for code in (2, 4):
        with database() as db:
            db.execute(
                "INSERT OR REPLACE INTO reports VALUES (?, 0, ?, ?)",
                (key, json.dumps({**json.loads(meta), "exit_code": code}), data),
            )
        again = scan([str(rpms)], capsys)
        assert again[:2] == cold[:2]


NETWORK_ONLY = frozenset({"requests", "urllib3"})
"""Third-party packages that only fetch: a run that uses them is never replayed."""


def _third_party_imports() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "auditor").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name != "auditor"}


def test_every_library_that_writes_a_report_is_in_the_code_identity() -> None:
    """A stored report is keyed on the libraries that decide it (`identity.LIBRARIES`):
    packageurl writes every purl of the SBOM formats, and ``pip install -U packageurl-python``
    left the CycloneDX and SPDX reports of the old one replayed."""
    assert _third_party_imports() - NETWORK_ONLY <= set(identity.LIBRARIES)


QUIET_CITRIX = (
    "Name: quiet\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\n"
    "URL: https://example.org/quiet\nSource0: https://code.citrite.net/quiet-1.0.tar.gz\n"
    "BuildArch: noarch\n%description\nd\n%files\n"
)
"""A package whose one Citrix fact is its source package's Source0: the binary carries none."""


@pytest.fixture
def distribution(tmp_path: Path) -> Path:
    """``dist/x86_64`` (the binary) beside ``dist/SRPMS`` (its source package), each a repository
    made by createrepo_c."""
    spec = tmp_path / "quiet.spec"
    spec.write_text(QUIET_CITRIX)
    srpm, binary = build_noarch(spec, tmp_path / "top", ["quiet-1.0.tar.gz"])
    dist = tmp_path / "dist"
    for directory, package in (("x86_64", binary), ("SRPMS", srpm)):
        (dist / directory).mkdir(parents=True)
        shutil.copy(package, dist / directory)
        subprocess.run(["createrepo_c", "-q", str(dist / directory)], check=True)
    return dist


def test_a_source_repository_gone_during_the_run_leaves_its_report_unstored(
    distribution: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key looked at SRPMS/ beside the repository; a mirror sync took it away before the
    reader looked for it (and put it back after the run, the same files). The report, made
    without the Citrix Source0 (exit 0, a gap), was stored under the key of the files with it:
    every later warm run passed what its cold run fails."""
    args = [str(distribution / "x86_64")]
    cold = scan([*args, "--no-cache"], capsys)
    assert cold[0] == 1, cold[2]
    with srpms_synced_away(distribution, monkeypatch):
        assert scan(args, capsys)[0] == 0  # read without them: the audit says what it saw
    assert scan(args, capsys) == cold


def test_a_repository_made_during_the_run_in_a_walked_directory_leaves_its_report_unstored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key walked ``tree/sub`` as a directory of RPM files; createrepo_c's repodata/ landed
    there before the reader decided what ``sub`` is, so it was read as a repository (its
    metadata's clean package, the Citrix file on disk only a gap): exit 0, stored under the key
    of the plain directory. With that repodata/ gone, the warm run passed, the cold one failed."""
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    shutil.copy(RPMS / "xs-sources-1.0-1.noarch.rpm", tree / "sub")
    other = tmp_path / "other"
    other.mkdir()
    plain = "\n".join(line for line in QUIET_CITRIX.split("\n") if not line.startswith("Source0"))
    shutil.copy(binary_of(plain, tmp_path), other)
    subprocess.run(["createrepo_c", "-q", str(other)], check=True)
    args = [str(tree)]
    cold = scan([*args, "--no-cache"], capsys)
    assert cold[0] == 1, cold[2]
    deciding = inputpaths.repository_in_walk

    def made_meanwhile(directory: str, *, read_rpms: bool) -> bool:
        if directory.endswith("sub") and not (tree / "sub" / "repodata").exists():
            shutil.copytree(other / "repodata", tree / "sub" / "repodata")
        return deciding(directory, read_rpms=read_rpms)

    with monkeypatch.context() as racing:
        racing.setattr("auditor.sources.load.repository_in_walk", made_meanwhile)
        assert scan(args, capsys)[0] == 0  # read as the repository it had become
    shutil.rmtree(tree / "sub" / "repodata")
    assert scan(args, capsys) == cold


def test_a_check_whose_base_lost_its_source_repository_during_the_run_keeps_no_record_of_it(
    distribution: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``check`` keeps the audit of BASE under the same kind of key: BASE read while a sync
    had taken SRPMS/ away was kept as BASE, and the next check against it (SRPMS/ back, the
    same files) took its Citrix Source0 for one the change brought (exit 1, where the cold
    check finds nothing worse)."""
    spec = distribution.parent / "quiet.spec"  # the change: the same package, rebuilt as is
    args = ["check", str(spec), "--against", str(distribution / "x86_64"), "--format", "json", "-q"]

    def check(more: list[str]) -> tuple[int, str, str]:
        code = main([*args, *more])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    cold = check(["--no-cache"])
    assert cold[0] == 0, cold[2]
    with srpms_synced_away(distribution, monkeypatch):
        check([])
    assert check([]) == cold


def test_a_scan_from_a_removed_working_directory_is_audited_not_an_internal_error(
    rpms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CI step's temporary directory removed under it, the inputs named absolutely: the cold
    run audits them, the run with the store ended in an internal error (exit 4) making its key."""
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    cold = scan([str(rpms), "--no-cache"], capsys)
    assert cold[0] == 1, cold[2]
    assert scan([str(rpms)], capsys) == cold


@pytest.mark.parametrize("relative", [["r1"], ["r1", "--no-cache"], ["ABS", "-o", "report.json"]])
def test_a_relative_path_from_a_removed_working_directory_is_an_input_error(
    relative: list[str],
    rpms: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A relative input or report file names nothing once the working directory is removed:
    it was an internal error (exit 4) wherever its real path was first asked for, with the
    store on or off; it is an input error naming the cause."""
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    code = main(["scan", *[str(rpms) if word == "ABS" else word for word in relative]])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "internal error" not in err
    assert "the working directory no longer exists" in err


def test_a_package_model_moved_under_another_files_key_is_read_again(
    rpms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A model is looked up by its file's key and was used whatever file it described: the
    model of xs-sources' source package (a Vendor of Citrix) under the key of epochs' made
    epochs a Citrix package too, in a run whose report was not stored yet."""
    args = [str(rpms), "--format", "json"]
    cold = scan([*args, "--no-cache"], capsys)
    scan(args, capsys)
    with database() as db:
        rows = {
            Store.decode(data)["location"]: (key, data)
            for key, data in db.execute("SELECT key, data FROM packages").fetchall()
        }
        moved = rows[str(rpms / "xs-sources-1.0-1.src.rpm")][1]
        db.execute(
            "UPDATE packages SET data = ? WHERE key = ?", (moved, rows[str(rpms / "epochs-1.2-4.src.rpm")][0])
        )
        db.execute("DELETE FROM reports")
    code, out, err = scan(args, capsys)
    assert (code, out) == cold[:2]
    assert "auditor: warning: cache: a damaged package entry was dropped and read again" in err.splitlines()
