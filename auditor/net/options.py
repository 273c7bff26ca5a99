"""What a run asks of the network: `HttpSettings` for each request, `RemoteOptions` for the run.

Plain values, apart from the code that uses them, so that the command line can make them
without importing the HTTP client, the cache or the RPM header readers (a replayed report
needs none of those).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from auditor.net.budget import DEFAULT_PER_PACKAGE, DEFAULT_PER_RUN

DEFAULT_MAX_DOWNLOAD = 2 * 1024**3
HEADER_MEMORY = 64 * 1024**2
"""The default `RemoteOptions.header_memory`: real headers are a few MiB even for packages
owning tens of thousands of files, so 64 MiB lets the four workers read real headers side
by side, while hostile ones (rpm allows 256 MiB of data each) wait their turn or, larger
than the whole budget, are refused. The run then holds at most about twice this (the
buffer, then the parsed copy) for headers, not four times 256 MiB."""


PARALLEL_REQUESTS = 4
"""The default `RemoteOptions.parallel_requests`."""
MAX_PARALLEL_REQUESTS = 10
"""The most `RemoteOptions.parallel_requests` may be: half of the 20 dnf allows its
``max_parallel_downloads`` (its default is 3, and librepo's per mirror 3). A scan of 4,000
headers 50 ms away took 59 s at 4, 34 s at 8, 29 s at 10 (on two cores, then nearly as busy
with parsing as with waiting); past that, one auditor would be more clients to a mirror run
by volunteers than any dnf is."""


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    attempts: int = 3
    """Attempts in all for connection errors, timeouts, slow or truncated bodies and 5xx answers."""
    backoff: float = 0.5
    """Seconds before the second attempt; doubled before each next one."""
    max_redirects: int = 5
    min_rate: int = 1000
    """Bytes a second a body must keep up over each rate window (0: no minimum). dnf's
    ``minrate`` default, which librepo hands to curl as the low-speed limit: a mirror slower
    than 1 kB/s for a whole window is broken, not slow."""
    rate_window: float | None = None
    """The window of `min_rate`, in seconds; None: the read timeout, as dnf uses its ``timeout``
    both as the connect timeout and as curl's low-speed time (30 s by default)."""
    max_request_time: float = 3600.0
    """The ceiling of any request's deadline, whatever its size: an hour lets a working mirror
    deliver the 2 GiB download ceiling at 600 kB/s, and stops a hostile one that keeps just
    above the minimum rate from holding a run for days."""
    retry_budget: int = 20
    """Retries (attempts after the first) in the whole run, all requests together: dead
    mirrors each retried with back-off took 90 s for 60 of them."""
    host_failures: int = 8
    """Range requests (package headers, payload specs) to one host that fail for good in a row
    (no connection, no answer in time, 5xx, truncated bodies) after which its other range
    requests are not made: a server that stopped
    answering range requests held a run of 4,000 headers for over 8 hours (30 s each, four at
    a time), the run failing in the end all the same."""

    @property
    def window(self) -> float:
        return self.rate_window if self.rate_window is not None else self.read_timeout

    def deadline(self, ceiling: int) -> float:
        """Seconds a whole request of up to ``ceiling`` bytes may take, retries included: a
        connection, an answer within one window, and the body at the minimum rate; never
        more than `max_request_time`. A transfer that keeps the minimum rate always fits."""
        if self.min_rate <= 0:
            return self.max_request_time
        derived = self.connect_timeout + self.window + ceiling / self.min_rate
        return min(derived, self.max_request_time)


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
    basearch: str | None = "x86_64"
    """``$basearch`` and ``$arch``; None when the host architectures have several (a URL with
    either is then an input error asking for ``--basearch``)."""
    variables: tuple[tuple[str, str], ...] = ()
    """The user's other configuration variables (``--vars-dir``, then ``--var``, a later one
    winning): a ``--var``'s name lower-cased, as a URL's are looked up (as yum does), a file's as
    written (dnf's are case-sensitive). ``releasever`` and ``basearch`` above win over them."""
    remote_headers: bool = False
    parallel_requests: int = PARALLEL_REQUESTS
    """Requests made at once to one host for the packages of a repository (their headers, and
    the payloads of source packages without a SPEC tag), 1 to `MAX_PARALLEL_REQUESTS`: over a
    distant network a scan of 4,000 headers is latency-bound (one request each), on a local
    one CPU-bound, where more threads only cost CPU."""
    header_memory: int = HEADER_MEMORY
    """Bytes of RPM headers held at once by --remote-headers (see `auditor.net.remote.HeaderMemory`)."""
    spec_budget: int = DEFAULT_PER_PACKAGE
    """Payload bytes one source package may download to find its spec (`auditor.net.budget`)."""
    spec_total: int = DEFAULT_PER_RUN
    """Payload bytes the whole run may download to find specs."""
    max_mirrors: int = 10
    """Base URLs and mirrors that fail before a repository configuration's section gives up.
    A mirrorlist puts the closest mirrors first: when ten fail, the repository or the network
    is down, and trying the next fifty (each with its retries) costs minutes for nothing."""

    def __post_init__(self) -> None:
        if not 1 <= self.parallel_requests <= MAX_PARALLEL_REQUESTS:
            raise ValueError(f"parallel_requests {self.parallel_requests}: not 1 to {MAX_PARALLEL_REQUESTS}")
