"""``filelists_db``, the SQLite copy of filelists.xml that yum 3 (XCP-ng 8.x) reads in its place
for a required path primary does not answer for: a database that gives a path to another package
than filelists.xml does is refused (exit 3). Audited from filelists.xml alone, ``app``
(requiring ``/opt/vendor/lib/libx.so``, which the clean ``clean-lib`` owns) passed as clean,
while yum 3 met the requirement with the Citrix ``ctx-lib`` the database gave the path to."""

from __future__ import annotations

import bz2
import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.sources import primary_db
from tests.rpmbuild import binary_of, build_noarch
from tests.sources.repomd_entry import install_metadata
from tests.sources.test_primary_db import repository

LIBRARY = """Name: {name}
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
mkdir -p %{{buildroot}}{directory}
touch %{{buildroot}}{directory}/{file}
%files
{directory}/{file}
"""


@pytest.fixture(scope="module")
def rpms(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """app (requiring a path outside /etc and *bin/), the clean library owning it, and a Citrix one."""
    texts = [
        LIBRARY.format(
            name="app",
            vendor="XCP-ng",
            tags="Requires: /opt/vendor/lib/libx.so",
            directory="/opt/app",
            file="a",
        ),
        LIBRARY.format(
            name="clean-lib", vendor="XCP-ng", tags="", directory="/opt/vendor/lib", file="libx.so"
        ),
        LIBRARY.format(
            name="ctx-lib", vendor="Citrix Systems, Inc.", tags="", directory="/opt/ctx/lib", file="liby.so"
        ),
    ]
    return [binary_of(text, tmp_path_factory.mktemp("rpm")) for text in texts]


def edited(
    repo: Path, scratch: Path, change: Callable[[sqlite3.Connection], object], version: str = "10"
) -> None:
    """The repository's own filelists_db changed by ``change``, repomd.xml's checksums and sizes
    fixed: it passes every check but what it says."""
    packed = next((repo / "repodata").glob("*-filelists.sqlite.bz2"))
    database = scratch / "filelists.sqlite"
    database.write_bytes(bz2.decompress(packed.read_bytes()))
    db = sqlite3.connect(database)
    change(db)
    db.commit()
    db.close()
    raw = database.read_bytes()
    extra = f"<database_version>{version}</database_version>"
    install_metadata(repo, "filelists_db", bz2.compress(raw), raw, "filelists.sqlite.bz2", extra)


def scan(repo: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["scan", str(repo), "--no-cache", "--metadata-only", "--format", "json", "-q"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    report = json.loads(out)
    errors = report["errors"]
    assert all(error["input"].endswith("-filelists.sqlite.bz2") for error in errors)  # the file is named
    statuses = {package["name"]: package["status"] for package in report["packages"]}
    assert errors or statuses["app"] == "clean"
    return code, [error["message"] for error in errors]


def swap(first: str, second: str) -> Callable[[sqlite3.Connection], None]:
    """The rows of the two directories change packages: each path is the other package's."""

    def change(db: sqlite3.Connection) -> None:
        one = db.execute("SELECT pkgKey FROM filelist WHERE dirname = ?", (first,)).fetchone()[0]
        other = db.execute("SELECT pkgKey FROM filelist WHERE dirname = ?", (second,)).fetchone()[0]
        db.execute("UPDATE filelist SET pkgKey = ? WHERE dirname = ?", (other, first))
        db.execute("UPDATE filelist SET pkgKey = ? WHERE dirname = ?", (one, second))

    return change


def yum_answers(repo: Path, scratch: Path, path: str) -> list[str]:
    """The packages yum 3's ``searchFiles`` finds owning ``path``: its query of filelist, each
    row's pkgKey taken for primary_db's package of that key (``_packageByKey``)."""
    databases = {}
    for kind in ("primary", "filelists"):
        packed = next((repo / "repodata").glob(f"*-{kind}.sqlite.bz2"))
        (scratch / f"{kind}.sqlite").write_bytes(bz2.decompress(packed.read_bytes()))
        databases[kind] = sqlite3.connect(scratch / f"{kind}.sqlite")
    directory, name = path.rsplit("/", 1)
    query = (
        "SELECT pkgKey FROM filelist WHERE dirname = ? AND filenames LIKE ? AND length(filetypes) = 1"
        " AND dirname || ? || filenames = ?"
    )
    keys = [key for (key,) in databases["filelists"].execute(query, (directory, f"%{name}%", "/", path))]
    return [
        databases["primary"].execute("SELECT name FROM packages WHERE pkgKey = ?", (key,)).fetchone()[0]
        for key in keys
    ]


def test_the_databases_createrepo_c_wrote_pass(
    tmp_path: Path, rpms: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", rpms)
    assert yum_answers(repo, tmp_path, "/opt/vendor/lib/libx.so") == ["clean-lib"]
    assert scan(repo, capsys)[1] == []


def test_a_path_the_database_gives_the_citrix_package_is_refused(
    tmp_path: Path, rpms: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", rpms)
    edited(repo, tmp_path, swap("/opt/vendor/lib", "/opt/ctx/lib"))
    assert yum_answers(repo, tmp_path, "/opt/vendor/lib/libx.so") == ["ctx-lib"]  # what yum 3 installs
    code, errors = scan(repo, capsys)
    assert code == 3
    [error] = errors
    assert error.startswith("clean-lib-1.0-1.noarch: files differ from filelists.xml (+/opt/ctx/lib/liby.so;")
    assert "yum 3 reads filelists_db, dnf filelists.xml" in error


def test_keys_yum_writes_of_primary_xml_are_its_order(
    tmp_path: Path, rpms: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a primary_db, yum 3 writes its own database of primary.xml, keyed from 1 in its order."""
    repo = repository(tmp_path / "repo", rpms)
    repomd = repo / "repodata" / "repomd.xml"
    repomd.write_text(re.sub(r'<data type="primary_db">.*?</data>', "", repomd.read_text(), flags=re.S))
    assert scan(repo, capsys)[1] == []

    def renumbered(db: sqlite3.Connection) -> None:  # the same rows, keyed from 11
        db.execute("UPDATE filelist SET pkgKey = pkgKey + 10")
        db.execute("UPDATE packages SET pkgKey = pkgKey + 10")

    edited(repo, tmp_path, renumbered)
    code, errors = scan(repo, capsys)
    assert code == 3 and errors[0].startswith("keys its packages otherwise than yum 3's primary database")


def test_a_row_yum_reads_as_other_paths_is_refused(
    tmp_path: Path, rpms: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """One file type: yum matches the whole of filenames, slash and all (/opt/vendor/lib/x/libx.so)."""
    repo = repository(tmp_path / "repo", rpms)
    edited(
        repo,
        tmp_path,
        lambda db: db.execute("UPDATE filelist SET filenames = 'x/libx.so' WHERE filetypes = 'f'"),
    )
    code, errors = scan(repo, capsys)
    assert code == 3 and "a filelist row of 2 name(s) and 1 file type(s)" in errors[0]


def test_a_database_yum_does_not_read_is_not_compared(
    tmp_path: Path, rpms: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", rpms)
    edited(repo, tmp_path, swap("/opt/vendor/lib", "/opt/ctx/lib"), version="9")
    assert scan(repo, capsys)[1] == []  # yum 3 parses filelists.xml then, as dnf does


def test_a_database_without_filelists_xml_is_refused(
    tmp_path: Path, rpms: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """dnf then has no file lists, and yum 3 the database's."""
    repo = repository(tmp_path / "repo", rpms)
    repomd = repo / "repodata" / "repomd.xml"
    repomd.write_text(re.sub(r'<data type="filelists">.*?</data>', "", repomd.read_text(), flags=re.S))
    code, errors = scan(repo, capsys)
    assert code == 3 and "dnf reads no filelists.xml: refused" in errors[0]


def test_a_filelists_db_entry_inside_another_element_is_refused(
    tmp_path: Path, rpms: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """yum 3 takes a <data> at any depth (repoMDObject.py); librepo skips an unknown element."""
    repo = repository(tmp_path / "repo", rpms)
    repomd = repo / "repodata" / "repomd.xml"
    text = repomd.read_text()
    entry = re.search(r'<data type="filelists_db">.*?</data>', text, flags=re.S)
    assert entry is not None
    repomd.write_text(text.replace(entry.group(0), f"<extra>{entry.group(0)}</extra>"))
    code = main(["scan", str(repo), "--no-cache", "--metadata-only", "-q"])
    err = capsys.readouterr().err
    assert code == 3 and "lists filelists_db metadata in a <data> inside <extra>" in err, err


def test_a_row_keyed_by_text_is_refused(
    tmp_path: Path, rpms: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repository(tmp_path / "repo", rpms)

    def keyed_by_text(db: sqlite3.Connection) -> None:
        db.executescript(
            "ALTER TABLE filelist RENAME TO old; CREATE TABLE filelist (pkgKey, dirname TEXT, filenames TEXT,"
            " filetypes TEXT); INSERT INTO filelist SELECT pkgKey, dirname, filenames, filetypes FROM old;"
            " DROP TABLE old; UPDATE filelist SET pkgKey = CAST(pkgKey AS TEXT)"
        )

    edited(repo, tmp_path, keyed_by_text)
    code, errors = scan(repo, capsys)
    assert code == 3 and "a filelist row's pkgKey '1' is not an integer" in errors[0], errors


@pytest.mark.parametrize("directory", ["/opt/vendor/lib/", "/opt/vendor//lib", "opt/vendor/lib"])
def test_a_row_whose_directory_yum_matches_as_no_path_is_refused(
    tmp_path: Path, rpms: list[Path], capsys: pytest.CaptureFixture[str], directory: str
) -> None:
    """yum 3 matches the directory as written against the required path's: clean-lib's row read
    as /opt/vendor/lib's owns nothing for yum, where a Citrix package's row may be all it finds."""
    repo = repository(tmp_path / "repo", rpms)
    edited(
        repo,
        tmp_path,
        lambda db: db.execute(
            "UPDATE filelist SET dirname = ? WHERE dirname = '/opt/vendor/lib'", (directory,)
        ),
    )
    assert yum_answers(repo, tmp_path, "/opt/vendor/lib/libx.so") == []
    code, errors = scan(repo, capsys)
    assert code == 3 and "which yum 3 matches as no path filelists.xml gives" in errors[0], errors


def test_the_relative_paths_of_a_source_package_pass(
    tmp_path: Path, rpms: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """createrepo_c writes a source package's files (its spec, its sources: relative paths) as rows
    of directory ``.``, which no required path matches, as none matches them in filelists.xml."""
    spec = tmp_path / "tool.spec"
    spec.write_text(
        LIBRARY.format(name="tool", vendor="XCP-ng", tags="Source0: tool.tar", directory="/opt/t", file="t")
    )
    srpm, _binary = build_noarch(spec, tmp_path / "top", ["tool.tar"])
    repo = repository(tmp_path / "repo", [*rpms, srpm])
    packed = next((repo / "repodata").glob("*-filelists.sqlite.bz2"))
    (tmp_path / "filelists.sqlite").write_bytes(bz2.decompress(packed.read_bytes()))
    rows = sqlite3.connect(tmp_path / "filelists.sqlite").execute("SELECT dirname, filenames FROM filelist")
    assert (".", "tool.spec/tool.tar") in rows.fetchall()
    assert scan(repo, capsys)[1] == []


def test_the_primary_db_is_read_once_for_both_comparisons(
    tmp_path: Path, rpms: list[Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # filelists_db's pkgKeys are primary_db's: its comparison asked the rows again, and the whole
    # database was read a second time for one column.
    reads: list[str] = []
    read = primary_db.read_primary_db

    def counted(path: str, shown: str, open_size: int | None) -> primary_db.DatabaseRows:
        reads.append(shown)
        return read(path, shown, open_size)

    monkeypatch.setattr(primary_db, "read_primary_db", counted)
    repo = repository(tmp_path / "repo", rpms)
    assert scan(repo, capsys)[1] == []  # app's path is looked up in the file lists, both compared
    assert len(reads) == 1, reads


ROOT_OWNER = """Name: rootfs
Version: 1.0
Release: 1
Summary: owns / as filesystem does
License: MIT
BuildArch: noarch
%description
d
%install
mkdir -p %{buildroot}/srv %{buildroot}/opt/vendor/lib
touch %{buildroot}/opt/vendor/lib/libx.so
%files
%dir /
%dir /srv
/opt/vendor/lib/libx.so
"""


def test_the_root_directory_createrepo_c_writes_for_filesystem_passes(
    tmp_path: Path, rpms: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Every distribution's ``filesystem`` owns ``/``: createrepo_c writes it as the name ``/`` in
    directory ``/`` (``//srv``), one name more than the row's file types when split at each
    slash, and the database of every such repository was refused (exit 3). yum 3.4 reads the
    root there (its ``decodefilenamelist`` replaces ``//`` by ``/``); the paths compared are
    filelists.xml's."""
    (tmp_path / "rootfs").mkdir()
    root_owner = binary_of(ROOT_OWNER, tmp_path / "rootfs")
    repo = repository(tmp_path / "repo", [rpms[0], root_owner])
    packed = next((repo / "repodata").glob("*-filelists.sqlite.bz2"))
    database = tmp_path / "filelists.sqlite"
    database.write_bytes(bz2.decompress(packed.read_bytes()))
    rows = sqlite3.connect(database).execute("SELECT filenames, filetypes FROM filelist WHERE dirname = '/'")
    assert rows.fetchall() == [("//srv", "dd")]  # as createrepo_c writes it
    assert yum_answers(repo, tmp_path, "/opt/vendor/lib/libx.so") == ["rootfs"]
    code = main(["scan", str(repo), "--no-cache", "--metadata-only", "--format", "json", "-q"])
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert (code, report["errors"]) == (0, []), err
    assert {package["name"]: package["status"] for package in report["packages"]} == {
        "app": "clean",
        "rootfs": "clean",
    }
    # An empty name left alone is still refused: the root's pair with a third empty name.
    edited(
        repo,
        tmp_path,
        lambda db: db.execute(
            "UPDATE filelist SET filenames = '///srv', filetypes = 'ddd' WHERE dirname = '/'"
        ),
    )
    code, errors = scan(repo, capsys)
    assert code == 3 and "which yum 3 matches as no path filelists.xml gives" in errors[0], errors
