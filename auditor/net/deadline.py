"""Time limits that hold for a whole request, not for each read of it.

A socket timeout bounds one ``recv``: a server that sends one byte a second (in its
headers or its body) never trips it, and a download never ends. Two bounds fix that, as
librepo does through curl (``CURLOPT_LOW_SPEED_LIMIT``/``_TIME``, and dnf's ``minrate``
and ``timeout``):

- a **minimum rate** over a window: a body slower than ``min_rate`` bytes a second over
  any window is aborted (`RateMeter`); the status line and headers must be complete
  within one window;
- a **deadline** for the whole request, retries included (`Watch`): when it passes, the
  connection is shut down from the outside, whatever it was blocked on (connect, TLS
  handshake, headers, body).

A blocked ``recv`` cannot be interrupted from its own thread, so a single watchdog thread
(`WATCHDOG`) shuts down the sockets of the watches whose time is up: each watch holds a
duplicate descriptor of every socket its request used (`watched_adapter` registers them),
so shutting one down never touches a descriptor the request has already closed and the
system has given to someone else. A run that is interrupted (Ctrl-C, SIGTERM) while worker
threads wait on the network ends them the same way (`Watchdog.interrupting`): it used to wait
for each blocked request's own deadline, 47 s with the defaults, before it could end.
`HttpSettings` (`auditor.net.options`) holds these limits
with the others every request is held to.
"""

from __future__ import annotations

import contextlib
import functools
import math
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import socket

# socket is imported where a socket is met (1.5 ms): an audit of local inputs makes none.


class Watch:
    """The time limit of one request attempt: armed for a phase, fired by the watchdog."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.when = 0.0
        self._error: Exception | None = None
        self.fired: Exception | None = None
        """The error to report once the watchdog has shut the connection down."""

    def arm(self, seconds: float, error: Exception) -> None:
        """Shut the connection down ``seconds`` from now, to be reported as ``error``."""
        with self._lock:
            self.when = time.monotonic() + max(0.0, seconds)
            self._error = error
        WATCHDOG.add(self)

    def disarm(self) -> None:
        WATCHDOG.remove(self)

    def add_socket(self, sock: socket.socket) -> None:
        """Watch ``sock``: a duplicate descriptor of it, closed with the watch."""
        import socket  # on first use, above

        try:
            duplicate = socket.fromfd(sock.fileno(), sock.family, sock.type)
        except OSError:
            return  # already closed: nothing left to wait on
        with self._lock:
            self._sockets.append(duplicate)
            if self.fired is not None:
                _shutdown(duplicate)

    def expire(self) -> None:
        with self._lock:
            if self.fired is not None or self._error is None:
                return
            self.fired = self._error
            for sock in self._sockets:
                _shutdown(sock)

    def close(self) -> None:
        self.disarm()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()
            # The error may be on its way up with a traceback whose frames hold this watch:
            # let go of it, or the two make a cycle for the (paused) garbage collector.
            self._error = self.fired = None


def _shutdown(sock: socket.socket) -> None:
    # shutdown() acts on the connection, not the descriptor: the request's own descriptor
    # sees the end of the stream and its blocked read returns at once.
    import socket  # on first use, above

    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class NoWatchdog(Exception):
    """The watchdog's thread could not start: the process may run no more threads (RLIMIT_NPROC,
    a CI runner's jobs sharing one uid). No request is made then: one could wait for ever on a
    server that trickles its headers, which only the watchdog ends."""

    REASON = (
        "not requested: no thread could be started to hold requests to their deadlines"
        " (the user's process limit, ulimit -u, is reached)"
    )


class Watchdog:
    """One thread for the process, started on first use: expires the watches that are due."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._active: set[Watch] = set()
        self._thread: threading.Thread | None = None
        # One token per `interrupting` block under way, rather than a count: a signal landing
        # between the count's increment and the block's `try` left the watchdog interrupting
        # every request of the process for good. A token is added by one call, and its
        # `finally` discards it whether it was added or not.
        self._interrupting: set[object] = set()
        self._interrupted = threading.Event()
        """Set while a run's interruption ends its requests (`interrupting`): pauses end too."""
        self._wakes_at = 0.0
        """When the thread, waiting, wakes by itself (infinity: only when told). It is told of a
        watch only if that one is due earlier: every request arms twice, and waking the thread
        for a deadline later than the one it waits for was a thread switch each time."""

    def start(self) -> None:
        """Start the thread now, if it is not running: before a run's workers (`auditor.runtime.
        threads`) take every thread a process limit allows, as they did under RLIMIT_NPROC.
        Raises `NoWatchdog` when it cannot start (then a later call tries again)."""
        with self._condition:
            if self._thread is None:
                thread = threading.Thread(target=self._run, name="auditor-watchdog", daemon=True)
                try:
                    thread.start()
                except RuntimeError:  # "can't start new thread"
                    raise NoWatchdog from None
                self._thread = thread

    def add(self, watch: Watch) -> None:
        # A request or attempt started after the interruption ends at once (`interrupting`).
        if not self._interrupted.is_set() and self._thread is None:  # `start` looks again
            self.start()
        with self._condition:
            # Looked at under the lock: an interruption begun since the look above took its list
            # of the watches under way without this one, which would have waited its deadline.
            interrupted = self._interrupted.is_set()
            if not interrupted:
                self._active.add(watch)
                if watch.when < self._wakes_at:
                    self._condition.notify()
        if interrupted:
            watch.expire()

    @contextlib.contextmanager
    def interrupting(self) -> Iterator[None]:
        """Within the block, every request of every thread fails at once, as if its deadline had
        passed: those under way (their sockets shut down), those that start, and the pauses
        between attempts (`pause`). For a caller that waits for its worker threads after an
        interruption: they end now, not when their requests' deadlines pass."""
        token = object()
        try:
            with self._condition:
                self._interrupting.add(token)
                self._interrupted.set()
                due = list(self._active)
                self._active.clear()
            for watch in due:
                watch.expire()
            yield
        finally:
            with self._condition:
                self._interrupting.discard(token)
                if not self._interrupting:
                    self._interrupted.clear()

    def is_interrupting(self) -> bool:
        return self._interrupted.is_set()

    def pause(self, seconds: float) -> None:
        """Wait ``seconds`` between two attempts of a request, less if the run is interrupted."""
        self._interrupted.wait(seconds)

    def remove(self, watch: Watch) -> None:
        with self._condition:
            self._active.discard(watch)

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._active:
                    self._wakes_at = math.inf
                    self._condition.wait()
                now = time.monotonic()
                due = [watch for watch in self._active if watch.when <= now]
                self._active.difference_update(due)
                if not due:
                    self._wakes_at = min(watch.when for watch in self._active)
                    self._condition.wait(self._wakes_at - now)
                # Until it waits again, the thread looks at every watch anyway.
                self._wakes_at = 0.0
            for watch in due:
                watch.expire()


WATCHDOG = Watchdog()

_current = threading.local()
"""The watch of the request this thread is making (set around each attempt)."""


class current_watch:
    """``with current_watch(watch):`` the connections this thread uses are registered with it."""

    def __init__(self, watch: Watch) -> None:
        self.watch = watch

    def __enter__(self) -> Watch:
        _current.watch = self.watch
        return self.watch

    def __exit__(self, *_exc: object) -> None:
        _current.watch = None


def _register(sock: Any) -> None:
    watch: Watch | None = getattr(_current, "watch", None)
    import socket  # on first use, above

    if watch is not None and isinstance(sock, socket.socket):
        watch.add_socket(sock)


def _watched(base: type[Any]) -> type[Any]:
    """A urllib3 connection class whose sockets are registered with the thread's watch:
    new ones as soon as they are connected (before any TLS handshake), reused ones when
    a request starts on them."""

    class Watched(base):  # type: ignore[misc]
        def _new_conn(self) -> Any:
            sock = super()._new_conn()
            _register(sock)
            return sock

        def request(self, *args: Any, **kwargs: Any) -> Any:
            if getattr(self, "sock", None) is not None:
                _register(self.sock)
            return super().request(*args, **kwargs)

    Watched.__name__ = f"Watched{base.__name__}"
    return Watched


def watched_adapter() -> Any:
    """A requests adapter whose connections (direct or through a proxy) a `Watch` can shut down."""
    return _adapter_class()()


@functools.cache
def _adapter_class() -> type[Any]:
    """Built once, on first use (an audit of local inputs never imports requests): classes
    made per session would be reference cycles left to the paused garbage collector."""
    from requests.adapters import HTTPAdapter
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class HTTPPool(HTTPConnectionPool):
        ConnectionCls = _watched(HTTPConnectionPool.ConnectionCls)

    class HTTPSPool(HTTPSConnectionPool):
        ConnectionCls = _watched(HTTPSConnectionPool.ConnectionCls)

    pools = {"http": HTTPPool, "https": HTTPSPool}

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

        def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
            manager = super().proxy_manager_for(proxy, **kwargs)
            manager.pool_classes_by_scheme = pools
            return manager

    return Adapter


class RateMeter:
    """Aborts a body slower than ``min_rate`` bytes a second over a window of ``window`` seconds
    (curl's low-speed limit): a trickle that keeps every read under the read timeout still ends."""

    def __init__(self, min_rate: int, window: float) -> None:
        self.min_rate = min_rate
        self.window = window
        self._start = time.monotonic()
        self._bytes = 0

    def add(self, count: int) -> str | None:
        """Count ``count`` bytes received; the reason to abort when the window was too slow."""
        self._bytes += count
        now = time.monotonic()
        elapsed = now - self._start
        if elapsed < self.window:
            return None
        if self.min_rate > 0 and self._bytes < self.min_rate * elapsed:
            return (
                f"slower than the minimum rate of {self.min_rate} bytes/s: "
                f"{self._bytes} bytes in {elapsed:.0f} s"
            )
        self._start, self._bytes = now, 0
        return None
