"""The machine report: a versioned JSON document (schema: schemas/report-v1.schema.json)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from auditor import __version__
from auditor.audit.pipeline import AuditResult, PackageResult
from auditor.deps.graph import Hop
from auditor.origin.findings import ConfigFinding, Finding
from auditor.rpm.serialize import source_to_json

SCHEMA_VERSION = 1
SCHEMA_ID = "https://github.com/auditor-rpm/auditor/blob/main/schemas/report-v1.schema.json"


def finding_to_json(finding: Finding, package_name: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "rule": finding.rule,
        "severity": str(finding.severity),
        "field": finding.field,
        "value": finding.value,
        "message": finding.message,
        "reference": finding.reference,
        "fingerprint": finding.fingerprint(package_name),
        "capability": finding.capability or finding.value,
        "taints": finding.effective,
    }
    if finding.replacement:
        data["replacement"] = finding.replacement
    if finding.inherited_from:
        data["inherited_from"] = finding.inherited_from
    if finding.allowed_by:
        data["allowed_by"] = finding.allowed_by
    return data


def config_finding_to_json(item: ConfigFinding, audit: AuditResult) -> dict[str, Any]:
    return {
        "file": item.file,
        "section": item.section,
        "key": item.key,
        "url": item.url,
        "blocking": item in audit.blocking_config,
        **finding_to_json(item.finding, f"{item.file}[{item.section}]"),
    }


def hop_to_json(hop: Hop, audit: AuditResult) -> dict[str, Any]:
    return {
        "from": audit.packages[hop.source].nevra,
        "to": audit.packages[hop.target].nevra,
        "kind": hop.kind,
        "requirement": hop.requirement,
        "alternatives": hop.alternatives,
        "tainted": hop.tainted,
    }


def package_to_json(result: PackageResult, audit: AuditResult) -> dict[str, Any]:
    package = result.package
    data: dict[str, Any] = {
        "name": package.name,
        "epoch": package.epoch,
        "version": package.version,
        "release": package.release,
        "arch": package.arch,
        "kind": package.kind.value,
        "nevra": package.nevra,
        "status": result.verdict.value,
        "blocking": result.blocking,
        "waived_by": list(result.waived_by),
        "findings": [finding_to_json(f, package.name) for f in result.findings],
        "chain": [hop_to_json(hop, audit) for hop in result.chain],
        "unresolved": [
            {
                "requirement": str(r.dependency),
                "missing": list(r.missing),
                **({"detail": r.detail} if r.detail else {}),
            }
            for r in result.unresolved
        ],
        **(
            {
                "weak_unresolved": [
                    {"kind": r.kind, "requirement": str(r.dependency)} for r in result.weak_unresolved
                ]
            }
            if audit.options.weak
            else {}
        ),
        "sourcerpm": package.sourcerpm,
        "location": package.location,
        "input": package.input,
        "checksum": str(package.checksum) if package.checksum else None,
        "vendor": package.vendor,
        "packager": package.packager,
        "buildhost": package.buildhost,
        "url": package.url,
        "license": package.license,
        "distribution": package.distribution,
        "signing_key": package.signing_key,
    }
    if package.is_source:
        data["sources"] = [source_to_json(source) for source in package.sources]
    return data


def document(audit: AuditResult, *, stream: bool = False) -> dict[str, Any]:
    """The report as JSON values; with ``stream``, ``packages`` is a generator for `dumps`."""
    data: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "auditor", "version": __version__},
        "policy": {"sources": audit.policy.sources, "taint_severity": str(audit.policy.taint_severity)},
        "options": {
            "targets": list(audit.options.targets),
            "context": list(audit.options.context),
            "arches": list(audit.options.arches),
            "roots": list(audit.options.roots),
            "fail_on": sorted(verdict.value for verdict in audit.options.fail_on),
        },
        "inputs": [
            {
                "path": item.path,
                "kind": item.kind,
                "packages": item.packages,
                "revision": item.revision,
                "filelists": item.filelists,
            }
            for item in audit.inputs
        ],
        "errors": [{"input": error.source, "message": error.reason} for error in audit.errors],
        "summary": {
            "packages": len(audit.packages),
            "audited": len(audit.results),
            "statuses": audit.counts(),
            "blocking": len(audit.blocking),
            "waived": sum(1 for result in audit.results if result.waived_by),
            "exit_code": int(audit.exit_code()),
        },
        "packages": (package_to_json(result, audit) for result in audit.results)
        if stream
        else [package_to_json(result, audit) for result in audit.results],
    }
    if audit.gate is not None:
        data["gate"] = gate_to_json(audit)
    if audit.config_findings:
        data["config_findings"] = [config_finding_to_json(item, audit) for item in audit.config_findings]
    if audit.warnings:
        data["warnings"] = list(audit.warnings)
    return data


def gate_to_json(audit: AuditResult) -> dict[str, Any]:
    gate = audit.gate
    assert gate is not None

    def reason(item: Any) -> dict[str, str]:
        return {"fingerprint": item.fingerprint, "kind": item.kind, "package": item.package,
                "capability": item.capability, "text": item.text}  # fmt: skip

    def waiver(item: Any) -> dict[str, str]:
        return {"id": item.id, "package": item.package, "owner": item.owner, "reason": item.reason,
                "expires": item.expires.isoformat(), "source": item.source}  # fmt: skip

    return {
        "new": [reason(item) for item in gate.new],
        "baselined": [reason(item) for item in gate.baselined],
        "fixed": list(gate.fixed),
        "waived": [{**reason(item), "waiver": w.id} for item, w in gate.waived],
        "expired_waivers": [waiver(w) for w in gate.expired],
        "stale_waivers": [waiver(w) for w in gate.stale],
        "stale_waivers_block": gate.stale_blocks,
    }


def render(audit: AuditResult) -> str:
    return "".join(render_chunks(audit))


def render_chunks(audit: AuditResult) -> Iterator[str]:
    """The report in pieces, one package per piece, for writing without holding it whole."""
    return dump_chunks(document(audit, stream=True))


def dumps(data: dict[str, Any], array: str = "packages") -> str:
    return "".join(dump_chunks(data, array))


def dump_chunks(data: dict[str, Any], array: str = "packages") -> Iterator[str]:
    """JSON with one ``array`` item per line: readable, diffable, and written by the C encoder.

    ``indent=`` would make the json module fall back to its pure-Python encoder, ten times
    slower on a distribution-sized report. The items (possibly a generator) are encoded one
    at a time and yielded one at a time, so neither the document nor its text is ever held
    whole (one character beyond Latin-1 makes a Python string four bytes a character).
    """
    head = json.dumps(
        {key: value for key, value in data.items() if key != array}, indent=2, ensure_ascii=False
    )
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    yield f'{head[:-2]},\n  "{array}": ['
    first = True
    for item in data.get(array) or ():
        yield ("\n    " if first else ",\n    ") + encode(item)
        first = False
    yield "]\n}\n" if first else "\n  ]\n}\n"
