"""What a bill of materials says about a run, whatever its format (CycloneDX, SPDX).

The components are the audited packages, then the context packages an audited package
needs (a requirement or BuildRequires that only they, or they too, satisfy): a dependency
must name a component of the document. A context package's own requirements are not
resolved, so its dependencies are unknown, not none: ``auditor:audited`` is ``false``,
it has no CycloneDX ``dependencies`` entry and SPDX says DEPENDS_ON NOASSERTION.

Each package is named by a purl (``pkg:rpm/NAMESPACE/NAME@VERSION-RELEASE?arch=ARCH&epoch=E``).
The namespace is ``--purl-namespace`` when given, else the package's Distribution, else its
Vendor, lower-cased with every run of characters other than letters, digits, ``.``, ``_``,
``+`` and ``-`` made one ``-`` (``Citrix Systems, Inc.`` -> ``citrix-systems-inc``); without
either, the purl has no namespace. Letters and digits are any script's, in Unicode's composed
form (NFC), and the purl percent-encodes them as UTF-8, as the purl specification says of a
namespace: ``Ünïcode`` is ``%C3%BCn%C3%AFcode``, not ``n-code``, which another vendor (``N
Code``) could share. The epoch is a qualifier when it is not 0 (rpm and
repodata write a missing epoch as 0: the same package gets the same purl from both).

A package's dependencies are the packages that satisfy its requirements as the resolver
found them, every alternative of every group (the graph the taints were propagated on):
a binary's runtime requirements, a source package's BuildRequires. ``rpmlib()`` features
(rpm provides them) and a package's own provides are not dependencies; weak dependencies
are not either (neither format says "weak").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from cyclonedx.spdx import fixup_id
from license_expression import Licensing  # type: ignore[import-untyped]
from packageurl import PackageURL

from auditor.audit.facts import FactKind
from auditor.audit.facttext import finding_text
from auditor.audit.labels import read_from_spec
from auditor.deps.graph import DependencyGraph
from auditor.reports.purl_text import purl_text
from auditor.reports.rows import Gate, PackageView
from auditor.reports.sbom_run import document_properties as document_properties
from auditor.reports.text import clean_text, hop_text
from auditor.reports.view import ReportView
from auditor.rpm.model import Package, SourceKind

PREFIX = "auditor:"
"""The namespace of the auditor's properties (CycloneDX) and annotations (SPDX)."""
SHARED = frozenset({"audited", "status", "statuses", "blocking", "gate", "category", "rule", "waived"})
"""Properties of a few values many packages share: made once each (not ``why``, ``gap``...)."""

_NAMESPACE_NOISE = re.compile(r"[^\w.+-]+")
"""What a namespace makes one ``-`` of: all but letters and digits (any script's), ``.``,
``_``, ``+`` and ``-``."""
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~"
"""What stays as it is in a URL: RFC 3986's reserved characters and ``%`` (quote keeps letters,
digits and ``-._~``); everything else, non-ASCII included, is percent-encoded as UTF-8."""
_VCS_SCHEMES = frozenset({"git", "svn", "hg", "bzr"})
_DIGEST_LENGTHS = {"sha1": 40, "sha256": 64, "sha384": 96, "sha512": 128}
_AS_WRITTEN = Licensing()
"""A licensing that knows no licence: the symbols of an expression as the tag writes them."""


@dataclass(frozen=True, slots=True)
class SbomPackage:
    index: int
    """The package's id in the run."""
    package: Package
    ref: str
    """Unique in the document: the purl, with ``#2``, ``#3``... for a second copy of one NEVRA."""
    purl_text: str
    """The package's purl (`purl_of`) as text, made once: packageurl normalizes every part at each
    call. The object is not kept: a distribution's 60,000 of them, their qualifiers and version
    strings, held 20 MB for the whole document."""
    row: PackageView | None
    """The audited package's view; None for a context package."""


@dataclass(frozen=True)
class SourceReference:
    """A Source or Patch URL of a source package."""

    url: str
    vcs: bool
    """A version-control URL (``git://``, ``git+https://``, ``...something.git``) rather than an archive."""
    label: str
    """``Source0``, ``Patch3``..."""


@dataclass(frozen=True)
class Sbom:
    packages: tuple[SbomPackage, ...]
    """The audited packages (the view's order), then the context packages they need (by NEVRA)."""
    graph: DependencyGraph
    """The run's graph, which `depends_on` and `built_from` read as each package is written: a
    table of either for a distribution's 60,000 packages held 10 MB for the whole document."""

    def depends_on(self, item: SbomPackage) -> tuple[int, ...]:
        """The ids of the packages an audited package's requirements need; none for a context
        package (its requirements are not resolved)."""
        return () if item.row is None else _depends_on(self.graph, item.index)

    def built_from(self, index: int) -> tuple[int, ...]:
        """The ids of binary package ``index``'s source package when the run holds it (several
        copies when the run cannot tell which one it was built from: `DependencyGraph.sources_of`)."""
        return self.graph.sources_of(index) if index in self.graph.built_from else ()


def collect(view: ReportView, purl_namespace: str | None = None) -> Sbom:
    graph = view.audit.graph
    audited = [row.index for row in view.rows]
    seen = set(audited)
    context = sorted(
        {target for index in audited for target in _depends_on(graph, index) if target not in seen},
        key=lambda index: (view.packages[index].nevra, index),
    )
    rows = {row.index: row for row in view.rows}
    refs: dict[str, int] = {}
    packages = []
    for index in [*audited, *context]:
        package = view.packages[index]
        text = ref = purl_text_of(package, purl_namespace)
        copies = refs[ref] = refs.get(ref, 0) + 1
        if copies > 1:
            ref = f"{ref}#{copies}"
        packages.append(SbomPackage(index, package, ref, text, rows.get(index)))
    return Sbom(tuple(packages), graph)


def _depends_on(graph: DependencyGraph, index: int) -> tuple[int, ...]:
    groups = graph.build.get(index, ()) if graph.packages[index].is_source else graph.runtime.get(index, ())
    found = {member for group in groups for member in group.members if member != index}
    return tuple(sorted(found))


# -- purls --------------------------------------------------------------------------------


def namespace_of(package: Package, override: str | None = None) -> str | None:
    """The purl namespace: the override, else the Distribution, else the Vendor (see the module doc)."""
    if override:
        return override.lower()
    for value in (package.distribution, package.vendor):
        if value:
            slug = _slug(value)
            if slug:
                return slug
    return None


@functools.lru_cache(maxsize=4096)
def _slug(value: str) -> str:
    # A distribution has a few vendors and tens of thousands of packages: one string each.
    return _NAMESPACE_NOISE.sub("-", unicodedata.normalize("NFC", value).lower()).strip("-.")


class RpmPurl(PackageURL):
    """A purl that reads back as the package's own name: its ``/`` percent-encoded, as the purl
    specification requires, and none stripped.

    packageurl writes a name's ``/`` as it is, and every purl reader then takes what comes before it for
    more namespace: repodata naming a package ``evil/glibc`` made ``pkg:rpm/fedora/evil/glibc@...``, which
    reads back as ``glibc`` of namespace ``fedora/evil``. It also strips a name's leading and trailing
    ``/`` and spaces, when made and when written: ``/glibc`` was ``pkg:rpm/fedora/glibc@...``, a package
    it is not, and a name of only ``/`` no purl at all (a TypeError). Made with ``normalize_purl=False``
    (see `rpm_purl`), the object keeps the name; written, the name is put in whole. rpmbuild refuses such
    names; metadata can say anything."""

    __slots__ = ()

    def to_string(self, encode: bool | None = True) -> str:
        if not encode or not isinstance(self.qualifiers, dict) or self.subpath:
            return super().to_string(encode)
        # packageurl normalizes every part at every call (63,000 packages: 3 s of a CycloneDX
        # document's 10): `purl_text` writes what it would.
        qualifiers = tuple(self.qualifiers.items())
        return purl_text(self.type, self.namespace, self.name, self.version, qualifiers)

    def __str__(self) -> str:
        return self.to_string()


def rpm_purl(namespace: str | None, name: str, version: str, qualifiers: dict[str, str]) -> RpmPurl:
    """The purl of an rpm package, its name kept as the package's (`RpmPurl`)."""
    return RpmPurl(
        type="rpm",
        namespace=namespace,
        name=name,
        version=version,
        qualifiers=qualifiers,
        normalize_purl=False,
    )


def purl_of(package: Package, namespace: str | None = None) -> PackageURL:
    return rpm_purl(
        namespace_of(package, namespace), package.name, _version(package), dict(qualifiers_of(package))
    )


def purl_text_of(package: Package, namespace: str | None = None) -> str:
    """`purl_of`'s text, without the object (`auditor.reports.purl_text`)."""
    return purl_text(
        "rpm", namespace_of(package, namespace), package.name, _version(package), qualifiers_of(package)
    )


def qualifiers_of(package: Package) -> tuple[tuple[str, str], ...]:
    arch = ("arch", package.arch)
    return (arch, ("epoch", str(package.epoch))) if package.epoch else (arch,)


def _version(package: Package) -> str:
    return f"{package.version}-{package.release}"


def source_purl(binary: Package, source: Package | None, namespace: str | None) -> PackageURL | None:
    """The purl of the source package a binary was built from: the source's own when the run
    holds it, else from the binary's SOURCERPM file name (`sourcerpm_purl`)."""
    if source is not None:
        return purl_of(source, namespace)
    parts = sourcerpm_purl(binary, namespace)
    return None if parts is None else rpm_purl(parts[0], parts[1], parts[2], dict(parts[3]))


def sourcerpm_purl(
    binary: Package, namespace: str | None
) -> tuple[str | None, str, str, tuple[tuple[str, str], ...]] | None:
    """The namespace, name, version and qualifiers of the purl of the source package the binary's
    SOURCERPM file name names (no epoch: the name does not carry it), or None."""
    name = binary.source_name
    stem = (binary.sourcerpm or "").removesuffix(".rpm")
    stem, _, arch = stem.rpartition(".")
    parts = stem.rsplit("-", 2)
    if name is None or len(parts) != 3 or arch not in ("src", "nosrc"):
        return None
    return namespace_of(binary, namespace), name, f"{parts[1]}-{parts[2]}", (("arch", arch),)


def evr_text(package: Package) -> str:
    """``[epoch:]version-release``, as rpm prints it (no epoch when 0)."""
    epoch = f"{package.epoch}:" if package.epoch else ""
    return f"{epoch}{package.version}-{package.release}"


def digest(package: Package) -> tuple[str, str] | None:
    """(``sha1``/``sha256``/``sha384``/``sha512``, lower-case hex) of the package file, when
    its checksum is one of those and looks like one (repodata is not trusted to)."""
    checksum = package.checksum
    if checksum is None:
        return None
    algorithm = checksum.algorithm.lower()
    algorithm = "sha1" if algorithm == "sha" else algorithm  # yum's name for SHA-1
    value = checksum.value.lower()
    length = _DIGEST_LENGTHS.get(algorithm)
    if length is None or len(value) != length or value.strip("0123456789abcdef"):
        return None
    return algorithm, value


def file_name(item: SbomPackage) -> str:
    """The name of the file ``item`` was read from, "" for a binary read from a spec (a spec
    file's, or one a source RPM's rebuild makes, `read_from_spec`): it was never built, and the
    file it was read from is its source package's, not one dnf installs."""
    package = item.package
    if read_from_spec(package) and not package.is_source:
        return ""
    return text((item.row.path if item.row else package.location).rsplit("/", 1)[-1])


def license_text(package: Package) -> str:
    """The License tag on one line ("" when there is none)."""
    return " ".join(text(package.license or "").split())


def names_spdx_ids_only(value: str) -> bool:
    """Whether every licence and exception the License tag names is an SPDX id as written (any case,
    deprecated ids too). The libraries that read expressions also take license-expression's own aliases
    for ids (``GPL`` for GPL-1.0-or-later, ``LicenseRef-GPL`` too): a licence the packager never wrote,
    and one the two documents then said differently (SPDX the id, CycloneDX the alias as an expression).
    Such a tag is a licence name, not an expression."""
    try:
        symbols = _AS_WRITTEN.license_symbols(_AS_WRITTEN.parse(value), decompose=True)
    except MemoryError:  # the run's to end (exit 4), not a licence read as a name
        raise
    except Exception:  # license-expression fails in several ways on what is no expression
        return False
    return bool(symbols) and all(fixup_id(str(symbol.key)) is not None for symbol in symbols)


# -- references ---------------------------------------------------------------------------


def source_references(package: Package) -> list[SourceReference]:
    """The Source and Patch URLs of a source package, in spec order."""
    found = []
    for item in package.sources:
        if not item.is_url:
            continue
        label = ("Source" if item.kind is SourceKind.SOURCE else "Patch") + (
            str(item.number) if item.number is not None else ""
        )
        found.append(SourceReference(item.value, is_vcs(item.value), label))
    return found


def iri(url: str) -> str | None:
    """A URL from package metadata as a document can carry it, or None when it is not a URL
    (``scheme://host...``). What an IRI cannot hold is percent-encoded (spaces, controls, the
    ``%`` of an unexpanded macro, a second ``#``, a file name's byte that is not UTF-8: ``%FF``,
    as SARIF's URIs write it), so hostile metadata still makes a valid document; the JSON report
    keeps the value as written."""
    head, hash_, tail = url.strip().partition("#")  # a control percent-encoded, not U+FFFD
    encoded = _uri_text(head) + hash_ + _uri_text(tail).replace("#", "%23")
    return encoded if _URL.match(encoded) else None


def _uri_text(value: str) -> str:
    return quote(_BAD_PERCENT.sub("%25", value), safe=_URI_SAFE, errors="surrogateescape")


def is_vcs(url: str) -> bool:
    """A version-control URL: a git/svn/hg/bzr scheme (``git+https`` too), or a path ending in ``.git``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    return bool(_VCS_SCHEMES & set(scheme.split("+"))) or parts.path.rstrip("/").endswith(".git")


# -- the auditor's findings ---------------------------------------------------------------


def package_properties(row: PackageView, view: ReportView) -> Iterator[tuple[str, str]]:
    """The decision about one audited package, as (name, value) pairs (names without the prefix)."""
    yield "audited", "true"
    if row.label != row.package.nevra:  # a spec's, or one of a NEVRA (maybe a purl) two packages have
        yield "label", row.label
    yield "status", row.status.value
    yield "statuses", ",".join(status.value for status in row.statuses)
    yield "blocking", _boolean(row.blocking)
    yield "gate", row.gate.value or "none"
    facts = [item.fact for item in row.facts]
    for category in sorted({fact.category.value for fact in facts if fact.category and fact.taints}):
        yield "category", category
    for rule in sorted({fact.rule for fact in facts}):
        yield "rule", rule
    for waiver in row.waivers:
        yield "waived", waiver
    if row.gate is Gate.BASELINED:
        yield "baselined", "true"
    if row.chain:
        yield "chain", hop_text(row.chain[0], view.packages)
    for fact in facts:
        if fact.kind is FactKind.UNRESOLVED and fact.resolution is not None:
            yield "unresolved", str(fact.resolution.dependency)
    for fact in facts:
        if fact.gap is not None:
            yield "gap", str(fact.gap)
    if row.why:
        yield "why", row.why


def context_properties(item: SbomPackage, view: ReportView) -> Iterator[tuple[str, str]]:
    """A context package's: no status, as the gate judges none of its facts, but its evidence, which
    its requirers' taints end at (a clean-looking name served from a Citrix host said nothing)."""
    yield "audited", "false"
    for finding in view.unaudited_findings(item.index):
        if finding.effective:
            yield "origin", finding_text(finding)


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def text(value: str) -> str:
    """Untrusted metadata as a document carries it (no control character, no lone surrogate)."""
    return clean_text(value)
