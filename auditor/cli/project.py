"""The project file, ``auditor.toml``: settings, an inline policy and waivers for one repository.

[audit]
fail-on = ["origin", "depends", "build-depends", "unresolved"]
arch = ["x86_64"]
roots = ["xcp-ng-deps"]
default-policy = true
policy-files = ["more-policy.toml"]      # relative to this file
provenance = ["packages_provenance.csv"]

[policy]                                 # same shape as a policy file
[[policy.rule]] ...
[[policy.allow]] ...

[[waiver]] ...                           # see auditor.gate.waivers

`ProjectFile` is the file's shape: `load_project` checks the whole file against it (the
inline policy and the waivers included) before any command runs, so a wrong type or an
unknown key anywhere in it is one line naming the key, whatever the command.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Literal

import msgspec

from auditor.core.errors import PolicyError
from auditor.core.schema import FileName, convert
from auditor.core.tomlfile import read_toml
from auditor.gate.waivers import WaiverEntry
from auditor.origin.findings import Verdict
from auditor.origin.policyschema import PolicyDocument

PROJECT_FILE = "auditor.toml"

Names = tuple[str, ...] | str
"""A list of strings, or one string for a list of one."""
FileNames = tuple[FileName, ...] | FileName


class AuditShape(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, rename="kebab"):
    """The ``[audit]`` table."""

    fail_on: Names | None = None
    arch: Names = ()
    roots: Names = ()
    default_policy: bool = True
    policy_files: FileNames = ()
    """Relative to the project file."""
    provenance: FileNames = ()
    """Relative to the project file."""
    stale_waivers: Literal["warn", "block"] = "warn"
    define: dict[str, str] = msgspec.field(default_factory=dict)
    """Macros for reading spec files, as ``--define``: ``{ dist = ".xcpng8.3" }``."""
    undefine: Names = ()
    """Macros the build host lacks, as ``--undefine``."""


class ProjectFile(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    audit: AuditShape = AuditShape()
    policy: PolicyDocument | None = None
    waiver: tuple[WaiverEntry, ...] = ()


@dataclass
class ProjectConfig:
    path: str | None = None
    fail_on: frozenset[Verdict] | None = None
    arch: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()
    default_policy: bool = True
    policy_files: tuple[str, ...] = ()
    provenance: tuple[str, ...] = ()
    policy: PolicyDocument | None = None
    waivers: list[WaiverEntry] = field(default_factory=list)
    stale_waivers: str = "warn"
    defines: tuple[tuple[str, str], ...] = ()
    undefines: tuple[str, ...] = ()


def parse_statuses(text: str | list[str], where: str) -> frozenset[Verdict]:
    items = text if isinstance(text, list) else text.split(",")
    words = [item.strip() for item in items]
    choices = ", ".join(v.value for v in Verdict if v is not Verdict.CLEAN)
    if isinstance(text, str) and not all(words):
        # `--fail-on ""` or `origin,,depends`: a list with a hole is a mistake, not "none".
        raise PolicyError(f"{where}: {text!r} has an empty item: name statuses ({choices}), or none")
    if not words:
        # `fail-on = []` in a project file: read as no status, it let every Citrix package pass,
        # as a mistake; "none" is how one says that nothing blocks.
        raise PolicyError(f"{where}: [] names no status: name statuses ({choices}), or none")
    if "none" in words and len(words) > 1:
        raise PolicyError(
            f"{where}: {text!r}: none (nothing blocks) cannot be combined with statuses ({choices})"
        )
    found: set[Verdict] = set()
    for word in words:
        if word == "none":
            continue
        if word == Verdict.CLEAN.value:
            # No fact has the status clean: accepted, it blocked nothing while every report
            # listed it among the statuses that block, over clean packages and a pass.
            raise PolicyError(
                f"{where}: 'clean' is not a finding and can never block: name statuses ({choices}), or none"
            )
        try:
            found.add(Verdict(word))
        except ValueError:
            raise PolicyError(f"{where}: {word!r} is not a status ({choices}, or none)") from None
    return frozenset(found)


def load_project(path: str | None) -> ProjectConfig:
    """Read ``path``, or ``./auditor.toml`` when it exists and no path is given."""
    if path is None:
        if not os.path.lexists(PROJECT_FILE):  # whatever is there is read, or refused: never skipped
            return ProjectConfig()
        path = PROJECT_FILE
    document = convert(read_toml(path, "project file"), ProjectFile, path)
    audit = document.audit
    base = os.path.dirname(os.path.abspath(path))
    config = ProjectConfig(path=path)
    if audit.fail_on is not None:
        fail_on = audit.fail_on if isinstance(audit.fail_on, str) else list(audit.fail_on)
        config.fail_on = parse_statuses(fail_on, f"{path}: audit.fail-on")
    config.arch = _names(audit.arch)
    config.roots = _names(audit.roots)
    config.default_policy = audit.default_policy
    config.policy_files = tuple(os.path.join(base, item) for item in _names(audit.policy_files))
    config.provenance = tuple(os.path.join(base, item) for item in _names(audit.provenance))
    config.stale_waivers = audit.stale_waivers
    config.defines = tuple(_macro_value(name, value, path) for name, value in audit.define.items())
    config.undefines = tuple(_macro_name(name, path, "undefine") for name in _names(audit.undefine))
    config.policy = document.policy
    config.waivers = list(document.waiver)
    return config


def _names(value: Names) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


MACRO_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*|_[A-Za-z0-9_]+")
"""A name rpm accepts for a macro (rpm's ``validName``: a letter first, or ``_`` and more)."""


def _macro_name(name: str, path: str, key: str) -> str:
    bare = name.strip().lstrip("%")
    if not MACRO_NAME.fullmatch(bare):
        raise PolicyError(f"{path}: audit.{key}: {name!r} is not a macro name")
    return bare


def _macro_value(name: str, value: str, path: str) -> tuple[str, str]:
    """A ``define`` entry: rpm refuses a macro with an empty body (as ``--define NAME``)."""
    bare = _macro_name(name, path, "define")
    if not value.strip():
        raise PolicyError(f"{path}: audit.define: {name!r} has no value (to say the host lacks it: undefine)")
    return bare, value.strip()
