"""The RPM header prefixes read by range, kept in one SQLite file of the download cache.

They were one file each (``headers/by-url/<key>``, written to a temporary file and renamed):
4,000 headers made 8,000 directory entries a run, ~0.6 ms of CPU a header, a fifth of a cold
scan's CPU on 127.0.0.1, mostly system time. Here they are rows of ``headers.sqlite3``, written
in a few transactions, as the run goes, by the thread that read them.

What the file layout gave holds here too:

- **Never half an entry.** A row is written in a transaction: two runs sharing the cache
  see it whole or not at all (WAL, as the store: a reader never waits for a writer).
- **Kept for whatever run comes next.** ``--offline``, ``--no-cache`` (the store off) and a
  newer auditor (the store's rows dropped) read the same rows: nothing here depends on the
  store or on the auditor's version.
- **Dropped when unused.** A row's ``used`` is when a run last wrote or read it; `prune`
  drops the rows unused for `auditor.net.cache.MAX_AGE`, when the cache prunes its files.
- **A cache only.** A file that cannot be written (full, locked past the timeout) costs a
  fetch, never the run; one in a cache the run may only read is read; one that is not a
  database is set aside and begun again.

Rows not yet written are held in memory until `PENDING_BYTES` of them are (one larger is
written at once, while its reader still holds it within the header memory budget), and the
rest when the headers of a repository have all been read (`flush`): the run holds at most
`PENDING_BYTES` of headers beyond `auditor.net.remote.HeaderMemory`.

The spec a source package's payload gave (`auditor.sources.remotespec`) is a row too, under a
key of its own (`spec_key`): a file each cost 4 ms of a thread's time and a tenth of a cold
scan's wall time on 127.0.0.1, as the headers' had.

`look_up` asks which of many keys have rows in one query, before the threads read them: a cold
run's 4,000 misses, one query each, took a twentieth of its wall time.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from urllib.parse import quote

DATABASE = "headers.sqlite3"
SCHEMA = 1
BUSY_TIMEOUT = 10.0
"""Seconds to wait for another run's write to end before going on without the cache."""
_KEYS_A_QUERY = 900
"""Keys asked for in one query: under SQLite's least limit of bound parameters (999)."""
PENDING_BYTES = 1 << 20
"""Bytes of headers held for writing before they are written: 1 MiB is ~130 real headers,
a transaction each (a file each took ~350 us of system time to create)."""


Batch = tuple[dict[str, tuple[int, bytes]], set[str], set[str]]
"""Rows to write (key: the file's size, the header), keys read (their ``used`` renewed), keys to drop."""


class HeaderCache:
    """The rows of ``headers.sqlite3`` under ``root``, shared by the threads of one run.

    Keys name a package's header by its URL and checksum (`auditor.net.cache.Cache.part_key`);
    a row holds the header's bytes and the file's size the server gave with them. Each thread
    reads through a connection of its own: one shared behind a lock made the four readers of a
    warm run queue for it, each holder waiting for the GIL inside the lock (a third of their
    time). The lock here guards only what is held in memory.
    """

    def __init__(self, root: str) -> None:
        self.path = os.path.join(root, DATABASE)
        self._lock = threading.Lock()
        self._opening = threading.Lock()
        """One thread at a time opens the file: a damaged one is set aside once."""
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._generation = 0
        """Counts `close`: a thread's connection of an earlier generation is closed."""
        self._unusable = False
        """The file could not be opened: this run does without it."""
        self._pending: dict[str, tuple[int, bytes]] = {}
        self._pending_bytes = 0
        self._used: set[str] = set()
        self._discarded: set[str] = set()
        self._looked_up: dict[str, int | None] = {}
        """What `look_up` found: each key's row's size, None when it had none."""

    # -- reading ---------------------------------------------------------------------------

    def look_up(self, keys: Iterable[str]) -> None:
        """Ask at once which of ``keys`` have rows, and their sizes: `size` and `whole` then answer
        a key without a row without a query. A key written or dropped since is the pending rows'
        or the dropped ones' (`put`, `discard`); one another run writes meanwhile is missed."""
        keys = list(dict.fromkeys(keys))
        found: dict[str, int | None] = dict.fromkeys(keys)
        db = self._connection(create=False)
        if db is not None:
            for at in range(0, len(keys), _KEYS_A_QUERY):
                chunk = keys[at : at + _KEYS_A_QUERY]
                sql = f"SELECT key, length(prefix) FROM headers WHERE key IN ({','.join('?' * len(chunk))})"
                try:
                    rows = db.execute(sql, chunk).fetchall()
                except sqlite3.Error:
                    return  # asked one at a time, as without this
                found.update((key, size) for key, size in rows if isinstance(size, int))
        with self._lock:
            self._looked_up.update(found)

    def size(self, key: str) -> int | None:
        """Bytes of the header kept under ``key``; None when there is none."""
        found = self._column("length(prefix)", key)
        if isinstance(found, bytes):
            return len(found)
        return found if isinstance(found, int) else None

    def whole(self, key: str) -> bytes | None:
        """The bytes kept under ``key``, whatever their size (a spec's row); None when there are none."""
        found = self._column("prefix", key)
        return found if isinstance(found, bytes) else None

    def _column(self, column: str, key: str) -> object:
        """The bytes ``key`` holds while they wait to be written, else ``column`` of its row;
        None when `look_up` found it has none."""
        with self._lock:
            pending = self._pending.get(key)
            looked_up = self._looked_up.get(key, -1)
        if pending is not None:
            return pending[1]
        if looked_up is None:
            return None
        row = self._query(f"SELECT {column} FROM headers WHERE key = ?", (key,))
        return None if row is None else row[0]

    def get(self, key: str, size: int) -> tuple[bytes, int] | None:
        """The header kept under ``key`` and the file's size, if it is still ``size`` bytes (what
        the caller holds within the memory budget: another run may have replaced it since)."""
        with self._lock:
            pending = self._pending.get(key)
        if pending is not None:
            total, prefix = pending
            return (prefix, total) if len(prefix) == size else None
        sql = "SELECT prefix, total FROM headers WHERE key = ? AND length(prefix) = ?"
        row = self._query(sql, (key, size))
        if row is None or not isinstance(row[0], bytes) or not isinstance(row[1], int):
            return None
        return row[0], row[1]

    def used(self, key: str) -> None:
        """Mark a row just read as used (written with the next batch): `prune` keeps it."""
        with self._lock:
            self._used.add(key)

    # -- writing ---------------------------------------------------------------------------

    def put(self, key: str, prefix: bytes, total: int) -> None:
        """Keep ``prefix`` (and the file's size) under ``key``: written with the next batch, or at
        once when it is larger than a batch."""
        if len(prefix) >= PENDING_BYTES:
            with self._lock:
                self._discarded.discard(key)
                self._looked_up.pop(key, None)
            self._write(({key: (total, prefix)}, set(), set()))
            return
        batch = None
        with self._lock:
            self._discarded.discard(key)
            previous = self._pending.get(key)
            if previous is not None:
                self._pending_bytes -= len(previous[1])
            self._pending[key] = (total, prefix)
            self._pending_bytes += len(prefix)
            if self._pending_bytes >= PENDING_BYTES:
                batch = self._take()
        if batch is not None:
            self._write(batch)

    def discard(self, key: str) -> None:
        """Drop the row of ``key`` (corrupt, or found wrong by its reader)."""
        with self._lock:
            previous = self._pending.pop(key, None)
            if previous is not None:
                self._pending_bytes -= len(previous[1])
            self._used.discard(key)
            self._discarded.add(key)
            self._looked_up[key] = None
            batch = self._take()
        self._write(batch)

    def flush(self) -> None:
        """Write what is held, in one transaction; then let the threads' connections go (the
        threads that read a repository's headers end with it), and what `look_up` found."""
        with self._lock:
            batch = self._take()
            self._looked_up = {}  # a repository's: the next one asks for its own
        self._write(batch)
        with self._lock:
            connections, self._connections = self._connections, []
            self._generation += 1
        for db in connections:
            db.close()

    def prune(self, oldest: float) -> None:
        """Drop the rows no run has used since ``oldest`` (seconds since the epoch)."""
        db = self._connection(create=False)
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.execute("DELETE FROM headers WHERE used < ?", (int(oldest),))

    # -- the file --------------------------------------------------------------------------

    def _take(self) -> Batch:
        pending, self._pending, self._pending_bytes = self._pending, {}, 0
        for key in pending:  # written now: asked for again, if ever, in the file
            self._looked_up.pop(key, None)
        used, self._used = self._used - pending.keys(), set()
        discarded, self._discarded = self._discarded, set()
        return pending, used, discarded

    def _write(self, batch: Batch) -> None:
        """One transaction; given up (the cache is an optimisation) when it cannot be made. A
        row taken from memory and not yet written is, meanwhile, not found: fetched again."""
        rows, used, discarded = batch
        if not (rows or used or discarded):
            return
        db = self._connection(create=True)
        if db is None:
            return
        now = int(time.time())
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("DELETE FROM headers WHERE key = ?", ((key,) for key in discarded))
                db.executemany(
                    "INSERT OR REPLACE INTO headers (key, used, total, prefix) VALUES (?, ?, ?, ?)",
                    ((key, now, total, prefix) for key, (total, prefix) in rows.items()),
                )
                db.executemany("UPDATE headers SET used = ? WHERE key = ?", ((now, key) for key in used))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.Error:
            pass

    def _query(self, sql: str, parameters: tuple[object, ...]) -> tuple[object, ...] | None:
        db = self._connection(create=False)
        if db is None:
            return None
        try:
            row: tuple[object, ...] | None = db.execute(sql, parameters).fetchone()
            return row
        except sqlite3.Error:
            return None

    def _connection(self, *, create: bool) -> sqlite3.Connection | None:
        """This thread's connection; None when the file cannot be used, or (unless ``create``) is
        not there yet: a run that only reads (``--offline``) makes no file."""
        mine: tuple[int, sqlite3.Connection] | None = getattr(self._local, "db", None)
        if mine is not None and mine[0] == self._generation:
            return mine[1]
        if self._unusable or (not create and not os.path.isfile(self.path)):
            return None
        with self._opening:
            db = None
            try:
                os.makedirs(os.path.dirname(self.path), exist_ok=True)
                db = _open(self.path)
            except sqlite3.DatabaseError as exc:
                if _set_aside(self.path, exc):
                    with contextlib.suppress(sqlite3.Error, OSError):
                        db = _open(self.path)
            except (OSError, _NewerLayout):
                pass
            if db is None and os.path.isfile(self.path):
                db = _open_read_only(self.path)  # a cache shared read-only: its rows are still read
            if db is None:
                self._unusable = True
                return None
            with self._lock:
                self._connections.append(db)
                self._local.db = (self._generation, db)
        return db


def spec_key(key: str) -> str:
    """The key of the spec in the payload of the package whose header is kept under ``key``."""
    return f"spec:{key}"


class _NewerLayout(Exception):
    """The file is laid out by a newer auditor: this run does without it."""


def _open_read_only(path: str) -> sqlite3.Connection | None:
    """The file, for reading only: in a directory the run may not write to, WAL cannot make the
    files it reads through (``-shm``), so the file is read as it stands (``immutable``): a row
    another user writes meanwhile may be missed, and one read torn fails its parse (a miss)."""
    for flags in ("mode=ro", "mode=ro&immutable=1"):
        db = None
        try:
            db = sqlite3.connect(
                f"file:{quote(path)}?{flags}", uri=True, timeout=BUSY_TIMEOUT, check_same_thread=False
            )
            if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA:
                db.execute("SELECT key FROM headers LIMIT 1").fetchall()
                return db
            db.close()
            return None
        except sqlite3.Error:
            if db is not None:
                db.close()
    return None


def _open(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA:
            raise _NewerLayout(version)  # a newer auditor's: left to it
        if version not in (0, SCHEMA):  # an older layout: its rows are headers fetched again
            db.execute("DROP TABLE IF EXISTS headers")
        db.execute(
            "CREATE TABLE IF NOT EXISTS headers "
            "(key TEXT PRIMARY KEY, used INTEGER NOT NULL, total INTEGER NOT NULL, prefix BLOB NOT NULL)"
        )
        db.execute(f"PRAGMA user_version={SCHEMA}")
    except BaseException:
        db.close()
        raise
    return db


_NOT_DAMAGE = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL,
                         sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR,
                         sqlite3.SQLITE_PERM})  # fmt: skip
"""Why a good file may not open: set aside, its rows would be lost to every other run."""


def _set_aside(path: str, exc: sqlite3.DatabaseError) -> bool:
    """Move a file that is not a usable database out of the way; whether it was."""
    if (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF in _NOT_DAMAGE:
        return False
    if not os.access(os.path.dirname(path), os.W_OK):
        return False
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.replace(path + suffix, path + suffix + ".corrupt")
    return True
