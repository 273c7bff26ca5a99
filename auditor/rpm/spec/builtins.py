"""What rpm defines before a spec is read, and the small parsers its macro engine uses.

Everything here is data or a pure function: the x86_64 paths of rpm's default macros, the
build-conditional macros exactly as rpm's ``macros.in`` writes them, the built-in
functions that are safe to evaluate, and rpm's own way of splitting a ``%define`` and a
parametric macro's arguments (``rpmio/macro.c``: ``doDefine``, ``grabArgs``, ``rgetopt``).
How rpm joins a spec's lines is `auditor.rpm.spec.readline`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from auditor.rpm.spec.platforms import PLATFORMS

ISA: Mapping[str, tuple[str, str]] = {
    arch: (name, bits) for arch, (_, _, name, bits) in PLATFORMS.items() if name
}
"""rpm's ``%__isa_name`` and ``%__isa_bits`` of each architecture (its platform macros): an
architecture's package provides ``name(isa)``, which ``Requires: name%{?_isa}`` asks for."""


def platform_macros(arch: str) -> dict[str, str | None]:
    """What rpm's platform macros for ``arch`` set, over the x86_64 defaults (None: undefined):
    ``%{_arch}`` is ``i386`` on i686, ``%{_lib}`` is ``lib`` there, so ``%{_libdir}`` is /usr/lib."""
    arch_macro, lib, name, bits = PLATFORMS.get(arch, (arch, "lib64", "", ""))
    isa = {"__isa_name": name, "__isa_bits": bits, "__isa": "%{__isa_name}-%{__isa_bits}"} if name else {}
    return {"_arch": arch_macro, "_target_cpu": arch, "_lib": lib, "__isa_name": None, "__isa_bits": None,
            "__isa": None, **isa}  # fmt: skip


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
    # rpm defines it as it starts to read a spec (build/parseSpec.c), on every release that
    # knows %license: ``%{!?_licensedir:...}`` is false wherever the spec builds.
    "_licensedir": "%{_defaultlicensedir}",
    "_rundir": "/run",
    "_unitdir": "/usr/lib/systemd/system",
    "_userunitdir": "/usr/lib/systemd/user",
    "_tmpfilesdir": "/usr/lib/tmpfiles.d",
    "_initddir": "%{_sysconfdir}/rc.d/init.d",
    "_initrddir": "%{_initddir}",
    "_var": "/var",
    "_usr": "/usr",
    "_tmppath": "/var/tmp",
    "_build_arch": "x86_64",
    "_host_cpu": "x86_64",
    "_os": "linux",
    # The platform's (%_arch, %_target_cpu, %__isa_*), as the reader sets another arch's. A
    # dependency on one architecture's build of a package: "Requires: foo%{?_isa}" is
    # foo(x86-64), which only the x86_64 build of foo provides (i686's is foo(x86-32)).
    **{name: value for name, value in platform_macros("x86_64").items() if value is not None},
    "__isa": "%{__isa_name}-%{__isa_bits}",
    "_isa": "%{?__isa:(%{__isa})}%{!?__isa:%{nil}}",
    "_target_os": "linux",
    "nil": "",
    "ix86": "i386 i486 i586 i686 pentium3 pentium4 athlon geode",
    "arm": "armv3l armv4b armv4l armv4tl armv5tl armv5tel armv5tejl armv6l armv6hl armv7l armv7hl armv7hnl",
    "x86_64": "x86_64 amd64 em64t",
    "__python3": "/usr/bin/python3",
    "__python": "/usr/bin/python",
    "__perl": "/usr/bin/perl",
}

# rpm's macros.in (4.20), parametric macros as (options, body). Build conditionals are not
# special: ``%bcond_with foo`` defines ``with_foo`` only when ``_with_foo`` is defined (which
# ``rpmbuild --with foo`` does), and a ``%global with_foo 1`` anywhere decides as in rpm.
# Before 4.17.1 rpm had no ``%bcond``; its ``%bcond_with``/``%bcond_without`` expanded to the
# same ``%global`` as these do, so one set of definitions reads old and new specs alike.
RPM_PARAMETRIC_MACROS: Mapping[str, tuple[str, str]] = {
    "defined": ("", "%{expand:%%{?%{1}:1}%%{!?%{1}:0}}"),
    "undefined": ("", "%{expand:%%{?%{1}:0}%%{!?%{1}:1}}"),
    "bcond_override_default": ("", "%{expand:%%global bcond_override_default_%{1} %{2}}"),
    "__bcond_override_default": ("", '%{expand:%%["%%{?bcond_override_default_%{1}}"||"%%{2}"]}'),
    "bcond": (
        "",
        "%[ %{__bcond_override_default %{1} %{2}}\n"
        '    ? "%{expand:%%{!?_without_%{1}:%%global with_%{1} 1}}"\n'
        '    : "%{expand:%%{?_with_%{1}:%%global with_%{1} 1}}"\n'
        "]",
    ),
    "bcond_with": ("", "%bcond %{1} 0"),
    "bcond_without": ("", "%bcond %{1} 1"),
    "with": ("", "%{expand:%%{?with_%{1}:1}%%{!?with_%{1}:0}}"),
    "without": ("", "%{expand:%%{?with_%{1}:0}%%{!?with_%{1}:1}}"),
}

BCOND_MACROS = frozenset({"bcond", "bcond_with", "bcond_without"})
"""Calling one of these declares ``with_NAME``: from then on the spec, not a build host, decides it."""

SETTLED_PREFIXES = ("_with_", "_without_", "bcond_override_default_")
"""Macros only the command line (``--with``, ``--without``, ``--define``) or the spec sets:
an undefined one is certainly undefined, not something a build machine might define."""

# Macros whose value depends on the machine that builds the package, not on the spec.
ENVIRONMENT_MACROS = frozenset(
    {"dist", "rhel", "centos", "fedora", "el6", "el7", "el8", "el9", "suse_version", "xenserver"}
)

PARSE_MACROS = re.compile(r"(?:SOURCE|PATCH)(?:URL)?[0-9]+|__file_(?:name|lineno)|buildsubdir")
"""Macros rpm defines as it parses a spec: ``%{SOURCEn}`` and ``%{PATCHn}`` for each line (which
number an unnumbered ``Source:`` takes depends on rpm's release), ``%{SOURCEURLn}`` and
``%{PATCHURLn}`` (rpm >= 4.15), the spec's file name and line (``%{__file_name}``), and
``%{buildsubdir}``, which ``%setup`` (``%autosetup`` too) defines as ``%prep`` is parsed. One the
reader did not define itself is the build host's: ``%if 0%{!?SOURCE0:1}`` is no certain test."""


def is_parse_macro(name: str) -> bool:
    return PARSE_MACROS.fullmatch(name) is not None


RPM_BUILTIN_NAMES = frozenset(
    {
        "F", "P", "S", "basename", "define", "dirname", "dnl", "dump", "echo", "error", "exists",
        "expand", "expr", "getconfdir", "getenv", "getncpus", "global", "gsub", "len", "load",
        "lower", "lua", "macrobody", "quote", "rep", "reverse", "rpmversion", "shescape", "shrink",
        "span", "sub", "suffix", "trace", "u2p", "uncompress", "undefine", "upper", "url2path",
        "verbose", "warn", "xdg",
    }
)  # fmt: skip
"""rpm's built-in macros (``builtinmacros`` in rpmio/macro.c), those of any release since 4.11.
rpm 4.18 counts them as defined: ``%{?basename:x}`` is ``x`` and ``%{!?expand:x}`` nothing.
Which ones a build host has depends on its rpm (4.18 has ``%{exists:}``, not ``%{len:}``), so a
test of one is the build host's to answer, as a test of a macro its macro files define."""

PURE_FUNCTIONS: Mapping[str, Callable[[str], str]] = {
    # As rpm's doFoo (rpmio/macro.c) cuts the text: at its last "/" or its last ".", whatever
    # follows (%{basename:a/b/} is empty, %{suffix:mirror.net/} is "net/").
    "basename": lambda arg: arg.rsplit("/", 1)[-1],
    "dirname": lambda arg: arg.rsplit("/", 1)[0] if "/" in arg else arg,
    "suffix": lambda arg: arg.rsplit(".", 1)[1] if "." in arg else "",
    "lower": str.lower,
    "upper": str.upper,
    "len": lambda arg: str(len(arg)),
    "shrink": lambda arg: " ".join(arg.split()),
    "echo": lambda arg: "",
    "warn": lambda arg: "",
    "error": lambda arg: "",
}
NEWER_FUNCTIONS = frozenset({"len", "lower", "upper"})
"""Those of `PURE_FUNCTIONS` that rpm 4.18 (and older) does not have: it leaves ``%{upper:x}``
as written, so ``%if "%{upper:x}" == "X"`` is false there, true on a newer rpm. Which one builds
decides: the value is a build host's answer, read with a gap, and an ``%if`` on it both ways."""
NEVER = frozenset(
    {"lua", "getenv", "uncompress", "load", "include", "S", "P", "url2path", "u2p", "getncpus", "exists",
     "quote"}
)  # fmt: skip
"""Built-ins that run code or read the host: never evaluated, left as written. And ``quote``:
its text stays one argument of a parametric macro, which the reader's argument splitting does
not model, so a Source written with it is a gap rather than a wrong value."""
CODE = frozenset({"lua", "load", "include"})
"""Those of `NEVER` whose effect can reach beyond their own text: Lua may define any macro or
print spec lines, ``%{load:}`` defines the macros of a file."""

HOST_QUERY = re.compile(
    r"""%\(\s*(?:
        (?:%\{__id_u\}|id)\s+-u?n                                     # the builder's user name
      | (?:%\{__id_u\}|id\s+-u)                                       # or id
      | eval\s+"(?:`|\$\()(?:%\{__perl\}|perl)\s+-V:version(?:`|\))"\s*;\s*echo\s+\$version  # perl's version
      | c=%\{\??\w+\}\s*;\s*echo\s+\$\{c:0:\d+\}                      # a commit hash, shortened
      | mktemp\s+-ud\s+[^\s()`$;|&<>]+                                 # a BuildRoot's name
      | %\{__python[23]?\}\s+-c\s+"from\s+distutils\.sysconfig\s+import\s+get_python_lib\s*;
        \s*print\s*\(?\s*get_python_lib\(\s*(?:1|plat_specific=1)?\s*\)\s*\)?\s*"  # site-packages
    )\s*\)""",
    re.VERBOSE,
)
"""Shell code whose output is one word of the build host, never spec text: the idioms that put
the builder's uid or a temporary name in a BuildRoot (which rpm ignores), perl's version in a
Requires, the first characters of a commit hash macro in a version, or Python's
site-packages directory in a path (the old ``python_sitelib`` definitions). A line running
only these is read as text that holds them; any other code is a spec-code gap."""


BUILD_TIME_ONLY = re.compile(r"__(?:os|arch|debug|spec)_install_post|__brp_\w+")
"""Macros rpm reads only when it runs a build's ``%install`` script (``__spec_install_post``
names the others), never while it parses a spec: a value of theirs is no spec line."""


def only_sets_a_global(line: str, code: list[str]) -> bool:
    """Whether ``line``, whose expansion ran ``code``, is a ``%global`` of a `BUILD_TIME_ONLY`
    macro whose value shell commands print: rpm runs them as it defines the macro and keeps
    their output as its value, read by no line of the spec rpm parses (``%global
    __os_install_post %(echo '%{__os_install_post}' | sed ...)``, the Fedora idiom of
    host-installer's spec); a line of the spec that reads it is read with the code. Any other
    macro may be one rpm reads as it parses (``%global _target_cpu %(...)`` decides an
    ``%ifarch``), and Lua or ``%{load:}`` may define more: their line stays a spec-code gap."""
    words = line.split(None, 2)
    return (
        len(words) == 3
        and words[0] == "%global"
        and BUILD_TIME_ONLY.fullmatch(words[1]) is not None
        and all(run.startswith("%(") for run in code)
    )


BUILTIN_NAMES = frozenset(
    {*PURE_FUNCTIONS, *NEVER, "expand", "expr", "macrobody", "define", "global", "undefine", "dnl",
     "getconfdir", "dump", "trace", "shescape", "verbose"}
)  # fmt: skip

# Words rpm parses itself at the start of a line; seeing them unexpanded is not a finding.
SPEC_KEYWORDS = frozenset(
    {
        "if", "ifarch", "ifnarch", "ifos", "ifnos", "elif", "elifarch", "elifos", "else",
        "endif", "package", "description", "prep", "build",
        "install", "check", "clean", "files", "changelog", "pre", "post", "preun", "postun",
        "pretrans", "posttrans", "preuntrans", "postuntrans", "verifyscript", "triggerin",
        "triggerun", "triggerpostun", "triggerprein", "filetriggerin", "filetriggerun",
        "filetriggerpostun", "transfiletriggerin", "transfiletriggerun",
        "transfiletriggerpostun", "sourcelist", "patchlist", "generate_buildrequires",
        "conf", "setup", "autosetup", "patch",
        "autopatch", "configure", "make_build", "make_install", "doc", "license", "config",
        "dir", "ghost", "attr", "defattr", "verify", "lang", "exclude", "docdir", "caps",
    }
)  # fmt: skip

_NAME_CHARS = re.compile(r"[A-Za-z0-9_]*")


@dataclass(frozen=True, slots=True)
class Definition:
    """One ``%define``/``%global`` as rpm's ``doDefine`` reads it."""

    name: str
    options: str | None
    body: str
    end: int
    """Index in the text just past the definition (and the newlines after it)."""

    @property
    def valid(self) -> bool:
        """rpm refuses (and defines nothing for) a bad name or an empty body."""
        first = self.name[:1]
        good_name = first.isalpha() or (first == "_" and len(self.name) > 1)
        return good_name and self.name.isascii() and bool(self.body) and self.name not in BUILTIN_NAMES


def read_definition(text: str, start: int) -> Definition | None:
    """The definition starting at ``text[start:]`` (after ``%define``); None if it is malformed."""
    position = start
    while position < len(text) and text[position] in " \t":
        position += 1
    name_match = _NAME_CHARS.match(text, position)
    assert name_match is not None
    name = name_match.group()
    position = name_match.end()
    options = None
    if text.startswith("(", position):
        close = text.find(")", position)
        if close < 0:
            return None
        options = text[position + 1 : close]
        position = close + 1
    while position < len(text) and text[position] in " \t":
        position += 1
    if text.startswith("{", position):
        close = _matching_brace(text, position)
        if close < 0:
            return None
        body = text[position + 1 : close]
        position = close + 1
    else:
        field, position = _free_field(text, position)
        if field is None:
            return None
        body = field
    while position < len(text) and text[position] in "\r\n":
        position += 1
    return Definition(name, options, body, position)


def _free_field(text: str, position: int) -> tuple[str | None, int]:
    """A body to the end of the line: backslash escapes removed, macro brackets kept whole."""
    out: list[str] = []
    depth = {"{": 0, "(": 0, "[": 0}
    closers = {"}": "{", ")": "(", "]": "["}
    while position < len(text) and (any(depth.values()) or text[position] not in "\r\n"):
        char = text[position]
        if char == "\\" and position + 1 < len(text):
            position += 1
            char = text[position]
        elif char == "%" and position + 1 < len(text) and text[position + 1] in "{([%":
            following = text[position + 1]
            out.append(char)
            position += 1
            char = following
            if following in depth:
                depth[following] += 1
        elif char in depth and depth[char] > 0:
            depth[char] += 1
        elif char in closers and depth[closers[char]] > 0:
            depth[closers[char]] -= 1
        out.append(char)
        position += 1
    if any(depth.values()):
        return None, position
    return "".join(out).rstrip(" \t\r\n"), position


def _matching_brace(text: str, start: int) -> int:
    """rpm's ``matchchar``: the ``}`` closing ``text[start]``, skipping backslash escapes."""
    depth = 0
    position = start
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == "}":
            depth -= 1
            if depth <= 0:
                return position
        elif char == "{":
            depth += 1
        position += 1
    return -1


def getopt(options: str, arguments: list[str]) -> tuple[dict[str, str | None], list[str]] | None:
    """GNU getopt as rpm calls it for a parametric macro: options may follow arguments.

    Returns the options given (letter to argument, None for a flag) and the remaining
    arguments, or None for an unknown option or a missing option argument (rpm fails).
    """
    if options == "-":
        return {}, list(arguments)
    found: dict[str, str | None] = {}
    rest: list[str] = []
    index = 0
    while index < len(arguments):
        word = arguments[index]
        index += 1
        if word == "--":
            rest.extend(arguments[index:])
            break
        if not word.startswith("-") or word == "-":
            rest.append(word)
            continue
        letters = word[1:]
        while letters:
            letter, letters = letters[0], letters[1:]
            at = options.find(letter)
            if at < 0 or letter == ":":
                return None
            if options[at + 1 : at + 2] != ":":
                found[letter] = None
                continue
            if not letters:
                if index >= len(arguments):
                    return None
                letters = arguments[index]
                index += 1
            found[letter] = letters
            letters = ""
    return found, rest


_BCOND_NAME = re.compile(r"[A-Za-z0-9_]+")


def bcond_defines(with_: Iterable[str] = (), without: Iterable[str] = ()) -> tuple[tuple[str, str], ...]:
    """The macros ``rpmbuild --with NAME`` and ``--without NAME`` define, as ``--define`` pairs.

    rpm's popt aliases (``rpmpopt``) turn ``--with NAME`` into ``--define '_with_NAME
    --with-NAME'`` and ``--without NAME`` into ``--define '_without_NAME --without-NAME'``;
    ``%bcond`` reads only whether those are defined. Raises ValueError for a name rpm would
    cut short (``--with foo-bar`` defines ``_with_foo``, which no ``%bcond foo-bar`` reads).
    """
    pairs: list[tuple[str, str]] = []
    for prefix, names in (("with", with_), ("without", without)):
        for name in names:
            if not _BCOND_NAME.fullmatch(name):
                raise ValueError(f"--{prefix} {name!r}: a build conditional is letters, digits and _")
            pairs.append((f"_{prefix}_{name}", f"--{prefix}-{name}"))
    return tuple(pairs)
