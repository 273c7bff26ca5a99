#!/usr/bin/env python3
"""Build source RPMs whose payload holds a large incompressible source, SPEC tag dropped.

The remote tests (tests/sources/test_remote_spec.py) stream such a payload over HTTP until its spec
and count the bytes the server sends. A payload is a cpio archive in file-name order, so:

- ``streamed-first``: its spec (``streamed-first.spec``) sorts before its 64 MiB source
  (``zz-bulk-1.0.tar``): the spec is found in the first piece, the rest is never sent;
- ``streamed-last``: its 4 MiB source (``aa-bulk-1.0.tar``) sorts before its spec: reading
  the spec costs the whole payload, which is what the download budgets are for.

Both have a Citrix-hosted Source1, so only reading the spec shows their origin. They are
built with rpmbuild, at test time (tens of MiB are not committed), as build_fixtures.py
builds the committed ones: same settings, SPEC tag stripped the same way, rpm 4.11 style.

    .venv/bin/python tests/data/build_streamed.py OUT_DIR
"""

from __future__ import annotations

import os
import random
import shutil
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.data.build_fixtures import SOURCE_DATE_EPOCH, rpm_defines, run, strip_spec_tag

MIB = 1024 * 1024
PACKAGES = {"streamed-first": ("zz-bulk-1.0.tar", 64 * MIB), "streamed-last": ("aa-bulk-1.0.tar", 4 * MIB)}
CITRIX_SOURCE = (
    "https://code.citrite.net/rest/archive/latest/projects/XS/repos/{name}/archive#/{name}-extra.tar.gz"
)

SPEC = """\
Name:           {name}
Version:        1.0
Release:        1
Summary:        Fixture: a source RPM whose payload is streamed until its spec
License:        GPLv2
URL:            https://github.com/xcp-ng-rpms/{name}
BuildArch:      noarch
Source0:        {bulk}
Source1:        {citrix}

%description
A fixture without the SPEC tag, with a large incompressible source.

%files

%changelog
* Mon Jan 01 2024 Fixture Builder <fixtures@example.org> - 1.0-1
- Streamed fixture.
"""


def build(out: Path) -> dict[str, Path]:
    """Build both source RPMs into ``out``; their paths by package name."""
    topdir = out / "rpmbuild"
    for sub in ("SOURCES", "SPECS", "SRPMS", "BUILD", "tmp"):
        (topdir / sub).mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH), "LC_ALL": "C"}
    # gzip level 1: the bulk does not compress anyway, and level 9 would only take longer.
    defines = rpm_defines(topdir, {"_source_payload": "w1.gzdio"})
    built: dict[str, Path] = {}
    for name, (bulk, size) in PACKAGES.items():
        citrix = CITRIX_SOURCE.format(name=name)
        spec = topdir / "SPECS" / f"{name}.spec"
        spec.write_text(SPEC.format(name=name, bulk=bulk, citrix=citrix))
        (topdir / "SOURCES" / bulk).write_bytes(random.Random(name).randbytes(size))
        (topdir / "SOURCES" / f"{name}-extra.tar.gz").write_bytes(b"placeholder\n")
        run(["rpmbuild", "-bs", *defines, str(spec)], env)
        srpm = topdir / "SRPMS" / f"{name}-1.0-1.src.rpm"
        strip_spec_tag(srpm)
        built[name] = out / srpm.name
        shutil.move(srpm, built[name])
    shutil.rmtree(topdir)
    return built


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    for path in build(Path(sys.argv[1])).values():
        print(path)
