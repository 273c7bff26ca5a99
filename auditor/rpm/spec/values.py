"""The values a spec's line may have: each expansion its macros may give, and the gap when
the reader could not read them all.

A Source, an origin tag or a dependency written with a macro that an undecided ``%if`` sets
(or that a build host's test decides) has one value per way the spec may be read: each is
evidence, so each is read (`MacroContext.other_expansions`, `variants.host_expansions`). A
BuildRequires on a macro that one branch sets to a Citrix SDK must not give only the other
branch's package.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.core.errors import InputError
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import Dependency, SourceFile, SourceKind
from auditor.rpm.spec.builtins import HOST_QUERY, RPM_BUILTIN_NAMES
from auditor.rpm.spec.dependencies import parse_dependency_list
from auditor.rpm.spec.lines import TAG
from auditor.rpm.spec.macros import TOO_LARGE, Expansion, MacroContext
from auditor.rpm.spec.result import shorten, tag_label, unexpanded_source_gap
from auditor.rpm.spec.variants import host_expansions

_UNREAD = "its macros may have more values than were read"
_HEADER = "the section rpm reads here (its package, its interpreter) depends on macros not expanded exactly"
_EVALUATED = "a built-in or expression rpm evaluates (it never leaves one as written) that the reader did not"


def rpm_evaluates(run: str) -> bool:
    """Whether ``run``, left as written by the reader, is a ``%[...]`` expression or a call of
    one of rpm's built-ins (``%{quote:}``, ``%{reverse:}``, ``%{expr:}``...): rpm evaluates it
    (a release without the built-in leaves it, one with it does not), so unlike a macro it does
    not know, its text is not what every rpm reads."""
    if run.startswith("%["):
        return True
    body = run[2:] if run.startswith("%{") else run[1:]
    end = next((at for at, char in enumerate(body) if not (char.isalnum() or char == "_")), len(body))
    return body[:end] in RPM_BUILTIN_NAMES


INEXACT = " (a macro not expanded exactly)"
"""The end of the detail of an `GapKind.UNEXPANDED_TAG` gap (`unexpanded_tag`)."""


class LineValues:
    """Reads the values of one spec's lines with its macros, adding to its gaps what it could not read."""

    def __init__(self, path: str, macros: MacroContext, gaps: list[Gap]) -> None:
        self.path = path
        self.macros = macros
        self.gaps = gaps

    def values(
        self, text: str, value: str | None = None, line: int | None = None, environment: Sequence[str] = ()
    ) -> tuple[str, list[str]]:
        """``text`` expanded (or ``value``, its expansion already made, whose tests the build
        host answers are ``environment``), and what else it may expand to
        (`MacroContext.other_expansions`, `host_expansions`), each stripped. When those are not
        all of them (too many combinations), the spec has a gap saying so, as a Source line does."""
        if value is None:
            expansion = self.macros.expand(text)
            # A text cut by a bound is no value: the reading's gap says what it is not (`_note_cuts`).
            value = "" if TOO_LARGE in expansion.unexpanded else expansion.text
            environment = expansion.environment
        others, complete = self._with_host_values(text, value, environment)
        if not complete:
            where = f"{self.path}:{line}" if line is not None else self.path
            self.gaps.append(Gap(GapKind.UNDECIDED_CONDITIONAL, f"{where}: {shorten(text)}: {_UNREAD}"))
        return value.strip(), [found.strip() for found, _ in others]

    def section_variants(self, raw: str, line: str, number: int, expansion: Expansion) -> list[str]:
        """The other texts a section line (``line``, ``raw`` as written) read through macros not
        expanded exactly may be (a ``%post -p %{?_gnu:/usr/bin/cxsh}%{!?_gnu:/bin/sh}`` header):
        each value its macros or the build host's answers give, as a dependency line's; more than
        were read is a gap. (Code it runs is a spec-code gap, a package name it cannot expand the
        ``%package`` line's gap, already.)"""
        if TOO_LARGE in expansion.unexpanded:
            return []  # a line cut by a bound: the reading's own gap says so (`_note_cuts`)
        others, complete = self._with_host_values(raw, line, expansion.environment)
        if not complete:
            where = f"{self.path}:{number}: {shorten(raw)}"
            self.gaps.append(Gap(GapKind.UNDECIDED_CONDITIONAL, f"{where}: {_HEADER}"))
        return [text.strip() for text, _read in others]

    def _with_host_values(
        self, text: str, value: str, environment: Sequence[str]
    ) -> tuple[list[tuple[str, Expansion]], bool]:
        """What ``text`` (expanded to ``value``) may expand to besides: each value its macros may
        have (`MacroContext.other_expansions`) and, where it holds a test the build host answers
        (``environment``), each answer's value (`host_expansions`); and whether those are all."""
        others: list[tuple[str, Expansion]] = []
        complete = True
        if self.macros.alternatives:  # else no macro has several values: no other expansion
            others, complete = self.macros.other_expansions(text, value)
        if environment:  # a test the build host answers: each answer's value too
            hosts, every = host_expansions(self.macros, self.macros.expand, text, value, list(environment))
            others += [(found, read) for found, read in hosts if found not in dict(others)]
            complete = complete and every
        return others, complete

    def macro_values(self, name: str) -> tuple[str, list[str]]:
        """The values of the tag rpmbuild takes from macro ``name`` (`PackageDraft.fill_from_macros`).
        A macro the spec defines from what the reader could not expand is a gap; one it never
        defines is the build host's to give, as rpmbuild's own tags (Buildhost...) are."""
        text = f"%{{?{name}}}"
        spec_defined = self.macros.is_defined(name) or self.macros.is_unknown(name)
        if spec_defined and not self.macros.expand(text).exact:
            self.unexpanded_tag(f"{self.path}: {tag_label(name)}: %{{{name}}}, from the macro of its name")
        return self.values(text)

    def unexpanded_tag(self, detail: str) -> None:
        self.gaps.append(Gap(GapKind.UNEXPANDED_TAG, f"{detail}{INEXACT}"))

    def dependencies(
        self, value: str, qualifiers: frozenset[str], number: int, expansion: Expansion, raw: str
    ) -> list[Dependency]:
        """The entries of a dependency tag, from each value its macros may have. The code a line
        holds is read as `parse_dependency_list` says (a host query prints one word: kept as
        written, no gap)."""
        written = value  # a line that expanded to several lines is read as those lines
        if "\n" not in expansion.text and (raw_match := TAG.match(raw.strip())):
            written = raw_match.group(3).strip()
        others, complete = self._with_host_values(written, value, expansion.environment)
        if not complete:
            self.gaps.append(
                Gap(GapKind.UNDECIDED_CONDITIONAL, f"{self.path}:{number}: {shorten(written)}: {_UNREAD}")
            )
        # Each entry once, in the order first met: a dict, as a list searched for each entry
        # took n x n steps on a line of n entries (a macro of 2,000 names required 300 times:
        # 600,000 entries, 137 s).
        found: dict[Dependency, None] = {}
        undecided = False
        for text, read in [(value, expansion), *others]:
            # Code rpm runs is a spec-code gap already (`SpecParser._code`).
            evaluated = [run for run in read.unexpanded if run not in read.code and rpm_evaluates(run)]
            undecided = undecided or bool(evaluated)
            unseen = [run for run in read.code if not HOST_QUERY.fullmatch(run)]
            # A macro left as written is one piece of its entry too: its blanks are not rpm's
            # separators (%{py3_dist six} is python3dist(six) where the host defines it).
            whole = [*read.code, *read.unexpanded]
            try:
                entries = parse_dependency_list(text.strip(), qualifiers, whole, unseen)
            except ValueError as exc:
                raise InputError(self.path, f"line {number}: {exc}") from None
            found.update(dict.fromkeys(entries))
        if undecided:  # as written, it is no name rpm reads (a Citrix URL's piece, maybe)
            self.gaps.append(
                Gap(GapKind.UNDECIDED_CONDITIONAL, f"{self.path}:{number}: {shorten(written)}: {_EVALUATED}")
            )
        return list(found)

    def sources(
        self, kind: SourceKind, number: int | None, value: str, raw: str, line: int, expansion: Expansion
    ) -> list[SourceFile]:
        """A Source or Patch line: one `SourceFile` for each value a macro it reads may have,
        and for each answer of the build host to a test it holds: ``Source0: %{?_gnu:CITRIX}%{!?_gnu:
        CLEAN}`` fetches CITRIX wherever rpm builds (rpm defines ``%_gnu``); only the reader's
        guess, CLEAN, was read (with a gap), and the Citrix Source was no finding."""
        others, complete = self._with_host_values(raw, value, expansion.environment)
        found = []
        for text, read in [(value, expansion), *others]:
            doubtful = tuple(read.unexpanded + read.environment)
            source = SourceFile(kind, number, text, raw, line, doubtful)
            found.append(source)
            if source.unexpanded:
                self.gaps.append(unexpanded_source_gap(self.path, source))
        if not complete:
            source = SourceFile(kind, number, value, raw, line)
            self.gaps.append(unexpanded_source_gap(self.path, source, unread_values=True))
        return found
