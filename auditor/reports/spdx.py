"""SPDX 2.3 JSON: the same bill of materials as the CycloneDX one, for SPDX tooling.

The packages, purls, dependencies and properties are those of `auditor.reports.sbom`; SPDX 2.3
says them so:

- a package per component, ``filesAnalyzed`` false (the auditor reads no file contents),
  its purl as a ``PACKAGE-MANAGER`` reference (the spelling of SPDX 2.3's JSON schema),
  ``primaryPackagePurpose`` ``INSTALL`` for a binary and ``SOURCE`` for a source package,
  the file's digest and name (``packageFileName``: none for a binary read from a spec, never
  built), the URL tag as ``homepage`` and a source package's Source and Patch URLs in
  ``sourceInfo``;
- ``licenseDeclared`` (`auditor.reports.spdx_licences`): the License tag when it is an SPDX
  expression of known licences, else a ``LicenseRef-`` whose extracted text is the tag
  (``hasExtractedLicensingInfos``); ``licenseConcluded`` is NOASSERTION: the auditor
  concludes nothing about licences;
- relationships: the document DESCRIBES each audited package; a binary DEPENDS_ON each
  provider of its requirements and is GENERATED_FROM its source package; each provider of
  a source package's BuildRequires is a BUILD_DEPENDENCY_OF it; a context package
  DEPENDS_ON NOASSERTION (its requirements are not resolved);
- the decision: one annotation per ``auditor:*`` property, its comment ``NAME=VALUE``
  (SPDX 2.3 has no properties), on the package or, for the run's, on the document.

SPDX 2.3 requires a creation time and a unique document namespace. So that the same audit
gives the same bytes, ``created`` is the newest build time of the audited packages (the
release's content time, as ``SOURCE_DATE_EPOCH`` is for reproducible builds; 1970-01-01
when none has one), and the namespace ends with the SHA-256 of the rest of the document.

The document is written here from plain data, a package at a time, in the bytes spdx-tools'
model and converter give (its keys' order, its licence expressions, its URI checks);
`tests/reports/test_written_in_pieces.py` holds the two to the same bytes. Through the
library's model the document took 57 s and 2.7 GB for 63,000 packages.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime
import functools
import hashlib
import json
import json.encoder
from collections.abc import Iterable, Iterator
from email.utils import parseaddr
from typing import Any

import msgspec
from spdx_tools.spdx.validation.uri_validators import validate_download_location, validate_url

from auditor.reports import jsonlines, sbom
from auditor.reports.jsonlines import indented
from auditor.reports.sbom import Sbom, SbomPackage
from auditor.reports.spdx_licences import DeclaredLicences, slug
from auditor.reports.spdx_relationships import (
    DOCUMENT,
    NO_ASSERTION,
    Relationship,
    SpdxIds,
    relationship_texts,
    relationships,
)
from auditor.reports.spool import Spool
from auditor.reports.view import ReportView
from auditor.rpm import model

NAMESPACE = "https://github.com/auditor-rpm/auditor/spdx/"
PACKAGE_MANAGER = "PACKAGE-MANAGER"
"""The purl reference's category as SPDX 2.3 spells it: its JSON schema allows only the dash
(2.3.1's allows both); spdx-tools writes the enum's name, ``PACKAGE_MANAGER``, which a reader
validating against the 2.3 schema refuses. spdx-tools reads both."""
_CHECKSUMS = {"sha1": "SHA1", "sha256": "SHA256", "sha384": "SHA384", "sha512": "SHA512"}
COMMENT = (
    "created is the newest build time of the audited packages, not the time "
    "this document was written: the same audit gives the same document"
)


def render(view: ReportView, *, purl_namespace: str | None = None) -> str:
    return "".join(render_chunks(view, purl_namespace=purl_namespace))


def render_chunks(view: ReportView, *, purl_namespace: str | None = None) -> Iterator[str]:
    """The document in pieces, its packages and relationships written one at a time. The
    namespace comes first but is the digest of the rest: the packages and relationships are
    made once, for the digest, and their text is kept (`_Document.spool`) until it is written."""
    document = _Document(view, purl_namespace)
    with contextlib.closing(document.spool):
        namespace = NAMESPACE + document.digest()
        head = document.head()
        yield "{"
        separator = "\n  "
        for key in ("SPDXID", "annotations", "comment", "creationInfo", "dataLicense"):
            if key in head:
                yield f'{separator}"{key}": {indented(head[key], 1)}'
                separator = ",\n  "
        licences = document.licensing.extracted_licences()
        if licences:
            yield f',\n  "hasExtractedLicensingInfos": {indented(licences, 1)}'
        yield f',\n  "name": {indented(head["name"], 1)},\n  "spdxVersion": "SPDX-2.3"'
        yield f',\n  "documentNamespace": {indented(namespace, 1)}'
        if document.found.packages:
            yield ",\n  "
            yield from document.spooled("packages")
        yield ",\n  "
        yield from document.spooled("relationships")
        yield "\n}\n"


SPOOL_IN_MEMORY = 2 * 1024 * 1024
"""Bytes of the packages' and relationships' text held in memory; the rest of a large
document's waits in a temporary file. Made twice instead (once for the digest, once for the
text), they were a third of the time of writing the document."""


ANNOTATIONS_REMEMBERED = 1024
"""Distinct properties whose annotation `_Document` keeps, of those `sbom.SHARED` names."""
_BATCH = jsonlines.SPOOL_PIECE // 4
"""Characters of an array's text (and about as many bytes of its compact text, for the digest)
`_Document._spool_array` gathers before it writes them: a quarter of what `indented_array`
gathered, as the compact text is held too."""


class _Document:
    """The parts of one audit's document, each made when asked for (`render_chunks`)."""

    def __init__(self, view: ReportView, purl_namespace: str | None) -> None:
        self.view = view
        self.found = sbom.collect(view, purl_namespace)
        self.ids = _spdx_ids(self.found)
        self.created = _iso(_created(view))
        self.annotator = f"Tool: auditor-{view.version}"
        self.licensing = DeclaredLicences()
        for item in self.found.packages:
            self.licensing.declare(sbom.license_text(item.package))
        self.spool = Spool(SPOOL_IN_MEMORY)
        """The text of each array `digest` made, as `indented_array` writes it: `spooled`."""
        self.spooled_at: dict[str, tuple[int, int]] = {}
        self.annotations: dict[tuple[str, str], dict[str, str]] = {}
        """`_annotation`'s, by property; never changed once made (msgspec encodes one many times)."""

    def head(self) -> dict[str, Any]:
        found: dict[str, Any] = {"SPDXID": DOCUMENT}
        annotations = [self._annotation(pair) for pair in sbom.document_properties(self.view)]
        if annotations:
            found["annotations"] = annotations
        found["comment"] = COMMENT
        found["creationInfo"] = {"created": self.created, "creators": [self.annotator]}
        found["dataLicense"] = "CC0-1.0"
        found["name"] = sbom.text("auditor: " + " ".join(self.view.options.targets))
        return found

    def digest(self) -> str:
        """The SHA-256 of the document with the namespace ``NAMESPACE + "pending"``, as
        ``json.dumps(document, sort_keys=True, ensure_ascii=False)`` writes it, written a
        package and a relationship at a time."""
        state = hashlib.sha256()
        head = self.head()
        licences = self.licensing.extracted_licences()
        fields: list[tuple[str, Any]] = [(key, head[key]) for key in head]
        fields.append(("documentNamespace", NAMESPACE + "pending"))
        fields.append(("spdxVersion", "SPDX-2.3"))
        if licences:
            fields.append(("hasExtractedLicensingInfos", licences))
        arrays: dict[str, Iterable[tuple[bytes, str]]] = {"relationships": self._relationship_texts()}
        if self.found.packages:
            arrays["packages"] = self._package_texts()
        keys = sorted([*(key for key, _ in fields), *arrays])
        values: dict[str, Any] = dict(fields)
        separator = "{"
        for key in keys:
            state.update(f"{separator}{_compact(key)}: ".encode())
            separator = ", "
            if key in values:
                state.update(_compact(values[key]).encode("utf-8", "surrogatepass"))
                continue
            start = self.spool.tell()
            empty = self._spool_array(state, key, arrays[key])
            self.spooled_at[key] = (start, self.spool.tell())
            state.update(b"[]" if empty else b"]")
        state.update(b"}")
        return state.hexdigest()

    def _spool_array(self, state: Any, key: str, items: Iterable[tuple[bytes, str]]) -> bool:
        """Each item of the array ``key`` added to the digest as its compact UTF-8 text and to
        the spool as `indented_array` writes it (a batch at a time: hashed and written an item
        at a time, 66,000 items cost distro-10k's document a tenth of a second); whether it
        was empty."""
        hashed: list[bytes] = []
        pending = [f"{json.dumps(key)}: ["]
        size = 0
        mark, separator = b"[", "\n    "
        for compact, text in items:
            hashed += (mark, compact)
            pending += (separator, text)
            mark, separator = b", ", ",\n    "
            size += len(text)
            if size >= _BATCH:
                self._flush(state, hashed, pending)
                size = 0
        empty = mark == b"["
        pending.append("]" if empty else "\n  ]")
        self._flush(state, hashed, pending)
        return empty

    def _flush(self, state: Any, hashed: list[bytes], pending: list[str]) -> None:
        state.update(b"".join(hashed))
        self.spool.write("".join(pending).encode("utf-8", "surrogatepass"))
        hashed.clear()
        pending.clear()

    def spooled(self, key: str) -> Iterator[str]:
        """The text of the array ``key`` that `digest` wrote, in pieces of `jsonlines.SPOOL_PIECE` bytes."""
        start, end = self.spooled_at[key]
        decoder = codecs.getincrementaldecoder("utf-8")("surrogatepass")
        self.spool.seek(start)
        left = end - start
        while left > 0:
            piece = self.spool.read(min(jsonlines.SPOOL_PIECE, left))
            left -= len(piece)
            yield decoder.decode(piece, final=left <= 0)

    def packages(self) -> Iterator[dict[str, Any]]:
        for item in self.found.packages:
            yield self._package(item)

    def _package_texts(self) -> Iterator[tuple[bytes, str]]:
        """Each package as the digest reads it (`_compact`, in UTF-8) and as the document writes
        it (`indented`, in an array), both from msgspec: json's encoder took a fifth of the
        document's time. msgspec formats ``indent=0`` with json's separators; a lone surrogate,
        which it refuses, sends the package through json."""
        for item in self.packages():
            try:
                compact = msgspec.json.format(_SORTED.encode(item), indent=0)
            except UnicodeEncodeError:
                compact = _compact(item).encode("utf-8", "surrogatepass")
            yield compact, indented(item, 2)

    def _relationship_texts(self) -> Iterator[tuple[bytes, str]]:
        return relationship_texts(self.ids, self.found)

    def _package(self, item: SbomPackage) -> dict[str, Any]:
        package = item.package
        location = item.row.path if item.row else package.location
        download = sbom.iri(location) if "://" in location else None
        homepage = _homepage(package.url) if package.url else None
        found: dict[str, Any] = {"SPDXID": self.ids[item.index]}
        digest = sbom.digest(package)
        if digest:
            found["checksums"] = [{"algorithm": _CHECKSUMS[digest[0]], "checksumValue": digest[1]}]
        valid_download = download and not validate_download_location(download)
        found["downloadLocation"] = download if valid_download else NO_ASSERTION
        found["externalRefs"] = [
            {
                "referenceCategory": PACKAGE_MANAGER,
                "referenceLocator": item.purl_text,
                "referenceType": "purl",
            }
        ]
        found["filesAnalyzed"] = False
        if homepage:
            found["homepage"] = homepage
        found["licenseConcluded"] = NO_ASSERTION
        value = sbom.license_text(package)
        found["licenseDeclared"] = self.licensing.declared[value] if value else NO_ASSERTION
        found["name"] = sbom.text(package.name)
        file_name = sbom.file_name(item)
        if file_name:
            found["packageFileName"] = file_name
        found["primaryPackagePurpose"] = "SOURCE" if package.is_source else "INSTALL"
        source_info = _source_info(item)
        if source_info:
            found["sourceInfo"] = source_info
        if package.summary:
            found["summary"] = sbom.text(package.summary)
        supplier = _supplier(package)
        if supplier:
            found["supplier"] = supplier
        found["versionInfo"] = sbom.text(sbom.evr_text(package))
        pairs = (
            sbom.package_properties(item.row, self.view)
            if item.row
            else sbom.context_properties(item, self.view)
        )
        annotations = [self._annotation(pair) for pair in pairs]
        if annotations:
            found["annotations"] = annotations
        return found

    def _annotation(self, pair: tuple[str, str]) -> dict[str, str]:
        """The annotation of one property, made once for a pair many packages have (``audited``,
        ``status``, ``rule``...): 77,000 of distro-10k's are of a few hundred pairs."""
        if pair[0] not in sbom.SHARED:
            return self._made_annotation(pair)
        found = self.annotations.get(pair)
        if found is None:
            if len(self.annotations) >= ANNOTATIONS_REMEMBERED:
                self.annotations.clear()
            found = self.annotations[pair] = self._made_annotation(pair)
        return found

    def _made_annotation(self, pair: tuple[str, str]) -> dict[str, str]:
        name, value = pair
        return {
            "annotationDate": self.created,
            "annotationType": "OTHER",
            "annotator": self.annotator,
            "comment": sbom.text(f"{sbom.PREFIX}{name}={value}"),
        }

    def relationships(self) -> Iterator[Relationship]:
        return relationships(self.ids, self.found)


def _compact(value: Any) -> str:
    """``json.dumps(value, sort_keys=True, ensure_ascii=False)``, by one encoder: json.dumps
    makes an encoder at every call with other than its default options (2.7 us of 5.2 for a
    relationship, of which a distribution's document has 350,000)."""
    return _COMPACT(value)


_COMPACT = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
_SORTED = msgspec.json.Encoder(order="sorted")


def _iso(moment: datetime.datetime) -> str:
    """spdx-tools' ISO 8601: UTC, to the second, with ``Z``."""
    return moment.astimezone(datetime.UTC).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _created(view: ReportView) -> datetime.datetime:
    newest = max((row.package.buildtime or 0 for row in view.rows), default=0)
    try:
        return datetime.datetime.fromtimestamp(newest, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):  # a build time repodata made up
        return datetime.datetime.fromtimestamp(0, tz=datetime.UTC)


def _spdx_ids(found: Sbom) -> SpdxIds:
    """``SPDXRef-`` and the NEVRA with what an SPDX id cannot hold made ``-``; ``-2``... for a repeat."""
    ids = SpdxIds(len(found.graph.packages))
    taken: set[str] = set()
    for item in found.packages:
        base = "SPDXRef-" + (slug(item.package.nevra) or "package")
        candidate, copy = base, 1
        while candidate in taken:
            copy += 1
            candidate = f"{base}-{copy}"
        taken.add(candidate)
        ids.name(item.index, candidate)
    return ids


def _supplier(package: model.Package) -> str | None:
    found = supplier(package)
    if found is None:
        return None
    name, email = found
    return f"Organization: {name} ({email})" if email else f"Organization: {name}"


def supplier(package: model.Package) -> tuple[str, str | None] | None:
    """The Vendor (else Packager) as an SPDX organization: its name and e-mail address, on one
    line (an actor is one line to SPDX's readers: a Vendor with a line break made a document
    spdx-tools could not read back)."""
    value = package.vendor or package.packager
    return _organization(value) if value else None


@functools.lru_cache(maxsize=4096)
def _organization(value: str) -> tuple[str, str | None]:
    # A distribution has a few vendors and tens of thousands of packages: parseaddr once each.
    text = " ".join(sbom.text(value).split())
    name, email = parseaddr(text)
    if name and email and "@" in email:
        return name, email
    return text, None


@functools.lru_cache(maxsize=1024)
def _homepage(url: str) -> str | None:
    """The URL tag as ``homepage``, when spdx-tools takes it for a URL: made once per value (the
    binaries of a source share their URL tag)."""
    homepage = sbom.iri(url)
    return homepage if homepage and not validate_url(homepage) else None


def _source_info(item: SbomPackage) -> str:
    lines = [f"{source.label}: {source.url}" for source in sbom.source_references(item.package)]
    if not item.package.is_source and item.package.sourcerpm:
        lines.insert(0, f"built from {item.package.sourcerpm}")
    return sbom.text("\n".join(lines))
