"""Safe expansion of rpm macros: definitions, conditionals and pure built-ins, never code.

Spec files come from untrusted pull requests. rpm's own expander runs ``%(shell)`` and
``%{lua:...}``; this one never does. What it cannot expand safely (shell, Lua,
``%{getenv:}``, parametric macro calls, macros the spec does not define) stays in the
text as written and is named in `Expansion.unexpanded`, so a reader can tell a value
that is exact from one that is not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

MAX_DEPTH = 64
"""Nesting of macro bodies, as rpm's ``max_macro_depth``."""
MAX_OUTPUT = 256 * 1024
"""Expanded text per call; a definition that doubles itself stops here."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Paths rpm's default macros give on x86_64 (/usr/lib/rpm/macros and platform/x86_64-linux).
DEFAULT_MACROS: Mapping[str, str] = {
    "_prefix": "/usr",
    "_exec_prefix": "%{_prefix}",
    "_bindir": "%{_exec_prefix}/bin",
    "_sbindir": "%{_exec_prefix}/sbin",
    "_libexecdir": "%{_exec_prefix}/libexec",
    "_datadir": "%{_prefix}/share",
    "_sysconfdir": "/etc",
    "_sharedstatedir": "/var/lib",
    "_localstatedir": "/var",
    "_lib": "lib64",
    "_libdir": "%{_prefix}/%{_lib}",
    "_includedir": "%{_prefix}/include",
    "_infodir": "%{_datadir}/info",
    "_mandir": "%{_datadir}/man",
    "_docdir": "%{_datadir}/doc",
    "_rundir": "/run",
    "_unitdir": "/usr/lib/systemd/system",
    "_userunitdir": "/usr/lib/systemd/user",
    "_tmpfilesdir": "/usr/lib/tmpfiles.d",
    "_initddir": "%{_sysconfdir}/rc.d/init.d",
    "_initrddir": "%{_initddir}",
    "_var": "/var",
    "_usr": "/usr",
    "_tmppath": "/var/tmp",
    "_arch": "x86_64",
    "_target_cpu": "x86_64",
    "_build_arch": "x86_64",
    "_host_cpu": "x86_64",
    "_os": "linux",
    "_target_os": "linux",
    "nil": "",
    "ix86": "i386 i486 i586 i686 pentium3 pentium4 athlon geode",
    "arm": "armv3l armv4b armv4l armv4tl armv5tl armv5tel armv5tejl armv6l armv6hl armv7l armv7hl armv7hnl",
    "x86_64": "x86_64 amd64 em64t",
    "__python3": "/usr/bin/python3",
    "__python": "/usr/bin/python",
    "__perl": "/usr/bin/perl",
}

# Macros whose value depends on the machine that builds the package, not on the spec.
ENVIRONMENT_MACROS = frozenset(
    {"dist", "rhel", "centos", "fedora", "el6", "el7", "el8", "el9", "suse_version", "xenserver"}
)

_PURE_FUNCTIONS: dict[str, Callable[[str], str]] = {
    "basename": lambda arg: arg.rstrip("/").rsplit("/", 1)[-1],
    "dirname": lambda arg: arg.rsplit("/", 1)[0] if "/" in arg else arg,
    "suffix": lambda arg: arg.rsplit(".", 1)[1] if "." in arg.rsplit("/", 1)[-1] else "",
    "lower": str.lower,
    "upper": str.upper,
    "len": lambda arg: str(len(arg)),
    "shrink": lambda arg: " ".join(arg.split()),
    "quote": lambda arg: arg,
    "echo": lambda arg: "",
    "warn": lambda arg: "",
    "error": lambda arg: "",
    "verbose": lambda arg: "0",
}
_NEVER = frozenset(
    {"lua", "getenv", "uncompress", "load", "include", "S", "P", "url2path", "u2p", "getncpus"}
)


@dataclass(frozen=True, slots=True)
class MacroDefinition:
    body: str
    parametric: bool = False
    expand_now: bool = False


@dataclass
class Expansion:
    """The result of expanding one text."""

    text: str
    unexpanded: list[str] = field(default_factory=list)
    """Macro references left as written (shell, Lua, undefined, parametric calls)."""
    environment: list[str] = field(default_factory=list)
    """Undefined ``%{?name}`` references that a build machine might define (read as empty)."""

    work: int = 0

    @property
    def exact(self) -> bool:
        return not self.unexpanded and not self.environment


class _TooLarge(Exception):
    """A definition that multiplies itself: the expansion stops and the text stays as written."""


class MacroContext:
    """A table of macro definitions and the expander that reads it."""

    def __init__(self, defines: Mapping[str, str] | None = None) -> None:
        self._macros: dict[str, list[MacroDefinition]] = {
            name: [MacroDefinition(body)] for name, body in DEFAULT_MACROS.items()
        }
        self._user: set[str] = set()
        for name, body in (defines or {}).items():
            self.define(name, body)
            self._user.add(name)

    def define(self, name: str, body: str, *, parametric: bool = False) -> None:
        self._macros.setdefault(name, []).append(MacroDefinition(body, parametric))

    def undefine(self, name: str) -> None:
        stack = self._macros.get(name)
        if stack:
            stack.pop()
            if not stack:
                del self._macros[name]

    def is_defined(self, name: str) -> bool:
        return name in self._macros

    def value(self, name: str) -> str | None:
        stack = self._macros.get(name)
        return stack[-1].body if stack else None

    def expand(self, text: str) -> Expansion:
        result = Expansion("")
        try:
            result.text = self._expand(text, result, 0)
        except _TooLarge:
            result.text = text
            result.unexpanded.append("(expansion too large)")
        if len(result.text) > MAX_OUTPUT:
            result.text = text
            result.unexpanded.append("(expansion too large)")
        return result

    # -- the expander -------------------------------------------------------------------

    def _expand(self, text: str, result: Expansion, depth: int) -> str:
        if "%" not in text:
            return text
        if depth > MAX_DEPTH:
            result.unexpanded.append(text)
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
            result.work += len(piece) + len(out[-2]) + 1
            if result.work > MAX_OUTPUT * 16:
                raise _TooLarge
        return "".join(out)

    def _one(self, text: str, start: int, result: Expansion, depth: int) -> tuple[str, int]:
        """Expand the macro reference at ``text[start] == '%'``; return (expansion, next index)."""
        nxt = text[start + 1 : start + 2]
        if nxt == "%":
            return "%", start + 2
        if nxt in ("{", "(", "["):
            close = _matching(text, start + 1)
            if close < 0:
                result.unexpanded.append(text[start:])
                return text[start:], len(text)
            written = text[start : close + 1]
            body = text[start + 2 : close]
            if nxt == "(":
                result.unexpanded.append(written)  # shell: never run
                return written, close + 1
            if nxt == "[":
                result.unexpanded.append(written)
                return written, close + 1
            return self._braced(body, written, result, depth), close + 1
        match = _NAME.match(text, start + 1)
        if match is None:
            return "%", start + 1  # "%2b" in a URL, a lone "%": literal
        name = match.group()
        end = match.end()
        stack = self._macros.get(name)
        if stack is None or stack[-1].parametric:
            written = text[start:end]
            if name not in _SPEC_KEYWORDS:
                result.unexpanded.append(written)
            return written, end
        return self._expand(stack[-1].body, result, depth + 1), end

    def _braced(self, body: str, written: str, result: Expansion, depth: int) -> str:
        negate = False
        conditional = False
        inner = body
        while inner[:1] in ("!", "?"):
            if inner[0] == "!":
                negate = not negate
            else:
                conditional = True
            inner = inner[1:]
        name_match = _NAME.match(inner)
        if name_match is None:
            result.unexpanded.append(written)
            return written
        name = name_match.group()
        rest = inner[name_match.end() :]
        if conditional:
            if rest and not rest.startswith(":"):
                result.unexpanded.append(written)
                return written
            defined = name in self._macros
            if not defined and not negate and name not in self._user:
                result.environment.append(written)
            if defined != negate:
                if rest:
                    return self._expand(rest[1:], result, depth + 1)
                if negate:
                    return ""
                stack = self._macros[name]
                return self._expand(stack[-1].body, result, depth + 1)
            if not defined and negate and name not in self._user and name in ENVIRONMENT_MACROS:
                result.environment.append(written)
            return ""
        if rest.startswith(":"):
            argument = rest[1:]
            if name in _NEVER:
                result.unexpanded.append(written)
                return written
            if name == "expand":
                once = self._expand(argument, result, depth + 1)
                return self._expand(once, result, depth + 1)
            if name in ("defined", "undefined"):
                defined = argument.strip() in self._macros
                return "1" if defined == (name == "defined") else "0"
            function = _PURE_FUNCTIONS.get(name)
            if function is not None:
                return function(self._expand(argument, result, depth + 1))
            result.unexpanded.append(written)
            return written
        if rest.strip():
            if name in ("with", "without"):
                flag = self.is_defined(f"_with_{rest.strip()}")
                return "1" if flag == (name == "with") else "0"
            result.unexpanded.append(written)  # a call with arguments
            return written
        found = self._macros.get(name)
        if found is None or found[-1].parametric:
            result.unexpanded.append(written)
            return written
        return self._expand(found[-1].body, result, depth + 1)


# Words rpm parses itself at the start of a line; seeing them unexpanded is not a finding.
_SPEC_KEYWORDS = frozenset(
    {
        "if", "ifarch", "ifnarch", "ifos", "ifnos", "elif", "elifarch", "elifos", "else",
        "endif", "define", "global", "undefine", "package", "description", "prep", "build",
        "install", "check", "clean", "files", "changelog", "pre", "post", "preun", "postun",
        "pretrans", "posttrans", "preuntrans", "postuntrans", "verifyscript", "triggerin",
        "triggerun", "triggerpostun", "triggerprein", "filetriggerin", "filetriggerun",
        "filetriggerpostun", "transfiletriggerin", "transfiletriggerun",
        "transfiletriggerpostun", "sourcelist", "patchlist", "generate_buildrequires",
        "conf", "bcond", "bcond_with", "bcond_without", "setup", "autosetup", "patch",
        "autopatch", "configure", "make_build", "make_install", "doc", "license", "config",
        "dir", "ghost", "attr", "defattr", "verify", "lang", "exclude", "docdir", "caps",
    }
)  # fmt: skip


def _matching(text: str, open_index: int) -> int:
    """Index of the bracket closing ``text[open_index]``, counting nesting; -1 if none."""
    opener = text[open_index]
    closer = {"{": "}", "(": ")", "[": "]"}[opener]
    depth = 0
    for i in range(open_index, len(text)):
        char = text[i]
        if char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return i
    return -1
