"""The dependency tags of an RPM header, as rpm and createrepo_c read them: each kind's names,
flags and versions checked to agree, rpm < 4.12's weak tags, rpm 3's retrofitted Provides, and
the joined form `HeaderEvidence` keeps to compare with a repository's metadata."""

from __future__ import annotations

from auditor.core.errors import InputError
from auditor.formats.rpmheader import Header, Tag
from auditor.rpm.model import Dependency
from auditor.sources.evidence import CopiedTags, dependency_tuple, has_unreadable_version

# (model field, name tag, flags tag, version tag), in rpm's order.
DEPENDENCY_TAGS = (
    ("requires", Tag.REQUIRENAME, Tag.REQUIREFLAGS, Tag.REQUIREVERSION),
    ("provides", Tag.PROVIDENAME, Tag.PROVIDEFLAGS, Tag.PROVIDEVERSION),
    ("conflicts", Tag.CONFLICTNAME, Tag.CONFLICTFLAGS, Tag.CONFLICTVERSION),
    ("obsoletes", Tag.OBSOLETENAME, Tag.OBSOLETEFLAGS, Tag.OBSOLETEVERSION),
    ("recommends", Tag.RECOMMENDNAME, Tag.RECOMMENDFLAGS, Tag.RECOMMENDVERSION),
    ("suggests", Tag.SUGGESTNAME, Tag.SUGGESTFLAGS, Tag.SUGGESTVERSION),
    ("supplements", Tag.SUPPLEMENTNAME, Tag.SUPPLEMENTFLAGS, Tag.SUPPLEMENTVERSION),
    ("enhances", Tag.ENHANCENAME, Tag.ENHANCEFLAGS, Tag.ENHANCEVERSION),
)
COPIED_TAGS = DEPENDENCY_TAGS
"""The dependencies createrepo_c copies into primary.xml, which the evidence keeps to compare with
the metadata's (`auditor.sources.evidence.COPIED_DEPENDENCIES`: every kind, in that order)."""
# rpm < 4.12 stored Suggests/Enhances here (RPMTAG_OLDSUGGESTS*, RPMTAG_OLDENHANCES*), and a Recommends/
# Supplements as one with RPMSENSE_STRONG (SUSE's), as createrepo_c writes it: (weak kind, strong kind, tags).
OLD_WEAK_TAGS = (
    ("suggests", "recommends", Tag.OLDSUGGESTSNAME, Tag.OLDSUGGESTSFLAGS, Tag.OLDSUGGESTSVERSION),
    ("enhances", "supplements", Tag.OLDENHANCESNAME, Tag.OLDENHANCESFLAGS, Tag.OLDENHANCESVERSION),
)
_STRONG = 1 << 27  # RPMSENSE_STRONG: an old weak dependency with it is the strong kind
_NO_TAGS = CopiedTags(None, (), None)


def dependencies(header: Header, name_tag: int, flags_tag: int, version_tag: int) -> tuple[Dependency, ...]:
    names, flags, versions = _dependency_tags(header, name_tag, flags_tag, version_tag)
    return as_dependencies(header, version_tag, names, flags, versions) if names else ()


def as_dependencies(
    header: Header, version_tag: int, names: list[str], flags: tuple[int, ...], versions: list[str]
) -> tuple[Dependency, ...]:
    try:
        return dependency_tuple(names, flags, versions)
    except ValueError as exc:
        raise InputError(header.source, f"corrupt RPM header: tag {version_tag}: {exc}") from None


def _dependency_tags(
    header: Header, name_tag: int, flags_tag: int, version_tag: int
) -> tuple[list[str], tuple[int, ...], list[str]]:
    """One kind's names, flags and versions (empty when it has no name), checked to agree in
    length, a flag (0) and a version ("") for every name where the header has none; the
    Provides of a legacy binary header with the one rpm adds on reading it (`_retrofitted`)."""
    names = header.strings(name_tag)
    flags = header.ints(flags_tag) if names else ()
    versions = header.strings(version_tag) if names else []
    if (flags and len(flags) != len(names)) or (versions and len(versions) != len(names)):
        detail = f"corrupt RPM header: tag {name_tag} and its flags/versions differ in length"
        raise InputError(header.source, detail)
    flags = flags or (0,) * len(names)
    versions = versions or [""] * len(names)
    if name_tag == Tag.PROVIDENAME:
        return _retrofitted(header, names, flags, versions)
    return names, flags, versions


_SENSE_EQUAL = 8


def _retrofitted(
    header: Header, names: list[str], flags: tuple[int, ...], versions: list[str]
) -> tuple[list[str], tuple[int, ...], list[str]]:
    """rpm's legacyRetrofit, as rpmReadPackageFile applies it to a header without the
    immutable region (rpm 3's): a binary package provides NAME = [E:]V-R, added unless it has
    that very Provide (providePackageNVR). rpm -qp and createrepo_c see it, so the metadata of
    such a package carries it."""
    name = header.string(Tag.NAME)
    if not header.legacy or Tag.SOURCERPM not in header or not name:
        return names, flags, versions
    epoch = header.integer(Tag.EPOCH)
    evr = f"{header.string(Tag.VERSION)}-{header.string(Tag.RELEASE)}"
    evr = evr if epoch is None else f"{epoch}:{evr}"
    if any(
        (n, f & 0x0F, v) == (name, _SENSE_EQUAL, evr) for n, f, v in zip(names, flags, versions, strict=True)
    ):
        return names, flags, versions
    return [*names, name], (*flags, _SENSE_EQUAL), [*versions, evr]


def old_weak(
    header: Header, name_tag: int, flags_tag: int, version_tag: int, *, strong: bool
) -> tuple[list[str], tuple[int, ...], list[str]]:
    """The entries of an rpm < 4.12 weak dependency tag (`OLD_WEAK_TAGS`) with
    RPMSENSE_STRONG (``strong``) or without, that bit left out of their flags."""
    if name_tag not in header:  # rpm >= 4.12 writes none: asked 4 times a file, answered at once
        return [], (), []
    entries = [
        (name, flag & ~_STRONG, version)
        for name, flag, version in zip(
            *_dependency_tags(header, name_tag, flags_tag, version_tag), strict=True
        )
        if bool(flag & _STRONG) is strong
    ]
    return [name for name, _, _ in entries], tuple(flag for _, flag, _ in entries), [v for _, _, v in entries]


def copied_tags(header: Header, name_tag: int, flags_tag: int, version_tag: int) -> CopiedTags:
    """One kind of dependency for `HeaderEvidence`, checked as `dependencies` checks it."""
    if name_tag not in header and not (header.legacy and name_tag == Tag.PROVIDENAME):
        return _NO_TAGS  # most kinds, in most headers (a legacy header still provides itself)
    as_stored = _joined_tags(header, name_tag, flags_tag, version_tag)
    if as_stored is not None:
        return as_stored
    names, flags, versions = _dependency_tags(header, name_tag, flags_tag, version_tag)
    if not names:
        return _NO_TAGS
    joined = "\0".join(versions)
    if has_unreadable_version(joined):  # fail on the file now, as a full read does
        as_dependencies(header, version_tag, names, flags, versions)
    return CopiedTags("\0".join(names), flags, joined)


def _joined_tags(header: Header, name_tag: int, flags_tag: int, version_tag: int) -> CopiedTags | None:
    """`copied_tags` of the tags as rpmbuild writes them (names and versions as arrays of
    UTF-8 strings, `Header.joined_strings`, a flag and a version for every name), without
    splitting what `CopiedTags` joins again: every dependency of every file read passes here.
    None for anything else, which `copied_tags` reads its own way and refuses where it must,
    a legacy header's Provides too (`_retrofitted`)."""
    if header.legacy and name_tag == Tag.PROVIDENAME:
        return None
    names = header.joined_strings(name_tag)
    if names is None:
        return None
    versions = header.joined_strings(version_tag)
    flags = header.ints(flags_tag)
    if versions is None or versions[1] != names[1] or len(flags) != names[1]:
        return None
    if has_unreadable_version(versions[0]):
        return None
    return CopiedTags(names[0], flags, versions[0])
