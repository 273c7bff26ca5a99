"""The binary packages a spec builds, by name, or None when the reading cannot be sure.

rpmbuild makes a binary package of each package of a spec that has a ``%files`` section (the
main one as the spec's Name, ``%files sub`` as ``NAME-sub``, ``%files -n other`` as ``other``);
a ``%package`` without one is not built. ``auditor check`` drops a BASE binary that a source
RPM given alone no longer builds (`auditor.audit.check`): a name wrongly left out here says
``unresolved`` of what needs it, a false blocking fact. So each reader answers None, "unknown,
assume it builds everything of its name", whenever what it read may not be what rpm reads.
"""

from __future__ import annotations

import re

from auditor.rpm.gaps import GapKind
from auditor.rpm.package_fields import DEPENDENCY_KINDS, may_name_a_place
from auditor.rpm.spec.dependencies import parse_dependency_list
from auditor.rpm.spec.files import files_header
from auditor.rpm.spec.lines import TAG, preamble_tags, refused_tag
from auditor.rpm.spec.preamble import INEXACT_NAME
from auditor.rpm.spec.result import ORIGIN_TAGS, SOURCE_LICENSE, Spec
from auditor.rpm.spec.values import INEXACT

# The expressions of a line's start are searched in ``"\n" + text``: each begins at the newline
# before its line, so that the engine looks for a newline (at memchr speed) rather than trying
# every character, as ``^`` with MULTILINE made it do (8 µs each on a 1.4 kB spec, and every
# SRPM's SPEC tag is searched by four). A match's start there is where its line starts in
# ``text``; its end, one past its end in ``text``.
_FILES_HEADER = re.compile(r"\n[^\S\n]*%files(?![A-Za-z0-9_])([^\n]*)", re.IGNORECASE)
_FILES_ANYWHERE = re.compile(r"%files(?![A-Za-z0-9_])", re.IGNORECASE)
_DYNAMIC = re.compile(r"specpart", re.IGNORECASE)
"""rpm >= 4.19 reads the ``*.specpart`` files a build writes to ``%{specpartsdir}`` (SPECPARTS in
a parsed spec) after ``%install``, as more of the spec: whole ``%package`` and ``%files``
sections the spec's text does not hold (rpm's tests/data/SPECS/dynamic.spec)."""
_PREP = re.compile(r"\n[^\S\n]*%prep(?![A-Za-z0-9_])", re.IGNORECASE)
_PACKAGE_HEADER = re.compile(r"\n[^\S\n]*%package(?![A-Za-z0-9_])([^\n]*)", re.IGNORECASE)
_PACKAGE_ANYWHERE = re.compile(r"%package(?![A-Za-z0-9_])", re.IGNORECASE)
_SECTION = re.compile(
    r"\n[^\S\n]*%(?:package|files|description|prep|build|install|check|clean|pre|post|preun|postun"
    r"|pretrans|posttrans|triggerin|triggerun|triggerpostun|verifyscript|sourcelist|patchlist"
    r"|generate_buildrequires|conf)(?![A-Za-z0-9_])",
    re.IGNORECASE,
)
"""A line rpm reads as the start of a section, which ends the changelog before it."""
_CHANGELOG = re.compile(r"\n[^\S\n]*%changelog(?![A-Za-z0-9_])", re.IGNORECASE)
_PACKAGE_NAME = f": {INEXACT_NAME}{INEXACT}"
"""The end of the `GapKind.UNEXPANDED_TAG` detail of a Name or ``%package`` line read through a
macro the reader could not expand exactly (`auditor.rpm.spec.preamble.PreambleTags._inexact_name`):
``Name: %{?_target:xenserver-transfer-vm}%{!?_target:case}`` read as case, which rpm builds as
xenserver-transfer-vm (the suffix of `unexpanded_tag` was missed, and that BASE binary was named
no longer built)."""


def package_name(argument: str, main: str) -> str:
    """The package a section header's argument names, as rpm's ``lookupPackage`` does: ``-n
    NAME`` is NAME, ``SUFFIX`` is ``MAIN-SUFFIX``, nothing the main package."""
    words = argument.split()
    if "-n" in words:
        index = words.index("-n")
        return words[index + 1] if index + 1 < len(words) else ""
    return f"{main}-{words[0]}" if words else main


def built_by_parsed_spec(text: str, name: str | None) -> tuple[str, ...] | None:
    """The packages the spec rpmbuild parsed (an SRPM's SPEC tag: macros expanded, conditionals
    decided) builds, the source package being ``name``.

    The stored text is not quite what rpm parsed: a ``%define`` at the end of a line eats its
    newline and glues the next line to it, so a ``%files`` header may not start its line. One
    that does not (before the changelog, which may quote one) makes the answer unknown. A
    section after the changelog (rpm reads one there: ``%package data`` ... ``%files data``)
    has its ``%files`` counted too, and the whole text is then held to that check.

    And rpm (4.18) stores no line for the section header that ends ``%prep``: ``%prep``, ``echo``,
    ``%files``, ``/usr/bin/x`` is stored as ``%prep``, ``echo``, ``/usr/bin/x``, and the
    package that ``%files`` builds is nowhere in the text (the test suite's specs held to
    ``rpmspec -q --builtrpms`` found it). One line only: a package built has a ``%package`` (or
    is the main one) and a ``%files``, and one of them is still there, so for a spec with a
    ``%prep`` section the answer is the names either gives, no fewer than rpm builds (red team,
    hunt55: unknown, a vendor's subpackage paired with a rebuild of its N-V-R that has no such
    package, and read clean by it; `auditor.origin.classify.may_have_built`)."""
    lines = "\n" + text
    if not name or _writes_spec_parts(text):
        return None
    end = _CHANGELOG.search(lines)
    body = lines
    if end is not None and not _SECTION.search(lines, end.end() - 1):
        body = lines[: end.start() + 1]
    headers = list(_FILES_HEADER.finditer(body))
    if len(headers) != len(_FILES_ANYWHERE.findall(body)):
        return None
    names = [package_name(files_header(header.group(1)).argument, name) for header in headers]
    if _PREP.search(lines):
        declared = list(_PACKAGE_HEADER.finditer(body))
        if len(declared) != len(_PACKAGE_ANYWHERE.findall(body)):
            return None
        names = [name, *(package_name(header.group(1), name) for header in declared), *names]
    if any(not item or "%" in item for item in names):
        return None
    return tuple(dict.fromkeys(names))


def lost_a_header(text: str) -> bool:
    """Whether rpm's stored ``text`` (an SRPM's SPEC tag) lost the section header that ends
    ``%prep``: `built_by_parsed_spec` then names no fewer packages than rpm builds, maybe more."""
    return _PREP.search("\n" + text) is not None


def _writes_spec_parts(text: str) -> bool:
    """Whether ``text`` names ``specpart`` in any case (`_DYNAMIC`). A case-insensitive expression
    that starts with a letter is tried at every character (15 µs on a 1.4 kB spec); an ASCII
    text, whose letters have no case but their ASCII one, is lowered and searched at C speed."""
    if text.isascii():
        return "specpart" in text.lower()
    return _DYNAMIC.search(text) is not None


def built_by_spec(spec: Spec, text: str) -> tuple[str, ...] | None:
    """The packages a spec read by `auditor.rpm.spec.parser.parse_spec` from ``text`` builds
    (`Spec.built`), or None when the reading may have missed one (a spec that writes spec parts).

    A conditional the reader could not decide is read both ways, so a ``%files`` in either
    branch is in `Spec.built`: the union is no less than what rpm builds. What may hide a
    package is what the reader could not read as rpm does: a name read through a macro it could
    not expand exactly, a line whose macros decide whether it opens a section
    (``%{?_gnu:%package sub}``), a conditional rpm refuses (never closed), code that may print
    lines (``%include``, ``%(...)`` or ``%{lua:}`` outside a tag's value), a line cut by the
    reader's bounds."""
    if not spec.name or "%" in spec.name or _writes_spec_parts(text):
        return None
    undecided = set(spec.undecided)
    prefix = f"{spec.path}:"
    for gap in spec.gaps:
        at, _, text = (
            gap.detail[len(prefix) :].partition(": ") if gap.detail.startswith(prefix) else ("", "", "")
        )
        if gap.kind is GapKind.SPEC_UNREADABLE:
            return None
        if gap.kind is GapKind.SPEC_CODE and TAG.match(text) is None:  # not a tag's value
            return None
        if gap.kind is GapKind.UNDECIDED_CONDITIONAL and not (at.isdigit() and int(at) in undecided):
            return None
        # A count: gaps past the first few made one (`auditor.rpm.gaps.bounded`), a name's maybe.
        if gap.kind is GapKind.UNEXPANDED_TAG and (gap.detail.endswith(_PACKAGE_NAME) or gap.count > 1):
            return None
    if any(not item or "%" in item for item in spec.built):
        return None
    return tuple(spec.built)


_CAPABILITY_TAGS = frozenset(DEPENDENCY_KINDS)
_LICENSE_TAGS = frozenset({"license", SOURCE_LICENSE})
_CARRIED_TAGS = _CAPABILITY_TAGS | _LICENSE_TAGS | ORIGIN_TAGS


def carried_by_parsed_spec(text: str, name: str | None) -> tuple[tuple[str, str], ...]:
    """What the packages of a spec rpmbuild parsed (an SRPM's SPEC tag) carry that the source
    package's header does not, as `auditor.rpm.model.Package.alternatives` of the source package,
    from one reading of its preambles: each origin tag a ``%package`` sets (a subpackage's
    Vendor or License is in no header of the source package); each capability of each package
    that may name a place (`may_name_a_place`), main one included (``("provides",
    "gitsha(URL)")``: rpm writes them in the binaries only); ``("builds", NAME)`` for each
    ``%package`` it declares (with or without ``%files``: evidence, not
    `built_by_parsed_spec`'s sure answer); and the main package's License when a
    ``SourceLicense`` took its place in the header."""
    subpackages: list[tuple[str, str]] = []
    licenses: list[tuple[str, str]] = []
    found: list[tuple[str, str]] = []
    for argument, tag, value in preamble_tags(text, _CARRIED_TAGS, main=True):
        if argument is not None and not tag:
            declared = package_name(argument, name or "")
            if declared and "%" not in declared:
                found.append(("builds", declared))
            continue
        if argument is None and tag in _LICENSE_TAGS:
            licenses.append((tag, value))
        elif argument is not None and tag in ORIGIN_TAGS:
            subpackages.append((tag, value))
        if tag in _CAPABILITY_TAGS and may_name_a_place(value):  # the rest is no evidence: not parsed
            found.extend(
                (tag, dependency.name)
                for dependency in parse_dependency_list(value)
                if may_name_a_place(dependency.name)
            )
    if any(tag == SOURCE_LICENSE for tag, _ in licenses):
        found[:0] = [("license", value) for tag, value in licenses if tag == "license"]
    return tuple(dict.fromkeys(subpackages)) + tuple(dict.fromkeys(found))


LOST_HEADER = (
    "the SPEC tag holds no line for the section header that ends %prep (rpm 4.18), and tags are "
    "read there: what the %package it declared carries (Vendor, URL, Provides) is unseen unless "
    "the payload's spec is read"
)
"""The `GapKind.SPEC_UNREADABLE` detail of an SRPM whose SPEC tag `lost_package_header`."""


def lost_package_header(text: str) -> bool:
    """Whether an SRPM's SPEC tag (``text``) may have lost a ``%package`` header: rpm (4.18)
    stores no line for the section header that ends ``%prep``, so a subpackage declared there
    reads as ``%prep``'s shell, its Vendor, URL and Provides in no preamble. A line of the
    ``%prep`` section that is a tag rpm reads (``Vendor: ...``) is taken for one."""
    lines = "\n" + text
    prep = _PREP.search(lines)
    if prep is None:
        return False
    following = _SECTION.search(lines, prep.end() - 1)
    body = text[prep.end() - 1 : following.start() if following is not None else len(text)]
    for line in body.split("\n")[1:]:
        tag = TAG.match(line.strip())
        if tag is not None and not refused_tag(tag.group(1)):
            return True
    return False
