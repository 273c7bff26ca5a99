"""The SQLite databases yum 3 reads in place of the XML (``primary_db``, ``filelists_db``), opened
as the hostile files they are.

A database comes from the repository: it is decompressed within the limits of every metadata
file into a temporary file, opened read-only, its tables checked to be tables (a view runs what
its author wrote), each query's work bounded (`MAX_STEPS_PER_BYTE`) and the text read bounded
by the file's size (`MAX_CHARACTERS_PER_BYTE`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Callable, Container, Iterator, Sequence
from urllib.parse import quote

from auditor.core.errors import InputError
from auditor.formats.repomd import MetadataFile
from auditor.sources.metadata_file import open_decompressed

YUM_DB_VERSION = "10"
"""The database version yum 3 reads (``yum.constants.DBVERSION``); it parses the XML otherwise."""

MAX_STEPS_PER_BYTE = 64
"""SQLite virtual machine steps allowed per byte of the database (and a floor of 64 Mi): reading
a table whole takes a few per byte; a hostile schema cannot run past it."""

_CHECK_EVERY = 1 << 16
"""Steps between two checks of that bound."""

MAX_VALUE = 1 << 20
"""Bytes of one value SQLite may make (its ``SQLITE_LIMIT_LENGTH``): the metadata's `MAX_TEXT`."""

MAX_CHARACTERS_PER_BYTE = 4
"""Characters of text read per byte of the database (at least 1 MiB of it): stored text takes a
byte a character or more, so only a value the file does not hold passes it."""

Rows = Callable[[str], Iterator[tuple[object, ...]]]
"""Runs one query of an opened database, its rows counted against the database's size."""


def read_by_yum(entry: MetadataFile | None) -> bool:
    """Whether yum 3 reads this database entry (``primary_db``, ``filelists_db``) instead of its XML
    (``yumRepo._check_db_version``)."""
    return entry is not None and (entry.database_version or "").strip() == YUM_DB_VERSION


@contextlib.contextmanager
def opened(path: str, shown: str, open_size: int | None, tables: Sequence[str], kind: str) -> Iterator[Rows]:
    """The verified database file at ``path`` (a ``kind``, as ``primary_db``), decompressed and
    opened, its ``tables`` checked: `InputError` naming ``shown`` when it cannot be read."""
    with tempfile.TemporaryDirectory(prefix=f"auditor-{kind.replace('_', '-')}-") as directory:
        database = os.path.join(directory, "database.sqlite")
        with open(database, "wb") as out:

            def write(chunks: Iterator[bytes]) -> None:
                for chunk in chunks:
                    out.write(chunk)

            open_decompressed(path, shown, open_size, write)
        size = os.path.getsize(database)
        try:
            db = sqlite3.connect(f"file:{quote(database)}?mode=ro&immutable=1", uri=True)
            try:
                yield _bounded(db, size, shown, tables, kind)
            finally:
                db.close()
        except (sqlite3.Error, UnicodeDecodeError) as exc:  # a TEXT value is decoded as UTF-8
            raise InputError(shown, f"not a readable {kind}: {exc}") from None


def _bounded(db: sqlite3.Connection, size: int, shown: str, tables: Sequence[str], kind: str) -> Rows:
    budget = [max(size * MAX_STEPS_PER_BYTE, 64 << 20) // _CHECK_EVERY]

    def spend() -> int:
        budget[0] -= 1
        return 1 if budget[0] < 0 else 0  # non-zero interrupts the query

    db.set_progress_handler(spend, _CHECK_EVERY)
    db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE)
    db.execute("PRAGMA trusted_schema = OFF")
    _check_schema(db, shown, tables, kind)
    left = [max(size, 1 << 20) * MAX_CHARACTERS_PER_BYTE]

    def rows(query: str) -> Iterator[tuple[object, ...]]:
        # A column's DEFAULT fills the fields a short record lacks: values may be larger than
        # the file, so what is read is counted against it.
        for row in db.execute(query):
            left[0] -= sum(len(value) for value in row if isinstance(value, (str, bytes)))
            if left[0] < 0:
                raise InputError(shown, f"{kind} holds more text than its size allows: refused")
            yield row

    return rows


def _check_schema(db: sqlite3.Connection, shown: str, tables: Sequence[str], kind: str) -> None:
    """The tables read are plain tables whose columns are stored: a view, a virtual table or a
    generated column runs what the database's author wrote at each read."""
    schema = {
        name: (kind, sql) for name, kind, sql in db.execute("SELECT name, type, sql FROM sqlite_master")
    }
    for table in tables:
        table_kind, sql = schema.get(table, (None, None))
        if (
            table_kind != "table"
            or not isinstance(sql, str)
            or not sql.lstrip().upper().startswith("CREATE TABLE")
        ):
            raise InputError(shown, f"{kind} has no plain table {table}: not yum's database")
        if any(hidden for *_, hidden in db.execute(f"PRAGMA table_xinfo({table})")):
            raise InputError(shown, f"{kind}'s table {table} has computed columns: not yum's database")


def text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def row_key(value: object, table: str, shown: str, known: Container[int] | None = None) -> int:
    """A ``table`` row's pkgKey: `InputError` unless it is an integer (and one of ``known``).

    yum 3 finds a package by the key a row gives, and SQLite compares a text ``'2'`` stored in
    a column of no type with the packages' integer keys as the number 2 (``obsoletes.pkgKey =
    packages.pkgKey``): a Citrix package's ``Obsoletes: clean-tool`` keyed so was read by every
    yum 3 host and by no comparison, which skipped keys that were not integers. A key naming
    no package makes yum fail (``pkgKey ... doesn't exist``); createrepo_c writes neither."""
    if type(value) is not int:
        shown_value = repr(value)[:40]
        raise InputError(
            shown, f"a {table} row's pkgKey {shown_value} is not an integer: not yum's database; refused"
        )
    if known is not None and value not in known:
        raise InputError(
            shown, f"a {table} row's pkgKey {value} names no package: not yum's database; refused"
        )
    return value
