"""The package model as plain JSON values (and back), one stable shape for every format."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.installed import Installed, InstalledKind
from auditor.rpm.model import EVR, Checksum, Dependency, Op, Package, PackageKind, SourceFile, SourceKind
from auditor.rpm.package_fields import DEPENDENCY_KINDS

_KIND_NAMES = tuple(kind.value for kind in DEPENDENCY_KINDS)
"""The dependency kinds as plain strings: they key dicts per package, and an enum is hashed by
Python code."""


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
        "source_pkgid": package.source_pkgid,
        "location": package.location,
        "input": package.input,
        "checksum": str(package.checksum) if package.checksum else None,
        "summary": package.summary,
        "description": package.description,
        "vendor": package.vendor,
        "packager": package.packager,
        "buildhost": package.buildhost,
        "url": package.url,
        "bugurl": package.bugurl,
        "vcs": package.vcs,
        "disturl": package.disturl,
        "translationurl": package.translationurl,
        "upstreamreleases": package.upstreamreleases,
        "license": package.license,
        "distribution": package.distribution,
        "buildtime": package.buildtime,
        "signing_key": package.signing_key,
        "signing_keys": list(package.signing_keys),
        **({"alternatives": [list(pair) for pair in package.alternatives]} if package.alternatives else {}),
    }
    for kind in _KIND_NAMES:
        data[kind] = [dependency_to_json(dep) for dep in getattr(package, kind)]
    data["files"] = list(package.files)
    if package.kind is PackageKind.SOURCE:
        data["spec"] = package.spec
        data["sources"] = [source_to_json(source) for source in package.sources]
        if package.builds is not None:  # absent: unknown, as a model stored before the field reads
            data["builds"] = list(package.builds)
    if package.notes:
        data["notes"] = list(package.notes)
    if package.installs:
        data["installs"] = [[item.kind.value, item.where, item.value] for item in package.installs]
    if package.scriptlets:
        data["scriptlets"] = [list(pair) for pair in package.scriptlets]
    if package.gaps:
        data["gaps"] = [
            {"kind": gap.kind.value, "detail": gap.detail, **({"count": gap.count} if gap.count != 1 else {})}
            for gap in package.gaps
        ]
    return data


def package_from_json(data: dict[str, Any]) -> Package:
    checksum = None
    if data.get("checksum"):
        algorithm, _, value = data["checksum"].partition(":")
        checksum = Checksum(algorithm, value)
    deps: dict[str, Any] = {
        kind: tuple(dependency_from_json(d) for d in data.get(kind, ())) for kind in _KIND_NAMES
    }
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
        source_pkgid=data.get("source_pkgid"),
        checksum=checksum,
        summary=data.get("summary"),
        description=data.get("description"),
        files=tuple(data.get("files", ())),
        vendor=data.get("vendor"),
        packager=data.get("packager"),
        buildhost=data.get("buildhost"),
        url=data.get("url"),
        bugurl=data["bugurl"],  # required, as signing_keys: not read as a package without one
        vcs=data["vcs"],
        disturl=data["disturl"],
        translationurl=data["translationurl"],
        upstreamreleases=data["upstreamreleases"],
        license=data.get("license"),
        distribution=data.get("distribution"),
        buildtime=data.get("buildtime"),
        # Required: a model without the field (stored before a package could have several
        # signers) must not read as unsigned.
        signing_keys=tuple(data["signing_keys"]),
        alternatives=tuple((field, value) for field, value in data.get("alternatives", ())),
        sources=tuple(source_from_json(s) for s in data.get("sources", ())),
        spec=data.get("spec"),
        builds=tuple(data["builds"]) if data.get("builds") is not None else None,
        notes=tuple(data.get("notes", ())),
        installs=tuple(
            Installed(InstalledKind(kind), where, value) for kind, where, value in data.get("installs", ())
        ),
        scriptlets=tuple((where, word) for where, word in data.get("scriptlets", ())),
        gaps=tuple(
            Gap(GapKind(gap["kind"]), gap["detail"], gap.get("count", 1)) for gap in data.get("gaps", ())
        ),
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


_TEXT_FIELDS = ("name", "version", "release", "arch", "kind", "location", "input")
_OPTIONAL_TEXT_FIELDS = ("sourcerpm", "source_pkgid", "checksum", "summary", "description", "vendor",
                         "packager", "buildhost", "url", "bugurl", "vcs", "disturl", "translationurl",
                         "upstreamreleases", "license", "distribution", "signing_key", "spec")  # fmt: skip
_OPS = frozenset(op.value for op in Op)
_SOURCE_KINDS = frozenset(kind.value for kind in SourceKind)
_GAP_KINDS = frozenset(kind.value for kind in GapKind)
_INSTALLED_KINDS = frozenset(kind.value for kind in InstalledKind)


def check_package_json(data: object) -> None:
    """Raise ValueError unless ``data`` has the shape `package_to_json` writes, to the type.

    For values that come back from somewhere that may have damaged them (the store): a
    row of valid JSON but the wrong shape would otherwise become a package whose name is
    a number, and fail far from here.
    """
    if not isinstance(data, dict):
        raise ValueError("not an object")
    for key in _TEXT_FIELDS:
        _expect(isinstance(data.get(key, "" if key in ("location", "input") else None), str), key)
    for key in _OPTIONAL_TEXT_FIELDS:
        _expect(isinstance(data.get(key), (str, type(None))), key)
    for key in ("epoch", "buildtime"):
        value = data.get(key)
        _expect(value is None or (isinstance(value, int) and not isinstance(value, bool)), key)
    _expect(data["kind"] in {kind.value for kind in PackageKind}, "kind")
    for kind in _KIND_NAMES:
        for dep in _list(data, kind):
            _expect(isinstance(dep, dict) and isinstance(dep.get("name"), str), kind)
            _expect(dep.get("op") is None or dep["op"] in _OPS, kind)
            _expect(isinstance(dep.get("evr", ""), str), kind)
            _expect((dep.get("op") is None) == (dep.get("evr") is None), kind)
            _strings(dep.get("qualifiers", []), kind)
    _strings(data.get("signing_keys"), "signing_keys")
    for pair in _list(data, "alternatives"):
        _expect(isinstance(pair, list) and len(pair) == 2, "alternatives")
        _strings(pair, "alternatives")
    _strings(data.get("files", []), "files")
    if data.get("builds") is not None:
        _strings(data["builds"], "builds")
    _strings(data.get("notes", []), "notes")
    for item in _list(data, "installs"):
        _strings(item, "installs")
        _expect(len(item) == 3 and item[0] in _INSTALLED_KINDS, "installs")
    for pair in _list(data, "scriptlets"):
        _expect(isinstance(pair, list) and len(pair) == 2, "scriptlets")
        _strings(pair, "scriptlets")
    for source in _list(data, "sources"):
        _expect(isinstance(source, dict) and source.get("kind") in _SOURCE_KINDS, "sources")
        _expect(isinstance(source.get("value"), str) and isinstance(source.get("raw", ""), str), "sources")
        for key in ("number", "line"):
            _expect(source.get(key) is None or type(source.get(key)) is int, "sources")
        _strings(source.get("unexpanded", []), "sources")
    for gap in _list(data, "gaps"):
        _expect(isinstance(gap, dict) and gap.get("kind") in _GAP_KINDS, "gaps")
        _expect(isinstance(gap.get("detail"), str), "gaps")
        _expect(type(gap.get("count", 1)) is int and gap.get("count", 1) >= 1, "gaps")


def _expect(condition: bool, key: str) -> None:
    if not condition:
        raise ValueError(f"{key} has the wrong shape")


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    _expect(isinstance(value, list), key)
    return value  # type: ignore[no-any-return]


def _strings(value: object, key: str) -> None:
    _expect(isinstance(value, list) and all(isinstance(item, str) for item in value), key)
