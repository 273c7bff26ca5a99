"""Build packages from a compact description, for resolver cases (libsolv testcase style)."""

from __future__ import annotations

from typing import Any

from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import EVR, Dependency, Package, PackageKind
from auditor.rpm.spec.dependencies import parse_dependency_list


def deps(items: list[str]) -> tuple[Dependency, ...]:
    found: list[Dependency] = []
    for item in items:
        found.extend(parse_dependency_list(item))
    return tuple(found)


def package(spec: dict[str, Any]) -> Package:
    evr = EVR.parse(spec.get("evr", "1.0-1"))
    kind = PackageKind.SOURCE if spec.get("arch") == "src" else PackageKind.BINARY
    name = spec["name"]
    provides = deps(spec.get("provides", []))
    return Package(
        name=name,
        epoch=evr.epoch,
        version=evr.version,
        release=evr.release or "1",
        arch=spec.get("arch", "noarch"),
        kind=kind,
        location=f"{name}.rpm",
        input="universe",
        # Only when the case names one: a binary whose source package is not in the run is a
        # gap of the audit (its Source URLs are unseen), which most cases are not about.
        sourcerpm=None if kind is PackageKind.SOURCE else spec.get("sourcerpm"),
        requires=deps(spec.get("requires", [])),
        provides=provides,
        conflicts=deps(spec.get("conflicts", [])),
        obsoletes=deps(spec.get("obsoletes", [])),
        recommends=deps(spec.get("recommends", [])),
        supplements=deps(spec.get("supplements", [])),
        files=tuple(spec.get("files", [])),
        vendor=spec.get("vendor"),
        license=spec.get("license"),
        url=spec.get("url"),
        gaps=tuple(Gap(GapKind(kind), detail) for kind, detail in spec.get("gaps", [])),
    )


def universe(specs: list[dict[str, Any]]) -> list[Package]:
    return [package(spec) for spec in specs]
