"""Load origin policies (TOML) into rules and allow entries.

Layers, each optional, later ones extending earlier ones (a rule with an id already
loaded replaces it, and the run warns that it did):

1. the default policy shipped in ``data/policy.toml`` (installed as ``auditor/_data``);
2. the ``[policy]`` table of a project file (``auditor.toml``);
3. every ``--policy FILE``.

A policy file::

    schema = 1
    [settings]
    taint-severity = "medium"     # findings at or above this make a package `origin`
    [[rule]]
    id = "…"; kind = "host" | "field" | "license" | "signing-key" | "component" | "provenance"
    severity = "high" | "medium" | "low" | "info"; message = "…"; reference = "…"
    # plus the matchers of its kind (see the README's "The policy")
    [[allow]]
    id = "…"; packages = ["glob", …]; rules = ["glob", …]; values = ["glob", …]; reason = "…"

Its shape is declared once, in `auditor.origin.policyschema`; each file is checked against it
before any rule is built, so every fault is one line naming the file and the key.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.core.errors import InputError, PolicyError
from auditor.core.files import read_regular
from auditor.core.readlog import config_read
from auditor.core.schema import convert, shown
from auditor.core.shipped import shipped_file
from auditor.core.tomlfile import read_toml
from auditor.formats import pgpkeys
from auditor.origin.findings import Category, Finding, Severity
from auditor.origin.policyschema import (
    DEFAULT_PROVENANCE_ORIGINS,
    AnyRuleShape,
    ComponentRuleShape,
    FieldRuleShape,
    HostRuleShape,
    LicenseRuleShape,
    PolicyDocument,
    ProvenanceRuleShape,
    SigningKeyRuleShape,
)
from auditor.origin.provenance import read_provenance_csv
from auditor.origin.rules import (
    Component,
    ComponentRule,
    FieldRule,
    HostRule,
    KeyAction,
    LicenseRule,
    ProvenanceRule,
    Rule,
    SigningKeyRule,
    compile_pattern,
)
from auditor.origin.urlpaths import fetched_readings, glob_host_part, host_part
from auditor.origin.urls import ParsedUrl
from auditor.rpm.model import Package


@dataclass(frozen=True)
class Allow:
    """A reviewed exception: findings it matches stay visible but no longer taint."""

    id: str
    packages: tuple[str, ...]
    rules: tuple[str, ...] = ("*",)
    values: tuple[str, ...] = ()
    reason: str = ""
    source: str = ""
    """Where it was read (``ours.toml: allow[2]``), for the error that names it."""

    def matches(self, package: Package, finding: Finding) -> bool:
        names = [package.name]
        if package.source_name:
            names.append(package.source_name)
        if not any(fnmatch.fnmatchcase(name, pattern) for pattern in self.packages for name in names):
            return False
        if not any(fnmatch.fnmatchcase(finding.rule, pattern) for pattern in self.rules):
            return False
        return not self.values or any(_allows(pattern, finding.value) for pattern in self.values)


def _allows(pattern: str, value: str) -> bool:
    """Whether an allow's ``values`` glob ``pattern`` names ``value``: as written, and, for a URL,
    as a fetcher reads its path (`fetched_readings`): ``lvm2/*`` reviewed the tarballs under
    ``lvm2/``, and ``lvm2/../../secret/x.tgz`` is fetched from ``/secret`` (gate58). A pattern that
    is the value itself was reviewed as written. What a URL pattern names before its path names
    the URL's host, and what it names after, its path: ``https://*.citrite.net/lvm2/*`` reviewed
    the tarballs under a citrite.net host's ``/lvm2/``, and its ``*`` as a whole-text glob also
    covered ``https://code.citrite.net/x/.citrite.net/lvm2/y``."""
    if pattern == value:
        return True
    return _names(pattern, value) and all(_names(pattern, reading) for reading in fetched_readings(value))


def _names(pattern: str, text: str) -> bool:
    if not fnmatch.fnmatchcase(text, pattern):
        return False
    host_pattern, host = glob_host_part(pattern), host_part(text)
    if host_pattern is None or host is None:
        return True
    # Host and path matched apart: a `*` of either names no piece of the other.
    return fnmatch.fnmatchcase(host, host_pattern) and fnmatch.fnmatchcase(
        text[len(host) :], pattern[len(host_pattern) :]
    )


@dataclass
class Policy:
    rules: list[Rule] = field(default_factory=list)
    allows: list[Allow] = field(default_factory=list)
    taint_severity: Severity = Severity.MEDIUM
    sources: list[str] = field(default_factory=list)
    """The files this policy was read from, in order."""
    tables: list[str] = field(default_factory=list)
    """The provenance tables its rules name (``file =``), which decide findings as much as the
    policy files do: a report replayed from the store is keyed on them too."""
    rpm_features: dict[str, str] | None = None
    tier_severity: dict[str, Severity] = field(default_factory=dict)
    """``[settings] tier-severity``: the severity of every rule of a tier, whichever layer set it
    (``tier-severity = { public-org = "low" }`` makes Citrix's public forges evidence only)."""
    warnings: list[str] = field(default_factory=list)
    """What loading it noticed and the run must say (a rule replaced by a later layer)."""
    rule_files: dict[str, str] = field(default_factory=dict)
    """Rule id -> the file (or project file) its rule was read from."""
    tier_settings: dict[str, str] = field(default_factory=dict)
    """Tier -> where its ``tier-severity`` was set, for the error that names it."""

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    def host_rules(self, url: ParsedUrl) -> list[HostRule]:
        """The host rules a URL matches: the policy's own test of "a policy host"."""
        return [rule for rule in self.rules if isinstance(rule, HostRule) and rule.matches_url(url)]

    def reads_header_fields(self) -> bool:
        """Whether a rule looks at what only an RPM header carries (signing key, Distribution,
        the BugURL a host rule judges): then a repository's package files are worth reading,
        not only its metadata."""
        return any(
            isinstance(rule, SigningKeyRule | HostRule)
            or (isinstance(rule, FieldRule) and "distribution" in rule.fields)
            for rule in self.rules
        )

    def components(self) -> dict[str, Component]:
        found: dict[str, Component] = {}
        for rule in self.rules:
            if isinstance(rule, ComponentRule):
                found.update(rule.components)
        return found


def default_policy_path() -> Path:
    """The shipped default policy: inside the installed package, or ``data/`` of a source tree."""
    path = shipped_file("policy.toml")
    if path is None:
        raise PolicyError("the default policy (data/policy.toml) is missing from this installation")
    return path


def load_policy(
    files: Iterable[str] = (),
    *,
    default: bool = True,
    project: PolicyDocument | Mapping[str, Any] | None = None,
    project_path: str | None = None,
    provenance: Iterable[str] = (),
) -> Policy:
    """The shipped policy (unless not ``default``), the ``[policy]`` of a project file (a
    `PolicyDocument`, or its table as read), every policy file, then every provenance table."""
    policy = Policy()
    if default:
        shipped = str(default_policy_path())
        _merge(policy, read_policy_file(shipped), shipped)
    if project is not None:
        where = project_path or "auditor.toml"
        if not isinstance(project, PolicyDocument):
            project = convert(project, PolicyDocument, where, at="policy")
        _merge(policy, project, where, at="policy.")
    for path in files:
        _merge(policy, read_policy_file(path), path)
    if policy.tier_severity:
        policy.rules = [
            replace(rule, severity=policy.tier_severity[rule.tier])
            if rule.tier in policy.tier_severity
            else rule
            for rule in policy.rules
        ]
    for path in provenance:
        table = read_provenance_csv(path)
        policy.rules.append(
            ProvenanceRule(
                id=PROVENANCE_RULE,
                severity=Severity.INFO,
                message="recorded as imported from XenServer in the provenance table",
                reference=os.path.abspath(path),
                origins=frozenset(DEFAULT_PROVENANCE_ORIGINS),
                table=table,
            )
        )
        policy.sources.append(path)
    _check_references(policy)
    return policy


PROVENANCE_RULE = "xenserver-provenance"
"""The rule ``--provenance`` adds: a project may allow its findings in ``auditor.toml`` and run
without a table at times (a contributor's local run), so an allow naming it is never a typo."""


def _check_references(policy: Policy) -> None:
    """An ``[[allow]]`` rule or a ``tier-severity`` tier that names nothing in the policy is a
    typo (or a rule since renamed): it would silently do nothing, so it is an error, as a
    waiver's unknown rule is."""
    ids = sorted({rule.id for rule in policy.rules} | {PROVENANCE_RULE})
    for allow in policy.allows:
        for pattern in allow.rules:
            if not any(fnmatch.fnmatchcase(rule_id, pattern) for rule_id in ids):
                raise PolicyError(
                    f"{allow.source}: rules: {shown(pattern, plain=True)} matches no rule of the policy "
                    f"(known: {', '.join(ids) or 'none'})"
                )
    tiers = sorted({rule.tier for rule in policy.rules if rule.tier is not None})
    for tier, where in policy.tier_settings.items():
        if tier not in tiers:
            raise PolicyError(
                f"{where}: no rule of the policy has the tier {shown(tier, plain=True)} "
                f"(tiers: {', '.join(tiers) or 'none'})"
            )


def require_origin_rules(policy: Policy, asked: str) -> None:
    """Refuse a policy under which no package can be `origin`: every audit would pass it.

    ``asked`` names what the user asked that left it so (``--no-default-policy``). A clean
    result must mean the rules looked and found nothing, never that there were none to look.
    """
    if any(rule.severity >= policy.taint_severity for rule in policy.rules):
        return
    if policy.rules:
        what = f"no rule at or above its taint-severity ({policy.taint_severity})"
    else:
        what = "no origin rule"
    raise PolicyError(
        f"{asked}: the policy has {what}, so no package could be found to come from Citrix and "
        "a clean result would prove nothing (add rules with --policy FILE or auditor.toml's [policy])"
    )


def read_policy_file(path: str) -> PolicyDocument:
    """A policy file, checked against `PolicyDocument`."""
    data = read_toml(path, "policy file")
    _check_schema(data.get("schema", 1), path)  # before the keys: a newer schema may have other keys
    return convert(data, PolicyDocument, path)


def _check_schema(schema: object, where: str) -> None:
    if schema != 1 or isinstance(schema, bool):
        raise PolicyError(
            f"{where}: unsupported policy schema {shown(schema, plain=True)} (this auditor reads 1)"
        )


def _merge(policy: Policy, document: PolicyDocument, path: str, at: str = "") -> None:
    """Add ``document`` (read from ``path``; at key ``at`` of it, for auditor.toml's [policy])."""
    _check_schema(document.schema, f"{path}: {at}schema" if at else path)
    settings = document.settings
    if settings.taint_severity is not None:
        policy.taint_severity = Severity.parse(settings.taint_severity)
    for tier, severity in settings.tier_severity.items():
        policy.tier_severity[tier] = Severity.parse(severity)
        policy.tier_settings[tier] = f"{path}: {at}settings.tier-severity.{tier}"
    if document.rpm is not None:
        policy.rpm_features = dict(document.rpm.features)
    base = os.path.dirname(os.path.abspath(path))
    for position, shape in enumerate(document.rule):
        where = f"{path}: {at}rule[{position}]"
        rule = _rule(shape, where, base)
        if rule.id in policy.rule_files:
            # Replacing is what a same id means, but it drops the whole earlier rule (every
            # component of a list, every domain): extending by the same id would lose them.
            policy.warnings.append(
                f"{where}: rule {rule.id} replaces the one of {policy.rule_files[rule.id]} whole, "
                "none of its matchers kept (give a rule another id to add to the policy)"
            )
        policy.rules = [existing for existing in policy.rules if existing.id != rule.id]
        policy.rules.append(rule)
        policy.rule_files[rule.id] = path
        if isinstance(shape, ProvenanceRuleShape):
            policy.tables.append(os.path.join(base, shape.file))
    for index, item in enumerate(document.allow):
        where = f"{path}: {at}allow[{index}]"
        policy.allows.append(Allow(item.id, item.packages, item.rules, item.values, item.reason, where))
    policy.sources.append(path)


def _rule(shape: AnyRuleShape, where: str, base: str) -> Rule:
    """The rule ``shape`` declares; what its type cannot say is checked here."""
    category = shape.category or (
        Category.PROPRIETARY if isinstance(shape, LicenseRuleShape) else Category.CITRIX
    )
    common: dict[str, Any] = {
        "id": shape.id,
        "severity": Severity.parse(shape.severity),
        "message": shape.message,
        "reference": shape.reference,
        "tier": shape.tier,
        "category": category,
    }
    if isinstance(shape, HostRuleShape):
        if not shape.domains and not shape.urls:
            raise PolicyError(f"{where}: a host rule needs 'domains' or 'urls'")
        urls = []
        for text in shape.urls:
            host, _, path = text.partition("/")
            urls.append((host.lower(), "/" + path))
        domains = tuple(domain.lower() for domain in shape.domains)
        return HostRule(**common, domains=domains, urls=tuple(urls), ports=shape.ports)
    if isinstance(shape, FieldRuleShape):
        pattern = None if shape.pattern is None else compile_pattern(shape.pattern, f"{where}.pattern")
        if pattern is None and not shape.domains:
            raise PolicyError(f"{where}: a field rule needs 'pattern' or 'domains'")
        domains = tuple(domain.lower() for domain in shape.domains)
        return FieldRule(**common, fields=shape.fields, pattern=pattern, domains=domains)
    if isinstance(shape, LicenseRuleShape):
        if not shape.terms and not shape.elements:
            raise PolicyError(f"{where}: a license rule needs 'terms' or 'elements'")
        return LicenseRule(**common, terms=shape.terms, elements=shape.elements)
    if isinstance(shape, SigningKeyRuleShape):
        keys = frozenset(_key_id(key, f"{where}.keys[{index}]") for index, key in enumerate(shape.keys))
        keys |= _key_file_ids(shape.key_files, where, base)
        if not keys:
            raise PolicyError(f"{where}: a signing-key rule needs 'keys' or 'key-files'")
        return SigningKeyRule(**common, action=KeyAction(shape.action), keys=keys)
    if isinstance(shape, ComponentRuleShape):
        if not shape.component:
            raise PolicyError(
                f"{where}: a component rule needs 'component' (a [[rule.component]] table per package)"
            )
        components = {
            entry.name: Component(
                entry.name, entry.replaced_by, entry.what, entry.reference, entry.when_license
            )
            for entry in shape.component
        }
        return ComponentRule(**common, components=components)
    table = read_provenance_csv(os.path.join(base, shape.file))
    return ProvenanceRule(**common, origins=frozenset(shape.origins), table=table)


def _key_file_ids(files: Sequence[str], where: str, base: str) -> frozenset[str]:
    """The ids of every key and subkey of the public key files (relative to the policy's
    directory): a package signed by a subkey names the subkey, which a list of primary key
    ids would miss."""
    found: set[str] = set()
    for index, name in enumerate(files):
        path = os.path.join(base, name)
        try:
            data = read_regular(path, path, "a public key file", pgpkeys.MAX_KEY_FILE)
            config_read(path, data)  # the keys decide the findings: a stored report is keyed on them
            found.update(pgpkeys.public_key_ids(data))
        except InputError as exc:
            raise PolicyError(f"{where}.key-files[{index}]: {exc.source}: {exc.reason}") from None
        except ValueError as exc:
            raise PolicyError(
                f"{where}.key-files[{index}]: {path}: not an OpenPGP public key: {exc}"
            ) from None
    return frozenset(found)


def _key_id(value: str, where: str) -> str:
    key = value.strip().lower().replace(" ", "")
    if not re.fullmatch(r"[0-9a-f]{16}|[0-9a-f]{40}|[0-9a-f]{64}", key):
        raise PolicyError(f"{where}: {value!r} is not a 16-digit key id or a fingerprint")
    return key[-16:] if len(key) == 40 else key[:16]
