"""distro-200k and versions-30k: Debian bookworm's index several times over, as one rpm-md
repository.

distro-200k (`copies`): the first copy is the index as distro-60k has it; the second and third
have every package, source and relation name suffixed (``-c2``, ``-c3``), so each is a
distribution of its own but for the files the first copy's packages own (``/bin/sh``,
``/usr/bin/perl``...), which the others require too. It puts the cost of an audit past one
distribution on record.

versions-30k (`versions`): distro-10k's packages three times, the second and third copies with
every version suffixed (``+v1``, ``+v2``) and nothing renamed: every name in three versions,
each requirement met by each of them, as in a repository beside its updates (XCP-ng's base and
updates, or three releases' spec files scanned at once). It puts the cost of many versions of
each name on record: what a package holds is apart from its other versions, and what the
clean-way search asks grows with them.

multilib-12k (`multilib`): distro-10k's packages and an i686 copy of about 40 % of its x86_64
ones, a quarter of those of an older version only (``0~`` before the upstream version), as an
EL repository with its 32-bit packages beside updates that left some behind (CentOS 7 as
XCP-ng's context). A requirement met by an x86_64 package is met by its i686 copy too, and an
old i686 copy within reach of its name's x86_64 package is banned (libsolv's infarch rule):
the multilib walk's cost on record, and its unresolved requirements held to dnf's and libsolv's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from benchmarks.generators.debian import Paragraph

COPIES = 3
MULTILIB_SHARE = 40
"""Of each 100 amd64 packages, about how many `multilib` copies as i386 (i686)."""
OLDER_SHARE = 10
"""Of each 100 amd64 packages, about how many of those copies are of an older version only."""
_EPOCH = re.compile(r"(\d+:)?(.*)")
_RELATION_FIELDS = ("Depends", "Pre-Depends", "Recommends", "Suggests", "Enhances", "Conflicts",
                    "Breaks", "Provides")  # fmt: skip
_RELATION_NAME = re.compile(r"(^|[,|])(\s*)([^\s,|(\[<]+)")
"""The name that opens each alternative of a relation field (architecture lists and build
profiles in brackets come after it and are left alone)."""


def copies(packages: Sequence[Paragraph], count: int = COPIES) -> list[Paragraph]:
    """``packages`` and ``count - 1`` renamed copies of them."""
    found = list(packages)
    for number in range(2, count + 1):
        found += [renamed(fields, f"-c{number}") for fields in packages]
    names = [(fields["Package"], fields.get("Architecture")) for fields in found]
    if len(set(names)) != len(names):
        raise ValueError("a renamed copy collides with a package of the index")
    return found


def versions(packages: Sequence[Paragraph], count: int = COPIES) -> list[Paragraph]:
    """``packages`` and ``count - 1`` copies of them, each with its versions suffixed."""
    found = list(packages)
    for number in range(1, count):
        found += [versioned(fields, f"+v{number}") for fields in packages]
    return found


def multilib(packages: Sequence[Paragraph]) -> list[Paragraph]:
    """``packages`` and an i386 copy of some of the amd64 ones (chosen by a digest of the name,
    the same every run), some of an older version."""
    found = list(packages)
    for fields in packages:
        if fields.get("Architecture") != "amd64":
            continue
        bucket = int(hashlib.md5(fields["Package"].encode()).hexdigest()[:8], 16) % 100
        if bucket >= MULTILIB_SHARE:
            continue
        copy = dict(fields, Architecture="i386")
        if bucket < OLDER_SHARE:
            match = _EPOCH.fullmatch(fields["Version"])
            assert match is not None  # (.*) matches anything
            copy["Version"] = f"{match.group(1) or ''}0~{match.group(2)}"
        digest = fields.get("SHA256") or fields["Package"]
        copy["SHA256"] = hashlib.sha256((digest + ":i386").encode()).hexdigest()
        found.append(copy)
    return found


def versioned(fields: Paragraph, suffix: str) -> Paragraph:
    """A package with its version suffixed (a later one, by rpm's and Debian's order alike)."""
    copy = dict(fields)
    copy["Version"] = fields["Version"] + suffix
    digest = fields.get("SHA256") or fields["Package"]
    copy["SHA256"] = hashlib.sha256((digest + suffix).encode()).hexdigest()
    return copy


def renamed(fields: Paragraph, suffix: str) -> Paragraph:
    """A package with its name, its source's and every name its relations give suffixed."""

    def rename(match: re.Match[str]) -> str:
        name, colon, qualifier = match.group(3).partition(":")
        return f"{match.group(1)}{match.group(2)}{name}{suffix}{colon}{qualifier}"

    copy = dict(fields)
    copy["Package"] = fields["Package"] + suffix
    source = fields.get("Source")
    if source:
        head, space, tail = source.partition(" ")
        copy["Source"] = head + suffix + space + tail
    for field in _RELATION_FIELDS:
        if field in fields:
            copy[field] = _RELATION_NAME.sub(rename, fields[field])
    digest = fields.get("SHA256") or fields["Package"]
    copy["SHA256"] = hashlib.sha256((digest + suffix).encode()).hexdigest()
    return copy
