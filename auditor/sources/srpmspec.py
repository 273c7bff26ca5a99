"""The Sources and Patches of a source RPM, from the best evidence it carries.

rpm ≥ 4.15 stores the spec it parsed in the header (the SPEC tag): macros expanded,
conditionals decided, read as is. That is its builder's parse, and a rebuild parses the
payload's spec again, so a local SRPM's is read too (`with_rebuild_spec`). Older SRPMs
(XCP-ng 8.x's CentOS 7 builds) only carry the spec file in their payload: it is read as a
contributor's spec is, without running it. Either way the header's SOURCE and PATCH tags
hold the file names rpmbuild recorded, in reverse order of the spec's lines
(``build/parseSpec.c`` walks a list it built by prepending), and what was read from either
spec is checked against them. A Source whose value kept an unexpanded macro falls back to
its recorded name, and a recorded name that nothing read from the spec gives is reported on
its own: the policy sees the best value there is, and the package's gaps say what was not seen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO

from auditor.core.errors import InputError
from auditor.formats.payload import PayloadFiles, extract_member, vouched_by
from auditor.formats.rpmheader import Header, RpmHeaders, Tag
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import SourceFile, SourceKind
from auditor.rpm.spec import builds as parsed
from auditor.rpm.spec.builds import built_by_parsed_spec, built_by_spec, carried_by_parsed_spec
from auditor.rpm.spec.lines import sources_of_parsed_spec
from auditor.rpm.spec.result import ORIGIN_TAGS, SpecPackage, source_alternatives, unexpanded_source_gap
from auditor.sources.rebuildcode import (
    expands_to,
    read_as_stored,
    rebuild_needs,
    refused_spec,
    spec_file_name,
    spec_link,
    unseen_code,
)

_NOT_FROM_THE_SPEC = "(only in the SRPM header's file names)"


@dataclass(frozen=True, slots=True)
class SpecReading:
    """What a source RPM says of its Sources, and where it was read."""

    sources: tuple[SourceFile, ...]
    spec: str | None
    """``header`` (the SPEC tag), ``payload:NAME``, or None when no spec could be read."""
    notes: tuple[str, ...] = ()
    gaps: tuple[Gap, ...] = ()
    alternatives: tuple[tuple[str, str], ...] = ()
    """The other values the payload's spec may give the source package's origin tags (in a
    branch the reader could not decide): the header holds the one rpmbuild took, and a
    rebuild elsewhere may take another (`auditor.rpm.model.Package.alternatives`)."""
    builds: tuple[str, ...] | None = None
    """The binary packages its spec builds; None when unknown (`auditor.rpm.model.Package.builds`)."""


PayloadMember = Callable[[str, str], bytes | None]
"""Reads one member of a package's payload: given the payload's compressor (the header's
PAYLOADCOMPRESSOR) and the member's name, its content, or None when the payload has no such
member. It raises `SpecNotRead` when it did not read the payload (a budget, ``--offline``)."""


class SpecNotRead(Exception):
    """The payload was not read for its spec; ``gap`` is of the kind to report, its detail what
    stopped the read (``its server ignores range requests``), which each reader frames with
    what went unseen."""

    def __init__(self, gap: Gap) -> None:
        super().__init__(gap.detail)
        self.gap = gap


def payload_of(stream: BinaryIO, headers: RpmHeaders, source: str) -> PayloadMember:
    """The members of the payload of the RPM file open as ``stream``, walked from its start."""

    def member(compressor: str, name: str) -> bytes | None:
        stream.seek(headers.header_end)
        files = PayloadFiles.of(headers.main)
        return extract_member(stream, compressor, name, source, files, vouched=vouched_by(headers.main, name))

    return member


def read_srpm_spec(
    headers: RpmHeaders,
    payload: PayloadMember | None,
    source: str,
    files: Sequence[str],
) -> SpecReading:
    """The Sources of the SRPM whose ``headers`` are given, its spec read from ``payload``
    when the header has none, and beside the header's when it has one (`with_rebuild_spec`:
    what a rebuild reads; a payload not read for it is a gap). None: only the header can be
    read."""
    reading = _read_srpm_spec(headers, payload, source, files)
    if payload is not None and reading.spec == "header":
        reading = with_rebuild_spec(reading, headers.main, payload, source, files)
    if _DYNAMIC_BUILDREQUIRES in headers.main.strings(Tag.REQUIRENAME):
        gap = Gap(GapKind.DYNAMIC_BUILDREQUIRES, f"{source}: %generate_buildrequires")
        reading = replace(reading, gaps=(*reading.gaps, gap))
    return reading


_DYNAMIC_BUILDREQUIRES = "rpmlib(DynamicBuildRequires)"
"""What rpmbuild makes an SRPM require when its spec has ``%generate_buildrequires``."""


def _read_srpm_spec(
    headers: RpmHeaders, payload: PayloadMember | None, source: str, files: Sequence[str]
) -> SpecReading:
    main = headers.main
    text = main.string(Tag.SPEC)
    if text is not None:
        # rpmbuild stored the spec it parsed: macros expanded, conditionals decided. The
        # stored text is not quite what rpm parsed (a %define at the end of a line eats its
        # newline and glues the next line to it), so a Source line may be hidden from a
        # reading by lines: the file names rpm recorded say so.
        sources, gaps = with_recorded_names(sources_of_parsed_spec(text), _recorded(main), "header")
        # What its packages carry is judged as the source package's: its header holds none of it.
        name = main.string(Tag.NAME)
        alternatives = carried_by_parsed_spec(text, name)
        builds = built_by_parsed_spec(text, name)
        if parsed.lost_package_header(text):  # the payload's spec, when read, names the package
            gaps = (*gaps, Gap(GapKind.SPEC_UNREADABLE, f"{source}: {parsed.LOST_HEADER}"))
        return SpecReading(sources, "header", gaps=gaps, alternatives=alternatives, builds=builds)
    if payload is None:
        return _unreadable(main, "no SPEC tag, and only the header was read (not the payload's spec)")
    spec_name = spec_file_name(main, files)
    if spec_name is None:
        return _unreadable(main, "no SPEC tag and no spec file in the payload")
    try:
        data = payload(main.string(Tag.PAYLOADCOMPRESSOR) or "gzip", spec_name)
    except SpecNotRead as exc:
        return _unread(main, Gap(exc.gap.kind, f"no SPEC tag, and {exc.gap.detail}: Source URLs unknown"))
    if data is None:
        return _unreadable(main, f"no SPEC tag, and {spec_name} is missing from the payload")
    if (refused := refused_spec(data, spec_link(main, files, spec_name))) is not None:
        return _unreadable(main, f"no SPEC tag, and {spec_name} is {refused}")
    where = f"payload:{spec_name}"
    # The spec parser is imported here (8 ms of modules and regexes): only a source RPM without
    # a SPEC tag (rpm < 4.15) needs it.
    from auditor.rpm.spec.parser import parse_spec

    text = data.decode("utf-8", "replace")
    try:
        spec = parse_spec(text, where, arch=main.string(Tag.ARCH) or "x86_64")
    except InputError as exc:
        raise InputError(source, f"spec file ({where}): {exc.reason}") from None
    sources, source_gaps = with_recorded_names(spec.sources, _recorded(main), where)
    # The header's tags are rpmbuild's own: a tag of the payload's spec read inexactly is no gap.
    not_ours = (GapKind.UNEXPANDED_SOURCE, GapKind.UNEXPANDED_TAG)
    conditionals = tuple(gap for gap in spec.gaps if gap.kind not in not_ours)
    notes = tuple(f"macro left unexpanded in the spec: {item}" for item in spec.unexpanded[:20])
    alternatives = source_alternatives(spec.packages)
    builds = built_by_spec(spec, text)
    return SpecReading(sources, where, notes, conditionals + source_gaps, alternatives, builds)


def rebuild_spec_text(
    headers: RpmHeaders, payload: PayloadMember, files: Sequence[str]
) -> list[tuple[str, str]]:
    """The specs a rebuild of the SRPM may read, as (where, text): the payload's (``payload:NAME``;
    ``rpmbuild --rebuild`` and mock parse it again), and the builder's parse the SPEC tag holds
    (``header``: its ``--with``, ``--define``). `SpecNotRead` and `InputError` are the payload's
    reader's."""
    main = headers.main
    found: list[tuple[str, str]] = []
    spec_name = spec_file_name(main, files)
    if spec_name is not None:
        data = payload(main.string(Tag.PAYLOADCOMPRESSOR) or "gzip", spec_name)
        if data is not None and spec_link(main, files, spec_name) is None:  # a link's data is a path
            found.append((f"payload:{spec_name}", data.decode("utf-8", "replace")))
    text = main.string(Tag.SPEC)
    return [*found, ("header", text)] if text is not None else found


def with_rebuild_spec(
    reading: SpecReading, main: Header, payload: PayloadMember, source: str, files: Sequence[str]
) -> SpecReading:
    """``reading`` of the SPEC tag, with what the spec in the payload adds to it.

    The SPEC tag is the parse of the host that ran ``rpmbuild -bs``, with its macros and its
    ``--define``, ``--with`` and ``--without``; ``rpmbuild --rebuild`` and mock parse the
    payload's spec again, on their host. A branch the builder did not take (``%bcond_without
    sdk`` built ``--without sdk``, ``%if 0%{?xenserver}`` built elsewhere) is the rebuild's:
    read alone, the tag showed clean an SRPM whose rebuild fetches a Citrix Source and needs
    citrix-sdk (red team). The payload's spec is read as a spec file is, both ways where it
    cannot decide, and each Source, origin tag value and BuildRequires it gives that the header
    lacks is the package's too: a Source or a value is judged, a BuildRequires is a gap (a
    rebuild may need it, the builder's did not)."""
    spec_name = spec_file_name(main, files)
    data = None
    if spec_name is not None:
        try:
            data = payload(main.string(Tag.PAYLOADCOMPRESSOR) or "gzip", spec_name)
        except SpecNotRead as exc:  # a remote payload: a budget, --offline, no range requests
            detail = (
                f"payload:{spec_name}, the spec rpmbuild --rebuild and mock parse again, was not read "
                f"({exc.gap.detail}): its builder's parse (the SPEC tag) is judged; a branch the builder "
                "did not take (a Source, a subpackage, a BuildRequires) and code rpm runs are unseen"
            )
            return replace(reading, gaps=(*reading.gaps, Gap(exc.gap.kind, detail)))
    if spec_name is None or data is None:
        return reading  # no spec to rebuild from: rpmbuild --rebuild fails, nothing is built
    where = f"payload:{spec_name}"
    # What a rebuild makes is unknown.
    if (refused := refused_spec(data, spec_link(main, files, spec_name))) is not None:
        gap = Gap(GapKind.SPEC_UNREADABLE, f"{where}, the spec a rebuild reads, could not be read: {refused}")
        return replace(reading, gaps=(*reading.gaps, gap), builds=None)
    text = data.decode("utf-8", "replace")
    lost = [gap for gap in reading.gaps if gap.detail.endswith(parsed.LOST_HEADER)]
    if not lost and not any(c in text for c in _BRANCHES) and read_as_stored(text, main.string(Tag.SPEC)):
        return reading  # one parse only: the builder's is the rebuild's (a spec's %global wins over -D)
    from auditor.rpm.spec.parser import parse_spec

    try:
        spec = parse_spec(text, where, arch=main.string(Tag.ARCH) or "x86_64")
    except InputError as exc:
        detail = f"{where}, the spec a rebuild reads, could not be read: {exc.reason}"
        gap = Gap(GapKind.SPEC_UNREADABLE, detail)
        return replace(reading, gaps=(*reading.gaps, gap), builds=None)  # what a rebuild makes is unknown
    known = {(item.kind, item.value) for item in reading.sources}
    lines = {(item.kind, item.number): item.value for item in reading.sources}  # the builder's values
    added: list[SourceFile] = []
    hosts_read: list[SourceFile] = []
    gaps: list[Gap] = []
    for item in spec.sources:
        if (item.kind, item.value) in known:
            continue
        known.add((item.kind, item.value))
        if not item.unexpanded:
            added.append(item)
        elif (item.kind, item.number) not in lines:  # else the builder's expansion of that line
            gaps.append(unexpanded_source_gap(where, item))
        elif "%" not in item.value or not expands_to(item.value, lines[item.kind, item.number]):
            # As a host without the builder's macros reads it: judged too, where
            # `https://downloads.citrix.com%{?dist}/x` built with `dist .evil` passed clean; and where
            # no value of its macros gives the builder's (a SPEC tag written over, redteam62)
            hosts_read.append(item)
            gaps.append(unexpanded_source_gap(where, item))
    notes = tuple(
        f"{where}:{item.line}: {item.raw.strip()}: only in the spec a rebuild reads (a branch the "
        "builder's parse, the SPEC tag, did not take)"
        for item in added
    ) + tuple(
        f"{where}:{item.line}: {item.raw.strip()}: read without the builder's macros" for item in hosts_read
    )
    built_with = set(main.strings(Tag.REQUIRENAME))
    needed = rebuild_needs([dep.name for dep in spec.build_requires], built_with)
    if needed:
        detail = (
            f"{where}: the spec a rebuild reads has BuildRequires the builder's parse (the SPEC tag) has "
            f"not: {', '.join(needed)}; a rebuild may need them, and they were not resolved"
        )
        gaps.append(Gap(GapKind.UNDECIDED_CONDITIONAL, detail))
    gaps.extend(unseen_code(spec.gaps, text, where))
    # The names a rebuild may build too (`Spec.other_names`): judged as the names it declares.
    built_too = tuple(("builds", name) for name in spec.other_names)
    carried = set(reading.alternatives)  # 93,000 subpackages looked for in a tuple: two minutes
    pairs = (*source_alternatives(spec.packages), *built_too)
    alternatives = tuple(pair for pair in pairs if "%" not in pair[1] and pair not in carried)
    for tag, value in _read_by_other_hosts(main, spec.packages[0] if spec.packages else None):
        if (tag, value) not in alternatives and (tag, value) not in carried:
            alternatives += ((tag, value),)
            said = f"{where}: {tag} {value}, as a host without the builder's macros reads it"
            gaps.append(Gap(GapKind.UNEXPANDED_TAG, said))
    # A branch the builder did not take may build more (a subpackage under %if 0%{?xenserver}):
    # the rebuild's packages are those of either parse, unknown when the payload's reading is
    # unsure. The rebuild reads this spec: where the stored one says nothing sure (a %prep section,
    # `built_by_parsed_spec`), this one's answer is the rebuild's.
    rebuilt = built_by_spec(spec, text)
    if rebuilt is None or reading.builds is None or parsed.lost_a_header(main.string(Tag.SPEC) or ""):
        builds = rebuilt  # the stored spec's answer, when it lost a header, only bounds this one
    else:
        builds = tuple(dict.fromkeys(reading.builds + rebuilt))
    return replace(
        reading,
        builds=builds,
        sources=(*reading.sources, *added, *hosts_read),
        notes=(*reading.notes, *notes),
        gaps=(*(gap for gap in reading.gaps if gap not in lost), *gaps),
        alternatives=(*reading.alternatives, *alternatives),
    )


def _read_by_other_hosts(main: Header, first: SpecPackage | None) -> list[tuple[str, str]]:
    """The origin tags whose value the payload's spec gives otherwise than the builder's parse
    did, with no macro left: a build host's macro in them (``URL: https://www.citrix.com%{?dist}``
    built ``--define 'dist .evil'``) made the tag's value the builder's alone; or with macros no
    value of which gives the header's (a payload written over: redteam62)."""
    if first is None:
        return []
    found = []
    for tag in sorted(ORIGIN_TAGS):
        value, built = getattr(first, tag), main.string(getattr(Tag, tag.upper()))
        if value and value != built and ("%" not in value or not expands_to(value, built or "")):
            found.append((tag, value))
    return found


_BRANCHES = ("%if", "%el", "?", "%[", "%(", "lua", "%{with", "bcond", "defined", "%include", "load", "getenv",
             "exists", "expr", "%{_target", "%{_arch")  # fmt: skip
"""What may make a rebuild's parse of a spec other than its builder's: a conditional (``%if``,
``%elif``, ``%else``, ``%{?x}``, ``%{!?x}``, ``%?x``, a ``%[a ? b : c]``, ``%{with x}``), code rpm
runs, or what the build host answers (its environment, files and architecture). Without one,
the spec's lines read the same on every host but for the host's own macros, which the reader
leaves unexpanded: its parse (3 ms a spec, 74% of the CPU time of 2,000 SRPMs read from a
repository) is spared."""


def _unreadable(header: Header, reason: str) -> SpecReading:
    return _unread(header, Gap(GapKind.SPEC_UNREADABLE, f"{reason}: Source URLs unknown"))


def _unread(header: Header, gap: Gap) -> SpecReading:
    """No spec: the recorded file names are all there is (Source URLs unknown)."""
    sources = tuple(
        SourceFile(kind, None, name, name) for kind, names in _recorded(header).items() for name in names
    )
    return SpecReading(sources, None, gaps=(gap,))


def _recorded(header: Header) -> dict[SourceKind, list[str]]:
    """The SOURCE and PATCH tags' file names, in the order of the spec's lines."""
    return {
        SourceKind.SOURCE: header.strings(Tag.SOURCE)[::-1],
        SourceKind.PATCH: header.strings(Tag.PATCH)[::-1],
    }


def with_recorded_names(
    sources: Sequence[SourceFile], recorded: dict[SourceKind, list[str]], where: str
) -> tuple[tuple[SourceFile, ...], tuple[Gap, ...]]:
    """``sources`` with each unexpanded value given the file name rpm recorded for it, plus
    the recorded names no Source read gives; and a gap for each of them."""
    result: list[SourceFile] = []
    gaps: list[Gap] = []
    for kind in (SourceKind.SOURCE, SourceKind.PATCH):
        ours = [item for item in sources if item.kind is kind]
        names, extra = _match(ours, recorded[kind])
        for item in ours:
            name = names.get(id(item))
            if item.unexpanded:
                gaps.append(unexpanded_source_gap(where, item, name))
                if name is not None:
                    item = replace(item, value=_best_value(item.value, name))
            result.append(item)
        for name in extra:
            result.append(SourceFile(kind, None, name, name, None, (_NOT_FROM_THE_SPEC,)))
            detail = f"{where}: the SRPM header records the {kind.value} file {name}"
            gaps.append(Gap(GapKind.UNEXPANDED_SOURCE, f"{detail}, which no line read from the spec gives"))
    return tuple(result), tuple(gaps)


def _match(ours: list[SourceFile], recorded: list[str]) -> tuple[dict[int, str], list[str]]:
    """Recorded names for the unexpanded ones of ``ours`` (by id), and the names left over.

    Line by line when the spec as read gives as many lines as rpm recorded and every exact
    one agrees; else the names no exact line gives go, in order, to the unexpanded lines
    if there are as many of both, and are left over otherwise.
    """
    exact = [None if item.unexpanded else recorded_name(item.value) for item in ours]
    pending = [item for item in ours if item.unexpanded]
    if len(ours) == len(recorded) and all(
        name is None or name == found for name, found in zip(exact, recorded, strict=True)
    ):
        return {id(item): found for item, found in zip(ours, recorded, strict=True) if item.unexpanded}, []
    unclaimed = Counter(recorded)
    unclaimed.subtract(name for name in exact if name is not None)
    leftover = []
    for name in recorded:
        if unclaimed[name] > 0:
            unclaimed[name] -= 1
            leftover.append(name)
    if pending and len(pending) == len(leftover):
        return {id(item): name for item, name in zip(pending, leftover, strict=True)}, []
    return {}, leftover


def recorded_name(value: str) -> str:
    """The file name rpmbuild records for a Source value (``newSource`` in parsePreamble.c):
    after the last ``/``, and after the last ``=`` that follows it."""
    slash = value.rfind("/")
    if slash < 0:
        return value
    tail = value[slash + 1 :]
    return tail.rsplit("=", 1)[-1]


def _best_value(value: str, name: str) -> str:
    """A URL keeps what of it was expanded (its host), with rpm's file name as its ``#/`` name."""
    if "://" not in value:
        return name
    return value.split("#/", 1)[0] + "#/" + name
