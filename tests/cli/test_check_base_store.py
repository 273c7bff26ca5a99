"""``auditor check`` keeps what it took of the audit of BASE in the store, and a later check
against the same BASE takes it from there instead of auditing BASE again.

Whatever decides that record is in its key: BASE's files, the policy, waivers, options and the
date, never NEW. The checks here compare each run that may have used a stored record with a
run that cannot have (``--no-cache``), byte for byte, on the shipped example (real RPMs built
by rpmbuild, repodata by createrepo_c).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import zstandard

from auditor.cli import checkbase
from auditor.cli.main import main
from tests.conftest import RPMS
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"

CHANGE = """\
Name: xapi
Version: 1.250.0
Release: 1.xcpng
Summary: the toolstack, next version
License: LGPLv2
URL: https://github.com/xapi-project/xen-api
Source0: https://github.com/xapi-project/xen-api/archive/v%{version}/xen-api-%{version}.tar.gz
BuildArch: noarch
%description
x
%package core
Summary: core
Requires: xcp-emu-manager
Requires: {requires}
%description core
x
%files core
%{_datadir}/xapi
"""


@pytest.fixture
def base(tmp_path: Path) -> list[str]:
    """A copy of the example: each test may change it."""
    shutil.copytree(EXAMPLE / "repo", tmp_path / "repo", symlinks=True)
    shutil.copytree(EXAMPLE / "srpms", tmp_path / "srpms", symlinks=True)
    return [str(tmp_path / "repo"), str(tmp_path / "srpms")]


def spec(tmp_path: Path, requires: str) -> str:
    path = tmp_path / "xapi.spec"
    path.write_text(CHANGE.replace("{requires}", requires))
    return str(path)


def check(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["check", *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def stored_records(cache: Path) -> list[tuple[str, bytes]]:
    with sqlite3.connect(cache / "auditor.sqlite3") as db:
        rows = db.execute("SELECT key, data FROM reports WHERE key LIKE 'check-base%'").fetchall()
    return [(key, zstandard.ZstdDecompressor().decompressobj().decompress(data)) for key, data in rows]


@pytest.mark.parametrize("fmt", ["json", "markdown", "table"])
def test_a_second_check_takes_base_from_the_store_and_says_the_same(
    fmt: str, base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    args = ["--against", *base, "--cache-dir", str(cache), "--format", fmt]
    for requires in ("xcp-featured", "v6d-citrix", "xcp-python-libs"):  # clean, worse, unchanged
        change = spec(tmp_path, requires)
        unstored = check([change, *args, "--no-cache"], capsys)
        first = check([change, *args], capsys)
        again = check([change, *args], capsys)
        assert first == unstored and again == unstored
    # NEW is not in the key: one record, whichever change was checked.
    [(_, record)] = stored_records(cache)
    assert json.loads(record)["audited"] > 0


def test_a_change_of_base_is_a_new_record(
    base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Citrix package added to BASE: the change is no longer what brings it."""
    cache = tmp_path / "cache"
    change = spec(tmp_path, "v6d-citrix")
    args = [change, "--against", *base, "--cache-dir", str(cache), "--format", "json"]
    code, out, _ = check(args, capsys)
    assert code == 1
    shutil.copy(RPMS / "bcond-citrix-1.0-1.src.rpm", Path(base[1]) / "Packages")
    subprocess.run(["createrepo_c", "--quiet", "--update", base[1]], check=True, capture_output=True)
    assert check(args, capsys) == check([*args, "--no-cache"], capsys)
    assert check(args, capsys)[1] != out
    assert len(stored_records(cache)) == 2


WAIVER = """\
[[waiver]]
rule = "status:build-depends"
package = "{package}"
reason = "rebuilt without it next release"
owner = "release"
expires = "2099-01-01"
"""


def test_a_waiver_edited_is_a_new_record(
    base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same number of waivers, none expired: only the file's content tells the two apart."""
    cache = tmp_path / "cache"
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(WAIVER.format(package="no-such-package"))
    args = [spec(tmp_path, "xcp-featured"), "--against", *base, "--cache-dir", str(cache)]
    args += ["--waivers", str(waivers), "--format", "json"]
    check(args, capsys)
    waivers.write_text(WAIVER.format(package="blktap"))
    code, out, err = check(args, capsys)
    assert (code, out, err) == check([*args, "--no-cache"], capsys) and code != 2
    # BASE decided without the waiver, then with it: another record.
    assert len({json.loads(record)["blocking"] for _, record in stored_records(cache)}) == 2


def test_a_damaged_record_is_dropped_said_and_base_audited_again(
    base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = tmp_path / "cache"
    args = [spec(tmp_path, "v6d-citrix"), "--against", *base, "--cache-dir", str(cache), "--format", "json"]
    expected = check([*args, "--no-cache"], capsys)
    check(args, capsys)
    [(key, record)] = stored_records(cache)
    document = json.loads(record)
    document["packages"][0][6] = 7  # a status that is no text: another shape than the one written
    damaged = zstandard.ZstdCompressor().compress(json.dumps(document).encode())
    meta = {"kind": "check-base", "exit_code": 0, "messages": []}
    meta |= {"codec": "zstd", "sha256": hashlib.sha256(damaged).hexdigest(), "key": key}
    with sqlite3.connect(cache / "auditor.sqlite3") as db:
        db.execute("UPDATE reports SET data = ?, meta = ? WHERE key = ?", (damaged, json.dumps(meta), key))
    code, out, err = check(args, capsys)
    assert (code, out) == expected[:2]
    assert "cache: a damaged record of BASE's audit was dropped and read again" in err
    assert check(args, capsys) == expected  # stored again, whole


def test_an_error_of_base_is_said_once_from_the_store_too(
    base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """BASE's errors are in both audits; read back from the store they are copies, said once."""
    (tmp_path / "more").mkdir()
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", tmp_path / "more")
    broken = tmp_path / "more" / "broken.src.rpm"
    broken.write_bytes((RPMS / "epochs-1.2-4.src.rpm").read_bytes()[:500])
    cache = tmp_path / "cache"
    args = [spec(tmp_path, "xcp-featured"), "--against", *base, str(tmp_path / "more")]
    args += ["--cache-dir", str(cache), "--format", "json"]
    expected = check([*args, "--no-cache"], capsys)
    assert expected[0] == 3
    assert [error["input"] for error in json.loads(expected[1])["errors"]] == [str(broken)]
    assert check(args, capsys) == expected
    assert check(args, capsys) == expected


def test_a_record_past_the_ceiling_is_damaged_not_held(
    base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row that inflates past the ceiling (a compression bomb written into the cache) is
    dropped before it is held whole; the example's record stands in for one, under a ceiling
    lowered below its size."""
    cache = tmp_path / "cache"
    args = [spec(tmp_path, "v6d-citrix"), "--against", *base, "--cache-dir", str(cache), "--format", "json"]
    expected = check([*args, "--no-cache"], capsys)
    check(args, capsys)
    [(_, record)] = stored_records(cache)
    monkeypatch.setattr(checkbase, "RECORD_CEILING", len(record) // 2)
    code, out, err = check(args, capsys)
    assert (code, out) == expected[:2]
    assert "cache: a damaged record of BASE's audit was dropped and read again" in err


def test_a_cache_that_cannot_be_written_is_said_once(base: list[str], tmp_path: Path) -> None:
    """The models' store and BASE's are one file: a read-only one was said twice, each saying
    it (a scan says it once), and the report is the one made without the store."""
    from tests.unprivileged import auditor_without_override

    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    args = ["check", spec(tmp_path, "v6d-citrix"), "--against", *base, "--format", "json", "-q"]
    done = auditor_without_override(*args, "--cache-dir", str(cache))
    unstored = auditor_without_override(*args, "--no-cache")
    assert (done.returncode, done.stdout) == (unstored.returncode, unstored.stdout) == (1, unstored.stdout)
    said = [line for line in done.stderr.splitlines() if line.startswith(f"auditor: warning: cache {cache}")]
    assert len(said) == 1, done.stderr


def test_a_base_changed_after_its_record_was_taken_is_audited_again(
    base: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record is taken by the key's first look at BASE; BASE is read after. A BASE that
    changed between the two (a mirror syncing: a Citrix source package added) was compared as
    it was, from the record, with the change put into BASE as it then was read: BASE's own new
    fact was put on the change's account, a "new" fact of a package the change never named.
    Read as another than the first look, BASE is audited alone again from what was read."""
    cache = tmp_path / "cache"
    args = [spec(tmp_path, "xcp-featured"), "--against", *base, "--cache-dir", str(cache), "--format", "json"]
    check(args, capsys)  # the record of BASE as it was
    taken = checkbase.StoredBase.get

    def taken_then_base_moves(self: checkbase.StoredBase) -> object:
        record = taken(self)
        assert record is not None
        shutil.copy(RPMS / "bcond-citrix-1.0-1.src.rpm", Path(base[1]) / "Packages")
        subprocess.run(["createrepo_c", "--quiet", "--update", base[1]], check=True, capture_output=True)
        return record

    monkeypatch.setattr(checkbase.StoredBase, "get", taken_then_base_moves)
    code, out, _ = check(args, capsys)
    facts = json.loads(out)["facts"]
    assert code == 0 and facts
    assert [fact for fact in facts if fact["package"] == "bcond-citrix"] == []
