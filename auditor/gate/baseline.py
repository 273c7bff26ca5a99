"""The baseline: findings accepted when the auditor was adopted, so only new ones block.

As detect-secrets' ``.secrets.baseline``: ``auditor baseline`` writes
``.auditor-baseline.json`` in the current directory (or ``--baseline FILE``), and later
runs there pick it up by themselves. The gate is a ratchet: new findings block, fixed
ones are reported as progress, and rewriting the baseline only ever drops entries unless
``--rewrite`` says it may grow.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, NotRequired, TypedDict

import msgspec

from auditor.audit.facts import TAINT_RULES, Fact, FactKind
from auditor.core.errors import PolicyError
from auditor.core.schema import MAX_NESTING, convert, shown
from auditor.core.tomlfile import MAX_CONFIG_BYTES, read_text
from auditor.gate.superseded import renamed_by_reach
from auditor.origin.findings import fingerprint
from auditor.rpm.model import Package

BASELINE_FILE = ".auditor-baseline.json"
VERSION = 1
MAX_BASELINE_BYTES = MAX_CONFIG_BYTES
"""A baseline file larger than this is not read; ``auditor baseline`` never writes one larger
(each taint entry lists what it reaches: 2,001 entries reaching 400 Citrix packages each made
26 MB, written with exit 0, which every later run refused, red team 36)."""
Needed = Literal["build", "run"]


def needed(fact: Fact, package: Package | None) -> Needed | None:
    """When ``fact``, a requirement nothing provides, is needed: to build its source package or
    to install its binary (None for another fact)."""
    if fact.kind is not FactKind.UNRESOLVED or package is None:
        return None
    return "build" if package.is_source else "run"


class BaselineEntry(TypedDict):
    """One accepted fact: its fingerprint, and what it was (for people reading the file)."""

    fingerprint: str
    kind: str
    """The fact's rule: a policy rule id, or ``status:<status>``."""
    package: str
    capability: str
    ends_at: NotRequired[str]
    """For a taint: the origin package its chain ended at, so that an entry that went away with
    that package is reported as gone, not fixed (the capability names it too, with the category)."""
    reaches: NotRequired[list[str]]
    """For a taint: every origin package of its category the package could reach when the entry
    was written (`auditor.audit.reach`). The entry accepts the taint only while what it reaches
    stays among them: a new Citrix package needed by a longer way than the one the capability
    names is new. An entry without it (written before) accepts by fingerprint alone."""
    needed: NotRequired[list[str]]
    """For a requirement nothing provides: when it was needed, ``build`` (a source package's
    build requirement) or ``run`` (a binary's run-time one), or both. A source package and its
    binary share a name, hence a fingerprint: an entry accepting the build requirement must not
    accept the binary coming to need it at run time. One without it (written before) accepts by
    fingerprint alone."""


@dataclass
class Baseline:
    entries: list[BaselineEntry] = field(default_factory=list)
    path: str | None = None

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(entry["fingerprint"] for entry in self.entries)

    def matcher(
        self,
        reach: Callable[[Fact], frozenset[str] | None] | None = None,
        cured: frozenset[str] = frozenset(),
    ) -> BaselineMatcher:
        return BaselineMatcher(self.entries, reach, cured)

    def to_json(self) -> str:
        entries = sorted(
            self.entries, key=lambda e: (e["package"], e["kind"], e["capability"], e["fingerprint"])
        )
        document = {"version": VERSION, "tool": "auditor", "entries": entries}
        return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class BaselineMatcher:
    """Which facts a baseline accepts, and which of its entries a run's facts match.

    A fact is accepted by its fingerprint. A taint entry written before a taint's capability
    named its category and origin package has an empty capability: it is matched by its rule,
    package and the ``ends_at`` it recorded, so it still accepts that package's taint ending
    at the same origin package (of either category: it accepted that package, whatever its
    evidence), and no other; never by its fingerprint, which its label does not vouch for
    (`written_before_taint_capabilities`). One without ``ends_at`` matches nothing: its taint
    blocks as new, and the entry is reported as no longer found, never as accepting something
    unknown.
    """

    def __init__(
        self,
        entries: Iterable[BaselineEntry],
        reach: Callable[[Fact], frozenset[str] | None] | None = None,
        cured: frozenset[str] = frozenset(),
    ) -> None:
        self.reaches: dict[str, list[frozenset[str] | None]] = {}
        """fingerprint -> what each of its entries records as reached (None: not recorded). A
        file can hold one fingerprint twice (two branches' baselines merged): the fact is
        accepted when any of its entries accepts it, whatever their order in the file."""
        self.needed: dict[str, list[frozenset[str] | None]] = {}
        """fingerprint -> when each of its entries records the requirement was needed (in the
        order of ``reaches``; None: not recorded)."""
        self.legacy: set[tuple[str, str, str]] = set()
        self.reach = reach
        self.taints: dict[tuple[str, str, str], list[tuple[str, str, frozenset[str]]]] = {}
        """(package, rule, category) -> each taint entry's fingerprint, end and recorded reach, of
        the entries whose end is among ``cured`` (the audit's packages that no longer taint as
        origin packages, `cured_origins`): what a taint of that package named now by another
        origin package may be (`auditor.gate.superseded.renamed_by_reach`)."""
        for entry in entries:
            if written_before_taint_capabilities(entry):
                key = legacy_key(entry)
                if key is not None:
                    self.legacy.add(key)
                continue
            # A taint reaches at least the origin package it ends at: a list without it was
            # written for a buildroot's may-depend before its build was read (`auditor.audit.reach`:
            # empty, or a binary's run-time reach), and is no record of what the entry accepted,
            # as for an entry written before `reaches` existed. No other taint's list was written
            # without its end: read as no record, `reaches = []` (which reads as accepting less)
            # accepted whatever the taint came to reach (gate58).
            recorded = entry.get("reaches")
            if (
                recorded is not None
                and entry["kind"] == _MAY_DEPEND
                and entry.get("ends_at", "") not in recorded
            ):
                recorded = None
            self.reaches.setdefault(entry["fingerprint"], []).append(
                frozenset(recorded) if recorded is not None else None
            )
            if (
                recorded is not None
                and entry["kind"] in TAINT_RULES
                and entry["capability"]
                and entry.get("ends_at", "") in cured
            ):
                holder = (entry["package"], entry["kind"], entry["capability"].partition(":")[0])
                self.taints.setdefault(holder, []).append(
                    (entry["fingerprint"], entry.get("ends_at", ""), frozenset(recorded))
                )
            when = entry.get("needed")
            self.needed.setdefault(entry["fingerprint"], []).append(
                frozenset(when) if when is not None else None
            )

    def accepts(self, fact: Fact, package: Package | None) -> bool:
        """Whether an entry accepts ``fact`` about ``package`` (the package tells a build
        requirement from a run-time one, `needed`)."""
        if fact.fingerprint in self.reaches:
            recorded = self._fitting(fact, package)
            if not recorded:
                return False
            if None in recorded or self.reach is None:
                return True
            reached = self.reach(fact)
            return reached is None or any(reached <= entry for entry in recorded if entry is not None)
        if self.legacy and (fact.rule, fact.subject, fact.ends_at) in self.legacy:
            return True
        return bool(self.renamed(fact))

    def renamed(self, fact: Fact) -> list[str]:
        """For a taint no entry has the fingerprint of: the fingerprints of the taint entries of
        its package, rule and category whose recorded reach holds all it reaches: it is their
        taint, named now by another origin package it reached then, its nearest one fixed
        (`renamed_by_reach`), as `auditor.gate.progress.compare` pairs two audits' taints."""
        if not self.taints or not fact.capability or fact.rule not in TAINT_RULES or self.reach is None:
            return []
        entries = self.taints.get((fact.subject, fact.rule, fact.capability.partition(":")[0]))
        if not entries:
            return []
        reached = self.reach(fact)
        return [
            fingerprint
            for fingerprint, end, recorded in entries
            if renamed_by_reach(end, recorded, fact.ends_at, reached)
        ]

    def _fitting(self, fact: Fact, package: Package | None) -> list[frozenset[str] | None]:
        """What each entry of ``fact``'s fingerprint records as reached, of the entries that
        accept a fact needed when ``fact`` is (`needed`)."""
        recorded = self.reaches[fact.fingerprint]
        when = needed(fact, package)
        if when is None:
            return recorded
        return [
            reach
            for reach, need in zip(recorded, self.needed[fact.fingerprint], strict=True)
            if need is None or when in need
        ]

    def needed_otherwise(self, fact: Fact, package: Package | None) -> str:
        """For a requirement nothing provides that entries of its fingerprint do not accept: the
        need they recorded (``build`` or ``run``; empty when none records one, or when one
        accepts it)."""
        when = needed(fact, package)
        recorded = self.needed.get(fact.fingerprint, [])
        if when is None or not recorded or None in recorded:
            return ""
        others = frozenset().union(*(need for need in recorded if need is not None))
        return "" if when in others else ",".join(sorted(others))

    def beyond(self, fact: Fact) -> tuple[str, ...]:
        """The origin packages ``fact`` reaches that its entry did not record (sorted; of its
        entries, the one it goes least beyond); empty when no entry has its fingerprint, or one
        records no list."""
        recorded = self.reaches.get(fact.fingerprint, [])
        if not recorded or None in recorded or self.reach is None:
            return ()
        reached = self.reach(fact) or frozenset()
        return min((tuple(sorted(reached - entry)) for entry in recorded if entry is not None), key=len)


_MAY_DEPEND = f"status:{FactKind.MAY_DEPEND.value}"


def written_before_taint_capabilities(entry: BaselineEntry) -> bool:
    """Whether ``entry`` is a taint entry written before a taint's capability named its origin
    package (an empty capability): its fingerprint is of no fact today, and cannot be checked
    against its label, so it never accepts by fingerprint (`legacy_key` instead)."""
    return not entry["capability"] and entry["kind"] in TAINT_RULES


def legacy_key(entry: BaselineEntry) -> tuple[str, str, str] | None:
    """(rule, package, ends_at) of a taint entry written with no capability; else None."""
    ends_at = entry.get("ends_at", "")
    if not ends_at or not written_before_taint_capabilities(entry):
        return None
    return entry["kind"], entry["package"], ends_at


class _EntryShape(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The shape of one entry of a baseline file: `BaselineEntry`, checked."""

    fingerprint: str
    kind: str
    package: str
    capability: str
    ends_at: str | None = None
    reaches: tuple[str, ...] | None = None
    needed: tuple[Needed, ...] | None = None


class _BaselineShape(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    version: int
    tool: str
    entries: tuple[_EntryShape, ...]


def load_baseline(path: str | None, *, required: bool = False) -> Baseline | None:
    """Read ``path``, or ``./.auditor-baseline.json`` when it exists and no path is given."""
    if path is None:
        if not os.path.lexists(BASELINE_FILE):  # whatever is there is read, or refused: never skipped
            return None
        path = BASELINE_FILE
    if not required and not os.path.lexists(path):
        return Baseline(path=path)
    data = _read_json(path)
    if (
        not isinstance(data, dict)
        or data.get("tool") != "auditor"
        or not isinstance(data.get("entries"), list)
    ):
        raise PolicyError(f"{path}: not an auditor baseline")
    version = data.get("version")
    if version != VERSION or isinstance(version, bool):
        found = shown(version, json_document=True, plain=True)
        raise PolicyError(f"{path}: baseline version {found} is not supported (this reads {VERSION})")
    document = convert(data, _BaselineShape, path, json_document=True)
    entries = []
    for number, shape in enumerate(document.entries):
        entry = BaselineEntry(
            fingerprint=shape.fingerprint, kind=shape.kind, package=shape.package, capability=shape.capability
        )
        _check_fingerprint(path, number, entry)
        end = _taint_end(path, number, entry, shape.ends_at)
        if end is not None:
            entry["ends_at"] = end
        if shape.reaches is not None:
            entry["reaches"] = list(shape.reaches)
        if shape.needed is not None:
            entry["needed"] = list(shape.needed)
        entries.append(entry)
    return Baseline(entries, path)


def _check_fingerprint(path: str, number: int, entry: BaselineEntry) -> None:
    """Refuse an entry whose fingerprint is not the one of the fact its label names.

    The fingerprint is what accepts a fact; the label (kind, package, capability) is what a
    reviewer reads. An entry labelled "plain needs libfoo.so.1" carrying the fingerprint of
    vend's Citrix vendor accepted vend's vendor, and `auditor baseline` then rewrote the label
    to vend's: a change approved as one fact accepted another. `auditor baseline` writes
    ``fingerprint(kind, package, capability)``, so any other is not its file's."""
    if written_before_taint_capabilities(entry):
        return  # its fingerprint accepts nothing (`BaselineMatcher`)
    for key, value in (
        ("kind", entry["kind"]),
        ("package", entry["package"]),
        ("capability", entry["capability"]),
    ):
        try:
            value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            # JSON escapes a lone surrogate (\ud800): no character, and no byte of a file name
            # (those are \udc80-\udcff, `fingerprint`), so no fact's label holds one.
            raise PolicyError(
                f"{path}: entries[{number}].{key}: {json.dumps(value)[:80]} holds a lone surrogate, "
                "which names no character; write the file with `auditor baseline`"
            ) from None
    expected = fingerprint(entry["kind"], entry["package"], entry["capability"])
    if entry["fingerprint"] != expected:
        label = " ".join(shown(entry[key], plain=True) for key in ("kind", "package", "capability"))
        raise PolicyError(
            f"{path}: entries[{number}]: fingerprint {shown(entry['fingerprint'], plain=True)} is not "
            f"the one of the fact it names ({label}, fingerprint {expected}); write the file with "
            "`auditor baseline`"
        )


def _taint_end(path: str, number: int, entry: BaselineEntry, written: str | None) -> str | None:
    """The ``ends_at`` of ``entry``: for a taint entry, the origin package its capability names
    (``citrix:vend``), which the fingerprint vouches for; else as written.

    `BaselineMatcher` reads a ``reaches`` list without the taint's end as no record, and accepts
    by fingerprint alone: read from the field, which no fingerprint covers, an entry whose
    ``ends_at`` was deleted or renamed by hand accepted the taint whatever it came to reach
    (gate58). Left out, it is read from the capability; written otherwise, refused."""
    if entry["kind"] not in TAINT_RULES or not entry["capability"]:
        return written  # not a taint's, or one written before the capability named its end
    end = entry["capability"].partition(":")[2]
    if written is not None and written != end:
        raise PolicyError(
            f"{path}: entries[{number}]: ends_at {shown(written, plain=True)} is not the origin package "
            f"its capability {shown(entry['capability'], plain=True)} names; write the file with "
            "`auditor baseline`"
        )
    return end


class _DuplicateKey(ValueError):
    """A JSON object naming one key twice."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object of the document, refused when it names a key twice: readers disagree on which
    copy wins (Python keeps the last, others the first), so a review reading one copy and the
    run the other would disagree on what the baseline accepts."""
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKey(f"the key {shown(key, plain=True)} is given twice in one object")
            seen.add(key)
    return document


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _read_json(path: str) -> Any:
    """The JSON document at ``path`` (a named pipe or a directory is refused, not waited on)."""
    text = read_text(path, "baseline file", MAX_BASELINE_BYTES)
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise PolicyError(
            f"{path}: not a baseline (invalid JSON at line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise PolicyError(f"{path}: nested deeper than {MAX_NESTING} objects or arrays") from None
    except _DuplicateKey as exc:
        raise PolicyError(f"{path}: not a baseline (invalid JSON: {exc})") from None
    except ValueError as exc:  # NaN or Infinity, or an integer past Python's 4300 digits
        reason = str(exc) if "JSON number" in str(exc) else "an integer with more than 4300 digits"
        raise PolicyError(f"{path}: not a baseline (invalid JSON: {reason})") from None
