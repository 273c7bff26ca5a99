"""The package model as plain JSON values (and back), one stable shape for every format."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from auditor.rpm.model import (
    DEPENDENCY_KINDS,
    EVR,
    Checksum,
    Dependency,
    Gap,
    GapKind,
    Op,
    Package,
    PackageKind,
    SourceFile,
    SourceKind,
)


def dependency_to_json(dep: Dependency) -> dict[str, Any]:
    data: dict[str, Any] = {"name": dep.name}
    if dep.op is not None and dep.evr is not None:
        data["op"] = dep.op.value
        data["evr"] = str(dep.evr)
    if dep.qualifiers:
        data["qualifiers"] = sorted(dep.qualifiers)
    return data


def dependency_from_json(data: dict[str, Any]) -> Dependency:
    return _dependency(data["name"], data.get("op"), data.get("evr"), tuple(data.get("qualifiers", ())))


@lru_cache(maxsize=1 << 16)
def _dependency(name: str, op: str | None, evr: str | None, qualifiers: tuple[str, ...]) -> Dependency:
    """Equal dependencies read back share one object, as they do when read from RPMs."""
    return Dependency(
        name,
        Op(op) if op is not None else None,
        EVR.parse(evr) if evr is not None else None,
        frozenset(qualifiers),
    )


def package_to_json(package: Package) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": package.name,
        "epoch": package.epoch,
        "version": package.version,
        "release": package.release,
        "arch": package.arch,
        "kind": package.kind.value,
        "nevra": package.nevra,
        "sourcerpm": package.sourcerpm,
        "location": package.location,
        "input": package.input,
        "checksum": str(package.checksum) if package.checksum else None,
        "summary": package.summary,
        "description": package.description,
        "vendor": package.vendor,
        "packager": package.packager,
        "buildhost": package.buildhost,
        "url": package.url,
        "license": package.license,
        "distribution": package.distribution,
        "buildtime": package.buildtime,
        "signing_key": package.signing_key,
    }
    for kind in DEPENDENCY_KINDS:
        data[kind] = [dependency_to_json(dep) for dep in getattr(package, kind)]
    data["files"] = list(package.files)
    if package.kind is PackageKind.SOURCE:
        data["spec"] = package.spec
        data["sources"] = [source_to_json(source) for source in package.sources]
    if package.notes:
        data["notes"] = list(package.notes)
    if package.gaps:
        data["gaps"] = [{"kind": gap.kind.value, "detail": gap.detail} for gap in package.gaps]
    return data


def package_from_json(data: dict[str, Any]) -> Package:
    checksum = None
    if data.get("checksum"):
        algorithm, _, value = data["checksum"].partition(":")
        checksum = Checksum(algorithm, value)
    deps = {kind: tuple(dependency_from_json(d) for d in data.get(kind, ())) for kind in DEPENDENCY_KINDS}
    return Package(
        name=data["name"],
        epoch=data.get("epoch"),
        version=data["version"],
        release=data["release"],
        arch=data["arch"],
        kind=PackageKind(data["kind"]),
        location=data.get("location", ""),
        input=data.get("input", ""),
        sourcerpm=data.get("sourcerpm"),
        checksum=checksum,
        summary=data.get("summary"),
        description=data.get("description"),
        files=tuple(data.get("files", ())),
        vendor=data.get("vendor"),
        packager=data.get("packager"),
        buildhost=data.get("buildhost"),
        url=data.get("url"),
        license=data.get("license"),
        distribution=data.get("distribution"),
        buildtime=data.get("buildtime"),
        signing_key=data.get("signing_key"),
        sources=tuple(source_from_json(s) for s in data.get("sources", ())),
        spec=data.get("spec"),
        notes=tuple(data.get("notes", ())),
        gaps=tuple(Gap(GapKind(gap["kind"]), gap["detail"]) for gap in data.get("gaps", ())),
        **deps,
    )


def source_to_json(source: SourceFile) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": source.kind.value,
        "number": source.number,
        "value": source.value,
        "raw": source.raw,
        "line": source.line,
    }
    if source.unexpanded:
        data["unexpanded"] = list(source.unexpanded)
    return data


def source_from_json(data: dict[str, Any]) -> SourceFile:
    return SourceFile(
        SourceKind(data["kind"]),
        data.get("number"),
        data["value"],
        data.get("raw", data["value"]),
        data.get("line"),
        tuple(data.get("unexpanded", ())),
    )
