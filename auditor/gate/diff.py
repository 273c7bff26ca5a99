"""Independence progress between two releases: packages and findings that came and went.

Each side is either an audit (repositories, directories, RPMs) or a JSON report an
earlier run wrote (``--format json``), so a release manager can compare the report of the
last release with today's repository.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from auditor.audit.pipeline import AuditResult
from auditor.core.errors import InputError
from auditor.core.files import open_regular, os_reason
from auditor.origin.findings import Verdict
from auditor.rpm.evr import compare_evr
from auditor.rpm.model import EVR


@dataclass(frozen=True)
class Entry:
    nevra: str
    evr: EVR
    status: str
    findings: frozenset[tuple[str, str, str]]
    """(fingerprint, rule, value) of each finding."""


Snapshot = dict[tuple[str, str], Entry]
"""(name, arch) -> the package's state."""


def snapshot_of_audit(audit: AuditResult) -> Snapshot:
    snapshot: Snapshot = {}
    for result in audit.results:
        package = result.package
        findings = frozenset((f.fingerprint(package.name), f.rule, f.value) for f in result.findings)
        snapshot[(package.name, package.arch)] = Entry(
            package.nevra, package.evr, result.verdict.value, findings
        )
    return snapshot


def snapshot_of_report(path: str) -> Snapshot:
    try:
        with open_regular(path, path, "a JSON report") as stream:
            document: Any = json.load(stream)
    except OSError as exc:
        raise InputError(path, os_reason(exc)) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(path, "not a JSON report") from None
    if not isinstance(document, dict) or document.get("schema_version") != 1 or "packages" not in document:
        raise InputError(path, "not an auditor JSON report (schema_version 1)")
    snapshot: Snapshot = {}
    try:
        for item in document["packages"]:
            evr = EVR(item.get("epoch"), item["version"], item["release"])
            findings = frozenset((f["fingerprint"], f["rule"], f["value"]) for f in item.get("findings", []))
            snapshot[(item["name"], item["arch"])] = Entry(item["nevra"], evr, item["status"], findings)
    except (KeyError, TypeError) as exc:
        raise InputError(path, f"malformed package entry ({exc})") from None
    return snapshot


@dataclass
class Diff:
    added: list[Entry] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)
    upgraded: list[tuple[Entry, Entry]] = field(default_factory=list)
    downgraded: list[tuple[Entry, Entry]] = field(default_factory=list)
    worse: list[tuple[Entry, Entry]] = field(default_factory=list)
    better: list[tuple[Entry, Entry]] = field(default_factory=list)
    appeared: list[tuple[Entry, str, str]] = field(default_factory=list)
    """(package, rule, value) of findings only NEW has."""
    disappeared: list[tuple[Entry, str, str]] = field(default_factory=list)
    old_counts: dict[str, int] = field(default_factory=dict)
    new_counts: dict[str, int] = field(default_factory=dict)


_RANK = {verdict.value: verdict.rank for verdict in Verdict}


def diff(old: Snapshot, new: Snapshot) -> Diff:
    result = Diff()
    result.old_counts = _counts(old)
    result.new_counts = _counts(new)
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before is None and after is not None:
            result.added.append(after)
            result.appeared.extend((after, rule, value) for _, rule, value in sorted(after.findings))
            continue
        if after is None and before is not None:
            result.removed.append(before)
            result.disappeared.extend((before, rule, value) for _, rule, value in sorted(before.findings))
            continue
        assert before is not None and after is not None
        order = compare_evr(before.evr, after.evr)
        if order < 0:
            result.upgraded.append((before, after))
        elif order > 0:
            result.downgraded.append((before, after))
        if before.status != after.status:
            target = result.worse if _RANK[after.status] < _RANK[before.status] else result.better
            target.append((before, after))
        old_prints = {item[0]: item for item in before.findings}
        new_prints = {item[0]: item for item in after.findings}
        result.appeared.extend((after, *new_prints[p][1:]) for p in sorted(set(new_prints) - set(old_prints)))
        result.disappeared.extend(
            (before, *old_prints[p][1:]) for p in sorted(set(old_prints) - set(new_prints))
        )
    return result


def _counts(snapshot: Snapshot) -> dict[str, int]:
    counts = {verdict.value: 0 for verdict in Verdict}
    for entry in snapshot.values():
        counts[entry.status] = counts.get(entry.status, 0) + 1
    return counts
