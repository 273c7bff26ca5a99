"""Findings: one piece of origin evidence against one package, and the verdicts."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass


class Severity(enum.IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]

    def __str__(self) -> str:
        return self.name.lower()


class Category(enum.Enum):
    """Why a piece of origin evidence matters: the two ways a package fails independence."""

    CITRIX = "citrix"
    """It comes from, or is controlled by, Citrix/XenServer (hosts, forges, vendor, keys, components)."""
    PROPRIETARY = "proprietary"
    """Its licence is not free: it cannot be modified and rebuilt, whoever publishes it."""


class Verdict(enum.Enum):
    """A package's status, worst first."""

    ORIGIN = "origin"
    DEPENDS = "depends"
    MAY_DEPEND = "may-depend"
    BUILD_DEPENDS = "build-depends"
    UNRESOLVED = "unresolved"
    CLEAN = "clean"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {verdict: rank for rank, verdict in enumerate(Verdict)}
DEFAULT_FAIL_ON = frozenset({Verdict.ORIGIN, Verdict.DEPENDS, Verdict.BUILD_DEPENDS, Verdict.UNRESOLVED})


@dataclass(frozen=True, slots=True)
class Finding:
    """A policy rule that matched a package."""

    rule: str
    severity: Severity
    field: str
    """Where the evidence is: ``vendor``, ``license``, ``url``, ``source0``, ``provides``, ``name``..."""
    value: str
    """The evidence itself, as the package carries it."""
    message: str
    reference: str = ""
    category: Category = Category.CITRIX
    replacement: str | None = None
    """For a known component: the package that replaces it, when there is one."""
    inherited_from: str | None = None
    """The source package the evidence was found on, for a binary built from it."""
    allowed_by: str | None = None
    """The allow rule that overrides this finding: it is shown but does not taint."""
    taints: bool = True
    """Whether the finding can make the package `origin` (its severity reaches the policy's threshold)."""
    capability: str = ""
    """What the evidence is, without versions: ``source0@code.citrite.net``, the licence term,
    the vendor string... The finding's fingerprint is built from it, so an upgrade (a new
    version in a URL) does not make an accepted finding look new."""

    def fingerprint(self, package_name: str) -> str:
        return fingerprint(self.rule, package_name, self.capability or self.value)

    @property
    def effective(self) -> bool:
        return self.taints and self.allowed_by is None


def fingerprint(rule: str, package_name: str, capability: str) -> str:
    """A finding's identity across versions: rule, package name and capability, never version or path."""
    # A file name that is not UTF-8 arrives with its bytes as lone surrogates (os.fsdecode):
    # encoded back to those bytes, it has the same fingerprint in every run.
    text = f"{rule}\0{package_name}\0{capability}"
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    return digest[:32]


@dataclass(frozen=True, slots=True)
class ConfigFinding:
    """A policy host rule that matched a configured repository URL."""

    file: str
    section: str
    key: str
    url: str
    finding: Finding

    @property
    def effective(self) -> bool:
        return self.finding.effective
