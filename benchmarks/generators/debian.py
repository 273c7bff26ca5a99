"""Debian's binary package index (``Packages``) read as RPM would see it.

The distro corpora borrow a real distribution's dependency graph: Debian bookworm's ``main``
(about 63,000 packages with real Depends, Pre-Depends, Provides, alternatives and version
constraints). This module finds the index, decompresses it, splits it into paragraphs and
turns Debian versions and relations into RPM's (epoch, version, release) and flags, chosen
so that RPM's comparison answers what dpkg's would.
"""

from __future__ import annotations

import bz2
import glob
import gzip
import lzma
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import zstandard

APT_LISTS = "/var/lib/apt/lists"
APT_HELPER = "/usr/lib/apt/apt-helper"
BOOKWORM_MAIN = "*bookworm_main_binary-amd64_Packages*"
"""apt's file name for bookworm's main index on any mirror (``bookworm-updates`` does not match)."""
INDEX_URL = "https://deb.debian.org/debian/dists/bookworm/main/binary-amd64/Packages.xz"
"""Where machines without bookworm's apt lists (Ubuntu, Fedora, a later Debian) get the index."""

Evr = tuple[str, str, str]
Paragraph = dict[str, str]

FLAGS = {">=": "GE", "<=": "LE", "=": "EQ", "<<": "LT", ">>": "GT", "<": "LE", ">": "GE"}
"""Debian's relation operators as rpm-md flags; the deprecated ``<`` and ``>`` mean ``<=``, ``>=``."""
_ATOM = re.compile(
    r"^\s*([^\s(\[<]+)\s*(?:\(\s*(<<|<=|>=|>>|=|<|>)\s*([^)\s]+)\s*\))?\s*(?:\[[^\]]*\])?\s*(?:<[^>]*>\s*)*$"
)
_NATIVE = ("any", "native", "amd64")


@dataclass(frozen=True, slots=True)
class Relation:
    """One alternative of a Debian relation: a name, and an rpm-md flag and EVR when versioned."""

    name: str
    flags: str | None = None
    evr: Evr | None = None


def apt_index() -> str | None:
    """bookworm's main index in apt's lists, if ``apt-get update`` fetched it on this machine."""
    found = sorted(
        path
        for path in glob.glob(os.path.join(APT_LISTS, BOOKWORM_MAIN))
        if not path.endswith(("diff_Index", ".IndexDiff"))
    )
    return found[0] if found else None


def read_index(path: str) -> str:
    """The index's text, whatever its compression.

    apt stores its lists compressed as it was configured to (lz4 on Debian's defaults, which
    Python cannot read): apt's own ``apt-helper cat-file`` reads those. A downloaded index is
    ``.xz``, and the others are read with Python's (and zstandard's) decompressors.
    """
    if os.path.dirname(os.path.abspath(path)) == APT_LISTS and os.path.exists(APT_HELPER):
        done = subprocess.run([APT_HELPER, "cat-file", path], capture_output=True, check=True)
        data = done.stdout
    else:
        with open(path, "rb") as stream:
            data = stream.read()
        data = _decompress(path, data)
    return data.decode("utf-8", errors="replace")


def _decompress(path: str, data: bytes) -> bytes:
    if path.endswith(".gz"):
        return gzip.decompress(data)
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".bz2"):
        return bz2.decompress(data)
    if path.endswith(".zst"):
        return zstandard.ZstdDecompressor().decompressobj().decompress(data)
    if path.endswith(".lz4"):
        raise ValueError(f"{path}: lz4 is read by apt's {APT_HELPER}, which is not installed")
    return data


def paragraphs(text: str) -> Iterator[Paragraph]:
    """Each package's fields; continuation lines are joined to their field with new lines."""
    for block in text.split("\n\n"):
        fields: Paragraph = {}
        key = None
        for line in block.split("\n"):
            if not line:
                continue
            if line[0] in " \t":
                if key:
                    fields[key] += "\n" + line.strip()
                continue
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        if "Package" in fields:
            yield fields


def unique_paragraphs(text: str) -> list[Paragraph]:
    """The index's packages, each (name, architecture) once (the first wins, as in apt)."""
    seen: set[tuple[str, str | None]] = set()
    kept = []
    for fields in paragraphs(text):
        key = (fields["Package"], fields.get("Architecture"))
        if key not in seen:
            seen.add(key)
            kept.append(fields)
    return kept


def split_version(version: str) -> tuple[str, str, str | None]:
    """``[E:]U[-R]`` as (epoch, version, release or None) with RPM's characters.

    RPM versions cannot hold ``-``. ``^`` sorts as dpkg's ``-`` does in the two cases the graph
    meets: above the end of the string (``4.13.3withdata^dfsg2`` > ``4.13.3withdata``) and below
    ``.`` (``12^20211113`` < ``12.2.0``). ``~`` gets the first case wrong (223 instead of 56
    packages with unresolved requirements in distro-60k) and ``_`` the second.
    """
    epoch = "0"
    if ":" in version:
        epoch, version = version.split(":", 1)
    release: str | None = None
    if "-" in version:
        version, release = version.rsplit("-", 1)
    return epoch, version.replace("-", "^").replace(":", "_"), release


def full_evr(version: str) -> Evr:
    """``split_version`` with an absent Debian revision as ``0``, which is how dpkg compares it.

    Used for package versions and for the versions in relations alike, so that RPM (which
    ignores the release when a requirement has none) answers as dpkg does.
    """
    epoch, upstream, release = split_version(version)
    return epoch, upstream, release if release is not None else "0"


def relation_groups(field: str) -> list[tuple[Relation, ...]]:
    """A relation field as groups of alternatives (``a | b (>= 1), c``: two groups).

    ``:any``, ``:native`` and ``:amd64`` qualifiers are dropped; an alternative qualified with a
    foreign architecture (``libc6-i386:x32``, 25 in bookworm) names a package this index does
    not hold, so it is left out.
    """
    groups: list[tuple[Relation, ...]] = []
    for text in field.replace("\n", " ").split(","):
        alternatives = []
        for alternative in text.split("|"):
            match = _ATOM.match(alternative)
            if not match or not text.strip():
                continue
            name, operator, version = match.groups()
            if ":" in name:
                name, qualifier = name.split(":", 1)
                if qualifier not in _NATIVE:
                    continue
            if operator:
                alternatives.append(Relation(name, FLAGS[operator], full_evr(version)))
            else:
                alternatives.append(Relation(name))
        if alternatives:
            groups.append(tuple(alternatives))
    return groups


def evr_text(evr: Evr) -> str:
    """``[E:]V-R`` as RPM writes an EVR, the epoch left out when zero."""
    epoch, version, release = evr
    prefix = "" if epoch in ("", "0") else epoch + ":"
    return f"{prefix}{version}-{release}"
