"""Safe expansion of rpm macros: definitions, conditionals and pure built-ins, never code.

Spec files come from untrusted pull requests. rpm's own expander runs ``%(shell)`` and
``%{lua:...}``; this one never does. What it cannot expand safely (shell, Lua,
``%{getenv:}``, macros the spec does not define) stays in the text as written and is
named in `Expansion.unexpanded`, so a reader can tell a value that is exact from one
that is not.

Otherwise it follows ``rpmio/macro.c``: ``%define``/``%global``/``%undefine`` inside any
expansion, parametric macros with their options and arguments (``%1``, ``%*``,
``%{-f*}``...), ``%{expand:}``, and ``%[...]`` expressions whose skipped branch is never
expanded. rpm's build-conditional macros (``%bcond``, ``%{with}``...) are defined the way
``macros.in`` defines them (see `auditor.rpm.spec.builtins`), so nothing about them is a
special case.

Some answers depend on what cannot be known: a build machine's ``%{?rhel}``, or a
definition made in a branch of a conditional that could not be decided. Such a
definition is made, and its name marked *unknown*: every later test of it is recorded in
`Expansion.environment`, which makes a ``%if`` that uses it undecidable in turn.
"""

from __future__ import annotations

from collections.abc import Mapping

from auditor.rpm.spec import variants
from auditor.rpm.spec.arguments import split_arguments
from auditor.rpm.spec.builtins import (
    CODE,
    DEFAULT_MACROS,
    ENVIRONMENT_MACROS,
    NEVER,
    NEWER_FUNCTIONS,
    PURE_FUNCTIONS,
    SPEC_KEYWORDS,
    getopt,
    read_definition,
)
from auditor.rpm.spec.expression import evaluate_lazy
from auditor.rpm.spec.lazy import LazyExpander
from auditor.rpm.spec.references import braced, flags, macro_end, matching
from auditor.rpm.spec.table import Expansion, MacroDefinition, MacroTable, is_automatic

__all__ = ["DEFAULT_MACROS", "ENVIRONMENT_MACROS", "Expansion", "MacroContext", "MacroDefinition"]

MAX_DEPTH = 64
"""Nesting of macro bodies, as rpm's ``max_macro_depth``."""
MAX_OUTPUT = 256 * 1024
"""Expanded text per call, and per ``%global`` body; a definition that doubles itself stops here."""
MAX_WORK = MAX_OUTPUT * 4
"""Work per call: the characters its expansions make, at every level of nesting. Real specs
do under 1,000 a line; what a small hostile spec may spend is this, about half a second."""
WORK_PER_BYTE = 16
"""The work a whole spec's expansions may do, per byte of the spec (`MAX_WORK` more): the
bound on the time and memory its reading takes (`MacroContext.allow`). The real specs read
in testing do less than 3 per byte (a kernel.spec of 611 KB: 1.4 million)."""
REFERENCE_COST = 16
"""The work a macro reference costs besides the characters it makes: looking a name up
costs what copying some characters does, and a body of 262,144 references to an undefined
macro makes few characters but took a second to expand, line after line."""
TOO_LARGE = "(expansion too large)"


class _TooLarge(Exception):
    """A definition that multiplies itself: the expansion stops and the text stays as written."""


class _TooDeep(_TooLarge):
    """Past `MAX_DEPTH` rpm fails the whole expansion, and so does the reader: reading on there
    was how a self-calling macro of a few bytes spent the whole budget on each line naming it."""


class MacroContext(MacroTable):
    """A table of macro definitions and the expander that reads it.

    Its expansions share one budget of work (`allow`): each call may do `MAX_WORK`, all of
    them together what the spec's size allows. A call past either is left as written, with
    `TOO_LARGE` in `Expansion.unexpanded`, and counted in `cut_counts`; once the budget is spent
    (`exhausted`), every text holding a ``%`` is. Its reader says so in a gap."""

    def __init__(self, defines: Mapping[str, str | None] | None = None) -> None:
        super().__init__(defines)
        self.work_left = MAX_WORK
        self.exhausted = False
        self.cut_counts = (0, 0)
        """Expansions left as written because they passed a bound; of those, past `MAX_DEPTH`."""

    def allow(self, size: int) -> None:
        """What follows reads a spec of ``size`` bytes: its expansions may do `MAX_WORK` and
        `WORK_PER_BYTE` times its size of work in all."""
        self.work_left = MAX_WORK + WORK_PER_BYTE * size
        self.exhausted = False

    def expand(self, text: str) -> Expansion:
        result = Expansion("")
        if self.exhausted and "%" in text:
            return self._cut(text, result)
        try:
            result.text = self._expand(text, result, 0)
        except _TooLarge as cut:
            return self._cut(text, result, deep=isinstance(cut, _TooDeep))
        if len(result.text) > MAX_OUTPUT:
            return self._cut(text, result)
        return result

    def _cut(self, text: str, result: Expansion, *, deep: bool = False) -> Expansion:
        result.text = text
        result.unexpanded.append(TOO_LARGE)
        self.cut_counts = (self.cut_counts[0] + 1, self.cut_counts[1] + deep)
        return result

    def _expand(self, text: str, result: Expansion, depth: int) -> str:
        if depth >= MAX_DEPTH:  # rpm counts the line's own expansion as a level, and a body without %
            raise _TooDeep
        if "%" not in text:
            return text
        out: list[str] = []
        i = 0
        while i < len(text):
            j = text.find("%", i)
            if j < 0:
                out.append(text[i:])
                break
            out.append(text[i:j])
            piece, i = self._one(text, j, result, depth)
            out.append(piece)
            work = len(piece) + len(out[-2]) + 1
            result.work += work
            self.work_left -= work + REFERENCE_COST
            if self.work_left < 0:
                self.exhausted = True
                raise _TooLarge
            if result.work > MAX_WORK:
                raise _TooLarge
        return "".join(out)

    def _expand_aside(self, text: str, result: Expansion, depth: int) -> tuple[str, Expansion]:
        """``text`` expanded into an `Expansion` of its own, which ``result`` takes only the work
        budget and the code of: what a shell command or an expression token expands to is read
        apart, but the code it names runs all the same."""
        scratch = Expansion("", work=result.work)
        expanded = self._expand(text, scratch, depth)
        result.work = scratch.work
        result.code.extend(scratch.code)
        return expanded, scratch

    def _one(self, text: str, start: int, result: Expansion, depth: int) -> tuple[str, int]:
        """Expand the macro reference at ``text[start] == '%'``; return (expansion, next index)."""
        nxt = text[start + 1 : start + 2]
        if nxt == "%":
            return "%", start + 2
        if nxt in ("{", "(", "["):
            close = matching(text, start + 1)
            if close < 0:
                result.unexpanded.append(text[start:])
                return text[start:], len(text)
            written = text[start : close + 1]
            body = text[start + 2 : close]
            if nxt == "(":
                result.unexpanded.append(written)  # shell: never run
                result.code.append(written)
                # rpm expands the command before the shell runs it, so code in the macros it
                # names runs too: it must not pass with the command for a harmless host query.
                self._expand_aside(body, result, depth + 1)
                return written, close + 1
            if nxt == "[":
                return self._expression(body, written, result, depth), close + 1
            return self._braced(body, written, result, depth), close + 1
        end = macro_end(text, start + 1)
        reference = text[start + 1 : end]
        negate, conditional, name = flags(reference)
        if not name or not (name[0].isalpha() or name[0] == "_" or is_automatic(name)):
            return "%", start + 1  # "%2b" in a URL, a lone "%": literal
        written = text[start:end]
        if conditional or name.startswith("-"):
            return self._test(name, negate, None, written, result, depth), end
        if name in ("define", "global"):
            return self._definition(text, end, name == "global", written, result, depth)
        if name == "dnl":  # a comment: the rest of the line and its newline
            newline = text.find("\n", end)
            return "", len(text) if newline < 0 else newline + 1
        definition = self.lookup(name)
        # rpm's grabArgs: "%name args" takes the rest of the line when a blank follows the name;
        # a built-in reads its first argument only (argv[1]): "%basename a/b c/d" is "b".
        blank = text[end : end + 1] in (" ", "\t")
        newline = text.find("\n", end)
        line_end = len(text) if newline < 0 else newline
        if definition is None:
            if blank and (name == "undefine" or name in PURE_FUNCTIONS or name == "expand"):
                arguments, _ = self._arguments(text[end:line_end], result, depth, split=True)
                return self._builtin(name, (arguments or [""])[0], written, result, depth), line_end
            if name not in SPEC_KEYWORDS and not (is_automatic(name) and not self.in_call):
                result.unexpanded.append(written)
            return written, end
        self.doubt(name, written, result, tested=False, negated=False)
        if not definition.parametric:
            return self._value(name, definition, written, result, depth), end
        if not blank:
            return self._call(name, definition, [], False, written, result, depth), end
        arguments, inexact = self._arguments(text[end:line_end], result, depth, split=True)
        return self._call(name, definition, arguments, inexact, written, result, depth), line_end

    def _value(self, name: str, found: MacroDefinition, written: str, result: Expansion, depth: int) -> str:
        """A macro's body, expanded; but a call's argument (``%1``, ``%*``, ``%{-f*}``) as it is:
        rpm >= 4.17 expands it once, with the call (``ME_LITERAL``). An older rpm expands it again:
        where that may change it (a ``%`` in it), it is a build host's answer, and what it defines a maybe."""
        if not is_automatic(name):
            return self._expand(found.body, result, depth + 1)
        if "%" in found.body:
            result.environment.append(written)
            with self.uncertain():
                self._expand_aside(found.body, result, depth + 1)
        return found.body

    def _arguments(self, text: str, result: Expansion, depth: int, *, split: bool) -> tuple[list[str], bool]:
        """A call's arguments, expanded (and split at blanks for ``%name args``), and whether
        their expansion was inexact."""
        before = len(result.unexpanded) + len(result.environment)
        expanded = self._expand(text, result, depth + 1)
        inexact = len(result.unexpanded) + len(result.environment) > before
        return (split_arguments(expanded) if split else [expanded]), inexact

    def _braced(self, body: str, written: str, result: Expansion, depth: int) -> str:
        negate, conditional, name, rest = braced(body)
        if not name:
            result.unexpanded.append(written)
            return written
        argument = rest[1:] if rest.startswith(":") else None
        if conditional or name.startswith("-"):
            return self._test(name, negate, argument, written, result, depth)
        if name == "verbose" and rest:
            # %{verbose:TEXT} is TEXT where rpm runs verbose (rpmbuild -v), else nothing, whatever a
            # "!" says: the build host's answer. %{verbose TEXT}: all after the name, its blank too.
            return self._test(name, False, rest if argument is None else argument, written, result, depth)
        definition = self.lookup(name)
        if definition is None:
            if name in ("define", "global") and rest:
                expansion, _ = self._definition(rest, 0, name == "global", written, result, depth)
                return expansion
            text = argument if argument is not None else rest.strip() if rest else None
            if text is not None and (name == "undefine" or name in PURE_FUNCTIONS or name in _OTHER):
                if name in _RAW_ARGUMENT:
                    return self._builtin(name, text, written, result, depth)
                expanded = self._expand(text, result, depth + 1)
                first = expanded if argument is not None else (split_arguments(expanded) or [""])[0]
                return self._builtin(name, first, written, result, depth)
            if not (is_automatic(name) and not self.in_call):
                result.unexpanded.append(written)
            return written
        self.doubt(name, written, result, tested=False, negated=False)
        if not definition.parametric:
            return self._value(name, definition, written, result, depth)
        if argument is not None:
            arguments, inexact = self._arguments(argument, result, depth, split=False)
        elif rest:
            arguments, inexact = self._arguments(rest, result, depth, split=True)
        else:
            arguments, inexact = [], False
        return self._call(name, definition, arguments, inexact, written, result, depth)

    def _test(
        self, name: str, negate: bool, argument: str | None, written: str, result: Expansion, depth: int
    ) -> str:
        """``%{?name}``, ``%{!?name:text}``, ``%{-f}``, ``%{?-f:text}``: existence tests."""
        definition = self.lookup(name)
        doubted = len(result.environment)
        self.doubt(name, written, result, tested=True, negated=negate)
        if (definition is None) != negate:
            if argument and len(result.environment) > doubted:
                # The build host may take the branch the reader's guess does not (rpm defines
                # %_gnu: %{?_gnu:%global vendor Citrix}): what it defines is a maybe as well.
                # Its text is not this expansion's; only its definitions count.
                with self.uncertain():
                    self._expand(argument, Expansion(""), depth + 1)
            return ""
        if argument:
            if len(result.environment) > doubted:
                # rpm may not take this branch: what it defines (%{!?x:%global y 1}) is a maybe.
                with self.uncertain():
                    return self._expand(argument, result, depth + 1)
            return self._expand(argument, result, depth + 1)
        if definition is None or argument is not None:
            return ""
        return self._value(name, definition, written, result, depth)  # parametric: no call frame, as rpm

    def _call(
        self,
        name: str,
        definition: MacroDefinition,
        arguments: list[str],
        inexact: bool,
        written: str,
        result: Expansion,
        depth: int,
    ) -> str:
        """Expand a parametric macro with its arguments as ``%1``... (rpm's ``setupArgs``)."""
        assert definition.options is not None
        parsed = getopt(definition.options, arguments)
        if parsed is None:
            result.unexpanded.append(written)  # rpm: "Unknown option"
            return written
        options, positional = parsed
        automatic = {"0": name, "**": " ".join(arguments), "#": str(len(positional))}
        automatic["*"] = " ".join(positional)
        automatic.update({str(index): value for index, value in enumerate(positional, start=1)})
        for letter, value in options.items():
            automatic[f"-{letter}"] = f"-{letter}" if value is None else f"-{letter} {value}"
            if value is not None:
                automatic[f"-{letter}*"] = value
        with self.call(name, automatic, inexact):
            expanded = self._expand(definition.body, result, depth + 1)
        return expanded

    def _definition(
        self, text: str, start: int, is_global: bool, written: str, result: Expansion, depth: int
    ) -> tuple[str, int]:
        """``%define``/``%global`` met while expanding: define, expand to nothing (``doDefine``)."""
        definition = read_definition(text, start)
        if definition is None or not definition.valid:
            end = definition.end if definition is not None else len(text)
            result.unexpanded.append(written + text[start:end].rstrip("\n"))
            return "", end
        body = definition.body
        if not is_global:
            self.define(definition.name, body, definition.options, local=True)
            self._inherit_doubt(definition.name, result)
            return "", definition.end
        expanded = self._expand(body, result, depth + 1)
        if len(expanded) > MAX_OUTPUT:
            # Not defined, and not left undefined either: what reads it later is inexact.
            self.forget(definition.name)
            raise _TooLarge
        others, complete = self.other_expansions(body, expanded) if definition.options is None else ([], True)
        self.define(definition.name, expanded, definition.options)
        if others:  # expanded now, from macros with several values: it has as many
            self.may_be(definition.name, [expanded, *(text for text, _ in others)])
        if not complete:
            self.overflowing.add(definition.name)
        self._inherit_doubt(definition.name, result)
        return "", definition.end

    def _inherit_doubt(self, name: str, result: Expansion) -> None:
        """A definition made from text whose expansion a build host decides (``%global h
        %{?_gnu:a}``, or ``%{expand:%%define h %{?_gnu:a}}``, whose body is expanded before it
        is read) has a value rpm may not give it: the doubt moves to the name, so what reads it
        is inexact. A macro left as written (``%{version}`` before the Version line) needs no
        such care: it stays in the body and is expanded again where the body is read, as rpm does."""
        if result.environment:
            self.forget(name)

    def other_expansions(self, text: str, value: str) -> tuple[list[tuple[str, Expansion]], bool]:
        """What ``text`` (expanded to ``value`` now) expands to besides, from the several values
        the macros it reads may have, and whether those are all (`auditor.rpm.spec.variants`)."""
        return variants.other_expansions(self, self.expand, text, value)

    def _builtin(self, name: str, argument: str, written: str, result: Expansion, depth: int) -> str:
        if name in NEVER:
            result.unexpanded.append(written)
            if name in CODE:
                result.code.append(written)
            return written
        if name == "expand":
            return self._expand(argument, result, depth + 1)
        if name == "undefine":
            self.undefine(argument.strip())
            return ""
        if name == "macrobody":
            found = self.lookup(argument.strip())
            if found is None:
                result.unexpanded.append(written)
                return written
            return found.body
        if name == "expr":
            value = evaluate_lazy(argument, None)  # expanded once already, as rpm's doFoo has it
            if value is None:
                result.unexpanded.append(written)
                return written
            return value
        function = PURE_FUNCTIONS.get(name)
        if function is not None:
            if name in NEWER_FUNCTIONS:  # an rpm without it leaves it as written: the host's answer
                result.environment.append(written)
            return function(argument)
        result.unexpanded.append(written)
        return written

    def _expression(self, body: str, written: str, result: Expansion, depth: int) -> str:
        """``%[...]``: rpm evaluates it, expanding only the tokens of the branches it takes."""
        value = evaluate_lazy(body, LazyExpander(self, result, depth))
        if value is None:
            result.unexpanded.append(written)
            return written
        return value


# Built-ins taking ``%{name:argument}`` besides the pure functions. The argument is expanded
# first, as rpm's grabArgs does (so ``%{expand:}`` expands twice), except for those that run
# code: their argument is never even read.
_RAW_ARGUMENT = NEVER
_OTHER = frozenset({"macrobody", "expr", "expand", *_RAW_ARGUMENT})
