"""The packager, build-host and public-organisation rules cover every domain and host the
policy itself names as Citrix's (red team 6, findings 6, 7, 8), on built RPMs and specs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.origin.scanned import rules_of, scan, write_spec

PACKAGERS = {
    "eng.citrix.com": ["citrix-packager"],
    "xenrt.citrite.net": ["citrix-packager"],
    "citrixxenserver.com": ["citrix-packager"],
    "xensource.com": ["citrix-packager"],
    "lists.xenserver.org": ["citrix-packager"],
    "cloud.com": ["citrix-packager"],
    "xcp-ng.org": [],
    "soundcloud.com": [],
    "citrite.network.example.org": [],
}
BUILD_HOSTS = {
    "koji01.citrite.net": ["citrix-build-host"],
    "build01.xenserver.com": ["citrix-build-host"],
    "xs-build.citrix.com": ["citrix-build-host"],
    "builder.cloud.com": ["citrix-build-host"],
    "nightly.xenserver.org": ["citrix-build-host"],
    "koji.citrixxenserver.com": ["citrix-build-host"],
    "koji.xcp-ng.org": [],
    "build.soundcloud.com": [],
    "xenserver.com.example.org": [],
}


def build(tmp_path: Path, name: str, *tags: str, buildhost: str | None = None) -> Path:
    """The binary RPM rpmbuild makes of a spec with ``tags``, on ``buildhost`` if given."""
    spec = write_spec(tmp_path, name, *tags)
    top = tmp_path / "rpmbuild"
    host = ["--define", f"_buildhost {buildhost}"] if buildhost else []
    subprocess.run(["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}", *host, str(spec)], check=True)
    (built,) = (top / "RPMS" / "noarch").glob(f"{name}-1.0-*.rpm")
    return built


def test_a_packager_at_any_citrix_domain_is_citrix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rpms = {
        domain: build(tmp_path, f"p{index}", f"Packager: Release Engineering <build@{domain}>")
        for index, domain in enumerate(PACKAGERS)
    }
    _, findings, _ = scan(capsys, *rpms.values())
    found = {domain: rules_of(findings[f"p{index}"]) for index, domain in enumerate(PACKAGERS)}
    assert found == PACKAGERS


def test_a_build_host_under_any_citrix_domain_is_citrix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rpms = [build(tmp_path, f"b{index}", buildhost=host) for index, host in enumerate(BUILD_HOSTS)]
    header = subprocess.run(
        ["rpm", "-qp", "--qf", "%{BUILDHOST}\n", *map(str, rpms)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert header == list(BUILD_HOSTS)  # rpm wrote the host asked for
    _, findings, _ = scan(capsys, *rpms)
    found = {host: rules_of(findings[f"b{index}"]) for index, host in enumerate(BUILD_HOSTS)}
    assert found == BUILD_HOSTS


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("https://xenserver.github.io/xs-opam/xs-opam-1.tar.gz", ["citrix-public-organisation"]),
        ("https://CITRIX.github.io/blob/blob-1.tar.gz", ["citrix-public-organisation"]),
        ("https://github.com/xenserver/xs-opam/archive/v1.tar.gz", ["citrix-public-organisation"]),
        ("https://xcp-ng.github.io/xs-opam/xs-opam-1.tar.gz", []),
        ("https://xenserver-fan.github.io/x/x-1.tar.gz", []),
        ("https://github.io/xenserver/x-1.tar.gz", []),
        ("https://xenserver.gitlab.io/xs-opam/xs-opam-1.tar.gz", ["citrix-public-organisation"]),
        ("https://citrix.bitbucket.io/b/b-1.tar.gz", ["citrix-public-organisation"]),
        ("https://xcp-ng.gitlab.io/x/x-1.tar.gz", []),
        ("https://gitlab.io/xenserver/x-1.tar.gz", []),
    ],
)
def test_an_organisations_pages_host_is_the_organisation(
    source: str, expected: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, findings, _ = scan(capsys, write_spec(tmp_path, "g", "Source0: g.tar.gz", f"Source1: {source}"))
    assert rules_of(findings["g"]) == expected


def test_a_bare_host_in_urls_covers_every_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``urls = ["host"]`` is the host's root, under which every path is: it once matched only
    the URL of the root itself."""
    policy = tmp_path / "ours.toml"
    policy.write_text(
        '[[rule]]\nid = "ours"\nkind = "host"\nseverity = "high"\nmessage = "m"\n'
        'urls = ["mirror.example.org", "other.example.org/"]\n'
    )
    specs = [
        write_spec(tmp_path, "deep", "Source0: https://mirror.example.org/pub/x/deep-1.0.tar.gz"),
        write_spec(tmp_path, "slash", "Source0: https://other.example.org/y/slash-1.0.tar.gz"),
        write_spec(tmp_path, "elsewhere", "Source0: https://example.org/pub/elsewhere-1.0.tar.gz"),
    ]
    _, findings, _ = scan(capsys, *specs, "--policy", policy)
    assert {name: [r for r in rules_of(found) if r == "ours"] for name, found in findings.items()} == {
        "deep": ["ours"],
        "slash": ["ours"],
        "elsewhere": [],
    }


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("github.com/xenserver/xapi/archive/v1.0.tar.gz", ["citrix-public-organisation"]),
        ("git@github.com:xenserver/xapi.git", ["citrix-public-organisation"]),
        ("updates.xenserver.com/pool/xapi-1.0.tar.gz", ["citrix-corporate-host"]),
        ("xenserver.com-notes-1.0.tar.gz", []),  # a file name, whatever it looks like
        ("github.com/xcp-ng/xapi/archive/v1.0.tar.gz", []),
        # A URL without its scheme (RFC 3986 network-path reference; red team rt3: clean).
        ("//downloads.citrix.com/xapi-1.0.tar.gz", ["citrix-corporate-host"]),
        ("//git@github.com/xenserver/xapi.git", ["citrix-public-organisation"]),
        ("///downloads.citrix.com/xapi-1.0.tar.gz", []),  # a local path: no host
    ],
)
def test_a_source_written_as_a_host_and_a_path_says_where_it_was_taken_from(
    source: str, expected: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm takes a Source without a scheme for a local file name (red team 32): still, one
    written as a host and a path names where the file was taken from, and was read as
    nothing, the package clean."""
    _, findings, _ = scan(capsys, write_spec(tmp_path, "h", f"Source0: {source}"))
    assert rules_of(findings["h"]) == expected
