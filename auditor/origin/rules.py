"""Origin rules: each kind of rule is a class that finds its evidence in one package.

Rules are built from policy data (`auditor.origin.policy`); they never read files or the
network while matching. ``RULE_KINDS`` is the explicit registry of kinds.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Protocol, cast

import re2

from auditor.core.errors import PolicyError
from auditor.origin.findings import Category, Finding, Severity
from auditor.origin.licenses import first_term, license_elements, license_term_patterns, not_free
from auditor.origin.reading import readings
from auditor.origin.urls import ParsedUrl, UrlEvidence, host_matches, package_urls
from auditor.rpm.installed import InstalledKind
from auditor.rpm.model import Package


@dataclass(frozen=True)
class Rule:
    """What every rule has: an id, a severity, a message and a reference."""

    id: str
    severity: Severity
    message: str
    reference: str = ""
    tier: str | None = None
    category: Category = Category.CITRIX

    kind: ClassVar[str] = ""

    def match(self, package: Package) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(self, field: str, value: str, *, message: str | None = None, **extra: Any) -> Finding:
        return Finding(
            self.id,
            self.severity,
            field,
            value,
            message or self.message,
            self.reference,
            self.category,
            **extra,
        )


@dataclass(frozen=True)
class HostRule(Rule):
    """URLs on given hosts: ``domains`` (a domain and its subdomains), ``urls`` (``host/path`` prefixes)."""

    domains: tuple[str, ...] = ()
    urls: tuple[tuple[str, str], ...] = ()
    ports: tuple[int, ...] = ()
    _needles: tuple[str, ...] = field(default=(), compare=False, repr=False)
    _hosts: dict[str, bool] = field(default_factory=dict, init=False, compare=False, repr=False)
    """Host -> whether it is one of this rule's hosts or under one (`HOSTS_REMEMBERED` at most)."""

    kind: ClassVar[str] = "host"
    HOSTS_REMEMBERED: ClassVar[int] = 1024
    """Every URL a run fetches is first checked against every host rule (a remote repository's
    4,000 headers: 200,000 host comparisons, a tenth of the run), and its URLs are on few hosts;
    bounded, since a hostile input can name a host per Source."""

    def __post_init__(self) -> None:
        needles = {domain.lower().rstrip(".") for domain in self.domains}
        needles.update(host.lower() for host, _path in self.urls)
        object.__setattr__(self, "_needles", tuple(sorted(needles)))

    def on_hosts(self, host: str) -> bool:
        """Whether ``host`` (normalised, `ParsedUrl.host`) is one of the rule's domains or the
        host of one of its URL prefixes, or under one: what `matches_url` needs of the host."""
        known = self._hosts.get(host)
        if known is None:
            known = any(host_matches(host, domain) for domain in self.domains) or any(
                host_matches(host, prefix_host) for prefix_host, _path in self.urls
            )
            if len(self._hosts) < self.HOSTS_REMEMBERED:
                self._hosts[host] = known
        return known

    def matches_url(self, url: ParsedUrl) -> bool:
        """Whether one parsed URL is on this rule's hosts (and ports, and path prefixes)."""
        if not self.on_hosts(url.host) or (self.ports and url.port not in self.ports):
            return False
        return any(host_matches(url.host, domain) for domain in self.domains) or any(
            host_matches(url.host, host) and url.path_under(path) for host, path in self.urls
        )

    @property
    def needles(self) -> tuple[str, ...]:
        """Lower-case host names a URL must contain to be on this rule's hosts."""
        return self._needles

    def match(self, package: Package) -> Iterator[Finding]:
        return self.match_urls(package_urls(package, self._needles))

    def match_urls(self, evidence_list: Iterable[UrlEvidence]) -> Iterator[Finding]:
        """Findings for URLs already extracted from a package (by `package_urls`)."""
        seen: set[tuple[str, str]] = set()
        for evidence in evidence_list:
            url = evidence.url
            if self.matches_url(url) and (evidence.field, url.text) not in seen:
                seen.add((evidence.field, url.text))
                # ``source0`` and ``patch12`` keep their number (a different Source is a different
                # finding); capabilities, by kind, since their text carries versions.
                capability = f"{evidence.field}@{url.host}"
                if evidence.scriptlet:  # run as root by every host that installs the package
                    message = f"{self.message} (its {evidence.field} scriptlet names it: run on its hosts)"
                    yield self.finding(evidence.field, url.text, message=message, capability=capability)
                    continue
                if not evidence.installed:
                    yield self.finding(evidence.field, url.text, capability=capability)
                    continue
                # The rules' messages speak of where a package is built from ("cannot be rebuilt
                # independently"): a repository it installs is said as what it does to its hosts.
                if not evidence.disabled:
                    message = f"{self.message} (a repository it installs: its hosts fetch packages there)"
                    yield self.finding(evidence.field, url.text, message=message, capability=capability)
                    continue
                # A repository the package installs disabled: said, and below every threshold.
                message = f"{self.message} (a repository it installs, its section disabled)"
                found = self.finding(evidence.field, url.text, message=message, capability=capability)
                yield replace(found, severity=Severity.INFO, taints=False)


class PatternMatch(Protocol):
    def group(self) -> str: ...


class Pattern(Protocol):
    def search(self, text: str) -> PatternMatch | None: ...


def compile_pattern(text: str, where: str) -> Pattern:
    """A policy's regular expression, compiled for RE2 (google-re2): matched in linear time.

    Patterns come from policy files and values from packages; with a backtracking engine a
    pattern such as ``^(\\w+\\s?)+$`` meets a crafted Vendor and never returns (Python's
    ``re`` cannot be interrupted, and capping the input does not help: 30 characters take
    2^30 steps). Rejecting "nested quantifiers" at load time is a heuristic that misses
    overlapping alternations (``(a|ab)*c``); RE2 bounds every pattern by construction. What
    it lacks (backreferences, lookaround) is refused here as a PolicyError naming the rule;
    its ``\\w`` and ``\b`` are ASCII, which the shipped patterns (names, e-mail domains) need.
    """
    options = re2.Options()
    options.log_errors = False  # its error goes in the PolicyError, not on standard error
    try:
        return cast(Pattern, re2.compile(text, options))
    except re2.error as exc:
        first = exc.args[0] if exc.args else exc
        detail = first.decode("utf-8", "replace") if isinstance(first, bytes) else str(first)
        raise PolicyError(
            f"{where}: not a valid regular expression for the linear-time engine (RE2: no "
            f"backreferences or lookaround): {detail}"
        ) from None


@dataclass(frozen=True)
class FieldRule(Rule):
    """A header field (vendor, packager, buildhost, distribution) matching a pattern or domain."""

    fields: tuple[str, ...] = ()
    pattern: Pattern | None = None
    domains: tuple[str, ...] = ()
    _seen: dict[tuple[str, str], Finding | None] = field(default_factory=dict, compare=False, repr=False)

    kind: ClassVar[str] = "field"

    def match(self, package: Package) -> Iterator[Finding]:
        for name in self.fields:
            value = getattr(package, name, None)
            if not value:
                continue
            # A distribution repeats a handful of vendors and build hosts: decide each once.
            key = (name, value)
            if key not in self._seen:
                self._seen[key] = self._decide(name, value)
            found = self._seen[key]
            if found is not None:
                yield found

    def _decide(self, name: str, value: str) -> Finding | None:
        # The rule sees the value as a reader does; the finding keeps the value as written.
        # Each reading whole (pattern, then domains) before the next: a value matched as
        # written keeps the capability, hence the fingerprint, it had before folded readings.
        for text in readings(value):
            match = self.pattern.search(text) if self.pattern is not None else None
            if match is not None:
                return self.finding(name, value, capability=f"{name}:{match.group().casefold()}")
            host = text.strip().rstrip(".").lower()
            domain = next((d for d in self.domains if host_matches(host, d)), None)
            if domain is not None:
                return self.finding(name, value, capability=f"{name}@{domain}")
        return None


@dataclass(frozen=True)
class LicenseRule(Rule):
    """Licences that are not free, found inside compound expressions.

    ``terms`` are phrases found anywhere in the expression (``Proprietary and BSD``,
    ``GPLv2+ and Redistributable, no modification permitted``, ``LicenseRef-Citrix-EULA``:
    see `license_term_pattern`). ``elements`` are names that
    must be a whole element of the expression, split at ``and``, ``or``, ``with``, commas and
    parentheses: ``Redistributable`` alone is not free, but ``Freely redistributable without
    restriction`` is one element that merely contains the word.
    """

    terms: tuple[str, ...] = ()
    elements: tuple[str, ...] = ()
    _compiled: tuple[tuple[re.Pattern[str], ...], ...] = field(default=(), compare=False, repr=False)
    _seen: dict[str, tuple[Finding, ...]] = field(default_factory=dict, compare=False, repr=False)

    kind: ClassVar[str] = "license"

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", license_term_patterns(self.terms))

    def match(self, package: Package) -> Iterator[Finding]:
        license_ = package.license
        if not license_:
            return
        if license_ not in self._seen:  # licences repeat: decide each text once
            self._seen[license_] = self._decide(license_)
        yield from self._seen[license_]

    def _decide(self, license_: str) -> tuple[Finding, ...]:
        # A finding a licence the expression imposes, the first the one the rule gave when it
        # gave one only: a baseline's fingerprints still match it, and a licence added later
        # is a finding of its own.
        for text in readings(license_):
            if found := not_free(text, self._leaf):
                return tuple(self._finding(license_, term) for term in found)
        return ()

    def _leaf(self, text: str) -> str | None:
        """The term or element that makes one licence of an expression not free, if any."""
        if (term := first_term(text, self.terms, self._compiled)) is not None:
            return term
        if self.elements:
            present = {element.casefold() for element in license_elements(text)}
            for element in self.elements:
                if element.casefold() in present:
                    return element
        return None

    def _finding(self, license_: str, term: str) -> Finding:
        return self.finding(
            "license", license_, message=f"{self.message} ({term})", capability=f"license:{term.lower()}"
        )


def _mentions(license_: str | None, term: str) -> bool:
    """Whether ``term`` stands in the licence as the licence rules read one (normalised text, a
    whole term): a fullwidth ``Proprietary`` says Proprietary, ``BSD (non-proprietary)`` does too,
    ``Proprietaryish`` does not."""
    patterns = license_term_patterns((term,))
    return bool(license_) and any(first_term(text, (term,), patterns) for text in readings(license_ or ""))


class KeyAction(enum.Enum):
    """What a signing-key rule's list means."""

    DENY = "deny"
    """The keys listed mark a vendor's build: a package signed by one is evidence."""
    TRUST = "trust"
    """The only keys trusted: a package signed by any other key is evidence."""


@dataclass(frozen=True)
class SigningKeyRule(Rule):
    """Signing key ids that mark a vendor's build (``deny``), or the only keys trusted (``trust``)."""

    action: KeyAction = KeyAction.DENY
    keys: frozenset[str] = frozenset()

    kind: ClassVar[str] = "signing-key"

    def match(self, package: Package) -> Iterator[Finding]:
        # Every signer is judged, not the first rpm checks: one listed key is enough for a
        # deny rule, one key outside the list for a trust rule. An unsigned package has no
        # signer, and a trust rule says nothing of it.
        for key in package.signing_keys:
            listed = key.lower() in self.keys
            evidence = listed if self.action is KeyAction.DENY else not listed
            if evidence:
                yield self.finding("signing_key", key, capability=f"key:{key.lower()}")
        if self.action is KeyAction.DENY:  # a trust rule names the keys a package may be signed by
            yield from self._installed(package)

    def _installed(self, package: Package) -> Iterator[Finding]:
        """The listed keys the package puts in ``/etc/pki/rpm-gpg``: every host that installs it
        accepts what they sign once a repository names the file as its ``gpgkey``."""
        for item in package.installs:
            if item.kind is InstalledKind.SIGNING_KEY and item.value in self.keys:
                who = self.category.value.capitalize()
                message = f"Installs the {who} signing key {item.value} as trusted ({self.message})"
                yield self.finding(
                    item.where, item.value, message=message, capability=f"installs-key:{item.value}"
                )


@dataclass(frozen=True)
class Component:
    name: str
    replaced_by: str | None = None
    what: str = ""
    reference: str = ""
    when_license: str | None = None
    """Match only when the package's licence contains this term (for names others reuse)."""


_BUNDLED_START = len("bundled(")


@dataclass(frozen=True)
class ComponentRule(Rule):
    """Known proprietary components, by exact package name (binary or source), and a package
    that says it carries a copy of one (``Provides: bundled(v6d-citrix)``)."""

    components: Mapping[str, Component] = field(default_factory=dict)

    kind: ClassVar[str] = "component"

    def match(self, package: Package) -> Iterator[Finding]:
        source = package.source_name
        named = [("name", package.name, package.name), ("sourcerpm", source, source)]
        if package.is_source:
            # A source package of another name that makes the component is its source too: what
            # it surely builds, and each %package its spec declares (`Package.alternatives`).
            named.extend(("builds", built, built) for built in package.builds or ())
            named.extend(("builds", value, value) for kind, value in package.alternatives if kind == "builds")
        # Fedora's packaging guidelines have a package that bundles a copy of another's code say
        # so with `bundled(NAME)`: a clean name carrying the proprietary component is that component.
        named.extend(
            ("provides", provide.name, provide.name[_BUNDLED_START:-1])
            for provide in package.provides
            if provide.name.startswith("bundled(") and provide.name.endswith(")")
        )
        # One finding per component, not per package: a package carrying two components needs
        # two replacements, and a fingerprint accepted for one must not stand for the other.
        found: set[str] = set()
        for field_name, value, name in named:
            component = self.components.get(name or "")
            if component is None or component.name in found:
                continue
            if component.when_license and not _mentions(package.license, component.when_license):
                continue
            message = f"{self.message}: {component.what}" if component.what else self.message
            if component.replaced_by:
                message += f" (replaced by {component.replaced_by})"
            yield Finding(
                self.id, self.severity, field_name, value or "", message,
                component.reference or self.reference, self.category, replacement=component.replaced_by,
                capability=f"component:{component.name}",
            )  # fmt: skip
            found.add(component.name)


@dataclass(frozen=True)
class ProvenanceRule(Rule):
    """A provenance table (XCP-ng's ``packages_provenance.csv``): source names recorded as imported."""

    origins: frozenset[str] = frozenset()
    """The ``added_by`` values that mean imported; compared without case or surrounding
    whitespace (a row's ``xs`` is ``XS``: a row read is never skipped for its spelling)."""
    table: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Source package name -> (added_by, import_reason)."""

    kind: ClassVar[str] = "provenance"

    def __post_init__(self) -> None:
        object.__setattr__(self, "origins", frozenset(_origin_key(origin) for origin in self.origins))

    def match(self, package: Package) -> Iterator[Finding]:
        name = package.source_name
        entry = self.table.get(name or "")
        if entry is None or _origin_key(entry[0]) not in self.origins:
            return
        added_by, reason = entry
        value = f"added_by={added_by}" + (f"; import_reason={reason}" if reason else "")
        yield self.finding("provenance", value, capability=f"provenance:{added_by}")


def _origin_key(origin: str) -> str:
    return origin.strip().casefold()


RULE_KINDS: dict[str, type[Rule]] = {
    rule.kind: rule
    for rule in (HostRule, FieldRule, LicenseRule, SigningKeyRule, ComponentRule, ProvenanceRule)
}
