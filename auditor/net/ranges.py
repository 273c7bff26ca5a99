"""Range requests: some bytes of a remote file, as `HttpClient` requests anything else.

The headers of remote packages (`auditor.net.remoteheaders`) and the payload a source
package's spec is streamed from (`auditor.sources.remotespec`) are read by HTTP range
requests. `RangeClient` is the run's `HttpClient` with them: the same requests, redirects,
retries and body bounds, and what only range requests need besides, the hosts known to
answer them and the check of a 206 answer's ``Content-Range``. They are apart from
`auditor.net.http` because they are a use of its one request, not part of it, and
http.py had passed the project's 400 lines with them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TypeVar
from urllib.parse import urlsplit

from auditor.net.failures import HttpError, Retryable
from auditor.net.http import HttpClient
from auditor.net.options import HttpSettings
from auditor.net.retry import Attempt
from auditor.net.urlpolicy import Guard, strip_userinfo

T = TypeVar("T")


class RangeClient(HttpClient):
    """One run's HTTP (`HttpClient`), and range requests through it."""

    def __init__(self, settings: HttpSettings | None = None, guard: Guard | None = None) -> None:
        super().__init__(settings, guard)
        self._ranged: set[str] = set()
        """Hosts (``host:port``) that answered a range request with 206: they support ranges."""

    def fetch_range(self, url: str, start: int, end: int) -> tuple[bytes, int | None] | None:
        """Bytes ``start``..``end`` (inclusive) of ``url`` and the file's total size, or None
        when the server ignores range requests (it answered with the whole file, unread)."""
        sink = bytearray()
        fetched = self.fetch_range_into(url, start, end, sink)
        if fetched is None:
            return None
        return bytes(sink), (None if fetched < 0 else fetched)

    def fetch_range_into(self, url: str, start: int, end: int, sink: bytearray) -> int | None:
        """Append bytes ``start``..``end`` (inclusive) of ``url`` to ``sink``; the file's total
        size (-1 when the server does not say), or None when it ignores range requests."""
        mark = len(sink)

        def append(chunks: Iterator[bytes]) -> None:
            del sink[mark:]  # what a failed attempt appended
            for chunk in chunks:
                sink.extend(chunk)

        found = self.consume_range(url, start, end, append)
        return None if found is None else found[1]

    def consume_range(
        self, url: str, start: int, end: int, consume: Callable[[Iterator[bytes]], T]
    ) -> tuple[T, int] | None:
        """Hand the body of bytes ``start``..``end`` (inclusive) of ``url`` to ``consume`` piece
        by piece, as it arrives; return what it returns and the file's total size (-1 when the
        server does not say), or None when the server ignores range requests. A server that
        answered a range request with 206 before does not ignore them: its answer of another
        status (the whole file, a login page) is a failure of this request (`Retryable`).

        ``consume`` may stop early: the connection is then closed and the rest never read. An
        attempt that fails is retried, and ``consume`` called again on the new body.
        """
        url = strip_userinfo(url)
        wanted = end - start + 1
        host = urlsplit(url).netloc

        def once(attempt: Attempt) -> tuple[T, int] | None:
            response, _final = self._checked(
                url, self._follow_once("GET", url, {"Range": f"bytes={start}-{end}"}, attempt)
            )
            if response.status_code != 206:
                status = response.status_code
                response.close()
                if host in self._ranged:
                    # It answered ranges before: this answer (a login page, an edge cache's
                    # whole file) is this file's failure, not a server without ranges, which
                    # would leave every other header of the host unread.
                    raise Retryable(
                        f"answered a range request with HTTP {status}, not 206 (Partial Content), "
                        "though the server answered others with 206"
                    )
                return None
            total = _content_range_total(response.headers.get("Content-Range", ""), start)
            if total is None:
                response.close()
                raise HttpError(url, f"bad Content-Range for bytes {start}-{end}")
            self._ranged.add(host)
            body = self._body(response, attempt, wanted)
            try:
                value = consume(body)
            finally:
                body.close()
                response.close()  # a body never started has no generator frame to close it
            return value, total

        return self._retry.run(url, wanted, once, counted=True)


MAX_FILE_SIZE = (1 << 63) - 1
"""The largest size a file can have (a signed 64-bit offset): what the cache records a size in."""


def _content_range_total(header: str, start: int) -> int | None:
    """The file's total size a 206 answer's ``Content-Range`` gives for a range asked from
    ``start`` (-1 when it says ``*``), or None when it is not a range starting there that
    lies within a file's possible size: a server's ``/99999999999999999999999`` ended the
    run as an internal error when the header was cached."""
    match = re.fullmatch(r"bytes\s+(\d+)-(\d+)/(\d+|\*)", header.strip())
    if match is None:
        return None
    first, last = int(match.group(1)), int(match.group(2))
    total = -1 if match.group(3) == "*" else int(match.group(3))
    if first != start or last < first or total > MAX_FILE_SIZE or 0 <= total <= last:
        return None
    return total
