"""What a repository's metadata must agree on with the header of each file it lists.

createrepo_c writes primary.xml from each package's header, so where the two differ one of
them was changed since. The file is what gets installed: `overlay` completes the metadata's
entry with what only the header carries (a signing key, Distribution, BugURL, a source
package's Sources), judges and resolves the package by the header wherever they differ, and
names the difference as the file's input error. Whether the file is the one its entry
describes at all (not another package, not a rebuild put in its place) is
`auditor.sources.entryfile`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from auditor.core.errors import InputError
from auditor.rpm.filelist import PendingFileList
from auditor.rpm.model import Dependency, Package, with_fields
from auditor.rpm.package_fields import DEPENDENCY_KINDS, WEAK_DEPENDENCY_KINDS, DependencyKind
from auditor.sources.constraints import differing_constraints
from auditor.sources.entryfile import another_package, other_build, size_disagreement
from auditor.sources.evidence import ESCAPED_TWICE, HeaderEvidence
from auditor.sources.filedigest import counted, digest, in_primary


@dataclass(frozen=True, slots=True)
class Overlaid:
    """A metadata entry completed from its file's header (`overlay`)."""

    package: Package
    disagreement: str | None = None
    """What the metadata says otherwise than the header on an origin field (the file's
    input error), None when they agree. The metadata is what createrepo_c copied from that
    header, so a difference means one of them was changed since: the package takes the
    header's values, the file being what gets installed, and the policy never judges it by a
    Vendor or URL its file does not carry."""
    unlisted_recommends: tuple[str, ...] = ()
    """The weak dependencies (Recommends, Suggests, Supplements, Enhances) the header has and the
    metadata lacks, sorted (the package takes the header's of that kind): no input error, as a
    writer may copy no weak dependency at all (yum's createrepo), but said
    (`unlisted_recommends_warning`)."""
    payload_error: str | None = None
    """Why the file's payload could not be read for its spec, its package read from the header
    alone (`auditor.sources.remote.ReadFromHeaderAlone`): the file's input error."""


def overlay(
    listed: Package,
    evidence: HeaderEvidence,
    *where: str,
    file_size: int | None = None,
    listed_size: int | None = None,
) -> Overlaid | InputError:
    """``listed`` (from the metadata) with what only its file's header carries (``evidence``);
    an error on the file (named by the parts of its path, ``where``, joined only then) when the
    header describes another package than the entry, or the file (of ``file_size`` bytes, when
    given) is not the size the entry says (``listed_size``), or another build (`other_build`).
    A binary whose header adds nothing
    (unsigned, no Distribution, no BugURL) is ``listed`` itself."""
    read = evidence.package
    another = another_package(listed, read)
    if another is not None:
        return InputError(os.path.join(*where), another)
    other_file = size_disagreement(listed_size, file_size) or other_build(listed, evidence)
    if other_file is not None:  # the same package rebuilt, or the file changed otherwise
        return InputError(os.path.join(*where), other_file)
    differing = _differing_fields(listed, read)
    # Judged by the header's value wherever the two differ at all, re-flowed whitespace
    # included: the metadata's spelling must never be the one the policy reads.
    origin = {
        field: value for field in AGREED_FIELDS if (value := getattr(read, field)) != getattr(listed, field)
    }
    hidden = hidden_dependencies(listed, evidence)
    if hidden or _escaped_twice(listed):
        # The file is what gets installed, and rpm checks its header's dependencies: the
        # package is resolved by those, as it is judged by the header's origin fields.
        try:
            origin.update(evidence.dependencies())
        except ValueError as exc:  # the reader has refused any such file: never reached
            return InputError(os.path.join(*where), f"corrupt RPM header: {exc}")
    files = _files_disagreement(listed, evidence, where)
    said = _disagreement(listed, read, differing, [*hidden, *files]) if differing or hidden or files else None
    # A weak dependency edited out of primary.xml hides what the policy judges (a URL in it
    # names a host): the package is judged, and resolved, by the header's, as for its others.
    unlisted: list[str] = []
    for kind in WEAK_DEPENDENCY_KINDS:
        weak = evidence.names(kind)
        missing = sorted(weak - dependency_names(getattr(listed, kind))) if weak else []
        if weak and not missing:  # or another version: a Recommends: cx >= 2 read >= 99 pulled in nothing
            missing = differing_constraints(kind, getattr(listed, kind), evidence, set())[0]
        unlisted += missing
        if missing and kind not in origin:
            try:
                origin[kind] = evidence.dependencies()[kind]
            except ValueError as exc:  # the reader has refused any such file: never reached
                return InputError(os.path.join(*where), f"corrupt RPM header: {exc}")
    for kind in _KEPT_FROM_THE_METADATA:
        if kind in origin:
            # dnf resolves by primary.xml: what the metadata adds to the header's stays, as the
            # policy and the resolution read it (a Citrix Recommends or Requires swapped in for
            # the header's passed clean). Never a provide it adds: a capability the file lacks
            # must not become a clean way around a Citrix provider.
            origin[kind] = _with_listed(origin[kind], getattr(listed, kind))
    header_only = {field: getattr(read, field) for field in HEADER_ONLY_FIELDS}
    if listed.is_source:
        merged = with_fields(
            listed,
            sources=read.sources,
            spec=read.spec,
            builds=read.builds,  # what the header's spec builds: the metadata names no binary
            notes=listed.notes + read.notes,
            gaps=listed.gaps + read.gaps,
            alternatives=read.alternatives,
            source_pkgid=read.source_pkgid,
            **header_only,
            **origin,
        )
    elif (
        not origin
        and not read.alternatives
        and read.source_pkgid is None
        and all(getattr(listed, field) == value for field, value in header_only.items())
    ):
        merged = listed
    else:
        # The header's other values of an origin tag (`rpmpackage._other_values`): the
        # metadata keeps only the first. Its SOURCEPKGID says which copy of its source package
        # it was built from (`auditor.origin.classify.built_from`).
        merged = with_fields(
            listed, **header_only, **origin, alternatives=read.alternatives, source_pkgid=read.source_pkgid
        )
    if read.gaps and not listed.is_source:  # a binary's: a file of its payload not read
        merged = with_fields(merged, gaps=listed.gaps + read.gaps)
    return Overlaid(merged, said, tuple(sorted(set(unlisted))))


def unlisted_recommends_warning(location: str, overlaid: Sequence[tuple[Package, Overlaid]]) -> str | None:
    """The repository's one warning for its packages whose headers Recommend (or Suggest,
    Supplement, Enhance) what their metadata entries lack (`Overlaid.unlisted_recommends`);
    None when there is none."""
    unlisted = [(package, one.unlisted_recommends) for package, one in overlaid if one.unlisted_recommends]
    if not unlisted:
        return None
    shown = "; ".join(f"{package.nevra} ({_listed(set(names))})" for package, names in unlisted[:3])
    more = f"; and {len(unlisted) - 3} more" if len(unlisted) > 3 else ""
    return (
        f"{location}: the headers of {len(unlisted)} package(s) Recommend what their metadata "
        f"entries lack: {shown}{more}; each is judged and resolved by its header's weak dependencies "
        "(Recommends, Suggests, Supplements, Enhances), "
        "and those its entry adds (yum's createrepo copies no weak dependency; createrepo_c copies "
        "them all, so these were edited out of primary.xml)"
    )


_KEPT_FROM_THE_METADATA = tuple(kind for kind in DEPENDENCY_KINDS if kind != DependencyKind.PROVIDES)
"""The dependencies of a metadata entry kept beside its header's when the package takes the
header's (`overlay`): each can only add to what the package needs or rules out."""

HEADER_ONLY_FIELDS = (
    "signing_keys",
    "distribution",
    "bugurl",
    "vcs",
    "disturl",
    "translationurl",
    "upstreamreleases",
    "installs",
    "scriptlets",
)
"""The fields the policy reads that a package's file carries and a repository's metadata lacks: its
header's (its scriptlets' URLs and hosts too), and the repositories and keys a binary's payload
installs (`auditor.rpm.installed`)."""
AGREED_FIELDS = ("vendor", "packager", "buildhost", "url", "license", "sourcerpm")
"""The fields a repository's metadata and a package's header both carry, on which they must
agree: the origin fields the policy judges, and the source package a binary inherits its
evidence from (an empty SOURCERPM in the metadata hid the header's, and the Citrix SRPM it
names)."""


def hidden_dependencies(listed: Package, evidence: HeaderEvidence) -> list[str]:
    """What the metadata hides of the header's dependencies, in words: a requirement
    createrepo_c would have copied and the metadata lacks (a dependency on a Citrix package
    edited out of primary.xml: dnf would not pull it in, rpm would refuse the package without
    it), and a capability the metadata claims that the header does not provide (a clean way
    around a Citrix provider that does not exist).

    A Conflicts or Obsoletes of the header the metadata lacks is hidden too: each takes a
    provider out of the ways around one; and so is a Provides, which the policy judges (a URL in
    it names a host).

    createrepo_c leaves out of primary.xml the requirements on ``rpmlib(...)``, on what the
    package provides itself or its own primary files, repeats, and every ``libc.so.6``
    requirement but the highest (``parsehdr.c``); those are not hidden. Of a name both sides
    give, the operators and versions are compared too, an absent epoch read as 0
    (`auditor.sources.constraints`)."""
    listed_requires = dependency_names(listed.requires)
    own = evidence.names("provides")
    libc = any(name.startswith("libc.so.6") for name in listed_requires)
    header_requires = evidence.names("requires")
    dropped = {
        name
        for name in header_requires - listed_requires - own  # in C: usually rpmlib()s alone are left
        if not name.startswith("rpmlib(") and not (libc and name.startswith("libc.so.6"))
    }
    if dropped:  # a package's complete file list is read on first use: only when it can tell
        dropped.difference_update(listed.files)
    claimed = {
        name
        for name in {dependency.name for dependency in listed.provides} - own
        if name.replace(ESCAPED_TWICE, "&") not in own
    }
    # createrepo_c copies provides whole (parsehdr.c): one the metadata lacks was edited out,
    # and the policy judges a provide (a gitsha(URL) of XenServer's names its git host).
    unlisted = own - dependency_names(listed.provides)
    said = []
    if dropped:
        said.append(f"requires {_listed(dropped)} in the header, not in the metadata")
    if claimed:
        said.append(f"provides {_listed(claimed)} in the metadata, not in the header")
    if unlisted:
        said.append(f"provides {_listed(unlisted)} in the header, not in the metadata")
    for kind in ("conflicts", "obsoletes"):
        header = evidence.names(kind)
        lacking = header and header - dependency_names(getattr(listed, kind))
        if lacking:
            said.append(f"{kind} {_listed(lacking)} in the header, not in the metadata")
    never_copied = {name for name in header_requires if name.startswith(("rpmlib(", "libc.so.6"))} | own
    for kind in ("requires", "provides", "conflicts", "obsoletes"):
        ours, theirs = differing_constraints(
            kind, getattr(listed, kind), evidence, never_copied if kind == "requires" else set()
        )
        if ours:
            said.append(f"{kind} {_listed(set(ours))} in the header, not in the metadata")
        if theirs and kind == "provides":  # a requirement the metadata adds only asks more
            said.append(f"{kind} {_listed(set(theirs))} in the metadata, not in the header")
    return said


def _files_disagreement(listed: Package, evidence: HeaderEvidence, where: Sequence[str]) -> list[str]:
    """What the metadata says otherwise than the header of a binary's files, in words: its
    primary.xml files now, the rest once filelists.xml is read, if ever (`PendingFileList.expect`).
    A requirement on a file is answered from them (`auditor.sources.filedigest`)."""
    if evidence.files is None or listed.is_source:
        return []
    every, primary = evidence.files
    files = listed.files
    if isinstance(files, PendingFileList) and files.pending:
        files.expect(every, os.path.join(*where))
        header, listed_as, known = primary, "primary.xml", digest(p for p in files.known() if in_primary(p))
    elif not isinstance(files, PendingFileList):
        # No filelists.xml to complete it (none listed, or it failed its own check, an error of
        # its own): primary.xml's paths are all the metadata gives, as to dnf. Held to the whole
        # header, each package of the repository was an input error, "0 in the metadata".
        header, listed_as, known = primary, "primary.xml", digest(p for p in files if in_primary(p))
    else:
        header, listed_as, known = every, "the metadata", digest(files)
    if known == header:
        return []
    return [f"its files ({counted(header)} in the header, {counted(known)} in {listed_as})"]


def dependency_names(dependencies: Sequence[Dependency]) -> set[str]:
    """The names of the metadata's ``dependencies``, each also as its header may have written
    it, with `ESCAPED_TWICE` undone (the metadata cannot hide or add a dependency by it: the
    package is then resolved by its header's, `overlay`)."""
    names = {dependency.name for dependency in dependencies}
    if any(ESCAPED_TWICE in name for name in names):
        names.update([name.replace(ESCAPED_TWICE, "&") for name in names])
    return names


def _with_listed(header: Sequence[Dependency], listed: Sequence[Dependency]) -> tuple[Dependency, ...]:
    """The header's dependencies, then those of the metadata's ``listed`` the header has not
    (`dependency_names`: an ``&`` escaped twice is the header's own). One the header names with
    another version or operator is not the header's: ``helper >= 99`` beside the header's
    ``helper >= 1.0`` is what dnf resolves, kept so (a clean helper 1.0 is not all it needs)."""
    have = {_constraint(dependency.name, dependency) for dependency in header}
    added = [
        dependency
        for dependency in listed
        if not {_constraint(name, dependency) for name in dependency_names([dependency])} & have
    ]
    return (*header, *added)


def _constraint(name: str, dependency: Dependency) -> tuple[str, object, int, str | None, str | None]:
    """What ``dependency`` (named ``name``) asks, however its epoch is spelt (none is 0)."""
    evr = dependency.evr
    if evr is None:
        return name, dependency.op, 0, None, None
    return name, dependency.op, evr.epoch or 0, evr.version, evr.release


def _escaped_twice(listed: Package) -> bool:
    """Whether a dependency name of the metadata's entry holds `ESCAPED_TWICE`."""
    return any(
        ESCAPED_TWICE in dependency.name
        for kind in (listed.requires, listed.provides, listed.conflicts, listed.obsoletes)
        for dependency in kind
    )


def _listed(names: set[str]) -> str:
    """Dependency names for a message: sorted, quoted, the first five and a count."""
    shown = sorted(names)
    more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
    return ", ".join(_shown(name) for name in shown[:5]) + more


def _disagreement(listed: Package, read: Package, differing: list[str], hidden: list[str]) -> str:
    """The file's input error: each field that differs with both values, then what the
    metadata hides of the header's dependencies (`hidden_dependencies`)."""
    shown = [
        f"{field} {_shown(getattr(read, field))} in the header, "
        f"{_shown(getattr(listed, field))} in the metadata"
        for field in differing
    ]
    return "the file's header and the repository metadata disagree: " + "; ".join([*shown, *hidden])


def _differing_fields(listed: Package, read: Package) -> list[str]:
    return [
        field
        for field in AGREED_FIELDS
        if (ours := getattr(read, field)) != (theirs := getattr(listed, field))
        and _comparable(ours) != _comparable(theirs)
    ]


def _comparable(value: str | None) -> str:
    """A field as both sides can hold it: absent and empty alike, runs of XML's whitespace
    (space, tab, CR, LF) as one space (an XML writer may re-flow them), and without the
    characters XML 1.0 cannot hold, which no metadata can carry. Other whitespace (a no-break
    space) is a character like any other: metadata that swaps it in disagrees."""
    if not value:
        return ""
    if not value.isprintable():
        value = _NOT_IN_XML.sub("", value)
    return _XML_SPACE.sub(" ", value).strip(" ")


_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_SPACE = re.compile("[ \t\r\n]+")


def _shown(value: str | None) -> str:
    return repr(value) if value else "(none)"
