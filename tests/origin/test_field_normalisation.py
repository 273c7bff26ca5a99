"""Field rules match a value as a reader sees it: Unicode spaces, fullwidth letters and
zero-width characters do not part a name the policy knows (red team 6, findings 2, 9, 19),
nor do look-alike letters of other scripts, accents, marks or underscores."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from auditor.origin.classify import classify
from auditor.origin.policy import load_policy
from auditor.origin.reading import readings
from tests.origin.scanned import rules_of, scan, write_spec
from tests.universe import package

NBSP, EM_SPACE, ZWSP = "\u00a0", "\u2003", "\u200b"

CITRIX_VALUES = {
    "no-break spaces": f"Cloud{NBSP}Software{NBSP}Group, Inc.",
    "an em space": f"Cloud{EM_SPACE}Software Group, Inc.",
    "a vertical tab": "Cloud\vSoftware Group, Inc.",
    "fullwidth letters": "\uff23\uff49\uff54\uff52\uff49\uff58 Systems",
    "a zero-width space": f"Cit{ZWSP}rix Systems",
    "a word joiner": "Xen\u2060Server",
    "a soft hyphen": "Cit\u00adrix Systems, Inc.",
    "a left-to-right mark": "Citrix\u200e Systems",
    "a bidirectional isolate": "\u2066Citrix\u2069 Systems",
    "an Arabic letter mark": "Xen\u061cServer",
    "a version glued to the name": "XenServer8",
    "XenServer in two words": "Xen Server",
    "a hyphenated XenServer": "Xen-Server Team",
    "a version glued to Citrix": "Citrix8 Systems",
    "a hyphenated Cloud Software Group": "Cloud-Software-Group",
    "a glued Cloud Software Group": "CloudSoftwareGroup Inc.",
    "a camel-cased product": "CitrixHypervisor",
    "a Cyrillic capital es": "\u0421itrix Systems",
    "a Cyrillic i": "Citr\u0456x Systems",
    "a Greek capital iota": "C\u0399TRIX SYSTEMS",
    "Greek capitals": "\u03a7\u0395\u039dSERVER",
    "a Cyrillic e": "X\u0435nServer",
    "a dotless i": "C\u0131trix Systems",
    "a small capital I": "C\u026atrix Systems",
    "a diaeresis": "Citr\u00efx Systems",
    "a combining stroke": "Cit\u0336rix Systems",
    "underscores for spaces": "Citrix_Systems_Inc",
    # NFKC spells a mark with letters glued to the name: XenServerTM (red team rt37)
    "a trade mark sign": "XenServer\u2122",
    "a service mark after Cloud Software Group": "Cloud Software Group\u2120, Inc.",
}
CLEAN_VALUES = {
    "Citrine": "Citrine Informatics",
    "Citric": "Citric Acid Technologies",
    "a plural": "XCP-ng (compatible with XenServers)",
    "a longer word": "xenserverless.example.org",
    "a longer word in two": "Xen Serverless Labs",
    "Xen alone": "Xen Project",
    "no capital after the name": "Citrixsoft Ltd",
    "XCP-ng": "XCP-ng",
    "accents": "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale",
    "a Cyrillic name": "\u041e\u041e\u041e \u0420\u043e\u043c\u0430\u0448\u043a\u0430",
    "a Greek micro sign": "\u00b5Clibc project",
    "underscores in another name": "Citrine_Informatics",
}


@pytest.mark.parametrize("case", sorted(CITRIX_VALUES))
def test_a_citrix_name_however_spaced_or_spelled_is_found_in_every_field(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    value = CITRIX_VALUES[case]
    specs = [
        write_spec(tmp_path, "vendor", f"Vendor: {value}"),
        write_spec(tmp_path, "distribution", f"Distribution: {value}"),
        write_spec(tmp_path, "packager", f"Packager: {value} <release@example.org>"),
    ]
    code, findings, _ = scan(capsys, *specs)
    assert code == 1
    assert rules_of(findings["vendor"]) == ["citrix-vendor"]
    assert rules_of(findings["distribution"]) == ["citrix-vendor"]
    assert rules_of(findings["packager"]) == ["citrix-packager"]
    # The evidence is the value as written, not the form it was matched in.
    assert findings["vendor"][0]["value"] == value


@pytest.mark.parametrize("case", sorted(CLEAN_VALUES))
def test_names_that_only_resemble_citrix_stay_clean(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    value = CLEAN_VALUES[case]
    specs = [
        write_spec(tmp_path, "vendor", f"Vendor: {value}"),
        write_spec(tmp_path, "packager", f"Packager: {value} <release@example.org>"),
    ]
    code, findings, _ = scan(capsys, *specs)
    assert (code, findings) == (0, {"vendor": [], "packager": []})


def test_a_built_rpm_whose_vendor_has_no_break_spaces_is_citrix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The header rpm writes, not only the spec: rpmbuild keeps the no-break spaces."""
    spec = write_spec(tmp_path, "nbsp", f"Vendor: Cloud{NBSP}Software{NBSP}Group, Inc.")
    top = tmp_path / "rpmbuild"
    subprocess.run(["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}", str(spec)], check=True)
    (built,) = (top / "RPMS" / "noarch").glob("nbsp-*.rpm")
    vendor = subprocess.run(
        ["rpm", "-qp", "--qf", "%{VENDOR}", str(built)], capture_output=True, text=True, check=True
    ).stdout
    assert vendor == f"Cloud{NBSP}Software{NBSP}Group, Inc."
    code, findings, _ = scan(capsys, built)
    assert rules_of(findings["nbsp"]) == ["citrix-vendor"]
    assert code == 1


def test_a_reflowed_vendor_keeps_its_fingerprint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The capability (what the fingerprint is made of) is the match with its whitespace made
    one space and its case folded: a Vendor re-flowed keeps its baseline entry."""
    fingerprints = []
    for where, vendor in (
        ("before", "Cloud Software Group, Inc."),
        ("after", "CLOUD  Software\tGroup, Inc."),
    ):
        (tmp_path / where).mkdir()
        _, findings, _ = scan(capsys, write_spec(tmp_path / where, "v", f"Vendor: {vendor}"))
        (found,) = findings["v"]
        assert found["capability"] == "vendor:cloud software group"
        fingerprints.append(found["fingerprint"])
    assert fingerprints[0] == fingerprints[1]


@pytest.mark.parametrize(
    "license_",
    ["\u0420roprietary", "Propr\u0456etary and MIT", "GPLv2+ and Pr\u00f6prietary", "Non\u2011free"],
    ids=["a Cyrillic P", "a Cyrillic i", "an umlaut", "a non-breaking hyphen"],
)
def test_a_licence_spelled_with_look_alike_letters_is_not_free(
    license_: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, findings, _ = scan(capsys, write_spec(tmp_path, "lic", f"License: {license_}"))
    assert rules_of(findings["lic"]) == ["proprietary-license"]
    assert code == 1


def test_a_value_matched_as_written_keeps_its_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The folded readings come after the value as written: a Vendor the rule matched before
    (with an accent elsewhere in it) keeps the same capability, hence the same fingerprint."""
    _, findings, _ = scan(capsys, write_spec(tmp_path, "v", "Vendor: Citrix Syst\u00e8mes"))
    (found,) = findings["v"]
    assert found["capability"] == "vendor:citrix"


def test_a_lone_surrogate_reaches_no_rule_as_itself() -> None:
    """A value can hold the bytes of a file name that is not UTF-8 as lone surrogates; RE2,
    which matches UTF-8, raised on them and the run ended with an internal error. Such a byte
    is no letter of a name or host: it is read as U+FFFD, and the rest is still matched."""
    assert readings("Citrix\udcff Systems") == ("Citrix\ufffd Systems",)
    findings = classify([package({"name": "x", "vendor": "Citrix Systems\udcff"})], load_policy())
    assert [finding.rule for finding in findings[0]] == ["citrix-vendor"]
