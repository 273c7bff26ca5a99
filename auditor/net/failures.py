"""How an HTTP request failed, in one line: the errors `auditor.net.http` raises and the
words it uses for TLS and connection failures (a proxy's: `auditor.net.proxy`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from auditor.core.errors import InputError, ServedElsewhere

A = TypeVar("A")
B = TypeVar("B")
T = TypeVar("T")


def _urllib3() -> Any:
    import urllib3

    return urllib3


class HttpError(Exception):
    """A request that failed for good: ``url`` names it, ``reason`` says why."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status
        self.retryable = False
        """Whether it is a failure that was worth retrying (and was, as far as allowed)."""

    def input_error(self) -> InputError:
        return InputError(self.url, self.reason)


class PolicyRedirect(HttpError):
    """A request its server redirected to a policy host (``target``), which is never contacted.

    Not a failure like the others: the server says the file is there, on that host, and dnf
    (librepo) follows it there. A repository read from another URL instead must not pass for
    the one dnf reads (`auditor.sources.configsection`)."""

    def __init__(self, url: str, reason: str, target: str) -> None:
        super().__init__(url, reason)
        self.target = target

    def input_error(self) -> InputError:
        return RedirectedToPolicyHost(self.url, self.reason, self.target)


class RedirectedToPolicyHost(ServedElsewhere):
    """`PolicyRedirect` as an input's error: ``target`` is where the server sent the request."""

    key = "redirect"


class MetadataRedirected(RedirectedToPolicyHost):
    """A repository's metadata file (primary, filelists...) whose server redirects it to a policy
    host: librepo fetches it from there, as from an ``xml:base`` there."""

    metadata = True


def metadata_redirects(fetch: Callable[[A, B], T]) -> Callable[[A, B], T]:
    """``fetch`` (a metadata file's), its redirects to a policy host said as `MetadataRedirected`."""

    def fetched(entry: A, href: B) -> T:
        try:
            return fetch(entry, href)
        except RedirectedToPolicyHost as exc:
            raise MetadataRedirected(exc.source, exc.reason, exc.target) from None

    return fetched


class Retryable(Exception):
    """A failure worth another attempt (connection, timeout, truncated body, 5xx, 429).
    ``wait``: the seconds the server asked to be left alone (``Retry-After``), if it said."""

    def __init__(self, reason: str, status: int | None = None, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.wait = wait


RETRY_STATUSES = frozenset({429})
"""Statuses under 500 worth another attempt: 429 (Too Many Requests) is a mirror's rate limit,
not an answer about the file (pip and urllib3 retry it too)."""


def content_length(value: str | None) -> int | None:
    """The size a ``Content-Length`` header states, or None when absent or not ASCII digits:
    ``str.isdigit`` alone is true for '²', which ``int`` refuses, and a server's header is
    input (http.client and urllib3 read no length from it either)."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def retry_after(value: str | None, now: float) -> float | None:
    """The seconds a ``Retry-After`` header asks to wait (RFC 9110 10.2.3: a number of
    seconds, or an HTTP date; ``now`` is the wall clock's time), or None when absent or
    unreadable. A date past is no wait."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(int(text[:12]))  # a number of seconds; twelve digits are centuries already
    # Imported here: only a server that asks to wait pays for the date parser.
    from datetime import UTC
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # RFC 9110: an HTTP date is in GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        for nested in (getattr(item, "reason", None), item.__cause__, item.__context__, *item.args):
            if isinstance(nested, BaseException):
                stack.append(nested)


def tls_reason(exc: BaseException) -> str:
    import ssl  # here: 2.7 ms at every start, and only a failed TLS connection asks

    for cause in causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate verification failed: {cause.verify_message or cause.reason}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS failure: {cause.reason or cause.strerror or type(cause).__name__}"
    return "TLS failure"


def connection_reason(exc: BaseException) -> str:
    from http.client import HTTPException  # loaded by requests already, which raised ``exc``

    for cause in causes(exc):
        if isinstance(cause, _urllib3().exceptions.NameResolutionError) or type(cause).__name__ == "gaierror":
            return "cannot resolve the host name"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        # A proxy's is no ProtocolError: urllib3 says "Unable to connect to proxy" of a request
        # sent to an HTTP proxy that closed without an answer (RemoteDisconnected, an HTTPException).
        if isinstance(cause, _urllib3().exceptions.ProtocolError | HTTPException):
            return "the connection was closed before an answer"
        if isinstance(cause, OSError) and cause.strerror:
            return f"cannot connect: {cause.strerror.lower()}"
    return "cannot connect"


def short(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."
