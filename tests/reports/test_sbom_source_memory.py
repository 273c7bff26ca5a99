"""The purls of source packages the run does not hold, remembered by the CycloneDX writer up to
`cyclonedx._SourcePurls.NAMES_REMEMBERED` names, then forgotten: forgetting must change nothing
of the document, wherever the binaries of one source fall in name order."""

from __future__ import annotations

import json

import pytest

from auditor.reports import cyclonedx
from tests.report_cases import audit_of, view_of


def test_forgetting_the_source_purls_changes_no_byte_of_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    # Binaries of one source first and last in name order, others between: with two names
    # remembered, the memory is cleared many times between the two binaries of each source.
    specs = [
        {"name": f"{prefix}{number:02d}", "sourcerpm": f"src{number:02d}-1.0-1.src.rpm", "vendor": vendor}
        for prefix in ("a", "m", "z")
        for number in range(12)
        for vendor in (("Fedora Project",) if number % 3 else ("Ünïcode Vendor",))
    ]
    view = view_of(audit_of(specs))
    whole = cyclonedx.render(view)
    monkeypatch.setattr(cyclonedx._SourcePurls, "NAMES_REMEMBERED", 2)
    assert cyclonedx.render(view) == whole
    ancestors = {
        component["name"]: ancestor["purl"]
        for component in json.loads(whole)["components"]
        for ancestor in component.get("pedigree", {}).get("ancestors", ())
    }
    assert ancestors["a05"] == ancestors["z05"] == "pkg:rpm/fedora-project/src05@1.0-1?arch=src"
    assert ancestors["m03"].startswith("pkg:rpm/%C3%BCn%C3%AFcode-vendor/src03@")
