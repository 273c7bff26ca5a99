"""The reference for the CycloneDX writer: the same document built with cyclonedx-python-lib's
model and written by its serializer, as `auditor.reports.cyclonedx` did before it wrote the
document itself (it took 139 s and 5.4 GB for 63,000 packages this way).
`test_written_in_pieces.py` holds the two to the same bytes."""

from __future__ import annotations

import json
from collections.abc import Iterable

from cyclonedx.contrib.license.factories import LicenseFactory
from cyclonedx.exception.model import InvalidUriException
from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType, Pedigree
from cyclonedx.model.contact import OrganizationalEntity
from cyclonedx.model.dependency import Dependency
from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output.json import JsonV1Dot6

from auditor.reports import sbom
from auditor.reports.cyclonedx import INFORMATION_URI, REPRODUCIBLE
from auditor.reports.sbom import Sbom, SbomPackage
from auditor.reports.view import ReportView
from auditor.rpm.model import Package

_HASHES = {
    "sha1": HashAlgorithm.SHA_1,
    "sha256": HashAlgorithm.SHA_256,
    "sha384": HashAlgorithm.SHA_384,
    "sha512": HashAlgorithm.SHA_512,
}
_LICENSES = LicenseFactory()


def library_render(view: ReportView, *, purl_namespace: str | None = None) -> str:
    """The whole path of the library, its validation and dependency registration included.

    Then one departure from its bytes: the library registers an entry in ``dependencies`` for
    every component, an empty one where it has none, and CycloneDX reads an empty entry as
    "depends on nothing". A context package's requirements are not resolved: its entry is
    taken out, which the specification reads as unknown. The rest is re-encoded as the
    library's serializer encodes it (`json.dumps`, two-space indent)."""
    text = JsonV1Dot6(build_bom(view, purl_namespace=purl_namespace)).output_as_string(indent=2)
    document = json.loads(text)
    assert json.dumps(document, indent=2) == text, "the library's encoding is json.dumps's"
    context = {item.ref for item in sbom.collect(view, purl_namespace).packages if item.row is None}
    if "dependencies" in document:
        document["dependencies"] = [
            entry for entry in document["dependencies"] if entry["ref"] not in context
        ]
    return json.dumps(document, indent=2) + "\n"


def build_bom(view: ReportView, *, purl_namespace: str | None = None) -> Bom:
    found = sbom.collect(view, purl_namespace)
    components = {item.index: _component(item, found, view, purl_namespace) for item in found.packages}
    bom = Bom(
        components=components.values(),
        metadata=BomMetaData(
            tools=ToolRepository(components=[_tool(view)]),
            properties=[
                Property(name=REPRODUCIBLE, value="true"),
                *_properties(sbom.document_properties(view)),
            ],
        ),
        dependencies=[
            Dependency(
                components[item.index].bom_ref,
                [Dependency(components[target].bom_ref) for target in found.depends_on(item)],
            )
            for item in found.packages
        ],
    )
    # The library sets a random serial number and the current time: a BOM of the same audit
    # must be the same bytes, and both are optional (cyclonedx-py's --output-reproducible does this).
    bom.serial_number = None  # type: ignore[assignment]
    bom.metadata.timestamp = None  # type: ignore[assignment]
    return bom


def _tool(view: ReportView) -> Component:
    return Component(
        type=ComponentType.APPLICATION,
        name="auditor",
        version=view.version,
        external_references=[
            ExternalReference(type=ExternalReferenceType.WEBSITE, url=XsUri(INFORMATION_URI))
        ],
    )


def _component(item: SbomPackage, found: Sbom, view: ReportView, namespace: str | None) -> Component:
    package = item.package
    properties = sbom.package_properties(item.row, view) if item.row else sbom.context_properties(item, view)
    pedigree = None
    if not package.is_source:
        pedigree = _pedigree(package, found.built_from(item.index), view, namespace)
    return Component(
        type=ComponentType.LIBRARY,
        name=sbom.text(package.name),
        version=sbom.text(sbom.evr_text(package)),
        bom_ref=item.ref,
        purl=sbom.purl_of(package, namespace),
        description=sbom.text(package.summary) if package.summary else None,
        supplier=_supplier(package),
        hashes=_hashes(package),
        licenses=_licenses(package),
        external_references=_references(package, item.row.path if item.row else package.location),
        pedigree=pedigree,
        properties=_properties(properties),
    )


def _pedigree(
    binary: Package, sources: tuple[int, ...], view: ReportView, namespace: str | None
) -> Pedigree | None:
    """The source package the binary was built from: the run's copy when it holds one (each
    copy it may have been built from, when it cannot tell which), else what the binary's
    SOURCERPM names. Their bom-refs are left out: each is the source package's description
    here, not a component of the BOM (the top-level one is, when audited)."""
    ancestors = []
    copies: list[Package | None] = [view.packages[source] for source in sources]
    for package in copies or [None]:
        purl = sbom.source_purl(binary, package, namespace)
        if purl is None:
            continue
        ancestors.append(
            Component(
                type=ComponentType.LIBRARY,
                name=sbom.text(purl.name),
                version=sbom.text(sbom.evr_text(package) if package else purl.version or ""),
                purl=purl,
                hashes=_hashes(package) if package else None,
            )
        )
    return Pedigree(ancestors=ancestors) if ancestors else None


def _supplier(package: Package) -> OrganizationalEntity | None:
    name = package.vendor or package.packager
    return OrganizationalEntity(name=sbom.text(name)) if name else None


def _hashes(package: Package) -> list[HashType]:
    found = sbom.digest(package)
    return [HashType(alg=_HASHES[found[0]], content=found[1])] if found else []


def _licenses(package: Package) -> list[LicenseExpression | DisjunctiveLicense]:
    """An SPDX id or expression when the License tag is one, else the tag as a name."""
    value = sbom.license_text(package)
    if not value:
        return []
    found = _LICENSES.make_from_string(value)
    if isinstance(found, LicenseExpression) and not sbom.names_spdx_ids_only(value):
        return [DisjunctiveLicense(name=value)]  # an alias of license-expression's is no SPDX id
    return [found]


def _references(package: Package, path: str) -> list[ExternalReference]:
    found = []
    if package.url:
        found += _reference(ExternalReferenceType.WEBSITE, package.url)
    if package.bugurl:
        found += _reference(ExternalReferenceType.ISSUE_TRACKER, package.bugurl)
    if "://" in path:
        found += _reference(ExternalReferenceType.DISTRIBUTION, path)
    for source in sbom.source_references(package):
        kind = ExternalReferenceType.VCS if source.vcs else ExternalReferenceType.SOURCE_DISTRIBUTION
        found += _reference(kind, source.url, source.label)
    return found


def _reference(kind: ExternalReferenceType, url: str, comment: str | None = None) -> list[ExternalReference]:
    """The reference, or none when the value is not a URL (`sbom.iri`)."""
    text = sbom.iri(url)
    if text is None:
        return []
    try:
        return [ExternalReference(type=kind, url=XsUri(text), comment=comment)]
    except InvalidUriException:
        return []


def _properties(pairs: Iterable[tuple[str, str]]) -> list[Property]:
    return [Property(name=sbom.PREFIX + name, value=sbom.text(value)) for name, value in pairs]
