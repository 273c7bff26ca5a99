"""``primary_db``, the SQLite copy of primary.xml that yum 3 (XCP-ng 8.x) reads in its place: a
repository whose database lists other packages, or other dependencies, than its primary.xml is
refused (exit 3). Audited from primary.xml alone it passed, clean under ``--strict``, while
every yum host of the repository was offered the Citrix package only the database listed."""

from __future__ import annotations

import bz2
import json
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.runtime import parallel
from auditor.sources import primary_db, rpmbatch
from tests.rpmbuild import binary_of
from tests.sources.repomd_entry import install_metadata

CLEAN = """Name: clean-tool
Version: 1.0
Release: 1
Summary: clean
License: MIT
Vendor: XCP-ng
BuildArch: noarch
Requires: /bin/sh
%description
clean
%files
"""

CITRIX = CLEAN.replace("clean-tool", "ctx-agent").replace("Vendor: XCP-ng", "Vendor: Citrix Systems, Inc.")


@pytest.fixture(scope="module")
def rpms(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The clean package and the Citrix one, built once."""
    made = []
    for text in (CLEAN, CITRIX):
        directory = tmp_path_factory.mktemp("rpm")
        made.append(binary_of(text, directory))
    return made[0], made[1]


def repository(directory: Path, packages: list[Path]) -> Path:
    """createrepo_c's repository of ``packages``, with its databases (createrepo_c's default)."""
    directory.mkdir()
    for package in packages:
        shutil.copy(package, directory)
    subprocess.run(["createrepo_c", "--quiet", "--database", str(directory)], check=True, capture_output=True)
    return directory


def database_of(repo: Path, scratch: Path) -> Path:
    """The repository's primary_db, decompressed into ``scratch``."""
    packed = next((repo / "repodata").glob("*-primary.sqlite.bz2"))
    path = scratch / "primary.sqlite"
    path.write_bytes(bz2.decompress(packed.read_bytes()))
    return path


def install_database(repo: Path, database: Path, version: str = "10") -> None:
    """Make ``database`` the repository's primary_db, repomd.xml's checksums and sizes fixed:
    it passes every check but what it says."""
    raw = database.read_bytes()
    extra = f"<database_version>{version}</database_version>"
    install_metadata(repo, "primary_db", bz2.compress(raw), raw, "primary.sqlite.bz2", extra)


def edited(repo: Path, scratch: Path, change: Callable[[sqlite3.Connection], object]) -> None:
    """The repository's own primary_db, changed by ``change``."""
    database = database_of(repo, scratch)
    db = sqlite3.connect(database)
    change(db)
    db.commit()
    db.close()
    install_database(repo, database)


def scan(repo: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["scan", str(repo), "--no-cache", "--strict", "--metadata-only", "--format", "json", "-q"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    errors = json.loads(out)["errors"]
    assert all(error["input"].endswith("-primary.sqlite.bz2") for error in errors)  # the file is named
    return code, [error["message"] for error in errors]


def test_a_database_createrepo_c_wrote_with_the_xml_passes(
    tmp_path: Path, rpms: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", list(rpms))
    assert scan(repo, capsys)[1] == []


def test_a_package_only_the_database_lists_is_refused(
    tmp_path: Path, rpms: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    clean, citrix = rpms
    repo = repository(tmp_path / "repo", [clean])
    both = repository(tmp_path / "both", [clean, citrix])
    database = database_of(both, tmp_path)
    db = sqlite3.connect(database)  # fetched from elsewhere: no file of it in the repository
    db.execute(
        "UPDATE packages SET location_base = 'https://downloads.citrix.example/' WHERE name = 'ctx-agent'"
    )
    db.commit()
    db.close()
    install_database(repo, database)
    code, errors = scan(repo, capsys)
    assert code == 3
    [error] = errors
    assert error.startswith("lists 1 package(s) primary.xml does not (ctx-agent-1.0-1.noarch): yum 3 reads")


def test_a_package_only_the_xml_lists_is_refused(
    tmp_path: Path, rpms: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", list(rpms))
    edited(repo, tmp_path, lambda db: db.execute("DELETE FROM packages WHERE name = 'clean-tool'"))
    code, errors = scan(repo, capsys)
    assert code == 3 and "lacks 1 package(s) of primary.xml (clean-tool-1.0-1.noarch)" in errors[0]


def test_a_requirement_only_the_database_has_is_refused(
    tmp_path: Path, rpms: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", list(rpms))

    def require(db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO requires (name, flags, epoch, version, release, pkgKey, pre) "
            "SELECT 'ctx-agent', NULL, NULL, NULL, NULL, pkgKey, 'FALSE' FROM packages WHERE name = 'clean-tool'"
        )

    edited(repo, tmp_path, require)
    code, errors = scan(repo, capsys)
    assert code == 3
    assert "clean-tool-1.0-1.noarch: dependencies differ from primary.xml (requires ctx-agent)" in errors[0]


def test_a_database_yum_does_not_read_is_not_compared(
    tmp_path: Path, rpms: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    clean, citrix = rpms
    repo = repository(tmp_path / "repo", [clean])
    install_database(repo, database_of(repository(tmp_path / "both", [clean, citrix]), tmp_path), version="9")
    assert scan(repo, capsys)[1] == []  # yum 3 parses primary.xml then, as dnf does


@pytest.mark.parametrize(
    ("hostile", "said"),
    [
        ("DROP TABLE requires; CREATE VIEW requires AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
         "SELECT i + 1 FROM n) SELECT 'x' AS name, NULL AS flags, NULL AS epoch, NULL AS version, "
         "NULL AS release, i AS pkgKey, 0 AS pre FROM n", "no plain table requires"),
        ("DROP TABLE conflicts; CREATE TABLE conflicts (name TEXT, flags TEXT, epoch TEXT, version TEXT, "
         "release TEXT, pkgKey INTEGER, big BLOB AS (zeroblob(1000000)))", "conflicts has computed columns"),
        ("DROP TABLE packages", "no plain table packages"),
    ],
)  # fmt: skip
def test_a_hostile_database_is_refused_not_run(
    tmp_path: Path, rpms: tuple[Path, Path], capsys: pytest.CaptureFixture[str], hostile: str, said: str
) -> None:
    repo = repository(tmp_path / "repo", list(rpms))
    edited(repo, tmp_path, lambda db: db.executescript(hostile))
    code, errors = scan(repo, capsys)
    assert code == 3 and said in errors[0]


def test_values_the_database_does_not_hold_are_bounded_by_its_size(
    tmp_path: Path, rpms: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", list(rpms))
    # A column added with a default gives that default to every record written before it:
    # 100 KB of schema and 2,000 short records read as 200 MB of names.
    default = "x" * 100_000

    def swollen(db: sqlite3.Connection) -> None:
        db.executescript(
            "DROP TABLE requires; CREATE TABLE requires (flags TEXT, epoch TEXT, version TEXT, "
            "release TEXT, pkgKey INTEGER, pre BOOLEAN);"
        )
        db.executemany("INSERT INTO requires VALUES (NULL, NULL, NULL, NULL, 1, 0)", [()] * 2000)
        db.execute(f"ALTER TABLE requires ADD COLUMN name TEXT DEFAULT '{default}'")

    edited(repo, tmp_path, swollen)
    code, errors = scan(repo, capsys)
    assert code == 3 and "primary_db holds more text than its size allows" in errors[0]


def test_a_database_far_larger_than_its_xml_is_refused_before_it_fills_the_disk(
    tmp_path: Path, rpms: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", list(rpms))
    # 4 MiB of zeros compress to a few hundred bytes: a database's temporary file could be a
    # bomb's whole output. It may be 4 times primary.xml and 1 MiB more.
    edited(
        repo,
        tmp_path,
        lambda db: db.executescript(
            "CREATE TABLE padding (b BLOB); INSERT INTO padding VALUES (zeroblob(4194304));"
        ),
    )
    code, errors = scan(repo, capsys)
    assert code == 3 and "decompresses to more than" in errors[0]


def test_a_schema_error_that_is_not_utf8_is_refused(
    tmp_path: Path, rpms: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", list(rpms))

    def broken(db: sqlite3.Connection) -> None:
        # SQLite's error names the table, which Python decodes as UTF-8: an internal error.
        db.execute("PRAGMA writable_schema = ON")
        db.execute(
            "UPDATE sqlite_master SET name = CAST(x'b0ff' AS TEXT), sql = 'CREATE TABLE (' WHERE name = 'files'"
        )

    edited(repo, tmp_path, broken)
    code, errors = scan(repo, capsys)
    assert code == 3 and "not a readable primary_db" in errors[0]


def test_a_database_that_is_not_one_is_refused(
    tmp_path: Path, rpms: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", list(rpms))
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"not a database\n" * 100)
    install_database(repo, garbage)
    code, errors = scan(repo, capsys)
    assert code == 3 and "not a readable primary_db" in errors[0]


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The work of each child the run forks, as it is forked."""
    started: list[object] = []
    fork = parallel._fork

    def counted(work: Any) -> Any:
        started.append(work)
        return fork(work)

    monkeypatch.setattr(parallel, "_fork", counted)
    return started


def test_a_database_read_in_a_child_is_compared_the_same(
    tmp_path: Path,
    rpms: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    forked: list[object],
) -> None:
    """From `READ_DATABASE_FROM` bytes the database is read in a forked child while primary.xml
    is parsed: what it lists, and what it lacks, come back whole."""
    monkeypatch.setattr(primary_db, "READ_DATABASE_FROM", 0)
    repo = repository(tmp_path / "repo", list(rpms))
    assert scan(repo, capsys)[1] == [] and len(forked) == 1
    edited(repo, tmp_path, lambda db: db.execute("DELETE FROM packages WHERE name = 'clean-tool'"))
    code, errors = scan(repo, capsys)
    assert code == 3 and "lacks 1 package(s) of primary.xml (clean-tool-1.0-1.noarch)" in errors[0]
    assert len(forked) == 2


@pytest.mark.parametrize("beside", [True, False])
def test_a_database_read_beside_a_header_worker_is_compared_the_same(
    tmp_path: Path,
    rpms: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    forked: list[object],
    beside: bool,
) -> None:
    """While a worker reads enough package headers to keep the other CPU busy
    (`parallel.read_here`), the database is read in this process, not in a third one; with too
    few, in a child as before. Either way what it lacks refuses the repository."""
    monkeypatch.setattr(parallel, "WORKERS", 2)
    monkeypatch.setattr(primary_db, "READ_DATABASE_FROM", 0)
    monkeypatch.setattr(rpmbatch, "READ_RPMS_FROM", 1)  # the two files are read by a worker
    monkeypatch.setattr(parallel, "DATABASE_PER_HEADER", 1 << 40 if beside else 0)
    repo = repository(tmp_path / "repo", list(rpms))
    edited(repo, tmp_path, lambda db: db.execute("DELETE FROM packages WHERE name = 'clean-tool'"))
    code = main(["scan", str(repo), "--no-cache", "--format", "json", "-q"])
    errors = [error["message"] for error in json.loads(capsys.readouterr().out)["errors"]]
    assert code == 3 and errors == [error for error in errors if "lacks 1 package(s) of primary.xml" in error]
    assert len(errors) == 1 and "(clean-tool-1.0-1.noarch)" in errors[0]
    assert len(forked) == (1 if beside else 2)  # the header worker, and the database's child


TOOL = """Name: {name}
Version: 1.0
Release: 1
Summary: s
License: MIT
Vendor: {vendor}
BuildArch: noarch
{tags}
%description
d
%install
mkdir -p %{{buildroot}}/usr/bin
echo tool > %{{buildroot}}/usr/bin/{name}
{more}
%files
/usr/bin/{name}
{listed}
"""


def test_a_primary_file_the_database_gives_another_package_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``app`` requires ``/usr/bin/foo``, which the clean ``foo-tools`` owns; the database gives
    that path to the Citrix ``ctx-agent`` instead. yum 3 meets a requirement on a path of
    ``/usr/bin`` or ``/etc`` from the database's ``files`` table: on its hosts ``app`` installs
    ``ctx-agent``. The tables were not compared: the repository passed as dnf reads it."""
    foo = "echo foo > %{buildroot}/usr/bin/foo"
    texts = [
        TOOL.format(name="app", vendor="XCP-ng", tags="Requires: /usr/bin/foo", more="", listed=""),
        TOOL.format(name="foo-tools", vendor="XCP-ng", tags="", more=foo, listed="/usr/bin/foo"),
        TOOL.format(name="ctx-agent", vendor="Citrix Systems, Inc.", tags="", more="", listed=""),
    ]
    built = []
    for number, text in enumerate(texts):
        (tmp_path / f"rpm{number}").mkdir()
        built.append(binary_of(text, tmp_path / f"rpm{number}"))
    repo = repository(tmp_path / "repo", built)
    assert scan(repo, capsys)[1] == []

    def give_the_path_to_the_citrix_package(db: sqlite3.Connection) -> None:
        db.execute(
            "UPDATE files SET pkgKey = (SELECT pkgKey FROM packages WHERE name = 'ctx-agent')"
            " WHERE name = '/usr/bin/foo'"
        )

    edited(repo, tmp_path, give_the_path_to_the_citrix_package)
    code, errors = scan(repo, capsys)
    assert code == 3
    [error] = errors
    assert "primary files differ from primary.xml" in error and "/usr/bin/foo)" in error, error
    assert "yum 3 meets file requirements by primary_db" in error


def test_an_obsoletes_keyed_by_text_is_refused(
    tmp_path: Path, rpms: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """An ``Obsoletes: clean-tool`` of the Citrix package keyed ``'2'`` in a column of no type:
    yum 3 joins ``obsoletes.pkgKey = packages.pkgKey``, where SQLite reads the text as the
    number, so on its hosts ctx-agent replaces clean-tool. The comparison skipped any key that
    was not an integer, and the repository passed."""
    repo = repository(tmp_path / "repo", list(rpms))

    def obsolete_by_text(db: sqlite3.Connection) -> None:
        db.executescript(
            "ALTER TABLE obsoletes RENAME TO old; CREATE TABLE obsoletes (name TEXT, flags TEXT,"
            " epoch TEXT, version TEXT, release TEXT, pkgKey); INSERT INTO obsoletes SELECT * FROM old;"
            " DROP TABLE old;"
        )
        (key,) = db.execute("SELECT pkgKey FROM packages WHERE name = 'ctx-agent'").fetchone()
        db.execute("INSERT INTO obsoletes VALUES ('clean-tool', NULL, NULL, NULL, NULL, ?)", (str(key),))
        joined = "SELECT packages.name FROM obsoletes, packages WHERE obsoletes.pkgKey = packages.pkgKey"
        assert db.execute(joined).fetchall() == [("ctx-agent",)]  # as yum 3's returnObsoletes reads it

    edited(repo, tmp_path, obsolete_by_text)
    code, errors = scan(repo, capsys)
    assert code == 3 and "a obsoletes row's pkgKey '2' is not an integer" in errors[0], errors


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            "INSERT INTO provides (name, pkgKey) VALUES ('x', 99)",
            "a provides row's pkgKey 99 names no package",
        ),
        (
            "ALTER TABLE packages RENAME TO old; CREATE TABLE packages AS SELECT * FROM old;"
            " INSERT INTO packages SELECT * FROM old; DROP TABLE old",
            "lists pkgKey 1 twice",
        ),
    ],
)
def test_keys_no_package_or_two_have_are_refused(
    tmp_path: Path, rpms: tuple[Path, Path], capsys: pytest.CaptureFixture[str], change: str, said: str
) -> None:
    """yum 3 finds the package of a key by its first row: one the comparison kept the last of."""
    repo = repository(tmp_path / "repo", list(rpms))
    edited(repo, tmp_path, lambda db: db.executescript(change))
    code, errors = scan(repo, capsys)
    assert code == 3 and said in errors[0], errors


def test_a_package_the_database_locates_on_a_citrix_host_is_refused(
    tmp_path: Path, rpms: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """yum 3 downloads a package from its row's ``location_base`` (``YumRepository.getPackage``):
    the same package, fetched by every yum 3 host from Citrix's server, passed, where primary.xml's
    ``<location xml:base>`` naming it would be judged."""
    clean, _ = rpms
    repo = repository(tmp_path / "repo", [clean])
    edited(
        repo,
        tmp_path,
        lambda db: db.execute("UPDATE packages SET location_base = 'https://downloads.citrix.com/xs/'"),
    )
    code, errors = scan(repo, capsys)
    assert code == 3
    [error] = errors
    assert error.startswith(
        "clean-tool-1.0-1.noarch: located at https://downloads.citrix.com/xs/clean-tool-1.0-1.noarch.rpm, not at"
    ), error


def test_a_repository_mergerepo_c_merged_from_local_ones_passes(
    tmp_path: Path, rpms: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """mergerepo_c writes a local repository's path bare as the rows' ``location_base`` and as a
    ``file://`` URL in primary.xml's ``xml:base``: the same file to yum 3 (urlgrabber reads a bare
    path as a ``file:`` URL), and the merge was refused as located elsewhere."""
    assert shutil.which("mergerepo_c"), "mergerepo_c is the authority here: install createrepo-c"
    halves = [repository(tmp_path / name, [package]) for name, package in zip(("a", "b"), rpms, strict=True)]
    merged = tmp_path / "merged"
    command = ["mergerepo_c", "--database", "-o", str(merged), *(f"--repo=file://{half}" for half in halves)]
    subprocess.run(command, check=True, capture_output=True)
    database = sqlite3.connect(database_of(merged, tmp_path))
    bases = {base for (base,) in database.execute("SELECT location_base FROM packages")}
    assert bases == {str(half) for half in halves}
    database.close()
    assert scan(merged, capsys)[1] == []  # --strict: exit 3 all the same, for what was not read
    # the same path written as another file:// URL's is still another place
    edited(merged, tmp_path, lambda db: db.execute("UPDATE packages SET location_base = '/elsewhere'"))
    code, errors = scan(merged, capsys)
    assert code == 3 and "located at file:///elsewhere/" in errors[0], errors
