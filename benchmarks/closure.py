"""Compare the auditor's unresolved requirements with dnf repoclosure's (and libsolv's).

Each side becomes a set of ``(package NEVRA, requirement)`` pairs. The auditor always writes an
epoch in the versions of a requirement (``git < 1:2.39.5``, ``pidgin-data < 0:2.14.12-z``),
dnf and libsolv leave out a zero epoch (``pidgin-data < 2.14.12-z``); a ``0:`` right after an
operator is dropped before comparing. Package NEVRAs already agree (zero epoch left out).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from benchmarks.generators import dnf_closure

Pair = tuple[str, str]

_SOLV_LINE = re.compile(r"^(\S+) (\[.*\])$")


normalise = dnf_closure.normalise


def from_auditor_report(document: dict[str, Any]) -> set[Pair]:
    """``packages[].unresolved[].requirement`` of an ``auditor scan --format json`` report."""
    return {
        (package["nevra"], normalise(entry["requirement"]))
        for package in document["packages"]
        for entry in package["unresolved"]
    }


def from_dnf_output(path: str) -> set[Pair]:
    """The unresolved requirements in the saved output of ``dnf repoclosure``."""
    with open(path, encoding="utf-8", errors="replace") as stream:
        return dnf_closure.unresolved(stream.read())


def from_solv_output(path: str) -> set[Pair]:
    """``solv_closure.py -v``: ``NEVRA ['dep', ...]`` a line, then a summary line."""
    pairs: set[Pair] = set()
    with open(path, encoding="utf-8", errors="replace") as stream:
        for line in stream:
            match = _SOLV_LINE.match(line.rstrip("\n"))
            if match:
                deps = ast.literal_eval(match.group(2))
                pairs.update((match.group(1), normalise(str(dep))) for dep in deps)
    return pairs


@dataclass(frozen=True, slots=True)
class Comparison:
    reference: str
    auditor: frozenset[Pair]
    other: frozenset[Pair]

    @property
    def equal(self) -> bool:
        return self.auditor == self.other

    @property
    def only_auditor(self) -> list[Pair]:
        return sorted(self.auditor - self.other)

    @property
    def only_other(self) -> list[Pair]:
        return sorted(self.other - self.auditor)

    def summary(self) -> str:
        def counts(pairs: Iterable[Pair]) -> str:
            pairs = list(pairs)
            return f"{len({p for p, _ in pairs})} packages, {len(pairs)} requirements"

        if self.equal:
            return f"identical to {self.reference}: {counts(self.auditor)}"
        return (
            f"DIFFERENT from {self.reference}: auditor {counts(self.auditor)}, "
            f"{self.reference} {counts(self.other)}; {len(self.only_auditor)} only in the auditor, "
            f"{len(self.only_other)} only in {self.reference}"
        )

    def diff_lines(self, limit: int = 40) -> list[str]:
        lines = [f"  + auditor only: {p}: {r}" for p, r in self.only_auditor]
        lines += [f"  - {self.reference} only: {p}: {r}" for p, r in self.only_other]
        if len(lines) > limit:
            lines = [*lines[:limit], f"  ... {len(lines) - limit} more (see --json)"]
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "equal": self.equal,
            "auditor": {
                "packages": len({p for p, _ in self.auditor}),
                "requirements": len(self.auditor),
            },
            "reference_counts": {
                "packages": len({p for p, _ in self.other}),
                "requirements": len(self.other),
            },
            "only_auditor": [list(pair) for pair in self.only_auditor],
            "only_reference": [list(pair) for pair in self.only_other],
        }


def compare(reference: str, auditor: set[Pair], other: set[Pair]) -> Comparison:
    return Comparison(reference, frozenset(auditor), frozenset(other))
