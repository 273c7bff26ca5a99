"""The project file, ``auditor.toml``: settings, an inline policy and waivers for one repository.

[audit]
fail-on = ["origin", "depends", "unresolved"]
arch = ["x86_64"]
roots = ["xcp-ng-deps"]
default-policy = true
policy-files = ["more-policy.toml"]      # relative to this file
provenance = ["packages_provenance.csv"]

[policy]                                 # same shape as a policy file
[[policy.rule]] ...
[[policy.allow]] ...

[[waiver]] ...                           # see auditor.gate.waivers
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from auditor.core.errors import PolicyError
from auditor.core.tomlfile import read_toml
from auditor.origin.findings import Verdict

PROJECT_FILE = "auditor.toml"
_AUDIT_KEYS = {"fail-on", "arch", "roots", "default-policy", "policy-files", "provenance", "stale-waivers"}


@dataclass
class ProjectConfig:
    path: str | None = None
    fail_on: frozenset[Verdict] | None = None
    arch: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()
    default_policy: bool = True
    policy_files: tuple[str, ...] = ()
    provenance: tuple[str, ...] = ()
    policy: dict[str, Any] | None = None
    waivers: list[dict[str, Any]] = field(default_factory=list)
    stale_waivers: str = "warn"


def parse_statuses(text: str | list[str], where: str) -> frozenset[Verdict]:
    items = text if isinstance(text, list) else text.split(",")
    words = [item.strip() for item in items]
    choices = ", ".join(v.value for v in Verdict)
    if isinstance(text, str) and not all(words):
        # `--fail-on ""` or `origin,,depends`: a list with a hole is a mistake, not "none".
        raise PolicyError(f"{where}: {text!r} has an empty item: name statuses ({choices}), or none")
    if "none" in words and len(words) > 1:
        raise PolicyError(
            f"{where}: {text!r}: none (nothing blocks) cannot be combined with statuses ({choices})"
        )
    found: set[Verdict] = set()
    for word in words:
        if word == "none":
            continue
        try:
            found.add(Verdict(word))
        except ValueError:
            raise PolicyError(f"{where}: {word!r} is not a status ({choices}, or none)") from None
    return frozenset(found)


def load_project(path: str | None) -> ProjectConfig:
    """Read ``path``, or ``./auditor.toml`` when it exists and no path is given."""
    if path is None:
        if not os.path.isfile(PROJECT_FILE):
            return ProjectConfig()
        path = PROJECT_FILE
    data = read_toml(path, "project file")
    unknown = set(data) - {"audit", "policy", "waiver", "baseline"}
    if unknown:
        raise PolicyError(f"{path}: unknown top-level key {sorted(unknown)[0]!r}")
    base = os.path.dirname(os.path.abspath(path))
    audit = data.get("audit", {})
    if not isinstance(audit, dict):
        raise PolicyError(f"{path}: [audit] must be a table")
    bad = set(audit) - _AUDIT_KEYS
    if bad:
        raise PolicyError(f"{path}: unknown key audit.{sorted(bad)[0]}")
    config = ProjectConfig(path=path)
    if "fail-on" in audit:
        config.fail_on = parse_statuses(audit["fail-on"], f"{path}: audit.fail-on")
    config.arch = tuple(_strings(audit.get("arch", []), f"{path}: audit.arch"))
    config.roots = tuple(_strings(audit.get("roots", []), f"{path}: audit.roots"))
    config.default_policy = bool(audit.get("default-policy", True))
    config.policy_files = tuple(
        os.path.join(base, item)
        for item in _strings(audit.get("policy-files", []), f"{path}: audit.policy-files")
    )
    config.provenance = tuple(
        os.path.join(base, item)
        for item in _strings(audit.get("provenance", []), f"{path}: audit.provenance")
    )
    stale = audit.get("stale-waivers", "warn")
    if stale not in ("warn", "block"):
        raise PolicyError(f"{path}: audit.stale-waivers must be 'warn' or 'block'")
    config.stale_waivers = stale
    if "policy" in data:
        if not isinstance(data["policy"], dict):
            raise PolicyError(f"{path}: [policy] must be a table")
        config.policy = data["policy"]
    waivers = data.get("waiver", [])
    if not isinstance(waivers, list):
        raise PolicyError(f"{path}: waiver must be an array of tables ([[waiver]])")
    config.waivers = waivers
    return config


def _strings(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise PolicyError(f"{where}: expected a list of strings")
    return list(value)
