"""The proxy the environment names, and what its failures are said as.

Proxies named by ``HTTPS_PROXY``, ``HTTP_PROXY`` and ``ALL_PROXY`` (with ``NO_PROXY``) are used
as requests reads them, never one that carries credentials nor any but an HTTP(S) one
(`proxies_for`). A request a proxy refuses, closes or leaves unanswered is the proxy's failure,
said with the proxy's address alone and the variable that gave it (`proxy_failure`, `through`):
"connection refused" on the repository's URL sent a user to a server the run never reached.
`auditor.net.http` asks it of every request it sends.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from auditor.net.failures import HttpError, Retryable, causes, connection_reason


def _requests() -> Any:
    # On first use: the client imports this module, and a replayed run imports neither.
    import requests

    return requests


PROXY_AUTHENTICATION_REQUIRED = 407
"""A proxy's answer, not the server's: the auditor sends no credentials to proxies either."""


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
    # The key requests chose it by (`_requests().utils.select_proxy`): the URL's scheme, else "all".
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
    for cause in causes(exc):
        if isinstance(cause, OSError) and str(cause).startswith("Tunnel connection failed"):
            answer = str(cause).partition(":")[2].strip()
            return HttpError(url, f"the proxy {named} refused a tunnel to the server ({answer})")
    return Retryable(f"cannot go through the proxy {named}: {connection_reason(exc)}")


def through_proxy(exc: Exception) -> bool:
    """Whether ``exc``, raised by a request that goes through a proxy, is the proxy's failure:
    its connection refused or closed, or the tunnel of an https:// URL never opened. Until the
    tunnel is open the auditor talks to the proxy alone, and urllib3 says ProxyError only of
    some of these (a CONNECT the proxy closes without an answer is a ProtocolError, which named
    the server the run never reached). A TLS failure or a timeout may be the server's."""
    exceptions = _requests().exceptions
    if isinstance(exc, exceptions.ProxyError):
        return True
    return isinstance(exc, exceptions.ConnectionError) and not isinstance(
        exc, exceptions.SSLError | exceptions.Timeout
    )


def through(failure: Exception, proxy: str | None) -> Exception:
    """``failure`` of a request that went through ``proxy`` (None: through none), saying so: a
    timeout or a TLS failure may be the proxy's (one that never answers a CONNECT) or the
    server's, and the user is to look at both, not only at the server."""
    if proxy is None:
        return failure
    if isinstance(failure, Retryable):
        return Retryable(f"{failure.reason}, through the proxy {proxy}", failure.status, failure.wait)
    if isinstance(failure, HttpError):
        return HttpError(failure.url, f"{failure.reason}, through the proxy {proxy}", failure.status)
    return failure
