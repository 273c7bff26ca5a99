"""The cache of RPM models and reports: warm runs say exactly what cold runs say."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.runtime import identity as identity_module
from auditor.runtime import store as store_module
from auditor.runtime import storedvalues
from auditor.runtime.recording import SPOOL_IN_MEMORY, ReportRecorder
from auditor.runtime.store import DATABASE, Store
from tests.conftest import RPMS, only_incompleteness
from tests.httpserver import LocalServer
from tests.paths import ROOT


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["scan", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def rpms(tmp_path: Path) -> Path:
    target = tmp_path / "rpms"
    shutil.copytree(RPMS, target)
    return target


def database() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "auditor" / DATABASE


@pytest.mark.parametrize("fmt", ["json", "table", "sarif"])
def test_warm_report_is_the_cold_one(rpms: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    cold = scan([str(rpms), "--format", fmt], capsys)
    assert database().is_file()
    warm = scan([str(rpms), "--format", fmt], capsys)
    assert warm == cold
    uncached = scan([str(rpms), "--format", fmt, "--no-cache"], capsys)
    assert uncached == cold


def test_a_changed_input_is_never_answered_from_the_store(
    rpms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = scan([str(rpms), "--format", "json"], capsys)
    (rpms / "xs-sources-devel-1.0-1.noarch.rpm").unlink()
    after = scan([str(rpms), "--format", "json"], capsys)
    assert "xs-sources-devel" in before[1] and "xs-sources-devel" not in after[1]
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", rpms / "renamed.rpm")
    again = scan([str(rpms), "--format", "json"], capsys)
    copies = [item for item in json.loads(again[1])["packages"] if item["nevra"] == "epochs-3:1.2-4.noarch"]
    assert len(copies) == 2


def names(report: str) -> set[str]:
    return {package["name"] for package in json.loads(report)["packages"]}


def test_a_changed_source_package_named_by_sources_is_never_answered_from_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--sources`` names inputs as much as the targets do: the stored report's key left it
    out, and a source package replaced by a Citrix-sourced one replayed the clean report."""
    binaries, sources = tmp_path / "bin", tmp_path / "src"
    binaries.mkdir()
    sources.mkdir()
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", binaries)
    shutil.copy(RPMS / "epochs-1.2-4.src.rpm", sources)
    args = [str(binaries), "--sources", str(sources), "--format", "json", "--fail-on", "origin"]
    before = scan(args, capsys)
    shutil.copy(RPMS / "xs-sources-1.0-1.src.rpm", sources)
    after = scan(args, capsys)
    assert names(before[1]) == {"epochs"} and before[0] == 0
    assert names(after[1]) == {"epochs", "xs-sources"} and after[0] == 1
    assert after == scan([*args, "--no-cache"], capsys)


def test_a_run_reading_sources_from_a_url_is_never_answered_from_the_store(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binaries = tmp_path / "bin"
    binaries.mkdir()
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", binaries)
    args = [str(binaries), "--sources", server.url("/repo/"), "--format", "json", "--fail-on", "none"]
    first = scan(args, capsys)
    asked = len(server.requests)
    assert asked and first[0] == 0
    assert scan(args, capsys) == first
    assert len(server.requests) > asked  # read again, not replayed


def test_a_changed_policy_is_never_answered_from_the_store(
    rpms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "extra.toml"
    policy.write_text("# no rules yet\n")  # an empty file is refused: a comment keeps it on purpose
    first = scan([str(rpms), "--policy", str(policy), "--format", "json"], capsys)
    assert first[0] != 2, first[2]
    policy.write_text(
        '[[rule]]\nid = "fixtures"\nkind = "field"\nseverity = "high"\nmessage = "m"\nfields = ["buildhost"]\ndomains = ["example.org"]\n'
    )
    second = scan([str(rpms), "--policy", str(policy), "--format", "json"], capsys)
    assert '"rule":"fixtures"' not in first[1] and '"rule":"fixtures"' in second[1]


def test_a_changed_provenance_table_is_never_answered_from_the_store(
    rpms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A provenance rule names its table inside the policy file: the policy file is unchanged
    when the table changes, and the table decides the findings."""
    table = tmp_path / "provenance.csv"
    table.write_text("SRPM_name;added_by\nnothing-here;XS\n")
    policy = tmp_path / "extra.toml"
    policy.write_text(
        '[[rule]]\nid = "recorded"\nkind = "provenance"\nseverity = "high"\nmessage = "m"\nfile = "provenance.csv"\n'
    )
    args = [str(rpms), "--policy", str(policy), "--format", "json"]
    first = scan(args, capsys)
    table.write_text("SRPM_name;added_by\nepochs;XS\n")
    second = scan(args, capsys)
    assert '"rule":"recorded"' not in first[1] and '"rule":"recorded"' in second[1]


def test_a_changed_public_key_file_is_never_answered_from_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A signing-key rule names its key file inside the policy file: the policy file is unchanged
    when the vendor's key file gains the key that signed a package, and the key decides the
    finding. The run passed, replaying the report made with the old key file."""
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    gpg = ["gpg", "--homedir", str(home), "--batch", "--passphrase", ""]
    try:
        subprocess.run([*gpg, "--quick-gen-key", "other <other@example.net>", "ed25519", "sign", "never"],
                       check=True, capture_output=True)  # fmt: skip
        exported = subprocess.run([*gpg, "--armor", "--export"], check=True, capture_output=True).stdout
    finally:  # the agent gpg started for the key would outlive the test, one per run
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False)
    key_file = tmp_path / "RPM-GPG-KEY-vendor"
    key_file.write_bytes(exported)
    packages = tmp_path / "signed"
    packages.mkdir()
    shutil.copy(RPMS / "signed-1.0-1.noarch.rpm", packages)
    policy = tmp_path / "keys.toml"
    policy.write_text('schema = 1\n[[rule]]\nid = "vendor-key"\nkind = "signing-key"\nseverity = "high"\n'
                      'key-files = ["RPM-GPG-KEY-vendor"]\nmessage = "m"\nreference = "r"\n')  # fmt: skip
    args = [str(packages), "--policy", str(policy), "--format", "json"]
    first = scan(args, capsys)
    shutil.copy(RPMS / "RPM-GPG-KEY-fixtures", key_file)  # the key that signed the package
    second = scan(args, capsys)
    assert '"rule":"vendor-key"' not in first[1] and '"rule":"vendor-key"' in second[1]
    assert second == scan([*args, "--no-cache"], capsys)


def test_input_errors_are_replayed_too(rpms: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (rpms / "broken.rpm").write_bytes(b"not an rpm at all" * 10)
    cold = scan([str(rpms)], capsys)
    warm = scan([str(rpms)], capsys)
    assert cold == warm and cold[0] == 3 and "broken.rpm" in warm[2]


def test_a_corrupt_store_is_rebuilt_with_a_warning(rpms: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cold = scan([str(rpms), "--format", "json"], capsys)
    database().write_bytes(b"this is not a database" * 100)
    code, out, err = scan([str(rpms), "--format", "json"], capsys)
    assert (code, out) == cold[:2]
    assert "auditor: warning: cache" in err and "rebuilding" in err
    with sqlite3.connect(database()) as db:  # usable again
        assert db.execute("SELECT count(*) FROM packages").fetchone()[0] > 0


def test_models_are_reused_when_only_some_files_change(
    rpms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan([str(rpms), "--format", "json", "--fail-on", "none"], capsys)
    with sqlite3.connect(database()) as db:
        stored = db.execute("SELECT count(*) FROM packages").fetchone()[0]
    os.utime(rpms / "epochs-1.2-4.noarch.rpm", ns=(1, 1))
    scan([str(rpms), "--format", "json", "--fail-on", "none"], capsys)
    with sqlite3.connect(database()) as db:
        assert db.execute("SELECT count(*) FROM packages").fetchone()[0] == stored + 1  # one new model


def test_concurrent_runs_share_the_store(rpms: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "auditor",
        "scan",
        str(rpms),
        "--format",
        "json",
        "--fail-on",
        "none",
        "-q",
    ]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0]
    assert len({out for out, _ in outputs}) == 1
    assert len({err for _, err in outputs}) == 1
    assert all(only_incompleteness(err.decode()) for _, err in outputs)


def test_a_report_made_by_other_code_is_never_replayed(
    rpms: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The version number alone does not identify the code: an editable install or a patched
    one keeps it. A stored report made by a different auditor must not come back."""
    import auditor.reports.table as table

    first = scan([str(rpms)], capsys)
    monkeypatch.setattr(table, "GAP", " ")  # the code changes, and its files with it:
    identity_module.code_identity.cache_clear()
    stamp = Path(table.__file__).stat()
    os.utime(table.__file__, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))
    try:
        second = scan([str(rpms)], capsys)
    finally:
        os.utime(table.__file__, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        identity_module.code_identity.cache_clear()
    assert first[0] == second[0] and first[1] != second[1]


def test_a_report_made_with_other_shipped_data_is_never_replayed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The look-alike letters' table is shipped data, outside the package in a source tree: a
    checkout that changed only it (a letter no longer read as its ASCII look-alike) replayed
    the report made with the old table, blocking where the audit passes, and the other way."""
    from auditor.core.shipped import shipped_file
    from auditor.origin import reading

    spec = tmp_path / "lookalike.spec"
    spec.write_text(
        "Name: lookalike\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\n"
        "Vendor: \u0421itrix Systems, Inc.\nBuildArch: noarch\n%description\nd\n%files\n"
    )  # a Cyrillic capital Es, which the table reads as C
    args = [str(spec), "--format", "json"]
    first = scan(args, capsys)
    table = shipped_file(reading.LOOKALIKES_FILE)
    assert table is not None and first[0] == 1, first[2]
    monkeypatch.setattr(reading, "_lookalikes", lambda: ({}, {}))  # the table changes, and its file:
    identity_module.code_identity.cache_clear()
    stamp = table.stat()
    os.utime(table, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))
    try:
        second = scan(args, capsys)
    finally:
        os.utime(table, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        identity_module.code_identity.cache_clear()
    assert second[0] == 0 and second[1] != first[1]


def test_a_report_made_before_a_library_was_installed_again_is_never_replayed(
    rpms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pip install -U google-re2`` (which matches the policy's patterns) leaves the auditor's
    own files as they were: the report made with the old library came back."""
    library = tmp_path / "site" / "patterns"
    library.mkdir(parents=True)
    (library / "__init__.py").write_text("VERSION = 1\n")
    monkeypatch.syspath_prepend(str(library.parent))
    monkeypatch.setattr(identity_module, "LIBRARIES", (*identity_module.LIBRARIES, "patterns"))
    identity_module.code_identity.cache_clear()
    try:
        first = scan([str(rpms), "--format", "json"], capsys)
        installed = library / "__init__.py.new"
        installed.write_text("VERSION = 2\n")
        installed.replace(library / "__init__.py")  # as pip writes a package's files again
        identity_module.code_identity.cache_clear()
        second = scan([str(rpms), "--format", "json"], capsys)
    finally:
        identity_module.code_identity.cache_clear()
    assert first == second
    with sqlite3.connect(database()) as db:
        assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 2  # audited again, not replayed


def test_a_package_model_stored_under_another_spelling_of_its_path_is_not_reported_with_it(
    rpms: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store knows a file by its absolute path, and the model holds the path as its run
    spelt it: ``scan rpms`` then ``scan /abs/rpms`` reported each package at ``rpms/...``, a
    path that names no file from another working directory, where a cold run names it."""
    monkeypatch.chdir(rpms.parent)
    scan([rpms.name, "--format", "json"], capsys)
    warm = scan([str(rpms), "--format", "json"], capsys)
    cold = scan([str(rpms), "--format", "json", "--no-cache"], capsys)
    assert warm == cold
    locations = [package["location"] for package in json.loads(warm[1])["packages"]]
    assert locations and all(location.startswith(f"{rpms}/") for location in locations)


def test_a_package_model_stored_by_other_code_is_read_again(
    rpms: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a reader takes from a file changes with the reader, under the same version and
    model shape: a model stored by other code must not stand for what this code reads."""
    import auditor.reports.table as table
    import auditor.sources.rpmpackage as rpmpackage

    args = [str(rpms), "--format", "json", "--fail-on", "none"]
    first = json.loads(scan(args, capsys)[1])
    assert "Later Reader" not in {package["vendor"] for package in first["packages"]}
    reader = rpmpackage.package_from_headers

    def later_reader(*args: object, **kwargs: object) -> object:
        return dataclasses.replace(reader(*args, **kwargs), vendor="Later Reader")  # type: ignore[arg-type]

    monkeypatch.setattr(rpmpackage, "package_from_headers", later_reader)
    identity_module.code_identity.cache_clear()
    stamp = Path(table.__file__).stat()  # the code changes, and its files with it
    os.utime(table.__file__, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))
    try:
        second = json.loads(scan([*args, "-q"], capsys)[1])
    finally:
        os.utime(table.__file__, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        identity_module.code_identity.cache_clear()
    assert {package["vendor"] for package in second["packages"]} == {"Later Reader"}


def test_a_file_rewritten_in_place_with_its_size_and_mtime_kept_is_audited_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Size and modification time can be put back (`touch -d`, `rsync --inplace`, a hostile
    edit); the change time cannot. A spec whose Source moved to a Citrix host, written over
    the clean one in place at the same length and with its old mtime, is audited again."""
    spec = tmp_path / "pkg.spec"
    clean = (
        "Name: pkg\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nSource0: https://example.org/pkg.tgz\n"
    )
    tainted = clean.replace("https://example.org/", "https://citrix.com/ ")
    assert len(tainted) == len(clean)
    spec.write_text(clean)
    stamp = spec.stat()
    args = [str(spec), "--format", "json"]
    cold = scan(args, capsys)
    assert cold[0] == 0 and scan(args, capsys) == cold
    with spec.open("r+") as stream:
        stream.write(tainted)
    os.utime(spec, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert (spec.stat().st_size, spec.stat().st_mtime_ns, spec.stat().st_ino) == (
        stamp.st_size,
        stamp.st_mtime_ns,
        stamp.st_ino,
    )
    assert scan(args, capsys)[0] == 1


def test_a_repository_report_is_never_replayed_after_its_package_files_or_sources_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A repository's audit reads its package files and the source repository beside it, not
    only repodata/: a change to any of them must make the next run audit again."""
    example = tmp_path / "example"
    shutil.copytree(ROOT / "examples" / "xcp-ng-mini", example, ignore=shutil.ignore_patterns("specs"))
    repo, srpms = example / "repo", example / "srpms"
    cold = scan([str(repo), "--format", "json"], capsys)
    assert "sm-2.30.8-1.xcpng.src" in cold[1]
    assert scan([str(repo), "--format", "json"], capsys) == cold
    # An RPM copied into the repository without createrepo_c: reported, so never replayed.
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", repo / "Packages" / "stray.rpm")
    stray = scan([str(repo), "--format", "json"], capsys)
    assert "file-outside-metadata" in stray[1] and "file-outside-metadata" not in cold[1]
    (repo / "Packages" / "stray.rpm").unlink()
    assert scan([str(repo), "--format", "json"], capsys) == cold
    # The sibling source repository loses a package file: the Source URLs it held are unseen.
    next((srpms / "Packages").glob("sm-2.30.8-*.src.rpm")).unlink()
    gone = scan([str(repo), "--format", "json"], capsys)
    assert "file-missing" in gone[1] and gone != cold


def test_a_repository_whose_package_files_changed_is_audited_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A repository is read with its package files (headers, files outside the metadata) and
    the source repository beside it: a change to any of them is a new audit, not a replay."""
    example = ROOT / "examples" / "xcp-ng-mini"
    shutil.copytree(example / "repo", tmp_path / "x86_64")
    args = [str(tmp_path / "x86_64"), "--format", "json", "--fail-on", "none"]
    cold = scan(args, capsys)
    assert scan(args, capsys) == cold
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", tmp_path / "x86_64" / "Packages" / "added.rpm")
    added = scan(args, capsys)
    assert "file-outside-metadata" in added[1] and "file-outside-metadata" not in cold[1]
    # the source repository found beside it (SRPMS/) is read too: its arrival changes the report
    shutil.copytree(example / "srpms", tmp_path / "SRPMS")
    with_sources = scan(args, capsys)
    assert with_sources[1] != added[1] and str(tmp_path / "SRPMS") in with_sources[1]
    # with --metadata-only the package files' headers are not read: another file in place of a
    # listed one changes nothing, but an unlisted file is still seen (its gap goes with it)
    metadata_only = scan([*args, "--metadata-only"], capsys)
    [listed] = (tmp_path / "x86_64" / "Packages").glob("blktap-*.rpm")
    shutil.copy(RPMS / "epochs-1.2-4.noarch.rpm", listed)
    assert scan([*args, "--metadata-only"], capsys) == metadata_only
    (tmp_path / "x86_64" / "Packages" / "added.rpm").unlink()
    removed = scan([*args, "--metadata-only"], capsys)
    assert "file-outside-metadata" in metadata_only[1] and "file-outside-metadata" not in removed[1]


@pytest.mark.parametrize("text", ["plain", "é ☃ 𝄞", "\udcff is not UTF-8", 'quote " and \\ and \n'])
def test_a_stored_model_reads_back_as_it_was_written(tmp_path: Path, text: str) -> None:
    """Whichever encoder wrote it (msgspec, or json for a lone surrogate), the model read back
    is the one written, so a warm run audits what the cold one read."""
    value = {"name": text, "values": [0, -1, 10**30, None, True, False], "nested": {"file": text}}
    store = Store(str(tmp_path))
    data = Store.encode(value)
    assert data is not None
    store.put_encoded_packages([("key", data)])
    assert store.get_packages(["key"]) == {"key": value}


def test_a_value_larger_than_a_row_may_hold_is_not_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`decode` refuses a value claiming more than MAX_VALUE_BYTES: one that large is never
    written, rather than written, dropped as damaged with a warning, and written again."""
    monkeypatch.setattr(storedvalues, "MAX_VALUE_BYTES", 1000)
    assert Store.encode({"files": ["/usr/bin/x"] * 100}) is None
    assert Store.encode({"files": ["/usr/bin/x"] * 10}) is not None


def test_a_report_stored_in_pieces_replays_whole(tmp_path: Path) -> None:
    """The compressed pieces are written into one row one by one; the replay is the report."""
    # Text that compresses badly, so that the compressed report outgrows the memory spool.
    text = [os.urandom(40_000).hex() + f" é {number}\n" for number in range(40)]
    recorder = ReportRecorder()
    assert list(recorder.record(text)) == text  # the writer sees every piece as it was
    compressed = recorder.compressed()
    assert compressed is not None and compressed.size > SPOOL_IN_MEMORY  # the spool went to a file
    store = Store(str(tmp_path))
    store.put_report("key", {"exit_code": 1, "messages": ["said"]}, compressed)
    recorder.close()
    found = store.get_report("key")
    assert found is not None and not store.warnings
    meta, output = found
    assert (meta["exit_code"], meta["messages"]) == (1, ["said"])
    assert b"".join(output) == "".join(text).encode("utf-8")


def test_a_report_that_cannot_be_recorded_is_still_written_and_the_run_says_so(
    rpms: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No room for the recording's temporary file: the report is written whole, the exit code
    is the audit's, a warning names what happened, and the next run audits again."""

    def no_room(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    def stored() -> int:
        with sqlite3.connect(database()) as db:
            return int(db.execute("SELECT count(*) FROM reports").fetchone()[0])

    with monkeypatch.context() as patch:
        patch.setattr("tempfile.SpooledTemporaryFile", no_room)
        code, out, err = scan([str(rpms), "--format", "json"], capsys)
    assert json.loads(out)["packages"] and stored() == 0
    assert "cache: the report could not be recorded (No space left on device)" in err
    assert scan([str(rpms), "--format", "json"], capsys)[:2] == (code, out) and stored() == 1


def test_values_encoded_by_many_threads_at_once_read_back_as_written() -> None:
    """The remote reader encodes models in its fetching threads: a zstd context shared between
    threads once made a concurrent run fail ("Src size is incorrect") or crash."""
    import concurrent.futures

    def round_trips(seed: int) -> bool:
        for size in range(300):
            value = {"seed": seed, "files": [f"/usr/lib/{seed}/{n}" for n in range(size)]}
            data = Store.encode(value)
            if data is None or Store.decode(data) != value:
                return False
        return True

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert all(pool.map(round_trips, range(16)))


def _used(tmp_path: Path, table: str, key: str) -> int:
    with sqlite3.connect(tmp_path / DATABASE) as db:
        found: int = db.execute(f"SELECT used FROM {table} WHERE key = ?", (key,)).fetchone()[0]
    return found


def _mark(tmp_path: Path, table: str, key: str, when: int) -> None:
    with sqlite3.connect(tmp_path / DATABASE) as db:
        db.execute(f"UPDATE {table} SET used = ? WHERE key = ?", (when, key))


def _stored(
    rpms: Path, tmp_path: Path, table: str, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, list[str], str]:
    """A cache filled by a scan of ``rpms``: its directory, the scan's arguments, and one key of ``table``."""
    cache = tmp_path / "cache"
    args = ["scan", str(rpms), "--format", "json", "--cache-dir", str(cache), "-q"]
    main(args)
    capsys.readouterr()
    with sqlite3.connect(cache / DATABASE) as db:
        [key, *_] = [row[0] for row in db.execute(f"SELECT key FROM {table}")]
    return cache, args, key


@pytest.mark.parametrize("table", ["packages", "reports"])
def test_what_no_run_used_for_30_days_is_dropped_when_its_table_is_written(
    rpms: Path, tmp_path: Path, table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stored reports were never dropped (the README says entries unused for 30 days are): a
    distribution's is 8 MB, and a daily run of a changing repository added one a day."""
    cache, args, key = _stored(rpms, tmp_path, table, capsys)
    _mark(cache, table, key, int(time.time()) - store_module.MAX_AGE - 3600)
    if table == "packages":
        Store(str(cache)).put_encoded_packages([("another", Store.encode({"x": 1}) or b"")])
    else:
        main([*(arg if arg != "json" else "sarif" for arg in args)])  # another report stored
        capsys.readouterr()
    with sqlite3.connect(cache / DATABASE) as db:
        assert db.execute(f"SELECT count(*) FROM {table} WHERE key = ?", (key,)).fetchone()[0] == 0
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0


@pytest.mark.parametrize("table", ["packages", "reports"])
def test_a_use_is_noted_again_once_a_day(
    rpms: Path, tmp_path: Path, table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A replay rewrote the whole row (a report's compressed output with it) to mark its use
    now; the mark is written again only once it is a day old, so an entry a run uses is still
    kept for 30 days, give or take that day."""
    cache, args, key = _stored(rpms, tmp_path, table, capsys)
    now = int(time.time())
    _mark(cache, table, key, now - 3600)  # marked an hour ago: not written again
    if table == "packages":
        _mark_reports_away(cache)  # so that the run reads the models instead of replaying
    main(args)
    capsys.readouterr()
    assert _used(cache, table, key) == now - 3600
    _mark(cache, table, key, now - 2 * 24 * 3600)  # two days ago: marked now
    if table == "packages":
        _mark_reports_away(cache)
    main(args)
    capsys.readouterr()
    assert _used(cache, table, key) >= now


def _mark_reports_away(cache: Path) -> None:
    with sqlite3.connect(cache / DATABASE) as db:
        db.execute("DELETE FROM reports")
