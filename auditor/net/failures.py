"""How an HTTP request failed, in one line: the errors `auditor.net.http` raises and the
words it uses for TLS, connection and proxy failures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from auditor.core.errors import InputError


def _requests() -> Any:
    import requests

    return requests


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


class Retryable(Exception):
    """A failure worth another attempt (connection, timeout, truncated body, 5xx, 429).
    ``wait``: the seconds the server asked to be left alone (``Retry-After``), if it said."""

    def __init__(self, reason: str, status: int | None = None, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.wait = wait


PROXY_AUTHENTICATION_REQUIRED = 407
"""A proxy's answer, not the server's: the auditor sends no credentials to proxies either."""
RETRY_STATUSES = frozenset({429})
"""Statuses under 500 worth another attempt: 429 (Too Many Requests) is a mirror's rate limit,
not an answer about the file (pip and urllib3 retry it too)."""


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


def proxies_for(url: str) -> dict[str, str]:
    """The environment's proxy for ``url`` (``NO_PROXY`` honoured); one with credentials is
    refused, and so is a SOCKS one, or any but an HTTP(S) proxy, that ``url`` would go through:
    requests reads SOCKS proxies only with PySocks, which the auditor does not depend on, and
    without it said no more than ``InvalidSchema``."""
    utils = _requests().utils
    proxies: dict[str, str] = utils.get_environ_proxies(url)
    for key, proxy in proxies.items():
        try:
            netloc = urlsplit(proxy if "://" in proxy else f"http://{proxy}").netloc
        except ValueError as exc:  # "Invalid IPv6 URL" alone named nothing
            raise ValueError(
                f"the proxy named in the environment ({_variable(key, proxy)}) is no URL: {exc}"
            ) from None
        if "@" in netloc:
            raise ValueError("the proxy named in the environment carries credentials; it is not used")
    named = proxy_named(url, proxies)
    if named is not None:
        used = utils.select_proxy(url, proxies)
        scheme = urlsplit(used if "://" in used else f"http://{used}").scheme.lower()
        said = f"the proxy named in the environment, {named},"
        if scheme.startswith("socks"):
            raise ValueError(f"{said} is a SOCKS proxy, which is not supported (only http:// and https://)")
        if scheme not in ("http", "https"):
            raise ValueError(f"{said} is not an http:// or https:// proxy, which alone are supported")
    return proxies


def proxy_named(url: str, proxies: dict[str, str]) -> str | None:
    """The proxy of ``proxies`` (`proxies_for`) that ``url`` goes through, with the variable
    that names it; None when it goes through none. Only its scheme, host and port are shown:
    a path or query the variable carries is nothing a proxy is reached by, and may be a token."""
    used: str | None = _requests().utils.select_proxy(url, proxies)
    if not used:
        return None
    # The key requests chose it by (`requests.utils.select_proxy`): the URL's scheme, else "all".
    # Another variable may hold the same value (HTTP_PROXY and HTTPS_PROXY often do).
    scheme = urlsplit(url).scheme.lower()
    key = next((key for key in (scheme, "all") if proxies.get(key) == used), None)
    if key is None:
        key = next((key for key, value in proxies.items() if value == used), "")
    parts = urlsplit(used if "://" in used else f"http://{used}")
    shown = f"{parts.scheme}://{parts.netloc}" if "://" in used else parts.netloc
    return f"{shown} ({_variable(key, used)})" if key else shown


def _variable(key: str, value: str) -> str:
    """The environment variable that gave the proxy ``value`` for ``key`` (http, https, all):
    its lowercase spelling where that is set, as urllib reads it first."""
    lower = f"{key.lower()}_proxy"
    return lower if os.environ.get(lower) == value else f"{key.upper()}_PROXY"


def proxy_failure(url: str, exc: BaseException, proxies: dict[str, str]) -> HttpError | Retryable:
    """Why a request through a proxy failed, naming the proxy: "connection refused" alone
    sent a user looking at the server, which was never reached. A proxy that refuses to open a
    tunnel to the server (HTTP CONNECT answered 403, 407...) has answered: no retry changes it."""
    named = proxy_named(url, proxies) or "named in the environment"
    for cause in _causes(exc):
        if isinstance(cause, OSError) and str(cause).startswith("Tunnel connection failed"):
            answer = str(cause).partition(":")[2].strip()
            return HttpError(url, f"the proxy {named} refused a tunnel to the server ({answer})")
    return Retryable(f"cannot go through the proxy {named}: {connection_reason(exc)}")


def _causes(exc: BaseException) -> Iterator[BaseException]:
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

    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate verification failed: {cause.verify_message or cause.reason}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS failure: {cause.reason or cause.strerror or type(cause).__name__}"
    return "TLS failure"


def connection_reason(exc: BaseException) -> str:
    from http.client import HTTPException  # loaded by requests already, which raised ``exc``

    for cause in _causes(exc):
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
