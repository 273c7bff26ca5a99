"""The network and the cache of one run: every remote input goes through one `Remote`.

``repomd.xml`` and other files that change under the same URL are fetched on every online
run (the last copy kept for ``--offline``); metadata files are content-addressed by the
checksum ``repomd.xml`` gives them, downloaded with repomd's size as the ceiling and
checked against checksum and size before anyone parses them. RPM headers are read by HTTP
range requests (in one request where the metadata gives their range, else the lead and
signature intro, the main header's intro, then exactly the bytes the intros declare),
held within one memory budget for the whole run (`HeaderMemory`) from their fetch to their
parse, and cached by package checksum. The payload of a source package without a SPEC tag
is streamed within the run's `DownloadBudget` only until its spec is found
(`auditor.sources.remotespec`).
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from auditor.core.errors import InputError
from auditor.core.files import open_regular
from auditor.formats.repomd import MetadataFile, read_repomd
from auditor.formats.xmlstream import supported_checksum, verify_checksum
from auditor.net.budget import DownloadBudget
from auditor.net.cache import Cache, default_cache_dir
from auditor.net.http import HttpClient, HttpError
from auditor.net.options import RemoteOptions
from auditor.net.urlpolicy import Guard, UrlDecision, UrlOrigin, decide
from auditor.rpm.model import Package
from auditor.runtime.progress import SILENT, Reporter

SMALL_FILE_CEILING = 16 * 1024**2
"""Ceiling for repomd.xml, mirrorlists, metalinks and .repo files."""
WORKERS = 4
UNKNOWN_FILE_SIZE = 1 << 62
"""The size of a remote file whose server did not say it: larger than any file, so that
every size check against it passes and only what the file holds decides."""


class Remote:
    """The network and the cache of one run, shared by every remote input."""

    def __init__(
        self, options: RemoteOptions | None = None, guard: Guard | None = None, progress: Reporter = SILENT
    ) -> None:
        self.options = options or RemoteOptions()
        self.guard = guard
        self.progress = progress
        """Told how each download advances."""
        self.client = HttpClient(self.options.http, guard)
        self.cache = Cache(self.options.cache_dir or default_cache_dir())
        if not self.options.offline:  # an offline run keeps every entry it may need
            self.cache.prune(time.time())
        self._warnings: list[str] = []
        self._no_ranges: set[str] = set()
        self._lock = threading.Lock()
        self.header_memory = HeaderMemory(self.options.header_memory)
        self.spec_budget = DownloadBudget(self.options.spec_budget, self.options.spec_total)

    def warn(self, message: str) -> None:
        with self._lock:
            if message not in self._warnings:
                self._warnings.append(message)

    def take_warnings(self) -> list[str]:
        with self._lock:
            taken, self._warnings = self._warnings, []
        return taken

    def decide(self, url: str, origin: UrlOrigin) -> UrlDecision:
        """May ``url``, come by ``origin``, be read or requested (`auditor.net.urlpolicy`)?"""
        return decide(url, origin, self.guard)

    def _offline_miss(self, url: str) -> InputError:
        return NotCached(url, "not in the cache, and --offline forbids fetching it")

    def fetch_by_url(
        self,
        url: str,
        kind: str,
        ceiling: int = SMALL_FILE_CEILING,
        vouched: Callable[[str], None] | None = None,
    ) -> str:
        """A file that changes under the same URL (repomd.xml, a mirrorlist): fetched on every
        online run, the last copy kept for --offline. ``vouched`` (given the file's path) is
        what the file must also pass, online or from the cache: a metalink's checksum for a
        mirror's repomd.xml."""
        path = self.cache.by_url(kind, url)
        if self.options.offline:
            if os.path.isfile(path):
                if vouched is not None:
                    vouched(path)
                self.cache.used(path)
                return path
            raise self._offline_miss(url)
        accept = _acceptance(kind, url)

        def accepted(temporary: str) -> None:
            if vouched is not None:
                vouched(temporary)
            if accept is not None:
                accept(temporary)

        try:
            self._download(url, path, ceiling, accepted)
        except HttpError as exc:
            raise exc.input_error() from None
        return path

    def fetch_if_present(self, url: str, kind: str, ceiling: int = SMALL_FILE_CEILING) -> str | None:
        """`fetch_by_url` for a file that may not exist: None when the server answers 404 (or,
        with --offline, when the cache has no copy); any other failure is an `InputError`."""
        path = self.cache.by_url(kind, url)
        if self.options.offline:
            if not os.path.isfile(path):
                return None
            self.cache.used(path)
            return path
        try:
            self._download(url, path, ceiling, _acceptance(kind, url))
        except HttpError as exc:
            if exc.status == 404:
                return None
            raise exc.input_error() from None
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
                self.cache.used(path)
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

        try:
            self._download(url, path, ceiling, accept)
        except HttpError as exc:
            raise exc.input_error() from None
        return path

    def _download(
        self, url: str, path: str, ceiling: int, accept: Callable[[str], None] | None = None
    ) -> None:
        """``url`` into the cache at ``path``, kept only if ``accept`` (given the temporary file)
        passes. Raises `HttpError` when the request fails."""
        try:
            with self.cache.writing(path, accept) as stream:
                self.client.download(url, stream, ceiling, self.progress)
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
            f"{host}: the server ignores HTTP range requests; its packages' headers are not read, only"
            " their metadata (counted as metadata-only)"
        )

    @contextlib.contextmanager
    def header(self, package: Package) -> Iterator[tuple[bytes, int] | None]:
        """Lead, signature and main header of a remote package (and its file size), or None
        when its server does not answer range requests; held within the run's header memory
        budget until the block ends (parse them inside it). Raises `NotCached` under
        ``--offline`` when the cache does not have them.

        One range request when the metadata gives the header's range (``rpm:header-range``)
        and the intros fetched agree with it; else two small ones for the intros, then the
        sizes they declare. Either way `auditor.formats.rpmheader` checks what was
        fetched as it checks a local file: a range that lies costs a request, never a wrong
        header."""
        url = package.location
        cached = None
        if package.checksum is not None:
            cached = self.cache.of_package_part(
                "headers", url, package.checksum.algorithm, package.checksum.value
            )
        # A header is kept only once the block has read it without error (a server that once
        # claimed a wrong file size made a truncated header the cache's answer for good), and a
        # kept one the block finds wrong is let go.
        if cached is not None and os.path.isfile(cached):
            with self.header_memory.hold(_size_of(cached), url):
                found = self._cached_header(cached, url)
                if found is not None:
                    try:
                        yield found
                    except NotCached:
                        raise
                    except InputError:
                        self.cache.discard(cached)
                        raise
                    return
        if self.options.offline:
            raise NotCached(url, "its header is not in the cache, and --offline forbids fetching it")
        declared = _declared_end(package.header_range)
        if declared is not None and declared <= self.header_memory.capacity:
            with self.header_memory.hold(declared, url):
                fetched, agrees = self._header_as_declared(package, declared)
                if agrees:
                    yield fetched
                    self._keep_header(cached, fetched)
                    return
        layout = self._header_layout(url)
        if layout is None:
            yield None
            return
        lead, prefix_size, total = layout
        with self.header_memory.hold(prefix_size, url):
            prefix = self._header_rest(url, lead, prefix_size)
            fetched = None if prefix is None else (prefix, total)
            yield fetched
            self._keep_header(cached, fetched)

    def _keep_header(self, path: str | None, fetched: tuple[bytes, int] | None) -> None:
        if path is None or fetched is None:
            return
        prefix, total = fetched
        # The cache is an optimisation: a read-only one only costs a fetch next time.
        with contextlib.suppress(OSError), self.cache.writing(path) as stream:
            stream.write(struct.pack(">Q", total))
            stream.write(prefix)

    def _header_as_declared(self, package: Package, end: int) -> tuple[tuple[bytes, int] | None, bool]:
        """The first ``end`` bytes in one request, and whether the file's intros agree with the
        range the metadata declares (a file shorter than that does not); None (agreeing) when
        the server ignores range requests."""
        # The RPM header reader is imported where a remote header is read (3 ms at every start):
        # a scan of local inputs never reads one.
        from auditor.formats.rpmheader import INTRO_SIZE, LEAD_SIZE, structure_size

        url = package.location
        assert package.header_range is not None
        start = package.header_range[0]
        buffer = bytearray()
        try:
            total = self.client.fetch_range_into(url, 0, end - 1, buffer)
        except HttpError as exc:
            raise exc.input_error() from None
        if total is None:
            self._no_range_support(url)
            return None, True
        try:
            signature = structure_size(
                bytes(buffer[LEAD_SIZE : LEAD_SIZE + INTRO_SIZE]), url, "signature header"
            )
            main_start = LEAD_SIZE + signature + (8 - signature % 8) % 8
            main = structure_size(bytes(buffer[start : start + INTRO_SIZE]), url, "main header")
        except InputError:
            return None, False  # not an RPM's intros: the two-step read says precisely what is wrong
        if len(buffer) != end or main_start != start or start + main != end:
            self.warn(
                f"{package.input}: the header ranges its metadata gives (rpm:header-range) disagree with "
                "the files; their headers are read in two steps"
            )
            return None, False
        prefix = bytes(buffer)
        del buffer
        return (prefix, total if total >= 0 else UNKNOWN_FILE_SIZE), True

    def _cached_header(self, path: str, url: str) -> tuple[bytes, int] | None:
        """A header from the cache; None (and the entry discarded) when it is corrupt."""
        from auditor.formats.rpmheader import read_headers  # as in `_header_as_declared`

        try:
            with open_regular(path, path) as stream:
                total = struct.unpack(">Q", stream.read(8))[0]
                prefix = stream.read()
            read_headers(io.BytesIO(prefix), url, total)
            self.cache.used(path)
            return prefix, total
        except (OSError, struct.error, InputError):
            self.cache.discard(path)
            self.warn(f"{url}: the cached header was corrupt; discarded and fetched again")
            return None

    def _header_layout(self, url: str) -> tuple[bytes, int, int] | None:
        """The lead and signature intro, the size of lead + signature + main header, and the
        file's size: two small range requests, so that the header's size is known (and held
        within the budget) before any of it is fetched. None: no range requests."""
        try:
            return self._ranges_layout(url)
        except HttpError as exc:
            raise exc.input_error() from None

    def _ranges_layout(self, url: str) -> tuple[bytes, int, int] | None:
        # As in `_header_as_declared`:
        from auditor.formats.rpmheader import INTRO_SIZE, LEAD_SIZE, read_headers, structure_size

        first = self.client.fetch_range(url, 0, LEAD_SIZE + INTRO_SIZE - 1)
        if first is None:
            self._no_range_support(url)
            return None
        lead, total = first
        size = total if total is not None else UNKNOWN_FILE_SIZE
        if len(lead) < LEAD_SIZE + INTRO_SIZE:
            read_headers(io.BytesIO(lead), url, size)  # raises the precise error
        signature = structure_size(lead[LEAD_SIZE:], url, "signature header")
        main_start = LEAD_SIZE + signature + (8 - signature % 8) % 8
        second = self.client.fetch_range(url, main_start, main_start + INTRO_SIZE - 1)
        if second is None:
            self._no_range_support(url)
            return None
        main = structure_size(second[0], url, "main header")
        return lead, main_start + main, size

    def _header_rest(self, url: str, lead: bytes, prefix_size: int) -> bytes | None:
        """The whole prefix, read into one buffer (a header of 256 MiB is not copied piece by piece)."""
        buffer = bytearray(lead)
        try:
            fetched = self.client.fetch_range_into(url, len(lead), prefix_size - 1, buffer)
        except HttpError as exc:
            raise exc.input_error() from None
        if fetched is None:
            self._no_range_support(url)
            return None
        if len(buffer) < prefix_size:
            raise InputError(url, "truncated RPM: ends inside its headers")
        prefix = bytes(buffer)
        del buffer
        return prefix


class HeaderMemory:
    """Bytes of RPM headers the run holds at once, every thread together (``--remote-headers``).

    Each header read by range is held here from its fetch to its parse: one that would take
    the total past the budget waits for others to be released; one larger than the whole
    budget is refused. Four threads each holding a 256 MiB header took a run to 3.9 GiB.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._used = 0
        self._condition = threading.Condition()

    @contextlib.contextmanager
    def hold(self, size: int, url: str) -> Iterator[None]:
        if size > self.capacity:
            raise InputError(
                url,
                f"its headers are {size} bytes, more than the {self.capacity} bytes --remote-headers "
                "holds at once; not read",
            )
        with self._condition:
            while self._used + size > self.capacity:
                self._condition.wait()
            self._used += size
        try:
            yield
        finally:
            with self._condition:
                self._used -= size
                self._condition.notify_all()


def _declared_end(header_range: tuple[int, int] | None) -> int | None:
    """Where lead, signature and main header end, by the metadata; None when it says nothing
    that could be a header's place (the intros are then read first)."""
    from auditor.formats.rpmheader import INTRO_SIZE, LEAD_SIZE  # as in `Remote._header_as_declared`

    if header_range is None:
        return None
    start, end = header_range
    if start < LEAD_SIZE + INTRO_SIZE or end < start + INTRO_SIZE:
        return None
    return end


def _acceptance(kind: str, url: str) -> Callable[[str], None] | None:
    """What a downloaded file of ``kind`` must pass to replace the cache's last copy: a
    repomd.xml must read as one and name primary metadata. An online run that gets a login
    page instead fails, as before, but leaves --offline the last good copy."""
    if kind != "repomd":
        return None

    def accept(path: str) -> None:
        if "primary" not in read_repomd(path, url).files:
            raise InputError(url, "repomd.xml lists no primary metadata")

    return accept


class NotCached(InputError):
    """What ``--offline`` needs and the cache does not have."""


def _size_of(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # the read says what is wrong with it
