"""README, "The SBOM": a source package's Source and Patch URLs are ``source-distribution``
references, ``vcs`` for git, svn, hg and bzr URLs (SPDX: in ``sourceInfo``). Only http, https,
ftp, git and svn URLs were written: an ``hg://``, ``bzr://``, ``git+https://`` or ``svn+ssh://``
Source was left out of both documents, with the VCS it names."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.cli.main import main
from tests.rpmbuild import build_all

SOURCES = {
    "Source0": "https://example.org/v/vv-1.0.tar.gz",
    "Source1": "git://git.example.org/vv.git",
    "Source2": "hg://hg.example.org/vv",
    "Source3": "bzr://bzr.example.org/vv",
    "Source4": "git+https://github.com/example/vv.git",
    "Source5": "svn+ssh://svn.example.org/vv/trunk",
    "Patch0": "https://example.org/v/fix.patch",
}
VCS = {"Source1", "Source2", "Source3", "Source4", "Source5"}

SPEC = """Name: vv
Version: 1.0
Release: 1
Summary: sources of every kind
License: MIT
BuildArch: noarch
{tags}
%description
v
%prep
%build
%install
mkdir -p %{{buildroot}}/usr/share/vv
echo v > %{{buildroot}}/usr/share/vv/v
%files
/usr/share/vv/v
"""


def test_every_source_url_is_a_reference_and_a_vcs_one_is_vcs(tmp_path: Path) -> None:
    spec = tmp_path / "vv.spec"
    spec.write_text(SPEC.format(tags="\n".join(f"{tag}: {url}" for tag, url in SOURCES.items())))
    files = {url.rstrip("/").rsplit("/", 1)[-1]: "x\n" for url in SOURCES.values()}
    srpm, _ = build_all(spec, tmp_path / "top", files)
    cdx, spdx = tmp_path / "vv.cdx.json", tmp_path / "vv.spdx.json"
    assert main(["scan", str(srpm), "-o", str(cdx), "-o", str(spdx), "-q", "--no-cache"]) == 0
    [source] = [c for c in json.loads(cdx.read_text())["components"] if c["purl"].endswith("arch=src")]
    references = {ref["comment"]: (ref["type"], ref["url"]) for ref in source["externalReferences"]}
    assert references == {
        tag: ("vcs" if tag in VCS else "source-distribution", url) for tag, url in SOURCES.items()
    }
    [package] = [
        p for p in json.loads(spdx.read_text())["packages"] if p["primaryPackagePurpose"] == "SOURCE"
    ]
    assert package["sourceInfo"].splitlines() == [f"{tag}: {url}" for tag, url in SOURCES.items()]
