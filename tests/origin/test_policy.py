"""Origin rules: what is evidence and what is not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from auditor.core.errors import PolicyError
from auditor.origin.classify import classify
from auditor.origin.findings import Category, Finding, Severity
from auditor.origin.policy import Policy, load_policy
from auditor.origin.urls import parse_url
from auditor.rpm.model import PackageKind, SourceFile, SourceKind
from tests.universe import package


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


def findings_for(policy: Policy, **fields: Any) -> list[Finding]:
    spec = {
        "name": fields.pop("name", "pkg"),
        **{k: v for k, v in fields.items() if k in ("provides", "requires", "arch")},
    }
    pkg = package(spec)
    pkg = replace(pkg, **{k: v for k, v in fields.items() if k not in ("provides", "requires", "arch")})
    return list(classify([pkg], policy).get(0, []))


def rules(found: Sequence[Finding]) -> list[str]:
    return sorted(f.rule for f in found if f.severity >= Severity.LOW)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://code.citrite.net/rest/archive/latest/projects/XSU/repos/sm/archive?at=v1&format=tar.gz#/sm.tar.gz",
            ["citrix-internal-host"],
        ),
        ("https://repo.citrite.net:443/ctx-local-contrib/x/x-1.tar.gz", ["citrix-internal-host"]),
        ("https://CODE.Citrite.NET./x", ["citrix-internal-host"]),
        ("https://www.citrix.com/downloads", ["citrix-corporate-host"]),
        ("https://github.com/xenserver/python-libs/archive/v1.tar.gz", ["citrix-public-organisation"]),
        ("https://github.com/XenServer/python-libs", ["citrix-public-organisation"]),
        ("https://github.com/%78enserver/python-libs", ["citrix-public-organisation"]),
        ("git@github.com:xenserver/python-libs.git", ["citrix-public-organisation"]),
        ("https://github.com/xenserver-next/x", []),
        ("https://github.com/xapi-project/xen-api/archive/v1.tar.gz", []),
        ("https://mirror.example.org/?from=code.citrite.net", []),
        ("https://notcitrite.net/x", []),
        ("https://citrite.net.evil.example/x", []),
    ],
)
def test_host_rules_match_the_parsed_url(policy, url: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert rules(findings_for(policy, url=url)) == expected


def test_public_organisations_are_origins_and_one_line_downgrades_them(policy, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A Citrix-controlled organisation on a public forge is a XenServer repository."""
    for url in (
        "https://github.com/xenserver/python-libs",
        "https://gitlab.com/citrix/x",
        "https://raw.githubusercontent.com/xenserver/x/master/y",
        # The API and large-file hosts of the same organisations (red team rt37).
        "https://gitlab.com/api/v4/projects/xenserver%2Fx/repository/archive.tar.gz?sha=v1",
        "https://api.bitbucket.org/2.0/repositories/citrix/x/downloads/x-1.tar.gz",
        "https://media.githubusercontent.com/media/xenserver/x/v1/blob.bin",
        # Where GitHub serves a pull request's patch from (rt-origin).
        "https://patch-diff.githubusercontent.com/raw/citrix/x/pull/7.diff",
    ):
        (found,) = findings_for(policy, url=url)
        assert found.rule == "citrix-public-organisation" and found.effective
        assert found.category is Category.CITRIX
    downgrade = tmp_path / "ours.toml"
    downgrade.write_text('[settings]\ntier-severity = { public-org = "low" }\n')
    (found,) = findings_for(load_policy([str(downgrade)]), url="https://github.com/xenserver/python-libs")
    assert found.severity is Severity.LOW and not found.effective
    bad = tmp_path / "bad.toml"
    bad.write_text('[settings]\ntier-severity = { public-org = "lowish" }\n')
    with pytest.raises(PolicyError, match=r"tier-severity\.public-org"):
        load_policy([str(bad)])


def test_capability_with_a_url(policy) -> None:  # type: ignore[no-untyped-def]
    provide = "gitsha(https://code.citrite.net/rest/archive/latest/projects/XS/repos/driver-avago-megaraid-sas/archive?at=07.707.50.00%2brc1&format=tar.gz&prefix=x%2brc1#/avago.tar.gz) = 1f71b34f53bc8af8dcdcfdc24680fb8c7c4ac20c"
    found = findings_for(policy, provides=[provide])
    assert rules(found) == ["citrix-internal-host"]
    assert found[0].field == "provides"
    assert found[0].value.endswith("#/avago.tar.gz")


def test_source_urls_of_source_packages(policy) -> None:  # type: ignore[no-untyped-def]
    sources = (
        SourceFile(SourceKind.SOURCE, 0, "https://code.citrite.net/x/archive?at=v1#/x.tar.gz", "%{u}", 7),
        SourceFile(SourceKind.PATCH, 1, "fix.patch", "fix.patch", 9),
    )
    found = findings_for(policy, name="x", arch="src", sources=sources, kind=PackageKind.SOURCE)
    assert [(f.rule, f.field) for f in found] == [("citrix-internal-host", "source0")]


def test_people_are_not_origins(policy) -> None:  # type: ignore[no-untyped-def]
    # a maintainer's e-mail in a description or summary is never read as an origin
    assert (
        rules(
            findings_for(policy, description="Maintained by jane.doe@citrix.com", summary="XenServer tools")
        )
        == []
    )


def test_vendor_packager_buildhost(policy) -> None:  # type: ignore[no-untyped-def]
    assert rules(findings_for(policy, vendor="Citrix Systems, Inc.")) == ["citrix-vendor"]
    assert rules(findings_for(policy, packager="Build Team <builds@citrix.com>")) == ["citrix-packager"]
    assert rules(findings_for(policy, buildhost="xs-build-12.eng.citrite.net")) == ["citrix-build-host"]
    assert rules(findings_for(policy, buildhost="citrite.net.example.org")) == []
    assert rules(findings_for(policy, vendor="XCP-ng", packager="XCP-ng <builds@xcp-ng.org>")) == []


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("vendor", "XenServer", ["citrix-vendor"]),
        ("distribution", "XenServer 8", ["citrix-vendor"]),
        ("vendor", "Cloud  Software\tGroup, Inc.", ["citrix-vendor"]),
        ("packager", "Security <security@xenserver.com>", ["citrix-packager"]),
        ("packager", "Alex <alex@cloud.com>", ["citrix-packager"]),
        ("packager", "Builds <builds@eng.xenserver.com>", ["citrix-packager"]),
        ("packager", "XenServer Team", ["citrix-packager"]),
        ("packager", "Someone <someone@soundcloud.com>", []),
        ("packager", "Someone <someone@mycloud.com.example.org>", []),
        ("packager", "Someone <someone@cloud.com.au>", []),
        ("packager", "someone@cloud.com", ["citrix-packager"]),
        ("packager", "Built by someone@citrix.com. Thanks", ["citrix-packager"]),
        ("packager", "someone@xenserver.com.", ["citrix-packager"]),
        ("packager", "(someone@CITRIX.COM)", ["citrix-packager"]),
        ("vendor", "xenserver-ish", ["citrix-vendor"]),
        ("vendor", "XCP-ng (compatible with XenServers)", []),
    ],
)
def test_xenserver_names_and_domains_in_vendor_and_packager(  # type: ignore[no-untyped-def]
    policy, field: str, value: str, expected: list[str]
) -> None:
    """XenServer is Citrix's product, and xenserver.com and cloud.com are its domains (the
    host rules' too): a Vendor, Distribution or Packager naming them is Citrix's."""
    assert rules(findings_for(policy, **{field: value})) == expected


@pytest.mark.parametrize(
    ("license", "expected"),
    [
        ("Proprietary and BSD", ["proprietary-license"]),
        ("GPLv2+ and Proprietary", ["proprietary-license"]),
        ("Portions GPL, Portions Non-Redistributable (See description)", ["proprietary-license"]),
        ("GPLv2", []),
        # A hyphen parts a term from what follows, as in every LicenseRef-<x>-Proprietary.
        ("LicenseRef-Proprietary-ish", ["proprietary-license"]),
        ("Proprietaryish", []),
    ],
)
def test_licences_inside_compound_expressions(policy, license: str, expected: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert rules(findings_for(policy, license=license)) == expected


@pytest.mark.parametrize(
    ("license", "expected"),
    [
        ("GPLv2+ and Redistributable, no modification permitted", "restricted-license"),
        ("Redistributable", "restricted-license"),
        ("MIT and (Distributable or BSD)", None),  # BSD is a free choice: take it
        ("MIT and (Distributable or Redistributable)", "restricted-license"),  # no free choice
        ("GPL-2.0-only OR LicenseRef-Qt-Commercial", None),  # dual-licensed: the GPL is a choice
        ("LGPL-3.0-only OR (GPL-2.0-only AND Proprietary)", None),
        ("(Proprietary OR EULA) AND MIT", "proprietary-license"),
        ("BSD (non-proprietary)", None),  # a term after "non" is negated
        ("Non-commercial use only", "proprietary-license"),  # unless the term says "non" itself
        ("LicenseRef-Fedora-Firmware", "restricted-license"),
        ("EULA", "proprietary-license"),
        ("GPLv2 and LicenseRef-Proprietary", "proprietary-license"),
        ("Freely redistributable without restriction", None),
        ("GPLv2+ and MIT and BSD", None),
        ("LGPL-2.1-or-later WITH GCC-exception-3.1", None),
    ],
)
def test_a_licence_that_is_not_free_is_a_proprietary_origin(
    policy: Policy, license: str, expected: str | None
) -> None:
    found = findings_for(policy, license=license, vendor="Citrix Systems, Inc.")
    licences = [f for f in found if f.field == "license"]
    # One rule may find several licences of one expression (each its own finding).
    assert sorted({f.rule for f in licences}) == ([expected] if expected else [])
    for finding in licences:
        assert finding.category is Category.PROPRIETARY and finding.effective
    # The vendor is Citrix either way: a free licence does not hide that, nor make it proprietary.
    assert [f.category for f in found if f.rule == "citrix-vendor"] == [Category.CITRIX]


def test_components(policy) -> None:  # type: ignore[no-untyped-def]
    found = findings_for(policy, name="v6d-citrix")
    assert rules(found) == ["xenserver-proprietary-component"]
    assert found[0].replacement == "xcp-featured"
    assert rules(findings_for(policy, name="xenserver-lvm2")) == []  # a prefix is not evidence
    # XCP-ng 8.2 built its own security-tools: only the proprietary one is the component
    assert rules(findings_for(policy, name="security-tools", license="GPLv2")) == []
    assert "xenserver-proprietary-component" in rules(
        findings_for(policy, name="security-tools", license="Proprietary")
    )


def test_signing_keys(policy) -> None:  # type: ignore[no-untyped-def]
    assert rules(findings_for(policy, signing_keys=("4c86a52ef3d57d54",))) == ["citrix-signing-key"]
    assert rules(findings_for(policy, signing_keys=("cd75783a3fd3ac9e",))) == []
    # Citrix OpenStack's key, which XCP-ng's vendor-update-keys makes its hosts trust (SOURCES.md 6).
    assert rules(findings_for(policy, signing_keys=("6ab19bf316ed8bab",))) == ["citrix-signing-key"]
    # XCP-ng's key first, a Citrix key after it: the package is Citrix's build all the same.
    found = findings_for(policy, signing_keys=("cd75783a3fd3ac9e", "5259d0b0f6529a4e"))
    assert [(f.rule, f.value) for f in found] == [("citrix-signing-key", "5259d0b0f6529a4e")]


def test_binary_inherits_its_source_evidence(policy) -> None:  # type: ignore[no-untyped-def]
    source = replace(
        package({"name": "sm", "arch": "src"}),
        sources=(SourceFile(SourceKind.SOURCE, 0, "https://code.citrite.net/sm.tar.gz", "x"),),
    )
    binary = package({"name": "sm-cli", "sourcerpm": "sm-1.0-1.src.rpm"})
    found = classify([source, binary], policy)
    assert [(f.rule, f.inherited_from) for f in found[1]] == [("citrix-internal-host", "sm-1.0-1.src")]


def test_allow_rules_keep_findings_visible(tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text(
        '[[allow]]\nid = "our-lvm2"\npackages = ["lvm2*"]\nrules = ["citrix-internal-host"]\n'
        'reason = "tarball kept in xcp-ng-rpms/lvm2"\n'
    )
    policy = load_policy([str(extra)])
    found = findings_for(policy, name="lvm2", url="https://repo.citrite.net/xs-local-contrib/lvm2/LVM2.tgz")
    assert [(f.rule, f.allowed_by, f.effective) for f in found] == [
        ("citrix-internal-host", "our-lvm2", False)
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule]]\nid='x'\nkind='host'\nseverity='high'\nmessage='m'\n", "needs 'domains' or 'urls'"),
        ("[[rule]]\nid='x'\nkind='nope'\nseverity='high'\nmessage='m'\n", "kind"),
        ("[[rule]]\nid='x'\nkind='host'\nseverity='severe'\nmessage='m'\ndomains=['a']\n", "severity"),
        (
            "[[rule]]\nid='x'\nkind='field'\nseverity='high'\nmessage='m'\nfields=['vendor']\npattern='('\n",
            "regular expression",
        ),
        (
            "[[rule]]\nid='x'\nkind='host'\nseverity='high'\nmessage='m'\ndomains=['a']\nbogus=1\n",
            "unknown key 'bogus'",
        ),
        ("[[allow]]\nid='x'\npackages=['a']\n", "missing 'reason'"),
        ("this is not toml", "not valid TOML"),
        ("schema = 2\n", "unsupported policy schema"),
    ],
)
def test_policy_errors_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(PolicyError) as info:
        load_policy([str(path)])
    assert str(path) in str(info.value) and message in str(info.value)


def test_provenance_table(tmp_path: Path) -> None:
    table = tmp_path / "packages_provenance.csv"
    table.write_text(
        "SRPM_name;added_by;import_reason;latest_release_URL;latest_release_regexp\nsm;XS;;;\nxcp-featured;XCP-ng;replaces v6d;;\n"
    )
    policy = load_policy(provenance=[str(table)])
    found = findings_for(policy, name="sm", sourcerpm="sm-2.30-1.src.rpm")
    assert [(f.rule, f.value, f.effective) for f in found] == [("xenserver-provenance", "added_by=XS", False)]
    assert findings_for(policy, name="xcp-featured", sourcerpm="xcp-featured-1-1.src.rpm") == []


def test_rpm_features_match_the_installed_rpm() -> None:
    import subprocess

    version = subprocess.run(["rpm", "--version"], capture_output=True, text=True, check=True).stdout
    if "4.18" not in version:
        pytest.skip(f"the shipped rpmlib() list is rpm 4.18's; this rpm is {version.strip()}")
    showrc = subprocess.run(["rpm", "--showrc"], capture_output=True, text=True, check=True).stdout
    installed = {}
    for line in showrc.splitlines():
        line = line.strip()
        if line.startswith("rpmlib("):
            name, _, version_text = line.partition(" = ")
            installed[name[len("rpmlib(") : -1]] = version_text
    assert load_policy().rpm_features == installed


def test_parse_url_forms() -> None:
    parsed = parse_url("https://repo.citrite.net:443/a%2Fb?x=1#/f.tgz")
    assert parsed is not None and (parsed.host, parsed.port, parsed.path) == ("repo.citrite.net", 443, "/a/b")
    bare = parse_url("www.citrix.com/x")
    assert bare is not None and bare.host == "www.citrix.com"
    assert parse_url("not a url") is None
