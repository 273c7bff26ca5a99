"""The network and the cache of one run: every remote input goes through one `Remote`.

``repomd.xml`` and other files that change under the same URL are fetched on every online
run (the last copy kept for ``--offline``); metadata files are content-addressed by the
checksum ``repomd.xml`` gives them, downloaded with repomd's size as the ceiling and
checked against checksum and size before anyone parses them. RPM headers are read by HTTP
range requests (`auditor.net.remoteheaders`), held within one memory budget for the whole
run (`HeaderMemory`) from their fetch to their parse, and cached by package checksum. The
payload of a source package without a SPEC tag is streamed within the run's
`DownloadBudget` only until its spec is found (`auditor.sources.remotespec`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from auditor.core.errors import InputError
from auditor.formats.repomd import MetadataFile, read_repomd
from auditor.formats.xmlstream import supported_checksum, verify_checksum
from auditor.net.budget import DownloadBudget
from auditor.net.cache import Cache, default_cache_dir, url_key
from auditor.net.failures import PolicyRedirect, RedirectedToPolicyHost
from auditor.net.http import HttpError
from auditor.net.options import RemoteOptions
from auditor.net.ranges import RangeClient
from auditor.net.urlpolicy import Guard, UrlDecision, UrlOrigin, decide
from auditor.runtime.progress import SILENT, Reporter

SMALL_FILE_CEILING = 16 * 1024**2
"""Ceiling for repomd.xml, mirrorlists, metalinks and .repo files."""
REDIRECTED = "redirected"
GONE = "gone"
"""What an online run found gone (`GONE_STATUSES`) where the cache held a copy, kept so that
``--offline`` says so rather than reading the copy from before."""
GONE_STATUSES = frozenset({404, 410})
"""The server's answers that a file is not there: a failure that is no outage (a timeout, a 503)."""
"""The cache's kind (`Cache.by_url`) of what an online run found of a URL its server redirected
to a policy host: the target and why, for --offline to say again."""
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
        self.client = RangeClient(self.options.http, guard)
        self.cache = Cache(self.options.cache_dir or default_cache_dir())
        if not self.options.offline:  # an offline run keeps every entry it may need
            self.cache.prune(time.time())
        self._warnings: list[str] = []
        self._no_ranges: set[str] = set()
        self._lock = threading.Lock()
        self.header_memory = HeaderMemory(self.options.header_memory)
        self.spec_budget = DownloadBudget(self.options.spec_budget, self.options.spec_total)
        self._spill: tuple[str, weakref.finalize] | None = None  # type: ignore[type-arg]
        """This run's own directory for downloads the cache could not hold (`_download`)."""

    def close(self) -> None:
        """Remove what this run downloaded outside the cache. Also done when the object is
        collected or the interpreter exits (a forked child ends with ``os._exit``: never there)."""
        with self._lock:
            spill, self._spill = self._spill, None
        if spill is not None:
            spill[1]()

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
        redirected = self.cache.by_url(REDIRECTED, f"{kind}\0{url}")
        gone = self.cache.by_url(GONE, f"{kind}\0{url}")
        if self.options.offline:
            said = self.cache.read_json(redirected) or {}
            target, reason = said.get("target"), said.get("reason")
            if isinstance(target, str) and isinstance(reason, str):
                raise RedirectedToPolicyHost(url, reason, target)
            reason = (self.cache.read_json(gone) or {}).get("reason")
            if isinstance(reason, str):
                raise NotCached(
                    url,
                    f"the last online run found it gone ({reason}); --offline reads no copy from before",
                )
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
            path = self._download(url, path, ceiling, accepted)
        except PolicyRedirect as exc:
            # Kept for --offline, which must meet it too: its last copy of the file, from before
            # the server sent it to the policy host, is not what this run found there.
            self.cache.discard(path)
            with contextlib.suppress(OSError):
                self.cache.write_json(redirected, {"target": exc.target, "reason": exc.reason})
            raise exc.input_error() from None
        except HttpError as exc:
            if exc.status in GONE_STATUSES:
                # The server says it is not there: the cache's copy is a repository withdrawn
                # since, which --offline audited as if it still were (README, --offline: it reads
                # what the last online run read). An outage keeps the copy for --offline.
                self.cache.discard(path)
                with contextlib.suppress(OSError):
                    self.cache.write_json(gone, {"reason": exc.reason})
            raise exc.input_error() from None
        self.cache.discard(redirected)
        self.cache.discard(gone)
        return path

    def forget(self, url: str, kind: str) -> None:
        """Drop the cache's last copy of ``url`` (fetched by `fetch_by_url` as ``kind``): an
        online run found it gone or failing, and read another file instead, which is what
        ``--offline`` must read too."""
        self.cache.discard(self.cache.by_url(kind, url))

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
            path = self._download(url, path, ceiling, _acceptance(kind, url))
        except (HttpError, InputError) as exc:
            # Not there now, or not read: an earlier run's copy is not what this run saw, and
            # --offline, reading it, audited a source repository removed since (clean, where
            # this run's binaries have no sources: incomplete).
            self.cache.discard(path)
            if isinstance(exc, InputError):
                raise
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
            return self._download(url, path, ceiling, accept)
        except HttpError as exc:
            raise exc.input_error() from None

    def _download(
        self, url: str, path: str, ceiling: int, accept: Callable[[str], None] | None = None
    ) -> str:
        """``url`` into the cache at ``path``, kept only if ``accept`` (given the temporary file)
        passes; returns where it is. A cache that cannot be written (read-only, full, a file where
        a directory goes: a CI job's read-only home) costs later runs their copy, not this run its
        input: the file is downloaded again into a directory of this run's, and a warning says
        so. Raises `HttpError` when the request fails."""
        try:
            with self.cache.writing(path, accept) as stream:
                self.client.download(url, stream, ceiling, self.progress)
            return path
        except OSError as exc:
            refused = exc  # the client turns the network's own OSErrors into HttpError
        try:
            spilled = os.path.join(self._spill_directory(refused), url_key(path))
            with self.cache.writing(spilled, accept) as stream:
                self.client.download(url, stream, ceiling, self.progress)
        except OSError as exc:
            raise InputError(
                url,
                f"cannot write to the cache ({refused.strerror or refused}) nor to a temporary "
                f"directory ({exc.strerror or exc})",
            ) from None
        return spilled

    def _spill_directory(self, refused: OSError) -> str:
        with self._lock:
            if self._spill is None:
                directory = tempfile.mkdtemp(prefix="auditor-downloads-")
                self._spill = (directory, weakref.finalize(self, shutil.rmtree, directory, True))
                self._warnings.append(
                    f"cache {self.cache.root}: cannot be written ({refused.strerror or refused}); "
                    "this run's downloads are kept for it alone (a later --offline run reads the cache's own)"
                )
            return self._spill[0]

    # -- headers by range ----------------------------------------------------------------

    def ranges_unsupported(self, url: str) -> bool:
        with self._lock:
            return urlsplit(url).netloc in self._no_ranges

    def no_range_support(self, url: str) -> None:
        """Note that ``url``'s server ignores range requests: its other headers are not asked for."""
        host = urlsplit(url).netloc
        with self._lock:
            self._no_ranges.add(host)
        self.warn(
            f"{host}: the server ignores HTTP range requests; its packages' headers are not read, only"
            " their metadata (counted as metadata-only)"
        )


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
