"""What ``auditor check`` keeps of the audit of BASE (`BaseRecord`), as the store holds it.

A contributor checks a change again and again against a BASE that does not move: the
distribution, its source packages and its context. The audit of BASE alone is half of every
check (11 s of the 31 s of one spec against distro-60k), and its `BaseRecord` is data alone:
kept in the store under the key of everything that decides it (`auditor.cli.checkbase`), a
later check takes it from there and audits only BASE with the change in it.

The stored form is JSON, as every value of the store (`auditor.runtime.store`: never pickle,
the cache directory may be shared), and it is read back through a typed schema: an entry that
is not exactly this shape is damaged, and BASE is audited again.
"""

from __future__ import annotations

import msgspec

from auditor.core.errors import InputError
from auditor.gate.sides import FactRecord, PackageRecord, Side, reach_of_records
from auditor.reports.check_sides import BaseGap, BaseRecord
from auditor.rpm.model import EVR

FORMAT = 2
"""The shape of a stored record, changed with it (the auditor's code identity keys it too)."""


class _Fact(msgspec.Struct, array_like=True, frozen=True):
    fingerprint: str
    kind: str
    rule: str
    subject: str
    capability: str
    text: str
    blocks: bool
    ends_at: str
    reaches: list[str] | None


class _Package(msgspec.Struct, array_like=True, frozen=True):
    name: str
    arch: str
    nevra: str
    epoch: int | None
    version: str
    release: str | None
    status: str
    statuses: list[str]
    facts: list[_Fact]
    label: str


class _Base(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    format: int
    packages: list[_Package]
    """Every record, grouped by name and arch in the side's order."""
    present: list[str]
    run_facts: list[_Fact]
    blocking: int
    incomplete: str
    unaccepted: int
    audited: int
    run_gaps: list[tuple[str, bool]]
    errors: list[tuple[str, str]]


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(_Base)


class DamagedRecord(ValueError):
    """A stored record that is not one this auditor wrote."""


def record_to_json(record: BaseRecord) -> bytes:
    side = record.side
    base = _Base(
        FORMAT,
        [_package_out(package) for records in side.packages.values() for package in records],
        sorted(side.present),
        [_fact_out(fact) for fact in side.run_facts],
        side.blocking,
        side.incomplete,
        side.unaccepted,
        record.audited,
        [(gap.text, gap.blocks) for gap in record.run_gaps],
        [(error.source, error.reason) for error in record.errors],
    )
    return _ENCODER.encode(base)


def record_from_json(data: bytes | bytearray) -> BaseRecord:
    """The record `record_to_json` wrote; `DamagedRecord` for anything else."""
    try:
        base = _DECODER.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise DamagedRecord(str(exc)) from None
    del data  # the caller's name is gone too: the text is not held while the records are made
    if base.format != FORMAT:
        raise DamagedRecord(f"format {base.format}, not {FORMAT}")
    # The same text once, as the audit's records share it (a kind, a rule, a package's name in
    # each of its facts, a taint's origin), and taints reaching the same origin packages share
    # one set: read as written, each its own object, a distribution's record took 158 MB.
    one = _Shared()
    packages: dict[tuple[str, str], list[PackageRecord]] = {}
    for package in base.packages:
        name, arch = one.text(package.name), one.text(package.arch)
        evr = EVR(package.epoch, package.version, package.release)
        facts = tuple(_fact_in(fact, one) for fact in package.facts)
        statuses = one.statuses(package.statuses)
        packages.setdefault((name, arch), []).append(
            PackageRecord(
                name, arch, package.nevra, evr, one.text(package.status), statuses, facts, package.label
            )
        )
    side = Side(
        {key: tuple(records) for key, records in packages.items()},
        frozenset(base.present),
        tuple(_fact_in(fact, one) for fact in base.run_facts),
        base.blocking,
        base.incomplete,
        reach_of_records(packages),
        base.unaccepted,
    )
    return BaseRecord(
        side,
        base.audited,
        tuple(BaseGap(text, blocks) for text, blocks in base.run_gaps),
        tuple(InputError(source, reason) for source, reason in base.errors),
    )


def _package_out(package: PackageRecord) -> _Package:
    evr = package.evr
    return _Package(
        package.name,
        package.arch,
        package.nevra,
        evr.epoch,
        evr.version,
        evr.release,
        package.status,
        list(package.statuses),
        [_fact_out(fact) for fact in package.facts],
        package.label,
    )


def _fact_out(fact: FactRecord) -> _Fact:
    reaches = None if fact.reaches is None else sorted(fact.reaches)
    return _Fact(
        fact.fingerprint,
        fact.kind,
        fact.rule,
        fact.subject,
        fact.capability,
        fact.text,
        fact.blocks,
        fact.ends_at,
        reaches,
    )


class _Shared:
    """One object for each value read again: texts, status lists and sets of origin packages."""

    def __init__(self) -> None:
        texts: dict[str, str] = {}
        self.same = texts.setdefault
        """``same(text, text)``: the first object of that text."""
        self._statuses: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._reaches: dict[tuple[str, ...], frozenset[str]] = {}

    def text(self, value: str) -> str:
        return self.same(value, value)

    def statuses(self, values: list[str]) -> tuple[str, ...]:
        key = tuple(values)
        found = self._statuses.get(key)
        if found is None:
            found = self._statuses[key] = tuple(self.text(value) for value in values)
        return found

    def reaches(self, names: list[str]) -> frozenset[str]:
        key = tuple(names)
        found = self._reaches.get(key)
        if found is None:
            found = self._reaches[key] = frozenset(self.text(name) for name in names)
        return found


def _fact_in(fact: _Fact, one: _Shared) -> FactRecord:
    same = one.same  # a million calls on a distribution: the dict's own method, not one of ours
    kind, rule, subject, capability, text, ends_at = (
        fact.kind, fact.rule, fact.subject, fact.capability, fact.text, fact.ends_at
    )  # fmt: skip
    return FactRecord(
        fact.fingerprint,
        same(kind, kind),
        same(rule, rule),
        same(subject, subject),
        same(capability, capability),
        same(text, text),
        fact.blocks,
        same(ends_at, ends_at),
        None if fact.reaches is None else one.reaches(fact.reaches),
    )
