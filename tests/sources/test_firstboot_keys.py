"""A key a package installs where a XenServer or XCP-ng host's firstboot trusts it is evidence.

XCP-ng's vendor-update-keys installs vendors' keys in ``/etc/firstboot.d/data/keys/``, and its
``import-trusted-keys`` service (XenServer's firstboot ``60-import-keys`` before it) copies each to
``/etc/pki/rpm-gpg`` and imports it into xapi's keyring with full trust: what it signs, updates and
supplemental packs, the host installs. One of them is a Citrix key. The auditor judged only
``/etc/pki/rpm-gpg``, so that package was clean with no gap, read from its spec or its RPM. Now a
key file under the firstboot directory is judged as one under ``/etc/pki/rpm-gpg`` is. The
packages are built by rpmbuild here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sources.test_payload_config import build, package, scan, signing_key
from tests.sources.test_spec_installs import built

__all__ = ["signing_key"]  # the fixture, used by name

KEYS = "/etc/firstboot.d/data/keys"
SPEC = """\
Name: vendor-keys
Version: 1
Release: 1
Summary: s
License: GPL
BuildArch: noarch
Source0: RPM-GPG-KEY-VENDOR
%description
d
%install
install -m 0755 -d %{buildroot}/etc/firstboot.d/data/keys/
install -m 0644 %{SOURCE0} %{buildroot}/etc/firstboot.d/data/keys/
%files
/etc/firstboot.d/data/keys/*
"""


def policy(directory: Path, key_id: str) -> Path:
    path = directory / "policy.toml"
    path.write_text(
        'schema = 1\n[[rule]]\nid = "vendor-key"\nkind = "signing-key"\nseverity = "high"\n'
        f'keys = ["{key_id}"]\nmessage = "A vendor release key"\nreference = "r"\n'
    )
    return path


def test_a_key_the_binary_installs_for_firstboot_to_trust_is_evidence(
    signing_key: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_id, armored = signing_key
    rpms = build(tmp_path, "vendor-keys", {f"{KEYS}/RPM-GPG-KEY-VENDOR": armored})
    code, document = scan([*map(str, rpms), "--policy", str(policy(tmp_path, key_id))], capsys)
    [finding] = package(document, "vendor-keys")["findings"]
    assert (finding["rule"], finding["field"], finding["value"]) == (
        "vendor-key", f"{KEYS}/RPM-GPG-KEY-VENDOR", key_id)  # fmt: skip
    assert code == 1


def test_the_spec_s_key_source_it_installs_there_is_judged_as_the_built_binary_is(
    signing_key: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_id, armored = signing_key
    (tmp_path / "SPECS").mkdir()
    (tmp_path / "SOURCES").mkdir()
    (tmp_path / "SPECS" / "xs-release.spec").write_text(SPEC)  # the name `built` builds
    (tmp_path / "SOURCES" / "RPM-GPG-KEY-VENDOR").write_text(armored)
    rules = str(policy(tmp_path, key_id))
    code, spec_read = scan([str(tmp_path / "SPECS" / "xs-release.spec"), "--policy", rules], capsys)
    [finding] = package(spec_read, "vendor-keys")["findings"]
    assert (finding["rule"], finding["field"], finding["value"]) == (
        "vendor-key", f"{KEYS}/RPM-GPG-KEY-VENDOR (Source0: RPM-GPG-KEY-VENDOR)", key_id)  # fmt: skip
    assert code == 1
    code, binary = scan([*map(str, built(tmp_path)), "--policy", rules], capsys)
    assert [item["value"] for item in package(binary, "vendor-keys")["findings"]] == [key_id]


def test_a_key_the_spec_s_install_writes_there_from_no_source_is_a_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "vendor-keys.spec"
    spec.write_text(SPEC.replace("Source0: RPM-GPG-KEY-VENDOR\n", ""))
    _, document = scan([str(spec)], capsys)
    [gap] = [
        item["detail"]
        for item in package(document, "vendor-keys")["gaps"]
        if item["kind"] == "payload-unread"
    ]
    assert f"vendor-keys installs {KEYS}/ (an OpenPGP key file)" in gap
    assert gap.endswith("the keys it makes its hosts trust are unseen")
