"""The package inventory: a table of what was read, or the full model as JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tabulate import tabulate

from auditor import __version__
from auditor.serialize import package_to_json

if TYPE_CHECKING:
    from auditor.sources import LoadResult

FORMATS = ("table", "json")


def render(fmt: str, loaded: LoadResult) -> str:
    if fmt == "json":
        return render_json(loaded)
    return render_table(loaded)


def render_table(loaded: LoadResult) -> str:
    rows = []
    for package in sorted(loaded.packages, key=lambda p: (p.name, p.arch, p.nevra)):
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
    lines.append(f"{len(loaded.packages)} packages from {len(loaded.inputs)} inputs"
                 + (f", {len(loaded.errors)} unreadable" if loaded.errors else ""))  # fmt: skip
    return "\n".join(lines) + "\n"


def render_json(loaded: LoadResult) -> str:
    document: dict[str, Any] = {
        "tool": {"name": "auditor", "version": __version__},
        "inputs": [
            {
                "path": item.path,
                "kind": item.kind,
                "packages": item.packages,
                "revision": item.revision,
            }
            for item in loaded.inputs
        ],
        "errors": [{"input": error.source, "message": error.reason} for error in loaded.errors],
        "packages": [
            package_to_json(package)
            for package in sorted(loaded.packages, key=lambda p: (p.name, p.arch, p.nevra, p.location))
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
