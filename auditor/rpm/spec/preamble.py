"""A preamble's tag lines, the main package's or a ``%package``'s, as rpm's ``parsePreamble`` reads
them: a Source or Patch, a dependency, a BuildArch that ends rpm's first parse, a tag whose value
its macro takes.

`PreambleTags` is a part of the spec reader (`auditor.rpm.spec.parser`), which holds the state
these lines read and change (the package read, the Sources, the macros); apart so that the
reading of lines and sections, and of tags, each stays under 400 lines.
"""

from __future__ import annotations

from auditor.rpm.model import Dependency, SourceFile, SourceKind
from auditor.rpm.package_fields import DEPENDENCY_KINDS, DependencyKind
from auditor.rpm.sense import SPEC_QUALIFIER_WORDS
from auditor.rpm.spec.conditionals import Conditionals
from auditor.rpm.spec.lines import NUMBERED, SOURCE_AFTER_BLANK, TAG, tag_number
from auditor.rpm.spec.macros import Expansion, MacroContext
from auditor.rpm.spec.result import JUDGED_TAGS, PackageDraft, shorten, tag_label
from auditor.rpm.spec.values import LineValues

_DEPENDENCY_TAGS: dict[str, DependencyKind] = {
    "prereq": DependencyKind.REQUIRES,
    **{kind.value: kind for kind in DEPENDENCY_KINDS},
}
"""A preamble tag that declares dependencies, and the kind it declares (``PreReq`` is old ``Requires``)."""
_TAG_MACROS = ("name", "version", "release", "epoch", "summary", "license", "url", "bugurl", "vcs",
               "translationurl", "upstreamreleases", "vendor", "packager", "distribution",
               "group", "disttag", "modularitylabel", "removepathpostfixes")  # fmt: skip
"""The tags rpm 4.18's preamble list marks as macros (build/parsePreamble.c): ``%{disttag}`` is
defined once a DistTag is read, and ``%if 0%{!?disttag:1}`` is false after it."""


INEXACT_NAME = "the package's name"
"""What an `GapKind.UNEXPANDED_TAG` gap of a Name or ``%package -n`` line says it is about."""


class BuildArchRead(Exception):
    """The main package's BuildArch was read: rpm's first parse of the spec ends there."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


class PreambleRead(Exception):
    """The main package's preamble has ended outside any conditional, and only it was to be read."""


def build_arch_of(value: str, arch: str) -> str:
    """The architecture rpm parses the spec again for: the first BuildArch it can build on
    ``arch`` (``noarch``, or ``arch`` itself). When there is none rpm refuses to build; the
    first one named is then the best guess of what the spec means."""
    words = value.split()
    return next((word for word in words if word in ("noarch", arch)), words[0])


class PreambleTags:
    """The reading of a preamble's tags: a part of the spec reader (`parser._SpecReader`), which
    sets the attributes declared here."""

    path: str
    preamble_only = False
    """Stop at the end of the main package's preamble (`PreambleRead`)."""
    macros: MacroContext
    conditionals: Conditionals
    values: LineValues
    main: PackageDraft
    current: PackageDraft | None
    first_pass: bool
    sources: list[SourceFile]
    build_requires: list[Dependency]
    build_conflicts: list[Dependency]
    source_line: bool
    numbers_read: set[tuple[SourceKind, int]]
    """The Source and Patch numbers of the lines rpm certainly reads (no undecided branch)."""
    other_names: list[str]
    """What else a Name or ``%package`` line read through a macro set in a branch the reader could
    not decide may name (`Spec.other_names`)."""

    def _inexact_name(self, number: int, raw: str) -> None:
        """A package's name read through a macro the reader could not expand exactly (undefined,
        or a build host's: ``Name: %{?_target:xenserver-transfer-vm}``): the policy judges names,
        so the name it judged may not be the one rpm builds."""
        self.values.unexpanded_tag(f"{self.path}:{number}: {shorten(raw.strip())}: {INEXACT_NAME}")

    def _package_name(self, argument: str) -> str:
        """The package a section header names: ``-n NAME``, ``SUFFIX`` or the main package ("")."""
        words = argument.split()
        if "-n" in words:
            index = words.index("-n")
            return words[index + 1] if index + 1 < len(words) else ""
        return f"{self.main.tags.get('name', '')}-{words[0]}" if words else ""

    def _tag(
        self, tag: str, qualifier: str | None, value: str, raw: str, number: int, expansion: Expansion
    ) -> None:
        assert self.current is not None
        numbered = NUMBERED.match(tag) if tag.startswith(("source", "patch")) else None  # tag: lowered
        if numbered:  # in a subpackage's preamble too: rpm adds it to the source package
            kind = SourceKind.SOURCE if numbered.group(1).lower() == "source" else SourceKind.PATCH
            written = value
            if raw_match := TAG.match(raw.strip()):
                written = raw_match.group(3).strip()
            elif raw_match := SOURCE_AFTER_BLANK.match(raw.strip()):
                written = raw_match.group(2).strip()
            self._source(kind, tag_number(numbered.group(2)), value, written, number, expansion)
            return
        if tag in ("buildrequires", "buildprereq", "buildconflicts"):
            target = self.build_conflicts if tag == "buildconflicts" else self.build_requires
            target.extend(self.values.dependencies(value, frozenset(), number, expansion, raw))
            return
        dependency_kind = _DEPENDENCY_TAGS.get(tag)
        if dependency_kind is not None:
            qualifiers = (
                frozenset(
                    word.strip() for word in qualifier.split(",") if word.strip() in SPEC_QUALIFIER_WORDS
                )
                if qualifier
                else frozenset()
            )
            if tag == "prereq":
                qualifiers = frozenset({"prereq"})
            self.current.deps.setdefault(dependency_kind, []).extend(
                self.values.dependencies(value, qualifiers, number, expansion, raw)
            )
            return
        if tag == "autoreqprov":
            tag = "autoreq"  # it sets the package's AutoReq too: the last line read decides
        if tag in ("buildarch", "buildarchitectures"):
            tag = "buildarch"
            if (
                self.first_pass
                and self.current is self.main
                and value.strip()
                and not self.conditionals.undecided_branch
            ):
                raise BuildArchRead(value)
        if tag == "name" and not expansion.exact:
            self._inexact_name(number, raw)
            written = raw_match.group(3).strip() if (raw_match := TAG.match(raw.strip())) else value
            self.other_names.extend(self.values.values(written, value, number, expansion.environment)[1])
        elif tag in ("epoch", "version", "release") and expansion.environment:
            # A test the build host answers (``%{?_gnu:3}``): rpm's EVR may be another answer's,
            # and requirements on the package compare with it. (A bare %{?xsrel} is no test.)
            written = raw_match.group(3).strip() if (raw_match := TAG.match(raw.strip())) else value
            if self.values.values(written, value, number, expansion.environment)[1]:
                self.values.unexpanded_tag(f"{self.path}:{number}: {shorten(written)}: the package's EVR")
        others: list[str] = []
        if tag in JUDGED_TAGS:
            written = raw_match.group(3).strip() if (raw_match := TAG.match(raw.strip())) else value
            others = self.values.values(written, value, number, expansion.environment)[1]
            if not expansion.exact:
                self.values.unexpanded_tag(f"{self.path}:{number}: {tag_label(tag)}: {shorten(written)}")
        self.current.set_tag(tag, value, others)
        if tag in _TAG_MACROS:
            names = (tag, tag.upper()) if self.current is self.main else (tag,)
            for name in names:
                self.macros.define(name, value)
                if others:
                    # The tag's other values (a macro it reads was set in an undecided branch)
                    # are its macro's too: ``Source1: %{url}/x`` reads each of them.
                    self.macros.may_be(name, [value, *others])
                if expansion.environment:  # a build host's answer: what reads %{name} is not exact
                    self.macros.forget(name)
                if tag == "name":
                    self.main.name = value

    def _source(
        self, kind: SourceKind, number: int | None, value: str, raw: str, line: int, expansion: Expansion
    ) -> None:
        self.source_line = True
        if number is not None and not self.conditionals.undecided_branch:
            # rpm refuses the spec ("patch 1 defined multiple times"): XenServer's xapi.spec
            # (XS-8.3) has a Patch1 under %if "%{dist}" == ".xs9" and another after it. Two
            # branches the reader could not decide may each hold one, as rpm allows.
            if (kind, number) in self.numbers_read:
                self.conditionals.unbalanced(line, f"{kind.value.capitalize()}{number} defined again")
            self.numbers_read.add((kind, number))
        found = self.values.sources(kind, number, value, raw, line, expansion)
        self.sources.extend(found)
        if number is not None and found:
            # rpm's %{SOURCEn}/%{PATCHn}: the file under %_sourcedir as expanded now, a macro
            # not defined yet left as written (expanded where the macro is read), when the spec
            # defines it (one that defines it before the line and again after reads the first);
            # otherwise its path is the host's. Defined on every release; an unnumbered line's
            # number is the release's to choose.
            name = f"{kind.value.upper()}{number}"
            directory = self.macros.expand("%{_sourcedir}/")
            prefix = directory.text if self.macros.is_defined("_sourcedir") else "%{_sourcedir}/"
            self.macros.define(name, prefix + found[0].filename.replace("%", "%%"))
            if len(found) > 1 or not expansion.exact or directory.environment:
                self.macros.forget(name)
