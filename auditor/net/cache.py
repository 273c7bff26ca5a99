"""The download cache: metadata by content, the rest by URL, every write atomic.

Layout under the cache directory (``$XDG_CACHE_HOME/auditor``, ``~/.cache/auditor`` or
``--cache-dir``)::

    blobs/<algorithm>/<digest>     metadata files, named by the checksum repomd.xml gives
    urls/<kind>/<sha256 of URL>    repomd.xml, mirrorlists, .repo files: the last copy fetched
    headers.sqlite3                RPM header prefixes read by range, and the spec a source
                                   package's payload gave, by package URL and checksum
                                   (`auditor.net.headercache`: a file each cost a fifth of a scan)
    redirects/<sha256 of URL>.json resolved redirect chains (--resolve-urls), with their time

A second run of the same repository therefore downloads only ``repomd.xml``. Every file
is written to a temporary file in its final directory and renamed into place (a header, in
a transaction), so two runs sharing the cache never see half an entry; a blob is checked
against its checksum each time it is read, and a corrupt one is discarded and fetched again.

An entry's modification time is when a run last wrote or read it (`Cache.used`); entries
unused for `MAX_AGE` are dropped (`Cache.prune`), as the store drops its rows. Without
that, every new ``repomd.xml`` of a repository left its old metadata and headers behind for
good: a CI runner auditing a repository updated daily, or a server changing its metadata at
each request, grew the cache by a whole repository's metadata a run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from auditor.core.errors import InputError
from auditor.core.files import open_regular
from auditor.net.headercache import HeaderCache

_DIGEST = re.compile(r"^[0-9a-f]{16,128}$")
_ALGORITHM = re.compile(r"^[a-z0-9]{2,16}$")
MAX_AGE = 30 * 24 * 3600
"""Entries not used for this long are dropped (the store's rows too: `auditor.runtime.store`)."""
PRUNE_EVERY = 24 * 3600
"""How often a run walks the cache to drop old entries (the time of `PRUNE_STAMP` says when)."""
PRUNE_STAMP = ".pruned"
PRUNED_AREAS = ("blobs", "headers", "specs", "urls", "redirects")
"""The directories of files `Cache.prune` walks (``headers``, ``specs``: the files earlier
versions kept a header or a spec in, left to age out)."""


def default_cache_dir() -> str:
    """``$XDG_CACHE_HOME/auditor``, else ``~/.cache/auditor``. A relative ``XDG_CACHE_HOME`` is
    ignored, as the XDG Base Directory Specification says ("If an implementation encounters a
    relative path in any of these variables it should consider the path invalid and ignore
    it"): read from wherever the run starts, it would be another cache in each directory, and
    one inside the tree audited."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "auditor")


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


class Cache:
    def __init__(self, root: str) -> None:
        self.root = root
        self.headers = HeaderCache(root)
        """The RPM headers read by range (`part_key` names them)."""

    def blob(self, area: str, algorithm: str, digest: str) -> str | None:
        """Path of a content-addressed entry, or None when the checksum cannot name a file safely."""
        algorithm = algorithm.lower()
        digest = digest.strip().lower()
        if not _ALGORITHM.match(algorithm) or not _DIGEST.match(digest):
            return None
        return os.path.join(self.root, area, algorithm, digest)

    def part_key(self, url: str, algorithm: str, digest: str) -> str | None:
        """The key of an entry holding part of a package file read by range (its header, its
        payload's spec: `auditor.net.headercache`), or None when the checksum cannot name a
        file safely.

        A part cannot be checked against the checksum of the whole file, so the entry is
        keyed by the URL too: a repository that claims another's checksum for a file of its
        own must not plant a header or spec that a later audit of the other reads."""
        if self.blob("parts", algorithm, digest) is None:
            return None
        return url_key(f"{url}\0{algorithm.lower()}:{digest.strip().lower()}")

    def by_url(self, kind: str, url: str) -> str:
        return os.path.join(self.root, "urls", kind, url_key(url))

    @contextlib.contextmanager
    def writing(self, path: str, accept: Callable[[str], None] | None = None) -> Iterator[IO[bytes]]:
        """A temporary file next to ``path``, renamed onto it when the block succeeds and
        ``accept`` (given the temporary file's path) does not raise."""
        directory = os.path.dirname(path)
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        try:
            with os.fdopen(handle, "w+b") as stream:
                yield stream
            if accept is not None:
                accept(temporary)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def discard(self, path: str) -> None:
        with contextlib.suppress(OSError):
            os.unlink(path)

    def used(self, path: str) -> None:
        """Mark an entry a run has just read as used: `prune` keeps what runs still read."""
        with contextlib.suppress(OSError):
            os.utime(path)

    def prune(self, now: float) -> None:
        """Drop every entry unused for `MAX_AGE`, at most once every `PRUNE_EVERY`. A run that
        cannot (a read-only cache) only keeps what it has."""
        stamp = os.path.join(self.root, PRUNE_STAMP)
        try:
            if now - os.stat(stamp).st_mtime < PRUNE_EVERY:
                return
        except OSError:
            pass
        try:
            os.makedirs(self.root, exist_ok=True)
            with open(stamp, "wb"):
                pass
        except OSError:
            return
        for area in PRUNED_AREAS:
            _drop_older(os.path.join(self.root, area), now - MAX_AGE)
        self.headers.prune(now - MAX_AGE)

    def read_json(self, path: str) -> dict[str, Any] | None:
        try:
            with open_regular(path, path) as stream:
                data = json.load(stream)
        except (InputError, OSError, ValueError):
            return None
        self.used(path)
        return data if isinstance(data, dict) else None

    def write_json(self, path: str, data: dict[str, Any]) -> None:
        with self.writing(path) as stream:
            stream.write(json.dumps(data, sort_keys=True).encode("utf-8"))


def _drop_older(directory: str, oldest: float) -> None:
    """Unlink the regular files below ``directory`` last modified before ``oldest``; a symlink
    is unlinked, never followed."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                _drop_older(entry.path, oldest)
            elif entry.stat(follow_symlinks=False).st_mtime < oldest:
                os.unlink(entry.path)
