"""XenServer's proprietary varstored is a component, not merely a proprietary licence: the
firmware waiver the policy recommends (by category) must not accept it (red team 6, #13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.origin.scanned import binaries, rules_of, scan_report, write_spec

FIRMWARE_WAIVER = """[[waiver]]
package = "*"
category = "proprietary"
reason = "we accept redistributable firmware"
owner = "firmware <firmware@example.org>"
expires = 2099-01-01
"""


def test_the_firmware_waiver_accepts_firmware_but_not_xenservers_varstored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(FIRMWARE_WAIVER)
    firmware = "GPL+ and GPLv2+ and MIT and Redistributable, no modification permitted"
    specs = [
        write_spec(tmp_path, "linux-firmware", f"License: {firmware}"),
        write_spec(tmp_path, "varstored", "License: Proprietary and BSD"),
        write_spec(tmp_path, "varstored-tools", "License: Proprietary and BSD"),
        write_spec(tmp_path, "uefi-tool", "Requires: varstored"),
    ]
    code, report, _ = scan_report(capsys, *specs, "--waivers", waivers)
    findings = binaries(report, "findings")
    assert rules_of(findings["linux-firmware"]) == ["restricted-license"]
    for name in ("varstored", "varstored-tools"):
        assert rules_of(findings[name]) == ["proprietary-license", "xenserver-proprietary-component"]
        (component,) = (f for f in findings[name] if f["rule"] == "xenserver-proprietary-component")
        assert component["category"] == "citrix" and component["disposition"] == "blocks"
    assert code == 1
    assert binaries(report, "gate") == {
        "linux-firmware": "waived",
        "varstored": "blocking",
        "varstored-tools": "blocking",
        "uefi-tool": "blocking",
    }


def test_the_bsd_varstored_xcp_ng_ships_is_not_the_component(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    specs = [
        write_spec(tmp_path, "varstored", "License: BSD"),
        write_spec(tmp_path, "varstored-tools", "License: BSD"),
    ]
    code, report, _ = scan_report(capsys, *specs)
    assert (code, binaries(report, "findings")) == (0, {"varstored": [], "varstored-tools": []})


@pytest.mark.parametrize(
    ("license_", "component"),
    [
        ("\uff30roprietary and BSD", True),
        ("BSD and LicenseRef-Proprietary", True),
        ("Proprietaryish and BSD", False),
        ("BSD and CitrixProprietary", True),  # glued on by camel case, as the licence rules read it
    ],
)
def test_a_component_s_licence_condition_reads_the_licence_as_the_licence_rules_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], license_: str, component: bool
) -> None:
    """``when-license`` was a raw substring: a fullwidth letter hid the component (the reviewer's
    case); it is now a whole term in the normalised licence, as the licence rules find one."""
    _, report, _ = scan_report(capsys, write_spec(tmp_path, "varstored", f"License: {license_}"))
    found = rules_of(binaries(report, "findings")["varstored"])
    assert ("xenserver-proprietary-component" in found) is component


def test_the_firmware_waiver_does_not_accept_a_licence_citrix_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A LicenseRef naming Citrix is Citrix's evidence too: a proprietary XenServer package
    often has no Vendor, and its licence is then the only evidence (red team 10, #06)."""
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(FIRMWARE_WAIVER)
    specs = [
        write_spec(tmp_path, "linux-firmware", "License: Redistributable, no modification permitted"),
        write_spec(tmp_path, "xs-licensed-tool", "License: LicenseRef-Citrix-EULA"),
        # XenServer 8.2's kernel (xcp-ng-rpms/kernel, branch XS-8.2) and its COPYING.CitrixCommercial
        write_spec(tmp_path, "kernel", "License: GPLv2 and CitrixCommercial"),
    ]
    code, report, _ = scan_report(capsys, *specs, "--waivers", waivers, "--strict")
    assert code == 1
    assert binaries(report, "gate") == {
        "linux-firmware": "waived",
        "xs-licensed-tool": "blocking",
        "kernel": "blocking",
    }
