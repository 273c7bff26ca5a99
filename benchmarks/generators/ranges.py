"""ranges-5k: one name of 5,000 versions, and 15,000 packages each naming a range of it.

The hostile shape of the last rounds: ``x-1.0-K`` for K = 1..5,000; ``o-K`` obsoleting
``x < 1.0-K``, ``c-K`` conflicting with ``x > 1.0-K`` and ``r-K`` requiring ``x <= 1.0-K``, each
range its own. Compared one by one, every range meets every version: 25 million comparisons
per kind. ``r-0`` requires ``x < 1.0-1``, which no version meets: the one unresolved
requirement, for the closure checks to agree on. Made from nothing but this file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from xml.sax.saxutils import escape

from benchmarks.generators.rpmmd import Entry, Fragments, version_attributes, write_repository

VERSIONS = 5000
_RELEASE = "1"


def _package(name: str, release: str, kind: str = "", relation: Entry | None = None) -> Fragments:
    evr = ("0", "1.0", release)
    pkgid = hashlib.sha256(f"{name}-1.0-{release}".encode()).hexdigest()
    file_name = f"{name}-1.0-{release}.noarch.rpm"
    head = (
        f'<package pkgid="{pkgid}" name="{escape(name)}" arch="noarch">\n'
        f"  <version {version_attributes(evr)}/>\n"
    )
    relation_xml = f"    <rpm:{kind}>\n      {relation.xml()}\n    </rpm:{kind}>\n" if relation else ""
    primary = (
        f'<package type="rpm">\n  <name>{escape(name)}</name>\n  <arch>noarch</arch>\n'
        f"  <version {version_attributes(evr)}/>\n"
        f'  <checksum type="sha256" pkgid="YES">{pkgid}</checksum>\n'
        f"  <summary>{escape(name)}</summary>\n  <description>{escape(name)}</description>\n"
        f'  <packager></packager>\n  <url></url>\n  <time file="1" build="1"/>\n'
        f'  <size package="1" installed="1" archive="1"/>\n'
        f'  <location href="Packages/{escape(file_name)}"/>\n  <format>\n'
        f"    <rpm:license>MIT</rpm:license>\n    <rpm:vendor>ranges</rpm:vendor>\n"
        f"    <rpm:sourcerpm>{escape(name)}-1.0-{release}.src.rpm</rpm:sourcerpm>\n"
        f"    <rpm:provides>\n      {Entry(name, 'EQ', evr).xml()}\n    </rpm:provides>\n"
        f"{relation_xml}  </format>\n</package>\n"
    )
    return Fragments(primary, head + "</package>\n", head + "</package>\n")


def _packages(count: int) -> Iterator[Fragments]:
    for k in range(1, count + 1):
        yield _package("x", str(k))
    for kind, op, prefix in (("obsoletes", "LT", "o"), ("conflicts", "GT", "c"), ("requires", "LE", "r")):
        for k in range(1, count + 1):
            yield _package(f"{prefix}-{k}", _RELEASE, kind, Entry("x", op, ("0", "1.0", str(k))))
    yield _package("r-0", _RELEASE, "requires", Entry("x", "LT", ("0", "1.0", "1")))


def write(outdir: str, count: int = VERSIONS) -> int:
    """The repository in ``outdir``; how many packages it holds."""
    total = 4 * count + 1
    write_repository(outdir, _packages(count), total)
    return total
