"""The reference for the SPDX writer: the same document built with spdx-tools' model and
converter, as `auditor.reports.spdx` did before it wrote the document itself (57 s and 2.7 GB
for 63,000 packages). What is not the library's part (ids, the creation date, licence
validation, source lines) is the writer's own, imported. `test_written_in_pieces.py` holds the
two to the same bytes."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from license_expression import LicenseSymbol  # type: ignore[import-untyped]
from spdx_tools.common.spdx_licensing import spdx_licensing
from spdx_tools.spdx.jsonschema.annotation_converter import AnnotationConverter
from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
from spdx_tools.spdx.model.actor import Actor, ActorType
from spdx_tools.spdx.model.annotation import Annotation, AnnotationType
from spdx_tools.spdx.model.checksum import Checksum, ChecksumAlgorithm
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo
from spdx_tools.spdx.model.package import (
    ExternalPackageRef,
    ExternalPackageRefCategory,
    Package,
    PackagePurpose,
)
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.model.spdx_none import SpdxNone
from spdx_tools.spdx.validation.uri_validators import validate_download_location, validate_url

from auditor.reports import sbom
from auditor.reports.sbom import Sbom, SbomPackage
from auditor.reports.spdx import _created, _source_info, _spdx_ids, supplier
from auditor.reports.spdx_licences import _spdx_expression, slug
from auditor.reports.spdx_relationships import SpdxIds
from auditor.reports.view import ReportView
from auditor.rpm import model

DOCUMENT = "SPDXRef-DOCUMENT"
NAMESPACE = "https://github.com/auditor-rpm/auditor/spdx/"
_CHECKSUMS = {
    "sha1": ChecksumAlgorithm.SHA1,
    "sha256": ChecksumAlgorithm.SHA256,
    "sha384": ChecksumAlgorithm.SHA384,
    "sha512": ChecksumAlgorithm.SHA512,
}


def library_render(view: ReportView, *, purl_namespace: str | None = None) -> str:
    """The document through spdx-tools' model and converter, as the auditor wrote it before."""
    document, annotations = build_document(view, purl_namespace=purl_namespace)
    data: dict[str, Any] = DocumentConverter().convert(document)  # type: ignore[no-untyped-call]
    # spdx-tools' converter looks for each package's annotations among all of the document's
    # (quadratic: minutes for a distribution); each package's are converted here instead.
    converter = AnnotationConverter()
    for package in data.get("packages", []):
        own = annotations.get(package["SPDXID"], [])
        if own:
            package["annotations"] = [converter.convert(annotation) for annotation in own]
    # The spelling of SPDX 2.3's JSON schema, not the enum's name the converter writes.
    for package in data.get("packages", []):
        for reference in package.get("externalRefs", []):
            reference["referenceCategory"] = reference["referenceCategory"].replace("_", "-")
    # The namespace must be unique to this document's content: a digest of everything else.
    content = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
    data["documentNamespace"] = NAMESPACE + hashlib.sha256(content).hexdigest()
    return json.dumps(data, indent=2) + "\n"


def build_document(
    view: ReportView, *, purl_namespace: str | None = None
) -> tuple[Document, dict[str, list[Annotation]]]:
    """The document, its annotations on the document only, and each package's annotations."""
    found = sbom.collect(view, purl_namespace)
    created = _created(view)
    tool = Actor(ActorType.TOOL, f"auditor-{view.version}")
    ids = _spdx_ids(found)
    licences: dict[str, ExtractedLicensingInfo] = {}
    packages = [_package(item, ids[item.index], view, licences) for item in found.packages]
    annotations: dict[str, list[Annotation]] = {}
    for item in found.packages:
        pairs = sbom.package_properties(item.row, view) if item.row else sbom.context_properties(item, view)
        annotations[ids[item.index]] = [_annotation(ids[item.index], pair, tool, created) for pair in pairs]
    creation = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id=DOCUMENT,
        name=sbom.text("auditor: " + " ".join(view.options.targets)),
        document_namespace=NAMESPACE + "pending",  # replaced by the content's digest in render()
        creators=[tool],
        created=created,
        document_comment="created is the newest build time of the audited packages, not the time "
        "this document was written: the same audit gives the same document",
    )
    document = Document(
        creation,
        packages=packages,
        relationships=list(_relationships(found, ids)),
        annotations=[_annotation(DOCUMENT, pair, tool, created) for pair in sbom.document_properties(view)],
        extracted_licensing_info=[licences[key] for key in sorted(licences)],
    )
    return document, annotations


def _package(
    item: SbomPackage, spdx_id: str, view: ReportView, licences: dict[str, ExtractedLicensingInfo]
) -> Package:
    package = item.package
    location = item.row.path if item.row else package.location
    download = sbom.iri(location) if "://" in location else None
    homepage = sbom.iri(package.url) if package.url else None
    found = sbom.digest(package)
    return Package(
        spdx_id=spdx_id,
        name=sbom.text(package.name),
        download_location=download
        if download and not validate_download_location(download)
        else SpdxNoAssertion(),
        version=sbom.text(sbom.evr_text(package)),
        file_name=sbom.file_name(item) or None,
        supplier=_supplier(package),
        files_analyzed=False,
        checksums=[Checksum(_CHECKSUMS[found[0]], found[1])] if found else [],
        homepage=homepage if homepage and not validate_url(homepage) else None,
        source_info=_source_info(item) or None,
        license_concluded=SpdxNoAssertion(),
        license_declared=_license(package, licences),
        summary=sbom.text(package.summary) if package.summary else None,
        external_references=[
            ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", item.purl_text)
        ],
        primary_package_purpose=PackagePurpose.SOURCE if package.is_source else PackagePurpose.INSTALL,
    )


def _supplier(package: model.Package) -> Actor | None:
    found = supplier(package)
    return Actor(ActorType.ORGANIZATION, *found) if found else None


def _license(package: model.Package, licences: dict[str, ExtractedLicensingInfo]) -> Any:
    """The License tag as an SPDX expression of known licences, else a LicenseRef to its text."""
    value = sbom.license_text(package)
    if not value:
        return SpdxNoAssertion()
    expression = _spdx_expression(value)
    if expression is not None:
        return spdx_licensing.parse(expression)
    key = "LicenseRef-" + (slug(value) or "license")
    if key in licences and licences[key].extracted_text != value:
        key += "-" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    licences.setdefault(
        key,
        ExtractedLicensingInfo(
            license_id=key,
            extracted_text=value,
            license_name=value,
            comment="an RPM License tag that is not an SPDX expression",
        ),
    )
    return LicenseSymbol(key)  # not parsed: license-expression takes some LicenseRef- ids for aliases


def _relationships(found: Sbom, ids: SpdxIds) -> Iterator[Relationship]:
    described = [ids[item.index] for item in found.packages if item.row is not None]
    for spdx_id in described:
        yield Relationship(DOCUMENT, RelationshipType.DESCRIBES, spdx_id)
    if not described:  # nothing was audited: the document says so (SPDX requires a DESCRIBES)
        yield Relationship(DOCUMENT, RelationshipType.DESCRIBES, SpdxNone())
    for item in found.packages:
        own = ids[item.index]
        if item.row is None:
            yield Relationship(own, RelationshipType.DEPENDS_ON, SpdxNoAssertion())
            continue
        for source in found.built_from(item.index):
            if source in ids:
                yield Relationship(own, RelationshipType.GENERATED_FROM, ids[source])
        for target in found.depends_on(item):
            if item.package.is_source:
                yield Relationship(ids[target], RelationshipType.BUILD_DEPENDENCY_OF, own)
            else:
                yield Relationship(own, RelationshipType.DEPENDS_ON, ids[target])


def _annotation(spdx_id: str, pair: tuple[str, str], tool: Actor, created: datetime.datetime) -> Annotation:
    name, value = pair
    return Annotation(spdx_id, AnnotationType.OTHER, tool, created, sbom.text(f"{sbom.PREFIX}{name}={value}"))
