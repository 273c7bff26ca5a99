"""The local store that makes repeated runs fast: read packages and whole reports.

One SQLite database (``auditor.sqlite3`` in the cache directory, WAL mode, so concurrent
runs share it safely) with two tables:

- ``packages``: the model of an RPM file, keyed by the file's identity (absolute path,
  size, modification and change times, inode) and its path as the run spells it, the
  auditor's version and the model's shape. A file that changes in any way gets a new key,
  so a stale entry is never used; it only ages out. A remote package's header is keyed by
  its repository, URL and checksum instead (`auditor.sources.storedheaders.StoredHeaderModels`).
- ``reports``: the output of a whole ``scan``, keyed by everything that decides it: the
  auditor's version, the options, the content of every policy, waiver and baseline file,
  the date (waivers expire), and the identity of every input file (for a repository, of
  every file under ``repodata/``). Inputs read over the network are never reported from
  the store. What ``check`` keeps of the audit of its BASE is a row of its own there,
  keyed alike (`auditor.cli.checkbase`).

Values are JSON (never pickle): the cache directory may be shared, and a tampered entry
must not be able to run code. Anything wrong with the database (corrupt, locked too
long, unwritable) is a warning: the run goes on without the store, and a corrupt
database is set aside and rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from auditor import __version__
from auditor.runtime.identity import code_identity, digest
from auditor.runtime.recording import REPORT_CODEC, CompressedReport
from auditor.runtime.storedvalues import DAMAGED, decode_value, encode_value, inflate_report, report_row

SCHEMA = 3
DATABASE = "auditor.sqlite3"
MAX_AGE = 30 * 24 * 3600
"""Entries not used for this long are dropped when the store is opened for writing."""
USE_NOTED_EVERY = 24 * 3600
"""An entry's last use is written again only once it is older than this: an age counted in
days (`MAX_AGE`) needs no finer mark, and SQLite rewrites the whole row to change one column,
a replayed report's compressed output with it (7-14 ms of distro-60k's 0.25 s warm run)."""


_PACKAGE_MODEL = "vcs-disturl-translationurl-source_pkgid-arch-builds-scriptlets"
"""Names the shape of a stored package model, changed with it: the version stays the same from
one change to the next, and a model stored before a field the policy reads existed would read
as a package without it (a model from before ``signing_keys`` as an unsigned package, one from
before ``bugurl`` as a package without a BugURL, one from before ``builds`` as a source RPM whose
binaries are unknown, one from before ``scriptlets`` as a binary whose scriptlets name no host)."""


BUSY_TIMEOUT = 10.0
"""Seconds to wait for another run's lock on the store before going on without it."""

_NOT_DAMAGE = frozenset(
    {
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_CANTOPEN,
    }
)
"""Errors opening the store that say nothing against its content: it is not set aside for them."""


class Store:
    """A connection to the store, or a no-op when it cannot be used (``warnings`` says why)."""

    def __init__(self, directory: str | None) -> None:
        self.warnings: list[str] = []
        self._db: sqlite3.Connection | None = None
        if directory is None:
            return
        path = os.path.join(directory, DATABASE)
        try:
            os.makedirs(directory, exist_ok=True)
            self._db = self._open(path)
        except sqlite3.DatabaseError as exc:
            if (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF in _NOT_DAMAGE:  # its primary code
                # A full disk, or a store another run holds locked past the timeout: the store
                # is as good as it was. Set aside, it would be lost to every other run.
                self.warnings.append(f"cache {path}: not used ({exc})")
            else:
                self._set_aside(path, exc)
        except OSError as exc:
            self.warnings.append(f"cache {directory}: not used ({exc.strerror or exc})")

    def _open(self, path: str) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA):
            db.close()
            raise sqlite3.DatabaseError(f"schema {version}, expected {SCHEMA}")
        db.execute("CREATE TABLE IF NOT EXISTS packages (key TEXT PRIMARY KEY, used INTEGER, data BLOB)")
        db.execute(
            "CREATE TABLE IF NOT EXISTS reports (key TEXT PRIMARY KEY, used INTEGER, meta TEXT, data BLOB)"
        )
        db.execute(f"PRAGMA user_version={SCHEMA}")
        db.execute("PRAGMA quick_check").fetchone()
        return db

    def _set_aside(self, path: str, exc: Exception) -> None:
        if not all(
            os.access(name, os.W_OK) for name in (path, os.path.dirname(path)) if os.path.exists(name)
        ):
            # Read-only (a shared cache, a mode set on purpose) is not damaged: moving it aside
            # would destroy a good store that other users rely on.
            self.warnings.append(f"cache {path}: not used (not writable: {exc})")
            return
        self.warnings.append(f"cache {path} was unusable ({exc}); rebuilding it")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.replace(path + suffix, path + suffix + ".corrupt")
        try:
            self._db = self._open(path)
        except (sqlite3.DatabaseError, OSError) as again:
            self.warnings.append(f"cache {path}: not used ({again})")
            self._db = None

    @property
    def enabled(self) -> bool:
        return self._db is not None

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            self.warnings.append(f"cache: {exc}; going on without it")
            if self._db is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._db.close()
            self._db = None

    def _note_use(self, table: str, keys: Sequence[str], used: Sequence[object]) -> None:
        """Mark ``keys`` (whose last uses are ``used``) used now, those marked longer than
        `USE_NOTED_EVERY` ago: in one transaction, a thousand keys a statement."""
        assert self._db is not None
        now = int(time.time())
        stale = [
            key
            for key, when in zip(keys, used, strict=True)
            if type(when) is not int or when < now - USE_NOTED_EVERY
        ]
        if not stale:
            return
        self._db.execute("BEGIN IMMEDIATE")
        for start in range(0, len(stale), 900):
            chunk = stale[start : start + 900]
            marks = ",".join("?" * len(chunk))
            self._db.execute(f"UPDATE {table} SET used = ? WHERE key IN ({marks})", [now, *chunk])
        self._db.execute("COMMIT")

    def _get(self, table: str, key: str) -> Any | None:
        if self._db is None:
            return None
        with self._guard():
            row = self._db.execute(f"SELECT data, used FROM {table} WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            self._note_use(table, [key], [row[1]])
            try:
                return self.decode(row[0])
            except DAMAGED:
                self._db.execute(f"DELETE FROM {table} WHERE key = ?", (key,))
                self.warnings.append("cache: a damaged entry was dropped")
        return None

    def _drop(self, table: str, keys: Sequence[str], what: str, whats: str) -> None:
        """Set damaged entries aside: deleted, with one warning; the caller reads the input again."""
        if self._db is None or not keys:
            return
        with self._guard():
            for start in range(0, len(keys), 900):
                chunk = list(keys[start : start + 900])
                self._db.execute(f"DELETE FROM {table} WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            count = f"{len(keys)} damaged {whats} were" if len(keys) > 1 else f"a damaged {what} was"
            self.warnings.append(f"cache: {count} dropped and read again")

    encode = staticmethod(encode_value)
    decode = staticmethod(decode_value)

    def _put_many(self, table: str, items: Iterable[tuple[str, Any]]) -> None:
        encoded = ((key, self.encode(value)) for key, value in items)
        self._put_encoded(table, ((key, data) for key, data in encoded if data is not None))

    def _put_encoded(self, table: str, items: Iterable[tuple[str, bytes]]) -> None:
        if self._db is None:
            return
        now = int(time.time())
        rows = [(key, now, data) for key, data in items]
        if not rows:
            return
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)", rows)
            self._db.execute(f"DELETE FROM {table} WHERE used < ?", (now - MAX_AGE,))
            self._db.execute("COMMIT")

    # -- packages ---------------------------------------------------------------------------

    @staticmethod
    def package_key(identity: str) -> str:
        return digest("package", __version__, code_identity(), _PACKAGE_MODEL, identity)

    def get_package(self, key: str) -> dict[str, Any] | None:
        value = self._get("packages", key)
        return value if isinstance(value, dict) else None

    def get_packages(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The stored models of many files at once (one query per thousand keys)."""
        found: dict[str, dict[str, Any]] = {}
        damaged: list[str] = []
        uses: dict[str, object] = {}
        if self._db is None or not keys:
            return found
        with self._guard():
            for start in range(0, len(keys), 900):
                chunk = list(keys[start : start + 900])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, data, used FROM packages WHERE key IN ({marks})", chunk
                ).fetchall()
                for key, data, used in rows:
                    uses[key] = used
                    try:
                        value = self.decode(data)
                    except DAMAGED:
                        value = None
                    if isinstance(value, dict):
                        found[key] = value
                    else:
                        damaged.append(key)
            if found:
                self._note_use("packages", list(found), [uses[key] for key in found])
        self.drop_packages(damaged)
        return found

    def drop_packages(self, keys: Sequence[str]) -> None:
        """Set aside package entries found damaged (by their reader, whose shape the store does not know)."""
        self._drop("packages", keys, "package entry", "package entries")

    def put_packages(self, items: Iterable[tuple[str, dict[str, Any]]]) -> None:
        self._put_many("packages", items)

    def put_encoded_packages(self, items: Iterable[tuple[str, bytes]]) -> None:
        """Package models already `encode`d (by the worker processes that read them)."""
        self._put_encoded("packages", items)

    def drop_report(self, key: str, what: str) -> None:
        """Set aside a report row its reader found damaged (``what`` it held, for the warning)."""
        self._drop("reports", [key], what, what)

    # -- reports ----------------------------------------------------------------------------

    def get_report(self, key: str) -> tuple[dict[str, Any], Iterator[bytes]] | None:
        """A stored report: its metadata (exit code, messages) and its output, in pieces."""
        found: tuple[dict[str, Any], Iterator[bytes]] | None = None
        if self._db is None:
            return found
        with self._guard():  # a database error ends here, as a warning: then nothing was found
            row = self._db.execute("SELECT meta, data, used FROM reports WHERE key = ?", (key,)).fetchone()
            if row is None:
                return found
            stored = report_row(row[0], row[1], key)
            if isinstance(stored, bool):
                self._db.execute("DELETE FROM reports WHERE key = ?", (key,))
                if stored:
                    self.warnings.append("cache: a damaged report was dropped; the audit runs again")
                return found
            meta, data = stored
            self._note_use("reports", [key], [row[2]])
            found = (meta, inflate_report(data))
        return found

    def put_report(self, key: str, meta: dict[str, Any], compressed: CompressedReport) -> None:
        """Store a report whose output `ReportRecorder` compressed as it was written.

        The compressed output is copied into the row a piece at a time, never held whole: a
        distribution's is 8 MB, and joining it, then binding it, held it three times at the end
        of the run, when everything else is alive too. The row is written in one transaction,
        and its digest is checked before a byte is replayed.
        """
        if self._db is None:
            return
        meta = {**meta, "codec": REPORT_CODEC, "sha256": compressed.sha256, "key": key}
        db = self._db
        with self._guard():
            now = int(time.time())
            db.execute("BEGIN IMMEDIATE")
            try:
                # What no run replayed for `MAX_AGE` goes as the packages' entries go
                # (`_put_encoded`): a distribution's report is 8 MB, one for each change of it.
                db.execute("DELETE FROM reports WHERE used < ?", (now - MAX_AGE,))
                row = db.execute(
                    "INSERT OR REPLACE INTO reports VALUES (?, ?, ?, zeroblob(?))",
                    (key, now, json.dumps(meta), compressed.size),
                ).lastrowid
                assert row is not None  # an INSERT into a table with rowids
                with db.blobopen("reports", "data", row) as blob:
                    for piece in compressed.pieces:
                        blob.write(piece)
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
