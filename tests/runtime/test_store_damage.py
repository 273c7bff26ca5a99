"""A damaged store entry is set aside with a warning and the audit gives what a cold run gives.

The store is a cache: a row whose JSON is valid but of the wrong shape, whose compressed
data is damaged or whose metadata is nonsense must never become an internal error (exit
4) nor a replayed report that is cut short.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.runtime import store as store_module
from auditor.runtime.store import DATABASE, Store
from auditor.runtime.storedvalues import MAX_VALUE_BYTES
from tests.conftest import INCOMPLETE, RPMS, errors_of, only_incompleteness
from tests.unprivileged import auditor_without_override


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["scan", *args, "-q"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def rpms(tmp_path: Path) -> Path:
    target = tmp_path / "rpms"
    shutil.copytree(RPMS, target)
    return target


def database() -> sqlite3.Connection:
    return sqlite3.connect(Path(os.environ["XDG_CACHE_HOME"]) / "auditor" / DATABASE)


def damage_packages(change: Callable[[dict[str, Any]], object]) -> None:
    """Apply ``change`` to one stored package model, and forget the stored reports."""
    with database() as db:
        key, data = db.execute("SELECT key, data FROM packages ORDER BY key LIMIT 1").fetchone()
        value = change(Store.decode(data))
        db.execute("UPDATE packages SET data = ? WHERE key = ?", (value, key))
        db.execute("DELETE FROM reports")


def compressed(value: object) -> bytes:
    """A row as the store wrote it before zstd (still read)."""
    return zlib.compress(json.dumps(value).encode())


def encoded(value: object) -> bytes:
    """A row as the store writes it now (zstd)."""
    data = Store.encode(value)
    assert data is not None
    return data


def claims(size: int) -> Callable[[object], bytes]:
    """A zstd frame whose header claims ``size`` bytes, followed by nothing of them."""
    # The magic, then a Frame_Header_Descriptor for an 8-byte Frame_Content_Size in a single
    # segment (so no window byte), then that size (RFC 8878, 3.1.1.1).
    return lambda value: b"\x28\xb5\x2f\xfd" + bytes([0b1110_0000]) + size.to_bytes(8, "little")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda v: compressed({**v, "checksum": 5}), id="checksum-not-text"),
        pytest.param(lambda v: compressed({**v, "name": 5}), id="name-not-text"),
        pytest.param(lambda v: compressed({**v, "requires": [{"name": "x", "op": "~"}]}), id="bad-operator"),
        pytest.param(lambda v: compressed({**v, "files": "/usr/bin/x"}), id="files-not-a-list"),
        pytest.param(lambda v: compressed({**v, "epoch": True}), id="epoch-a-boolean"),
        pytest.param(lambda v: compressed([v]), id="not-an-object"),
        pytest.param(lambda v: json.dumps(v), id="text-not-compressed"),
        pytest.param(lambda v: compressed(v)[:-3], id="compressed-cut-short"),
        pytest.param(lambda v: zlib.compress(b"[" * (MAX_VALUE_BYTES + 1)), id="zlib-too-large"),
        pytest.param(lambda v: zlib.compress(b"[" * 100_000 + b"]" * 100_000), id="nested-too-deep"),
        pytest.param(lambda v: encoded(v)[:-5], id="zstd-cut-short"),
        pytest.param(lambda v: flip(encoded(v)), id="zstd-damaged"),
        pytest.param(lambda v: encoded([v]), id="zstd-not-an-object"),
        pytest.param(claims(1 << 40), id="zstd-claims-a-terabyte"),
        pytest.param(claims(MAX_VALUE_BYTES + 1), id="zstd-claims-too-much"),
    ],
)
def test_a_damaged_package_entry_is_set_aside_and_the_file_read_again(
    rpms: Path, change: Callable[[dict[str, Any]], object], capsys: pytest.CaptureFixture[str]
) -> None:
    cold = scan([str(rpms), "--format", "json"], capsys)
    damage_packages(change)
    code, out, err = scan([str(rpms), "--format", "json"], capsys)
    warning = "cache: a damaged package entry was dropped and read again"
    assert [line for line in errors_of(err) if not line.startswith(INCOMPLETE)] == [
        f"auditor: warning: {warning}"
    ]
    assert code == cold[0]
    assert out == cold[1]  # the report is the one made without the store: its warning is this run's
    again = scan([str(rpms), "--format", "json", "--fail-on", "none"], capsys)
    assert only_incompleteness(again[2])  # set aside, then stored again from the file: no warning twice


def damage_report(change: Callable[[str, bytes], tuple[str, object]]) -> None:
    with database() as db:
        key, meta, data = db.execute("SELECT key, meta, data FROM reports").fetchone()
        db.execute("UPDATE reports SET meta = ?, data = ? WHERE key = ?", (*change(meta, data), key))


def flip(data: bytes) -> bytes:
    damaged = bytearray(data)
    damaged[len(damaged) // 2] ^= 0xFF
    return bytes(damaged)


def with_meta(**values: object) -> Callable[[str, bytes], tuple[str, object]]:
    return lambda meta, data: (json.dumps({**json.loads(meta), **values}), data)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda meta, data: (meta, flip(data)), id="compressed-report-damaged"),
        pytest.param(lambda meta, data: (meta, data[: len(data) // 2]), id="compressed-report-cut"),
        pytest.param(lambda meta, data: (meta, data.decode("latin-1")), id="report-not-bytes"),
        pytest.param(with_meta(exit_code=99), id="unknown-exit-code"),
        pytest.param(with_meta(exit_code="1"), id="exit-code-not-a-number"),
        pytest.param(with_meta(messages="auditor: error: x"), id="messages-not-a-list"),
        pytest.param(with_meta(messages=[1, 2]), id="messages-not-text"),
        pytest.param(lambda meta, data: ("[1]", data), id="meta-not-an-object"),
    ],
)
def test_a_damaged_report_is_set_aside_and_the_audit_runs_again(
    rpms: Path, change: Callable[[str, bytes], tuple[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    cold = scan([str(rpms), "--format", "json"], capsys)
    damage_report(change)
    code, out, err = scan([str(rpms), "--format", "json"], capsys)
    assert (code, out) == cold[:2]
    assert [line for line in errors_of(err) if not line.startswith(INCOMPLETE)] == [
        "auditor: warning: cache: a damaged report was dropped; the audit runs again"
    ]
    assert scan([str(rpms), "--format", "json"], capsys) == cold  # stored again, replayed whole


def test_a_report_stored_without_a_digest_is_audited_again_quietly(
    rpms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cold = scan([str(rpms), "--format", "json"], capsys)

    def without_digest(meta: str, data: bytes) -> tuple[str, object]:
        values = json.loads(meta)
        del values["sha256"]
        return json.dumps(values), data

    damage_report(without_digest)
    assert scan([str(rpms), "--format", "json"], capsys) == cold


def test_a_read_only_store_is_not_taken_for_a_damaged_one(
    rpms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A store made read-only (a shared cache, a mode set on purpose) is not used, and left as it
    is: moving it aside as damaged would destroy a good store other users rely on."""
    cache = rpms.parent / "cache"
    cold = scan([str(rpms), "--cache-dir", str(cache), "--format", "json"], capsys)
    (cache / DATABASE).chmod(0o444)
    run = auditor_without_override("scan", str(rpms), "--cache-dir", str(cache), "--format", "json")
    assert run.returncode == cold[0]
    assert json.loads(run.stdout)["packages"] == json.loads(cold[1])["packages"]
    assert run.stderr.count("not used (not writable") == 1 and "rebuilding" not in run.stderr
    assert sorted(path.name for path in cache.iterdir() if "corrupt" in path.name) == []


def test_a_store_locked_by_another_run_is_not_taken_for_a_damaged_one(
    rpms: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store another run holds locked past the wait (or on a full disk) is good: it is not used
    this time, and left where it is. Set aside as damaged, every run sharing it lost it."""
    cache = rpms.parent / "cache"
    cold = scan([str(rpms), "--cache-dir", str(cache), "--format", "json"], capsys)
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.05)
    other = sqlite3.connect(cache / DATABASE, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        locked = scan([str(rpms), "--cache-dir", str(cache), "--format", "json"], capsys)
    finally:
        other.close()
    assert locked[0] == cold[0]
    assert json.loads(locked[1])["packages"] == json.loads(cold[1])["packages"]
    assert "not used (database is locked)" in locked[2] and "rebuilding" not in locked[2]
    assert sorted(path.name for path in cache.iterdir() if "corrupt" in path.name) == []
    assert scan([str(rpms), "--cache-dir", str(cache), "--format", "json"], capsys) == cold  # replayed
