"""The package inventory: a table of what was read (``inventory``), or the whole model (``model``)."""

from __future__ import annotations

import json
from typing import Any

from tabulate import tabulate

from auditor import __version__
from auditor.audit.pipeline import AuditResult
from auditor.rpm.serialize import package_to_json


def render_table(audit: AuditResult) -> str:
    rows = []
    for result in audit.results:
        package = result.package
        rows.append(
            [
                package.nevra,
                package.kind.value,
                len(package.requires),
                len(package.provides),
                len(package.files),
                package.vendor or "",
                package.packager or "",
                package.buildhost or "",
                package.license or "",
                package.signing_key or "",
            ]
        )
    headers = ["package", "kind", "requires", "provides", "files", "vendor", "packager",
               "buildhost", "license", "key"]  # fmt: skip
    lines = [tabulate(rows, headers=headers, tablefmt="simple")] if rows else []
    lines.append(
        f"{len(audit.results)} packages from {len(audit.inputs)} inputs"
        + (f", {len(audit.errors)} unreadable" if audit.errors else "")
    )
    return "\n".join(lines) + "\n"


def render_model(audit: AuditResult) -> str:
    document: dict[str, Any] = {
        "tool": {"name": "auditor", "version": __version__},
        "inputs": [
            {"path": item.path, "kind": item.kind, "packages": item.packages, "revision": item.revision}
            for item in audit.inputs
        ],
        "errors": [{"input": error.source, "message": error.reason} for error in audit.errors],
        "packages": [package_to_json(result.package) for result in audit.results],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
