"""Read a spec file without running it.

The parser follows rpm's ``build/parseSpec.c`` far enough to know what an audit needs:
the package names and versions, every Source and Patch (URLs as written and as
expanded), BuildRequires, and each (sub)package's dependencies and origin tags (a
preamble's tags are read by `auditor.rpm.spec.preamble`). Macros go through
`auditor.rpm.spec.macros`, which never executes shell or Lua. Like rpm, every line read
is expanded, comments and scriptlets included, so a ``%global`` or a ``%bcond`` anywhere
counts. Conditionals whose truth depends on what cannot be known (an unexpanded macro, a
build machine's ``%{?rhel}``, a macro defined under such a conditional) are read *both
ways*: every Source either branch could use is reported, and the conditional is recorded
in `Spec.undecided` and `Spec.gaps` (`auditor.rpm.spec.conditionals`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping

from auditor.rpm.gaps import Gap, GapKind, bounded
from auditor.rpm.model import Dependency, SourceFile, SourceKind
from auditor.rpm.spec.builtins import HOST_QUERY, only_sets_a_global, platform_macros
from auditor.rpm.spec.conditionals import Conditionals
from auditor.rpm.spec.files import ANY_FILE, files_header, files_line
from auditor.rpm.spec.generated import excludes_every_requirement
from auditor.rpm.spec.lines import (
    SECTION,
    SOURCE_AFTER_BLANK,
    TAG,
    refused_tag,
    shaped_by_macros,
    tag_number,
)
from auditor.rpm.spec.macros import MAX_DEPTH, MAX_OUTPUT, WORK_PER_BYTE, Expansion, MacroContext
from auditor.rpm.spec.preamble import BuildArchRead, PreambleRead, PreambleTags, build_arch_of
from auditor.rpm.spec.readline import NOT_JOINED, LineJoiner, is_directive, rpm_lines
from auditor.rpm.spec.result import PackageDraft, Spec, shorten
from auditor.rpm.spec.scriptlets import WHEN as SCRIPTLETS
from auditor.rpm.spec.scriptlets import ScriptletReader, add_interpreter
from auditor.rpm.spec.table import code_as_one_line
from auditor.rpm.spec.values import LineValues

_READ_SECTIONS = frozenset({"preamble", "package", "sourcelist", "patchlist"})
_PLAIN_SAYS = frozenset({*_READ_SECTIONS, "files"})
"""The sections whose lines say something with no macro in them: a tag, a Source, a file."""
_COMMENTED = frozenset({"preamble", "package", "files"})
"""The sections where a line starting with ``#`` is a comment (rpm still expands its macros)."""


SKIPPED_BCOND = re.compile(r"%bcond(?:_with|_without)?\s+(\w+)(?:\s|$)")
"""A build conditional's declaration, its name written out (rpm's `%bcond` names are words)."""


class _SpecReader(PreambleTags):
    def __init__(
        self, path: str, defines: Mapping[str, str | None], arch: str, macros: MacroContext | None = None
    ) -> None:
        self.path = path
        self.arch = arch
        self.first_pass = macros is None
        """Whether the main package's BuildArch ends this reading (`parse_spec`)."""
        # The defaults are x86_64's; another host's platform macros are given as --define gives
        # a macro, settled: a test of the %__isa that noarch's platform leaves undefined is no doubt.
        platform = platform_macros(arch) if arch != "x86_64" else {}
        self.macros = macros if macros is not None else MacroContext({**platform, **defines})
        self.section = "preamble"
        self.main = PackageDraft("")
        self.current: PackageDraft | None = self.main
        self.subpackages: list[PackageDraft] = []
        self.named: dict[str, list[PackageDraft]] = {}  # the subpackages by name, for their scriptlets
        self.sources: list[SourceFile] = []
        self.build_requires: list[Dependency] = []
        self.build_conflicts: list[Dependency] = []
        self.unexpanded: list[str] = []
        self.undecided: list[int] = []
        self.gaps: list[Gap] = []
        self.conditionals = Conditionals(path, self.macros, self.gaps, self.undecided)
        self.dynamic = False
        self.built: list[str] = []
        self.other_names: list[str] = []
        self.files: dict[str, list[str]] = {}
        self.file_patterns: dict[str, list[str]] = {}
        self.files_of = ""
        self.packaging: set[str] = set()
        self.source_line = False
        """Whether the line read gave a Source or Patch: code in its value is that Source's gap."""
        self.numbers_read: set[tuple[SourceKind, int]] = set()
        self.budget_spent = False
        """Whether the gap of the spent expansion budget was given (`_note_cuts`)."""
        self.values = LineValues(path, self.macros, self.gaps)
        self.scripts = ScriptletReader(path)

    @property
    def reading(self) -> bool:
        return self.conditionals.reading

    @property
    def undecided_branch(self) -> bool:
        """Whether the lines read now may not be read by rpm: a definition here is a maybe."""
        return self.conditionals.undecided_branch

    def feed(self, lines: list[str]) -> None:
        self.macros.allow(sum(len(line) + 1 for line in lines))
        joiner = LineJoiner(lines)
        number = 0
        while number < len(lines):
            start_line = number + 1
            raw, number = joiner.logical_line(number)
            cuts = self.macros.cut_counts
            self._logical(raw, start_line)
            if self.macros.cut_counts != cuts:
                self._note_cuts(cuts, start_line, raw)
            if joiner.cut == number < len(lines):
                self._unread(number + 1, lines[number], NOT_JOINED)

    def _logical(self, raw: str, start_line: int) -> None:
        """One line as rpm's ``readLine`` gives it, maybe several joined (`LineJoiner`)."""
        if "\n" not in raw:
            self._read(raw, start_line)
            return
        # rpm expands the text it joined if the branch it starts in is read (else none of
        # it), splits the result into lines again and looks for a conditional in each, in
        # a skipped branch too: a comment ending in a backslash does not hide the %else
        # after it, and a %define whose body holds an %if is no conditional.
        self.macros.undecided_branch = self.undecided_branch
        expansion = self.macros.expand(raw) if self.reading else None
        pieces = rpm_lines(raw if expansion is None else expansion.text, start_line)
        if not any(is_directive(text) for text, _ in pieces):
            self._read(raw, start_line, expansion or Expansion(raw))
            return
        # A conditional written as such is read as written, for what its own macros may be,
        # not for those of the text around it (a `%cmake \` line with `%if %{with x}` in it).
        written = [piece for piece in rpm_lines(raw, start_line) if is_directive(piece[0])]
        made = sum(1 for text, _ in pieces if is_directive(text))
        as_written = iter(written) if expansion is not None and len(written) == made else None
        for index, (text, line) in enumerate(pieces):
            if as_written is not None and is_directive(text):
                self._read(*next(as_written), expanded=True)  # its macros did their work above
                continue
            found = Expansion(text)
            if expansion is not None:  # what the whole text's expansion could not know
                code = expansion.code if index == 0 else []
                found = Expansion(text, [*expansion.unexpanded], [*expansion.environment], [*code])
            self._read(text, line, found)

    def _read(
        self, raw: str, start_line: int, expansion: Expansion | None = None, *, expanded: bool = False
    ) -> None:
        """One line as rpm reads it (``raw`` may be several joined: `logical_line`), and
        ``expansion``, when it was expanded already (or is read as is)."""
        stripped = raw.strip()
        self.macros.undecided_branch = self.undecided_branch
        if expansion is None and "%" not in raw and len(raw) <= MAX_OUTPUT:  # no macro, as most are
            if self.section not in _PLAIN_SAYS:
                if self.reading:
                    self.scripts.text(raw)  # a scriptlet's says where it points its hosts
                return  # a description's or a changelog's line with no macro says nothing here
            # What the lines below do with a line without macros (no conditional, no code): sooner.
            comment = stripped.startswith("#") and "\n" not in raw and self.section in _COMMENTED
            if self.reading and not comment:
                self.source_line, plain = False, Expansion(raw)
                for line in raw.split("\n"):
                    self._line(raw, line, start_line, plain)
            return
        doubtful = expansion is not None and not expansion.exact
        if stripped.startswith("%") and self.conditionals.read(
            stripped, start_line, doubtful=doubtful, expanded=expanded or expansion is not None
        ):
            return
        if not self.reading:
            if (declared := SKIPPED_BCOND.match(stripped)) is not None:
                self.macros.settle_skipped_bcond(declared.group(1))
            return
        if stripped.startswith("%include"):
            self.unexpanded.append(stripped)  # reading other files of the host is not ours to do
            self._code(start_line, stripped)
            return
        # Like rpm, expand every line read, comments and scriptlets included: a %global or
        # a %bcond there counts. Only what a line then says is section-specific.
        if expansion is None:
            expansion = self.macros.expand(raw)
        if "%include" in expansion.text and any(
            line.lstrip().startswith("%include") for line in expansion.text.split("\n")
        ):
            # rpm looks for %include in the line it expanded: a macro's (%f FILE, with a body
            # %%include %1) includes the file as one written so does.
            self.unexpanded.append(stripped)
            self._code(start_line, stripped)
            return
        runs_code = bool(expansion.code) and not all(map(HOST_QUERY.fullmatch, expansion.code))
        runs_code = runs_code and not only_sets_a_global(stripped, expansion.code)
        # A comment is a comment unless its expansion makes lines: rpm reads those after the first.
        comment = stripped.startswith("#") and "\n" not in expansion.text
        if comment and self.section in _COMMENTED:
            if runs_code:  # rpm expands a comment's macros too, and runs their code
                self._code(start_line, stripped)
            return
        self.source_line = False
        section, script = self.section, self.scripts.open_script
        for line in code_as_one_line(expansion).split("\n"):
            self._line(raw, line, start_line, expansion)
        if script is not None and script == self.scripts.open_script and not expansion.exact:
            self.scripts.unexpanded(start_line, stripped, expansion.unexpanded, expansion.code)
        if runs_code and not self.source_line:
            self._code(start_line, stripped)
        elif not expansion.exact and not self.source_line and shaped_by_macros(stripped, section):
            detail = "what rpm reads here (a tag, a section) depends on macros not expanded exactly"
            self.gaps.append(
                Gap(GapKind.UNDECIDED_CONDITIONAL, f"{self.path}:{start_line}: {shorten(stripped)}: {detail}")
            )
        if self.section in _READ_SECTIONS or self.section == "files":
            self.unexpanded.extend(expansion.unexpanded)

    def _note_cuts(self, before: tuple[int, int], line: int, text: str) -> None:
        """A gap where an expansion was cut (`MacroContext.cut_counts` grew since ``before``): each
        line cut, or the line where the spec's budget ran out (each later one is cut too)."""
        if self.macros.cut_counts == before or self.budget_spent:
            return
        if self.macros.exhausted:
            self.budget_spent = True
            why = (
                f"the spec's budget of macro expansion ({WORK_PER_BYTE} steps per byte) is spent: "
                "from here on every line with a macro is read as written"
            )
        elif self.macros.cut_counts[1] != before[1]:
            why = f"nested past rpm's max_macro_depth ({MAX_DEPTH}), where rpm fails: read as written"
        else:
            why = "its expansion passes the reader's bounds (macros.MAX_OUTPUT, MAX_WORK): read as written"
        self._unread(line, text, why)

    def _unread(self, line: int, text: str, why: str) -> None:
        """What the reader's bounds cut off (`readline.LineJoiner.cut`, `macros.MacroContext.cut_counts`):
        what the lines there define or make (a Source, a Vendor) is unseen."""
        self.gaps.append(Gap(GapKind.SPEC_UNREADABLE, f"{self.path}:{line}: {shorten(text)}: {why}"))

    def _code(self, line: int, text: str) -> None:
        """A line read that runs code the reader does not run. Its text is unknown, so where it
        is hardly matters: a ``%(...)`` in ``%build`` runs when rpm parses the spec, and what it
        prints may open a section or define a macro for what follows."""
        self.gaps.append(Gap(GapKind.SPEC_CODE, f"{self.path}:{line}: {shorten(text)}"))

    def _line(self, raw: str, line: str, number: int, expansion: Expansion) -> None:
        stripped = line.strip()
        section = SECTION.match(stripped) if stripped.startswith("%") else None
        if section:
            name = section.group(1).lower()
            self._section(name, section.group(2).strip(), number)
            if name == "package" and not expansion.exact:
                self._inexact_name(number, raw)
            if (name in SCRIPTLETS or name in ("files", "package")) and not expansion.exact:
                # Each interpreter it may name; each package it may give a %files (one built), or
                # declare (a name the policy judges, as the source package's `other_names`).
                for other in self.values.section_variants(raw.strip(), stripped, number, expansion):
                    if (found := SECTION.match(other)) is None or found.group(1).lower() != name:
                        continue
                    if name == "files":
                        self._files_of(found.group(2).strip())
                    elif name == "package":
                        self.other_names.append(self._package_name(found.group(2).strip()))
                    else:
                        add_interpreter(self.main, self.named, name, found.group(2).strip())
            return
        if self.section == "files":
            if stripped and not stripped.startswith("#"):
                self._file_entry(stripped)
            return
        self.scripts.text(line)
        if self.section in ("sourcelist", "patchlist"):
            if stripped and not stripped.startswith("#"):
                kind = SourceKind.SOURCE if self.section == "sourcelist" else SourceKind.PATCH
                self._source(kind, None, stripped, raw.strip(), number, expansion)
            return
        if self.section not in ("preamble", "package") or self.current is None:
            return
        match = TAG.match(stripped)
        if match is not None and not refused_tag(match.group(1)):
            tag, qualifier, value = match.group(1).lower(), match.group(2), match.group(3).strip()
            self._tag(tag, qualifier, value, raw, number, expansion)
        elif (blank := SOURCE_AFTER_BLANK.match(stripped)) is not None:
            self._tag(blank.group(1).lower(), None, blank.group(2).strip(), raw, number, expansion)
        elif stripped and not stripped.startswith("#") and "%" not in stripped:
            # rpm refuses the spec ("Unknown tag", "Bad source number"), and an older rpm may
            # read the line otherwise (before 4.12, Source+1: was Source1): not rpm's reading.
            # A line that kept a macro is another gap's (shaped_by_macros, code, unexpanded).
            self.conditionals.unbalanced(number, f"{shorten(stripped)}: no tag rpm 4.18 reads")

    def _section(self, name: str, argument: str, line: int) -> None:
        if self.section == "preamble" and self.preamble_only and not self.conditionals.frames:
            raise PreambleRead
        if self.section == "preamble":
            self.main.fill_from_macros(self.values.macro_values)
        self.section = name
        self.scripts.section(name, argument, self.main.tags.get("name", ""), line)
        if name in SCRIPTLETS:
            add_interpreter(self.main, self.named, name, argument)
        if name == "generate_buildrequires":
            self.dynamic = True
        if name == "files":
            self.files_of = self._files_of(argument)
        if name != "package":
            return
        subname = self._package_name(argument)
        self.current = PackageDraft(subname) if subname else None
        if self.current is not None:
            self.subpackages.append(self.current)
            self.named.setdefault(subname, []).append(self.current)

    def _files_of(self, argument: str) -> str:
        """The package a ``%files`` header names, which a build makes (and packages files of
        when the header lists them: ``-f``)."""
        header = files_header(argument)
        package = self._package_name(header.argument) or self.main.tags.get("name", "")
        self.built.append(package)
        if header.lists_files:
            self.packaging.add(package)
            self.file_patterns.setdefault(package, []).append(ANY_FILE)  # a list the build writes
        return package

    def _file_entry(self, line: str) -> None:
        """One ``%files`` line: the paths it packages (`files_line`), and whether it packages any."""
        read = files_line(line)
        self.files.setdefault(self.files_of, []).extend(read.paths)
        if read.patterns:
            self.file_patterns.setdefault(self.files_of, []).extend(read.patterns)
        if read.packages_any:
            self.packaging.add(self.files_of)

    def finish(self, lines: int) -> Spec:
        self.conditionals.finish()
        cuts = self.macros.cut_counts
        if self.section == "preamble":
            self.main.fill_from_macros(self.values.macro_values)
        requires_excluded = excludes_every_requirement(self.macros)
        # rpmbuild reads %{_buildhost} once the spec is parsed, for every package it writes.
        host, other_hosts = self.values.macro_values("_buildhost")
        self._note_cuts(cuts, lines, "the macros Vendor, Packager, Distribution and BugURL are read from")
        tags = self.main.tags
        epoch = tag_number(epoch_text) if (epoch_text := tags.get("epoch")) else None
        packages = [self.main.freeze(None)] + [draft.freeze(self.main) for draft in self.subpackages]
        return Spec(
            path=self.path,
            name=tags.get("name"),
            epoch=epoch,
            version=tags.get("version"),
            release=tags.get("release"),
            sources=tuple(self.sources),
            build_requires=tuple(self.build_requires),
            build_conflicts=tuple(self.build_conflicts),
            packages=tuple(packages),
            unexpanded=tuple(dict.fromkeys(self.unexpanded)),
            undecided=tuple(self.undecided),
            gaps=bounded(self.gaps, self.path),
            dynamic_build_requires=self.dynamic,
            built=tuple(dict.fromkeys(self.built)),
            other_names=tuple(dict.fromkeys(name for name in self.other_names if name)),
            files={name: tuple(dict.fromkeys(paths)) for name, paths in self.files.items()},
            file_patterns={name: tuple(dict.fromkeys(found)) for name, found in self.file_patterns.items()},
            packaging=frozenset(self.packaging),
            requires_excluded=requires_excluded,
            buildhost=tuple(dict.fromkeys(value for value in (host, *other_hosts) if value)),
            scriptlets=self.scripts.results(),
        )


def parse_spec(
    text: str,
    path: str,
    *,
    defines: Mapping[str, str | None] | None = None,
    arch: str = "x86_64",
    preamble_only: bool = False,
) -> Spec:
    """Parse spec text. ``defines`` play the part of ``rpmbuild --define``; ``arch`` decides ``%ifarch``.
    ``preamble_only``: up to the main package's preamble's end, when no conditional is open there
    (the main package's tags are then those of the whole spec).

    Nothing in the text is ever run (see `auditor.rpm.spec.macros`). What cannot be represented (a
    dependency whose epoch is too long to be a number) raises `InputError` naming ``path``
    and the line.
    """
    lines = text.split("\n")
    reader = _SpecReader(path, defines or {}, arch)
    reader.preamble_only = preamble_only
    try:
        with contextlib.suppress(PreambleRead):
            reader.feed(lines)
    except BuildArchRead as read:
        # rpm's first parse of a spec whose main package names its BuildArch ends at that
        # line, and the spec is parsed again from the top with the macros defined so far: a
        # Version or a %global written before the BuildArch line, but after a Source line,
        # has its value there (rpmspec -P prints the second parse; later ones do not). That
        # parse is for the BuildArch: rpm sets %_target_cpu to it, and %ifarch reads that.
        target = build_arch_of(read.value, arch)
        reader.macros.define("_target_cpu", target)
        reader = _SpecReader(path, defines or {}, target, reader.macros)
        reader.preamble_only = preamble_only
        with contextlib.suppress(PreambleRead):
            reader.feed(lines)
    return reader.finish(len(lines))
