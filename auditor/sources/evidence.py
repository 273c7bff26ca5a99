"""What a package file's header adds to its repository metadata entry, as read to complete it.

A repository's default scan reads the header of every file its metadata lists
(`auditor.sources.localrepo`, `auditor.sources.remote`) for what the metadata lacks and for
what the two must agree on (`auditor.sources.overlay`). Among the latter are the dependencies
createrepo_c copies into primary.xml: almost always the metadata has them already, so the
header's are kept as the header stores them, one text per tag, and made into `Dependency`
objects only for a file whose metadata hides some of them. On a repository of 4,000 small
packages, building them for every file, handing them between processes and storing them
cost a quarter of a second (``benchmarks/run.py --only rpms-2k-repository``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from auditor.rpm.model import EVR, Dependency, Op, Package
from auditor.rpm.sense import qualifier_words
from auditor.rpm.serialize import check_package_json, package_from_json, package_to_json

COPIED_DEPENDENCIES = (
    "requires", "provides", "conflicts", "obsoletes", "recommends", "suggests", "supplements", "enhances"
)  # fmt: skip
"""The dependencies createrepo_c copies from a header into primary.xml, in that order, that
the policy reads: the weak ones too (a URL in one names a host), which a writer that copies
no weak dependency (yum's createrepo) leaves out, so that the metadata lacking them is no
disagreement (`auditor.sources.overlay.overlay`)."""

ESCAPED_TWICE = "&#38;"
"""An ``&`` as ``createrepo_c --update`` before 0.18 writes it in a dependency entry it keeps from
the old metadata (``&amp;#38;``, fixed by createrepo_c's pull request 289): dnf reads the name
with ``&#38;`` in it, the header has ``&``. XenServer's ``gitsha(URL?at=...&format=...)``
provides have one, so every such package of a repository kept up to date that way would
otherwise disagree with its file."""

EVIDENCE_KIND = "\0evidence+origin+copied-tags+build-identity+recommends+weak+files"
"""What a stored `HeaderEvidence` adds to its store key (`auditor.runtime.store.Store.package_key`):
a model of another shape, stored before it held what this one holds, is another entry."""


@dataclass(frozen=True, slots=True)
class CopiedTags:
    """One kind of dependency as a header stores it: its names, flags and versions tags.

    ``names`` and ``versions`` are the tags' strings joined by NUL (no string holds one; None
    when there is no name), ``flags`` the flags: one flag and one version for each name (0 and
    "" where the header has none). The reader checked what `dependencies_of` needs (types,
    counts that agree) when it made this."""

    names: str | None
    flags: tuple[int, ...]
    versions: str | None

    def __reduce__(self) -> tuple[type[CopiedTags], tuple[str | None, tuple[int, ...], str | None]]:
        # As `auditor.rpm.model.Package.__reduce__`: four of these cross from each worker
        # process with each file's evidence, and positional arguments unpickle faster.
        return (CopiedTags, (self.names, self.flags, self.versions))

    def name_list(self) -> list[str]:
        return [] if self.names is None else self.names.split("\0")


@dataclass(frozen=True, slots=True)
class HeaderEvidence:
    """A package file read to complete its metadata entry: ``package`` has the identity, what
    the metadata lacks (signing key, Distribution, BugURL, a source package's Sources) and the
    origin fields and build time, but no dependencies; ``copied`` has the header's Requires,
    Provides, Conflicts, Obsoletes and weak ones (`COPIED_DEPENDENCIES`, in that order); ``header_end``
    where the file's headers end (its payload starts: ``rpm:header-range`` end), None when
    unknown."""

    package: Package
    copied: tuple[CopiedTags, ...]
    header_end: int | None = None
    files: tuple[str, str] | None = None
    """Of a binary, its files as the metadata must list them (`auditor.sources.filedigest`)."""

    def __reduce__(
        self,
    ) -> tuple[
        type[HeaderEvidence], tuple[Package, tuple[CopiedTags, ...], int | None, tuple[str, str] | None]
    ]:
        # see CopiedTags.__reduce__
        return (HeaderEvidence, (self.package, self.copied, self.header_end, self.files))

    def names(self, kind: str) -> set[str]:
        """The names of the header's dependencies of ``kind`` (one of `COPIED_DEPENDENCIES`)."""
        return set(self.copied[COPIED_DEPENDENCIES.index(kind)].name_list())

    def dependencies(self) -> dict[str, tuple[Dependency, ...]]:
        """The header's copied dependencies as the package model holds them, by kind.
        Raises ValueError for a version rpm could not read (see `has_unreadable_version`)."""
        pairs = zip(COPIED_DEPENDENCIES, self.copied, strict=True)
        return {kind: dependencies_of(tags) for kind, tags in pairs}


def dependencies_of(tags: CopiedTags) -> tuple[Dependency, ...]:
    """``tags`` as `Dependency` objects (`dependency_tuple`)."""
    names = tags.name_list()
    if not names or tags.versions is None:
        return ()
    return dependency_tuple(names, tags.flags, tags.versions.split("\0"))


def dependency_tuple(names: list[str], flags: Sequence[int], versions: list[str]) -> tuple[Dependency, ...]:
    """One kind of a header's dependencies, from its three tags (of one length), as
    `Dependency` objects shared with every package read in this process: a distribution
    repeats them a lot. Raises ValueError for a version `EVR.parse` refuses."""
    get = _INTERNER.get
    return tuple(get(name, flag, version) for name, flag, version in zip(names, flags, versions, strict=True))


class DependencyInterner:
    """Share identical `Dependency` objects between packages, and what they are made of: the
    operator and qualifiers of each flags value (rpm's sense bits, an `enum.IntFlag` to
    decode: slow), and the `EVR` of each version. Most entries of a set of packages are each
    package's own (its name, its version), but they have a handful of flags values between
    them, and their versions repeat."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int, str], Dependency] = {}
        self._senses: dict[int, tuple[Op | None, frozenset[str]]] = {}
        self._evrs: dict[str, EVR] = {}

    def get(self, name: str, flags: int, version: str) -> Dependency:
        key = (name, flags, version)
        found = self._cache.get(key)
        if found is None:
            sense = self._senses.get(flags)
            if sense is None:
                sense = self._senses[flags] = (Op.from_sense(flags), qualifier_words(flags))
            op, qualifiers = sense
            evr = None
            if op is None or not version:
                op = None
            elif (evr := self._evrs.get(version)) is None:
                evr = self._evrs[version] = EVR.parse(version)
            found = Dependency(name, op, evr, qualifiers)
            self._cache[key] = found
        return found


_INTERNER = DependencyInterner()


def has_unreadable_version(versions: str) -> bool:
    """Whether one of the NUL-joined ``versions`` holds an epoch too long to be a number
    (`EVR.parse` refuses it): the reader then builds the dependencies at once, to fail on the
    file as a full read does."""
    return _LONG_EPOCH is not None and _LONG_EPOCH.search(versions) is not None


_DIGITS = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
_LONG_EPOCH = re.compile(f"(?:^|\0)[0-9]{{{_DIGITS + 1},}}:") if _DIGITS else None
"""A version whose epoch has more digits than Python converts (0: no limit, never refused)."""


def evidence_to_json(evidence: HeaderEvidence) -> dict[str, Any]:
    """``evidence`` as the store keeps it."""
    return {
        "package": package_to_json(evidence.package),
        "copied": [[tags.names, list(tags.flags), tags.versions] for tags in evidence.copied],
        "header_end": evidence.header_end,
        "files": None if evidence.files is None else list(evidence.files),
    }


def evidence_from_json(data: dict[str, Any]) -> HeaderEvidence:
    """What `evidence_to_json` wrote, checked to the type: raises ValueError (or KeyError,
    TypeError) for another shape, a row damaged in the store."""
    check_package_json(data["package"])
    copied = data["copied"]
    if not isinstance(copied, list) or len(copied) != len(COPIED_DEPENDENCIES):
        raise ValueError("copied has the wrong shape")
    tags = []
    for names, flags, versions in copied:
        if not (
            isinstance(names, (str, type(None)))
            and isinstance(versions, (str, type(None)))
            and isinstance(flags, list)
            and all(type(flag) is int for flag in flags)
        ):
            raise ValueError("copied has the wrong shape")
        count = 0 if names is None else names.count("\0") + 1
        counted = 0 if versions is None else versions.count("\0") + 1
        if len(flags) != count or counted != count:
            raise ValueError("copied has the wrong shape")
        tags.append(CopiedTags(names, tuple(flags), versions))
    header_end = data["header_end"]
    if header_end is not None and type(header_end) is not int:
        raise ValueError("header_end is not a number")
    files = data["files"]
    if files is not None and not (isinstance(files, list) and len(files) == 2 and all(map(_a_digest, files))):
        raise ValueError("files is not two digests")
    return HeaderEvidence(
        package_from_json(data["package"]),
        tuple(tags),
        header_end,
        None if files is None else (files[0], files[1]),
    )


def _a_digest(value: object) -> bool:
    return isinstance(value, str) and value.partition(":")[0].isdigit()
