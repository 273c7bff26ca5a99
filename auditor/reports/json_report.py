"""The machine report: a versioned JSON document (schema: schemas/report-v2.schema.json).

Version 2 states the gate's one decision: every package lists its facts, each with whether
it blocks and why not when it does not, and the document says whether the audit saw
everything (``completeness``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from auditor.audit.facts import FactKind
from auditor.audit.labels import read_from_spec
from auditor.deps.hops import Hop
from auditor.gate.decision import REACH_RECORDED, Disposition
from auditor.origin.findings import Finding
from auditor.reports.chains import shown
from auditor.reports.json_gate import completeness_to_json, gate_to_json
from auditor.reports.json_unaudited import unaudited_origins
from auditor.reports.jsonlines import LazyArray, closing, encoded, head, item_pieces
from auditor.reports.rows import FactView, Gate, PackageView
from auditor.reports.view import ReportView
from auditor.rpm.serialize import source_to_json

_UNRESOLVED = FactKind.UNRESOLVED
_NO_CHAIN = shown(())
_GATE_BLOCKING = Gate.BLOCKING
_BLOCKS = Disposition.BLOCKS
_TAINTS = frozenset({FactKind.DEPENDS.value, FactKind.MAY_DEPEND.value, FactKind.BUILD_DEPENDS.value})
_REACH_RECORDED = frozenset(disposition.value for disposition in REACH_RECORDED)
"""The kinds and dispositions by value: an enum member hashes in Python, a string in C, and
every fact of a distribution's report is asked both."""
SCHEMA_VERSION = 2
SCHEMA_ID = "https://github.com/auditor-rpm/auditor/blob/main/schemas/report-v2.schema.json"


def finding_to_json(finding: Finding, item: FactView) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rule": finding.rule,
        "category": finding.category.value,
        "severity": str(finding.severity),
        "field": finding.field,
        "value": finding.value,
        "message": finding.message,
        "reference": finding.reference,
        "fingerprint": item.fact.fingerprint,
        "capability": item.fact.capability,
        "taints": finding.effective,
        "blocks": item.blocks,
        "disposition": item.disposition.value,
    }
    if finding.replacement:
        data["replacement"] = finding.replacement
    if finding.inherited_from:
        data["inherited_from"] = finding.inherited_from
    if finding.allowed_by:
        data["allowed_by"] = finding.allowed_by
    if item.ruling.waiver is not None:
        data["waiver"] = item.ruling.waiver.id
    return data


def fact_to_json(item: FactView, view: ReportView | None = None) -> dict[str, Any]:
    """One fact; with the ``view``, a taint says every origin package it reaches, which a later
    comparison with this report needs (`auditor.gate.progress`)."""
    fact = item.fact
    ruling = item.ruling
    # ``_value_`` is what ``.value`` returns, without the property call (a distribution's
    # report reads it half a million times).
    kind, disposition = fact.kind._value_, ruling.disposition._value_
    data: dict[str, Any] = {
        "kind": kind,
        "rule": fact.rule,
        "fingerprint": fact.fingerprint,
        "capability": fact.capability,
        "text": item.text,
        "blocks": ruling.disposition is _BLOCKS,
        "disposition": disposition,
        "reason": ruling.reason,
    }
    if fact.category is not None:
        data["category"] = fact.category._value_
    if fact.ends_at:
        data["ends_at"] = fact.ends_at
    # Only where the fact blocks or the baseline accepted it: a comparison asks what a taint
    # reached when it blocked on the earlier side or was accepted as it then reached (a report
    # written under a baseline, read back by `diff`: the taint that reached further blocked the
    # later scan and was "unchanged" in the diff, red team 36), and the walk costs a
    # distribution's report megabytes at its peak. And where a waiver with `reaches` accepted
    # it, as it then reached (`auditor.gate.decision.records_reach`).
    waiver = ruling.waiver
    if (
        view is not None
        and kind in _TAINTS
        and (disposition in _REACH_RECORDED or (waiver is not None and waiver.reaches is not None))
    ):
        reached = view.reaches(fact)
        if reached is not None:
            data["reaches"] = sorted(reached)
    if waiver is not None:
        data["waiver"] = waiver.id
    return data


def config_finding_to_json(item: FactView) -> dict[str, Any]:
    config = item.fact.config
    assert config is not None
    return {
        "file": config.file,
        "section": config.section,
        "key": config.key,
        "url": config.url,
        "blocking": item.blocks,
        **finding_to_json(config.finding, item),
    }


def hop_to_json(hop: Hop, view: ReportView) -> dict[str, Any]:
    data: dict[str, Any] = {
        "from": view.packages[hop.source].nevra,
        "to": view.packages[hop.target].nevra,
        "kind": hop.kind._value_,
        "requirement": hop.requirement,
        "alternatives": hop.alternatives,
        "tainted": hop.tainted,
    }
    if hop.excluded:  # as the text says it: a reader who knows a clean provider sees why it is not counted
        data["excluded"] = hop.excluded
    if hop.hidden_on_some_hosts:  # a clean provider counted here that is no way around
        data["hidden_on_some_hosts"] = hop.hidden_on_some_hosts
    return data


class PackageJSON(msgspec.Struct, gc=False):
    """One package of the report, its members in the report's order (an absent one is `UNSET`).

    A struct, not a dict: made by one call in C and encoded by msgspec from its fields' names
    encoded once, where a dict of 38 keys was grown a key at a time and its keys encoded for
    each package (on distro-60k, made and encoded in 0.56 s against 0.73 s). Not tracked by
    the garbage collector: it holds no cycle."""

    name: str
    epoch: int | None
    version: str
    release: str
    arch: str
    kind: str
    nevra: str
    label: str | UnsetType
    status: str
    statuses: list[str]
    blocking: bool
    gate: str
    waived_by: list[str]
    why: str
    facts: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    chain: list[Any]
    """Each hop's JSON, as a dict or `jsonlines.encoded` (`_hops_to_json`)."""
    unresolved: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    weak_unresolved: list[dict[str, str]] | UnsetType
    sourcerpm: str | None
    location: str
    input: str
    checksum: str | None
    vendor: str | None
    packager: str | None
    buildhost: str | None
    url: str | None
    bugurl: str | None
    vcs: str | None
    disturl: str | None
    translationurl: str | None
    upstreamreleases: str | None
    license: str | None
    distribution: str | None
    signing_key: str | None
    signing_keys: list[str]
    chain_shortened: dict[str, Any] | UnsetType
    sources: list[dict[str, Any]] | UnsetType


def package_to_json(row: PackageView, view: ReportView, hops: dict[int, Any] | None = None) -> PackageJSON:
    """One package; ``hops``, kept by the caller for one rendering, holds each hop's JSON as it
    is made, for the next chain that shows it (`_hops_to_json`)."""
    result = row.result
    package = result.package
    # The facts' lists in one pass over them: most packages of a distribution have one fact.
    facts: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    unresolved: list[dict[str, Any]] = []
    gaps: list[dict[str, Any]] = []
    waivers: list[str] = []
    for item in row.facts:
        fact = item.fact
        facts.append(fact_to_json(item, view))
        if fact.finding:
            findings.append(finding_to_json(fact.finding, item))
        if fact.kind is _UNRESOLVED:
            unresolved.append(_unresolved(item))
        found = fact.gap
        if found is not None:
            gap: dict[str, Any] = {
                "kind": found.kind._value_,
                "detail": found.detail,
                "blocks": item.ruling.disposition is _BLOCKS,
            }
            if found.count != 1:  # one gap that counts those past a spec's listed ones
                gap["count"] = found.count
            gaps.append(gap)
        waiver = item.ruling.waiver
        if waiver is not None:
            waivers.append(waiver.id)
    chain = shown(row.chain) if row.chain else _NO_CHAIN
    nevra = package.nevra  # a property: its text is made at each call
    checksum, keys = package.checksum, package.signing_keys
    return PackageJSON(
        package.name,
        package.epoch,
        package.version,
        package.release,
        package.arch,
        package.kind._value_,
        nevra,
        # Where another package has the NEVRA, or a spec declares it (never built): `diff` names it
        # from here as its row does, and a program reading the report tells it from a built RPM.
        row.label if nevra in row.shared_nevras or read_from_spec(package) else UNSET,
        row.status._value_,
        [verdict._value_ for verdict in result.statuses],
        row.gate is _GATE_BLOCKING,
        row.gate._value_,
        list(dict.fromkeys(waivers)) if waivers else waivers,
        row.status_reason + row.also,
        facts,
        findings,
        _hops_to_json(chain.hops, view, hops) if chain.length else [],
        unresolved,
        gaps,
        [{"kind": r.kind.value, "requirement": str(r.dependency)} for r in result.weak_unresolved]
        if view.options.weak
        else UNSET,
        package.sourcerpm,
        package.location,
        package.input,
        str(checksum) if checksum else None,
        package.vendor,
        package.packager,
        package.buildhost,
        package.url,
        package.bugurl,
        package.vcs,
        package.disturl,
        package.translationurl,
        package.upstreamreleases,
        package.license,
        package.distribution,
        keys[0] if keys else None,  # `Package.signing_key`, without the property call
        list(keys),
        {"hops": chain.length, "left_out": chain.left_out, "rest": view.chain_rests.number(row.chain)}
        if chain.shortened
        else UNSET,
        [source_to_json(source) for source in package.sources] if package.is_source else UNSET,
    )


def _hops_to_json(shown_hops: Sequence[Hop], view: ReportView, made: dict[int, Any] | None) -> list[Any]:
    """The hops as JSON, each made once in ``made`` (by the hop's id): a run's chains share
    their hops (a package's chain runs through the next one's), and distro-60k's packages show
    56,000 hops of 12,000. The view's rows hold every hop while a rendering lasts, so no other
    object takes a hop's id; the JSON is shared by the rows, and encoded, never changed: so it
    is kept encoded (`encoded`), its bytes, not a dict and the two NEVRAs it names (on
    distro-60k, 2.3 MiB less at the end of the report, the run's peak)."""
    if made is None:
        return [hop_to_json(hop, view) for hop in shown_hops]
    found = []
    for hop in shown_hops:
        data = made.get(id(hop))
        if data is None:
            data = made[id(hop)] = encoded(hop_to_json(hop, view))
        found.append(data)
    return found


def _unresolved(item: FactView) -> dict[str, Any]:
    resolution = item.fact.resolution
    assert resolution is not None
    data: dict[str, Any] = {
        "requirement": str(resolution.dependency),
        "missing": list(resolution.missing),
        "blocks": item.blocks,
        "disposition": item.disposition.value,
    }
    if resolution.detail:
        data["detail"] = resolution.detail
    return data


def document(view: ReportView, *, stream: bool = False) -> dict[str, Any]:
    """The report as JSON values; with ``stream``, ``packages`` is a generator for `dump_chunks`."""
    decision = view.decision
    completeness = decision.completeness
    hops: dict[int, Any] = {}  # shared by the rows' JSON only as it is encoded (stream)
    data: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "auditor", "version": view.version},
        "policy": {
            "sources": view.policy.sources,
            "tables": view.policy.tables,
            "taint_severity": str(view.policy.taint_severity),
        },
        "options": {
            "targets": list(view.options.targets),
            "context": list(view.options.context),
            "arches": list(view.options.arches),
            "roots": list(view.options.roots),
            "fail_on": sorted(verdict.value for verdict in view.gate_options.fail_on),
            "strict": view.gate_options.strict,
        },
        "inputs": [
            {
                "path": item.path,
                "kind": item.kind,
                "packages": item.packages,
                "revision": item.revision,
                "filelists": item.filelists,
            }
            for item in view.inputs
        ],
        "errors": [{"input": error.source, "message": error.reason} for error in view.errors],
        "completeness": {
            **completeness_to_json(completeness),
            "gaps": [fact_to_json(item) for item in view.run_gaps],
        },
        "summary": {
            "headline": view.headline.state,
            "packages": len(view.packages),
            "audited": len(view.rows),
            "statuses": view.counts(),
            "categories": view.category_counts(),
            "blocking": len(view.blocking),
            # The headline's "N blocking" counts these too: a run a configured URL alone blocks
            # read "1 blocking" above "blocking": 0.
            "blocking_config": len(view.blocking_config),
            "blocking_facts": len(decision.blocking),
            "waived": len(view.waived),
            "exit_code": int(view.exit_code),
        },
        "gate": gate_to_json(view, stream=stream),
        "packages": (package_to_json(row, view, hops) for row in view.rows)
        if stream
        else [msgspec.to_builtins(package_to_json(row, view)) for row in view.rows],
    }
    rests = view.chain_rests
    if len(rests):
        # Before the packages (whose chains name them): the document's head is written first.

        def entries() -> Iterator[dict[str, Any]]:
            return ({"hop": hop_to_json(hop, view), "next": after} for hop, after in rests.entries())

        data["chain_rests"] = LazyArray(entries) if stream else list(entries())
    if view.config:
        data["config_findings"] = [config_finding_to_json(item) for item in view.config]
    if origins := unaudited_origins(view, finding_to_json):
        data["unaudited_origins"] = origins
    if view.warnings:
        data["warnings"] = list(view.warnings)
    return data


def render(view: ReportView) -> str:
    """The whole report as one text, as `render_chunks` writes it (the packages are structs
    only msgspec encodes)."""
    return "".join(
        piece.decode("utf-8") if isinstance(piece, bytes) else piece for piece in render_chunks(view)
    )


def render_chunks(view: ReportView) -> Iterator[str | bytes]:
    """The report in pieces of about `SPOOL_PIECE` bytes, for writing without holding it whole.

    All in this process. A forked worker encoding half the packages meanwhile saved this
    process 0.18 s of CPU on distro-60k and spent 0.9 s of its own, nearly twice what that half
    costs here (its copy-on-write faults, the spool), with 2 cores busy the report took longer
    to write with it (1.9 s against 1.3 s), and with idle ones it could gain at most what this
    process saved."""
    data = document(view, stream=True)
    yield from head(data, "packages")
    hops: dict[int, Any] = {}
    yield from item_pieces(package_to_json(row, view, hops) for row in view.rows)
    yield closing(empty=not view.rows)
