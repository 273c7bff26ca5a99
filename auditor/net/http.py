"""HTTP for remote repositories and URL resolution: bounded, credential-free, http(s) only.

What every request made through `HttpClient` is held to:

- **No credentials, ever.** The session does not trust the environment (``trust_env =
  False``: no ``.netrc``, no ``REQUESTS_*`` auth), keeps and sends no cookie, never sends
  an ``Authorization`` header, and strips the user-info part (``user:password@``) of
  every URL, the ones a redirect names included. Proxies from ``HTTPS_PROXY``,
  ``HTTP_PROXY`` and ``NO_PROXY`` are honoured explicitly, never one that carries
  credentials; the CA bundle of ``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE`` is used when set.
- **Only http and https.** Redirects are followed here, not by requests: at most
  `HttpSettings.max_redirects` hops, a loop is refused, and every target is decided by
  the URL policy (`auditor.net.urlpolicy`), which refuses any other scheme (``file:``,
  ``ftp:``, ``data:``...). A URL the guard refuses (a policy host) is never contacted:
  its host is checked before any DNS lookup.
- **Bounded.** Timeouts on connect and on every read; connection errors, timeouts,
  truncated bodies and 5xx answers are retried with exponential back-off, up to
  `HttpSettings.attempts` attempts in all; bodies are streamed with a size ceiling and
  the download is aborted past it. Bodies are asked for and stored as served
  (``Accept-Encoding: identity``, no transparent decompression), so a checksum is taken
  over the bytes the repository published.

Failures raise `HttpError`: one line naming the URL.
"""

from __future__ import annotations

import os
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, TypeVar
from urllib.parse import urljoin, urlsplit

from auditor import __version__
from auditor.core.errors import InputError
from auditor.net.urlpolicy import Guard, UrlOrigin, decide, is_http, strip_userinfo

__all__ = ["Guard", "HttpClient", "HttpError", "HttpSettings", "is_http", "strip_userinfo"]

CHUNK = 1 << 16
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HEAD_REFUSED = frozenset({403, 405, 501})
"""Answers to HEAD after which a URL is probed again with a one-byte GET."""

T = TypeVar("T")

if TYPE_CHECKING:
    import requests


def _requests() -> Any:
    """requests, imported on first use: an audit of local inputs never pays for it."""
    import requests

    return requests


def _urllib3() -> Any:
    import urllib3

    return urllib3


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    attempts: int = 3
    """Attempts in all for connection errors, timeouts, truncated bodies and 5xx answers."""
    backoff: float = 0.5
    """Seconds before the second attempt; doubled before each next one."""
    max_redirects: int = 5


class HttpError(Exception):
    """A request that failed for good: ``url`` names it, ``reason`` says why."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status

    def input_error(self) -> InputError:
        return InputError(self.url, self.reason)


class _Retryable(Exception):
    """A failure worth another attempt (connection, timeout, truncated body, 5xx)."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class HttpClient:
    """One run's HTTP: a session per thread, every request held to the guarantees above."""

    def __init__(self, settings: HttpSettings | None = None, guard: Guard | None = None) -> None:
        self.settings = settings or HttpSettings()
        self.guard = guard
        self._local = threading.local()
        self._verify: str | bool = (
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )

    # -- one request -------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = _requests().Session()
            session.trust_env = False
            session.auth = None
            import http.cookiejar

            session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
            session.headers.clear()
            session.headers.update(
                {"User-Agent": f"auditor/{__version__}", "Accept-Encoding": "identity", "Accept": "*/*"}
            )
            session.verify = self._verify
            self._local.session = session
        return session

    def check(self, url: str) -> None:
        """Refuse, before any network use, a URL the URL policy refuses (`auditor.net.urlpolicy`):
        the last check, whatever route brought the URL here."""
        decision = decide(url, UrlOrigin.request(), self.guard)
        if not decision.allowed:
            prefix = "not contacted: " if decision.policy_host else ""
            raise HttpError(url, prefix + decision.reason)

    def _send_once(self, method: str, url: str, headers: dict[str, str] | None) -> requests.Response:
        self.check(url)
        if headers and any(name.lower() in ("authorization", "cookie") for name in headers):
            raise ValueError("credentials are never sent")
        try:
            proxies = _proxies(url)
        except ValueError as exc:
            raise HttpError(url, str(exc)) from None
        try:
            response = self._session().request(
                method,
                url,
                headers=headers,
                allow_redirects=False,
                stream=True,
                timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                proxies=proxies,
            )
        except _requests().exceptions.SSLError as exc:
            raise HttpError(url, _tls_reason(exc)) from None
        except _requests().exceptions.ConnectTimeout:
            raise _Retryable(f"no connection within {self.settings.connect_timeout:g} s") from None
        except _requests().exceptions.ReadTimeout:
            raise _Retryable(f"no answer within {self.settings.read_timeout:g} s") from None
        except _requests().exceptions.ConnectionError as exc:
            raise _Retryable(_connection_reason(exc)) from None
        except _requests().exceptions.InvalidURL as exc:
            raise HttpError(url, f"not a valid URL: {exc}") from None
        except _requests().exceptions.RequestException as exc:
            raise HttpError(url, f"request failed: {type(exc).__name__}") from None
        status = response.status_code
        if status >= 500:
            response.close()
            raise _Retryable(f"HTTP {status} {response.reason or ''}".rstrip(), status)
        return response

    def _retrying(self, url: str, action: Callable[[], T]) -> T:
        attempts = max(1, self.settings.attempts)
        for attempt in range(1, attempts + 1):
            try:
                return action()
            except _Retryable as exc:
                if attempt == attempts:
                    suffix = f" (after {attempts} attempts)" if attempts > 1 else ""
                    raise HttpError(url, exc.reason + suffix, exc.status) from None
                time.sleep(self.settings.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def send(self, method: str, url: str, headers: dict[str, str] | None = None) -> requests.Response:
        """One request, no redirect followed, retried on connection errors and 5xx."""
        url = strip_userinfo(url)
        return self._retrying(url, lambda: self._send_once(method, url, headers))

    # -- redirects ---------------------------------------------------------------------

    def redirect_target(self, response: requests.Response, current: str) -> str | None:
        """Where a redirect answer points, absolute and without user-info; None if not a redirect."""
        if response.status_code not in REDIRECT_STATUSES:
            return None
        location = self._session().get_redirect_target(response)
        if not location:
            return None
        return strip_userinfo(urljoin(current, location.strip()))

    def _follow_once(
        self, method: str, url: str, headers: dict[str, str] | None
    ) -> tuple[requests.Response, str]:
        chain = [url]
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            response = self._send_once(method, current, headers)
            target = self.redirect_target(response, current)
            if target is None:
                return response, current
            response.close()
            decision = decide(target, UrlOrigin.redirect(current), self.guard)
            if decision.policy_host:
                raise HttpError(url, f"redirected to {target}, which is not contacted: {decision.reason}")
            if not decision.allowed:
                raise HttpError(url, f"redirected to {_short(target)}, not followed: {decision.reason}")
            if target in chain:
                raise HttpError(url, "redirect loop: " + " -> ".join([*chain, target]))
            chain.append(target)
            current = target
        raise HttpError(url, f"more than {self.settings.max_redirects} redirects: " + " -> ".join(chain))

    def open(self, url: str, headers: dict[str, str] | None = None) -> tuple[requests.Response, str]:
        """GET ``url`` following redirects (safely); the response is not read yet."""
        url = strip_userinfo(url)
        return self._retrying(url, lambda: self._checked(url, self._follow_once("GET", url, headers)))

    def _checked(self, url: str, answer: tuple[requests.Response, str]) -> tuple[requests.Response, str]:
        response, final = answer
        if response.status_code >= 400:
            response.close()
            if response.status_code == 404:
                raise HttpError(url, "not found (HTTP 404)", 404)
            raise HttpError(
                url, f"HTTP {response.status_code} {response.reason or ''}".rstrip(), response.status_code
            )
        return response, final

    # -- bodies ------------------------------------------------------------------------

    def download(self, url: str, sink: IO[bytes], ceiling: int) -> int:
        """Write the body of ``url`` to ``sink`` (rewound on each attempt); abort past ``ceiling`` bytes."""
        url = strip_userinfo(url)

        def attempt() -> int:
            sink.seek(0)
            sink.truncate()
            response, _final = self._checked(url, self._follow_once("GET", url, None))
            total = 0
            for chunk in self._body(response, url, ceiling):
                sink.write(chunk)
                total += len(chunk)
            return total

        return self._retrying(url, attempt)

    def fetch_range(self, url: str, start: int, end: int) -> tuple[bytes, int | None] | None:
        """Bytes ``start``..``end`` (inclusive) of ``url`` and the file's total size, or None
        when the server ignores range requests (it answered with the whole file, unread)."""
        url = strip_userinfo(url)
        wanted = end - start + 1

        def attempt() -> tuple[bytes, int | None] | None:
            response, _final = self._checked(
                url, self._follow_once("GET", url, {"Range": f"bytes={start}-{end}"})
            )
            if response.status_code != 206:
                response.close()
                return None
            match = re.fullmatch(
                r"bytes\s+(\d+)-(\d+)/(\d+|\*)", response.headers.get("Content-Range", "").strip()
            )
            if match is None or int(match.group(1)) != start:
                response.close()
                raise HttpError(url, f"bad Content-Range for bytes {start}-{end}")
            total = None if match.group(3) == "*" else int(match.group(3))
            data = b"".join(self._body(response, url, wanted))
            return data, total

        return self._retrying(url, attempt)

    def probe(self, url: str) -> tuple[int, str | None]:
        """One hop of a URL: its status and, for a redirect, the absolute target (not followed).

        HEAD first; a server that refuses HEAD gets a GET for one byte, whose body is not read.
        """
        url = strip_userinfo(url)
        response = self.send("HEAD", url)
        if response.status_code in HEAD_REFUSED:
            response.close()
            response = self.send("GET", url, {"Range": "bytes=0-0"})
        target = self.redirect_target(response, url)
        status = response.status_code
        response.close()
        return status, target

    def _body(self, response: requests.Response, url: str, ceiling: int) -> Iterator[bytes]:
        length_text = response.headers.get("Content-Length", "")
        length = int(length_text) if length_text.isdigit() else None
        if length is not None and length > ceiling:
            response.close()
            raise HttpError(url, f"is {length} bytes, over the {ceiling}-byte ceiling; not downloaded")
        total = 0
        try:
            for chunk in response.raw.stream(CHUNK, decode_content=False):
                total += len(chunk)
                if total > ceiling:
                    raise HttpError(url, f"larger than the {ceiling}-byte ceiling; download aborted")
                yield chunk
        except _urllib3().exceptions.ReadTimeoutError:
            raise _Retryable(f"no data within {self.settings.read_timeout:g} s") from None
        except (_urllib3().exceptions.ProtocolError, _urllib3().exceptions.IncompleteRead):
            raise _Retryable(
                f"truncated: the connection closed after {total} of {length or '?'} bytes"
            ) from None
        except (_urllib3().exceptions.HTTPError, OSError) as exc:
            raise _Retryable(f"download failed: {type(exc).__name__}") from None
        finally:
            response.close()
        if length is not None and total != length:
            raise _Retryable(f"truncated: received {total} of {length} bytes")


def _proxies(url: str) -> dict[str, str]:
    """The environment's proxy for ``url`` (``NO_PROXY`` honoured); one with credentials is refused."""
    proxies: dict[str, str] = _requests().utils.get_environ_proxies(url)
    for proxy in proxies.values():
        if "@" in urlsplit(proxy if "://" in proxy else f"http://{proxy}").netloc:
            raise ValueError("the proxy named in the environment carries credentials; it is not used")
    return proxies


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


def _tls_reason(exc: BaseException) -> str:
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate verification failed: {cause.verify_message or cause.reason}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS failure: {cause.reason or cause.strerror or type(cause).__name__}"
    return "TLS failure"


def _connection_reason(exc: BaseException) -> str:
    for cause in _causes(exc):
        if isinstance(cause, _urllib3().exceptions.NameResolutionError) or type(cause).__name__ == "gaierror":
            return "cannot resolve the host name"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, _urllib3().exceptions.ProtocolError):
            return "the connection was closed before an answer"
        if isinstance(cause, OSError) and cause.strerror:
            return f"cannot connect: {cause.strerror.lower()}"
    return "cannot connect"


def _short(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."
