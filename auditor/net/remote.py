"""The network and the cache of one run: every remote input goes through one `Remote`.

``repomd.xml`` and other files that change under the same URL are fetched on every online
run (the last copy kept for ``--offline``); metadata files are content-addressed by the
checksum ``repomd.xml`` gives them, downloaded with repomd's size as the ceiling and
checked against checksum and size before anyone parses them. RPM headers are read by HTTP
range requests (lead and signature intro, then exactly the sizes the intros declare;
never the payload) and cached by package checksum.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from auditor.core.errors import InputError
from auditor.net.cache import Cache, default_cache_dir
from auditor.net.http import Guard, HttpClient, HttpError, HttpSettings
from auditor.rpm.model import Package
from auditor.sources.formats.repomd import MetadataFile
from auditor.sources.formats.rpmheader import (
    INTRO_SIZE,
    LEAD_SIZE,
    read_headers,
    structure_size,
)
from auditor.sources.formats.xmlstream import supported_checksum, verify_checksum

DEFAULT_MAX_DOWNLOAD = 2 * 1024**3
SMALL_FILE_CEILING = 16 * 1024**2
"""Ceiling for repomd.xml, mirrorlists, metalinks and .repo files."""
WORKERS = 4


@dataclass(frozen=True)
class RemoteOptions:
    http: HttpSettings = field(default_factory=HttpSettings)
    cache_dir: str | None = None
    """None: ``$XDG_CACHE_HOME/auditor`` or ``~/.cache/auditor``."""
    offline: bool = False
    """Use the cache only; anything missing from it is an input error."""
    max_download: int = DEFAULT_MAX_DOWNLOAD
    """Ceiling for a metadata file whose size repomd.xml does not give."""
    releasever: str | None = None
    basearch: str = "x86_64"
    remote_headers: bool = False


class Remote:
    """The network and the cache of one run, shared by every remote input."""

    def __init__(self, options: RemoteOptions | None = None, guard: Guard | None = None) -> None:
        self.options = options or RemoteOptions()
        self.guard = guard
        self.client = HttpClient(self.options.http, guard)
        self.cache = Cache(self.options.cache_dir or default_cache_dir())
        self._warnings: list[str] = []
        self._no_ranges: set[str] = set()
        self._lock = threading.Lock()

    def warn(self, message: str) -> None:
        with self._lock:
            if message not in self._warnings:
                self._warnings.append(message)

    def take_warnings(self) -> list[str]:
        with self._lock:
            taken, self._warnings = self._warnings, []
        return taken

    def refused(self, url: str) -> str | None:
        """Why ``url`` must not be contacted (it is on a policy host), or None."""
        return self.guard(url) if self.guard is not None else None

    def _offline_miss(self, url: str) -> InputError:
        return InputError(url, "not in the cache, and --offline forbids fetching it")

    def fetch_by_url(self, url: str, kind: str, ceiling: int = SMALL_FILE_CEILING) -> str:
        """A file that changes under the same URL (repomd.xml, a mirrorlist): fetched on every
        online run, the last copy kept for --offline."""
        path = self.cache.by_url(kind, url)
        if self.options.offline:
            if os.path.isfile(path):
                return path
            raise self._offline_miss(url)
        self._download(url, path, ceiling)
        return path

    def fetch_metadata(self, url: str, entry: MetadataFile) -> str:
        """A metadata file by its checksum: from the cache when intact, else downloaded and checked."""
        if not supported_checksum(entry.checksum_type):
            raise InputError(url, f"unsupported checksum type {entry.checksum_type!r} in repomd.xml")
        path = self.cache.blob("blobs", entry.checksum_type, entry.checksum)
        if path is None:
            raise InputError(url, "the checksum repomd.xml gives is not hexadecimal")
        if os.path.isfile(path):
            try:
                verify_checksum(path, entry.checksum_type, entry.checksum, entry.size, url)
                return path
            except InputError as exc:
                self.cache.discard(path)
                self.warn(f"{url}: the cached copy was corrupt ({exc.reason}); discarded and fetched again")
        if self.options.offline:
            raise self._offline_miss(url)
        ceiling = (
            self.options.max_download if entry.size is None else min(entry.size, self.options.max_download)
        )

        def accept(temporary: str) -> None:
            verify_checksum(temporary, entry.checksum_type, entry.checksum, entry.size, url)

        self._download(url, path, ceiling, accept)
        return path

    def _download(
        self, url: str, path: str, ceiling: int, accept: Callable[[str], None] | None = None
    ) -> None:
        """``url`` into the cache at ``path``, kept only if ``accept`` (given the temporary file) passes."""
        try:
            with self.cache.writing(path, accept) as stream:
                self.client.download(url, stream, ceiling)
        except HttpError as exc:
            raise exc.input_error() from None
        except OSError as exc:
            raise InputError(url, f"cannot write to the cache: {exc.strerror or exc}") from None

    # -- headers by range ----------------------------------------------------------------

    def ranges_unsupported(self, url: str) -> bool:
        with self._lock:
            return urlsplit(url).netloc in self._no_ranges

    def _no_range_support(self, url: str) -> None:
        host = urlsplit(url).netloc
        with self._lock:
            self._no_ranges.add(host)
        self.warn(
            f"{host}: the server ignores HTTP range requests; --remote-headers skipped for its packages"
        )

    def header_prefix(self, package: Package) -> tuple[bytes, int] | None:
        """Lead, signature and main header of a remote package (and its file size), or None
        when its server does not answer range requests."""
        url = package.location
        cached = None
        if package.checksum is not None:
            cached = self.cache.blob("headers", package.checksum.algorithm, package.checksum.value)
        if cached is not None and os.path.isfile(cached):
            try:
                with open(cached, "rb") as stream:
                    data = stream.read()
                total = struct.unpack(">Q", data[:8])[0]
                prefix = data[8:]
                read_headers(io.BytesIO(prefix), url, total)
                return prefix, total
            except (OSError, struct.error, InputError):
                self.cache.discard(cached)
                self.warn(f"{url}: the cached header was corrupt; discarded and fetched again")
        if self.options.offline:
            raise self._offline_miss(url)
        fetched = self._fetch_header_prefix(url)
        if fetched is None:
            return None
        if cached is not None:
            prefix, total = fetched
            # The cache is an optimisation: a read-only one only costs a fetch next time.
            with contextlib.suppress(OSError), self.cache.writing(cached) as stream:
                stream.write(struct.pack(">Q", total) + prefix)
        return fetched

    def _fetch_header_prefix(self, url: str) -> tuple[bytes, int] | None:
        try:
            first = self.client.fetch_range(url, 0, LEAD_SIZE + INTRO_SIZE - 1)
            if first is None:
                self._no_range_support(url)
                return None
            lead, total = first
            size = total if total is not None else 1 << 62
            if len(lead) < LEAD_SIZE + INTRO_SIZE:
                read_headers(io.BytesIO(lead), url, size)  # raises the precise error
            signature = structure_size(lead[LEAD_SIZE:], url, "signature header")
            main_start = LEAD_SIZE + signature + (8 - signature % 8) % 8
            second = self.client.fetch_range(url, len(lead), main_start + INTRO_SIZE - 1)
            if second is None:
                self._no_range_support(url)
                return None
            prefix = lead + second[0]
            main = structure_size(prefix[main_start:], url, "main header")
            third = self.client.fetch_range(url, len(prefix), main_start + main - 1)
            if third is None:
                self._no_range_support(url)
                return None
            return prefix + third[0], size
        except HttpError as exc:
            raise exc.input_error() from None
