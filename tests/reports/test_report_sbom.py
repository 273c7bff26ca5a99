"""The SBOMs: ``--format cyclonedx`` is valid CycloneDX 1.6 by the library's strict validator and
reads back with the library; ``--format spdx`` is valid SPDX 2.3 by spdx-tools' validator and
says what the CycloneDX BOM says; both say what the audit found.

Checked on the shipped example and on the real RPM fixtures, through the command a release
manager runs; synthetic packages (`tests.universe`) go through the real pipeline for the
cases the fixtures lack (an SPDX expression, a duplicate NEVRA, hostile URLs).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path
from typing import Any

import packageurl
import pytest
from cyclonedx.model.bom import Bom
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator
from packageurl import PackageURL
from spdx_tools.spdx.model.document import Document as SpdxDocument
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from auditor.cli.main import main
from auditor.reports import cyclonedx, jsonlines, sbom, spdx, spdx_relationships
from auditor.reports.render import FORMATS, render_pieces
from tests.conftest import RPMS
from tests.paths import ROOT
from tests.report_cases import CITRIX, audit_of, gate_view, view_of, waiver

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"
SPDX_SCHEMA = Draft7Validator(json.loads((ROOT / "tests" / "schemas" / "spdx-schema-2.3.json").read_text()))
REPO, SRPMS = str(EXAMPLE / "repo"), str(EXAMPLE / "srpms")


def bom_of(args: list[str], tmp_path: Path, expected: int = 1) -> tuple[str, dict[str, Any]]:
    """``auditor scan ARGS --format cyclonedx -o FILE``: the BOM's text and document."""
    target = tmp_path / "release.cdx.json"
    assert main(["scan", *args, "--format", "cyclonedx", "-o", str(target), "-q", "--no-cache"]) == expected
    text = target.read_text(encoding="utf-8")
    return text, json.loads(text)


def valid(text: str) -> bool:
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, str(error)
    return True


def component(document: dict[str, Any], ref: str) -> dict[str, Any]:
    return next(item for item in document["components"] if item["bom-ref"] == ref)


def properties(item: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for entry in item.get("properties", []):
        found.setdefault(entry["name"], []).append(entry["value"])
    return found


def depends_on(document: dict[str, Any]) -> dict[str, set[str]]:
    return {entry["ref"]: set(entry.get("dependsOn", [])) for entry in document["dependencies"]}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    return bom_of([REPO, SRPMS], tmp_path_factory.mktemp("example"))


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    return bom_of([str(RPMS)], tmp_path_factory.mktemp("fixtures"))


def test_the_example_is_valid_cyclonedx_1_6(example: tuple[str, dict[str, Any]]) -> None:
    text, document = example
    assert valid(text)
    assert document["specVersion"] == "1.6" and document["bomFormat"] == "CycloneDX"
    assert len(document["components"]) == 31  # every audited package, binary and source


def test_the_fixtures_are_valid_cyclonedx_1_6(fixtures: tuple[str, dict[str, Any]]) -> None:
    text, document = fixtures
    assert valid(text)
    assert len(document["components"]) == len(list(RPMS.glob("*.rpm")))


@pytest.mark.parametrize("case", ["example", "fixtures"])
def test_the_library_reads_back_the_same_components_and_dependencies(
    case: str, request: pytest.FixtureRequest
) -> None:
    text, document = request.getfixturevalue(case)
    bom = Bom.from_json(json.loads(text))  # type: ignore[attr-defined]  # added by the serializable decorator
    assert {(str(c.bom_ref.value), str(c.purl)) for c in bom.components} == {
        (c["bom-ref"], c["purl"]) for c in document["components"]
    }
    read = {str(d.ref.value): {str(t.ref.value) for t in d.dependencies} for d in bom.dependencies}
    assert read == depends_on(document)
    assert any(read.values())


def test_purls_follow_the_rpm_type(fixtures: tuple[str, dict[str, Any]]) -> None:
    _, document = fixtures
    refs = {item["bom-ref"] for item in document["components"]}
    # The epoch is a qualifier, the version is version-release, a source package is arch=src.
    assert "pkg:rpm/epochs@1.2-4?arch=noarch&epoch=3" in refs
    assert "pkg:rpm/epochs@1.2-4?arch=src&epoch=3" in refs
    # The namespace is the Distribution (XenServer), lower-cased, before the Vendor (Citrix).
    xs = component(document, "pkg:rpm/xenserver/xs-sources@1.0-1?arch=noarch")
    assert PackageURL.from_string(xs["purl"]).namespace == "xenserver"
    assert xs["supplier"] == {"name": "Citrix Systems, Inc."}
    # Neither: no namespace, no epoch qualifier.
    signed = component(document, "pkg:rpm/signed@1.0-1?arch=noarch")
    assert signed["purl"] == signed["bom-ref"] and signed["version"] == "1.0-1"
    assert component(document, "pkg:rpm/epochs@1.2-4?arch=noarch&epoch=3")["version"] == "3:1.2-4"


def test_the_namespace_falls_back_to_the_vendor_and_can_be_set(tmp_path: Path) -> None:
    _, document = bom_of([REPO], tmp_path)
    assert "pkg:rpm/citrix-systems-inc/v6d-citrix@10.1.0-1.xs8?arch=noarch" in {
        item["purl"] for item in document["components"]
    }
    _, document = bom_of([REPO, "--purl-namespace", "XCP-ng"], tmp_path)
    assert {PackageURL.from_string(item["purl"]).namespace for item in document["components"]} == {"xcp-ng"}
    assert main(["scan", REPO, "--format", "cyclonedx", "--purl-namespace", "xcp ng", "-q"]) == 2


def test_the_package_file_digest_is_the_files_sha256(fixtures: tuple[str, dict[str, Any]]) -> None:
    _, document = fixtures
    item = component(document, "pkg:rpm/epochs@1.2-4?arch=src&epoch=3")
    digest = hashlib.sha256((RPMS / "epochs-1.2-4.src.rpm").read_bytes()).hexdigest()
    assert item["hashes"] == [{"alg": "SHA-256", "content": digest}]


def test_licences_are_spdx_where_they_parse_and_names_where_they_do_not(
    fixtures: tuple[str, dict[str, Any]],
) -> None:
    _, document = fixtures
    assert component(document, "pkg:rpm/signed@1.0-1?arch=noarch")["licenses"] == [{"license": {"id": "MIT"}}]
    xs = component(document, "pkg:rpm/xenserver/xs-sources@1.0-1?arch=noarch")
    assert xs["licenses"] == [{"license": {"name": "Proprietary and BSD"}}]
    view = view_of(
        audit_of(
            [
                {"name": "modern", "license": "GPL-2.0-or-later AND MIT"},
                {"name": "callaway", "license": "GPLv2+"},
                {"name": "none"},
            ]
        )
    )
    text = FORMATS["cyclonedx"](view)
    assert valid(text)
    licences = {item["name"]: item.get("licenses") for item in json.loads(text)["components"]}
    assert licences == {
        "modern": [{"expression": "GPL-2.0-or-later AND MIT"}],
        "callaway": [{"license": {"name": "GPLv2+"}}],
        "none": None,
    }


def test_a_binary_names_its_source_package_as_its_pedigree(example: tuple[str, dict[str, Any]]) -> None:
    _, document = example
    binary = component(document, "pkg:rpm/blktap@3.54.0-1.xcpng?arch=noarch")
    source = component(document, "pkg:rpm/blktap@3.54.0-1.xcpng?arch=src")
    [ancestor] = binary["pedigree"]["ancestors"]
    assert ancestor["purl"] == source["purl"] and ancestor["hashes"] == source["hashes"]
    assert "pedigree" not in source


def test_without_the_source_package_the_pedigree_comes_from_sourcerpm(tmp_path: Path) -> None:
    text, document = bom_of([REPO, "--no-source-discovery"], tmp_path)
    assert valid(text)
    binary = component(document, "pkg:rpm/blktap@3.54.0-1.xcpng?arch=noarch")
    assert binary["pedigree"]["ancestors"] == [
        {
            "name": "blktap",
            "purl": "pkg:rpm/blktap@3.54.0-1.xcpng?arch=src",
            "type": "library",
            "version": "3.54.0-1.xcpng",
        }
    ]


def test_dependencies_are_the_providers_the_resolver_found(example: tuple[str, dict[str, Any]]) -> None:
    _, document = example
    graph = depends_on(document)
    assert graph["pkg:rpm/xcp-ng-deps@1.0-1.xcpng?arch=noarch"] >= {
        "pkg:rpm/xapi-core@1.249.0-1.xcpng?arch=noarch"
    }
    # A source package's dependencies are its BuildRequires' providers.
    assert (
        "pkg:rpm/citrix-systems-inc/citrix-build-tools@3.0-1.xcpng?arch=noarch"
        in graph["pkg:rpm/blktap@3.54.0-1.xcpng?arch=src"]
    )
    # sm-cli and sm-fairlock require each other: a cycle, as the resolver found it.
    assert (
        "pkg:rpm/sm-cli@2.30.8-1.xcpng?arch=noarch" in graph["pkg:rpm/sm-fairlock@2.30.8-1.xcpng?arch=noarch"]
    )


def test_every_alternative_is_a_dependency_and_rpmlib_and_self_provides_are_not() -> None:
    view = view_of(
        audit_of(
            [
                {"name": "xenlicense", **CITRIX, "provides": ["licensing"]},
                {"name": "freelicense", "provides": ["licensing"]},
                {"name": "chooser", "requires": ["licensing", "(a-lib or b-lib)"]},
                {"name": "a-lib"},
                {"name": "b-lib"},
                {
                    "name": "selfish",
                    "provides": ["own-thing"],
                    "requires": ["own-thing", "rpmlib(CompressedFileNames) <= 3.0.4-1"],
                },
            ]
        )
    )
    document = json.loads(FORMATS["cyclonedx"](view))
    name = {item["bom-ref"]: item["name"] for item in document["components"]}
    graph = {name[ref]: {name[target] for target in targets} for ref, targets in depends_on(document).items()}
    assert graph["chooser"] == {"xenlicense", "freelicense", "a-lib", "b-lib"}
    assert graph["selfish"] == set()


def test_a_blocking_package_carries_the_decision(example: tuple[str, dict[str, Any]]) -> None:
    _, document = example
    origin = properties(component(document, "pkg:rpm/citrix-systems-inc/v6d-citrix@10.1.0-1.xs8?arch=noarch"))
    assert origin["auditor:status"] == ["origin"] and origin["auditor:blocking"] == ["true"]
    assert origin["auditor:gate"] == ["blocking"] and origin["auditor:category"] == ["citrix", "proprietary"]
    assert "citrix-vendor" in origin["auditor:rule"] and "proprietary-license" in origin["auditor:rule"]
    deps = properties(component(document, "pkg:rpm/xcp-ng-deps@1.0-1.xcpng?arch=noarch"))
    assert deps["auditor:status"] == ["depends"] and deps["auditor:blocking"] == ["true"]
    assert deps["auditor:chain"] == ["needs xenopsd-0.150.0-1.xcpng.noarch (for xenopsd)"]
    # It needs Citrix packages, and one of its requirements' alternatives leads to proprietary code.
    assert deps["auditor:rule"] == ["status:depends", "status:may-depend"]
    assert deps["auditor:category"] == ["citrix", "proprietary"]
    clean = properties(component(document, "pkg:rpm/xcp-featured@1.1.0-1.xcpng?arch=noarch"))
    assert clean["auditor:status"] == ["clean"] and clean["auditor:blocking"] == ["false"]
    assert "auditor:category" not in clean and "auditor:chain" not in clean
    run = properties(document["metadata"])
    assert run["auditor:exit-code"] == ["1"] and run["auditor:complete"] == ["true"]
    assert run["auditor:taint-severity"] == ["medium"] and run["cdx:reproducible"] == ["true"]
    assert document["metadata"]["tools"]["components"][0]["name"] == "auditor"


def test_waivers_unresolved_requirements_and_gaps_are_properties() -> None:
    view = view_of(
        audit_of(
            [
                {"name": "xenlicense", **CITRIX},
                {"name": "xapi", "requires": ["xenlicense"]},
                {"name": "lonely", "requires": ["missing-thing"]},
                {"name": "gappy", "gaps": [("source-not-audited", "gappy-1.0-1.src.rpm")]},
            ]
        ),
        [waiver("xapi")],
    )
    text = FORMATS["cyclonedx"](view)
    assert valid(text)
    found = {item["name"]: properties(item) for item in json.loads(text)["components"]}
    assert found["xapi"]["auditor:gate"] == ["waived"] and found["xapi"]["auditor:blocking"] == ["false"]
    assert found["xapi"]["auditor:waived"] == ["waiver-xapi-tools"]
    assert found["lonely"]["auditor:unresolved"] == ["missing-thing"]
    assert found["lonely"]["auditor:status"] == ["unresolved"]
    # Every binary of the universe names no source package (its own gap), and gappy has one more.
    assert found["gappy"]["auditor:gap"] == [
        "source-not-audited: gappy-1.0-1.src.rpm",
        "source-not-audited: its source package is unknown: the package names none (no SOURCERPM)",
    ]
    assert properties(json.loads(text)["metadata"])["auditor:incomplete"] == ["5 source-not-audited"]


def test_context_packages_an_audited_one_needs_are_components_marked_not_audited(tmp_path: Path) -> None:
    text, document = bom_of([SRPMS, "--with", REPO], tmp_path)
    assert valid(text)
    tools = component(document, "pkg:rpm/citrix-systems-inc/citrix-build-tools@3.0-1.xcpng?arch=noarch")
    said = properties(tools)
    assert said["auditor:audited"] == ["false"] and set(said) == {"auditor:audited", "auditor:origin"}
    # No status (the gate rules none of a context package's facts), but what makes it origin.
    assert "[citrix-corporate-host] url: https://www.citrix.com" in said["auditor:origin"]
    assert tools["bom-ref"] in depends_on(document)["pkg:rpm/blktap@3.54.0-1.xcpng?arch=src"]
    audited = [item for item in document["components"] if properties(item)["auditor:audited"] == ["true"]]
    assert {PackageURL.from_string(item["purl"]).qualifiers["arch"] for item in audited} == {"src"}


def test_a_context_package_has_no_dependency_entry_which_cyclonedx_reads_as_unknown(tmp_path: Path) -> None:
    """CycloneDX 1.6's schema: a component "that do[es] not have [its] own dependencies must be
    declared as [an] empty element", one "not represented in the dependency graph may have
    unknown dependencies". A context package's requirements are not resolved: its empty entry
    said it needs nothing, where SPDX says it DEPENDS_ON NOASSERTION."""
    text, document = bom_of([SRPMS, "--with", REPO], tmp_path)
    assert valid(text)
    context = {
        item["bom-ref"] for item in document["components"] if properties(item)["auditor:audited"] == ["false"]
    }
    listed = {entry["ref"] for entry in document["dependencies"]}
    assert context and not context & listed
    audited = {item["bom-ref"] for item in document["components"]} - context
    assert audited <= listed
    _, spdx_document = spdx_of([SRPMS, "--with", REPO], tmp_path)
    unknown = {
        r["spdxElementId"] for r in spdx_document["relationships"] if r["relatedSpdxElement"] == "NOASSERTION"
    }
    assert len(unknown) == len(context)


def test_hostile_metadata_and_duplicate_packages_still_make_a_valid_bom() -> None:
    assert valid(FORMATS["cyclonedx"](gate_view(hostile=True)))
    view = view_of(
        audit_of(
            [
                {"name": "twin", "url": "https://twin.example/%{name} h\udcffere#a#b"},
                {"name": "twin", "url": "not a url at all \x01"},
                {"name": "user", "requires": ["twin"], "license": "MIT\udcff"},
            ]
        )
    )
    text = FORMATS["cyclonedx"](view)
    assert valid(text)
    components = {item["bom-ref"]: item for item in json.loads(text)["components"]}
    # Two copies of one NEVRA are two components, and the requirement names both.
    twins = ["pkg:rpm/twin@1.0-1?arch=noarch", "pkg:rpm/twin@1.0-1?arch=noarch#2"]
    assert sorted(components) == [*twins, "pkg:rpm/user@1.0-1?arch=noarch"]
    assert depends_on(json.loads(text))["pkg:rpm/user@1.0-1?arch=noarch"] == set(twins)
    # What an IRI cannot hold is percent-encoded; a value that is no URL is left out.
    websites = [item.get("externalReferences", []) for item in components.values() if item["name"] == "twin"]
    assert sorted(map(len, websites)) == [0, 1]
    # A lone surrogate (a byte that is not UTF-8) is that byte, as SARIF's URIs write it.
    assert max(websites, key=len)[0]["url"] == "https://twin.example/%25%7Bname%7D%20h%FFere#a%23b"
    # In text, such a byte is written as every format writes it (`auditor.core.pathtext`).
    assert components["pkg:rpm/user@1.0-1?arch=noarch"]["licenses"] == [{"license": {"name": "MIT\\xff"}}]


def test_the_same_audit_gives_the_same_bytes(tmp_path: Path) -> None:
    first, document = bom_of([REPO, SRPMS], tmp_path)
    second, _ = bom_of([REPO, SRPMS], tmp_path)
    assert first == second
    assert "serialNumber" not in document and "timestamp" not in document["metadata"]
    view = gate_view()
    assert "".join(str(piece) for piece in render_pieces("cyclonedx", view)) == FORMATS["cyclonedx"](view)


# -- SPDX 2.3 ---------------------------------------------------------------------------------


def spdx_of(args: list[str], tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """``auditor scan ARGS --format spdx -o FILE``: the file, read back and checked by spdx-tools
    and by SPDX 2.3's JSON schema."""
    target = tmp_path / "release.spdx.json"
    assert main(["scan", *args, "--format", "spdx", "-o", str(target), "-q", "--no-cache"]) == 1
    assert spdx_valid(parse_file(str(target)))
    document = json.loads(target.read_text(encoding="utf-8"))
    assert spdx_schema_valid(document)
    return target, document


def spdx_schema_valid(document: dict[str, Any]) -> bool:
    """Valid by SPDX 2.3's own JSON schema (tests/schemas/README.md), as a reader that validates
    before it reads checks it: spdx-tools' validator checks the model, not the JSON's spelling."""
    errors = [f"{error.json_path}: {error.message}" for error in SPDX_SCHEMA.iter_errors(document)]
    assert errors == [], errors[:5]
    return True


def spdx_valid(document: SpdxDocument) -> bool:
    messages = validate_full_spdx_document(document)
    assert messages == [], [message.validation_message for message in messages[:5]]
    return True


def spdx_annotations(element: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for annotation in element.get("annotations", []):
        name, _, value = annotation["comment"].partition("=")
        found.setdefault(name, []).append(value)
    return found


def spdx_purls(document: dict[str, Any]) -> dict[str, str]:
    return {
        package["SPDXID"]: ref["referenceLocator"]
        for package in document["packages"]
        for ref in package["externalRefs"]
        if ref["referenceType"] == "purl"
    }


@pytest.mark.parametrize("case", ["example", "fixtures"])
def test_spdx_says_what_cyclonedx_says(case: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    _, bom = request.getfixturevalue(case)
    _, document = spdx_of([REPO, SRPMS] if case == "example" else [str(RPMS)], tmp_path)
    purls = spdx_purls(document)
    assert sorted(purls.values()) == sorted(item["purl"] for item in bom["components"])
    # The same graph: DEPENDS_ON for a binary, BUILD_DEPENDENCY_OF into a source package.
    edges: dict[str, set[str]] = {purl: set() for purl in purls.values()}
    for relationship in document["relationships"]:
        kind, source, target = (
            relationship["relationshipType"],
            relationship["spdxElementId"],
            relationship["relatedSpdxElement"],
        )
        if kind == "DEPENDS_ON":
            edges[purls[source]].add(purls[target])
        elif kind == "BUILD_DEPENDENCY_OF":
            edges[purls[target]].add(purls[source])
    assert edges == depends_on(bom)
    described = {
        r["relatedSpdxElement"] for r in document["relationships"] if r["relationshipType"] == "DESCRIBES"
    }
    assert described == set(purls)
    # The same decision.
    decisions = {purls[p["SPDXID"]]: spdx_annotations(p)["auditor:blocking"] for p in document["packages"]}
    assert decisions == {item["purl"]: properties(item)["auditor:blocking"] for item in bom["components"]}
    run = spdx_annotations(document)
    assert run["auditor:exit-code"] == properties(bom["metadata"])["auditor:exit-code"]


def test_spdx_licences_source_packages_and_reproducibility(tmp_path: Path) -> None:
    path, document = spdx_of([REPO, SRPMS], tmp_path)
    by_name = {(p["name"], p["primaryPackagePurpose"]): p for p in document["packages"]}
    binary, source = by_name[("blktap", "INSTALL")], by_name[("blktap", "SOURCE")]
    assert {
        "spdxElementId": binary["SPDXID"],
        "relatedSpdxElement": source["SPDXID"],
        "relationshipType": "GENERATED_FROM",
    } in document["relationships"]
    # "BSD" is no SPDX id: a LicenseRef whose text is the tag.
    assert binary["licenseDeclared"] == "LicenseRef-BSD" and binary["licenseConcluded"] == "NOASSERTION"
    assert {"licenseId": "LicenseRef-BSD", "extractedText": "BSD"}.items() <= next(
        info for info in document["hasExtractedLicensingInfos"] if info["licenseId"] == "LicenseRef-BSD"
    ).items()
    assert binary["checksums"][0]["algorithm"] == "SHA256" and binary["filesAnalyzed"] is False
    # created is the newest build time (the fixtures are built with SOURCE_DATE_EPOCH 2024-01-01).
    assert document["creationInfo"]["created"] == "2024-01-01T00:00:00Z"
    first = path.read_bytes()
    again, _ = spdx_of([REPO, SRPMS], tmp_path)
    assert again.read_bytes() == first
    namespaces = {document["documentNamespace"]}
    _, other = spdx_of([REPO], tmp_path)
    namespaces.add(other["documentNamespace"])
    assert len(namespaces) == 2  # another audit, another namespace


def test_spdx_expressions_sources_context_and_hostile_metadata(tmp_path: Path) -> None:
    view = view_of(
        audit_of(
            [
                {"name": "modern", "license": "GPL-2.0+ AND MIT"},
                {"name": "twin", "url": "https://127.0.0.1/%{name} h\udcffere#a#b"},
                {"name": "twin", "url": "https://twin.example.org/a b", "license": "Proprietary\x01"},
                {"name": "user", "requires": ["twin"], "license": "MIT\udcff"},
            ]
        )
    )
    target = written(tmp_path / "synthetic.spdx.json", view)
    assert spdx_valid(parse_file(str(target)))
    document = json.loads(target.read_text(encoding="utf-8"))
    assert spdx_schema_valid(document)
    packages = {p["SPDXID"]: p for p in document["packages"]}
    assert packages["SPDXRef-modern-1.0-1.noarch"]["licenseDeclared"] == "GPL-2.0-or-later AND MIT"
    # Two copies of one NEVRA, two ids. A homepage spdx-tools' URL check refuses (an IP
    # address) is left out rather than making the document invalid.
    assert "homepage" not in packages["SPDXRef-twin-1.0-1.noarch"]
    assert packages["SPDXRef-twin-1.0-1.noarch-2"]["homepage"] == "https://twin.example.org/a%20b"
    assert spdx_valid(parse_file(str(written(tmp_path / "hostile.spdx.json", gate_view(hostile=True)))))
    _, with_context = spdx_of([SRPMS, "--with", REPO], tmp_path)
    unknown = [r for r in with_context["relationships"] if r["relatedSpdxElement"] == "NOASSERTION"]
    assert unknown and all(r["relationshipType"] == "DEPENDS_ON" for r in unknown)


def test_a_license_tag_that_is_no_spdx_expression_is_declared_as_its_own_license_ref(tmp_path: Path) -> None:
    """license-expression reads some LicenseRef- ids as aliases of its keys: ``Commercial`` and
    ``()`` were declared as a LicenseRef-scancode-... the document did not define, ``GPL?`` (its
    id LicenseRef-GPL) as GPL-1.0-or-later. The tag's own LicenseRef, defined with the tag as
    its text, is what is declared."""
    tags = {"old": "GPL?", "shop": "Commercial", "odd": "()", "mixed": "GPLv2+ or Commercial"}
    view = view_of(audit_of([{"name": name, "license": tag} for name, tag in tags.items()]))
    target = written(tmp_path / "licences.spdx.json", view)
    assert spdx_valid(parse_file(str(target)))
    document = json.loads(target.read_text(encoding="utf-8"))
    assert spdx_schema_valid(document)
    defined = {info["licenseId"]: info["extractedText"] for info in document["hasExtractedLicensingInfos"]}
    declared = {package["name"]: package["licenseDeclared"] for package in document["packages"]}
    assert declared == {
        "old": "LicenseRef-GPL",
        "shop": "LicenseRef-Commercial",
        "odd": "LicenseRef-license",
        "mixed": "LicenseRef-GPLv2-or-Commercial",
    }
    assert {name: defined[declared[name]] for name in tags} == tags


def test_license_tags_differing_only_in_case_are_two_license_refs_whatever_the_case(tmp_path: Path) -> None:
    """SPDX matches licence ids without regard to case (SPDX 2.3, annex D.2): ``Proprietary`` and
    ``proprietary`` were declared as LicenseRef-Proprietary and LicenseRef-proprietary, one licence
    to such a reader, whose text is then either tag. The later tag's id takes a digest, as for
    two tags of one slug."""
    tags = {"upper": "Proprietary", "lower": "proprietary"}
    view = view_of(audit_of([{"name": name, "license": tag} for name, tag in tags.items()]))
    target = written(tmp_path / "cases.spdx.json", view)
    assert spdx_valid(parse_file(str(target)))
    document = json.loads(target.read_text(encoding="utf-8"))
    defined = {info["licenseId"]: info["extractedText"] for info in document["hasExtractedLicensingInfos"]}
    declared = {package["name"]: package["licenseDeclared"] for package in document["packages"]}
    assert {name: defined[declared[name]] for name in tags} == tags
    assert len({key.casefold() for key in defined}) == len(defined) == 2


def test_a_license_tag_naming_an_alias_rather_than_an_spdx_id_is_a_name_in_both_documents(
    tmp_path: Path,
) -> None:
    """license-expression takes its aliases for SPDX ids: License ``GPL`` was declared
    GPL-1.0-or-later in SPDX and was the expression ``GPL`` (no SPDX expression) in CycloneDX.
    What the tag names by SPDX ids (any case, deprecated ones too) is still an expression."""
    tags = {
        "old": "GPL",
        "both": "GPL and MIT",
        "lower": "gpl-2.0",
        "excepted": "GPL-2.0+ WITH Classpath-exception-2.0",
    }
    view = view_of(audit_of([{"name": name, "license": tag} for name, tag in tags.items()]))
    bom = json.loads(FORMATS["cyclonedx"](view))
    assert {item["name"]: item["licenses"] for item in bom["components"]} == {
        "old": [{"license": {"name": "GPL"}}],
        "both": [{"license": {"name": "GPL and MIT"}}],
        "lower": [{"license": {"id": "GPL-2.0"}}],
        "excepted": [{"expression": "GPL-2.0+ WITH Classpath-exception-2.0"}],
    }
    target = written(tmp_path / "aliases.spdx.json", view)
    assert spdx_valid(parse_file(str(target)))
    document = json.loads(target.read_text(encoding="utf-8"))
    assert spdx_schema_valid(document)
    assert {package["name"]: package["licenseDeclared"] for package in document["packages"]} == {
        "old": "LicenseRef-GPL",
        "both": "LicenseRef-GPL-and-MIT",
        "lower": "GPL-2.0-only",
        "excepted": "GPL-2.0-or-later WITH Classpath-exception-2.0",
    }


def test_a_vendor_over_several_lines_is_one_spdx_actor(tmp_path: Path) -> None:
    """An actor is one line to SPDX's readers: a Vendor (or Packager) with a line break made a
    document spdx-tools could not read back (review 31)."""
    view = view_of(
        audit_of(
            [
                {"name": "mailed", "vendor": "Citrix\nSystems <team@example.org>\r\n"},
                {"name": "plain", "vendor": "Cloud Software\n  Group"},
            ]
        )
    )
    document = parse_file(str(written(tmp_path / "vendors.spdx.json", view)))
    assert spdx_valid(document)
    suppliers = {package.name: str(package.supplier) for package in document.packages}
    assert suppliers == {
        "mailed": "Organization: Citrix Systems (team@example.org)",
        "plain": "Organization: Cloud Software Group",
    }


def written(path: Path, view: Any) -> Path:
    path.write_text(FORMATS["spdx"](view), encoding="utf-8")
    return path


def test_an_audit_of_nothing_is_still_a_valid_document_that_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    text, bom = bom_of([str(empty)], tmp_path, expected=3)
    assert valid(text) and "components" not in bom
    assert properties(bom["metadata"])["auditor:incomplete"] == ["1 empty-input", "1 nothing-audited"]
    target = tmp_path / "empty.spdx.json"
    assert main(["scan", str(empty), "--format", "spdx", "-o", str(target), "-q", "--no-cache"]) == 3
    assert spdx_valid(parse_file(str(target)))
    document = json.loads(target.read_text(encoding="utf-8"))
    assert spdx_schema_valid(document)
    assert document["relationships"] == [
        {"spdxElementId": "SPDXRef-DOCUMENT", "relatedSpdxElement": "NONE", "relationshipType": "DESCRIBES"}
    ]
    assert spdx_annotations(document)["auditor:exit-code"] == ["3"]


def test_a_name_with_a_slash_stays_the_name_in_every_purl() -> None:
    """rpmbuild refuses ``/`` in a Name, repodata does not: ``evil/glibc`` was written
    ``pkg:rpm/fedora/evil/glibc@...``, which every purl reader takes for ``glibc`` of namespace
    ``fedora/evil``. The purl specification percent-encodes it (red team 7)."""
    view = view_of(
        audit_of(
            [
                {"name": "evil/glibc", "vendor": "Fedora", "sourcerpm": "evil/glibc-1.0-1.src.rpm"},
                {"name": "evil/glibc", "arch": "src"},
                {"name": "orphan", "vendor": "Fedora", "sourcerpm": "no/where-2.0-1.src.rpm"},
            ]
        )
    )
    bom = json.loads(cyclonedx.render(view))
    spdx_document = json.loads(spdx.render(view))
    purls = [component["purl"] for component in bom["components"]]
    purls += [
        ancestor["purl"]
        for component in bom["components"]
        for ancestor in component.get("pedigree", {}).get("ancestors", ())
    ]
    purls += [
        reference["referenceLocator"]
        for package in spdx_document["packages"]
        for reference in package["externalRefs"]
    ]
    read = {(PackageURL.from_string(purl).namespace, PackageURL.from_string(purl).name) for purl in purls}
    assert read == {
        ("fedora", "evil/glibc"),
        (None, "evil/glibc"),
        ("fedora", "orphan"),
        ("fedora", "no/where"),
    }
    assert "pkg:rpm/fedora/evil%2Fglibc@1.0-1?arch=noarch" in purls


def test_a_name_packageurl_would_strip_is_written_whole_in_every_purl(tmp_path: Path) -> None:
    """packageurl strips a name's leading and trailing ``/`` and spaces: repodata naming a
    package ``/glibc`` made ``pkg:rpm/fedora/glibc@...``, the purl of a package it is not, and a
    name of only ``/`` no purl at all (TypeError, an internal error)."""
    names = ["/glibc", "glibc/", " glibc ", "/"]
    view = view_of(
        audit_of([{"name": name, "vendor": "Fedora", "sourcerpm": "glibc-1.0-1.src.rpm"} for name in names])
    )
    bom_text = cyclonedx.render(view)
    assert valid(bom_text)
    spdx_document = json.loads(spdx.render(view))
    assert spdx_schema_valid(spdx_document)
    target = tmp_path / "names.spdx.json"
    target.write_text(json.dumps(spdx_document), encoding="utf-8")
    assert spdx_valid(parse_file(str(target)))
    written = {
        "pkg:rpm/fedora/%2Fglibc@1.0-1?arch=noarch",
        "pkg:rpm/fedora/glibc%2F@1.0-1?arch=noarch",
        "pkg:rpm/fedora/%20glibc%20@1.0-1?arch=noarch",
        "pkg:rpm/fedora/%2F@1.0-1?arch=noarch",
    }
    assert {component["purl"] for component in json.loads(bom_text)["components"]} == written
    references = {
        reference["referenceLocator"]
        for package in spdx_document["packages"]
        for reference in package["externalRefs"]
        if reference["referenceType"] == "purl"
    }
    assert written <= references


def test_both_sboms_say_a_waiver_expired(tmp_path: Path) -> None:
    """An expired waiver no longer waives: its packages block again in the SBOM, whose run
    properties now say which waiver stopped, as the table does (they said nothing of it)."""
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nid = "old"\npackage = "*"\nreason = "r"\nowner = "o"\nexpires = 2020-01-01\n'
    )
    expected = ["expired waiver old (*, expired 2020-01-01): no longer waives"]
    text, bom = bom_of([str(RPMS), "--waivers", str(waivers)], tmp_path)
    assert valid(text)
    assert properties(bom["metadata"])["auditor:gate"] == expected
    _, document = spdx_of([str(RPMS), "--waivers", str(waivers)], tmp_path)
    assert spdx_annotations(document)["auditor:gate"] == expected


_PURL_TEXT = st.text(
    alphabet=st.sampled_from([*"aZ09/ @?#%:&=.-_~+\t", "é", "Ü", "\u2028", "😀"]), max_size=10
)


@settings(max_examples=400, deadline=None)
@given(
    namespace=st.none() | _PURL_TEXT,
    name=_PURL_TEXT.filter(bool),
    version=_PURL_TEXT,
    arch=_PURL_TEXT,
    epoch=st.none() | _PURL_TEXT,
)
def test_a_purl_is_written_as_packageurl_writes_it_but_for_the_name(
    namespace: str | None, name: str, version: str, arch: str, epoch: str | None
) -> None:
    """The purl text is made from a frame cached per namespace and qualifiers: it must be
    packageurl's own text of the same purl, the name aside (written whole, ``/`` encoded:
    the tests above), for any namespace, version and qualifier metadata can hold."""
    qualifiers = {"arch": arch} if epoch is None else {"arch": arch, "epoch": epoch}
    purl = sbom.rpm_purl(namespace, name, version, qualifiers)
    library = PackageURL.to_string(purl._replace(name="n"))
    end = min((at for at in (library.find(mark) for mark in "@?#") if at >= 0), default=len(library))
    start = library.rfind("/", 0, end) + 1
    assert purl.to_string() == library[:start] + packageurl.quote(name).replace("/", "%2F") + library[end:]
    if "/" not in name and name == name.strip():
        assert purl.to_string() == PackageURL.to_string(purl)


def test_a_vendor_of_letters_outside_ascii_keeps_them_in_the_namespace(tmp_path: Path) -> None:
    """rt21: only ASCII letters were kept, ``Ünïcode`` became ``n-code``, the namespace of a vendor
    ``N Code`` too. The purl specification percent-encodes a namespace as UTF-8: every letter is
    kept, lower-cased, in its composed form (two spellings of one vendor, one namespace)."""
    decomposed = unicodedata.normalize("NFD", "Ünïcode GmbH")
    view = view_of(
        audit_of(
            [
                {"name": "umlaut", "vendor": "Ünïcode GmbH"},
                {"name": "decomposed", "vendor": decomposed},
                {"name": "ascii", "vendor": "N Code GmbH"},
                {"name": "kanji", "vendor": "日本"},
            ]
        )
    )
    text = FORMATS["cyclonedx"](view)
    assert valid(text)
    purls = {item["name"]: item["purl"] for item in json.loads(text)["components"]}
    assert purls["umlaut"] == "pkg:rpm/%C3%BCn%C3%AFcode-gmbh/umlaut@1.0-1?arch=noarch"
    namespaces = {name: PackageURL.from_string(purl).namespace for name, purl in purls.items()}
    assert namespaces == {
        "umlaut": "ünïcode-gmbh",
        "decomposed": "ünïcode-gmbh",
        "ascii": "n-code-gmbh",
        "kanji": "日本",
    }
    document = parse_file(str(written(tmp_path / "letters.spdx.json", view)))
    assert spdx_valid(document)
    spdx_document = json.loads((tmp_path / "letters.spdx.json").read_text(encoding="utf-8"))
    assert spdx_schema_valid(spdx_document)
    assert sorted(spdx_purls(spdx_document).values()) == sorted(purls.values())


def test_purl_namespace_takes_letters_outside_ascii(tmp_path: Path) -> None:
    _, document = bom_of([REPO, "--purl-namespace", "Ünïcode"], tmp_path)
    assert {PackageURL.from_string(item["purl"]).namespace for item in document["components"]} == {"ünïcode"}
    assert main(["scan", REPO, "--format", "cyclonedx", "--purl-namespace", "-x", "-q"]) == 2
    assert main(["scan", REPO, "--format", "cyclonedx", "--purl-namespace", "_x", "-q"]) == 2


@settings(max_examples=300, deadline=None)
@given(
    element=st.text(max_size=12),
    kind=st.sampled_from(["DESCRIBES", "DEPENDS_ON", "GENERATED_FROM", "BUILD_DEPENDENCY_OF"]) | st.text(),
    related=st.text(max_size=12),
    depth=st.integers(min_value=0, max_value=3),
)
def test_a_relationship_is_written_as_json_writes_its_object(
    element: str, kind: str, related: str, depth: int
) -> None:
    """SPDX relationships are written without json.dumps or msgspec (350,000 in a distribution's
    document): for the namespace's digest as `_compact` writes the object, and in the document as
    `jsonlines.indented` does, whatever the strings hold (non-ASCII, quotes, controls, surrogates)."""
    item = spdx_relationships.Relationship(element, kind, related)
    written = {"spdxElementId": element, "relatedSpdxElement": related, "relationshipType": kind}
    assert spdx_relationships.relationship_compact(item) == json.dumps(
        written, sort_keys=True, ensure_ascii=False
    )
    assert spdx_relationships.relationship_indented(item, depth) == jsonlines.indented(written, depth)


@pytest.mark.parametrize("where", ["names_spdx_ids_only", "validate"])
def test_memory_running_out_while_a_licence_is_read_ends_the_run_instead_of_naming_the_licence(
    where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """license-expression fails in several ways on what is no expression, and those failures
    mean "a licence name"; a MemoryError read so wrote a licence expression as a name, where the
    run must end (exit 4) and write no report."""
    from spdx_tools.common.spdx_licensing import spdx_licensing

    from auditor.reports import spdx_licences

    def exhausted(*_: object, **__: object) -> None:
        raise MemoryError

    if where == "names_spdx_ids_only":
        monkeypatch.setattr(sbom._AS_WRITTEN, "parse", exhausted)
    else:
        monkeypatch.setattr(spdx_licensing, "validate", exhausted)
    with pytest.raises(MemoryError):
        spdx_licences._spdx_expression("MIT")
