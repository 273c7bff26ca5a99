"""The hostile server of `test_fuzz_remote` through the options that reach further.

- ``--remote-headers``: every binary's header read by range too, from the original repository
  or one whose metadata gives no ``rpm:header-range`` (the intros read first, then the rest: a
  header whose bytes change between two ranges) or a wrong one; files swapped for the other
  package's, headers whose lead, signature or main header lies, then a warm header cache and
  the server changed afterwards.
- ``--resolve-urls``: a package (``linkpkg``) whose Source0 and URL are on the fuzzed server,
  which answers them with redirect chains, loops, 405 to ``HEAD``, stalls, and redirects to
  policy hosts written every way a URL may be: a chain that reached one is a finding or a gap,
  never a clean verdict, and no policy host is looked up.
- ``--offline`` after mutated online runs on the same ``--cache-dir``: never cleaner than the
  last good online run, and never a request.
- ``Retry-After`` between 1 s and the request's deadline, and a hostile proxy on 127.0.0.1
  named by ``HTTP_PROXY``, ``ALL_PROXY`` (with ``NO_PROXY``): no request for a policy host
  reaches it, and its failures are never a clean verdict.

100 examples each (fewer where each example waits or scans three times), ``AUDITOR_FUZZ_EXAMPLES``
for more.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from auditor.origin.policy import load_policy
from auditor.origin.redirects import policy_guard
from tests.fuzz.test_fuzz_inputs import parsers  # noqa: F401 - autouse
from tests.fuzz.test_fuzz_remote import (  # noqa: F401 - fixtures
    ENTRIES,
    FUZZ,
    STALL,
    HostileServer,
    Mutation,
    Site,
    category_of,
    entry_args,
    judged,
    mutations,
    other_server,
    scan,
    site,
    sockets_left_to_the_collector,
)
from tests.httpserver import Handler, LocalServer
from tests.net.test_redteam_remote import SPEC
from tests.rpmbuild import build_noarch
from tests.sources.test_remote import lookups  # noqa: F401 - autouse: only 127.0.0.1 resolves

ROOTS = ["original", "no-header-range", "header-range-off"]
HEADER_KINDS = ["range", "swap", "header", "truncate", "stall", "close", "status", "html", "mutate", "length"]


def root_of(site: Site, name: str) -> Path:  # noqa: F811
    return site.original if name == "original" else site.variants[name]


@st.composite
def header_mutations(draw: Any) -> list[Mutation]:
    """Mostly what a package file's range requests meet; now and then anything else."""
    plan: list[Mutation] = draw(
        st.lists(
            st.builds(
                Mutation,
                st.sampled_from(["rpm", "srpm", "rpm", "srpm", "any"]),
                st.sampled_from(HEADER_KINDS),
                st.sampled_from(["always", "first", "later"]),
                st.integers(0, 1 << 16),
                st.sampled_from(["changed"]),
                st.sampled_from([200, 206, 416, 500, 503, 404]),
                st.sampled_from([None, "0"]),
                st.integers(0, 100),
            ),
            min_size=1,
            max_size=3,
        )
        | mutations()
    )
    return plan


# -- --remote-headers ------------------------------------------------------------------------


@FUZZ
@given(plan=header_mutations(), root=st.sampled_from(ROOTS), entry=st.sampled_from(ENTRIES))
def test_remote_headers_from_a_hostile_server_are_never_a_clean_verdict(
    site: Site,  # noqa: F811
    other_server: LocalServer,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    lookups: list[str],  # noqa: F811
    plan: list[Mutation],
    root: str,
    entry: str,
) -> None:
    place = tmp_path_factory.mktemp("headers")
    lookups.clear()
    other_server.requests.clear()
    with sockets_left_to_the_collector(), LocalServer(site.original) as server:
        hostile = HostileServer(server, other_server, site, plan)
        hostile.root = root_of(site, root)
        server.hook = hostile
        args = entry_args(entry, server, hostile, place, site)
        cold = ["--no-cache", "--cache-dir", str(place / "cache"), "--retries", "0", "--remote-headers"]
        code, document, err = scan([*args, *cold], capsys)
    event(root)
    for note in set(hostile.notes):
        event(note)
    judged(code, document, err, [server.url("/"), str(place)], lookups, other_server, plan)


@settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 2))  # three scans an example
@given(first=header_mutations(), second=header_mutations(), root=st.sampled_from(ROOTS[:2]))
def test_a_warm_header_cache_and_a_server_changed_since_are_never_a_clean_verdict(
    site: Site,  # noqa: F811
    other_server: LocalServer,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    lookups: list[str],  # noqa: F811
    first: list[Mutation],
    second: list[Mutation],
    root: str,
) -> None:
    place = tmp_path_factory.mktemp("warm-headers")
    cache = ["--cache-dir", str(place / "cache"), "--retries", "0", "--remote-headers"]
    other_server.requests.clear()
    with sockets_left_to_the_collector(), LocalServer(site.original) as server:
        hostile = HostileServer(server, other_server, site, [])
        hostile.root = root_of(site, root)
        server.hook = hostile
        args = [server.url("/repo/")]
        code, document, err = scan([*args, *cache], capsys)
        assert code == 1 and document["completeness"]["complete"], err  # the unmutated server
        for plan in (first, second):
            lookups.clear()
            hostile.plan, hostile.seen, hostile.notes = plan, {}, []
            code, document, err = scan([*args, *cache], capsys)
            judged(
                code, document, err, [server.url("/"), str(place)], lookups, other_server, [*first, *second]
            )


# -- --offline after mutated online runs -----------------------------------------------------


@settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 2))  # three scans an example
@given(
    good_first=st.booleans(),
    first=mutations(),
    second=mutations(),
    entry=st.sampled_from(ENTRIES),
    headers=st.booleans(),
)
def test_offline_after_a_broken_server_is_never_cleaner_than_the_last_good_run(
    site: Site,  # noqa: F811
    other_server: LocalServer,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    lookups: list[str],  # noqa: F811
    good_first: bool,
    first: list[Mutation],
    second: list[Mutation],
    entry: str,
    headers: bool,
) -> None:
    """An online run (unmutated, or not), a mutated one on the same cache, then ``--offline``:
    it makes no request, and says xspkg's finding or that it did not see everything."""
    place = tmp_path_factory.mktemp("offline")
    cache = [
        "--cache-dir",
        str(place / "cache"),
        "--retries",
        "0",
        *(["--remote-headers"] if headers else []),
    ]
    other_server.requests.clear()
    with sockets_left_to_the_collector(), LocalServer(site.original) as server:
        hostile = HostileServer(server, other_server, site, [] if good_first else first)
        server.hook = hostile
        args = entry_args(entry, server, hostile, place, site)
        for plan in ([] if good_first else first, second):
            lookups.clear()
            hostile.plan, hostile.seen, hostile.notes = plan, {}, []
            code, document, err = scan([*args, *cache], capsys)
            if not plan:
                assert code == 1 and document["completeness"]["complete"], err
            judged(
                code, document, err, [server.url("/"), str(place)], lookups, other_server, [*first, *second]
            )
        lookups.clear()
        server.requests.clear()
        code, document, err = scan([*args, *cache, "--offline"], capsys)
        event(f"offline exit {code}")
        assert server.requests == [], server.requests
    judged(code, document, err, [server.url("/"), str(place)], lookups, other_server, [*first, *second])


# -- --resolve-urls --------------------------------------------------------------------------

POLICY_GUARD = policy_guard(load_policy())
CITRITE_TARGETS = [
    ("https://code.citrite.net/rest/archive/x.tar.gz", True),
    ("http://CODE.CITRITE.NET/x", True),
    ("http://code.citrite.net./x", True),
    ("//code.citrite.net/x", True),
    ("http://user:pw@code.citrite.net/x", True),
    ("http://code.citrite.net:80/x", True),
    ("https://github.com/xenserver/xen-api/archive/v1.tar.gz", True),
    ("https://GitHub.com/XenServer/x", True),
    ("http://xenserver.com/x", True),
    ("http://updates.xenserver.com\\@127.0.0.1/x", True),  # a browser's host: updates.xenserver.com
    ("http://code%2Ecitrite%2Enet/x", True),  # a browser's host: code.citrite.net
    ("http://code.citrite.net\t/x", True),  # tabs are dropped: code.citrite.net
    ("http://code.citrite.net%2F@127.0.0.1/x", False),  # a user name on 127.0.0.1
    ("http://xn--code-citrite-net/x", False),
    ("https://code.citrite.net.example.org/x", False),  # citrite-looking, no policy host
]
"""Where a hop may redirect, and whether that is a policy host to curl and browsers."""


@dataclass(frozen=True)
class Hop:
    """What the links server answers a request of one hop with."""

    kind: str
    """redirect (to the next hop), policy (to CITRITE_TARGETS[target]), loop, 405 (HEAD refused,
    GET redirected), head-only (HEAD answered 200, GET redirected), stall, close, status, ok."""
    code: int
    target: int


HOP_KINDS = [
    "redirect",
    "redirect",
    "policy",
    "policy",
    "loop",
    "405",
    "head-only",
    "stall",
    "close",
    "status",
    "ok",
]


class Links:
    """The hook of the links server: ``/l/F/N`` is hop N of the chain of field F."""

    def __init__(self, chains: dict[str, list[Hop]]) -> None:
        self.chains = chains
        self.sent: list[str] = []
        """The policy-host Locations answered to a request (a redirect status)."""
        self.lock = threading.Lock()

    def __call__(self, handler: Handler, method: str, path: str) -> bool:
        parts = path.split("/")
        if len(parts) < 4 or parts[1] != "l" or parts[2] not in self.chains:
            handler.answer(404, b"", method=method)
            return True
        chain, index = self.chains[parts[2]], int(parts[3]) if parts[3].isdigit() else 0
        hop = chain[index] if index < len(chain) else Hop("ok", 200, 0)
        following = f"/l/{parts[2]}/{index + 1}/x"
        code = hop.code if hop.code in (301, 302, 303, 307, 308) else 302
        if hop.kind == "redirect":
            handler.answer(code, b"", {"Location": following}, method)
        elif hop.kind == "policy" or (hop.kind in ("405", "head-only") and method == "GET"):
            target, policy = CITRITE_TARGETS[hop.target % len(CITRITE_TARGETS)]
            if policy:
                with self.lock:
                    self.sent.append(target)
            handler.answer(code, b"", {"Location": target}, method)
        elif hop.kind == "405":
            handler.answer(405, b"", method=method)
        elif hop.kind == "loop":
            handler.answer(
                code, b"", {"Location": f"/l/{parts[2]}/{max(0, index - hop.target % 2)}/x"}, method
            )
        elif hop.kind == "stall":
            time.sleep(STALL)
            handler.answer(200, b"late", method=method)
        elif hop.kind == "close":
            handler.close_connection = True
        elif hop.kind == "status":
            handler.answer(hop.code, b"", method=method)
        else:
            handler.answer(200, b"", method=method)
        return True


@pytest.fixture(scope="module")
def links(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalServer, Path]]:
    """The links server (its port fixed for the module), and a directory of ``linkpkg`` (binary
    and source) whose Source0, Patch0 and URL are on it."""
    top = tmp_path_factory.mktemp("links")
    with LocalServer(top) as server:
        spec = top / "linkpkg.spec"
        text = SPEC.format(name="linkpkg", source0=server.url("/l/source0/0/linkpkg-1.0.tar.gz"))
        text = text.replace("https://github.com/xcp-ng/linkpkg", server.url("/l/url/0/home"))
        text = text.replace("BuildArch:", f"Patch0: {server.url('/l/patch0/0/fix.patch')}\nBuildArch:")
        spec.write_text(text)
        packages = top / "packages"
        packages.mkdir()
        for made in build_noarch(
            spec,
            top / "build",
            ["linkpkg-1.0.tar.gz", "fix.patch"],
            environment={"SOURCE_DATE_EPOCH": "1704067200"},
        ):
            made.rename(packages / made.name)
        yield server, packages


def policy_lookups(lookups: list[str]) -> list[str]:  # noqa: F811
    """The names looked up that are a policy host's, as written or percent-decoded."""
    return [
        host
        for host in lookups
        if POLICY_GUARD(f"http://{host}/") or POLICY_GUARD(f"http://{unquote(host)}/")
    ]


HOPS = st.builds(Hop, st.sampled_from(HOP_KINDS), st.sampled_from([301, 302, 303, 307, 308, 403, 404, 405, 500]),
                 st.integers(0, 1 << 10))  # fmt: skip


@FUZZ
@given(
    chains=st.fixed_dictionaries(
        {field: st.lists(HOPS, max_size=7) for field in ("source0", "patch0", "url")}
    ),
    proxied=st.booleans(),
)
def test_resolve_urls_on_a_hostile_server_never_hide_a_policy_host(
    links: tuple[LocalServer, Path],
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    lookups: list[str],  # noqa: F811
    chains: dict[str, list[Hop]],
    proxied: bool,
) -> None:
    """A chain whose server sent a redirect to a policy host is a finding (exit 1) or, not
    followed, a gap (exit 3 under --strict): never exit 0; no policy host is looked up, nor
    asked of the proxy the environment names."""
    server, packages = links
    place = tmp_path_factory.mktemp("resolve")
    lookups.clear()
    hook = Links(chains)
    server.hook = hook
    proxy = HostileProxy([])
    values = {"HTTP_PROXY": f"http://127.0.0.1:{proxy.port}", "HTTPS_PROXY": f"http://127.0.0.1:{proxy.port}"}
    with sockets_left_to_the_collector(), proxy, environment(values if proxied else {}):
        code, document, err = scan(
            [
                str(packages),
                "--resolve-urls",
                "--no-cache",
                "--cache-dir",
                str(place / "cache"),
                "--retries",
                "0",
            ],
            capsys,
        )
    server.hook = None
    event(f"exit {code}")
    assert code in (0, 1, 3), (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    for line in err.splitlines():
        if line.startswith("auditor: error:"):
            assert server.url("/") in line or str(packages) in line, line
    assert not policy_lookups(lookups), lookups
    assert not policy_lookups(proxy.hosts), proxy.log
    assert proxied or not proxy.log, proxy.log
    if hook.sent:
        event("policy host sent")
        assert code != 0, (hook.sent, err)
        blocking = {item["package"] for item in document.get("gate", {}).get("blocking", [])}
        if "linkpkg" not in blocking:
            assert code == 3 and not document["completeness"]["complete"], (hook.sent, err)
    if code == 1:  # linkpkg is clean but for where its URLs lead
        assert hook.sent, err


# -- Retry-After -----------------------------------------------------------------------------

WAITS = ["1", "2", "date+1", "date+2"]


@settings(FUZZ, max_examples=max(1, FUZZ.max_examples // 5))  # each example waits 1 to 2 s
@given(
    category=st.sampled_from(["repomd", "primary", "srpm", "rpm", "conf"]),
    code=st.sampled_from([429, 503, 500]),
    wait=st.sampled_from(WAITS),
    entry=st.sampled_from(ENTRIES),
)
def test_a_server_that_asks_to_wait_within_the_deadline_is_waited_for(
    site: Site,  # noqa: F811
    other_server: LocalServer,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    lookups: list[str],  # noqa: F811
    category: str,
    code: int,
    wait: str,
    entry: str,
) -> None:
    """The first request of one file answered with a ``Retry-After`` of 1 or 2 s (seconds, or a
    date), the next with the file: one retry waits and reads it, and the run is the full one."""
    place = tmp_path_factory.mktemp("wait")
    other_server.requests.clear()
    with sockets_left_to_the_collector(), LocalServer(site.original) as server:
        hostile = HostileServer(server, other_server, site, [])
        server.hook = hostile
        args = entry_args(entry, server, hostile, place, site)
        seconds = int(wait.rpartition("+")[2])

        def later() -> str:
            if not wait.startswith("date"):
                return wait
            return email.utils.formatdate(time.time() + seconds + 1, usegmt=True)  # whole seconds: round up

        answered: list[str] = []

        def hook(handler: Handler, method: str, path: str) -> bool:
            if path not in answered and category_of(path) == category:
                answered.append(path)
                handler.answer(code, b"wait", {"Retry-After": later()}, method)
                return True
            return hostile(handler, method, path)

        server.hook = hook
        options = ["--no-cache", "--cache-dir", str(place / "cache"), "--retries", "1", "--remote-headers"]
        result, document, err = scan([*args, *options], capsys)
    event(f"exit {result}")
    judged(result, document, err, [server.url("/"), str(place)], lookups, other_server, [])
    if answered:
        assert result == 1 and document["completeness"]["complete"], (answered, err)


# -- proxies ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProxyPlan:
    kind: str
    """forward, close, 407, 502, stall, garbage, redirect (to a policy host)."""
    which: str


PROXY_KINDS = ["forward", "forward", "forward", "close", "407", "502", "stall", "garbage", "redirect"]


class HostileProxy:
    """An HTTP proxy on 127.0.0.1: forwards to 127.0.0.1 only, or misbehaves as drawn; logs
    every request line and Host header it was sent."""

    def __init__(self, plan: list[ProxyPlan]) -> None:
        self.plan = plan
        self.log: list[str] = []
        self.hosts: list[str] = []
        """The host of every request, as its URL (or CONNECT) and its Host header name it."""
        self.count = 0
        self.lock = threading.Lock()
        owner = self

        class ProxyHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                owner.handle(self, "GET")

            def do_HEAD(self) -> None:
                owner.handle(self, "HEAD")

            def do_CONNECT(self) -> None:
                owner.handle(self, "CONNECT")

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass

        self.httpd = Server(("127.0.0.1", 0), ProxyHandler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> HostileProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        with self.lock:
            self.count += 1
            count = self.count
            self.log.append(f"{method} {handler.path} Host={handler.headers.get('Host')}")
            for target in (handler.path if method != "CONNECT" else f"//{handler.path}",
                           f"//{handler.headers.get('Host') or ''}"):  # fmt: skip
                with contextlib.suppress(ValueError):
                    self.hosts.append(urlsplit(target).hostname or "")
        for plan in self.plan:
            if plan.which == "always" or (plan.which == "first") == (count == 1):
                self.misbehave(handler, method, plan.kind)
                return
        self.forward(handler, method)

    def misbehave(self, handler: BaseHTTPRequestHandler, method: str, kind: str) -> None:
        if kind == "forward":
            self.forward(handler, method)
        elif kind == "close":
            handler.close_connection = True
        elif kind in ("407", "502"):
            handler.send_response(int(kind))
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        elif kind == "stall":
            time.sleep(STALL)
            handler.close_connection = True
        elif kind == "redirect":  # the proxy's own answer, read as the server's
            handler.send_response(302)
            handler.send_header("Location", "https://code.citrite.net/x")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        else:
            handler.wfile.write(os.urandom(64))

    def forward(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        if method == "CONNECT" or parts.hostname != "127.0.0.1" or parts.port is None:
            handler.send_response(502)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        headers = {key: value for key, value in handler.headers.items() if key.lower() != "proxy-connection"}
        connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=5)
        try:
            connection.request(
                method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers
            )
            response = connection.getresponse()
            body = response.read() if method != "HEAD" else b""
        except (OSError, http.client.HTTPException):
            handler.close_connection = True
            return
        finally:
            connection.close()
        handler.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("server", "date", "connection", "transfer-encoding"):
                handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)


PROXY_VARIABLES = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
PROXY_FORMS = [
    "http://127.0.0.1:{port}",
    "http://127.0.0.1:{port}",
    "http://127.0.0.1:{port}/",
    "127.0.0.1:{port}",
    "http://u:p@127.0.0.1:{port}",  # credentials: never used
    "socks5://127.0.0.1:{port}",  # not supported
    "https://127.0.0.1:{port}",  # TLS to a plain HTTP proxy
    "ftp://127.0.0.1:{port}",
]
NO_PROXIES = [
    None,
    None,
    "",
    "citrite.net",
    ".citrite.net,localhost",
    "*",
    "127.0.0.1",
    "localhost",
    "127.0.0.2",
]
ALL_VARIABLES = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
]


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in ALL_VARIABLES:
            patch.delenv(name, raising=False)
        for name, value in values.items():
            patch.setenv(name, value)
        yield


@FUZZ
@given(
    plan=mutations(),
    proxy_plan=st.lists(
        st.builds(ProxyPlan, st.sampled_from(PROXY_KINDS), st.sampled_from(["always", "first", "later"])),
        max_size=2,
    ),
    variable=st.sampled_from(PROXY_VARIABLES),
    form=st.sampled_from(PROXY_FORMS),
    https=st.booleans(),
    no_proxy=st.sampled_from(NO_PROXIES),
    entry=st.sampled_from(ENTRIES),
    resolve=st.booleans(),
)
def test_a_hostile_proxy_never_sees_a_policy_host_nor_makes_a_clean_verdict(
    site: Site,  # noqa: F811
    other_server: LocalServer,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    lookups: list[str],  # noqa: F811
    plan: list[Mutation],
    proxy_plan: list[ProxyPlan],
    variable: str,
    form: str,
    https: bool,
    no_proxy: str | None,
    entry: str,
    resolve: bool,
) -> None:
    place = tmp_path_factory.mktemp("proxy")
    lookups.clear()
    other_server.requests.clear()
    with (
        sockets_left_to_the_collector(),
        LocalServer(site.original) as server,
        HostileProxy(proxy_plan) as proxy,
    ):
        hostile = HostileServer(server, other_server, site, plan)
        server.hook = hostile
        args = entry_args(entry, server, hostile, place, site)
        values = {variable: form.format(port=proxy.port)}
        if https:
            values["HTTPS_PROXY"] = form.format(port=proxy.port)
        if no_proxy is not None:
            values["NO_PROXY"] = no_proxy
        options = ["--no-cache", "--cache-dir", str(place / "cache"), "--retries", "0"]
        with environment(values):
            code, document, err = scan([*args, *options, *(["--resolve-urls"] if resolve else [])], capsys)
    event(f"proxy {form.split(':')[0]} {variable}")
    for item in proxy_plan:
        event(f"proxy {item.kind} {item.which}")
    event(f"proxy asked {min(len(proxy.log), 3)}+ times")
    assert not [line for line in proxy.log if "citrite" in line.lower() or "xenserver" in line.lower()], (
        proxy.log
    )
    names = [server.url("/"), str(place), f"127.0.0.1:{proxy.port}"]
    judged(code, document, err, names, lookups, other_server, plan)
