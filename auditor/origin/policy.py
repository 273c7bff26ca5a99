"""Load origin policies (TOML) into rules and allow entries.

Layers, each optional, later ones extending earlier ones (a rule with an id already
loaded replaces it):

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
    # plus the matchers of its kind (see docs/policy.md)
    [[allow]]
    id = "…"; packages = ["glob", …]; rules = ["glob", …]; values = ["glob", …]; reason = "…"
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from auditor.core.errors import PolicyError
from auditor.core.tomlfile import read_toml
from auditor.origin.findings import Category, Finding, Severity
from auditor.origin.rules import (
    RULE_KINDS,
    Component,
    ComponentRule,
    FieldRule,
    HostRule,
    LicenseRule,
    ProvenanceRule,
    Rule,
    SigningKeyRule,
    compile_pattern,
    read_provenance_csv,
)
from auditor.origin.urls import ParsedUrl
from auditor.rpm.model import Package

_COMMON_KEYS = {"id", "kind", "severity", "message", "reference", "tier", "category"}
_DEFAULT_CATEGORY = {"license": Category.PROPRIETARY}
"""A rule's category when the policy does not name one: licences are about freedom, the rest
about where a package comes from."""
_KIND_KEYS = {
    "host": {"domains", "urls", "ports"},
    "field": {"fields", "pattern", "domains"},
    "license": {"terms", "elements"},
    "signing-key": {"action", "keys"},
    "component": {"component"},
    "provenance": {"file", "origins"},
}
_FIELDS = {"vendor", "packager", "buildhost", "distribution", "url", "summary"}
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True)
class Allow:
    """A reviewed exception: findings it matches stay visible but no longer taint."""

    id: str
    packages: tuple[str, ...]
    rules: tuple[str, ...] = ("*",)
    values: tuple[str, ...] = ()
    reason: str = ""

    def matches(self, package: Package, finding: Finding) -> bool:
        names = [package.name]
        if package.source_name:
            names.append(package.source_name)
        if not any(fnmatch.fnmatchcase(name, pattern) for pattern in self.packages for name in names):
            return False
        if not any(fnmatch.fnmatchcase(finding.rule, pattern) for pattern in self.rules):
            return False
        return not self.values or any(fnmatch.fnmatchcase(finding.value, pattern) for pattern in self.values)


@dataclass
class Policy:
    rules: list[Rule] = field(default_factory=list)
    allows: list[Allow] = field(default_factory=list)
    taint_severity: Severity = Severity.MEDIUM
    sources: list[str] = field(default_factory=list)
    """The files this policy was read from, in order."""
    rpm_features: dict[str, str] | None = None
    tier_severity: dict[str, Severity] = field(default_factory=dict)
    """``[settings] tier-severity``: the severity of every rule of a tier, whichever layer set it
    (``tier-severity = { public-org = "low" }`` makes Citrix's public forges evidence only)."""

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    def host_rules(self, url: ParsedUrl) -> list[HostRule]:
        """The host rules a URL matches: the policy's own test of "a policy host"."""
        return [rule for rule in self.rules if isinstance(rule, HostRule) and rule.matches_url(url)]

    def reads_header_fields(self) -> bool:
        """Whether a rule looks at what only an RPM header carries (signing key, Distribution):
        then a repository's package files are worth reading, not only its metadata."""
        return any(
            isinstance(rule, SigningKeyRule)
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
    installed = resources.files("auditor") / "_data" / "policy.toml"
    if installed.is_file():
        return Path(str(installed))
    source_tree = Path(__file__).resolve().parents[2] / "data" / "policy.toml"
    if source_tree.is_file():
        return source_tree
    raise PolicyError("the default policy (data/policy.toml) is missing from this installation")


def data_path(name: str) -> Path:
    """A file shipped in ``data/``."""
    return default_policy_path().parent / name


def load_policy(
    files: Iterable[str] = (),
    *,
    default: bool = True,
    project: Mapping[str, Any] | None = None,
    project_path: str | None = None,
    provenance: Iterable[str] = (),
) -> Policy:
    policy = Policy()
    if default:
        shipped = str(default_policy_path())
        _merge(policy, read_toml(shipped, "policy file"), shipped)
    if project is not None:
        _merge(policy, project, project_path or "auditor.toml")
    for path in files:
        _merge(policy, read_toml(path, "policy file"), path)
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
                id="xenserver-provenance",
                severity=Severity.INFO,
                message="recorded as imported from XenServer in the provenance table",
                reference=os.path.abspath(path),
                origins=frozenset({"XS"}),
                table=table,
            )
        )
        policy.sources.append(path)
    return policy


def _merge(policy: Policy, data: Mapping[str, Any], path: str) -> None:
    unknown = set(data) - {"schema", "name", "description", "settings", "rule", "allow", "rpm"}
    if unknown:
        raise PolicyError(f"{path}: unknown top-level key {sorted(unknown)[0]!r}")
    if data.get("schema", 1) != 1:
        raise PolicyError(f"{path}: unsupported policy schema {data.get('schema')!r} (this auditor reads 1)")
    settings = _table(data.get("settings", {}), f"{path}: [settings]")
    for key, value in settings.items():
        if key == "taint-severity":
            policy.taint_severity = _severity(value, f"{path}: settings.taint-severity")
        elif key == "tier-severity":
            for tier, severity in _table(value, f"{path}: settings.tier-severity").items():
                policy.tier_severity[tier] = _severity(severity, f"{path}: settings.tier-severity.{tier}")
        else:
            raise PolicyError(f"{path}: unknown setting {key!r}")
    if "rpm" in data:
        features = _table(_table(data["rpm"], f"{path}: [rpm]").get("features", {}), f"{path}: rpm.features")
        policy.rpm_features = {str(name): str(version) for name, version in features.items()}
    base = os.path.dirname(os.path.abspath(path))
    for position, raw in enumerate(_array(data.get("rule", []), f"{path}: rule")):
        where = f"{path}: rule[{position}]"
        rule = _rule(_table(raw, where), where, base)
        policy.rules = [existing for existing in policy.rules if existing.id != rule.id]
        policy.rules.append(rule)
    for position, raw in enumerate(_array(data.get("allow", []), f"{path}: allow")):
        policy.allows.append(_allow(_table(raw, f"{path}: allow[{position}]"), f"{path}: allow[{position}]"))
    policy.sources.append(path)


def _rule(data: Mapping[str, Any], where: str, base: str) -> Rule:
    for key in ("id", "kind", "severity", "message"):
        if key not in data:
            raise PolicyError(f"{where}: missing {key!r}")
    rule_id = _string(data["id"], f"{where}.id")
    if not _ID.match(rule_id):
        raise PolicyError(f"{where}.id: {rule_id!r} must be lower-case letters, digits, '.', '_' or '-'")
    kind = _string(data["kind"], f"{where}.kind")
    if kind not in RULE_KINDS:
        raise PolicyError(f"{where}.kind: {kind!r} is not one of {', '.join(sorted(RULE_KINDS))}")
    unknown = set(data) - _COMMON_KEYS - _KIND_KEYS[kind]
    if unknown:
        raise PolicyError(f"{where}: unknown key {sorted(unknown)[0]!r} for a {kind} rule")
    common: dict[str, Any] = {
        "id": rule_id,
        "severity": _severity(data["severity"], f"{where}.severity"),
        "message": _string(data["message"], f"{where}.message"),
        "reference": _string(data.get("reference", ""), f"{where}.reference"),
        "tier": data.get("tier"),
        "category": _category(data.get("category"), kind, f"{where}.category"),
    }
    if kind == "host":
        urls = []
        for text in _strings(data.get("urls", []), f"{where}.urls"):
            host, _, path = text.partition("/")
            urls.append((host.lower(), "/" + path))
        ports = tuple(int(port) for port in data.get("ports", []))
        domains = tuple(d.lower() for d in _strings(data.get("domains", []), f"{where}.domains"))
        if not domains and not urls:
            raise PolicyError(f"{where}: a host rule needs 'domains' or 'urls'")
        return HostRule(**common, domains=domains, urls=tuple(urls), ports=ports)
    if kind == "field":
        fields = _strings(data.get("fields", []), f"{where}.fields")
        bad = set(fields) - _FIELDS
        if not fields or bad:
            raise PolicyError(f"{where}.fields: must be some of {', '.join(sorted(_FIELDS))}")
        pattern = None
        if "pattern" in data:
            pattern = compile_pattern(_string(data["pattern"], f"{where}.pattern"), f"{where}.pattern")
        domains = tuple(d.lower() for d in _strings(data.get("domains", []), f"{where}.domains"))
        if pattern is None and not domains:
            raise PolicyError(f"{where}: a field rule needs 'pattern' or 'domains'")
        return FieldRule(**common, fields=tuple(fields), pattern=pattern, domains=domains)
    if kind == "license":
        terms = _strings(data.get("terms", []), f"{where}.terms")
        elements = _strings(data.get("elements", []), f"{where}.elements")
        if not terms and not elements:
            raise PolicyError(f"{where}: a license rule needs 'terms' or 'elements'")
        return LicenseRule(**common, terms=tuple(terms), elements=tuple(elements))
    if kind == "signing-key":
        action = _string(data.get("action", "deny"), f"{where}.action")
        if action not in ("deny", "trust"):
            raise PolicyError(f"{where}.action: must be 'deny' or 'trust'")
        keys = frozenset(
            _key_id(key, f"{where}.keys") for key in _strings(data.get("keys", []), f"{where}.keys")
        )
        return SigningKeyRule(**common, action=action, keys=keys)
    if kind == "component":
        components: dict[str, Component] = {}
        for position, raw in enumerate(_array(data.get("component", []), f"{where}.component")):
            entry = _table(raw, f"{where}.component[{position}]")
            unknown = set(entry) - {"name", "replaced-by", "what", "reference", "when-license"}
            if unknown or "name" not in entry:
                raise PolicyError(f"{where}.component[{position}]: needs 'name', unknown {sorted(unknown)}")
            name = _string(entry["name"], f"{where}.component[{position}].name")
            components[name] = Component(
                name,
                entry.get("replaced-by"),
                entry.get("what", ""),
                entry.get("reference", ""),
                entry.get("when-license"),
            )
        return ComponentRule(**common, components=components)
    # provenance
    file = _string(data.get("file", ""), f"{where}.file")
    if not file:
        raise PolicyError(f"{where}: a provenance rule needs 'file'")
    origins = frozenset(_strings(data.get("origins", ["XS"]), f"{where}.origins"))
    table = read_provenance_csv(os.path.join(base, file))
    return ProvenanceRule(**common, origins=origins, table=table)


def _allow(data: Mapping[str, Any], where: str) -> Allow:
    unknown = set(data) - {"id", "packages", "rules", "values", "reason"}
    if unknown:
        raise PolicyError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    for key in ("id", "packages", "reason"):
        if key not in data:
            raise PolicyError(f"{where}: missing {key!r}")
    return Allow(
        id=_string(data["id"], f"{where}.id"),
        packages=tuple(_strings(data["packages"], f"{where}.packages")),
        rules=tuple(_strings(data.get("rules", ["*"]), f"{where}.rules")),
        values=tuple(_strings(data.get("values", []), f"{where}.values")),
        reason=_string(data["reason"], f"{where}.reason"),
    )


def _category(value: Any, kind: str, where: str) -> Category:
    if value is None:
        return _DEFAULT_CATEGORY.get(kind, Category.CITRIX)
    try:
        return Category(_string(value, where))
    except ValueError:
        choices = ", ".join(category.value for category in Category)
        raise PolicyError(f"{where}: {value!r} is not one of {choices}") from None


def _severity(value: Any, where: str) -> Severity:
    try:
        return Severity.parse(_string(value, where))
    except KeyError:
        raise PolicyError(f"{where}: {value!r} is not one of high, medium, low, info") from None


def _key_id(value: str, where: str) -> str:
    key = value.strip().lower().replace(" ", "")
    if not re.fullmatch(r"[0-9a-f]{16}|[0-9a-f]{40}|[0-9a-f]{64}", key):
        raise PolicyError(f"{where}: {value!r} is not a 16-digit key id or a fingerprint")
    return key[-16:] if len(key) == 40 else key[:16]


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise PolicyError(f"{where}: expected a string")
    return value


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise PolicyError(f"{where}: expected a list of strings")
    return list(value)


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: expected a table")
    return value


def _array(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise PolicyError(f"{where}: expected an array of tables")
    return value
