"""HTTP for remote repositories and URL resolution: bounded, credential-free, http(s) only.

What every request made through `HttpClient` is held to:

- **No credentials, ever.** Requests go straight to requests' transport adapter, with no
  session: nothing is taken from the environment (no ``.netrc``, no ``REQUESTS_*`` auth),
  no cookie is kept or sent, an ``Authorization`` header never, and the user-info part
  (``user:password@``) of every URL is stripped, the ones a redirect names included.
  Proxies from ``HTTPS_PROXY``, ``HTTP_PROXY`` and ``NO_PROXY`` are honoured explicitly,
  never one that carries credentials nor any but an HTTP(S) one (a SOCKS proxy needs
  PySocks, no dependency of the auditor's); the CA bundle of ``REQUESTS_CA_BUNDLE`` or
  ``CURL_CA_BUNDLE`` is used when set.
- **Only http and https.** Redirects are followed here, not by requests: at most
  `HttpSettings.max_redirects` hops, a loop is refused, and every target is decided by
  the URL policy (`auditor.net.urlpolicy`), which refuses any other scheme (``file:``,
  ``ftp:``, ``data:``...). A URL the guard refuses (a policy host) is never contacted:
  its host is checked before any DNS lookup.
- **Bounded.** Timeouts on connect and on every read; the status line and headers within
  one rate window; a body slower than `HttpSettings.min_rate` over a window is aborted;
  and each request, retries included, has a deadline derived from its size ceiling and
  the minimum rate (`HttpSettings.deadline`), enforced from outside the blocked read
  (`auditor.net.deadline`). Connection errors, timeouts, slow or truncated bodies, 5xx
  and 429 answers are retried with exponential back-off (or after the ``Retry-After`` a
  server gives, when its deadline leaves time for it), up to `HttpSettings.attempts` attempts
  in all and `HttpSettings.retry_budget` retries in the whole run (`auditor.net.retry`);
  bodies are streamed with a size ceiling and the download is aborted past it. Bodies are
  asked for and stored as served (``Accept-Encoding: identity``, no transparent
  decompression), so a checksum is taken over the bytes the repository published.

Failures raise `HttpError`: one line naming the URL. Range requests, which read some bytes of
a file through these requests, are `auditor.net.ranges`.
"""

from __future__ import annotations

import os
import posixpath
import re
import threading
import time
from collections.abc import Generator
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from auditor import __version__
from auditor.net.deadline import RateMeter, current_watch, watched_adapter
from auditor.net.failures import (
    RETRY_STATUSES,
    HttpError,
    PolicyRedirect,
    Retryable,
    connection_reason,
    content_length,
    retry_after,
    short,
    tls_reason,
)
from auditor.net.options import HttpSettings
from auditor.net.proxy import (
    PROXY_AUTHENTICATION_REQUIRED,
    proxies_for,
    proxy_failure,
    proxy_named,
    through,
    through_proxy,
)
from auditor.net.retry import Attempt, RetryPolicy
from auditor.net.urlpolicy import Guard, UrlOrigin, as_curl_reads, decide, is_http, strip_userinfo
from auditor.runtime.progress import SILENT, Reporter

__all__ = ["Guard", "HttpClient", "HttpError", "is_http", "strip_userinfo"]

CHUNK = 1 << 16
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_HEADERS = {"User-Agent": f"auditor/{__version__}", "Accept-Encoding": "identity", "Accept": "*/*"}
"""The headers every request carries; a request adds only its ``Range``."""
HEAD_ERROR = 400
"""Answers to HEAD from this status up are followed by a one-byte GET: a server may refuse HEAD
(403, 405, 501) or answer it otherwise than GET (404 or 400 for a dynamic archive endpoint that
redirects a GET), and what follows such a URL for real (curl, a browser, spectool) uses GET."""

if TYPE_CHECKING:
    import requests


def _requests() -> Any:
    """requests, imported on first use: an audit of local inputs never pays for it."""
    import requests

    return requests


def _urllib3() -> Any:
    import urllib3

    return urllib3


_CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
"""The environment variables that replace the default CA bundle, the first set winning."""


class HttpClient:
    """One run's HTTP: a connection pool per thread, every request held to the guarantees above."""

    def __init__(self, settings: HttpSettings | None = None, guard: Guard | None = None) -> None:
        self.settings = settings or HttpSettings()
        self.guard = guard
        self._local = threading.local()
        self._retry = RetryPolicy(self.settings)
        variable = next((name for name in _CA_VARIABLES if os.environ.get(name)), None)
        self._verify: str | bool = os.environ[variable] if variable else True
        self._no_ca_bundle = (
            f"{variable}={self._verify}: no such CA bundle (file or directory)"
            if variable and not os.path.exists(self._verify)
            else None
        )
        """Why no https request can be made: requests' own complaint went through as an
        OSError, which the download reported as the cache's ("cannot write to the cache")."""
        self._proxies: dict[tuple[str, str], dict[str, str] | str] = {}
        """`proxies_for` by scheme and host (or why none may be used): the environment it reads
        does not change during a run, and reading it (every variable decoded, twice) cost 0.14
        ms a request, a fifth of a header's range request on 127.0.0.1."""

    # -- one request -------------------------------------------------------------------

    def _adapter(self) -> requests.adapters.HTTPAdapter:
        adapter: requests.adapters.HTTPAdapter | None = getattr(self._local, "adapter", None)
        if adapter is None:
            adapter = watched_adapter()  # its connections can be shut down when a deadline passes
            self._local.adapter = adapter
        return adapter

    def check(self, url: str) -> None:
        """Refuse, before any network use, a URL the URL policy refuses (`auditor.net.urlpolicy`):
        the last check, whatever route brought the URL here."""
        decision = decide(url, UrlOrigin.request(), self.guard)
        if not decision.allowed:
            prefix = "not contacted: " if decision.policy_host else ""
            raise HttpError(url, prefix + decision.reason)

    def _send_once(
        self, method: str, url: str, headers: dict[str, str] | None, attempt: Attempt
    ) -> requests.Response:
        self.check(url)
        if self._no_ca_bundle is not None and url.lower().startswith("https:"):
            raise HttpError(url, self._no_ca_bundle)
        if headers and any(name.lower() in ("authorization", "cookie") for name in headers):
            raise ValueError("credentials are never sent")
        parts = urlsplit(url)
        proxies = self._proxies.get((parts.scheme, parts.netloc))
        if proxies is None:
            try:
                proxies = proxies_for(url)
            except ValueError as exc:
                proxies = str(exc)
            self._proxies[parts.scheme, parts.netloc] = proxies
        if isinstance(proxies, str):
            raise HttpError(url, proxies)
        window, remaining = self.settings.window, attempt.remaining()
        if remaining <= 0:
            raise attempt.expired()
        if remaining <= window:
            attempt.watch.arm(remaining, attempt.expired())
        else:
            slow_answer = Retryable(f"no complete answer (status and headers) within {window:g} s")
            attempt.watch.arm(window, slow_answer)
        failure: Exception | None = None
        try:
            with current_watch(attempt.watch):
                response = self._adapter().send(
                    self._prepared(method, url, headers),
                    stream=True,
                    timeout=(self.settings.connect_timeout, self.settings.read_timeout),
                    verify=self._verify,
                    cert=None,
                    proxies=proxies,
                )
        except _requests().exceptions.RequestException as exc:
            named = proxy_named(url, proxies)
            if attempt.watch.fired is not None:
                failure = through(attempt.watch.fired, named)
            elif through_proxy(exc) and named is not None:
                failure = proxy_failure(url, exc, proxies)
            else:
                failure = through(self._failure(url, exc), named)
        except _urllib3().exceptions.LocationValueError:  # a host urllib3 cannot encode: no RequestException
            failure = HttpError(url, "the host is not a valid name")
        finally:
            attempt.watch.disarm()
        if failure is not None:  # raised here: requests' exception as its context kept an answer
            # urllib3 refused half made (``Content-Length: 5, 6``), its socket open, as long as the
            # error lived: with the run's errors, in a cycle the paused collector leaves.
            try:
                raise failure
            finally:
                del failure  # this frame and its error: another such cycle
        status = response.status_code
        # An https:// URL goes through a proxy's tunnel, whose refusal is a ProxyError above: a
        # 407 in its answer is the server's, a plain HTTP error.
        if (
            status == PROXY_AUTHENTICATION_REQUIRED
            and not url.lower().startswith("https:")
            and (proxy := proxy_named(url, proxies)) is not None
        ):
            response.close()
            raise HttpError(url, f"the proxy {proxy} asks for credentials (HTTP 407), which are never sent")
        if status >= 500 or status in RETRY_STATUSES:
            wait = retry_after(response.headers.get("Retry-After"), time.time())
            response.close()
            raise Retryable(f"HTTP {status} {response.reason or ''}".rstrip(), status, wait)
        return response

    @staticmethod
    def _prepared(method: str, url: str, headers: dict[str, str] | None) -> requests.PreparedRequest:
        """The request as sent: the fixed headers, and ``headers``; nothing from a session.

        Requests go to the transport adapter directly, not through a `requests.Session`:
        what a session adds (its cookies, auth, environment, redirects, hooks) is what the
        guarantees above refuse anyway, and merging it cost 0.35 ms of CPU a request, half
        of a header's range request on 127.0.0.1. The URL is still checked and encoded by
        requests (`requests.PreparedRequest.prepare`).
        """
        prepared: requests.PreparedRequest = _requests().PreparedRequest()
        prepared.prepare(method=method, url=url, headers={**_HEADERS, **(headers or {})})
        return prepared

    def _failure(self, url: str, exc: Exception) -> Exception:
        """What a requests exception means: worth retrying, or final."""
        exceptions = _requests().exceptions
        if isinstance(exc, exceptions.SSLError):
            return HttpError(url, tls_reason(exc))
        if isinstance(exc, exceptions.ConnectTimeout):
            return Retryable(f"no connection within {self.settings.connect_timeout:g} s")
        if isinstance(exc, exceptions.ReadTimeout):
            return Retryable(f"no answer within {self.settings.read_timeout:g} s")
        if isinstance(exc, exceptions.ConnectionError):
            return Retryable(connection_reason(exc))
        if isinstance(exc, exceptions.InvalidURL):
            return HttpError(url, f"not a valid URL: {exc}")
        return HttpError(url, f"request failed: {type(exc).__name__}")

    def send(self, method: str, url: str, headers: dict[str, str] | None = None) -> requests.Response:
        """One request, no redirect followed, retried on connection errors and 5xx; its body unread."""
        url = strip_userinfo(url)
        return self._retry.run(url, 0, lambda attempt: self._send_once(method, url, headers, attempt))

    # -- redirects ---------------------------------------------------------------------

    def redirect_target(self, response: requests.Response, current: str) -> str | None:
        """Where a redirect answer points, absolute and without user-info; None if not a redirect."""
        if response.status_code not in REDIRECT_STATUSES:
            return None
        if not response.is_redirect:
            return None
        # As requests reads it: http.client decoded the header as Latin-1, servers send UTF-8.
        try:
            location = response.headers["location"].encode("latin1").decode("utf8")
        except UnicodeError:
            response.close()
            raise HttpError(current, "redirected to a Location that is not UTF-8") from None
        if not location:
            return None
        try:
            # urljoin parses the target: a server's ``http://[::1`` raised ValueError, which
            # ended the whole run as an internal error, from a probe nobody asked for too.
            location = location.strip()
            # Where the fetchers the audit stands for go: ``https:/host/x`` is on ``host``.
            return strip_userinfo(urljoin(current, as_curl_reads(location)))
        except ValueError:
            response.close()
            raise HttpError(
                current, f"redirected to a Location that is not a URL: {short(location)!r}"
            ) from None

    def _follow_once(
        self, method: str, url: str, headers: dict[str, str] | None, attempt: Attempt
    ) -> tuple[requests.Response, str]:
        chain = [url]
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            try:
                response = self._send_once(method, current, headers, attempt)
            except HttpError as exc:
                if current == url:
                    raise
                # Named by what was asked for: the target alone does not say which input it was.
                raise HttpError(url, f"redirected to {short(current)}: {exc.reason}", exc.status) from None
            target = self.redirect_target(response, current)
            if target is None:
                return response, current
            response.close()
            decision = decide(target, UrlOrigin.redirect(current), self.guard)
            if decision.policy_host:
                reason = f"redirected to {target}, which is not contacted: {decision.reason}"
                raise PolicyRedirect(url, reason, target)
            if not decision.allowed:
                raise HttpError(url, f"redirected to {short(target)}, not followed: {decision.reason}")
            if target in chain:
                raise HttpError(url, "redirect loop: " + " -> ".join([*chain, target]))
            chain.append(target)
            current = target
        raise HttpError(url, f"more than {self.settings.max_redirects} redirects: " + " -> ".join(chain))

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

    def download(self, url: str, sink: IO[bytes], ceiling: int, progress: Reporter = SILENT) -> int:
        """Write the body of ``url`` to ``sink`` (rewound on each attempt); abort past ``ceiling``
        bytes. ``progress`` is told the size (when the server says it) and each chunk."""
        url = strip_userinfo(url)
        name = "downloading " + _shown_name(url)

        def once(attempt: Attempt) -> int:
            sink.seek(0)
            sink.truncate()
            response, _final = self._checked(url, self._follow_once("GET", url, None, attempt))
            progress.phase(name, content_length(response.headers.get("Content-Length")), "B")
            total = 0
            for chunk in self._body(response, attempt, ceiling):
                sink.write(chunk)
                total += len(chunk)
                progress.advance(len(chunk))
            return total

        return self._retry.run(url, ceiling, once)

    def probe(self, url: str) -> tuple[int, str | None]:
        """One hop of a URL: its status and, for a redirect, the absolute target (not followed).

        HEAD first; a server that answers it with an error gets a GET for one byte, whose body
        is not read: its answer is the one the URL gives those who fetch it.
        """
        url = strip_userinfo(url)
        response = self.send("HEAD", url)
        if response.status_code >= HEAD_ERROR:
            response.close()
            response = self.send("GET", url, {"Range": "bytes=0-0"})
        target = self.redirect_target(response, url)
        status = response.status_code
        response.close()
        return status, target

    def _body(
        self, response: requests.Response, attempt: Attempt, ceiling: int
    ) -> Generator[bytes, None, None]:
        """The body in pieces as they arrive (``read1``: a trickle is seen as one), held to the
        ceiling, the minimum rate and the request's deadline."""
        url = attempt.url
        length = content_length(response.headers.get("Content-Length"))
        if length is not None and length > ceiling:
            response.close()
            raise HttpError(url, f"is {length} bytes, over the {ceiling}-byte ceiling; not downloaded")
        total = 0
        meter = RateMeter(self.settings.min_rate, self.settings.window)
        attempt.watch.arm(attempt.remaining(), attempt.expired())
        try:
            while chunk := response.raw.read1(CHUNK, decode_content=False):
                total += len(chunk)
                if total > ceiling:
                    raise HttpError(url, f"larger than the {ceiling}-byte ceiling; download aborted")
                slow = meter.add(len(chunk))
                if slow:
                    raise Retryable(slow)
                yield chunk
        except _urllib3().exceptions.ReadTimeoutError:
            stalled = Retryable(f"no data within {self.settings.read_timeout:g} s")
            raise attempt.watch.fired or stalled from None
        except (_urllib3().exceptions.ProtocolError, _urllib3().exceptions.IncompleteRead):
            raise attempt.watch.fired or Retryable(
                f"truncated: the connection closed after {total} of {length or '?'} bytes"
            ) from None
        except (_urllib3().exceptions.HTTPError, OSError) as exc:
            raise attempt.watch.fired or Retryable(f"download failed: {type(exc).__name__}") from None
        finally:
            attempt.watch.disarm()
            response.close()
        if attempt.watch.fired is not None:  # shut down from outside: the end seen was not the body's
            raise attempt.watch.fired
        if length is not None and total != length:
            raise Retryable(f"truncated: received {total} of {length} bytes")


def _shown_name(url: str) -> str:
    """A download's name for people: the file name, without the checksum rpm-md puts before it."""
    name = posixpath.basename(urlsplit(url).path.rstrip("/")) or url
    return re.sub(r"^[0-9a-f]{32,}-", "", name)
