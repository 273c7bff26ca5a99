"""The shape of a policy file: the one declaration `auditor.origin.policy` converts from.

A policy file, and the ``[policy]`` table of ``auditor.toml``, is checked against
`PolicyDocument` by `auditor.core.schema.convert` before any rule is built: a wrong type, an
unknown key, a port out of range or a severity that is not one is a one-line `PolicyError`
naming the file and the key (``rule[4].severity``). What a type cannot say (a host rule
needs ``domains`` or ``urls``, a pattern must compile, a key id must be hex) the loader
checks, with the same path.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from auditor.core.schema import FileName, NonEmpty, described
from auditor.origin.findings import Category

DEFAULT_PROVENANCE_ORIGINS = ("XS", "XenServer")
"""The ``added_by`` values of XCP-ng's provenance table that mean "imported from XenServer"
(the table writes ``XS``; its product name means the same), whatever their case."""

SeverityName = Literal["high", "medium", "low", "info"]
FieldName = Literal["vendor", "packager", "buildhost", "distribution", "url", "summary"]
Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
RuleId = Annotated[
    str,
    msgspec.Meta(
        pattern=described(
            r"^[a-z0-9][a-z0-9._-]*$",
            "an id of lower-case letters, digits, '.', '_' or '-' (starting with a letter or digit)",
        )
    ),
]
Strings = tuple[str, ...]
Some = Annotated[Strings, msgspec.Meta(min_length=1)]
"""A list that, written, names one thing at least: empty, what it lists matched nothing (or, for
an allow's ``values``, everything), without a word."""


class _Table(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    """A TOML table: its keys are the fields' names in kebab-case, and no others (every
    subclass says ``frozen=True, kw_only=True`` too: msgspec does not inherit ``kw_only``,
    and mypy reads the class keywords of each)."""


class RuleShape(_Table, tag_field="kind", frozen=True, kw_only=True):
    """What every rule has; ``kind`` picks the subclass (its ``tag``)."""

    id: RuleId
    severity: SeverityName
    message: str
    reference: str = ""
    tier: str | None = None
    """A group of rules whose severity ``[settings] tier-severity`` can set at once."""
    category: Category | None = None
    """Citrix (the default) or proprietary (the default of license rules)."""


class HostRuleShape(RuleShape, tag="host", frozen=True, kw_only=True):
    domains: Strings = ()
    urls: Strings = ()
    """``host/path`` prefixes."""
    ports: tuple[Port, ...] = ()


class FieldRuleShape(RuleShape, tag="field", frozen=True, kw_only=True):
    fields: Annotated[tuple[FieldName, ...], msgspec.Meta(min_length=1)]
    pattern: str | None = None
    domains: Strings = ()


class LicenseRuleShape(RuleShape, tag="license", frozen=True, kw_only=True):
    terms: Strings = ()
    elements: Strings = ()


class SigningKeyRuleShape(RuleShape, tag="signing-key", frozen=True, kw_only=True):
    action: Literal["deny", "trust"] = "deny"
    keys: Strings = ()
    key_files: Strings = ()


class ComponentShape(_Table, frozen=True, kw_only=True):
    name: NonEmpty
    replaced_by: str | None = None
    what: str = ""
    reference: str = ""
    when_license: str | None = None


class ComponentRuleShape(RuleShape, tag="component", frozen=True, kw_only=True):
    component: Annotated[tuple[ComponentShape, ...], msgspec.Meta(min_length=1)] = ()
    """Left out as well, the rule is refused (`auditor.origin.policy`): it would match nothing."""


class ProvenanceRuleShape(RuleShape, tag="provenance", frozen=True, kw_only=True):
    file: FileName
    """The provenance table, relative to the policy file."""
    origins: Annotated[tuple[NonEmpty, ...], msgspec.Meta(min_length=1)] = DEFAULT_PROVENANCE_ORIGINS
    """Empty, or a blank one (no row's ``added_by`` is blank), it matched no row."""


AnyRuleShape = (
    HostRuleShape
    | FieldRuleShape
    | LicenseRuleShape
    | SigningKeyRuleShape
    | ComponentRuleShape
    | ProvenanceRuleShape
)


class AllowShape(_Table, frozen=True, kw_only=True):
    id: str
    packages: Some
    rules: Some = ("*",)
    """``packages = []`` or ``rules = []`` allowed nothing: a reviewed case left in force."""
    values: Some = ()
    """Left out, every value; written, at least one: an empty list, read as none, allowed every
    value (`auditor.origin.policy.Allow.matches`), Citrix's vendor among them."""
    reason: NonEmpty


class SettingsShape(_Table, frozen=True, kw_only=True):
    taint_severity: SeverityName | None = None
    tier_severity: dict[str, SeverityName] = {}


class RpmShape(_Table, frozen=True, kw_only=True):
    features: dict[str, str] = {}
    """``rpmlib(NAME)`` features and the versions the rpm of the distribution provides."""


class PolicyDocument(_Table, frozen=True, kw_only=True):
    schema: int = 1
    name: str = ""
    description: str = ""
    settings: SettingsShape = SettingsShape()
    rule: tuple[AnyRuleShape, ...] = ()
    allow: tuple[AllowShape, ...] = ()
    rpm: RpmShape | None = None
