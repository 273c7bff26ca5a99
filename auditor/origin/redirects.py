"""Follow the URLs packages carry to the hosts they really lead to (``--resolve-urls``).

A Source, Patch or URL tag (URL, BugURL, VCS...) value on a neutral host can redirect to a
Citrix one. Each such URL's redirect chain is followed one hop at a time (HEAD, or a one-byte
GET where HEAD answers with an error), every ``Location`` is classified with the policy's host
rules *before* it is used, and the chain stops as soon as one lands on a policy host: that host
is never resolved nor contacted. The finding names the whole chain.

Off by default, so a default run makes no request the user did not ask for. At most
`MAX_HOPS` redirects and `TIME_LIMIT` seconds per URL, four URLs at a time; results are
cached for a day in the run's cache directory (any age with ``--offline``). A URL that
cannot be followed is a warning, not an input error: the packages were read in full.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from auditor.core.errors import InputError
from auditor.net.cache import url_key
from auditor.net.deadline import WATCHDOG, NoWatchdog
from auditor.net.http import HttpError
from auditor.net.remote import Remote
from auditor.net.urlpolicy import Guard, UrlOrigin
from auditor.origin.findings import Finding
from auditor.origin.policy import Policy
from auditor.origin.rules import HostRule
from auditor.origin.urls import package_urls, parse_url
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Package
from auditor.rpm.package_fields import URL_TAGS
from auditor.runtime.threads import map_in_threads

MAX_HOPS = 5
TIME_LIMIT = 60.0
EXPIRY = 24 * 3600
WORKERS = 4
MAX_WARNINGS = 10


def policy_guard(policy: Policy) -> Guard:
    """The run's guard: a URL on a host the policy names is never contacted."""

    def guard(url: str) -> str | None:
        parsed = parse_url(url)
        if parsed is None:
            return None
        rules = policy.host_rules(parsed)
        return f"on a policy host ({', '.join(rule.id for rule in rules)})" if rules else None

    return guard


@dataclass(frozen=True)
class Chain:
    """Where a URL led: the URL, then every redirect target, the last possibly on a policy host."""

    hops: tuple[str, ...]
    stopped: bool = False
    """The last hop is on a policy host and was not contacted."""
    error: str | None = None


class UrlResolver:
    """Resolves the URLs of a run's packages and turns chains that reach a policy host into findings."""

    def __init__(self, policy: Policy, remote: Remote, *, time_limit: float = TIME_LIMIT) -> None:
        self.policy = policy
        self.remote = remote
        self.time_limit = time_limit
        self.warnings: list[str] = []
        self.gaps: list[Gap] = []
        """The URLs that could not be followed, as one gap of the run (`findings` fills it)."""

    def findings(self, packages: Sequence[Package]) -> dict[int, list[Finding]]:
        """Extra findings per package id (`auditor.origin.classify.ExtraFindings`)."""
        wanted: dict[int, list[tuple[str, str]]] = {}
        for index, package in enumerate(packages):
            for field, url in self._followable(package):
                wanted.setdefault(index, []).append((field, url))
        urls = sorted({url for pairs in wanted.values() for _field, url in pairs})
        if urls and not self.remote.options.offline:
            with contextlib.suppress(NoWatchdog):  # then each request fails, saying why
                WATCHDOG.start()  # each request's deadline needs it: before the workers take every thread
        resolved = map_in_threads(self.resolve, urls, WORKERS, interrupting=WATCHDOG.interrupting)
        chains = dict(zip(urls, resolved, strict=True))
        failures = [(url, chain.error) for url, chain in chains.items() if chain.error]
        self._warn(failures)
        if failures:
            url, error = failures[0]
            detail = f"{len(failures)} URL(s) could not be followed; first: {url}: {error}"
            self.gaps.append(Gap(GapKind.URL_NOT_FOLLOWED, detail, len(failures)))
        found: dict[int, list[Finding]] = {}
        for index, pairs in wanted.items():
            for field, url in pairs:
                found.setdefault(index, []).extend(self._chain_findings(field, url, chains[url]))
        return {index: items for index, items in found.items() if items}

    def _followable(self, package: Package) -> Iterator[tuple[str, str]]:
        seen = set()
        for evidence in package_urls(package):
            field = evidence.field
            if not (field in URL_TAGS or field.startswith(("source", "patch"))):
                continue
            if self.policy.host_rules(evidence.url):
                continue  # a policy host is already a finding, and is never contacted
            decision = self.remote.decide(evidence.url.text, UrlOrigin.package_url(package.nevra))
            if not decision.allowed or (field, decision.url) in seen:
                continue  # not http(s) (a local path, ftp:): nothing to follow
            seen.add((field, decision.url))
            yield field, decision.url

    def _chain_findings(self, field: str, url: str, chain: Chain) -> list[Finding]:
        landed = self._landing(chain)
        if landed is None:
            return []
        position, rules = landed
        text = " -> ".join(chain.hops[: position + 1])
        return [
            Finding(
                rule.id,
                rule.severity,
                field,
                text,
                f"{rule.message} (reached by redirect from {url})",
                rule.reference,
                rule.category,
            )
            for rule in rules
        ]

    def _landing(self, chain: Chain) -> tuple[int, list[HostRule]] | None:
        """The first redirect target on a policy host, by the current policy."""
        for position, hop in enumerate(chain.hops[1:], start=1):
            parsed = parse_url(hop)
            rules = self.policy.host_rules(parsed) if parsed is not None else []
            if rules:
                return position, rules
        return None

    # -- resolution ----------------------------------------------------------------------

    def resolve(self, url: str) -> Chain:
        path = self.remote.cache.blob("redirects", "sha256", url_key(url))
        cached = self.remote.cache.read_json(path) if path else None
        if cached is not None and cached.get("url") == url:
            age = time.time() - float(cached.get("time", 0))
            hops = tuple(str(hop) for hop in cached.get("hops", ()))
            chain = Chain(hops, bool(cached.get("stopped")))
            still_valid = hops and (not chain.stopped or self._landing(chain) is not None)
            if still_valid and (self.remote.options.offline or 0 <= age < EXPIRY):
                return chain
        if self.remote.options.offline:
            return Chain((url,), error="not in the cache, and --offline forbids following it")
        chain = self._follow(url)
        if chain.error is None and path is not None:
            record = {"url": url, "hops": list(chain.hops), "stopped": chain.stopped, "time": time.time()}
            with contextlib.suppress(OSError):  # the cache is an optimisation
                self.remote.cache.write_json(path, record)
        return chain

    def _follow(self, url: str) -> Chain:
        hops = [url]
        current = url
        deadline = time.monotonic() + self.time_limit
        for _hop in range(MAX_HOPS + 1):
            if time.monotonic() > deadline:
                return Chain(tuple(hops), error=f"gave up after {self.time_limit:g} s")
            try:
                status, target = self.remote.client.probe(current)
            except HttpError as exc:
                return Chain(tuple(hops), error=exc.reason)
            if target is None and status >= 400:
                # An error answer to GET too: where the URL leads those it answers otherwise
                # (another client, another time) is unseen, and an error is never cached.
                return Chain(tuple(hops), error=f"answered HTTP {status}")
            if target is None:
                return Chain(tuple(hops))
            hops.append(target)
            parsed = parse_url(target)
            if parsed is not None and self.policy.host_rules(parsed):
                return Chain(tuple(hops), stopped=True)  # checked before any lookup: never contacted
            decision = self.remote.decide(target, UrlOrigin.redirect(current))
            if not decision.allowed:
                return Chain(tuple(hops), error=f"redirected to {target}, not followed: {decision.reason}")
            if target in hops[:-1]:
                return Chain(tuple(hops), error="redirect loop")
            current = target
        return Chain(tuple(hops), error=f"more than {MAX_HOPS} redirects")

    def _warn(self, failures: Sequence[tuple[str, str]]) -> None:
        for url, error in failures[:MAX_WARNINGS]:
            self.warnings.append(str(InputError(url, f"not followed (--resolve-urls): {error}")))
        if len(failures) > MAX_WARNINGS:
            self.warnings.append(f"{len(failures) - MAX_WARNINGS} more URLs could not be followed")
