"""CycloneDX 1.6 JSON: what the release is made of, with the auditor's decision on each part.

One component per audited package and per context package an audited one needs
(`auditor.reports.sbom` says which, how purls and namespaces are made, and which
dependencies are listed). A component carries:

- its purl (also its ``bom-ref``), its ``[epoch:]version-release``, its Summary;
- its licence: an SPDX id or expression where the License tag is one, else the tag as a
  licence name (Fedora's older Callaway names such as ``GPLv2+`` are not SPDX);
- its supplier (Vendor, else Packager) and the package file's digest;
- external references: the URL tag (``website``), the package's download location when it
  is a URL (``distribution``), a source package's Source and Patch URLs
  (``source-distribution``, or ``vcs`` for git/svn/hg/bzr URLs);
- for a binary, its source package as the ``pedigree`` ancestor;
- the decision, as ``auditor:*`` properties (README: "The SBOM").

The document is reproducible: no ``serialNumber`` and no ``metadata.timestamp`` (both are
optional; the property ``cdx:reproducible`` says they were left out on purpose), and every
list is in a sorted order, so the same audit gives the same bytes.

The document is written here from plain data, one component at a time, in the bytes
cyclonedx-python-lib's model and serializer give (its keys and lists sorted, its URI
escaping, its licence parsing, two-space indentation, ``\\uXXXX`` for what is not ASCII);
`tests/reports/test_written_in_pieces.py` holds the two to the same bytes. Through the
library's model the document took 139 s and 5.4 GB for 63,000 packages: every list of the
model is a sorted set of objects compared field by field.
"""

from __future__ import annotations

import functools
import json.encoder
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from cyclonedx.contrib.license.factories import LicenseFactory
from cyclonedx.exception.model import InvalidUriException
from cyclonedx.model import XsUri
from cyclonedx.model.license import LicenseExpression

from auditor.reports import sbom
from auditor.reports.jsonlines import indented, indented_array
from auditor.reports.purl_text import purl_text
from auditor.reports.sbom import Sbom, SbomPackage
from auditor.reports.view import ReportView
from auditor.rpm.model import Package

INFORMATION_URI = "https://github.com/auditor-rpm/auditor"
REPRODUCIBLE = "cdx:reproducible"
"""The CycloneDX property taxonomy's flag: time- and random-based values are left out."""
SCHEMA = "http://cyclonedx.org/schema/bom-1.6.schema.json"

_HASHES = {"sha1": "SHA-1", "sha256": "SHA-256", "sha384": "SHA-384", "sha512": "SHA-512"}


def render(view: ReportView, *, purl_namespace: str | None = None) -> str:
    return "".join(render_chunks(view, purl_namespace=purl_namespace))


def render_chunks(view: ReportView, *, purl_namespace: str | None = None) -> Iterator[str]:
    """The document in pieces: its components are encoded one at a time, never held whole."""
    found = sbom.collect(view, purl_namespace)
    refs = {item.index: item.ref for item in found.packages}
    components = sorted(
        found.packages, key=lambda item: (_name(item.package), _version(item.package), item.ref)
    )
    yield "{"
    separator = "\n  "
    if components:
        yield separator
        purls = _SourcePurls(found, purl_namespace)
        written = (_component(item, found, view, purls) for item in components)
        yield from indented_array("components", written, sort_keys=True)
        separator = ",\n  "
        yield separator
        # By bom-ref (each is unique), each entry made as it is written. A context package has
        # none: CycloneDX reads an empty entry as "depends on nothing" and a missing one as
        # unknown, which its unresolved requirements are.
        entries = (
            (item.ref, sorted({refs[target] for target in found.depends_on(item)}))
            for item in sorted(found.packages, key=lambda item: item.ref)
            if item.row is not None
        )
        yield from indented_array("dependencies", entries, write=dependency_text)
    metadata = {
        "properties": _properties([(REPRODUCIBLE, "true")], sbom.document_properties(view)),
        "tools": {"components": [_tool(view)]},
    }
    for key, value in (("metadata", metadata), ("version", 1)):
        yield f'{separator}"{key}": {indented(value, 1, sort_keys=True)}'
        separator = ",\n  "
    yield f',\n  "$schema": "{SCHEMA}",\n  "bomFormat": "CycloneDX",\n  "specVersion": "1.6"\n}}\n'


def _tool(view: ReportView) -> dict[str, Any]:
    return {
        "externalReferences": [{"type": "website", "url": INFORMATION_URI}],
        "name": "auditor",
        "type": "application",
        "version": view.version,
    }


def _name(package: Package) -> str:
    return sbom.text(package.name)


def _version(package: Package) -> str:
    return sbom.text(sbom.evr_text(package))


def _component(item: SbomPackage, found: Sbom, view: ReportView, purls: _SourcePurls) -> dict[str, Any]:
    package = item.package
    properties = sbom.package_properties(item.row, view) if item.row else sbom.context_properties(item, view)
    component: dict[str, Any] = {"bom-ref": item.ref, "name": _name(package), "purl": item.purl_text}
    if package.summary:
        component["description"] = sbom.text(package.summary)
    _put(
        component, "externalReferences", _references(package, item.row.path if item.row else package.location)
    )
    _put(component, "hashes", _hashes(package))
    _put(component, "licenses", _licenses(package))
    if not package.is_source:
        _put(component, "pedigree", _pedigree(package, found.built_from(item.index), view, purls))
    _put(component, "properties", _properties((), properties))
    name = package.vendor or package.packager
    if name:
        component["supplier"] = {"name": sbom.text(name)}
    component["type"] = "library"
    component["version"] = _version(package)
    return component


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """The library writes no empty list and no missing object."""
    if value:
        target[key] = value


def dependency_text(entry: tuple[str, list[str]], depth: int) -> str:
    """A component's entry of ``dependencies`` (its ref, and those of the components it depends
    on, sorted) as `auditor.reports.jsonlines.indented` writes its object with sorted keys
    ``depth`` levels deep, made without the object: msgspec and its formatting cost more than
    the rest of one of a distribution's 60,000 entries. The strings go through json's ASCII
    encoder, which escapes what `indented` does."""
    ref, targets = entry
    inner = "\n" + "  " * (depth + 1)
    end = "\n" + "  " * depth + "}"
    if not targets:
        return f'{{{inner}"ref": {_ASCII(ref)}{end}'
    deeper = inner + "  "
    listed = ("," + deeper).join(map(_ASCII, targets))
    return f'{{{inner}"dependsOn": [{deeper}{listed}{inner}],{inner}"ref": {_ASCII(ref)}{end}'


_ASCII: Callable[[str], str] = json.encoder.encode_basestring_ascii


def _pedigree(
    binary: Package, sources: tuple[int, ...], view: ReportView, purls: _SourcePurls
) -> dict[str, Any] | None:
    """The source package the binary was built from: the run's copy when it holds one (each
    copy it may have been built from, when it cannot tell which), else what the binary's
    SOURCERPM names. They have no bom-ref: each is the source package's description here,
    not a component of the BOM (the top-level one is, when audited)."""
    ancestors: dict[tuple[Any, ...], dict[str, Any]] = {}
    for source in sources or [None]:
        package = None if source is None else view.packages[source]
        made = purls.of(binary, source, package)
        if made is None:
            continue
        ancestor: dict[str, Any] = {
            "name": sbom.text(made.name),
            "purl": made.text,
            "type": "library",
            "version": sbom.text(sbom.evr_text(package) if package else made.version),
        }
        _put(ancestor, "hashes", _hashes(package) if package else None)
        if len(sources) <= 1:  # one ancestor: no order to find (a distribution's binaries but a few)
            return {"ancestors": [ancestor]}
        key = (
            ancestor["name"],
            ancestor["version"],
            _purl_order(made),
            tuple(map(str, ancestor.get("hashes", ()))),
        )
        ancestors[key] = ancestor
    return {"ancestors": [ancestors[key] for key in sorted(ancestors)]} if ancestors else None


class _Source(NamedTuple):
    """The purl of a source package, its parts (`sbom.sourcerpm_purl`'s) and its text."""

    namespace: str | None
    name: str
    version: str
    qualifiers: tuple[tuple[str, str], ...]
    text: str


class _SourcePurls:
    """The purl of the source package each binary was built from, made once per source
    package: every binary of a source asked for it again (distro-10k: a quarter of the
    document's time), and its text is written without packageurl's object
    (`auditor.reports.purl_text`)."""

    NAMES_REMEMBERED = 4096

    def __init__(self, found: Sbom, namespace: str | None) -> None:
        self.namespace = namespace
        self.of_package: dict[int, _Source] = {}
        """By package id: the run's copies of source packages."""
        self.of_name: dict[tuple[str | None, str | None, str | None], _Source | None] = {}
        """By what `sbom.sourcerpm_purl` reads of a binary whose source the run does not hold; at
        most `NAMES_REMEMBERED` (a distribution without its sources named 34,000, 10 MB for the
        whole document), which the binaries of one source, written by name, mostly hit."""

    def of(self, binary: Package, source: int | None, package: Package | None) -> _Source | None:
        if source is not None and package is not None:
            made = self.of_package.get(source)
            if made is None:
                namespace = sbom.namespace_of(package, self.namespace)
                parts = (namespace, package.name, f"{package.version}-{package.release}")
                made = self.of_package[source] = _made(*parts, sbom.qualifiers_of(package))
            return made
        key = (binary.sourcerpm, binary.source_name, sbom.namespace_of(binary, self.namespace))
        if key not in self.of_name:
            if len(self.of_name) >= self.NAMES_REMEMBERED:
                self.of_name.clear()
            found = sbom.sourcerpm_purl(binary, self.namespace)
            self.of_name[key] = None if found is None else _made(*found)
        return self.of_name[key]


def _made(namespace: str | None, name: str, version: str, qualifiers: tuple[tuple[str, str], ...]) -> _Source:
    return _Source(
        namespace, name, version, qualifiers, purl_text("rpm", namespace, name, version, qualifiers)
    )


def _purl_order(purl: _Source) -> tuple[Any, ...]:
    """The library's order of purls: a missing part after every present one."""
    parts = ("rpm", purl.namespace, purl.name, purl.version, tuple(sorted(purl.qualifiers)), None)
    return tuple((part is None, part or "") for part in parts)


def _hashes(package: Package) -> list[dict[str, str]]:
    found = sbom.digest(package)
    return [{"alg": _HASHES[found[0]], "content": found[1]}] if found else []


def _licenses(package: Package) -> list[dict[str, Any]]:
    """An SPDX id or expression when the License tag is one, else the tag as a name."""
    value = sbom.license_text(package)
    return [_license(value)] if value else []


@functools.lru_cache(maxsize=4096)
def _license(value: str) -> dict[str, Any]:
    """The library's reading of a License tag (a distribution has a few hundred distinct ones),
    but an expression only when it names SPDX ids (`sbom.names_spdx_ids_only`)."""
    found = LicenseFactory().make_from_string(value)
    if isinstance(found, LicenseExpression) and not sbom.names_spdx_ids_only(value):
        return {"license": {"name": value}}
    if isinstance(found, LicenseExpression):
        return {"expression": found.value}
    return {"license": {"id": found.id} if found.id is not None else {"name": found.name}}


def _references(package: Package, path: str) -> list[dict[str, str]]:
    found: set[tuple[str, str, str | None]] = set()
    if package.url:
        found |= _reference("website", package.url)
    if package.bugurl:
        found |= _reference("issue-tracker", package.bugurl)
    if "://" in path:
        found |= _reference("distribution", path)
    for source in sbom.source_references(package):
        found |= _reference("vcs" if source.vcs else "source-distribution", source.url, source.label)
    # A reference without a comment sorts after those with one of the same type and URL.
    ordered = sorted(found, key=lambda item: (item[0], item[1], item[2] is None, item[2] or ""))
    return [
        {"type": kind, "url": url} if comment is None else {"comment": comment, "type": kind, "url": url}
        for kind, url, comment in ordered
    ]


def _reference(kind: str, url: str, comment: str | None = None) -> set[tuple[str, str, str | None]]:
    """The reference, or none when the value is not a URL (`sbom.iri`, then the library's
    escaping of what XML's anyURI cannot hold)."""
    text = _uri(url)
    return set() if text is None else {(kind, text, comment)}


@functools.lru_cache(maxsize=1024)
def _uri(url: str) -> str | None:
    """`_reference`'s URL, made once per value: the binaries of a source share their URL tag."""
    text = sbom.iri(url)
    if text is None:
        return None
    try:
        return str(XsUri(text))
    except InvalidUriException:
        return None


def _properties(first: Iterable[tuple[str, str]], pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    found = {*first, *map(_named, pairs)}
    return [_property(pair) for pair in sorted(found)]


def _named(pair: tuple[str, str]) -> tuple[str, str]:
    if pair[0] in sbom.SHARED:
        return _shared_named(pair)
    return sbom.PREFIX + pair[0], sbom.text(pair[1])


def _property(pair: tuple[str, str]) -> dict[str, str]:
    return _shared_property(pair) if pair[0] in _SHARED else {"name": pair[0], "value": pair[1]}


_SHARED = frozenset(sbom.PREFIX + name for name in sbom.SHARED)


@functools.lru_cache(maxsize=1024)
def _shared_named(pair: tuple[str, str]) -> tuple[str, str]:
    """An ``auditor:*`` property's name and value as the document writes them: a distribution's
    packages have a few hundred distinct pairs (``audited``, ``status``, ``rule``...) of the
    80,000 that distro-10k's write, each made once."""
    return sbom.PREFIX + pair[0], sbom.text(pair[1])


@functools.lru_cache(maxsize=1024)
def _shared_property(pair: tuple[str, str]) -> dict[str, str]:
    """A property's object, made once for a pair many components have (never changed once made)."""
    return {"name": pair[0], "value": pair[1]}
